"""Request authentication as the ECS gateway does it: signature V3 and V1, skew, nonces, STS.

* V3 (``ACS3-HMAC-SHA256``): ``Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,
  Signature=..`` over a canonical request built from the method, path, query, the signed headers
  and ``x-acs-content-sha256`` (which must be the SHA-256 of the body).
* V1 (RPC, ``HMAC-SHA1``): ``Signature`` over every parameter of the query and (for a POST form)
  the body, keyed with ``secret + "&"``.

Both reject a timestamp more than 15 minutes from the server clock and a nonce already used with
the same access key within that window.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from emulator import _errors
from emulator._models import DEFAULT_ACCOUNT_ID

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "MAX_CLOCK_SKEW_SECONDS",
    "V1_PROTOCOL_PARAMS",
    "Authenticator",
    "Credential",
    "Identity",
    "percent_encode",
]

#: The access key pair an emulator accepts when it is given no credentials.
DEFAULT_ACCESS_KEY_ID = "LTAI5tEmulatorAccessKey01"
#: The secret of :data:`DEFAULT_ACCESS_KEY_ID`.
DEFAULT_ACCESS_KEY_SECRET = "EmulatorSecretNotForProductionUse"

#: Largest accepted distance between a request's timestamp and the server clock.
MAX_CLOCK_SKEW_SECONDS = 15 * 60

#: Common RPC parameters that carry the protocol, not the API call (left out of request logs).
V1_PROTOCOL_PARAMS = frozenset(
    {
        "Action",
        "Version",
        "Format",
        "Timestamp",
        "SignatureNonce",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureType",
        "AccessKeyId",
        "Signature",
        "SecurityToken",
    }
)

_V3_ALGORITHM = "ACS3-HMAC-SHA256"
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Credential:
    """An access key pair the emulator accepts, the account it maps to, and its STS token.

    With ``security_token`` set the key behaves as an STS key: every request must carry that
    token (V3 ``x-acs-security-token`` header, V1 ``SecurityToken`` parameter).
    """

    access_key_id: str
    access_key_secret: str
    account_id: str = DEFAULT_ACCOUNT_ID
    security_token: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who a verified request came from."""

    access_key_id: str
    account_id: str


def percent_encode(value: str) -> str:
    """RFC 3986 encoding used by both signatures: only ``A-Za-z0-9-_.~`` stay bare."""
    return quote(value, safe="~", encoding="utf-8")


class Authenticator:
    """Verifies signed requests against known credentials; remembers nonces (thread-safe)."""

    def __init__(
        self,
        credentials: Iterable[Credential],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credentials = {c.access_key_id: c for c in credentials}
        self._clock = clock
        self._lock = threading.Lock()
        self._nonces: dict[tuple[str, str], float] = {}

    @property
    def credentials(self) -> list[Credential]:
        """The accepted credentials."""
        return list(self._credentials.values())

    def clear_nonces(self) -> None:
        """Forget every nonce seen so far."""
        with self._lock:
            self._nonces.clear()

    # --- V3 -------------------------------------------------------------------------------

    def verify_v3(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, list[str]],
        body: bytes,
    ) -> Identity:
        """Verify an ``ACS3-HMAC-SHA256`` request; ``headers`` maps lowercase names to values."""
        authorization = _single(headers, "authorization")
        algorithm, _, rest = authorization.partition(" ")
        if algorithm != _V3_ALGORITHM:
            raise _errors.incomplete_signature(
                f"Unsupported signature algorithm {algorithm!r}; the emulator accepts "
                f"{_V3_ALGORITHM}."
            )
        fields: dict[str, str] = {}
        for part in rest.split(","):
            name, sep, value = part.strip().partition("=")
            if sep:
                fields[name] = value
        access_key_id = fields.get("Credential", "")
        signed_names = fields.get("SignedHeaders", "")
        signature = fields.get("Signature", "")
        if not access_key_id or not signed_names or not signature:
            raise _errors.incomplete_signature(
                "The Authorization header needs Credential, SignedHeaders and Signature."
            )
        signed = signed_names.split(";")
        if signed != sorted(signed) or any(n != n.lower() or not n for n in signed):
            raise _errors.incomplete_signature(
                "SignedHeaders must be lowercase header names, sorted, separated by ';'."
            )
        must_sign = {n for n in headers if n.startswith("x-acs-") or n in ("host", "content-type")}
        unsigned = sorted(must_sign - set(signed))
        if unsigned:
            raise _errors.incomplete_signature(
                f"Header(s) {', '.join(unsigned)} must be listed in SignedHeaders."
            )
        missing = [n for n in signed if n not in headers]
        if missing:
            raise _errors.incomplete_signature(
                f"Signed header(s) {', '.join(missing)} are not in the request."
            )
        timestamp = _single(headers, "x-acs-date")
        if not timestamp:
            raise _errors.missing_parameter("x-acs-date")
        nonce = _single(headers, "x-acs-signature-nonce")
        if not nonce:
            raise _errors.missing_parameter("x-acs-signature-nonce")
        payload_hash = _single(headers, "x-acs-content-sha256")
        if not payload_hash:
            raise _errors.incomplete_signature("The x-acs-content-sha256 header is required.")
        when = self._parse_timestamp(timestamp)
        credential = self._credential(access_key_id)

        if not hmac.compare_digest(payload_hash.lower(), hashlib.sha256(body).hexdigest()):
            raise _errors.EcsError(
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. The "
                "x-acs-content-sha256 header is not the SHA-256 of the request body.",
            )
        canonical_query = "&".join(
            f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(query.items())
        )
        canonical_headers = "".join(
            f"{name}:{','.join(sorted(v.strip() for v in headers[name]))}\n" for name in signed
        )
        canonical_request = "\n".join(
            [method, path or "/", canonical_query, canonical_headers, signed_names, payload_hash]
        )
        string_to_sign = (
            f"{_V3_ALGORITHM}\n{hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()}"
        )
        expected = hmac.new(
            credential.access_key_secret.encode("utf-8"),
            string_to_sign.encode("utf-8"),
            hashlib.sha256,
        ).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise _errors.signature_does_not_match(string_to_sign.replace("\n", "\\n"))
        self._check_skew(timestamp, when)
        self._check_token(credential, _optional_single(headers, "x-acs-security-token"))
        self._use_nonce(access_key_id, nonce)
        return Identity(access_key_id, credential.account_id)

    # --- V1 -------------------------------------------------------------------------------

    def verify_v1(self, method: str, params: Mapping[str, str]) -> Identity:
        """Verify an RPC ``HMAC-SHA1`` request; ``params`` are the query plus any form body."""
        signature = params.get("Signature")
        if not signature:
            raise _errors.incomplete_signature("The Signature parameter is missing.")
        access_key_id = params.get("AccessKeyId")
        if not access_key_id:
            raise _errors.incomplete_signature("The AccessKeyId parameter is missing.")
        signature_method = params.get("SignatureMethod", "")
        if signature_method != "HMAC-SHA1":
            raise _errors.incomplete_signature(
                f"SignatureMethod {signature_method!r} is not supported; use HMAC-SHA1."
            )
        if params.get("SignatureVersion", "") != "1.0":
            raise _errors.incomplete_signature("SignatureVersion must be 1.0.")
        timestamp = params.get("Timestamp")
        if not timestamp:
            raise _errors.missing_parameter("Timestamp")
        nonce = params.get("SignatureNonce")
        if not nonce:
            raise _errors.missing_parameter("SignatureNonce")
        when = self._parse_timestamp(timestamp)
        credential = self._credential(access_key_id)

        canonicalized = "&".join(
            f"{percent_encode(k)}={percent_encode(v)}"
            for k, v in sorted(params.items())
            if k != "Signature"
        )
        string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonicalized)}"
        digest = hmac.new(
            (credential.access_key_secret + "&").encode("utf-8"),
            string_to_sign.encode("utf-8"),
            hashlib.sha1,
        ).digest()
        expected = base64.b64encode(digest).decode("ascii")
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8")):
            raise _errors.signature_does_not_match(string_to_sign)
        self._check_skew(timestamp, when)
        self._check_token(credential, params.get("SecurityToken"))
        self._use_nonce(access_key_id, nonce)
        return Identity(access_key_id, credential.account_id)

    # --- shared checks --------------------------------------------------------------------

    def _credential(self, access_key_id: str) -> Credential:
        credential = self._credentials.get(access_key_id)
        if credential is None:
            raise _errors.invalid_access_key_id()
        return credential

    @staticmethod
    def _parse_timestamp(value: str) -> float:
        try:
            parsed = datetime.strptime(value, _TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise _errors.timestamp_format(value) from None
        return parsed.timestamp()

    def _check_skew(self, value: str, when: float) -> None:
        if abs(self._clock() - when) > MAX_CLOCK_SKEW_SECONDS:
            raise _errors.timestamp_expired(value)

    @staticmethod
    def _check_token(credential: Credential, token: str | None) -> None:
        if credential.security_token is None:
            if token:
                raise _errors.security_token_malformed()
            return
        if not token:
            raise _errors.security_token_missing()
        if not hmac.compare_digest(token.encode("utf-8"), credential.security_token.encode()):
            raise _errors.security_token_mismatch()

    def _use_nonce(self, access_key_id: str, nonce: str) -> None:
        now = self._clock()
        with self._lock:
            # Nonces older than the skew window can never be replayed successfully: drop them,
            # which keeps the table bounded by the request rate.
            horizon = now - 2 * MAX_CLOCK_SKEW_SECONDS
            if len(self._nonces) > 1024:
                for key in [k for k, seen in self._nonces.items() if seen < horizon]:
                    del self._nonces[key]
            if (access_key_id, nonce) in self._nonces:
                raise _errors.nonce_used()
            self._nonces[(access_key_id, nonce)] = now


def _single(headers: Mapping[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return values[-1].strip() if values else ""


def _optional_single(headers: Mapping[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[-1].strip() if values else None
