"""The provider inside the real `python -m pulumi.dynamic` host, driven over gRPC."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from provider import DescribeTagsProvider, query_id
from tests.support import describe_requests, emulator_config

ROOT = Path(__file__).resolve().parents[2]
URN = "urn:pulumi:dev::test::pulumi-python:dynamic/alicloud:EcsTags::web"


@pytest.fixture
def host() -> Iterator[Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield provider_pb2_grpc.ResourceProviderStub(channel)
        channel.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def struct(values: dict[str, Any]) -> Any:
    # A private loop: asyncio.run() would unset the thread's current loop for later tests.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(values, {}))
    finally:
        loop.close()


def test_configure_check_and_read_through_the_host(ecs_emulator: Any, host: Any) -> None:
    ecs_emulator.backend.add_resource(
        region_id="cn-hangzhou", resource_type="instance", resource_id="i-1", tags={"env": "a"}
    )
    host.Configure(
        provider_pb2.ConfigureRequest(args=struct(emulator_config(ecs_emulator))), timeout=30
    )
    blob = serialize_provider(DescribeTagsProvider())
    inputs = {"__provider": blob, "resource_type": "instance", "tag": [{"key": "env"}]}

    check = host.Check(
        provider_pb2.CheckRequest(
            urn=URN, olds=struct({}), news=struct({**inputs, "resource_type": "Instance"})
        ),
        timeout=30,
    )
    assert [f.property for f in check.failures] == ["resource_type"]

    id_ = query_id(inputs)
    read = host.Read(provider_pb2.ReadRequest(id=id_, urn=URN, inputs=struct(inputs)), timeout=30)
    assert read.id == id_
    outs = rpc.deserialize_properties(read.properties)
    assert outs["tag_map"] == {"env": "a"} and outs["total_count"] == 1

    # refresh: the previous outputs come back as `properties`
    again = host.Read(
        provider_pb2.ReadRequest(id=id_, urn=URN, properties=read.properties), timeout=30
    )
    assert rpc.deserialize_properties(again.properties)["tag_map"] == {"env": "a"}
    assert len(describe_requests(ecs_emulator)) == 2

    with pytest.raises(grpc.RpcError) as info:
        host.Read(
            provider_pb2.ReadRequest(id=id_, urn=URN, inputs=struct({**inputs, "page_size": 1000})),
            timeout=30,
        )
    assert "page_size: got 1000" in str(info.value.details())
    assert len(describe_requests(ecs_emulator)) == 2
