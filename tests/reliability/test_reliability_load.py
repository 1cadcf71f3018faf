"""Item 5: load through the real provider host (gRPC, ``python -m pulumi.dynamic``).

200 lookups, four at a time, against the emulator adding 20 ms to every answer: all correct,
and the emulator sees requests overlapping in time, so the provider holds no lock across the
network call (its client cache lock only covers building a client).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider
from reliability_support import (
    LOOKUP_PROGRAM,
    URN,
    dataset,
    got_pairs,
    host_env,
    load,
    oracle_pairs,
)

from emulator import Emulator, Fault
from provider import DescribeTagsProvider
from runner import ProviderHost
from runner._wire import serialize, to_dict
from tests.support import describe_requests, emulator_config

DATA = dataset()
LOOKUPS = 200
CONCURRENCY = 4
LATENCY = 0.02
QUERIES: list[dict[str, Any]] = [
    {},
    {"resource_type": "instance"},
    {"resource_type": "disk", "tag": [{"key": "env"}]},
    {"tag": [{"key": "env", "value": "prod"}]},
    {"tag": [{"key": "team"}, {"key": "app"}]},
    {"resource_type": "eni"},
    {"tag": [{"key": "ключ"}]},
    {"resource_id": "ins-013"},
    {"region_id": "cn-shanghai"},
    {"region_id": "cn-shanghai", "tag": [{"key": "a b"}]},
]


def _expected(query: dict[str, Any]) -> list[Any]:
    filters = [(t["key"], t.get("value")) for t in query.get("tag", [])]
    return oracle_pairs(
        DATA,
        query.get("region_id", "cn-hangzhou"),
        query.get("resource_type"),
        query.get("resource_id"),
        filters,
    )


def test_200_lookups_four_at_a_time_through_the_host(ecs_emulator: Emulator) -> None:
    load(ecs_emulator, DATA)
    serialized = serialize_provider(DescribeTagsProvider())
    inputs = [serialize({"__provider": serialized, **q}) for q in QUERIES]
    expected = [_expected(q) for q in QUERIES]
    assert all(expected), "every query should find something"

    with ProviderHost(LOOKUP_PROGRAM, env=host_env()) as host:
        host.configure(emulator_config(ecs_emulator))

        def lookup(n: int) -> tuple[int, list[Any]]:
            index = n % len(QUERIES)
            _, props = host.read(f"ecs-tags-{n}", URN, inputs=inputs[index])
            return index, got_pairs(to_dict(props))

        # Warm up (client construction, imports), then measure one sequential call per query.
        for n in range(len(QUERIES)):
            index, got = lookup(n)
            assert got == expected[index]
        ecs_emulator.reset()
        load(ecs_emulator, DATA)
        ecs_emulator.add_fault(Fault("latency", count=LOOKUPS + 2 * len(QUERIES), delay=LATENCY))

        start = time.monotonic()
        for n in range(len(QUERIES)):
            index, got = lookup(n)
            assert got == expected[index]
        sequential_each = (time.monotonic() - start) / len(QUERIES)
        assert ecs_emulator.peak_in_flight == 1
        ecs_emulator.clear_requests()

        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            results = list(pool.map(lookup, range(LOOKUPS)))
        concurrent_total = time.monotonic() - start
        assert host.stderr.count("Traceback") == 0, host.stderr

    assert len(results) == LOOKUPS
    wrong = [n for n, (index, got) in enumerate(results) if got != expected[index]]
    assert not wrong, f"{len(wrong)} wrong answers, e.g. lookup {wrong[0]}"
    requests = describe_requests(ecs_emulator)
    assert len(requests) == LOOKUPS and all(r.status == 200 for r in requests)
    assert all(r.fault == "latency" for r in requests)
    # Requests overlapped in the emulator: no lock serializes the provider's network calls.
    assert ecs_emulator.peak_in_flight >= 2, ecs_emulator.peak_in_flight
    # Loose sanity bound only: four at a time must beat one at a time by a visible margin.
    assert concurrent_total < 0.9 * sequential_each * LOOKUPS, (
        concurrent_total,
        sequential_each,
    )
