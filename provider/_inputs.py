"""Normalization and validation of the DescribeTags query (the resource's inputs).

:func:`validate_query` collects every failure (used by ``check``, where unknown preview values
are skipped); :func:`parse_query` raises :class:`QueryValidationError` (used by ``read``, which
the engine calls without ``check``). Nothing here talks to the network.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import InputFailure, QueryValidationError

#: ``ResourceType`` values: the seed's five, then the ones the current API added (case-sensitive).
RESOURCE_TYPES: tuple[str, ...] = (
    "disk",
    "instance",
    "image",
    "securitygroup",
    "snapshot",
    "volume",
    "eni",
    "ddh",
    "keypair",
    "launchtemplate",
    "reservedinstance",
    "snapshotpolicy",
)
#: The current API accepts Tag.1 .. Tag.20 (the seed said 5).
MAX_TAG_FILTERS = 20
MAX_PAGE_SIZE = 100
# \Z, not $: "$" also matches before a trailing newline.
REGION_ID_PATTERN = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+\Z")

#: Input property names, in the order they are reported.
INPUT_KEYS: tuple[str, ...] = (
    "region_id",
    "resource_type",
    "resource_id",
    "tag",
    "page_number",
    "page_size",
)
#: Output-only property names (present in the props bag as None so the attributes exist).
OUTPUT_ONLY_KEYS: tuple[str, ...] = ("request_id", "tag_map", "tags", "total_count", "values")
#: The property in which Pulumi stores the serialized provider; never part of the query.
PROVIDER_KEY = "__provider"


@dataclass(frozen=True)
class TagFilter:
    """One ``Tag.N`` filter: a key, and optionally the exact value it must have."""

    key: str
    value: str | None = None

    def to_output(self) -> dict[str, str | None]:
        """The filter as the ``{"key", "value"}`` mapping used in inputs and outputs."""
        return {"key": self.key, "value": self.value}


@dataclass(frozen=True)
class TagQuery:
    """A validated DescribeTags query. ``region_id`` None means "from config/environment"."""

    region_id: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    tags: tuple[TagFilter, ...] = ()
    page_number: int | None = None
    page_size: int | None = None

    def canonical(self) -> dict[str, Any]:
        """A JSON-ready canonical form (equal for equivalent spellings of the same query)."""
        return {
            "page_number": self.page_number,
            "page_size": self.page_size,
            "region_id": self.region_id,
            "resource_id": self.resource_id,
            "resource_type": self.resource_type,
            "tag": [t.to_output() for t in self.tags],
        }


def _is_unknown(value: Any) -> bool:
    # pulumi.output.Unknown, imported lazily so this module stays cheap to import.
    from pulumi.output import Unknown

    return isinstance(value, Unknown)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Collector:
    def __init__(self) -> None:
        self.failures: list[InputFailure] = []
        self.has_unknowns = False

    def fail(self, prop: str, reason: str) -> None:
        self.failures.append(InputFailure(prop, reason))


def _optional_str(c: _Collector, prop: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        c.fail(prop, f"got {_show(value)}; expected a string")
        return None
    return value


def _optional_int(c: _Collector, prop: str, value: Any, low: int, high: int | None) -> int | None:
    allowed = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    if value is None:
        return None
    # Pulumi sends numbers as floats over the wire: accept integral floats.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        c.fail(prop, f"got {_show(value)}; expected {allowed}")
        return None
    if value < low or (high is not None and value > high):
        c.fail(prop, f"got {value}; expected {allowed}")
        return None
    return value


def _resource_type(c: _Collector, value: Any) -> str | None:
    text = _optional_str(c, "resource_type", value)
    if text is None or text in RESOURCE_TYPES:
        return text
    allowed = ", ".join(RESOURCE_TYPES)
    lowered = text.lower().replace("_", "").replace("-", "").replace(" ", "")
    if lowered in RESOURCE_TYPES:
        suggestion = f' (values are case-sensitive: did you mean "{lowered}"?)'
    else:
        close = difflib.get_close_matches(lowered, RESOURCE_TYPES, n=1)
        suggestion = f' (did you mean "{close[0]}"?)' if close else ""
    c.fail("resource_type", f"got {text!r}; expected one of: {allowed}{suggestion}")
    return None


def _tag_filters(c: _Collector, value: Any) -> tuple[TagFilter, ...]:
    if value is None:
        return ()
    items: list[tuple[str, Any, Any]] = []  # (property path, key, value)
    if isinstance(value, Mapping):
        for key, val in value.items():
            items.append((f"tag[{key!r}]", key, val))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            prop = f"tag[{index}]"
            if _is_unknown(item):
                c.has_unknowns = True
                continue
            if not isinstance(item, Mapping):
                c.fail(prop, f'got {_show(item)}; expected a mapping {{"key": ..., "value": ...}}')
                continue
            extra = sorted(str(k) for k in item if k not in ("key", "value"))
            if extra:
                c.fail(prop, f'unknown field(s) {", ".join(extra)}; allowed: "key", "value"')
                continue
            items.append((prop, item.get("key"), item.get("value")))
    else:
        c.fail(
            "tag",
            f'got {_show(value)}; expected a list of {{"key": ..., "value": ...}} '
            "or a mapping of key to value",
        )
        return ()
    if len(items) > MAX_TAG_FILTERS:
        c.fail("tag", f"got {len(items)} tag filters; at most {MAX_TAG_FILTERS} are allowed")
        return ()
    filters: list[TagFilter] = []
    for prop, key, val in items:
        if _is_unknown(key) or _is_unknown(val):
            c.has_unknowns = True
            continue
        if key is None or key == "":
            if val is not None:
                c.fail(prop, f"got value {_show(val)} without a key; a value needs a key")
            else:
                c.fail(prop, "the tag key is missing or empty; a non-empty key is required")
            continue
        if not isinstance(key, str):
            c.fail(prop, f"got key {_show(key)}; expected a non-empty string")
            continue
        if val is not None and not isinstance(val, str):
            c.fail(prop, f"got value {_show(val)} for key {key!r}; expected a string or null")
            continue
        # An empty Tag.N.Value is an absent one for the API (the emulator models it so): say
        # so in the query, so both spellings share one id and one documented meaning.
        filters.append(TagFilter(key, val or None))
    return tuple(filters)


def _collect(props: Mapping[str, Any]) -> tuple[TagQuery, _Collector]:
    c = _Collector()
    known: dict[str, Any] = {}
    for name, value in props.items():
        if name == PROVIDER_KEY or name in OUTPUT_ONLY_KEYS:
            continue
        if name not in INPUT_KEYS:
            c.fail(name, f"unknown property (got {_show(value)}); allowed: {', '.join(INPUT_KEYS)}")
            continue
        if _is_unknown(value):
            c.has_unknowns = True
            continue
        known[name] = value

    region_id = _optional_str(c, "region_id", known.get("region_id"))
    if region_id is not None and not REGION_ID_PATTERN.match(region_id):
        c.fail(
            "region_id",
            f"got {region_id!r}; expected a region id such as cn-hangzhou or ap-southeast-1",
        )
        region_id = None
    resource_id = _optional_str(c, "resource_id", known.get("resource_id"))
    if resource_id is not None and not resource_id.strip():
        c.fail("resource_id", f"got {resource_id!r}; expected a non-empty resource id or null")
        resource_id = None
    query = TagQuery(
        region_id=region_id,
        resource_type=_resource_type(c, known.get("resource_type")),
        resource_id=resource_id,
        tags=_tag_filters(c, known.get("tag")),
        page_number=_optional_int(c, "page_number", known.get("page_number"), 1, None),
        page_size=_optional_int(c, "page_size", known.get("page_size"), 1, MAX_PAGE_SIZE),
    )
    return query, c


def validate_query(props: Mapping[str, Any]) -> list[InputFailure]:
    """Every failure in ``props``; unknown (preview) values are skipped, not reported."""
    return _collect(props)[1].failures


def parse_query(props: Mapping[str, Any]) -> TagQuery:
    """The validated query, or :class:`QueryValidationError` listing every failure.

    ``__provider`` and output-only keys (present on refresh) are ignored.
    """
    query, c = _collect(props)
    if c.failures:
        raise QueryValidationError(c.failures)
    if c.has_unknowns:
        raise QueryValidationError(
            [InputFailure("(inputs)", "a value is still unknown; the lookup cannot run yet")]
        )
    return query


def query_id(props: Mapping[str, Any]) -> str:
    """The resource id: a hash of the normalized query, so equivalent queries share an id.

    Invalid inputs still get a (different) deterministic id, so the read runs and reports the
    validation failures with their property names.
    """
    try:
        canonical: Any = parse_query(props).canonical()
    except QueryValidationError:
        canonical = {"invalid": {k: props.get(k) for k in INPUT_KEYS}}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=repr)
    return "ecs-tags-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
