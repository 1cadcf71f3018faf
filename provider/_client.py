"""The official ECS client (tea-openapi), its retry options, and DescribeTags paging.

Retries are the SDK's own: ``Config.retry_options`` (darabonba ``RetryOptions``) is consulted by
``OpenApiClient.do_request`` after every failed attempt. The condition below matches

* network failures: darabonba wraps every ``IOError`` from ``requests`` (refused, reset,
  timeouts) in ``RetryError``;
* every 5xx (``ServerException``) and any response carrying ``x-acs-retry-after``
  (``ThrottlingException``, whose delay the SDK honours, capped at ``max_delay``);
* any error code containing ``Throttling``, plus ``ServiceUnavailable`` and ``InternalError``,
  whatever the HTTP status.

One 5xx the SDK cannot see: an HTML error page from a proxy or gateway in front of the API
(Tengine's "502 Bad Gateway"). The SDK fails to parse it as JSON and raises a plain
``RuntimeError`` without the status, which its retry conditions never match; :class:`_Caller`
retries such pages itself, with the same attempts, back-off and time budget. A body that is not
HTML (malformed or truncated JSON with a 200) is a server bug, not a hiccup: it is not retried.

Back-off is exponential with equal jitter. The number of attempts is derived from
``alicloud:maxRetryTimeout`` so that the worst-case total sleep of one request stays within it.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ._config import ProviderSettings, RetrySettings
from ._errors import PagingConsistencyError, translate_sdk_error
from ._inputs import MAX_PAGE_SIZE, TagQuery

#: Hard bound on the number of pages of one lookup (100 pairs each: a million pairs).
MAX_PAGES = 10_000

#: ``ResourceTypeCount`` fields, as the SDK model (snake_case) names them.
RESOURCE_TYPE_COUNT_FIELDS: tuple[str, ...] = (
    "ddh",
    "disk",
    "eni",
    "image",
    "instance",
    "key_pair",
    "launch_template",
    "reserved_instance",
    "securitygroup",
    "snapshot",
    "snapshot_policy",
    "volume",
)


class _RetryableCodes(list[str]):
    """Error codes to retry: the listed ones, and any code containing ``Throttling``.

    darabonba tests ``code in condition.error_code``; overriding ``__contains__`` lets the SDK's
    own retry loop apply the "any Throttling* code" rule.
    """

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and (list.__contains__(self, code) or "Throttling" in code)


def retry_attempts(retry: RetrySettings) -> tuple[int, int]:
    """(total attempts per request, max single delay in ms) within the retry-time budget."""
    budget = retry.max_retry_timeout_ms
    max_delay = min(retry.max_delay_ms, budget)
    if budget <= 0 or max_delay <= 0:
        return 1, 0
    # Each retry sleeps at most max_delay (retry-after and back-off are both capped by it).
    return min(retry.max_attempts, 1 + budget // max_delay), max_delay


def build_retry_options(retry: RetrySettings) -> Any:
    """The darabonba ``RetryOptions`` for these settings."""
    from darabonba.policy.retry import RetryCondition, RetryOptions

    attempts, max_delay = retry_attempts(retry)
    condition = RetryCondition(
        {
            "maxAttempts": attempts,
            "backoff": {
                "policy": "EqualJitter",
                "period": retry.base_delay_ms,
                "cap": max(max_delay, 1),
            },
            "exception": ["RetryError", "ServerException", "ThrottlingException"],
            "maxDelay": max(max_delay, 1),
        }
    )
    # Assigned after construction so the list subclass is kept as is.
    condition.error_code = _RetryableCodes(["ServiceUnavailable", "InternalError"])
    return RetryOptions({"retryable": attempts > 1, "retryCondition": [condition]})


_CLIENTS: dict[tuple[str, str], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def get_client(settings: ProviderSettings, region_id: str) -> Any:
    """The ECS client for these settings and region, built once per process.

    Building it makes no network call (credentials from the default chain are fetched lazily by
    the SDK on the first request), so holding the lock while building is cheap.
    """
    key = (settings.fingerprint(), region_id)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = _build_client(settings, region_id)
            _CLIENTS[key] = client
        return client


def _build_client(settings: ProviderSettings, region_id: str) -> Any:
    from alibabacloud_ecs20140526.client import Client as EcsClient  # type: ignore[import-untyped,unused-ignore]
    from alibabacloud_tea_openapi.utils_models import Config  # type: ignore[import-untyped,unused-ignore]

    config = Config(
        region_id=region_id,
        connect_timeout=settings.connect_timeout_ms,
        read_timeout=settings.read_timeout_ms,
        retry_options=build_retry_options(settings.retry),
    )
    if settings.endpoint is not None:
        config.endpoint = settings.endpoint.host
        config.protocol = settings.endpoint.protocol
    elif settings.protocol is not None:
        config.protocol = settings.protocol
    creds = settings.credentials
    if creds is not None:
        config.access_key_id = creds.access_key_id
        config.access_key_secret = creds.access_key_secret
        config.security_token = creds.security_token
    else:
        # tea-openapi does not fall back to the default chain by itself.
        from alibabacloud_credentials.client import Client as CredentialClient  # type: ignore[import-untyped,unused-ignore]

        config.credential = CredentialClient()
    return EcsClient(config)


@dataclass(frozen=True)
class TagPair:
    """One distinct tag key/value pair and how many resources of each type carry it."""

    key: str
    value: str
    resource_type_count: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LookupResult:
    """The pairs found, and the paging facts reported by the API (of the last page read)."""

    pairs: tuple[TagPair, ...]
    total_count: int
    page_number: int | None
    page_size: int | None
    request_id: str | None
    requests: int


@dataclass(frozen=True)
class _Page:
    pairs: tuple[TagPair, ...]
    total_count: int | None
    page_number: int | None
    page_size: int | None
    request_id: str | None


def _to_page(body: Any) -> _Page:
    pairs = []
    tags = getattr(body, "tags", None)
    for item in getattr(tags, "tag", None) or ():
        counts: dict[str, int] = {}
        rtc = getattr(item, "resource_type_count", None)
        if rtc is not None:
            for name in RESOURCE_TYPE_COUNT_FIELDS:
                value = getattr(rtc, name, None)
                if value is not None:
                    counts[name] = int(value)
        pairs.append(TagPair(str(item.tag_key or ""), str(item.tag_value or ""), counts))
    total = getattr(body, "total_count", None)
    number = getattr(body, "page_number", None)
    size = getattr(body, "page_size", None)
    return _Page(
        pairs=tuple(pairs),
        total_count=int(total) if total is not None else None,
        page_number=int(number) if number is not None else None,
        page_size=int(size) if size is not None else None,
        request_id=getattr(body, "request_id", None),
    )


def _is_gateway_page(exc: BaseException) -> bool:
    """Whether the SDK failed on an HTML page (a proxy's 5xx), not on an API answer."""
    inner = getattr(exc, "inner_exception", None) or exc
    text = str(inner)
    if not isinstance(inner, RuntimeError) or "parse the value as json" not in text:
        return False
    return text.split("Value:", 1)[-1].strip().lstrip('"').lstrip().startswith("<")


def _backoff_seconds(retry: RetrySettings, attempt: int, max_delay_ms: int) -> float:
    """Equal-jitter exponential back-off, as the SDK's own ``EqualJitter`` policy."""
    ceiling = min(max_delay_ms, retry.base_delay_ms << min(attempt, 30))
    return (ceiling / 2 + random.uniform(0, ceiling / 2)) / 1000


class _Caller:
    """Sends one DescribeTags request per call, translating SDK errors."""

    def __init__(self, client: Any, settings: ProviderSettings, region_id: str, query: TagQuery):
        self.client = client
        self.settings = settings
        self.region_id = region_id
        self.query = query
        self.requests = 0
        if settings.endpoint is not None:
            self.endpoint = settings.endpoint.url
        else:
            # The regional host the SDK derived from the region (ecs.<region>.aliyuncs.com ...).
            host = getattr(client, "_endpoint", None) or "default ECS endpoint"
            self.endpoint = f"{settings.protocol or 'https'}://{host}"

    def page(self, page_number: int | None, page_size: int | None) -> _Page:
        from alibabacloud_ecs20140526 import models  # type: ignore[import-untyped,unused-ignore]
        from darabonba.runtime import RuntimeOptions

        q = self.query
        request = models.DescribeTagsRequest(
            region_id=self.region_id,
            resource_type=q.resource_type,
            resource_id=q.resource_id,
            page_number=page_number,
            page_size=page_size,
            tag=[models.DescribeTagsRequestTag(key=t.key, value=t.value) for t in q.tags] or None,
        )
        attempts, max_delay_ms = retry_attempts(self.settings.retry)
        deadline = time.monotonic() + self.settings.retry.max_retry_timeout_ms / 1000
        attempt = 0
        while True:  # bounded by `attempts` (see _is_gateway_page for what is retried here)
            attempt += 1
            self.requests += 1
            try:
                response = self.client.describe_tags_with_options(request, RuntimeOptions())
            except Exception as exc:
                delay = _backoff_seconds(self.settings.retry, attempt, max_delay_ms)
                if (
                    _is_gateway_page(exc)
                    and attempt < attempts
                    and time.monotonic() + delay <= deadline
                ):
                    time.sleep(delay)
                    continue
                raise translate_sdk_error(
                    exc,
                    region_id=self.region_id,
                    endpoint=self.endpoint,
                    secrets=self.settings.secrets(),
                ) from None
            return _to_page(response.body)


def describe_tags(
    client: Any, settings: ProviderSettings, region_id: str, query: TagQuery
) -> LookupResult:
    """Run the lookup: one page when ``query.page_number`` is set, else every page.

    All pages are read at ``query.page_size`` (default 100). A result that fits in one page
    takes one request. With ``k > 1`` pages and ``settings.verify_paging`` (the default), pages
    ``k-1 .. 1`` are read a second time after the last one (``2k - 1`` requests): DescribeTags
    has no snapshot or paging token, and a tag added and another removed between two page reads
    keeps ``TotalCount`` and shifts pairs across a page boundary already read, so a single pass
    can lose a pair without any visible sign. Without it, exactly ``k`` requests, and every
    change that alters ``TotalCount``, a page's length or repeats a pair is still caught. Any
    contradiction (``TotalCount``, page size, page number, a pair seen twice, or a page that
    differs on the second read) raises :class:`PagingConsistencyError` instead of returning a
    partial result.
    """
    caller = _Caller(client, settings, region_id, query)
    if query.page_number is not None:
        page = caller.page(query.page_number, query.page_size)
        return LookupResult(
            pairs=page.pairs,
            total_count=page.total_count if page.total_count is not None else len(page.pairs),
            page_number=page.page_number,
            page_size=page.page_size,
            request_id=page.request_id,
            requests=caller.requests,
        )
    return _all_pages(caller, query.page_size or MAX_PAGE_SIZE)


def _all_pages(caller: _Caller, size: int) -> LookupResult:
    def inconsistent(detail: str, request_id: str | None) -> PagingConsistencyError:
        return PagingConsistencyError(
            region_id=caller.region_id, detail=detail, request_id=request_id
        )

    first = caller.page(1, size)
    total = first.total_count
    if total is None or total < 0:
        raise inconsistent(f"page 1 reported TotalCount={total!r}", first.request_id)
    pages = max(1, math.ceil(total / size))
    if pages > MAX_PAGES:
        raise inconsistent(
            f"TotalCount={total} would need {pages} pages, more than the limit of {MAX_PAGES}",
            first.request_id,
        )
    seen: set[tuple[str, str]] = set()
    pairs: list[TagPair] = []
    read_pages: list[_Page] = []
    page = first
    for number in range(1, pages + 1):
        if number > 1:
            page = caller.page(number, size)
        if page.total_count != total:
            raise inconsistent(
                f"TotalCount was {total} on page 1 but {page.total_count} on page {number}",
                page.request_id,
            )
        if page.page_number is not None and page.page_number != number:
            raise inconsistent(
                f"asked for page {number}, got page {page.page_number}", page.request_id
            )
        expected = size if number < pages else total - size * (pages - 1)
        if len(page.pairs) != expected:
            raise inconsistent(
                f"page {number} of {pages} had {len(page.pairs)} pairs, expected {expected} "
                f"for TotalCount={total}",
                page.request_id,
            )
        for pair in page.pairs:
            if (pair.key, pair.value) in seen:
                raise inconsistent(
                    f"pair {pair.key!r}={pair.value!r} appeared twice (page {number})",
                    page.request_id,
                )
            seen.add((pair.key, pair.value))
            pairs.append(pair)
        read_pages.append(page)
    # The check pass, last-but-one page first: every page read before the last one must still
    # be the same now that the last one has been read (see the docstring for why).
    check_pages = range(pages - 1, 0, -1) if caller.settings.verify_paging else range(0)
    for number in check_pages:
        again = caller.page(number, size)
        if again.total_count != total:
            raise inconsistent(
                f"TotalCount was {total} on the first read but {again.total_count} on the "
                f"check read of page {number}",
                again.request_id,
            )
        if again.pairs != read_pages[number - 1].pairs:
            raise inconsistent(
                f"page {number} differed between the first read and the check read",
                again.request_id,
            )
        page = again
    return LookupResult(
        pairs=tuple(pairs),
        total_count=total,
        page_number=None,
        page_size=size,
        request_id=page.request_id,
        requests=caller.requests,
    )


def clear_client_cache() -> None:
    """Forget every cached client (for tests and credential rotation)."""
    with _CLIENTS_LOCK:
        _CLIENTS.clear()
