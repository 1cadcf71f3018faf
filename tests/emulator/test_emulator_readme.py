"""The README's Emulator example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

from emulator import Emulator

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_runs(ecs_sample_emulator: Emulator) -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- example -->\s*```python\n(.*?)```", text, re.S)
    assert match, "the example block is missing"
    code = match.group(1).replace("127.0.0.1:8080", ecs_sample_emulator.endpoint)
    namespace: dict[str, object] = {}
    exec(compile(code, str(README), "exec"), namespace)
    assert ecs_sample_emulator.requests[0].status == 200


def test_readme_names_the_default_credentials() -> None:
    from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

    text = README.read_text(encoding="utf-8")
    assert DEFAULT_ACCESS_KEY_ID in text and DEFAULT_ACCESS_KEY_SECRET in text


def test_readme_lists_every_fault_kind() -> None:
    from emulator import FAULT_KINDS

    text = README.read_text(encoding="utf-8")
    assert all(f"| `{kind}` |" in text for kind in FAULT_KINDS)


def test_readme_fixture_example_runs(ecs_emulator: Emulator) -> None:
    from alibabacloud_ecs20140526.client import Client

    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- fixture-example -->\s*```python\n(.*?)```", text, re.S)
    assert match, "the fixture example block is missing"
    namespace: dict[str, object] = {"ecs_emulator": ecs_emulator, "Client": Client}
    exec(compile(match.group(1), str(README), "exec"), namespace)
    assert ecs_emulator.backend.resource_count() == 1
    assert [f.kind for f in ecs_emulator.faults] == ["throttling"]
    ecs_emulator.reset()
