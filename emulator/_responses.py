"""ECS actions: parse an action's parameters, ask the backend, shape the JSON result.

Only ``DescribeTags`` (version ``2014-05-26``) is implemented; :data:`ACTIONS` is the routing
table the server consults, so an unknown action gets ``InvalidAction.NotFound``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator import _errors
from emulator._models import MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH, Backend

__all__ = [
    "ACTIONS",
    "ECS_VERSION",
    "MAX_PAGE_SIZE",
    "MAX_TAG_FILTERS",
    "DescribeTagsQuery",
    "Overrides",
    "describe_tags",
    "parse_describe_tags",
]

#: The only API version ECS has.
ECS_VERSION = "2014-05-26"
#: ``Tag.N``: N runs from 1 to this (the current API; the seed said 5).
MAX_TAG_FILTERS = 20
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
_MAX_INT32 = 2**31 - 1
_TAG_PARAM = re.compile(r"^Tag\.([^.]*)\.(Key|Value)$")


@dataclass(frozen=True)
class DescribeTagsQuery:
    """A validated DescribeTags request."""

    region_id: str
    resource_type: str | None
    resource_id: str | None
    tag_filters: tuple[tuple[str, str | None], ...]
    page_number: int
    page_size: int


@dataclass(frozen=True)
class Overrides:
    """Fault-driven changes to a normal answer."""

    repeat_first_page: bool = False
    extra_total: int = 0


def _int_param(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.strip(), 10)
    except ValueError:
        raise _errors.invalid_parameter(name, f"{raw!r} is not an integer.") from None
    if not low <= value <= high:
        raise _errors.invalid_parameter(name, f"{value} is out of range [{low}, {high}].")
    return value


def parse_describe_tags(params: Mapping[str, str]) -> DescribeTagsQuery:
    """Validate DescribeTags parameters in the order the service reports problems."""
    region_id = params.get("RegionId", "")
    if not region_id:
        raise _errors.missing_parameter("RegionId")
    # ResourceType is optional, as in the current API: the SDK marks it so, and leaving it out
    # lists every type. When given it must be one of the lowercase values, case-sensitively.
    resource_type = params.get("ResourceType") or None
    resource_id = params.get("ResourceId") or None

    keys: dict[int, str] = {}
    values: dict[int, str] = {}
    for name, value in params.items():
        match = _TAG_PARAM.match(name)
        if match is None:
            continue
        index_text, part = match.groups()
        if not index_text.isdigit() or int(index_text) < 1:
            raise _errors.invalid_parameter(name, "Tag.N needs N from 1.")
        index = int(index_text)
        if index > MAX_TAG_FILTERS:
            raise _errors.tag_count(MAX_TAG_FILTERS)
        (keys if part == "Key" else values)[index] = value
    filters: list[tuple[str, str | None]] = []
    for index in sorted(set(keys) | set(values)):
        key = keys.get(index, "")
        if not key or len(key) > MAX_TAG_KEY_LENGTH:
            raise _errors.tag_key_malformed(index)
        tag_value = values.get(index)
        if tag_value is not None and len(tag_value) > MAX_TAG_VALUE_LENGTH:
            raise _errors.tag_value_malformed(index)
        # An empty value filters like an absent one: every value of the key.
        filters.append((key, tag_value or None))

    page_number = _int_param(params, "PageNumber", 1, 1, _MAX_INT32)
    page_size = _int_param(params, "PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    return DescribeTagsQuery(
        region_id=region_id,
        resource_type=resource_type,
        resource_id=resource_id,
        tag_filters=tuple(filters),
        page_number=page_number,
        page_size=page_size,
    )


def describe_tags(
    backend: Backend,
    account_id: str,
    params: Mapping[str, str],
    request_id: str,
    overrides: Overrides = Overrides(),
) -> dict[str, Any]:
    """Run DescribeTags and return the response body."""
    query = parse_describe_tags(params)
    tags = backend.describe_tags(
        region_id=query.region_id,
        resource_type=query.resource_type,
        resource_id=query.resource_id,
        tag_filters=query.tag_filters,
        account_id=account_id,
    )
    page = 1 if overrides.repeat_first_page else query.page_number
    start = (page - 1) * query.page_size
    items = tags[start : start + query.page_size]
    return {
        "RequestId": request_id,
        "PageNumber": query.page_number,
        "PageSize": query.page_size,
        "TotalCount": len(tags) + overrides.extra_total,
        "Tags": {"Tag": [item.to_api() for item in items]},
    }


#: (version, action) -> handler(backend, account_id, params, request_id, overrides).
ACTIONS: dict[
    tuple[str, str], Callable[[Backend, str, Mapping[str, str], str, Overrides], dict[str, Any]]
] = {
    (ECS_VERSION, "DescribeTags"): describe_tags,
}
