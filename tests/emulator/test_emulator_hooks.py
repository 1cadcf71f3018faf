"""The in-process test hooks: ``on_request`` callbacks and the in-flight peak."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from emulator import Emulator, Fault, RequestRecord
from tests.emulator._clients import call


def test_on_request_runs_after_each_request_and_before_the_next(ecs_emulator: Emulator) -> None:
    backend = ecs_emulator.backend
    backend.add_resource("cn-hangzhou", "instance", "i-1", {"k": "v0"})
    seen: list[RequestRecord] = []

    def change(record: RequestRecord) -> None:
        seen.append(record)
        backend.set_tags("cn-hangzhou", "instance", "i-1", {"k": f"v{len(seen)}"})

    ecs_emulator.on_request(change)
    values = []
    for _ in range(3):
        body = call("tea-v3", ecs_emulator, {"RegionId": "cn-hangzhou"})
        values.append(body["Tags"]["Tag"][0]["TagValue"])
    assert values == ["v0", "v1", "v2"]  # each answer predates its own callback
    assert [r.request_id for r in seen] == [r.request_id for r in ecs_emulator.requests]
    ecs_emulator.on_request(None)
    call("tea-v3", ecs_emulator, {"RegionId": "cn-hangzhou"})
    assert len(seen) == 3


def test_a_failing_callback_is_an_internal_error_and_reset_removes_it(
    ecs_emulator: Emulator,
) -> None:
    def boom(_: RequestRecord) -> None:
        raise RuntimeError("boom")

    ecs_emulator.on_request(boom)
    body = call("tea-v3", ecs_emulator, {"RegionId": "cn-hangzhou"})
    assert body["TotalCount"] == 0  # the answer is still sent
    try:
        ecs_emulator.check()
    except AssertionError as exc:
        assert "boom" in str(exc)
    else:
        raise AssertionError("check() did not report the failing callback")
    ecs_emulator.reset()
    call("tea-v3", ecs_emulator, {"RegionId": "cn-hangzhou"})
    ecs_emulator.check()


def test_peak_in_flight_counts_overlapping_requests() -> None:
    # A private emulator: the session one may still be finishing a slow answer of another test.
    with Emulator() as emu:
        call("tea-v3", emu, {"RegionId": "cn-hangzhou"})
        assert emu.peak_in_flight == 1
        emu.add_fault(Fault("latency", count=4, delay=0.3))
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda _: call("tea-v3", emu, {"RegionId": "cn-hangzhou"}), range(4)))
        assert emu.peak_in_flight >= 2
        emu.reset()
        assert emu.peak_in_flight == 0
