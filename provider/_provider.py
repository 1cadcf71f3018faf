"""``DescribeTagsProvider``: the dynamic provider behind :class:`provider.EcsTags`.

The resource is only ever *read* (the "get" pattern): ``read`` runs the lookup, ``delete``
forgets, ``create``/``update`` refuse. The provider object is pickled by reference into the
stack state; it keeps no state worth saving, and what ``configure`` stores (credentials
included) is dropped by ``__getstate__``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime import rpc

from ._client import LookupResult, describe_tags, get_client
from ._config import ProviderSettings, load_settings
from ._errors import ConfigurationError, EcsTagsError
from ._inputs import INPUT_KEYS, PROVIDER_KEY, TagQuery, parse_query, validate_query

_READ_ONLY = (
    "EcsTags is a read-only lookup (ECS DescribeTags): it is read with "
    "ResourceOptions(id=...) and never created or updated. Construct it through "
    "provider.EcsTags, which sets the id; nothing in the cloud is ever written."
)


def _plain(value: Any) -> Any:
    # Secret inputs may arrive wrapped (e.g. from the mock monitor); the query needs values.
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _strip(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in props.items() if k != PROVIDER_KEY}


def build_outputs(query: TagQuery, region_id: str, result: LookupResult) -> dict[str, Any]:
    """The resource's output properties for a lookup result."""
    tags = [
        {
            "tag_key": p.key,
            "tag_value": p.value,
            "resource_type_count": dict(p.resource_type_count),
        }
        for p in result.pairs
    ]
    values: dict[str, list[str]] = {}
    for p in result.pairs:
        values.setdefault(p.key, []).append(p.value)
    values = {k: sorted(set(v)) for k, v in sorted(values.items())}
    return {
        "region_id": region_id,
        "resource_type": query.resource_type,
        "resource_id": query.resource_id,
        "tag": [t.to_output() for t in query.tags],
        "page_number": result.page_number,
        "page_size": result.page_size,
        "total_count": result.total_count,
        "request_id": result.request_id,
        "tags": tags,
        "values": values,
        "tag_map": {k: v[0] for k, v in values.items() if len(v) == 1},
    }


class DescribeTagsProvider(ResourceProvider):
    """Dynamic provider running ECS ``DescribeTags`` for :class:`provider.EcsTags`.

    Settings come from ``configure`` (stack config, see the README) or, when the engine never
    calls it, from the environment alone. They are kept in memory only.
    """

    def __init__(self) -> None:
        super().__init__()
        self._settings: ProviderSettings | None = None

    # Pickling: the provider is stored in state; settings (credentials) must never be.
    def __getstate__(self) -> dict[str, Any]:
        return {"format": 1}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self._settings = None

    def configure(self, req: ConfigureRequest) -> None:
        """Read provider settings from the stack config (and environment fallbacks)."""
        self._settings = load_settings(req.config)

    def _current_settings(self) -> ProviderSettings:
        settings = getattr(self, "_settings", None)
        if settings is None:
            # Older engines do not call configure: fall back to the environment.
            settings = load_settings(None)
            self._settings = settings
        return settings

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs; one failure per property, unknown preview values skipped."""
        inputs = _strip(news)
        failures = [CheckFailure(f.property, f.reason) for f in validate_query(inputs)]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        """Compare queries: a different query is a different lookup (replace, never update)."""
        olds, news = _strip(_olds), _strip(_news)
        changed = [k for k in INPUT_KEYS if olds.get(k) != news.get(k)]
        if not changed:
            return DiffResult(changes=False, replaces=[], stables=[], delete_before_replace=False)
        return DiffResult(changes=True, replaces=changed, stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Refuse: the lookup is read, never created."""
        raise EcsTagsError(_READ_ONLY)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        """Refuse: the lookup is read, never updated."""
        raise EcsTagsError(_READ_ONLY)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Forget the lookup; nothing exists in the cloud to delete."""

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Run DescribeTags for the query in ``props`` (inputs on get, outputs on refresh)."""
        query = parse_query(_strip(props))
        settings = self._current_settings()
        region_id = query.region_id or settings.region_id
        if region_id is None:
            raise ConfigurationError(
                "no region: set the `region_id` input, the stack config `alicloud:region`, "
                "or ALICLOUD_REGION / ALIBABA_CLOUD_REGION_ID"
            )
        client = get_client(settings, region_id)
        result = describe_tags(client, settings, region_id, query)
        return ReadResult(id_, build_outputs(query, region_id, result))
