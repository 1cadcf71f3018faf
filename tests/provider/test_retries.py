"""Retries (SDK RetryOptions) and error messages, with faults injected by the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from provider import ApiError, TransportError
from tests.support import configured, describe_requests, emulator_config, read


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "throttling"},
        {"kind": "throttling", "retry_after": 5},
        {"kind": "server_error", "status": 500},
        {"kind": "server_error", "status": 503},
        {"kind": "drop"},
    ],
)
def test_transient_failures_are_retried_until_success(
    ecs_emulator: Any, make_provider: Any, fault: dict[str, Any]
) -> None:
    from emulator import Fault

    ecs_emulator.backend.add_resource(
        region_id="cn-hangzhou", resource_type="instance", resource_id="i-1", tags={"env": "prod"}
    )
    ecs_emulator.add_fault(Fault(count=2, **fault))
    outs = read(make_provider(), resource_type="instance")
    assert outs["tag_map"] == {"env": "prod"}
    requests = describe_requests(ecs_emulator)
    assert len(requests) == 3
    assert requests[-1].status == 200


def test_throttling_beyond_the_budget_is_a_readable_error(
    ecs_emulator: Any, make_provider: Any
) -> None:
    from emulator import Fault

    ecs_emulator.add_fault(Fault("throttling", count=10))
    provider = make_provider(ecsTags__maxAttempts="3")
    with pytest.raises(ApiError) as info:
        read(provider, resource_type="instance")
    err = info.value
    requests = describe_requests(ecs_emulator)
    assert len(requests) == 3
    assert err.code == "Throttling.User" and err.status_code == 400
    assert err.request_id == requests[-1].request_id
    text = str(err)
    assert "DescribeTags failed in region cn-hangzhou: Throttling.User (HTTP 400)" in text
    assert f"request id: {requests[-1].request_id}" in text
    assert "after all retries" in text


def test_server_errors_beyond_the_budget(ecs_emulator: Any, make_provider: Any) -> None:
    from emulator import Fault

    ecs_emulator.add_fault(Fault("server_error", count=10, status=503))
    with pytest.raises(ApiError) as info:
        read(make_provider(ecsTags__maxAttempts="2"), resource_type="instance")
    assert info.value.code == "ServiceUnavailable" and info.value.status_code == 503
    assert len(describe_requests(ecs_emulator)) == 2


def test_zero_retry_budget_disables_retries(ecs_emulator: Any, make_provider: Any) -> None:
    from emulator import Fault

    ecs_emulator.add_fault(Fault("throttling", count=2))
    with pytest.raises(ApiError, match="Throttling"):
        read(make_provider(alicloud__maxRetryTimeout="0"), resource_type="instance")
    assert len(describe_requests(ecs_emulator)) == 1


def test_non_retryable_api_errors_fail_at_once_with_a_hint(
    ecs_emulator: Any, make_provider: Any
) -> None:
    with pytest.raises(ApiError) as info:
        read(make_provider(), region_id="xx-nowhere-1", resource_type="instance")
    err = info.value
    assert err.endpoint == ecs_emulator.url
    assert err.code == "InvalidRegionId.NotFound" and err.status_code == 404
    assert "Hint: the region does not exist" in str(err)
    assert len(describe_requests(ecs_emulator)) == 1


def test_bad_secret_is_reported_without_credentials(ecs_emulator: Any) -> None:
    config = emulator_config(ecs_emulator, **{"alicloud:secretKey": "WRONG-SECRET-123"})
    with pytest.raises(ApiError) as info:
        read(configured(config), resource_type="instance")
    text = str(info.value)
    assert info.value.code == "SignatureDoesNotMatch"
    assert "alicloud:secretKey" in text
    assert "WRONG-SECRET-123" not in text
    assert config["alicloud:accessKey"] not in text


def test_unknown_access_key(ecs_emulator: Any) -> None:
    config = emulator_config(ecs_emulator, **{"alicloud:accessKey": "LTAI-NOBODY"})
    with pytest.raises(ApiError) as info:
        read(configured(config), resource_type="instance")
    assert info.value.code == "InvalidAccessKeyId.NotFound"
    assert "LTAI-NOBODY" not in str(info.value)


@pytest.mark.parametrize("kind", ["html", "malformed", "truncated"])
def test_unusable_responses_are_transport_errors(
    ecs_emulator: Any, make_provider: Any, kind: str
) -> None:
    from emulator import Fault

    # A proxy's HTML error page is retried (it is a 5xx the SDK cannot parse); broken JSON not.
    ecs_emulator.add_fault(Fault(kind, count=10))
    with pytest.raises(TransportError) as info:
        read(make_provider(ecsTags__maxAttempts="3"), resource_type="instance")
    assert ecs_emulator.url in str(info.value)
    assert "not valid JSON" in str(info.value)
    assert len(describe_requests(ecs_emulator)) == (3 if kind == "html" else 1)


def test_a_proxy_error_page_is_retried_until_success(ecs_emulator: Any, make_provider: Any) -> None:
    from emulator import Fault

    ecs_emulator.backend.add_resource("cn-hangzhou", "instance", "i-1", {"env": "prod"})
    ecs_emulator.add_fault(Fault("html", count=2))
    outs = read(make_provider(), resource_type="instance")
    assert outs["tag_map"] == {"env": "prod"}
    assert [r.fault for r in describe_requests(ecs_emulator)] == ["html", "html", None]


def test_unreachable_endpoint_names_it(ecs_emulator: Any) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = emulator_config(
        ecs_emulator,
        **{
            "alicloud:endpoints": f'[{{"ecs": "http://127.0.0.1:{port}"}}]',
            "ecsTags:maxAttempts": "2",
        },
    )
    with pytest.raises(TransportError) as info:
        read(configured(config), resource_type="instance")
    assert f"http://127.0.0.1:{port}" in str(info.value)
    assert config["alicloud:secretKey"] not in str(info.value)


def test_read_timeout_is_retried() -> None:
    from emulator import Emulator, Fault

    # A private emulator: the slow answer is logged after the test is over.
    with Emulator() as emu:
        emu.add_fault(Fault("latency", delay=1.0))
        config = emulator_config(emu, **{"alicloud:clientReadTimeout": "200"})
        outs = read(configured(config), resource_type="instance")
        assert outs["total_count"] == 0
        # The timed-out attempt is still sleeping; the retry got the answer.
        assert [r.fault for r in describe_requests(emu)] == [None]
