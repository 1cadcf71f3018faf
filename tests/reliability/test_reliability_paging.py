"""Item 4: paging while the data changes between page requests.

The emulator's ``on_request`` hook changes tags after chosen requests (before their answers are
sent, so the next page sees the change). Whatever happens, a lookup either returns exactly the
pairs of a state the data was really in during the lookup, with no pair twice, or fails with
"results changed while paging"; it never silently drops or invents a pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import Resource, expected_requests, got_pairs, oracle_pairs

from emulator import Emulator, RequestRecord
from provider import PagingConsistencyError
from tests.support import configured, describe_requests, emulator_config

REGION = "cn-hangzhou"
PAGE_SIZE = 10
START = 45  # five pages of 10, then four check reads


class Model:
    """The data as this test put it into the backend (the oracle's source)."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.resources: dict[str, dict[str, str]] = {}
        for n in range(START):
            self.add(f"i-{n:03d}", {f"k{n * 2:03d}": "v"})

    def add(self, rid: str, tags: dict[str, str]) -> None:
        self.resources[rid] = dict(tags)
        self.emu.backend.add_resource(REGION, "instance", rid, tags)

    def remove(self, rid: str) -> None:
        del self.resources[rid]
        self.emu.backend.remove_resource(REGION, "instance", rid)

    def retag(self, rid: str, tags: dict[str, str]) -> None:
        self.resources[rid] = dict(tags)
        self.emu.backend.set_tags(REGION, "instance", rid, tags)

    def pairs(self) -> list[Any]:
        data = [Resource(REGION, "instance", rid, t) for rid, t in self.resources.items()]
        return oracle_pairs(data, REGION, None, None, [])


@pytest.fixture
def paging_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu
        emu.check()


def _lookup(emu: Emulator) -> dict[str, Any]:
    provider = configured(emulator_config(emu))
    return provider.read(  # type: ignore[no-any-return]
        "ecs-tags-x", {"__provider": "p", "page_size": PAGE_SIZE}
    ).outs


def _run(emu: Emulator, model: Model, plan: dict[int, list[tuple[str, Any]]]) -> str:
    """Apply ``plan`` (request number -> operations) while looking up; check the outcome."""
    states = [model.pairs()]
    seen = [0]

    def mutate(_: RequestRecord) -> None:
        seen[0] += 1
        ops = plan.get(seen[0])
        if not ops:
            return
        for op, arg in ops:
            if op == "add":
                model.add(*arg)
            elif op == "remove" and arg in model.resources:
                model.remove(arg)
            elif op == "retag" and arg[0] in model.resources:
                model.retag(*arg)
        states.append(model.pairs())

    emu.on_request(mutate)
    try:
        outs = _lookup(emu)
    except PagingConsistencyError as exc:
        assert "results changed while paging" in str(exc)
        outcome = "error"
    else:
        got = got_pairs(outs)
        keys = [pair for pair, _ in got]
        assert len(keys) == len(set(keys)), "a pair was reported twice"
        assert got in states, "the result matches no state the data was in"
        assert outs["total_count"] == len(got)
        outcome = "consistent"
    finally:
        emu.on_request(None)
    assert len(describe_requests(emu)) <= expected_requests(START + 40, PAGE_SIZE)
    return outcome


def test_without_changes_the_lookup_is_exact(paging_emulator: Emulator) -> None:
    model = Model(paging_emulator)
    assert _run(paging_emulator, model, {}) == "consistent"
    assert len(describe_requests(paging_emulator)) == expected_requests(START, PAGE_SIZE)


def test_a_swap_after_a_page_boundary_is_caught_not_lost(paging_emulator: Emulator) -> None:
    """The case a single pass cannot see: after page 2, a pair on page 1 goes and one sorting
    after page 3 comes. TotalCount stays 45, every page is full, nothing repeats, and page 3
    silently loses the pair that slid back onto page 2. The check pass catches it."""
    model = Model(paging_emulator)
    plan = {2: [("remove", "i-003"), ("add", ("i-new", {"k089x": "v"}))]}
    assert _run(paging_emulator, model, plan) == "error"


@pytest.mark.parametrize(
    "ops",
    [[("remove", "i-003")], [("add", ("i-new", {"k001x": "v"}))]],
    ids=["removed", "added"],
)
def test_without_verification_a_change_of_total_is_still_caught(
    paging_emulator: Emulator, ops: list[tuple[str, Any]]
) -> None:
    """`ecsTags:verifyPaging=false` saves the check reads; a change that moves TotalCount (or
    repeats a pair) is still an error, never a partial result."""
    model = Model(paging_emulator)
    seen = [0]

    def mutate(_: RequestRecord) -> None:
        seen[0] += 1
        if seen[0] == 2:
            for op, arg in ops:
                model.remove(arg) if op == "remove" else model.add(*arg)

    paging_emulator.on_request(mutate)
    provider = configured(emulator_config(paging_emulator, **{"ecsTags:verifyPaging": "false"}))
    with pytest.raises(PagingConsistencyError, match="results changed while paging"):
        provider.read("ecs-tags-x", {"__provider": "p", "page_size": PAGE_SIZE})
    assert len(describe_requests(paging_emulator)) <= 5  # never more than one pass


def test_a_change_after_the_last_request_leaves_the_earlier_state(
    paging_emulator: Emulator,
) -> None:
    model = Model(paging_emulator)
    last = expected_requests(START, PAGE_SIZE)
    plan = {last: [("remove", "i-000"), ("add", ("i-late", {"a": "b"}))]}
    assert _run(paging_emulator, model, plan) == "consistent"


def test_a_change_elsewhere_does_not_disturb_the_lookup(paging_emulator: Emulator) -> None:
    model = Model(paging_emulator)

    def elsewhere(_: RequestRecord) -> None:
        paging_emulator.backend.add_resource("cn-shanghai", "disk", "d-x", {"k000": "other"})

    paging_emulator.on_request(elsewhere)
    outs = _lookup(paging_emulator)
    assert got_pairs(outs) == model.pairs()


_KEYS = st.integers(0, 99).map(lambda n: f"k{n:03d}")
_OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("add"),
            st.tuples(
                st.integers(100, 999).map(lambda n: f"i-{n}"),
                st.dictionaries(_KEYS, st.sampled_from(["v", "w"]), min_size=1, max_size=2),
            ),
        ),
        st.tuples(st.just("remove"), st.integers(0, START - 1).map(lambda n: f"i-{n:03d}")),
        st.tuples(
            st.just("retag"),
            st.tuples(
                st.integers(0, START - 1).map(lambda n: f"i-{n:03d}"),
                st.dictionaries(_KEYS, st.just("w"), min_size=1, max_size=1),
            ),
        ),
    ),
    min_size=1,
    max_size=3,
)


def test_random_changes_between_pages_never_lose_or_repeat_a_pair() -> None:
    outcomes: dict[str, int] = {}

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(plan=st.dictionaries(st.integers(1, 14), _OPS, max_size=3))
    def run_one(plan: dict[int, list[tuple[str, Any]]]) -> None:
        with Emulator() as emu:
            outcome = _run(emu, Model(emu), plan)
            emu.check()
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    run_one()
    # Both branches were really exercised (request numbers past the last one change nothing).
    assert outcomes.get("error", 0) >= 10 and outcomes.get("consistent", 0) >= 10, outcomes
