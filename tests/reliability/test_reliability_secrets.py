"""Item 6: secrets audit over whole deployments through the runner.

Distinctive key pairs are supplied through stack config (secret), the environment
(ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY) and a credentials file (the official default chain,
ALIBABA_CLOUD_CREDENTIALS_FILE), plus an STS token through config. Each drives preview, up,
refresh and destroy of ``tests/lifecycle/programs/lookup`` against a dedicated emulator that
knows exactly those keys, and an error case (a wrong secret) too. Then everything a user or an
operator could see is searched for the secrets: the serialized provider (base64 decoded), the
recorded state, the outputs, the logs (program and provider host stderr), the error messages,
and every parameter and header the emulator received outside the signature headers.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from reliability_support import LOOKUP_PROGRAM, host_env

from emulator import Credential, Emulator, RequestRecord
from runner import RunResult, run

SOURCES = {
    "config": Credential("LTAI5tCfgReliab1lity001", "CfgS3cretZq7xReliab1lityAAAA01"),
    "env": Credential("LTAI5tEnvReliab1lity002", "EnvS3cretWk4yReliab1lityBBBB02"),
    "file": Credential("LTAI5tFileReliab1lity03", "FileS3cretPp9vReliab1lityCC03"),
    "sts": Credential(
        "STS.ReliabStsKey00004",
        "StsS3cretHh2uReliab1lityDDDD04",
        security_token="StsT0kenJj6tReliab1lityEEEEEEEEEEEEEE05",
    ),
}
WRONG_SECRET = "WrongS3cretMm8rReliab1lityFF06"
SECRETS = [c.access_key_secret for c in SOURCES.values()] + [
    c.security_token for c in SOURCES.values() if c.security_token
]
SECRETS.append(WRONG_SECRET)
#: Headers that carry the signature (or the STS token itself, which must go to the endpoint).
SIGNATURE_HEADERS = {"authorization", "x-acs-security-token"}


class AuditEmulator(Emulator):
    """An emulator that also keeps every raw request: query, all headers, body."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.raw: list[str] = []
        self._raw_lock = threading.Lock()

    def _handle_ecs(
        self, method: str, path: str, query: str, headers: dict[str, list[str]], body: bytes
    ) -> Any:
        params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
        seen = {
            "path": path,
            "query": [(k, v) for k, v in params if k not in ("Signature", "SecurityToken")],
            "headers": {k: v for k, v in headers.items() if k not in SIGNATURE_HEADERS},
            "body": body.decode("latin-1"),
        }
        with self._raw_lock:
            self.raw.append(json.dumps(seen, ensure_ascii=False))
        return super()._handle_ecs(method, path, query, headers, body)


@pytest.fixture(scope="module")
def audit_emulator() -> Iterator[AuditEmulator]:
    with AuditEmulator(credentials=list(SOURCES.values())) as emu:
        for n in range(5):
            emu.backend.add_resource("cn-hangzhou", "disk", f"d-{n}", {"env": f"e{n}", "n": "1"})
        yield emu


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
    elif value is not None:
        yield str(value)


def _decoded(text: str) -> str:
    """``text`` plus, when it is base64 (the serialized provider), its decoded bytes."""
    if len(text) < 32:
        return text
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text
    return text + "\n" + raw.decode("latin-1")


def haystack(result: RunResult) -> str:
    """Everything a run exposes, with base64 blobs decoded."""
    parts = [result.log, json.dumps(result.outputs), json.dumps(result.provider_calls)]
    for error in result.errors:
        parts += [error.message, error.details, json.dumps(error.failures)]
    for resource in result.state:
        parts += [_decoded(s) for s in _strings(resource.inputs)]
        parts += [_decoded(s) for s in _strings(resource.outputs)]
        parts.append(json.dumps(vars(resource)))
    return "\n".join(parts)


def _emulator_saw(records: list[RequestRecord], raw: list[str] | None = None) -> str:
    parts = list(raw or [])
    for r in records:
        parts.append(json.dumps(r.params))
        parts.append(json.dumps({k: v for k, v in r.headers.items() if k not in SIGNATURE_HEADERS}))
        parts += [str(r.error_code), str(r.action), str(r.version)]
    return "\n".join(parts)


def _assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a secret ({secret[:4]}...) appears in {where}"


def _source_setup(
    source: str, tmp_path: Path, emu: Emulator
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(config, secret config, env) that supply the ``source`` key pair."""
    cred = SOURCES[source]
    env = host_env()
    env["HOME"] = str(tmp_path)  # no ~/.aliyun or ~/.alibabacloud of the machine
    env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"  # no instance-metadata probing
    config = {
        "alicloud:region": "cn-hangzhou",
        "alicloud:endpoints": json.dumps([{"ecs": emu.url}]),
        "alicloud:maxRetryTimeout": "2",
        "lookup:resourceType": "disk",
    }
    secrets: dict[str, str] = {}
    if source in ("config", "sts"):
        config["alicloud:accessKey"] = cred.access_key_id
        secrets["alicloud:secretKey"] = cred.access_key_secret
        if cred.security_token:
            secrets["alicloud:securityToken"] = cred.security_token
    elif source == "env":
        env["ALICLOUD_ACCESS_KEY"] = cred.access_key_id
        env["ALICLOUD_SECRET_KEY"] = cred.access_key_secret
    else:
        ini = tmp_path / "credentials.ini"
        ini.write_text(
            "[default]\n"
            "type = access_key\n"
            f"access_key_id = {cred.access_key_id}\n"
            f"access_key_secret = {cred.access_key_secret}\n"
        )
        env["ALIBABA_CLOUD_CREDENTIALS_FILE"] = str(ini)
    return config, secrets, env


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_no_secret_anywhere_after_a_full_lifecycle(
    audit_emulator: AuditEmulator, tmp_path: Path, source: str
) -> None:
    audit_emulator.clear_requests()
    audit_emulator.raw.clear()
    config, secrets, env = _source_setup(source, tmp_path, audit_emulator)
    results = []
    preview = run(LOOKUP_PROGRAM, "preview", config=config, secrets=secrets, env=env)
    up = run(LOOKUP_PROGRAM, "up", config=config, secrets=secrets, env=env)
    assert up.ok, up.errors
    refreshed = run(
        LOOKUP_PROGRAM, "refresh", config=config, secrets=secrets, env=env, state=up.state
    )
    destroyed = run(
        LOOKUP_PROGRAM, "destroy", config=config, secrets=secrets, env=env, state=refreshed.state
    )
    results = [preview, up, refreshed, destroyed]
    for result in results:
        assert result.ok, (result.mode, result.errors)
    assert up.outputs["values"] == {"env": [f"e{n}" for n in range(5)], "n": ["1"]}
    assert refreshed.state and "__provider" in json.dumps(refreshed.state[0].inputs)
    # The key pair really was used (so the search below is meaningful).
    records = audit_emulator.requests
    assert records and {r.access_key_id for r in records} == {SOURCES[source].access_key_id}
    assert len(audit_emulator.raw) >= len(records)
    assert all(r.status == 200 for r in records)
    for result in results:
        _assert_clean(haystack(result), f"the {result.mode} run")
    _assert_clean(_emulator_saw(records, audit_emulator.raw), "what the emulator received")
    # The AccessKey id is no secret, but it has no business in state or outputs either.
    for result in results:
        for resource in result.state:
            blob = json.dumps(vars(resource)) + "".join(
                _decoded(s) for s in _strings(resource.inputs)
            )
            assert SOURCES[source].access_key_id not in blob


def test_no_secret_in_an_error_run(audit_emulator: AuditEmulator, tmp_path: Path) -> None:
    audit_emulator.clear_requests()
    audit_emulator.raw.clear()
    config, _, env = _source_setup("config", tmp_path, audit_emulator)
    failed = run(
        LOOKUP_PROGRAM, "up", config=config, secrets={"alicloud:secretKey": WRONG_SECRET}, env=env
    )
    assert not failed.ok
    text = " ".join(e.message for e in failed.errors)
    assert "SignatureDoesNotMatch" in text, text
    _assert_clean(haystack(failed), "the failed run")
    _assert_clean(
        _emulator_saw(audit_emulator.requests, audit_emulator.raw), "what the emulator received"
    )
    # And an API error with valid credentials: the message quotes the API, not the config.
    bad_region = run(
        LOOKUP_PROGRAM,
        "preview",
        config={**config, "lookup:regionId": "xx-nowhere-1"},
        secrets={"alicloud:secretKey": SOURCES["config"].access_key_secret},
        env=env,
    )
    assert not bad_region.ok
    assert "InvalidRegionId.NotFound" in " ".join(e.message for e in bad_region.errors)
    _assert_clean(haystack(bad_region), "the failed preview")


def test_the_search_finds_a_planted_secret() -> None:
    """The audit can fail: a secret hidden in base64 in state, or in a header, is found."""
    planted = base64.b64encode(f"xx{SECRETS[0]}yy".encode()).decode()
    fake = RunResult("up", True, {}, [], [], [], [], "")
    from runner import ResourceState

    fake.state = [ResourceState("u", "t", "n", "i", True, {"__provider": planted}, {}, True)]
    with pytest.raises(AssertionError):
        _assert_clean(haystack(fake), "a planted state")
    record = RequestRecord(
        "DescribeTags",
        "v",
        {},
        "k",
        200,
        None,
        "r",
        "v3",
        "POST",
        None,
        None,
        {"user-agent": SECRETS[1]},
    )
    with pytest.raises(AssertionError):
        _assert_clean(_emulator_saw([record]), "a planted header")
    raw = [json.dumps({"headers": {"x-acs-signature-nonce": [SECRETS[2]]}})]
    with pytest.raises(AssertionError):
        _assert_clean(_emulator_saw([], raw), "a planted raw header")
