"""Item 3: faults between the provider and the endpoint, injected by the emulator.

Transient faults within the retry budget end in the complete, correct result; persistent ones
end in a clear error within the configured bound (asserted loosely: under 3x); a partial result
is never reported as complete, and the number of requests is always bounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from reliability_support import Resource, expected_requests, got_pairs, oracle_pairs

from emulator import Emulator, Fault
from provider import DescribeTagsError, PagingConsistencyError
from tests.support import configured, describe_requests, emulator_config

PAIRS = 250  # three pages of 100
DATA = [
    Resource("cn-hangzhou", "instance", f"i-{n:03d}", {f"k{n:03d}": f"v{n % 7}"})
    for n in range(PAIRS)
]
ALL_REQUESTS = expected_requests(PAIRS, 100)  # 3 pages + 2 check reads
MAX_ATTEMPTS = 4
READ_TIMEOUT_MS = 300
BUDGET_S = 1.0
# The configured bound of one failing request: every attempt's read timeout plus the back-off
# budget (alicloud:maxRetryTimeout).
BOUND_S = BUDGET_S + MAX_ATTEMPTS * READ_TIMEOUT_MS / 1000
SETTINGS = {
    "ecsTags:maxAttempts": str(MAX_ATTEMPTS),
    "ecsTags:retryBaseDelay": "20",
    "ecsTags:retryMaxDelay": "200",
    "alicloud:maxRetryTimeout": str(BUDGET_S),
    "alicloud:clientReadTimeout": str(READ_TIMEOUT_MS),
}


@pytest.fixture
def fault_emulator() -> Iterator[Emulator]:
    """A private emulator per test: answers delayed past the client's time-out are still being
    written (and logged) after the test, and must not land in another test's log."""
    with Emulator() as emu:
        for r in DATA:
            emu.backend.add_resource(r.region, r.type, r.id, dict(r.tags))
        yield emu
        emu.check()


def _expected() -> list[Any]:
    return oracle_pairs(DATA, "cn-hangzhou", None, None, [])


def _lookup(emu: Emulator) -> dict[str, Any]:
    provider = configured(emulator_config(emu, **SETTINGS))
    return provider.read("ecs-tags-x", {"__provider": "p"}).outs  # type: ignore[no-any-return]


def _settled(emu: Emulator, at_least: int, wait: float = 3.0) -> list[Any]:
    # Requests that timed out on the client side are logged when the server finishes them.
    deadline = time.monotonic() + wait
    while len(describe_requests(emu)) < at_least and time.monotonic() < deadline:
        time.sleep(0.05)
    return describe_requests(emu)


TRANSIENT = {
    "throttling burst": Fault("throttling", count=3),
    "throttling with retry-after": Fault("throttling", count=2, retry_after=50),
    "500": Fault("server_error", count=3, status=500),
    "502": Fault("server_error", count=2, status=502),
    "503 ServiceUnavailable": Fault("server_error", count=3, status=503),
    "504": Fault("server_error", count=2, status=504),
    "dropped connections": Fault("drop", count=3),
    "latency beyond the read timeout": Fault("latency", count=2, delay=0.6),
    "proxy HTML page (502)": Fault("html", count=3),
}


@pytest.mark.parametrize("where", ["first page", "mid-paging", "check pass"])
@pytest.mark.parametrize("name", sorted(TRANSIENT))
def test_transient_faults_within_the_budget_end_in_the_full_result(
    fault_emulator: Emulator, name: str, where: str
) -> None:
    fault = TRANSIENT[name]
    passed = {"first page": 0, "mid-paging": 2, "check pass": 3}[where]
    if passed:
        fault_emulator.add_fault(Fault("latency", count=passed, delay=0.0))  # let them through
    fault_emulator.add_fault(fault)
    start = time.monotonic()
    outs = _lookup(fault_emulator)
    elapsed = time.monotonic() - start
    assert got_pairs(outs) == _expected()
    assert outs["total_count"] == PAIRS
    requests = _settled(fault_emulator, ALL_REQUESTS + fault.count)
    assert len(requests) == ALL_REQUESTS + fault.count
    assert [r.fault for r in requests].count(fault.kind) >= fault.count
    assert elapsed < 3 * BOUND_S


PERSISTENT = {
    "throttling": Fault("throttling", count=100),
    "throttling with retry-after": Fault("throttling", count=100, retry_after=150),
    "500": Fault("server_error", count=100, status=500),
    "503": Fault("server_error", count=100, status=503),
    "proxy HTML page": Fault("html", count=100),
    "malformed JSON": Fault("malformed", count=100),
    "truncated JSON": Fault("truncated", count=100),
    "dropped connections": Fault("drop", count=100),
    "latency beyond the read timeout": Fault("latency", count=100, delay=0.6),
}
_MESSAGES = {
    "throttling": "Throttling.User",
    "server_error": "(HTTP 5",
    "html": "not valid JSON",
    "malformed": "not valid JSON",
    "truncated": "not valid JSON",
    "drop": "could not get a usable response",
    "latency": "could not get a usable response",
}


@pytest.mark.parametrize("where", ["first page", "mid-paging"])
@pytest.mark.parametrize("name", sorted(PERSISTENT))
def test_persistent_faults_end_in_a_clear_error_within_the_bound(
    fault_emulator: Emulator, name: str, where: str
) -> None:
    fault = PERSISTENT[name]
    passed = 0 if where == "first page" else 2
    if passed:
        fault_emulator.add_fault(Fault("latency", count=passed, delay=0.0))
    fault_emulator.add_fault(fault)
    start = time.monotonic()
    with pytest.raises(DescribeTagsError) as info:
        _lookup(fault_emulator)
    elapsed = time.monotonic() - start
    message = str(info.value)
    assert message.startswith("DescribeTags failed in region cn-hangzhou"), message
    assert _MESSAGES[fault.kind] in message, message
    assert fault_emulator.url in message
    assert elapsed < 3 * BOUND_S, elapsed
    # Bounded: the pages that got through, then at most MAX_ATTEMPTS tries of the failing one.
    time.sleep(0.7 if fault.kind == "latency" else 0.0)
    requests = describe_requests(fault_emulator)
    assert passed < len(requests) <= passed + MAX_ATTEMPTS
    fault_emulator.clear_faults()


@pytest.mark.parametrize("count", [1, 100])
@pytest.mark.parametrize("kind", ["repeat_page", "inflate_total"])
@pytest.mark.parametrize("passed", [0, 1, 3])
def test_a_server_repeating_pages_or_inflating_the_total_never_yields_a_result(
    fault_emulator: Emulator, kind: str, count: int, passed: int
) -> None:
    if passed:
        fault_emulator.add_fault(Fault("latency", count=passed, delay=0.0))
    fault_emulator.add_fault(Fault(kind, count=count))
    if (kind, passed, count) == ("repeat_page", 0, 1):
        # "Page 1 again" when page 1 is asked for is simply the right answer.
        assert got_pairs(_lookup(fault_emulator)) == _expected()
        return
    with pytest.raises(PagingConsistencyError, match="results changed while paging"):
        _lookup(fault_emulator)
    # Detected at once: the faulty page, or for page 1 the next one, ends the lookup; a total
    # inflated on every page shows when the real data runs out (a short page 3 of 13).
    assert len(describe_requests(fault_emulator)) <= passed + 3
    fault_emulator.clear_faults()
