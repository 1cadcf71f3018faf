"""Planned faults: what each kind puts on the wire, FIFO order, counts, and the SDK's view."""

from __future__ import annotations

import http.client
import json

import pytest

from emulator import AdminClient, Emulator, Fault
from tests.emulator._wire import Answer, build_v1, build_v3, send

PARAMS = {"RegionId": "cn-hangzhou"}


def request() -> object:
    from alibabacloud_ecs20140526 import models

    return models.DescribeTagsRequest(region_id="cn-hangzhou")


def get(emu: Emulator, params: dict[str, str] | None = None) -> Answer:
    return send(emu.endpoint, build_v3(emu.endpoint, params or PARAMS))


def test_throttling(ecs_emulator: Emulator) -> None:
    ecs_emulator.add_fault(Fault("throttling"))
    answer = get(ecs_emulator)
    assert (answer.status, answer.code) == (400, "Throttling.User")
    assert answer.data["RequestId"] and "x-acs-retry-after" not in answer.headers
    assert get(ecs_emulator).status == 200


def test_throttling_with_retry_after_reaches_the_sdk(ecs_emulator: Emulator) -> None:
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.exceptions import ThrottlingException

    ecs_emulator.add_fault(Fault("throttling", retry_after=1500))
    with pytest.raises(ThrottlingException) as info:
        Client(ecs_emulator.sdk_config()).describe_tags(request())
    assert (info.value.code, info.value.retry_after, info.value.status_code) == (
        "Throttling.User",
        1500,
        400,
    )
    record = ecs_emulator.requests[0]
    assert (record.fault, record.error_code, record.status) == (
        "throttling",
        "Throttling.User",
        400,
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [(None, "InternalError"), (500, "InternalError"), (503, "ServiceUnavailable")],
)
def test_server_error(ecs_emulator: Emulator, status: int | None, code: str) -> None:
    ecs_emulator.add_fault(Fault("server_error", status=status))
    answer = get(ecs_emulator)
    assert (answer.status, answer.code) == (status or 500, code)
    assert answer.data["RequestId"]


def test_server_error_reaches_the_sdk(ecs_emulator: Emulator) -> None:
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.exceptions import ServerException

    ecs_emulator.add_fault(Fault("server_error", status=503))
    with pytest.raises(ServerException) as info:
        Client(ecs_emulator.sdk_config("v2")).describe_tags(request())
    assert (info.value.code, info.value.status_code) == ("ServiceUnavailable", 503)


def test_html_page_from_a_proxy(ecs_emulator: Emulator) -> None:
    ecs_emulator.add_fault(Fault("html"))
    answer = get(ecs_emulator)
    assert answer.status == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.body.startswith(b"<html>")


def test_malformed_body(ecs_emulator: Emulator) -> None:
    ecs_emulator.add_fault(Fault("malformed"))
    answer = get(ecs_emulator)
    assert answer.status == 200
    with pytest.raises(ValueError):
        json.loads(answer.body)


def test_truncated_body_has_honest_length(ecs_emulator: Emulator) -> None:
    ecs_emulator.backend.add_resource("cn-hangzhou", "instance", "i-1", {"env": "prod"})
    full = get(ecs_emulator)
    ecs_emulator.add_fault(Fault("truncated"))
    cut = get(ecs_emulator)
    assert cut.status == 200
    assert int(cut.headers["content-length"]) == len(cut.body)
    assert 0 < len(cut.body) < len(full.body)
    with pytest.raises(ValueError):
        json.loads(cut.body)


def test_truncated_body_breaks_the_sdk(ecs_emulator: Emulator) -> None:
    from alibabacloud_ecs20140526.client import Client

    ecs_emulator.add_fault(Fault("truncated"))
    with pytest.raises(Exception) as info:
        Client(ecs_emulator.sdk_config()).describe_tags(request())
    assert "json" in str(info.value).lower()


def test_latency_then_normal_answer(ecs_emulator: Emulator) -> None:
    ecs_emulator.add_fault(Fault("latency", delay=0.05))
    answer = get(ecs_emulator)
    assert answer.status == 200 and answer.data["TotalCount"] == 0
    assert ecs_emulator.requests[0].fault == "latency"


def test_latency_longer_than_the_read_timeout(ecs_emulator: Emulator) -> None:
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client

    ecs_emulator.add_fault(Fault("latency", delay=1.0))
    client = Client(ecs_emulator.sdk_config(read_timeout=100))
    with pytest.raises(Exception, match=r"(?i)timed? ?out"):
        client.describe_tags(models.DescribeTagsRequest(region_id="cn-hangzhou"))


def test_drop_closes_the_connection(ecs_emulator: Emulator) -> None:
    ecs_emulator.add_fault(Fault("drop"))
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        get(ecs_emulator)
    (record,) = ecs_emulator.requests
    assert (record.status, record.fault) == (0, "drop")
    assert get(ecs_emulator).status == 200


def test_repeat_page_answers_page_one(ecs_emulator: Emulator) -> None:
    for n in range(4):
        ecs_emulator.backend.add_resource("cn-hangzhou", "instance", f"i-{n}", {"k": f"v{n}"})
    first = get(ecs_emulator, {**PARAMS, "PageSize": "2"})
    ecs_emulator.add_fault(Fault("repeat_page"))
    second = get(ecs_emulator, {**PARAMS, "PageSize": "2", "PageNumber": "2"})
    assert second.data["PageNumber"] == 2
    assert second.data["Tags"] == first.data["Tags"]


def test_inflate_total(ecs_emulator: Emulator) -> None:
    ecs_emulator.backend.add_resource("cn-hangzhou", "instance", "i-1", {"k": "v"})
    ecs_emulator.add_fault(Fault("inflate_total"))
    answer = get(ecs_emulator)
    assert answer.data["TotalCount"] == 1001 and len(answer.data["Tags"]["Tag"]) == 1


def test_faults_are_fifo_with_counts(ecs_emulator: Emulator) -> None:
    ecs_emulator.add_fault(Fault("throttling", count=2))
    ecs_emulator.add_fault(Fault("server_error", status=503))
    assert [(f.kind, f.count) for f in ecs_emulator.faults] == [
        ("throttling", 2),
        ("server_error", 1),
    ]
    codes = [send(ecs_emulator.endpoint, build_v1(PARAMS)).code for _ in range(4)]
    assert codes == ["Throttling.User", "Throttling.User", "ServiceUnavailable", None]
    assert ecs_emulator.faults == []
    assert [r.fault for r in ecs_emulator.requests] == [
        "throttling",
        "throttling",
        "server_error",
        None,
    ]


def test_faults_apply_to_ecs_requests_not_admin_requests(ecs_emulator: Emulator) -> None:
    ecs_emulator.add_fault(Fault("throttling"))
    admin = AdminClient(ecs_emulator.url)
    assert admin.requests() == []
    assert admin.health()
    assert [f.kind for f in ecs_emulator.faults] == ["throttling"]
    ecs_emulator.clear_faults()
    assert ecs_emulator.faults == []


def test_reset_drops_planned_faults(ecs_emulator: Emulator) -> None:
    ecs_emulator.add_fault(Fault("drop", count=3))
    ecs_emulator.reset()
    assert get(ecs_emulator).status == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "throttling", "count": 0},
        {"kind": "latency", "delay": -1.0},
        {"kind": "server_error", "status": 404},
        {"kind": "throttling", "retry_after": -5},
    ],
)
def test_invalid_faults_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Fault(**kwargs)  # type: ignore[arg-type]
