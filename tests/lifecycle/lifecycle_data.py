"""Paths and expected values for the lifecycle tests.

Expected values are computed here straight from the sample data file, independently of the
emulator's and the provider's code, so a bug in either shows up as a mismatch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from runner import Mode, ResourceState, RunResult

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "emulator" / "data" / "sample.json"
PROGRAMS = Path(__file__).parent / "programs"


def sample_resources(region: str, account: str = "default") -> list[dict[str, Any]]:
    """The resources of one region of the sample file, as written there."""
    data = json.loads(SAMPLE.read_text())
    resources: list[dict[str, Any]] = data["accounts"][account]["regions"].get(region, [])
    return resources


def expected_values(
    region: str, filters: dict[str, str | None], resource_type: str | None = None
) -> dict[str, list[str]]:
    """Key -> sorted values that DescribeTags should report, computed from the sample file.

    A resource matches when it satisfies every filter; from it, the pairs whose key is filtered
    on (all pairs when there is no filter) are reported.
    """
    found: dict[str, set[str]] = {}
    for res in sample_resources(region):
        if resource_type and res["type"] != resource_type:
            continue
        tags: dict[str, str] = res.get("tags", {})
        if not all(k in tags and (v is None or tags[k] == v) for k, v in filters.items()):
            continue
        for k, v in tags.items():
            if not filters or k in filters:
                found.setdefault(k, set()).add(v)
    return {k: sorted(v) for k, v in found.items()}


class Deploy(Protocol):
    """Run a program against the emulator with the stack's config; `config` adds or overrides."""

    def __call__(
        self,
        program: Path,
        mode: Mode,
        config: dict[str, str] | None = None,
        state: list[ResourceState] | None = None,
    ) -> RunResult: ...
