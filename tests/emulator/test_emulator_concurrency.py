"""Concurrent clients (the provider host runs four threads) all get correct answers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from emulator import Emulator
from tests.emulator._clients import CLIENT_KINDS, call


def test_four_threads_times_25_requests(ecs_emulator: Emulator) -> None:
    for n in range(30):
        ecs_emulator.backend.add_resource("cn-hangzhou", "instance", f"i-{n}", {"k": f"v{n:02d}"})
    expected = [("k", f"v{n:02d}") for n in range(30)]

    def worker(index: int) -> list[list[tuple[str, str]]]:
        kind = CLIENT_KINDS[index % len(CLIENT_KINDS)]
        pages: list[list[tuple[str, str]]] = []
        for attempt in range(25):
            size = 1 + (attempt % 7) * 5
            number = 1 + attempt % 3
            body: dict[str, Any] = call(
                kind,
                ecs_emulator,
                {"RegionId": "cn-hangzhou", "PageSize": size, "PageNumber": number},
            )
            assert body["TotalCount"] == 30
            got = [(t["TagKey"], t["TagValue"]) for t in body["Tags"]["Tag"]]
            assert got == expected[(number - 1) * size : number * size]
            pages.append(got)
        return pages

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(worker, range(4)))
    assert len(results) == 4 and all(len(r) == 25 for r in results)
    records = ecs_emulator.requests
    assert len(records) == 100
    assert all(r.status == 200 for r in records)
    assert len({r.request_id for r in records}) == 100


def test_writes_while_reading_stay_consistent(ecs_emulator: Emulator) -> None:
    """Tag changes from the test thread never produce a half-updated answer."""
    backend = ecs_emulator.backend
    backend.add_resource("cn-hangzhou", "instance", "i-1", {"a": "1", "b": "1"})

    def writer() -> None:
        for n in range(200):
            backend.set_tags("cn-hangzhou", "instance", "i-1", {"a": str(n), "b": str(n)})

    def reader(_: int) -> None:
        for _attempt in range(20):
            body = call("tea-v3", ecs_emulator, {"RegionId": "cn-hangzhou"})
            values = {t["TagKey"]: t["TagValue"] for t in body["Tags"]["Tag"]}
            assert values["a"] == values["b"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(writer)] + [pool.submit(reader, i) for i in range(3)]
        for future in futures:
            future.result()
