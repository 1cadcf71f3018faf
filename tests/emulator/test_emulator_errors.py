"""Every error path answers with the service's code, HTTP status and a RequestId."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import Emulator
from tests.emulator._clients import ApiFailure, call
from tests.emulator._wire import Answer, Wire, build_v1, build_v3, send


def expect(answer: Answer, status: int, code: str) -> None:
    assert (answer.status, answer.code) == (status, code), answer.body
    assert answer.data["RequestId"] == answer.headers["x-acs-request-id"]
    assert answer.data["HostId"] and answer.data["Message"] and answer.data["Recommend"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "MissingParameter"),
        ({"RegionId": ""}, 400, "MissingParameter"),
        ({"RegionId": "cn-nowhere"}, 404, "InvalidRegionId.NotFound"),
        ({"RegionId": "CN-HANGZHOU"}, 404, "InvalidRegionId.NotFound"),
        (
            {"RegionId": "cn-hangzhou", "ResourceType": "Instance"},
            404,
            "InvalidResourceType.NotFound",
        ),
        ({"RegionId": "cn-hangzhou", "ResourceType": "vpc"}, 404, "InvalidResourceType.NotFound"),
        ({"RegionId": "cn-hangzhou", "Tag.1.Value": "v"}, 400, "invalidTagKey.Malformed"),
        ({"RegionId": "cn-hangzhou", "Tag.1.Key": ""}, 400, "invalidTagKey.Malformed"),
        ({"RegionId": "cn-hangzhou", "Tag.1.Key": "k" * 129}, 400, "invalidTagKey.Malformed"),
        (
            {"RegionId": "cn-hangzhou", "Tag.1.Key": "k", "Tag.1.Value": "v" * 129},
            400,
            "InvalidTagValue.Malformed",
        ),
        ({"RegionId": "cn-hangzhou", "Tag.21.Key": "k"}, 400, "InvalidTagCount"),
        ({"RegionId": "cn-hangzhou", "Tag.0.Key": "k"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "Tag.x.Key": "k"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "PageSize": "0"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "PageSize": "101"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "PageSize": "ten"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "PageSize": "1.5"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "PageNumber": "0"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "PageNumber": "-1"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "PageNumber": "x"}, 400, "InvalidParameter"),
        ({"RegionId": "cn-hangzhou", "PageNumber": str(2**31)}, 400, "InvalidParameter"),
    ],
)
def test_describe_tags_parameter_errors(
    ecs_emulator: Emulator, params: dict[str, str], status: int, code: str
) -> None:
    for wire in (build_v3(ecs_emulator.endpoint, params), build_v1(params)):
        expect(send(ecs_emulator.endpoint, wire), status, code)
    records = ecs_emulator.requests
    assert [(r.status, r.error_code) for r in records] == [(status, code)] * 2
    assert all(r.params == params for r in records)


def test_twenty_tags_are_allowed(ecs_emulator: Emulator) -> None:
    params = {"RegionId": "cn-hangzhou", **{f"Tag.{n}.Key": f"k{n}" for n in range(1, 21)}}
    answer = send(ecs_emulator.endpoint, build_v3(ecs_emulator.endpoint, params))
    assert answer.status == 200 and answer.data["TotalCount"] == 0


def test_sdk_sees_the_same_errors(ecs_emulator: Emulator, client_kind: str) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        (
            {"RegionId": "cn-hangzhou", "ResourceType": "INSTANCE"},
            404,
            "InvalidResourceType.NotFound",
        ),
        ({"RegionId": "cn-hangzhou", "PageSize": 500}, 400, "InvalidParameter"),
        (
            {"RegionId": "cn-hangzhou", "Tag": [{"Key": f"k{n}"} for n in range(21)]},
            400,
            "InvalidTagCount",
        ),
    ]
    for params, status, code in cases:
        with pytest.raises(ApiFailure) as info:
            call(client_kind, ecs_emulator, params)
        assert (info.value.code, info.value.status) == (code, status)
        assert info.value.request_id


@pytest.mark.parametrize(
    ("action", "version", "status", "code"),
    [
        ("DescribeInstances", "2014-05-26", 404, "InvalidAction.NotFound"),
        ("describetags", "2014-05-26", 404, "InvalidAction.NotFound"),
        ("DescribeTags", "2016-03-14", 400, "InvalidVersion"),
        ("", "2014-05-26", 400, "MissingParameter"),
    ],
)
def test_unknown_action_or_version(
    ecs_emulator: Emulator, action: str, version: str, status: int, code: str
) -> None:
    params = {"RegionId": "cn-hangzhou"}
    v1 = build_v1(params, action=action, version=version)
    if not action:
        del v1.query["Action"]
    expect(send(ecs_emulator.endpoint, v1), status, code)
    if action:
        v3 = build_v3(ecs_emulator.endpoint, params, action=action, version=version)
        expect(send(ecs_emulator.endpoint, v3), status, code)


def test_missing_version(ecs_emulator: Emulator) -> None:
    wire = build_v1({"RegionId": "cn-hangzhou"})
    del wire.query["Version"]
    expect(send(ecs_emulator.endpoint, wire), 400, "MissingParameter")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_unsupported_method(ecs_emulator: Emulator, method: str) -> None:
    wire = build_v1({"RegionId": "cn-hangzhou"}, method=method)
    expect(send(ecs_emulator.endpoint, wire), 400, "UnsupportedHTTPMethod")


def test_other_paths_are_not_actions(ecs_emulator: Emulator) -> None:
    wire = build_v1({"RegionId": "cn-hangzhou"})
    wire.path = "/index.html"
    expect(send(ecs_emulator.endpoint, wire), 404, "InvalidAction.NotFound")


def test_bare_get(ecs_emulator: Emulator) -> None:
    expect(send(ecs_emulator.endpoint, Wire("GET", "/", {}, {})), 400, "MissingParameter")


def test_internal_failure_is_an_internal_error_with_a_body(
    ecs_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(ecs_emulator.backend, "describe_tags", explode)
    answer = send(
        ecs_emulator.endpoint, build_v3(ecs_emulator.endpoint, {"RegionId": "cn-hangzhou"})
    )
    expect(answer, 500, "InternalError")
    assert "Traceback" not in answer.body.decode()
    with pytest.raises(AssertionError, match="boom"):
        ecs_emulator.check()
    ecs_emulator.reset()  # the failure was the point; do not fail the fixture's check


def test_sdk_raises_server_exception_for_internal_error(
    ecs_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.exceptions import ServerException

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr(ecs_emulator.backend, "describe_tags", explode)
    with pytest.raises(ServerException) as info:
        Client(ecs_emulator.sdk_config()).describe_tags(
            models.DescribeTagsRequest(region_id="cn-hangzhou")
        )
    assert (info.value.code, info.value.status_code) == ("InternalError", 500)
    assert info.value.request_id == ecs_emulator.requests[0].request_id
    ecs_emulator.reset()


def test_an_unreadable_body_is_answered_and_recorded(ecs_emulator: Emulator) -> None:
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", ecs_emulator.port, timeout=10)
    conn.putrequest("POST", "/?Action=DescribeTags&Version=2014-05-26")
    conn.putheader("Content-Length", "not-a-number")
    conn.endheaders()
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    assert response.status == 400 and body["Code"] == "InvalidParameter" and body["RequestId"]
    [record] = ecs_emulator.requests
    assert (record.action, record.status, record.error_code, record.request_id) == (
        "DescribeTags",
        400,
        "InvalidParameter",
        body["RequestId"],
    )
