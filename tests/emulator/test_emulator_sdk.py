"""The official clients, unchanged, against the emulator: both signing modes and the old SDK."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import Emulator
from tests.emulator._clients import CLIENT_KINDS, ApiFailure, call, without_request_id

QUERIES: list[dict[str, Any]] = [
    {"RegionId": "cn-hangzhou"},
    {"RegionId": "cn-hangzhou", "ResourceType": "instance"},
    {"RegionId": "cn-hangzhou", "ResourceType": "disk", "Tag": [{"Key": "backup"}]},
    {"RegionId": "cn-shanghai", "Tag": [{"Key": "env", "Value": "prod"}, {"Key": "team"}]},
    {"RegionId": "ap-southeast-1", "ResourceType": "securitygroup", "PageSize": 2},
    {"RegionId": "cn-hangzhou", "PageSize": 4, "PageNumber": 3},
    {"RegionId": "cn-hangzhou", "Tag": [{"Key": "no-such-key"}]},
    {"RegionId": "ap-southeast-1", "ResourceType": "image", "Tag": [{"Key": "os"}]},
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "-".join(map(str, q.values()))[:40])
def test_every_client_gets_identical_results(ecs_sample_emulator: Emulator, query: Any) -> None:
    bodies = {kind: call(kind, ecs_sample_emulator, query) for kind in CLIENT_KINDS}
    request_ids = {body["RequestId"] for body in bodies.values()}
    assert len(request_ids) == len(CLIENT_KINDS)  # a fresh RequestId per response
    normalized = {kind: without_request_id(body) for kind, body in bodies.items()}
    first = normalized["tea-v3"]
    assert all(body == first for body in normalized.values()), normalized
    records = ecs_sample_emulator.requests
    assert [r.signature for r in records] == ["v3", "v1", "v1", "v1"]
    assert [r.method for r in records] == ["POST", "POST", "POST", "GET"]
    assert all(r.status == 200 and r.error_code is None for r in records)
    assert all(r.action == "DescribeTags" and r.version == "2014-05-26" for r in records)


def test_results_are_correct(ecs_emulator: Emulator, client_kind: str) -> None:
    backend = ecs_emulator.backend
    backend.add_resource("cn-hangzhou", "instance", "i-1", {"env": "prod", "team": "web"})
    backend.add_resource("cn-hangzhou", "instance", "i-2", {"env": "dev", "team": "web"})
    backend.add_resource("cn-hangzhou", "disk", "d-1", {"env": "prod"})
    backend.add_resource("cn-hangzhou", "snapshot", "s-1", {"env": "prod", "team": "db"})
    backend.add_resource("cn-shanghai", "instance", "i-3", {"env": "prod"})
    body = call(client_kind, ecs_emulator, {"RegionId": "cn-hangzhou", "Tag": [{"Key": "env"}]})
    assert body["TotalCount"] == 2
    assert (body["PageNumber"], body["PageSize"]) == (1, 50)
    tags = body["Tags"]["Tag"]
    assert [(t["TagKey"], t["TagValue"]) for t in tags] == [("env", "dev"), ("env", "prod")]
    prod = tags[1]["ResourceTypeCount"]
    assert (prod["Instance"], prod["Disk"], prod["Snapshot"], prod["Image"]) == (1, 1, 1, 0)
    assert set(prod) == {
        "Instance",
        "Disk",
        "Volume",
        "Image",
        "Snapshot",
        "Securitygroup",
        "Eni",
        "Ddh",
        "KeyPair",
        "LaunchTemplate",
        "ReservedInstance",
        "SnapshotPolicy",
    }


def test_unicode_and_reserved_characters_round_trip(
    ecs_emulator: Emulator, client_kind: str
) -> None:
    value = "a b/c*~+&=%中文"
    ecs_emulator.backend.add_resource("cn-hangzhou", "instance", "i-1", {"名字": value})
    query = {"RegionId": "cn-hangzhou", "Tag": [{"Key": "名字", "Value": value}]}
    body = call(client_kind, ecs_emulator, query)
    assert [(t["TagKey"], t["TagValue"]) for t in body["Tags"]["Tag"]] == [("名字", value)]
    (record,) = ecs_emulator.requests
    assert record.params == {"RegionId": "cn-hangzhou", "Tag.1.Key": "名字", "Tag.1.Value": value}


def test_errors_reach_every_client_with_code_status_and_request_id(
    ecs_emulator: Emulator, client_kind: str
) -> None:
    with pytest.raises(ApiFailure) as info:
        call(client_kind, ecs_emulator, {"RegionId": "cn-nowhere"})
    assert (info.value.code, info.value.status) == ("InvalidRegionId.NotFound", 404)
    (record,) = ecs_emulator.requests
    assert info.value.request_id == record.request_id
    assert record.error_code == "InvalidRegionId.NotFound" and record.status == 404


def test_request_log_records_business_params_and_key(ecs_emulator: Emulator) -> None:
    call(
        "tea-v3",
        ecs_emulator,
        {"RegionId": "cn-hangzhou", "ResourceType": "disk", "PageSize": 10, "Tag": [{"Key": "k"}]},
    )
    (record,) = ecs_emulator.requests
    assert record.params == {
        "RegionId": "cn-hangzhou",
        "ResourceType": "disk",
        "PageSize": "10",
        "Tag.1.Key": "k",
    }
    assert record.access_key_id == ecs_emulator.credentials[0].access_key_id
    assert record.account_id == "default"
    ecs_emulator.clear_requests()
    assert ecs_emulator.requests == []


def test_accounts_are_separate_and_sts_tokens_are_checked() -> None:
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.exceptions import ClientException

    from emulator import Credential

    creds = [
        Credential("AK-A", "secret-a", account_id="acct-a"),
        Credential("STS.B", "secret-b", account_id="acct-b", security_token="token-b"),
    ]
    with Emulator(credentials=creds) as emu:
        emu.backend.add_resource("cn-hangzhou", "instance", "i-a", {"owner": "a"}, "acct-a")
        emu.backend.add_resource("cn-hangzhou", "instance", "i-b", {"owner": "b"}, "acct-b")
        request = models.DescribeTagsRequest(region_id="cn-hangzhou")
        for algorithm in (None, "v2"):
            a = Client(emu.sdk_config(algorithm)).describe_tags(request).body
            assert [t.tag_value for t in a.tags.tag] == ["a"]
            config_b = emu.sdk_config(
                algorithm,
                access_key_id="STS.B",
                access_key_secret="secret-b",
                security_token="token-b",
            )
            b = Client(config_b).describe_tags(request).body
            assert [t.tag_value for t in b.tags.tag] == ["b"]
            for token, code in (
                (None, "MissingSecurityToken"),
                ("wrong", "InvalidSecurityToken.MismatchWithAccessKey"),
            ):
                config_b.security_token = token
                with pytest.raises(ClientException) as info:
                    Client(config_b).describe_tags(request)
                assert info.value.code == code
        records = emu.requests
        assert {r.account_id for r in records if r.status == 200} == {"acct-a", "acct-b"}
