"""Whole deployments through the runner: the real provider host, the official SDK over HTTP,
and the emulator. Each test reads like a user's session with the CLI."""

from __future__ import annotations

import base64
import json

from lifecycle_data import PROGRAMS, ROOT, Deploy, expected_values, sample_resources

from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, Fault
from runner import UNKNOWN_OUTPUT

LOOKUP = PROGRAMS / "lookup"


def _ecs_calls(emu: Emulator) -> list[str]:
    return [r.action for r in emu.requests]


def test_preview_of_the_default_program_shows_known_tag_values(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    result = deploy(ROOT, "preview")
    assert result.ok, result.errors
    assert set(result.ops().values()) == {"read"}  # every lookup ran during the preview
    region = "cn-hangzhou"  # the stack_config fixture's
    envs = expected_values(region, {"env": None}, "instance")["env"]
    assert envs and result.outputs["instance_envs"] == envs
    teams = expected_values(region, {"env": "prod", "team": None}, "instance").get("team", [])
    assert teams and result.outputs["prod_instance_teams"] == teams
    disks: dict[str, int] = {}
    for res in sample_resources(region):
        if res["type"] == "disk" and "cost-center" in res.get("tags", {}):
            cc = res["tags"]["cost-center"]
            disks[cc] = disks.get(cc, 0) + 1
    assert disks and result.outputs["disks_per_cost_center"] == disks
    assert _ecs_calls(sample_emulator) == ["DescribeTags"] * 3
    assert result.state == []


def test_a_second_up_sees_tags_changed_in_the_cloud(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    config = {"lookup:resourceType": "instance", "lookup:tag": '[{"key": "env"}]'}
    first = deploy(LOOKUP, "up", config)
    assert first.ok, first.errors
    assert "staging-blue" not in first.outputs["values"]["env"]

    instance = next(r for r in sample_resources("cn-hangzhou") if r["type"] == "instance")
    sample_emulator.backend.set_tags(
        "cn-hangzhou", "instance", instance["id"], {**instance["tags"], "env": "staging-blue"}
    )
    second = deploy(LOOKUP, "up", config, state=first.state)
    assert second.ok, second.errors
    assert second.ops() == {"lookup": "read"}
    assert "staging-blue" in second.outputs["values"]["env"]
    assert second.outputs["request_id"] != first.outputs["request_id"]


def test_refresh_rereads_and_destroy_touches_nothing(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    config = {"lookup:resourceType": "disk"}
    up = deploy(LOOKUP, "up", config)
    assert up.ok, up.errors
    calls_after_up = len(sample_emulator.requests)

    refreshed = deploy(LOOKUP, "refresh", config, state=up.state)
    assert refreshed.ok, refreshed.errors
    assert refreshed.ops() == {"lookup": "refresh"}
    assert len(sample_emulator.requests) == calls_after_up + 1  # one page of disks

    before_destroy = len(sample_emulator.requests)
    data_before = sample_emulator.backend.to_dict()
    destroyed = deploy(LOOKUP, "destroy", config, state=refreshed.state)
    assert destroyed.ok, destroyed.errors
    assert destroyed.ops() == {"lookup": "forget"}
    assert "Delete" not in destroyed.provider_calls
    assert len(sample_emulator.requests) == before_destroy  # no call at all
    assert sample_emulator.backend.to_dict() == data_before
    assert {r.action for r in sample_emulator.requests} == {"DescribeTags"}  # never a write


def test_an_input_depending_on_an_unknown_output_is_read_during_up(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    instance = next(r for r in sample_resources("cn-hangzhou") if r["type"] == "instance")
    config = {"deferred:instanceId": instance["id"]}
    program = PROGRAMS / "deferred"
    preview = deploy(program, "preview", config)
    assert preview.ok, preview.errors
    assert preview.ops()["by-new-group"] == "read-deferred"
    assert preview.outputs["values"] == UNKNOWN_OUTPUT
    assert sample_emulator.requests == []

    up = deploy(program, "up", config)
    assert up.ok, up.errors
    assert up.ops()["by-new-group"] == "read"
    assert up.outputs["values"] == {k: [v] for k, v in sorted(instance["tags"].items())}


def test_a_bad_input_fails_the_preview_naming_the_property_with_no_api_call(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    result = deploy(LOOKUP, "preview", {"lookup:resourceType": "Instance"})
    assert not result.ok
    [error] = result.errors
    assert "resource_type" in error.message and "'Instance'" in error.message
    assert "instance" in error.message  # the suggestion
    assert "Traceback" not in error.message
    assert sample_emulator.requests == []


def test_api_errors_reach_the_user_with_code_and_request_id(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    config = {"lookup:regionId": "cn-nowhere-1", "lookup:resourceType": "disk"}
    result = deploy(LOOKUP, "preview", config)
    assert not result.ok
    [error] = result.errors
    [record] = sample_emulator.requests
    assert record.error_code == "InvalidRegionId.NotFound"
    assert "InvalidRegionId.NotFound" in error.message
    assert record.request_id in error.message
    assert "404" in error.message


def test_throttling_beyond_the_retry_budget_fails_with_the_code(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    sample_emulator.add_fault(Fault("throttling", count=1000))
    config = {"lookup:resourceType": "disk", "alicloud:maxRetryTimeout": "2"}
    result = deploy(LOOKUP, "preview", config)
    assert not result.ok
    [error] = result.errors
    assert "Throttling" in error.message
    last = sample_emulator.requests[-1]
    assert last.request_id in error.message
    assert 1 < len(sample_emulator.requests) < 50  # it retried, and it stopped


def test_no_credential_in_the_serialized_provider_or_the_state(
    sample_emulator: Emulator,
    deploy: Deploy,
) -> None:
    result = deploy(ROOT, "up")
    assert result.ok, result.errors
    secret = DEFAULT_ACCESS_KEY_SECRET
    state_text = json.dumps([vars(r) for r in result.state])
    assert secret not in state_text
    assert secret not in json.dumps(result.outputs) and secret not in result.log
    for res in result.state:
        field = res.inputs["__provider"]
        blob = field["value"] if isinstance(field, dict) else field
        assert secret.encode() not in base64.b64decode(blob)
    # The provider got its credentials from Configure, not from the serialized provider: the
    # emulator saw signed requests from the configured key.
    assert {r.access_key_id for r in sample_emulator.requests} == {DEFAULT_ACCESS_KEY_ID}
    assert all(r.status == 200 for r in sample_emulator.requests)
