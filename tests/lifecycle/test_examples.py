"""Every program in examples/, run through the runner against the emulator, exports asserted;
and the demo command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from lifecycle_data import ROOT, Deploy, expected_values, sample_resources

from emulator import Emulator
from runner import Mode

EXAMPLES = ROOT / "examples"
REGION = "cn-hangzhou"


def test_every_example_is_tested() -> None:
    tested = {"tag-new-resources", "discover-tag-values", "require-tags", "multi-region"}
    present = {p.name for p in EXAMPLES.iterdir() if (p / "Pulumi.yaml").is_file()}
    assert present == tested
    readme = (EXAMPLES / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in present)


@pytest.mark.parametrize("mode", ["preview", "up"])
def test_tag_new_resources_feeds_tags_into_a_security_group(
    mode: Mode,
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    source = next(
        r
        for r in sample_resources(REGION)
        if r["type"] == "instance" and {"team", "cost-center"} <= r.get("tags", {}).keys()
    )
    config = {
        "tag-new-resources:sourceInstanceId": source["id"],
        "tag-new-resources:vpcId": "vpc-example",
    }
    result = deploy(EXAMPLES / "tag-new-resources", mode, config)
    assert result.ok, result.errors
    want = {k: source["tags"][k] for k in ("team", "cost-center")}
    assert result.outputs["copied_tags"] == want
    assert result.outputs["security_group_tags"] == want  # the group's input, known at preview
    assert result.ops() == {"source-instance-tags": "read", "app-sg": "create"}


def test_discover_tag_values_lists_every_value_with_counts(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    config = {"discover-tag-values:tagKey": "app"}
    result = deploy(EXAMPLES / "discover-tag-values", "preview", config)
    assert result.ok, result.errors
    values = expected_values(REGION, {"app": None})["app"]
    assert values and result.outputs["values"] == values
    counts: dict[str, int] = {}
    for res in sample_resources(REGION):
        if "app" in res.get("tags", {}):
            counts[res["tags"]["app"]] = counts.get(res["tags"]["app"], 0) + 1
    assert result.outputs["resources_per_value"] == counts
    assert result.outputs["total_count"] == len(values)


def test_require_tags_passes_when_every_tag_is_there_and_fails_otherwise(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    required = ["env", "team", "cost-center"]
    instance = next(
        r
        for r in sample_resources(REGION)
        if r["type"] == "instance" and set(required) <= r.get("tags", {}).keys()
    )
    config = {
        "require-tags:resourceId": instance["id"],
        "require-tags:requiredTags": json.dumps(required),
    }
    ok = deploy(EXAMPLES / "require-tags", "preview", config)
    assert ok.ok, ok.errors
    assert ok.outputs["verified_tags"] == sorted(required)

    stripped = {k: v for k, v in instance["tags"].items() if k != "cost-center"}
    sample_emulator.backend.set_tags(REGION, "instance", instance["id"], stripped)
    failed = deploy(EXAMPLES / "require-tags", "preview", config)
    assert not failed.ok
    [error] = failed.errors
    assert "missing required tag(s) cost-center" in error.message
    assert instance["id"] in error.message


def test_multi_region_looks_up_each_region(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    regions = ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]
    config = {
        "multi-region:regions": json.dumps(regions),
        "multi-region:tagKey": "env",
    }
    result = deploy(EXAMPLES / "multi-region", "up", config)
    assert result.ok, result.errors
    want = {r: expected_values(r, {"env": None}, "instance").get("env", []) for r in regions}
    assert all(want.values())
    assert result.outputs["values_by_region"] == want
    seen_regions = {rec.params["RegionId"] for rec in sample_emulator.requests}
    assert seen_regions == set(regions)


def test_make_demo_script_runs_preview_and_up_against_the_sample_data() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "Previewing update (dev)" in out and "Updating (dev)" in out
    for env_value in expected_values(REGION, {"env": None}, "instance")["env"]:
        assert f'"{env_value}"' in out
    assert "Demo complete" in out
