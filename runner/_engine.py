"""The engine's side of a deployment, in the program's own process.

The Pulumi SDK's mock monitor receives every resource registration and read the program makes.
`EngineMonitor` extends it so that dynamic resources are not mocked: each operation goes, as the
engine would send it, to the real provider host (`_host.ProviderHost`). Other custom resources
(cloud providers whose plugins are not installed here) keep the mock behaviour: their outputs
echo their inputs.
"""

from __future__ import annotations

import asyncio
import os
import runpy
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, settings
from pulumi.runtime.proto import provider_pb2, resource_pb2
from pulumi.runtime.stack import run_in_stack

from ._host import HostError, ProviderHost
from ._model import Diagnostic, Mode, Op, Operation, ResourceState, RunResult
from ._wire import (
    UNKNOWN,
    from_dict,
    has_unknowns,
    plain,
    restore_secrets,
    strip_secrets,
    to_dict,
)

_DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"
_STACK_TYPE = "pulumi:pulumi:Stack"


class DeploymentError(Exception):
    """Raised inside the program when the engine side of an operation failed."""


class _EchoMocks(pulumi.runtime.Mocks):
    """Mock behaviour for resources that are not dynamic: outputs are the inputs."""

    def __init__(self, preview: bool) -> None:
        self._preview = preview

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return (None if self._preview else f"{args.name}-id"), dict(args.inputs)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class EngineMonitor(mocks.MockMonitor):
    """A resource monitor that forwards dynamic resources to the real provider host."""

    def __init__(
        self, host: ProviderHost, preview: bool, prior: Mapping[str, ResourceState]
    ) -> None:
        super().__init__(_EchoMocks(preview))
        self._host = host
        self._preview = preview
        self._prior = dict(prior)
        self._lock = threading.Lock()
        self.state: dict[str, ResourceState] = {}
        self.operations: list[Operation] = []
        self.errors: list[Diagnostic] = []
        self.stack_outputs: dict[str, Any] = {}

    # -- bookkeeping -------------------------------------------------------------------------

    def _record(self, resource: ResourceState, op: Op) -> None:
        with self._lock:
            self.state[resource.urn] = resource
            self.operations.append(Operation(resource.urn, resource.type, resource.name, op))

    def _fail(self, urn: str, message: str, details: str = "", **extra: Any) -> DeploymentError:
        with self._lock:
            self.errors.append(Diagnostic(urn, message, details, **extra))
        return DeploymentError(message)

    # -- reads (get pattern) -----------------------------------------------------------------

    def ReadResource(self, request: Any) -> resource_pb2.ReadResourceResponse:
        """A resource constructed with an id: the engine reads it, in preview too."""
        if not request.type.startswith(_DYNAMIC_TYPE_PREFIX):
            response: resource_pb2.ReadResourceResponse = super().ReadResource(request)
            return response
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs, secret_keys = strip_secrets(request.properties)
        if request.id == UNKNOWN or not request.id:
            # The engine cannot read without an id: in preview it skips the step and every
            # output stays unknown; in an update an unknown id cannot happen.
            with self._lock:
                self.operations.append(Operation(urn, request.type, request.name, "read-deferred"))
            return resource_pb2.ReadResourceResponse(urn=urn)
        try:
            new_id, outs = self._host.read(request.id, urn, inputs=inputs)
        except HostError as err:
            raise self._fail(urn, err.message, err.details) from None
        outs = restore_secrets(outs, secret_keys)
        resource = ResourceState(
            urn=urn,
            type=request.type,
            name=request.name,
            id=new_id or request.id,
            external=True,
            inputs=to_dict(request.properties),
            outputs=to_dict(outs),
            dynamic=True,
        )
        self._record(resource, "read")
        return resource_pb2.ReadResourceResponse(urn=urn, properties=outs, id=resource.id)

    # -- registrations (create / same / update) ----------------------------------------------

    def RegisterResource(self, request: Any) -> resource_pb2.RegisterResourceResponse:
        """A resource the program declares: check, then create, update or keep it."""
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == _STACK_TYPE or not request.type.startswith(_DYNAMIC_TYPE_PREFIX):
            response: resource_pb2.RegisterResourceResponse = super().RegisterResource(request)
            if request.type != _STACK_TYPE and request.custom:
                reg = self.resources[urn]
                self._record(
                    ResourceState(
                        urn,
                        request.type,
                        request.name,
                        reg.id or "",
                        False,
                        to_dict(request.object),
                        {},
                        False,
                    ),
                    "create" if urn not in self._prior else "same",
                )
            return response
        return self._register_dynamic(urn, request)

    def _register_dynamic(self, urn: str, request: Any) -> resource_pb2.RegisterResourceResponse:
        news, secret_keys = strip_secrets(request.object)
        prior = self._prior.get(urn)
        olds = from_dict(prior.inputs) if prior else from_dict({})
        try:
            checked, failures = self._host.check(urn, strip_secrets(olds)[0], news)
        except HostError as err:
            raise self._fail(urn, err.message, err.details) from None
        if failures:
            lines = [f"property {f.property}: {f.reason}" for f in failures]
            message = f"{request.type} resource '{request.name}' has a problem: " + "; ".join(lines)
            raise self._fail(
                urn,
                message,
                failures=[{"property": f.property, "reason": f.reason} for f in failures],
            )
        try:
            op, new_id, outs = self._apply(urn, prior, checked)
        except HostError as err:
            raise self._fail(urn, err.message, err.details) from None
        outs = restore_secrets(outs, secret_keys)
        resource = ResourceState(
            urn, request.type, request.name, new_id, False, to_dict(checked), to_dict(outs), True
        )
        self._record(resource, op)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=new_id, object=outs)

    def _apply(self, urn: str, prior: ResourceState | None, checked: Any) -> tuple[Op, str, Any]:
        if prior is None:
            if self._preview:
                return "create", "", checked
            new_id, outs = self._host.create(urn, checked)
            return "create", new_id, outs
        old_outs, _ = strip_secrets(from_dict(prior.outputs))
        diff = self._host.diff(prior.id, urn, old_outs, checked)
        if diff.changes != provider_pb2.DiffResponse.DIFF_SOME:
            return "same", prior.id, from_dict(prior.outputs)
        if self._preview or has_unknowns(to_dict(checked)):
            return "update", prior.id, checked
        return "update", prior.id, self._host.update(prior.id, urn, old_outs, checked)

    # -- stack outputs ----------------------------------------------------------------------

    def RegisterResourceOutputs(self, request: Any) -> Any:
        """The stack's exports arrive here, as they reach the engine."""
        if request.urn.split("::")[2] == _STACK_TYPE:
            self.stack_outputs = to_dict(request.outputs)
        return super().RegisterResourceOutputs(request)


def _refresh(host: ProviderHost, prior: Mapping[str, ResourceState]) -> EngineMonitor:
    """`pulumi refresh`: read every dynamic resource again with its recorded outputs."""
    monitor = EngineMonitor(host, preview=False, prior=prior)
    for res in prior.values():
        if not res.dynamic:
            monitor._record(res, "same")
            continue
        props, secret_keys = strip_secrets(from_dict(res.outputs))
        inputs, _ = strip_secrets(from_dict(res.inputs))
        try:
            new_id, outs = host.read(res.id, res.urn, inputs=inputs, properties=props)
        except HostError as err:
            monitor._fail(res.urn, err.message, err.details)
            continue
        outs = restore_secrets(outs, secret_keys)
        monitor._record(
            ResourceState(
                res.urn,
                res.type,
                res.name,
                new_id or res.id,
                res.external,
                res.inputs,
                to_dict(outs),
                True,
            ),
            "refresh",
        )
    return monitor


def _destroy(host: ProviderHost, prior: Mapping[str, ResourceState]) -> EngineMonitor:
    """`pulumi destroy`: delete what the stack created, forget what it only read."""
    monitor = EngineMonitor(host, preview=False, prior=prior)
    for res in reversed(list(prior.values())):
        op: Op = "forget" if res.external else "delete"
        if res.dynamic and not res.external:
            props, _ = strip_secrets(from_dict(res.outputs))
            try:
                host.delete(res.id, res.urn, props)
            except HostError as err:
                monitor._fail(res.urn, err.message, err.details)
                continue
        with monitor._lock:
            monitor.operations.append(Operation(res.urn, res.type, res.name, op))
    return monitor


def _run_main(main: Path) -> None:
    runpy.run_path(str(main), run_name="__main__")


def _run_program(
    program_dir: Path, monitor: EngineMonitor, project: str, stack: str, preview: bool
) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # What `pulumi.runtime.set_mocks` does, minus the root stack it makes for unit tests: the
    # CLI's language host makes the stack inside `run_in_stack`, and so do we, so that exports
    # reach the monitor as they reach the engine.
    settings.configure(
        mocks.MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
            engine=mocks.MockEngine(None),
            project=project,
            stack=stack,
            dry_run=preview,
            organization=None,
            callbacks=None,
        )
    )
    main = program_dir / "__main__.py"
    try:
        loop.run_until_complete(run_in_stack(lambda: _run_main(main)))
    finally:
        # A failed run leaves registrations pending; cancel them so the loop closes quietly.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        # Monitor calls run in the loop's executor threads and may still be talking to the
        # provider host after the program failed; join them before the host is stopped.
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


def execute(
    program_dir: Path,
    mode: Mode,
    config: Mapping[str, str],
    secret_keys: list[str],
    project: str,
    stack: str,
    prior: list[ResourceState],
) -> RunResult:
    """Run one deployment step in this process; the program's directory becomes the cwd."""
    program_dir = program_dir.resolve()
    prior_by_urn = {r.urn: r for r in prior}
    with ProviderHost(program_dir) as host:
        host.configure(config)
        if mode == "refresh":
            monitor = _refresh(host, prior_by_urn)
        elif mode == "destroy":
            monitor = _destroy(host, prior_by_urn)
        else:
            monitor = EngineMonitor(host, preview=(mode == "preview"), prior=prior_by_urn)
            pulumi.runtime.set_all_config(dict(config), list(secret_keys))
            os.chdir(program_dir)
            sys.path.insert(0, str(program_dir))
            program_error: BaseException | None = None
            try:
                _run_program(program_dir, monitor, project, stack, mode == "preview")
            except DeploymentError:
                pass  # already recorded as a diagnostic by the monitor
            except Exception as exc:  # a bug in the program itself, as the CLI would show it
                program_error = exc
            if program_error is not None:
                monitor.errors.append(
                    Diagnostic(
                        f"urn:pulumi:{stack}::{project}::{_STACK_TYPE}::{project}-{stack}",
                        f"program failed: {type(program_error).__name__}: {program_error}",
                    )
                )
        calls = list(host.calls)
        host_log = host.stderr
    ok = not monitor.errors
    if mode == "preview":
        state = list(prior)  # a preview never writes the checkpoint
    elif mode == "destroy":
        state = [] if ok else list(prior)
    else:
        merged = dict(prior_by_urn) if mode == "refresh" else {}
        merged.update(monitor.state)
        state = list(merged.values())
    return RunResult(
        mode=mode,
        ok=ok,
        outputs={k: plain(v) for k, v in monitor.stack_outputs.items()},
        operations=monitor.operations,
        errors=monitor.errors,
        state=state,
        provider_calls=calls,
        log=host_log,
    )
