"""Paging: defaults, exact multiples, the last partial page, past the end, size limits."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import Emulator
from tests.emulator._clients import call


def fill(emu: Emulator, pairs: int) -> list[tuple[str, str]]:
    """``pairs`` distinct key/value pairs, one instance each; returned in API order."""
    for n in range(pairs):
        emu.backend.add_resource("cn-hangzhou", "instance", f"i-{n:04d}", {"k": f"v{n:04d}"})
    return [("k", f"v{n:04d}") for n in range(pairs)]


def page(emu: Emulator, kind: str = "tea-v3", **params: Any) -> dict[str, Any]:
    return call(kind, emu, {"RegionId": "cn-hangzhou", **params})


def pairs_of(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(t["TagKey"], t["TagValue"]) for t in body["Tags"]["Tag"]]


def test_empty_result(ecs_emulator: Emulator, client_kind: str) -> None:
    body = page(ecs_emulator, client_kind)
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (0, 1, 50)
    assert body["Tags"]["Tag"] == []


def test_default_page_size_is_50(ecs_emulator: Emulator) -> None:
    expected = fill(ecs_emulator, 51)
    first = page(ecs_emulator)
    assert (first["TotalCount"], first["PageSize"], len(first["Tags"]["Tag"])) == (51, 50, 50)
    second = page(ecs_emulator, PageNumber=2)
    assert pairs_of(first) + pairs_of(second) == expected


@pytest.mark.parametrize(("total", "size"), [(20, 10), (100, 100), (3, 1)])
def test_exact_multiples(ecs_emulator: Emulator, total: int, size: int) -> None:
    expected = fill(ecs_emulator, total)
    seen: list[tuple[str, str]] = []
    for number in range(1, total // size + 1):
        body = page(ecs_emulator, PageSize=size, PageNumber=number)
        assert body["TotalCount"] == total and len(body["Tags"]["Tag"]) == size
        seen += pairs_of(body)
    assert seen == expected
    after = page(ecs_emulator, PageSize=size, PageNumber=total // size + 1)
    assert after["Tags"]["Tag"] == [] and after["TotalCount"] == total


def test_last_partial_page(ecs_emulator: Emulator, client_kind: str) -> None:
    expected = fill(ecs_emulator, 25)
    body = page(ecs_emulator, client_kind, PageSize=10, PageNumber=3)
    assert pairs_of(body) == expected[20:]
    assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (25, 3, 10)


def test_page_past_the_end(ecs_emulator: Emulator, client_kind: str) -> None:
    fill(ecs_emulator, 5)
    body = page(ecs_emulator, client_kind, PageSize=10, PageNumber=99)
    assert body["Tags"]["Tag"] == [] and body["TotalCount"] == 5 and body["PageNumber"] == 99


def test_page_size_one_and_hundred(ecs_emulator: Emulator) -> None:
    expected = fill(ecs_emulator, 101)
    assert pairs_of(page(ecs_emulator, PageSize=1)) == expected[:1]
    assert pairs_of(page(ecs_emulator, PageSize=1, PageNumber=101)) == expected[100:]
    assert pairs_of(page(ecs_emulator, PageSize=100)) == expected[:100]
    assert pairs_of(page(ecs_emulator, PageSize=100, PageNumber=2)) == expected[100:]


def test_order_is_stable_by_key_then_value(ecs_emulator: Emulator) -> None:
    backend = ecs_emulator.backend
    backend.add_resource("cn-hangzhou", "disk", "d-2", {"zeta": "1", "alpha": "b"})
    backend.add_resource("cn-hangzhou", "instance", "i-1", {"alpha": "a", "Beta": "x"})
    backend.add_resource("cn-hangzhou", "image", "m-1", {"alpha": "B"})
    expected = [("Beta", "x"), ("alpha", "B"), ("alpha", "a"), ("alpha", "b"), ("zeta", "1")]
    assert pairs_of(page(ecs_emulator)) == expected
    assert pairs_of(page(ecs_emulator, "core-get")) == expected
