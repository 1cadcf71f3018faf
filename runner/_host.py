"""The real dynamic-provider host (`python -u -m pulumi.dynamic`), driven over gRPC.

The Pulumi engine starts this host with the program directory as its working directory and
talks to it over gRPC; this module does the same, so every operation goes through the SDK's own
host: provider deserialization (dill), `configure`, and property (de)serialization.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from ._wire import serialize

#: How long the host may take to print its port; a cold interpreter importing pulumi and grpc
#: takes about a second, so this only catches a host that is hung or crashed.
START_TIMEOUT_SECONDS = 60.0
#: Bound on any single provider call, so a hung provider fails the run instead of hanging it.
CALL_TIMEOUT_SECONDS = 300.0


class HostError(Exception):
    """The provider host failed: it did not start, or an operation raised in the provider.

    `message` is what the CLI would print (the provider's exception, without the traceback);
    `details` is the full text the host sent, traceback included.
    """

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details or message


@dataclass(frozen=True)
class CheckFailure:
    """One property-level failure returned by the provider's `check`."""

    property: str
    reason: str


def _summarize_traceback(details: str) -> str:
    """Return the exception text at the end of a Python traceback, as the CLI user wants it.

    The host sends `traceback.format_exc()`; its last frame is followed by the exception line
    (which may span several lines), so everything after the last indented frame line is kept.
    """
    lines = details.rstrip().splitlines()
    last_frame = max((i for i, line in enumerate(lines) if line.startswith("  File ")), default=-1)
    if last_frame < 0:
        return details.strip()
    rest = lines[last_frame + 1 :]
    while rest and rest[0].startswith((" ", "\t")):
        rest = rest[1:]
    text = "\n".join(rest).strip()
    return text or details.strip()


class ProviderHost:
    """One running `python -u -m pulumi.dynamic` process and a gRPC stub connected to it.

    Use as a context manager; the process is terminated on exit.
    """

    def __init__(self, program_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.program_dir = Path(program_dir)
        base_env = dict(os.environ if env is None else env)
        # The engine does not set PYTHONPATH for the host: the provider module must be importable
        # from the program directory (or the virtualenv) exactly as it will be for users.
        base_env.pop("PYTHONPATH", None)
        self._env = base_env
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None
        self._stderr_chunks: list[bytes] = []
        self.calls: list[str] = []

    def __enter__(self) -> ProviderHost:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Spawn the host and connect to the port it prints."""
        self._proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            cwd=self.program_dir,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._proc.stdout is not None and self._proc.stderr is not None
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        ready, _, _ = select.select([self._proc.stdout], [], [], START_TIMEOUT_SECONDS)
        line = self._proc.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            self.close()
            raise HostError(
                "the dynamic provider host did not start",
                (line + b"".join(self._stderr_chunks)).decode(errors="replace"),
            )
        self._channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}")
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        stream = self._proc.stderr
        for chunk in iter(lambda: stream.read1(4096), b""):  # type: ignore[attr-defined]
            self._stderr_chunks.append(chunk)

    @property
    def stderr(self) -> str:
        """Everything the host wrote to stderr so far (its log)."""
        return b"".join(self._stderr_chunks).decode(errors="replace")

    def close(self) -> None:
        """Stop the host process and close the channel."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(timeout=10)
            for stream in (self._proc.stdout, self._proc.stderr):
                if stream is not None:
                    stream.close()
            self._proc = None

    def _call(self, method: str, request: Any) -> Any:
        if self._stub is None:
            raise HostError("the provider host is not running")
        self.calls.append(method)
        try:
            return getattr(self._stub, method)(request, timeout=CALL_TIMEOUT_SECONDS)
        except grpc.RpcError as err:
            details = err.details() or str(err)
            raise HostError(_summarize_traceback(details), details) from None

    def configure(self, config: Mapping[str, str]) -> None:
        """Send the stack config, as the engine does before any other call."""
        request = provider_pb2.ConfigureRequest(
            variables=dict(config),
            args=serialize(dict(config)),
            acceptSecrets=True,
            acceptResources=True,
        )
        self._call("Configure", request)

    def check(
        self, urn: str, olds: struct_pb2.Struct, news: struct_pb2.Struct
    ) -> tuple[struct_pb2.Struct, list[CheckFailure]]:
        """Run the provider's `check`; returns the checked inputs and any failures."""
        resp = self._call("Check", provider_pb2.CheckRequest(urn=urn, olds=olds, news=news))
        failures = [CheckFailure(f.property, f.reason) for f in resp.failures]
        return resp.inputs, failures

    def diff(
        self, id_: str, urn: str, olds: struct_pb2.Struct, news: struct_pb2.Struct
    ) -> provider_pb2.DiffResponse:
        """Run the provider's `diff` between the recorded outputs and the new inputs."""
        request = provider_pb2.DiffRequest(id=id_, urn=urn, olds=olds, news=news)
        return cast(provider_pb2.DiffResponse, self._call("Diff", request))

    def create(self, urn: str, properties: struct_pb2.Struct) -> tuple[str, struct_pb2.Struct]:
        """Run the provider's `create`; returns the new id and outputs."""
        resp = self._call("Create", provider_pb2.CreateRequest(urn=urn, properties=properties))
        return resp.id, resp.properties

    def update(
        self, id_: str, urn: str, olds: struct_pb2.Struct, news: struct_pb2.Struct
    ) -> struct_pb2.Struct:
        """Run the provider's `update`; returns the new outputs."""
        resp = self._call(
            "Update", provider_pb2.UpdateRequest(id=id_, urn=urn, olds=olds, news=news)
        )
        return resp.properties  # type: ignore[no-any-return]

    def read(
        self,
        id_: str,
        urn: str,
        *,
        inputs: struct_pb2.Struct | None = None,
        properties: struct_pb2.Struct | None = None,
    ) -> tuple[str, struct_pb2.Struct]:
        """Run the provider's `read`: a get (`inputs`) or a refresh (`properties`)."""
        request = provider_pb2.ReadRequest(
            id=id_,
            urn=urn,
            inputs=inputs or struct_pb2.Struct(),
            properties=properties or struct_pb2.Struct(),
        )
        resp = self._call("Read", request)
        return resp.id, resp.properties

    def delete(self, id_: str, urn: str, properties: struct_pb2.Struct) -> None:
        """Run the provider's `delete`."""
        self._call("Delete", provider_pb2.DeleteRequest(id=id_, urn=urn, properties=properties))
