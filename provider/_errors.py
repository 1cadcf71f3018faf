"""Error types and the translation of SDK failures into one readable message.

Hierarchy::

    EcsTagsError                      every error this package raises on purpose
    ├── QueryValidationError          an input is invalid (raised before any API call)
    ├── ConfigurationError            stack config / environment is invalid or incomplete
    └── DescribeTagsError             the DescribeTags call did not produce a trustworthy result
        ├── ApiError                  the API answered with an error code
        ├── TransportError            the endpoint could not be reached or answered garbage
        └── PagingConsistencyError    results changed while paging

Messages are written for the person running ``pulumi preview``; they never contain
credentials (see :func:`scrub`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ACTION = "DescribeTags"

_HINTS: dict[str, str] = {
    "InvalidRegionId.NotFound": (
        "the region does not exist or ECS is not available there; check `region_id`, "
        "`alicloud:region` or ALICLOUD_REGION (ids look like `cn-hangzhou`)."
    ),
    "InvalidResourceType.NotFound": (
        "`resource_type` must be one of the API's lowercase values, e.g. `instance` or `disk`."
    ),
    "invalidTagKey.Malformed": (
        "a tag key in `tag` is not accepted by the API (empty, too long, or a reserved "
        "prefix such as `aliyun`/`acs:`)."
    ),
    "InvalidTagKey.Malformed": (
        "a tag key in `tag` is not accepted by the API (empty, too long, or a reserved "
        "prefix such as `aliyun`/`acs:`)."
    ),
    "InvalidTagValue.Malformed": "a tag value in `tag` is not accepted by the API (too long?).",
    "InvalidTagCount": "too many tag filters in `tag`.",
    "Forbidden.RAM": (
        "the credentials are valid but not allowed to call ecs:DescribeTags; grant the RAM "
        "permission (e.g. AliyunECSReadOnlyAccess)."
    ),
    "InvalidAccessKeyId.NotFound": (
        "the AccessKey id is unknown; check `alicloud:accessKey`, ALICLOUD_ACCESS_KEY or "
        "ALIBABA_CLOUD_ACCESS_KEY_ID."
    ),
    "InvalidAccessKeyId.Inactive": "the AccessKey is disabled; enable it or use another one.",
    "SignatureDoesNotMatch": (
        "the AccessKey secret does not match the AccessKey id; check `alicloud:secretKey`, "
        "ALICLOUD_SECRET_KEY or ALIBABA_CLOUD_ACCESS_KEY_SECRET."
    ),
    "InvalidSecurityToken.Expired": "the STS security token has expired; obtain a new one.",
    "InvalidSecurityToken.Malformed": "the STS security token is malformed.",
    "InvalidTimeStamp.Expired": "the local clock is off; synchronise it (NTP) and retry.",
}
_THROTTLING_HINT = (
    "the API kept throttling the request after all retries (limits are per API, region and "
    "account per minute); retry later, or raise `alicloud:maxRetryTimeout`."
)
_SERVER_HINT = "the service kept failing after all retries; retry later."


class EcsTagsError(Exception):
    """Base class of every error raised on purpose by this package."""


@dataclass(frozen=True)
class InputFailure:
    """One invalid input: the property, and a reason naming the value and what is allowed."""

    property: str
    reason: str


class QueryValidationError(EcsTagsError, ValueError):
    """One or more inputs are invalid; raised before any API call is made."""

    def __init__(self, failures: Iterable[InputFailure]) -> None:
        self.failures: tuple[InputFailure, ...] = tuple(failures)
        lines = [f"{f.property}: {f.reason}" for f in self.failures]
        super().__init__("invalid EcsTags inputs:\n  " + "\n  ".join(lines))


class ConfigurationError(EcsTagsError, ValueError):
    """The provider configuration (stack config or environment) is invalid or incomplete."""


class DescribeTagsError(EcsTagsError):
    """The DescribeTags lookup failed; no partial result is ever returned with it."""


class ApiError(DescribeTagsError):
    """The ECS API answered with an error (after the retries, for retryable codes)."""

    def __init__(
        self,
        *,
        region_id: str,
        code: str | None,
        message: str | None,
        status_code: int | None,
        request_id: str | None,
        endpoint: str,
    ) -> None:
        self.action = ACTION
        self.region_id = region_id
        self.code = code
        self.api_message = message
        self.status_code = status_code
        self.request_id = request_id
        self.endpoint = endpoint
        super().__init__(self._format())

    @property
    def hint(self) -> str | None:
        """A suggestion for common error codes, or None."""
        code = self.code or ""
        if code in _HINTS:
            return _HINTS[code]
        if "Throttling" in code:
            return _THROTTLING_HINT
        if code in ("ServiceUnavailable", "InternalError") or (self.status_code or 0) >= 500:
            return _SERVER_HINT
        return None

    def _format(self) -> str:
        status = self.status_code if self.status_code is not None else "unknown"
        text = (
            f"{self.action} failed in region {self.region_id}: {self.code or 'UnknownError'}"
            f" (HTTP {status}): {self.api_message or 'no message'}"
            f" [request id: {self.request_id or 'none'}; endpoint: {self.endpoint}]"
        )
        hint = self.hint
        return f"{text}\nHint: {hint}" if hint else text


class TransportError(DescribeTagsError):
    """The endpoint could not be reached, or did not answer with a usable response."""

    def __init__(self, *, region_id: str, endpoint: str, detail: str) -> None:
        self.action = ACTION
        self.region_id = region_id
        self.endpoint = endpoint
        self.detail = detail
        super().__init__(
            f"{ACTION} failed in region {region_id}: could not get a usable response from "
            f"endpoint {endpoint}: {detail}"
        )


class PagingConsistencyError(DescribeTagsError):
    """The server's answers contradicted each other while paging (results changed while paging)."""

    def __init__(self, *, region_id: str, detail: str, request_id: str | None) -> None:
        self.region_id = region_id
        self.detail = detail
        self.request_id = request_id
        super().__init__(
            f"{ACTION} in region {region_id}: results changed while paging ({detail}) "
            f"[request id: {request_id or 'none'}]; no partial result was used. Run again."
        )


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every non-empty secret occurring in ``text`` by ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _error_body(exc: Any) -> Mapping[str, Any]:
    data = getattr(exc, "data", None)
    return data if isinstance(data, Mapping) else {}


def translate_sdk_error(
    exc: BaseException,
    *,
    region_id: str,
    endpoint: str,
    secrets: Iterable[str | None],
) -> EcsTagsError:
    """Turn an exception raised by the tea-openapi client into one readable error.

    The SDK re-raises the last API error itself (``ClientException``/``ServerException``/
    ``ThrottlingException``, all with ``code``, ``status_code``, ``request_id`` and the error
    body in ``data``); anything else (a ``RetryError`` for network failures wrapped in an
    ``UnretryableException``, a ``RuntimeError`` for a body that is not JSON) is a transport
    problem.
    """
    secrets = tuple(secrets)
    code = getattr(exc, "code", None)
    status = getattr(exc, "status_code", None)
    if code not in (None, "", "None") or isinstance(status, int):
        body = _error_body(exc)
        message = body.get("Message") or body.get("message") or getattr(exc, "message", None)
        request_id = getattr(exc, "request_id", None)
        if request_id in (None, "", "None"):
            request_id = body.get("RequestId") or body.get("requestId")
        return ApiError(
            region_id=region_id,
            code=scrub(str(code), secrets) if code not in (None, "", "None") else None,
            message=scrub(str(message), secrets) if message else None,
            status_code=status if isinstance(status, int) else None,
            request_id=str(request_id) if request_id else None,
            endpoint=endpoint,
        )
    inner = getattr(exc, "inner_exception", None) or exc
    if type(inner).__name__ == "CredentialException":
        # Raised by the default credentials chain when no source yields credentials.
        return ConfigurationError(
            "no usable credentials: set `alicloud:accessKey`/`alicloud:secretKey`, "
            "ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY, or a source of the default chain "
            "(ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, a profile, OIDC, "
            f"an ECS RAM role). The chain reported: {scrub(str(inner), secrets)}"
        )
    detail = getattr(inner, "message", None) or str(inner) or type(inner).__name__
    if isinstance(inner, RuntimeError) and "parse the value as json" in str(detail):
        snippet = " ".join(str(detail).split("Value:", 1)[-1].strip().strip('"').split())[:100]
        detail = f"the response was not valid JSON (began with {snippet!r})"
    return TransportError(
        region_id=region_id, endpoint=endpoint, detail=scrub(str(detail), secrets)
    )
