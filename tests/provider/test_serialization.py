"""The provider as Pulumi stores it: pickled by reference, with no credential inside."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from provider import DescribeTagsProvider
from tests.support import configured, emulator_config

ROOT = Path(__file__).resolve().parents[2]

FRESH_HOST = """
import base64, json, sys
import dill
from pulumi.dynamic import Config, ConfigureRequest

blob, config = json.loads(sys.stdin.read())
provider = dill.loads(base64.b64decode(blob))
assert getattr(provider, "_settings", None) is None, "settings survived pickling"
provider.configure(ConfigureRequest(Config(config, "test")))
result = provider.read("ecs-tags-x", {"__provider": blob, "resource_type": "instance"})
print(json.dumps({"type": type(provider).__module__ + "." + type(provider).__name__,
                  "values": result.outs["values"]}))
"""


def test_serialized_provider_holds_no_credentials_and_loads_in_a_fresh_host(
    ecs_emulator: Any,
) -> None:
    ecs_emulator.backend.add_resource(
        region_id="cn-hangzhou", resource_type="instance", resource_id="i-1", tags={"env": "prod"}
    )
    config = emulator_config(ecs_emulator, **{"alicloud:securityToken": None})
    provider = configured(config)
    assert provider.read("x", {"resource_type": "instance"}).outs is not None  # used once
    blob = serialize_provider(provider)
    raw = base64.b64decode(blob)
    for secret in (config["alicloud:accessKey"], config["alicloud:secretKey"]):
        assert secret.encode() not in raw
    assert b"provider._provider" in raw and b"DescribeTagsProvider" in raw
    # Deterministic: the same bytes as an unconfigured provider (no state leaks in).
    assert blob == serialize_provider(DescribeTagsProvider())

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-c", FRESH_HOST],
        input=json.dumps([blob, config]),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out == {"type": "provider._provider.DescribeTagsProvider", "values": {"env": ["prod"]}}


def test_provider_module_import_has_no_side_effects() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import sys; import provider; "
        "print(sorted(m for m in sys.modules if m.startswith(('alibabacloud_ecs', 'darabonba'))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    # The SDK is imported lazily, inside the operations.
    assert proc.stdout.strip() == "[]"
    assert proc.stderr == ""


def test_create_and_update_refuse_delete_forgets_diff_replaces() -> None:
    import pytest

    from provider import EcsTagsError

    provider = DescribeTagsProvider()
    with pytest.raises(EcsTagsError, match="read-only"):
        provider.create({"resource_type": "instance"})
    with pytest.raises(EcsTagsError, match="read-only"):
        provider.update("id", {}, {})
    assert provider.delete("id", {"resource_type": "instance"}) is None
    same = provider.diff(
        "id", {"resource_type": "disk"}, {"resource_type": "disk", "__provider": "p"}
    )
    assert same.changes is False
    changed = provider.diff("id", {"resource_type": "disk"}, {"resource_type": "instance"})
    assert changed.changes is True and changed.replaces == ["resource_type"]
