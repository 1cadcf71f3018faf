"""EcsTags in a Pulumi program, under the SDK's mock monitor, in preview and in up.

The mocks do what the engine does with a read resource: they deserialize the provider from
``__provider`` (dill, as the dynamic host does), configure it with the stack config and call
``read`` with the program's inputs. A read with an unknown id is skipped, as the engine does.
"""

from __future__ import annotations

import asyncio
import base64
import runpy
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dill
import pulumi
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime import rpc

from provider import EcsTags, EcsTagsArgs, query_id
from tests.support import describe_requests, emulator_config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
_SECRET_SIG = "4dabf18193072939515e22adb298388d"


@pytest.fixture(autouse=True)
def event_loop() -> Iterator[None]:
    """Event loops for the SDK, all closed afterwards.

    The SDK runs the program on the thread's current loop and the mock monitor's calls in the
    loop's executor threads, each of which needs a loop of its own (``_ensure_event_loop``
    would otherwise create loops nobody closes).
    """
    thread_loops: list[asyncio.AbstractEventLoop] = []

    def give_thread_a_loop() -> None:
        thread_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(thread_loop)
        thread_loops.append(thread_loop)

    executor = ThreadPoolExecutor(max_workers=4, initializer=give_thread_a_loop)
    loop = asyncio.new_event_loop()
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield
    executor.shutdown(wait=True)
    for thread_loop in thread_loops:
        thread_loop.close()
    loop.close()
    asyncio.set_event_loop(None)


class ForwardingMocks(pulumi.runtime.Mocks):
    """Mocks forwarding each read to the real provider, like the engine + dynamic host."""

    def __init__(self, config: dict[str, str]) -> None:
        self.config = config
        self.read_names: list[str] = []
        self.skipped: list[str] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        raise AssertionError(f"unexpected invoke {args.token}")

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if args.custom is not None:
            raise AssertionError(f"{args.name} was registered (created), not read")
        inputs = dict(args.inputs)
        if args.resource_id == rpc.UNKNOWN:
            self.skipped.append(args.name)
            return None, {}
        blob = inputs["__provider"]
        if isinstance(blob, dict) and blob.get(_SECRET_SIG):
            blob = blob["value"]
        provider = dill.loads(base64.b64decode(blob))
        provider.configure(ConfigureRequest(Config(self.config, "test")))
        result = provider.read(args.resource_id, inputs)
        assert result.outs is not None
        self.read_names.append(args.name)
        return result.id, {**result.outs, "__provider": inputs["__provider"]}


async def settle(output: pulumi.Output[Any]) -> tuple[bool, Any]:
    known = await output.is_known()
    return known, (await output.future()) if known else None


def run_program(mocks: ForwardingMocks, preview: bool, program: Any) -> Any:
    """Run ``program`` (returning an awaitable) under the mocks; returns its result."""
    pulumi.runtime.set_mocks(mocks, project="test", stack="dev", preview=preview)
    box: dict[str, Any] = {}

    @pulumi.runtime.test
    def body() -> pulumi.Output[Any]:
        async def go() -> None:
            box["result"] = await program()

        return pulumi.Output.from_input(asyncio.ensure_future(go()))

    body()
    return box["result"]


def seed(emu: Any) -> None:
    emu.backend.add_resource(
        region_id="cn-hangzhou",
        resource_type="instance",
        resource_id="i-w1",
        tags={"env": "prod", "team": "web"},
    )
    emu.backend.add_resource(
        region_id="cn-hangzhou",
        resource_type="instance",
        resource_id="i-w2",
        tags={"env": "prod", "team": "web"},
    )
    emu.backend.add_resource(
        region_id="cn-hangzhou",
        resource_type="disk",
        resource_id="d-1",
        tags={"env": "prod", "size": "big"},
    )
    emu.backend.add_resource(
        region_id="cn-hangzhou",
        resource_type="disk",
        resource_id="d-2",
        tags={"env": "dev", "size": "small"},
    )


@pytest.mark.parametrize("preview", [True, False])
def test_outputs_are_known_in_preview_and_up(ecs_emulator: Any, preview: bool) -> None:
    seed(ecs_emulator)
    mocks = ForwardingMocks(emulator_config(ecs_emulator))

    async def program() -> dict[str, Any]:
        res = EcsTags("web", EcsTagsArgs(resource_type="instance", tag=[{"key": "env"}]))
        return {
            name: await settle(getattr(res, name))
            for name in (
                "tags",
                "values",
                "tag_map",
                "total_count",
                "request_id",
                "region_id",
                "id",
            )
        }

    out = run_program(mocks, preview, program)
    assert mocks.read_names == ["web"]
    for name in ("tags", "values", "tag_map", "total_count", "request_id", "region_id"):
        assert out[name][0], f"{name} unknown (preview={preview})"
    assert out["tag_map"][1] == {"env": "prod"}
    assert out["total_count"][1] == 1
    assert out["region_id"][1] == "cn-hangzhou"
    expected_id = query_id({"resource_type": "instance", "tag": [{"key": "env"}]})
    if preview:
        assert out["id"][0] is False  # mock monitor quirk: no id in a preview read response
    else:
        assert out["id"] == (True, expected_id)


def test_unknown_input_defers_the_read_to_up(ecs_emulator: Any) -> None:
    seed(ecs_emulator)
    mocks = ForwardingMocks(emulator_config(ecs_emulator))

    async def program() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        value: asyncio.Future[Any] = loop.create_future()
        value.set_result(None)
        known: asyncio.Future[bool] = loop.create_future()
        known.set_result(False)
        unknown_region: pulumi.Output[str] = pulumi.Output(set(), value, known)
        res = EcsTags("later", region_id=unknown_region, resource_type="instance")
        return {"tags": await settle(res.tags), "id": await settle(res.id)}

    out = run_program(mocks, True, program)
    assert mocks.skipped == ["later"] and mocks.read_names == []
    assert out["tags"][0] is False and out["id"][0] is False
    assert describe_requests(ecs_emulator) == []


def test_inputs_may_be_outputs_of_other_resources(ecs_emulator: Any) -> None:
    seed(ecs_emulator)
    mocks = ForwardingMocks(emulator_config(ecs_emulator))

    async def program() -> Any:
        web = EcsTags("web", resource_type="instance", tag={"team": "web", "env": None})
        disks = EcsTags(
            "disks",
            resource_type=pulumi.Output.from_input("disk"),
            tag={"env": web.tag_map.apply(lambda m: m["env"])},
            page_size=pulumi.Output.secret(100),
        )
        whole = EcsTags("whole", tag=pulumi.Output.from_input({"size": None}))
        return await settle(disks.values), await settle(whole.values)

    (known, values), (whole_known, whole_values) = run_program(mocks, True, program)
    assert known and values == {"env": ["prod"]}
    assert whole_known and whole_values == {"size": ["big", "small"]}
    assert sorted(mocks.read_names) == ["disks", "web", "whole"]


def test_args_and_keywords_are_exclusive() -> None:
    with pytest.raises(TypeError, match="either args or keyword"):
        EcsTags("x", EcsTagsArgs(resource_type="disk"), resource_type="disk")


@pytest.mark.parametrize("preview", [True, False])
def test_readme_example_program(ecs_emulator: Any, preview: bool) -> None:
    seed(ecs_emulator)
    mocks = ForwardingMocks(emulator_config(ecs_emulator))

    async def program() -> None:
        runpy.run_path(str(HERE / "readme_example.py"), run_name="__main__")

    run_program(mocks, preview, program)
    assert mocks.read_names == ["web-tags", "web-disks"]
    assert len(describe_requests(ecs_emulator)) == 2


def test_readme_example_matches_the_documentation() -> None:
    example = (HERE / "readme_example.py").read_text()
    assert example in (ROOT / "README.md").read_text(), "README example and test program differ"
