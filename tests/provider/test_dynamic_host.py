"""The provider inside the real `python -m pulumi.dynamic` host, driven over gRPC."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from provider import DescribeTagsProvider
from runner import HostError, ProviderHost
from runner._wire import serialize
from tests.support import describe_requests, emulator_config

ROOT = Path(__file__).resolve().parents[2]
URN = "urn:pulumi:dev::test::pulumi-python:dynamic/alicloud:EcsTags::web"


@pytest.fixture
def host() -> Iterator[ProviderHost]:
    """The real host, started from the repository root without PYTHONPATH (as the engine does)."""
    with ProviderHost(ROOT) as running:
        yield running


def test_configure_check_and_read_through_the_host(ecs_emulator: Any, host: ProviderHost) -> None:
    ecs_emulator.backend.add_resource(
        region_id="cn-hangzhou", resource_type="instance", resource_id="i-1", tags={"env": "a"}
    )
    host.configure(emulator_config(ecs_emulator))
    blob = serialize_provider(DescribeTagsProvider())
    inputs = {"__provider": blob, "resource_type": "instance", "tag": [{"key": "env"}]}

    _, failures = host.check(URN, serialize({}), serialize({**inputs, "resource_type": "Instance"}))
    assert [f.property for f in failures] == ["resource_type"]

    read_id, props = host.read("ecs-tags-0123456789abcdef0123", URN, inputs=serialize(inputs))
    assert read_id == "ecs-tags-0123456789abcdef0123"  # a get keeps the id it was given
    outs = rpc.deserialize_properties(props)
    assert outs["tag_map"] == {"env": "a"} and outs["total_count"] == 1

    # refresh: the previous outputs come back as `properties`
    _, again = host.read(read_id, URN, properties=props)
    assert rpc.deserialize_properties(again)["tag_map"] == {"env": "a"}
    assert len(describe_requests(ecs_emulator)) == 2

    with pytest.raises(HostError) as info:
        host.read(read_id, URN, inputs=serialize({**inputs, "page_size": 1000}))
    assert "page_size: got 1000" in info.value.message
    assert "Traceback" in info.value.details
    assert len(describe_requests(ecs_emulator)) == 2
