"""The emulator's state: tagged resources per account and region, and the DescribeTags query.

Pure state and logic, no HTTP. Every public method takes the backend's lock, so the HTTP
server's handler threads and a test thread can use one :class:`Backend` at the same time.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator import _errors

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "KNOWN_REGIONS",
    "MAX_TAG_KEY_LENGTH",
    "MAX_TAG_VALUE_LENGTH",
    "RESOURCE_TYPES",
    "Backend",
    "DataFileError",
    "TagSummary",
]

#: The account that resources and credentials belong to unless told otherwise.
DEFAULT_ACCOUNT_ID = "default"

#: ``ResourceType`` values (lowercase, case-sensitive) -> their ``ResourceTypeCount`` field.
#: The first five are the seed's; the rest are the ones the current API added.
RESOURCE_TYPES: dict[str, str] = {
    "instance": "Instance",
    "disk": "Disk",
    "image": "Image",
    "securitygroup": "Securitygroup",
    "snapshot": "Snapshot",
    "volume": "Volume",
    "eni": "Eni",
    "ddh": "Ddh",
    "keypair": "KeyPair",
    "launchtemplate": "LaunchTemplate",
    "reservedinstance": "ReservedInstance",
    "snapshotpolicy": "SnapshotPolicy",
}

#: Public ECS regions (as DescribeRegions lists them); a data file may add more.
KNOWN_REGIONS: frozenset[str] = frozenset(
    {
        "cn-qingdao",
        "cn-beijing",
        "cn-zhangjiakou",
        "cn-huhehaote",
        "cn-wulanchabu",
        "cn-hangzhou",
        "cn-shanghai",
        "cn-nanjing",
        "cn-fuzhou",
        "cn-wuhan-lr",
        "cn-shenzhen",
        "cn-heyuan",
        "cn-guangzhou",
        "cn-chengdu",
        "cn-hongkong",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-southeast-1",
        "ap-southeast-3",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ap-south-1",
        "us-east-1",
        "us-west-1",
        "eu-west-1",
        "eu-central-1",
        "me-east-1",
        "me-central-1",
        "na-south-1",
    }
)

MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 128

_ResourceKey = tuple[str, str]  # (resource_type, resource_id)


class DataFileError(ValueError):
    """A data file or dict does not follow the documented schema; the message says where."""


@dataclass(frozen=True)
class TagSummary:
    """One distinct tag key/value pair and how many resources of each type carry it."""

    tag_key: str
    tag_value: str
    resource_type_count: dict[str, int] = field(default_factory=dict)

    def to_api(self) -> dict[str, Any]:
        """The ``Tags.Tag[]`` item as the API shapes it (every count field present)."""
        counts = {name: self.resource_type_count.get(name, 0) for name in RESOURCE_TYPES.values()}
        return {"TagKey": self.tag_key, "TagValue": self.tag_value, "ResourceTypeCount": counts}


def _check_resource_type(resource_type: str) -> None:
    if resource_type not in RESOURCE_TYPES:
        raise ValueError(
            f"unknown resource_type {resource_type!r}; expected one of {sorted(RESOURCE_TYPES)}"
        )


def _check_tags(tags: Mapping[str, str], where: str) -> dict[str, str]:
    checked: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key or len(key) > MAX_TAG_KEY_LENGTH:
            raise ValueError(f"{where}: tag key {key!r} must be a string of 1..128 characters")
        if not isinstance(value, str) or len(value) > MAX_TAG_VALUE_LENGTH:
            raise ValueError(
                f"{where}: tag {key!r} value {value!r} must be a string of 0..128 characters"
            )
        checked[key] = value
    return checked


class Backend:
    """Tagged ECS resources keyed by account and region; thread-safe.

    ``Backend()`` is empty (all public regions known, no resources). :meth:`from_dict` and
    :meth:`from_file` build one from the documented data-file schema and make that data the
    *baseline* that :meth:`reset` restores; :meth:`load_dict` / :meth:`load_file` merge more data
    in without moving the baseline (so a per-test reset empties a session emulator again).
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        # account -> region -> (type, id) -> tags
        self._state: dict[str, dict[str, dict[_ResourceKey, dict[str, str]]]] = {}
        self._extra_regions: set[str] = set()
        self._baseline: tuple[dict[str, dict[str, dict[_ResourceKey, dict[str, str]]]], set[str]]
        self._baseline = ({}, set())

    # --- construction and loading ---------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Backend:
        """A backend holding ``data`` (data-file schema) as its baseline."""
        backend = cls()
        backend.load_dict(data)
        backend.checkpoint()
        return backend

    @classmethod
    def from_file(cls, path: str | Path) -> Backend:
        """A backend holding the JSON data file at ``path`` as its baseline."""
        backend = cls()
        backend.load_file(path)
        backend.checkpoint()
        return backend

    def load_file(self, path: str | Path) -> None:
        """Merge a JSON data file into the current state (validated first; all or nothing)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DataFileError(f"{path}: cannot read data file: {exc.strerror}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataFileError(
                f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from exc
        try:
            self.load_dict(data)
        except DataFileError as exc:
            raise DataFileError(f"{path}: {exc}") from exc

    def load_dict(self, data: Mapping[str, Any]) -> None:
        """Merge ``data`` (data-file schema) into the current state (validated first)."""
        regions, resources = _parse_data(data)
        with self._lock:
            self._extra_regions.update(regions)
            for account_id, region_id, resource_type, resource_id, tags in resources:
                self._put(account_id, region_id, resource_type, resource_id, tags)

    def checkpoint(self) -> None:
        """Make the current state the baseline that :meth:`reset` restores."""
        with self._lock:
            self._baseline = (copy.deepcopy(self._state), set(self._extra_regions))

    def reset(self) -> None:
        """Restore the baseline (the data the backend was built from; empty for ``Backend()``)."""
        with self._lock:
            state, regions = self._baseline
            self._state = copy.deepcopy(state)
            self._extra_regions = set(regions)

    def clear(self) -> None:
        """Remove every resource and added region (the baseline is kept)."""
        with self._lock:
            self._state = {}
            self._extra_regions = set()

    def to_dict(self) -> dict[str, Any]:
        """The current state in the data-file schema (round-trips through :meth:`from_dict`)."""
        with self._lock:
            accounts: dict[str, Any] = {}
            for account_id, regions in sorted(self._state.items()):
                out_regions: dict[str, Any] = {}
                for region_id, resources in sorted(regions.items()):
                    out_regions[region_id] = [
                        {"type": rtype, "id": rid, "tags": dict(tags)}
                        for (rtype, rid), tags in sorted(resources.items())
                    ]
                accounts[account_id] = {"regions": out_regions}
            return {"regions": sorted(self._extra_regions), "accounts": accounts}

    # --- mutation -------------------------------------------------------------------------

    def add_region(self, region_id: str) -> None:
        """Make ``region_id`` known (public regions are known already)."""
        if not region_id:
            raise ValueError("region_id must be a non-empty string")
        with self._lock:
            self._extra_regions.add(region_id)

    def add_resource(
        self,
        region_id: str,
        resource_type: str,
        resource_id: str,
        tags: Mapping[str, str] | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        """Add (or replace) a resource with its tags; an unknown region becomes known."""
        _check_resource_type(resource_type)
        if not resource_id:
            raise ValueError("resource_id must be a non-empty string")
        checked = _check_tags(tags or {}, f"{resource_type} {resource_id}")
        with self._lock:
            if region_id not in KNOWN_REGIONS:
                self.add_region(region_id)
            self._put(account_id, region_id, resource_type, resource_id, checked)

    def set_tags(
        self,
        region_id: str,
        resource_type: str,
        resource_id: str,
        tags: Mapping[str, str],
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        """Replace the tags of an existing resource (``KeyError`` if there is none)."""
        checked = _check_tags(tags, f"{resource_type} {resource_id}")
        with self._lock:
            resources = self._resources(account_id, region_id)
            key = (resource_type, resource_id)
            if key not in resources:
                raise KeyError(f"no {resource_type} {resource_id!r} in {account_id}/{region_id}")
            resources[key] = checked

    def remove_resource(
        self,
        region_id: str,
        resource_type: str,
        resource_id: str,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        """Remove an existing resource (``KeyError`` if there is none)."""
        with self._lock:
            resources = self._resources(account_id, region_id)
            if resources.pop((resource_type, resource_id), None) is None:
                raise KeyError(f"no {resource_type} {resource_id!r} in {account_id}/{region_id}")

    def _put(
        self,
        account_id: str,
        region_id: str,
        resource_type: str,
        resource_id: str,
        tags: dict[str, str],
    ) -> None:
        regions = self._state.setdefault(account_id, {})
        regions.setdefault(region_id, {})[(resource_type, resource_id)] = dict(tags)

    def _resources(self, account_id: str, region_id: str) -> dict[_ResourceKey, dict[str, str]]:
        return self._state.get(account_id, {}).get(region_id, {})

    # --- queries --------------------------------------------------------------------------

    @property
    def regions(self) -> frozenset[str]:
        """Every region id DescribeTags accepts."""
        with self._lock:
            return KNOWN_REGIONS | frozenset(self._extra_regions)

    def resource_count(self, account_id: str | None = None) -> int:
        """How many resources there are (in one account, or in all)."""
        with self._lock:
            accounts = (
                [self._state.get(account_id, {})]
                if account_id is not None
                else list(self._state.values())
            )
            return sum(len(res) for regions in accounts for res in regions.values())

    def describe_tags(
        self,
        region_id: str,
        resource_type: str | None = None,
        resource_id: str | None = None,
        tag_filters: Iterable[tuple[str, str | None]] = (),
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> list[TagSummary]:
        """Distinct tag pairs of the matching resources, sorted by key then value.

        A resource matches when it has the type and id asked for (if any) and satisfies every
        filter (AND): ``(key, None)`` needs the key with any value, ``(key, value)`` that exact
        pair. From each matching resource the pairs that match at least one filter are counted
        (every pair when there are no filters). Raises :class:`EcsError` for an unknown region
        or resource type.
        """
        filters = list(tag_filters)
        if resource_type is not None and resource_type not in RESOURCE_TYPES:
            raise _errors.resource_type_not_found(resource_type)
        counts: dict[tuple[str, str], dict[str, int]] = {}
        with self._lock:
            if region_id not in KNOWN_REGIONS and region_id not in self._extra_regions:
                raise _errors.region_not_found(region_id)
            for (rtype, rid), tags in self._resources(account_id, region_id).items():
                if resource_type is not None and rtype != resource_type:
                    continue
                if resource_id is not None and rid != resource_id:
                    continue
                if not all(_matches(tags, key, value) for key, value in filters):
                    continue
                for key, value in tags.items():
                    if filters and not any(
                        key == fkey and (fvalue is None or value == fvalue)
                        for fkey, fvalue in filters
                    ):
                        continue
                    per_type = counts.setdefault((key, value), {})
                    name = RESOURCE_TYPES[rtype]
                    per_type[name] = per_type.get(name, 0) + 1
        return [
            TagSummary(key, value, per_type) for (key, value), per_type in sorted(counts.items())
        ]


def _matches(tags: Mapping[str, str], key: str, value: str | None) -> bool:
    if key not in tags:
        return False
    return value is None or tags[key] == value


# --- data-file schema -----------------------------------------------------------------------

_Row = tuple[str, str, str, str, dict[str, str]]


def _parse_data(data: Any) -> tuple[set[str], list[_Row]]:
    """Validate the data-file schema; return (extra regions, resource rows)."""
    if not isinstance(data, Mapping):
        raise DataFileError("the top level must be a JSON object")
    unknown = set(data) - {"regions", "accounts", "$schema", "description"}
    if unknown:
        raise DataFileError(
            f"unknown top-level key(s) {sorted(unknown)}; allowed: regions, accounts, description"
        )
    regions_raw = data.get("regions", [])
    if not isinstance(regions_raw, list) or not all(isinstance(r, str) and r for r in regions_raw):
        raise DataFileError('"regions" must be a list of non-empty region id strings')
    regions = set(regions_raw)
    accounts = data.get("accounts", {})
    if not isinstance(accounts, Mapping):
        raise DataFileError('"accounts" must be an object mapping account ids to accounts')
    rows: list[_Row] = []
    seen: set[tuple[str, str, str, str]] = set()
    for account_id, account in accounts.items():
        where = f"accounts.{account_id}"
        if not isinstance(account, Mapping) or set(account) - {"regions"}:
            raise DataFileError(f'{where} must be an object with one key, "regions"')
        by_region = account.get("regions", {})
        if not isinstance(by_region, Mapping):
            raise DataFileError(f"{where}.regions must be an object mapping region ids to lists")
        for region_id, resources in by_region.items():
            rwhere = f"{where}.regions.{region_id}"
            if region_id not in KNOWN_REGIONS and region_id not in regions:
                raise DataFileError(
                    f"{rwhere}: unknown region {region_id!r}; list it in the top-level "
                    '"regions" to add it'
                )
            if not isinstance(resources, list):
                raise DataFileError(f"{rwhere} must be a list of resources")
            for index, resource in enumerate(resources):
                rows.append(_parse_resource(resource, f"{rwhere}[{index}]", account_id, region_id))
                key = (account_id, region_id, rows[-1][2], rows[-1][3])
                if key in seen:
                    raise DataFileError(
                        f"{rwhere}[{index}]: duplicate resource {rows[-1][2]} {rows[-1][3]!r}"
                    )
                seen.add(key)
    return regions, rows


def _parse_resource(resource: Any, where: str, account_id: str, region_id: str) -> _Row:
    if not isinstance(resource, Mapping):
        raise DataFileError(f'{where} must be an object with "type", "id" and "tags"')
    unknown = set(resource) - {"type", "id", "tags", "name"}
    if unknown:
        raise DataFileError(f"{where}: unknown key(s) {sorted(unknown)}")
    rtype = resource.get("type")
    if rtype not in RESOURCE_TYPES:
        raise DataFileError(
            f"{where}.type: {rtype!r} is not a resource type; expected one of "
            f"{sorted(RESOURCE_TYPES)}"
        )
    rid = resource.get("id")
    if not isinstance(rid, str) or not rid:
        raise DataFileError(f"{where}.id must be a non-empty string")
    tags = resource.get("tags", {})
    if not isinstance(tags, Mapping):
        raise DataFileError(f"{where}.tags must be an object of string keys to string values")
    try:
        checked = _check_tags(tags, f"{where}.tags")
    except ValueError as exc:
        raise DataFileError(str(exc)) from exc
    return account_id, region_id, str(rtype), rid, checked
