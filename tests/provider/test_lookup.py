"""Lookups against the emulator through the official client over HTTP."""

from __future__ import annotations

import math
from typing import Any

import pytest

from provider import PagingConsistencyError, QueryValidationError
from tests.support import describe_requests, read

REGION = "cn-hangzhou"


def seed(emu: Any) -> None:
    b = emu.backend
    b.add_resource(
        region_id=REGION,
        resource_type="instance",
        resource_id="i-web1",
        tags={"env": "prod", "team": "web"},
    )
    b.add_resource(
        region_id=REGION,
        resource_type="instance",
        resource_id="i-web2",
        tags={"env": "prod", "team": "web", "tier": "front"},
    )
    b.add_resource(
        region_id=REGION,
        resource_type="instance",
        resource_id="i-db1",
        tags={"env": "staging", "team": "db"},
    )
    b.add_resource(
        region_id=REGION,
        resource_type="disk",
        resource_id="d-1",
        tags={"env": "prod", "backup": "daily"},
    )
    b.add_resource(
        region_id="cn-shanghai", resource_type="instance", resource_id="i-sh1", tags={"env": "dr"}
    )


def pairs(outs: dict[str, Any]) -> set[tuple[str, str]]:
    return {(t["tag_key"], t["tag_value"]) for t in outs["tags"]}


def test_lookup_by_type(ecs_emulator: Any, make_provider: Any) -> None:
    seed(ecs_emulator)
    outs = read(make_provider(), resource_type="instance")
    assert pairs(outs) == {
        ("env", "prod"),
        ("env", "staging"),
        ("team", "web"),
        ("team", "db"),
        ("tier", "front"),
    }
    assert outs["total_count"] == 5
    by_pair = {(t["tag_key"], t["tag_value"]): t for t in outs["tags"]}
    assert by_pair[("env", "prod")]["resource_type_count"].get("instance") == 2
    assert outs["values"] == {
        "env": ["prod", "staging"],
        "team": ["db", "web"],
        "tier": ["front"],
    }
    assert outs["tag_map"] == {"tier": "front"}
    assert outs["region_id"] == REGION and outs["resource_type"] == "instance"
    assert outs["request_id"]
    (request,) = describe_requests(ecs_emulator)
    assert request.params["ResourceType"] == "instance"
    assert request.params["RegionId"] == REGION


def test_lookup_by_resource_id(ecs_emulator: Any, make_provider: Any) -> None:
    seed(ecs_emulator)
    outs = read(make_provider(), resource_type="instance", resource_id="i-web2")
    assert pairs(outs) == {("env", "prod"), ("team", "web"), ("tier", "front")}
    assert describe_requests(ecs_emulator)[0].params["ResourceId"] == "i-web2"


def test_lookup_by_key_any_value(ecs_emulator: Any, make_provider: Any) -> None:
    seed(ecs_emulator)
    outs = read(make_provider(), resource_type="instance", tag=[{"key": "env"}])
    assert pairs(outs) == {("env", "prod"), ("env", "staging")}
    params = describe_requests(ecs_emulator)[0].params
    assert params["Tag.1.Key"] == "env" and "Tag.1.Value" not in params


def test_lookup_by_key_and_value(ecs_emulator: Any, make_provider: Any) -> None:
    seed(ecs_emulator)
    outs = read(make_provider(), resource_type="instance", tag={"env": "prod"})
    assert pairs(outs) == {("env", "prod")}
    assert outs["tag_map"] == {"env": "prod"}
    assert outs["tag"] == [{"key": "env", "value": "prod"}]
    params = describe_requests(ecs_emulator)[0].params
    assert (params["Tag.1.Key"], params["Tag.1.Value"]) == ("env", "prod")


def test_lookup_by_several_tags(ecs_emulator: Any, make_provider: Any) -> None:
    seed(ecs_emulator)
    outs = read(
        make_provider(),
        resource_type="instance",
        tag=[{"key": "env", "value": "prod"}, {"key": "tier"}],
    )
    # Filters combine with AND; the result lists the pairs of the matching resources.
    assert ("tier", "front") in pairs(outs)
    assert ("env", "staging") not in pairs(outs)
    params = describe_requests(ecs_emulator)[0].params
    assert params["Tag.2.Key"] == "tier"


def test_every_type_and_other_region(ecs_emulator: Any, make_provider: Any) -> None:
    seed(ecs_emulator)
    outs = read(make_provider(), tag={"backup": None})
    assert pairs(outs) == {("backup", "daily")}
    assert read(make_provider(), region_id="cn-shanghai")["values"] == {"env": ["dr"]}


def fill(emu: Any, n: int) -> None:
    for i in range(n):
        emu.backend.add_resource(
            region_id=REGION,
            resource_type="instance",
            resource_id=f"i-{i:04d}",
            tags={f"k{i:04d}": f"v{i}"},
        )


@pytest.mark.parametrize("n", [0, 1, 100, 101, 250])
def test_without_verification_all_pages_take_exactly_ceil_n_over_100_requests(
    ecs_emulator: Any, make_provider: Any, n: int
) -> None:
    fill(ecs_emulator, n)
    outs = read(make_provider(ecsTags__verifyPaging="false"), resource_type="instance")
    assert len(outs["tags"]) == outs["total_count"] == n
    assert len(pairs(outs)) == n
    requests = describe_requests(ecs_emulator)
    pages = max(1, math.ceil(n / 100))
    assert [r.params["PageNumber"] for r in requests] == [str(i) for i in range(1, pages + 1)]
    assert {r.params["PageSize"] for r in requests} == {"100"}


@pytest.mark.parametrize("n", [0, 1, 100, 101, 250])
def test_all_pages_verified_by_default_in_2k_minus_1_requests(
    ecs_emulator: Any, make_provider: Any, n: int
) -> None:
    fill(ecs_emulator, n)
    outs = read(make_provider(), resource_type="instance")
    assert len(outs["tags"]) == outs["total_count"] == n
    assert len(pairs(outs)) == n
    requests = describe_requests(ecs_emulator)
    pages = max(1, math.ceil(n / 100))
    # Several pages: pages k-1 .. 1 are read again to prove nothing changed while paging.
    order = list(range(1, pages + 1)) + list(range(pages - 1, 0, -1))
    assert [r.params["PageNumber"] for r in requests] == [str(i) for i in order]
    assert {r.params["PageSize"] for r in requests} == {"100"}
    assert outs["page_number"] is None and outs["page_size"] == 100
    assert outs["request_id"] == requests[-1].request_id


def test_all_pages_with_a_smaller_page_size(ecs_emulator: Any, make_provider: Any) -> None:
    fill(ecs_emulator, 25)
    outs = read(make_provider(), page_size=10)
    assert len(outs["tags"]) == 25
    assert len(describe_requests(ecs_emulator)) == 3 + 2  # 3 pages, then pages 2 and 1 again


def test_one_page_mode_returns_that_page_as_the_api_does(
    ecs_emulator: Any, make_provider: Any
) -> None:
    fill(ecs_emulator, 120)
    provider = make_provider()
    outs = read(provider, resource_type="instance", page_number=2, page_size=50)
    assert len(outs["tags"]) == 50
    assert (outs["page_number"], outs["page_size"], outs["total_count"]) == (2, 50, 120)
    (request,) = describe_requests(ecs_emulator)
    assert (request.params["PageNumber"], request.params["PageSize"]) == ("2", "50")
    ecs_emulator.clear_requests()
    past_the_end = read(provider, resource_type="instance", page_number=9, page_size=50)
    assert past_the_end["tags"] == [] and past_the_end["total_count"] == 120
    ecs_emulator.clear_requests()
    default_size = read(provider, resource_type="instance", page_number=1)
    (request,) = describe_requests(ecs_emulator)
    assert "PageSize" not in request.params
    assert default_size["page_size"] == len(default_size["tags"]) == 50


@pytest.mark.parametrize("fault", ["repeat_page", "inflate_total"])
def test_results_changed_while_paging(ecs_emulator: Any, make_provider: Any, fault: str) -> None:
    from emulator import Fault

    fill(ecs_emulator, 250)
    provider = make_provider()
    if fault == "repeat_page":
        # Faults apply FIFO per request: let page 1 through, then repeat page 1 for page 2.
        ecs_emulator.add_fault(Fault("latency", delay=0.0))
    ecs_emulator.add_fault(Fault(fault))
    with pytest.raises(PagingConsistencyError, match="results changed while paging") as info:
        read(provider, resource_type="instance")
    assert "request id" in str(info.value)
    assert len(describe_requests(ecs_emulator)) == 2  # caught on the second page


def test_invalid_inputs_make_no_request(ecs_emulator: Any, make_provider: Any) -> None:
    provider = make_provider()
    bad = {"resource_type": "Instance", "tag": [{"value": "x"}], "page_size": 500}
    check = provider.check({}, {"__provider": "p", **bad})
    assert {f.property for f in check.failures} == {"resource_type", "tag[0]", "page_size"}
    assert "__provider" not in check.inputs
    with pytest.raises(QueryValidationError, match="did you mean"):
        read(provider, **bad)
    assert ecs_emulator.requests == []
