"""Helpers of the reliability suite: test data, an independent DescribeTags oracle, providers.

The oracle below is written from the API's documented behaviour (README "Emulator" and
``shared/notes``), not from the provider's or the emulator's code: a resource matches when it
has the type and id asked for and every filter (AND; a filter with no value, or an empty value,
matches every value of its key); from each matching resource the pairs whose key is filtered on
(all pairs without filters) are counted; pairs come back sorted by key, then value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LOOKUP_PROGRAM = ROOT / "tests" / "lifecycle" / "programs" / "lookup"
URN = "urn:pulumi:dev::reliability::pulumi-python:dynamic/alicloud:EcsTags::lookup"

#: The API's ResourceType values (lowercase) and the SDK's snake_case ResourceTypeCount names.
API_RESOURCE_TYPES: dict[str, str] = {
    "disk": "disk",
    "instance": "instance",
    "image": "image",
    "securitygroup": "securitygroup",
    "snapshot": "snapshot",
    "volume": "volume",
    "eni": "eni",
    "ddh": "ddh",
    "keypair": "key_pair",
    "launchtemplate": "launch_template",
    "reservedinstance": "reserved_instance",
    "snapshotpolicy": "snapshot_policy",
}
INPUT_NAMES = ("region_id", "resource_type", "resource_id", "tag", "page_number", "page_size")
MAX_INT32 = 2**31 - 1


@dataclass(frozen=True)
class Resource:
    """One tagged resource as put into the emulator's backend."""

    region: str
    type: str
    id: str
    tags: Mapping[str, str]


TAG_KEYS = ("env", "team", "app", "cost-center", "Owner", "ключ", "a b", "x/y")
TAG_VALUES = ("prod", "dev", "staging", "web", "db", "", "Ünïcode", "v 1", "42")


def dataset() -> list[Resource]:
    """A fixed, varied data set: every resource type, two regions, shared and unique pairs."""
    resources: list[Resource] = []
    types = list(API_RESOURCE_TYPES)
    for n in range(48):
        rtype = types[n % len(types)]
        tags: dict[str, str] = {}
        for k, key in enumerate(TAG_KEYS):
            if (n * 7 + k * 5 + n // 12) % 4 != 0:
                tags[key] = TAG_VALUES[(n * 7 + k * 3) % len(TAG_VALUES)]
        if n % 5 == 0:
            tags[f"only-{n}"] = f"u{n}"
        region = "cn-hangzhou" if n % 5 else "cn-shanghai"
        resources.append(Resource(region, rtype, f"{rtype[:3]}-{n:03d}", tags))
    resources.append(Resource("cn-hangzhou", "instance", "i-untagged", {}))
    return resources


def load(emu: Any, resources: Iterable[Resource]) -> None:
    """Put ``resources`` into the emulator's backend."""
    for r in resources:
        emu.backend.add_resource(r.region, r.type, r.id, dict(r.tags))


Pair = tuple[str, str]


def oracle_pairs(
    resources: Iterable[Resource],
    region: str,
    resource_type: str | None,
    resource_id: str | None,
    filters: list[tuple[str, str | None]],
) -> list[tuple[Pair, dict[str, int]]]:
    """The pairs DescribeTags reports (sorted), with per-type counts in snake_case names."""
    counts: dict[Pair, dict[str, int]] = {}
    for r in resources:
        if r.region != region:
            continue
        if resource_type is not None and r.type != resource_type:
            continue
        if resource_id is not None and r.id != resource_id:
            continue
        if not all(k in r.tags and (not v or r.tags[k] == v) for k, v in filters):
            continue
        for key, value in r.tags.items():
            if filters and not any(key == k and (not v or value == v) for k, v in filters):
                continue
            per_type = counts.setdefault((key, value), {})
            name = API_RESOURCE_TYPES[r.type]
            per_type[name] = per_type.get(name, 0) + 1
    return sorted(counts.items())


def got_pairs(outs: Mapping[str, Any]) -> list[tuple[Pair, dict[str, int]]]:
    """The provider's ``tags`` output in the oracle's form (zero counts dropped)."""
    return [
        (
            (t["tag_key"], t["tag_value"]),
            {k: int(v) for k, v in t["resource_type_count"].items() if v},
        )
        for t in outs["tags"]
    ]


def expected_requests(total: int, page_size: int) -> int:
    """Requests of an all-pages lookup: k pages, then pages k-1..1 again."""
    pages = max(1, math.ceil(total / page_size))
    return 2 * pages - 1


def host_env() -> dict[str, str]:
    """This process's environment without Alibaba Cloud settings (for a provider host)."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "ALICLOUD_"))
    }
