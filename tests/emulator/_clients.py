"""The official clients behind one call, normalized so tests can compare their results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator

#: tea-openapi default (V3), tea-openapi RPC (v2 -> V1 signature), old SDK by POST and by GET.
CLIENT_KINDS = ("tea-v3", "tea-v2", "core-post", "core-get")


@dataclass(frozen=True)
class ApiFailure(Exception):
    code: str
    status: int
    request_id: str | None


def _tea_call(emu: Emulator, algorithm: str | None, params: dict[str, Any]) -> dict[str, Any]:
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.exceptions import ClientException, ServerException

    client = Client(emu.sdk_config(algorithm))
    request = models.DescribeTagsRequest(
        region_id=params.get("RegionId"),
        resource_type=params.get("ResourceType"),
        resource_id=params.get("ResourceId"),
        page_number=params.get("PageNumber"),
        page_size=params.get("PageSize"),
        tag=[
            models.DescribeTagsRequestTag(key=t.get("Key"), value=t.get("Value"))
            for t in params.get("Tag", [])
        ]
        or None,
    )
    try:
        body: dict[str, Any] = client.describe_tags(request).body.to_map()
        return body
    except (ClientException, ServerException) as exc:
        raise ApiFailure(exc.code, exc.status_code, exc.request_id) from None


def _core_call(emu: Emulator, method: str, params: dict[str, Any]) -> dict[str, Any]:
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.DescribeTagsRequest import DescribeTagsRequest

    client = AcsClient(
        DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, "cn-hangzhou", auto_retry=False
    )
    request = DescribeTagsRequest()
    request.set_endpoint(emu.endpoint)
    request.set_protocol_type("http")
    request.set_method(method)
    for name in ("RegionId", "ResourceType", "ResourceId", "PageNumber", "PageSize"):
        if params.get(name) is not None:
            request.add_query_param(name, params[name])
    if params.get("Tag"):
        request.set_Tags(params["Tag"])
    try:
        body: dict[str, Any] = json.loads(request_body(client, request))
        return body
    except ServerException as exc:
        raise ApiFailure(
            exc.get_error_code(), exc.get_http_status(), exc.get_request_id()
        ) from None


def request_body(client: Any, request: Any) -> bytes:
    body: bytes = client.do_action_with_exception(request)
    return body


def call(kind: str, emu: Emulator, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeTags through one official client; the body as a dict, or raises ApiFailure."""
    if kind == "tea-v3":
        return _tea_call(emu, None, params)
    if kind == "tea-v2":
        return _tea_call(emu, "v2", params)
    if kind == "core-post":
        return _core_call(emu, "POST", params)
    if kind == "core-get":
        return _core_call(emu, "GET", params)
    raise AssertionError(kind)


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "RequestId"}
