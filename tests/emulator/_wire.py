"""A raw HTTP client for the tests, with its own implementation of both documented signatures.

Written from the algorithm in shared/notes/alibaba-ecs-api.md, not from the emulator's code, so
a bug in the emulator's verifier cannot hide behind the same bug here. Each ``build_*`` returns
the parts of a request so a test can tamper with any of them before :func:`send`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET


def enc(value: str) -> str:
    """Percent-encode leaving only A-Za-z0-9-_.~ bare."""
    return quote(value, safe="-_.~", encoding="utf-8")


def stamp(offset: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Wire:
    """One HTTP request as it will go out."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    def url_path(self) -> str:
        if not self.query:
            return self.path
        return self.path + "?" + urlencode(self.query)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        return self.data.get("Code")


def v3_sign(wire: Wire, key_id: str, secret: str) -> None:
    """Add the ACS3-HMAC-SHA256 Authorization header, signing every header present."""
    signed = sorted(h.lower() for h in wire.headers)
    canonical_query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(wire.query.items()))
    lowered = {k.lower(): v for k, v in wire.headers.items()}
    canonical_headers = "".join(f"{h}:{lowered[h].strip()}\n" for h in signed)
    canonical = "\n".join(
        [
            wire.method,
            wire.path,
            canonical_query,
            canonical_headers,
            ";".join(signed),
            lowered["x-acs-content-sha256"],
        ]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    wire.headers["Authorization"] = (
        f"ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={';'.join(signed)},"
        f"Signature={signature}"
    )


def build_v3(
    host: str,
    params: dict[str, str],
    *,
    action: str = "DescribeTags",
    version: str = "2014-05-26",
    key_id: str = DEFAULT_ACCESS_KEY_ID,
    secret: str = DEFAULT_ACCESS_KEY_SECRET,
    date: str | None = None,
    nonce: str | None = None,
    body: bytes = b"",
    extra_headers: dict[str, str] | None = None,
    sign: bool = True,
) -> Wire:
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or stamp(),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        "accept": "application/json",
        **(extra_headers or {}),
    }
    if body:
        headers["content-type"] = "application/x-www-form-urlencoded"
    wire = Wire("POST", "/", dict(params), headers, body)
    if sign:
        v3_sign(wire, key_id, secret)
    return wire


def v1_signature(method: str, params: dict[str, str], secret: str) -> str:
    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{enc('/')}&{enc(canonical)}"
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def build_v1(
    params: dict[str, str],
    *,
    method: str = "GET",
    action: str = "DescribeTags",
    version: str = "2014-05-26",
    key_id: str = DEFAULT_ACCESS_KEY_ID,
    secret: str = DEFAULT_ACCESS_KEY_SECRET,
    timestamp: str | None = None,
    nonce: str | None = None,
    form: bool = False,
    extra: dict[str, str] | None = None,
) -> Wire:
    """An RPC request; with ``form`` the business params travel in a POST form body."""
    common = {
        "Action": action,
        "Version": version,
        "Format": "JSON",
        "Timestamp": timestamp or stamp(),
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "AccessKeyId": key_id,
        **(extra or {}),
    }
    signature = v1_signature(method, {**common, **params}, secret)
    if form:
        query = {**common, "Signature": signature}
        body = urlencode(params).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return Wire(method, "/", query, headers, body)
    return Wire(method, "/", {**common, **params, "Signature": signature}, {}, b"")


def send(url_host: str, wire: Wire, timeout: float = 10.0) -> Answer:
    host, _, port = url_host.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        headers = {k: v for k, v in wire.headers.items() if k.lower() != "host"}
        conn.putrequest(wire.method, wire.url_path(), skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", wire.headers.get("host", url_host))
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(wire.body)))
        conn.endheaders(wire.body)
        response = conn.getresponse()
        body = response.read()
        answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        conn.close()
    if answer.headers.get("content-type", "").startswith("application/json"):
        try:
            answer.data = json.loads(body)
        except ValueError:
            answer.data = {}
    return answer
