"""Signature verification over raw HTTP, signed by the tests' own code (``_wire.py``)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from emulator import Credential, Emulator
from tests.emulator._wire import Answer, build_v1, build_v3, send, stamp, v3_sign

PARAMS = {"RegionId": "cn-hangzhou", "Tag.1.Key": "env"}


def expect(answer: Answer, status: int, code: str) -> None:
    assert (answer.status, answer.code) == (status, code), answer.body
    assert answer.data["RequestId"] and answer.data["HostId"]
    assert answer.data["RequestId"] == answer.headers["x-acs-request-id"]
    assert set(answer.data) == {"RequestId", "HostId", "Code", "Message", "Recommend"}


@pytest.fixture
def seeded(ecs_emulator: Emulator) -> Emulator:
    ecs_emulator.backend.add_resource("cn-hangzhou", "instance", "i-1", {"env": "prod"})
    return ecs_emulator


def test_valid_v3_passes(seeded: Emulator) -> None:
    answer = send(seeded.endpoint, build_v3(seeded.endpoint, PARAMS))
    assert answer.status == 200 and answer.data["TotalCount"] == 1
    assert seeded.requests[0].signature == "v3"


@pytest.mark.parametrize(
    ("method", "form"),
    [("GET", False), ("POST", False), ("POST", True)],
    ids=["GET-query", "POST-query", "POST-form-body"],
)
def test_valid_v1_passes(seeded: Emulator, method: str, form: bool) -> None:
    answer = send(seeded.endpoint, build_v1(PARAMS, method=method, form=form))
    assert answer.status == 200 and answer.data["TotalCount"] == 1
    (record,) = seeded.requests
    assert (record.signature, record.method, record.params) == ("v1", method, PARAMS)


# --- V3 tampering ---------------------------------------------------------------------------


def test_v3_changed_parameter(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS)
    wire.query["Tag.1.Key"] = "team"
    expect(send(seeded.endpoint, wire), 400, "SignatureDoesNotMatch")


def test_v3_added_parameter(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS)
    wire.query["PageSize"] = "1"
    expect(send(seeded.endpoint, wire), 400, "SignatureDoesNotMatch")


@pytest.mark.parametrize("header", ["x-acs-action", "accept", "host", "x-acs-signature-nonce"])
def test_v3_changed_signed_header(seeded: Emulator, header: str) -> None:
    wire = build_v3(seeded.endpoint, PARAMS)
    wire.headers[header] = wire.headers[header] + "x"
    answer = send(seeded.endpoint, wire)
    if header == "x-acs-action":  # the route is checked before the signature
        expect(answer, 404, "InvalidAction.NotFound")
    else:
        expect(answer, 400, "SignatureDoesNotMatch")


def test_v3_unsigned_acs_header_is_rejected(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS)
    wire.headers["x-acs-extra"] = "1"
    expect(send(seeded.endpoint, wire), 400, "IncompleteSignature")


def test_v3_unsigned_other_header_is_ignored(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS)
    wire.headers["user-agent"] = "anything"
    assert send(seeded.endpoint, wire).status == 200


def test_v3_changed_body(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, {}, body=urlencode(PARAMS).encode())
    assert send(seeded.endpoint, wire).status == 200
    wire = build_v3(seeded.endpoint, {}, body=urlencode(PARAMS).encode())
    wire.body = urlencode({**PARAMS, "Tag.1.Key": "team"}).encode()
    answer = send(seeded.endpoint, wire)
    expect(answer, 400, "SignatureDoesNotMatch")
    assert "x-acs-content-sha256" in answer.data["Message"]


def test_v3_payload_hash_must_match_even_when_signed(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS, sign=False)
    wire.headers["x-acs-content-sha256"] = "0" * 64
    v3_sign(wire, seeded.credentials[0].access_key_id, seeded.credentials[0].access_key_secret)
    expect(send(seeded.endpoint, wire), 400, "SignatureDoesNotMatch")


def test_v3_wrong_secret(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS, secret="not-the-secret")
    answer = send(seeded.endpoint, wire)
    expect(answer, 400, "SignatureDoesNotMatch")
    assert "server string to sign is:ACS3-HMAC-SHA256" in answer.data["Message"]


def test_v3_unknown_key(seeded: Emulator) -> None:
    expect(
        send(seeded.endpoint, build_v3(seeded.endpoint, PARAMS, key_id="LTAInope")),
        404,
        "InvalidAccessKeyId.NotFound",
    )


@pytest.mark.parametrize("minutes", [-16, 16])
def test_v3_timestamp_out_of_window(seeded: Emulator, minutes: int) -> None:
    wire = build_v3(seeded.endpoint, PARAMS, date=stamp(timedelta(minutes=minutes)))
    expect(send(seeded.endpoint, wire), 400, "InvalidTimeStamp.Expired")


def test_v3_timestamp_inside_window(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS, date=stamp(timedelta(minutes=-14)))
    assert send(seeded.endpoint, wire).status == 200


def test_v3_changed_timestamp(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS)
    wire.headers["x-acs-date"] = stamp(timedelta(seconds=-5))
    expect(send(seeded.endpoint, wire), 400, "SignatureDoesNotMatch")


def test_v3_malformed_timestamp(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS, date="2024-01-01 00:00:00")
    expect(send(seeded.endpoint, wire), 400, "InvalidTimeStamp.Format")


def test_v3_reused_nonce(seeded: Emulator) -> None:
    first = build_v3(seeded.endpoint, PARAMS, nonce="same-nonce")
    assert send(seeded.endpoint, first).status == 200
    expect(send(seeded.endpoint, first), 400, "SignatureNonceUsed")
    again = build_v3(seeded.endpoint, {"RegionId": "cn-shanghai"}, nonce="same-nonce")
    expect(send(seeded.endpoint, again), 400, "SignatureNonceUsed")


def test_failed_request_does_not_use_up_its_nonce(seeded: Emulator) -> None:
    bad = build_v3(seeded.endpoint, PARAMS, nonce="n-1", secret="wrong")
    expect(send(seeded.endpoint, bad), 400, "SignatureDoesNotMatch")
    assert send(seeded.endpoint, build_v3(seeded.endpoint, PARAMS, nonce="n-1")).status == 200


def test_nonces_are_forgotten_on_reset(seeded: Emulator) -> None:
    assert send(seeded.endpoint, build_v3(seeded.endpoint, PARAMS, nonce="n-2")).status == 200
    seeded.reset()
    assert send(seeded.endpoint, build_v3(seeded.endpoint, PARAMS, nonce="n-2")).status == 200


@pytest.mark.parametrize(
    "authorization",
    [
        "ACS3-HMAC-SHA256",
        "ACS3-HMAC-SHA256 Credential=x",
        "HMAC-SHA1 Credential=x,SignedHeaders=host,Signature=y",
        "ACS3-HMAC-SM3 Credential=x,SignedHeaders=host,Signature=y",
    ],
)
def test_v3_malformed_authorization(seeded: Emulator, authorization: str) -> None:
    wire = build_v3(seeded.endpoint, PARAMS)
    wire.headers["Authorization"] = authorization
    expect(send(seeded.endpoint, wire), 400, "IncompleteSignature")


def test_v3_missing_nonce_header(seeded: Emulator) -> None:
    wire = build_v3(seeded.endpoint, PARAMS, sign=False)
    del wire.headers["x-acs-signature-nonce"]
    v3_sign(wire, seeded.credentials[0].access_key_id, seeded.credentials[0].access_key_secret)
    expect(send(seeded.endpoint, wire), 400, "MissingParameter")


def test_unsigned_request(seeded: Emulator) -> None:
    wire = build_v1(PARAMS)
    for name in ("Signature", "AccessKeyId"):
        del wire.query[name]
    expect(send(seeded.endpoint, wire), 400, "IncompleteSignature")
    assert seeded.requests[0].signature is None


def test_sts_token_header_must_be_signed_and_match() -> None:
    creds = [Credential("STS.K", "s3cret", security_token="tok")]
    with Emulator(credentials=creds) as emu:
        good = build_v3(
            emu.endpoint,
            PARAMS,
            key_id="STS.K",
            secret="s3cret",
            extra_headers={"x-acs-security-token": "tok"},
        )
        assert send(emu.endpoint, good).status == 200
        wrong = build_v3(
            emu.endpoint,
            PARAMS,
            key_id="STS.K",
            secret="s3cret",
            extra_headers={"x-acs-security-token": "other"},
        )
        expect(send(emu.endpoint, wrong), 400, "InvalidSecurityToken.MismatchWithAccessKey")
        missing = build_v3(emu.endpoint, PARAMS, key_id="STS.K", secret="s3cret")
        expect(send(emu.endpoint, missing), 400, "MissingSecurityToken")
        v1 = build_v1(PARAMS, key_id="STS.K", secret="s3cret", extra={"SecurityToken": "tok"})
        assert send(emu.endpoint, v1).status == 200


def test_token_for_a_plain_key_is_rejected(seeded: Emulator) -> None:
    wire = build_v1(PARAMS, extra={"SecurityToken": "unexpected"})
    expect(send(seeded.endpoint, wire), 400, "InvalidSecurityToken.Malformed")


# --- V1 tampering ---------------------------------------------------------------------------


@pytest.mark.parametrize("form", [False, True], ids=["query", "form-body"])
def test_v1_changed_parameter(seeded: Emulator, form: bool) -> None:
    wire = build_v1(PARAMS, method="POST", form=form)
    if form:
        wire.body = urlencode({**PARAMS, "Tag.1.Key": "team"}).encode()
    else:
        wire.query["Tag.1.Key"] = "team"
    answer = send(seeded.endpoint, wire)
    expect(answer, 400, "SignatureDoesNotMatch")
    assert "server string to sign is:POST&%2F&" in answer.data["Message"]


def test_v1_method_is_signed(seeded: Emulator) -> None:
    wire = build_v1(PARAMS, method="GET")
    wire.method = "POST"
    expect(send(seeded.endpoint, wire), 400, "SignatureDoesNotMatch")


def test_v1_wrong_secret(seeded: Emulator) -> None:
    expect(send(seeded.endpoint, build_v1(PARAMS, secret="nope")), 400, "SignatureDoesNotMatch")


def test_v1_unknown_key(seeded: Emulator) -> None:
    wire = build_v1(PARAMS, key_id="LTAInope")
    expect(send(seeded.endpoint, wire), 404, "InvalidAccessKeyId.NotFound")


def test_v1_expired_timestamp(seeded: Emulator) -> None:
    wire = build_v1(PARAMS, timestamp=stamp(timedelta(minutes=-30)))
    expect(send(seeded.endpoint, wire), 400, "InvalidTimeStamp.Expired")


def test_v1_changed_timestamp(seeded: Emulator) -> None:
    wire = build_v1(PARAMS, timestamp=stamp(timedelta(minutes=-1)))
    wire.query["Timestamp"] = stamp()
    expect(send(seeded.endpoint, wire), 400, "SignatureDoesNotMatch")


def test_v1_reused_nonce(seeded: Emulator) -> None:
    wire = build_v1(PARAMS, nonce="nonce-1")
    assert send(seeded.endpoint, wire).status == 200
    expect(send(seeded.endpoint, wire), 400, "SignatureNonceUsed")


def test_v1_changed_nonce(seeded: Emulator) -> None:
    wire = build_v1(PARAMS, nonce="nonce-2")
    wire.query["SignatureNonce"] = "nonce-3"
    expect(send(seeded.endpoint, wire), 400, "SignatureDoesNotMatch")


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("SignatureMethod", "HMAC-SHA256", "IncompleteSignature"),
        ("SignatureVersion", "2.0", "IncompleteSignature"),
        ("Timestamp", "", "MissingParameter"),
        ("SignatureNonce", "", "MissingParameter"),
        ("Timestamp", "yesterday", "InvalidTimeStamp.Format"),
    ],
)
def test_v1_protocol_parameters(seeded: Emulator, name: str, value: str, code: str) -> None:
    wire = build_v1(PARAMS)
    wire.query[name] = value
    expect(send(seeded.endpoint, wire), 400, code)


def test_the_old_sdk_recognises_a_wrong_secret(ecs_emulator: Emulator) -> None:
    """aliyunsdkcore compares our string to sign with its own, as against the real gateway."""
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkecs.request.v20140526.DescribeTagsRequest import DescribeTagsRequest

    key_id = ecs_emulator.credentials[0].access_key_id
    client = AcsClient(key_id, "wrong-secret", "cn-hangzhou", auto_retry=False)
    request = DescribeTagsRequest()
    request.set_endpoint(ecs_emulator.endpoint)
    request.set_protocol_type("http")
    with pytest.raises(ServerException) as info:
        client.do_action_with_exception(request)
    assert info.value.get_error_code() == "InvalidAccessKeySecret"
    assert ecs_emulator.requests[0].error_code == "SignatureDoesNotMatch"
