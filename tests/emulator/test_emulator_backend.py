"""The backend without HTTP: filters, counts, schema validation, baseline and reset; public API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import emulator
from emulator import SAMPLE_DATA, Backend, DataFileError, EcsError, Emulator


@pytest.fixture
def backend() -> Backend:
    b = Backend()
    b.add_resource("cn-hangzhou", "instance", "i-1", {"env": "prod", "team": "web", "app": "x"})
    b.add_resource("cn-hangzhou", "instance", "i-2", {"env": "dev", "team": "web"})
    b.add_resource("cn-hangzhou", "disk", "d-1", {"env": "prod", "team": "db"})
    b.add_resource("cn-hangzhou", "securitygroup", "sg-1", {"env": "prod"})
    b.add_resource("cn-shanghai", "instance", "i-3", {"env": "prod"})
    return b


def pairs(b: Backend, **kwargs: Any) -> list[tuple[str, str, dict[str, int]]]:
    return [
        (t.tag_key, t.tag_value, t.resource_type_count)
        for t in b.describe_tags("cn-hangzhou", **kwargs)
    ]


def test_no_filter_lists_every_pair(backend: Backend) -> None:
    assert [(k, v) for k, v, _ in pairs(backend)] == [
        ("app", "x"),
        ("env", "dev"),
        ("env", "prod"),
        ("team", "db"),
        ("team", "web"),
    ]
    assert pairs(backend)[2][2] == {"Instance": 1, "Disk": 1, "Securitygroup": 1}


def test_key_only_filter_matches_every_value(backend: Backend) -> None:
    assert [(k, v) for k, v, _ in pairs(backend, tag_filters=[("env", None)])] == [
        ("env", "dev"),
        ("env", "prod"),
    ]


def test_filters_are_and_combined(backend: Backend) -> None:
    got = pairs(backend, tag_filters=[("env", "prod"), ("team", None)])
    assert [(k, v, c) for k, v, c in got] == [
        ("env", "prod", {"Instance": 1, "Disk": 1}),
        ("team", "db", {"Disk": 1}),
        ("team", "web", {"Instance": 1}),
    ]
    assert pairs(backend, tag_filters=[("env", "dev"), ("team", "db")]) == []


def test_resource_type_and_id_filters(backend: Backend) -> None:
    assert [(k, v) for k, v, _ in pairs(backend, resource_type="disk")] == [
        ("env", "prod"),
        ("team", "db"),
    ]
    assert [(k, v) for k, v, _ in pairs(backend, resource_id="i-2")] == [
        ("env", "dev"),
        ("team", "web"),
    ]
    assert pairs(backend, resource_type="disk", resource_id="i-2") == []


def test_regions_and_accounts_are_separate(backend: Backend) -> None:
    assert [t.tag_key for t in backend.describe_tags("cn-shanghai")] == ["env"]
    assert backend.describe_tags("ap-southeast-1") == []
    assert backend.describe_tags("cn-hangzhou", account_id="other") == []
    with pytest.raises(EcsError) as info:
        backend.describe_tags("mars-1")
    assert (info.value.code, info.value.status) == ("InvalidRegionId.NotFound", 404)


def test_mutations(backend: Backend) -> None:
    backend.set_tags("cn-hangzhou", "instance", "i-1", {"only": "this"})
    assert ("only", "this") in [(k, v) for k, v, _ in pairs(backend)]
    backend.remove_resource("cn-hangzhou", "instance", "i-1")
    with pytest.raises(KeyError):
        backend.remove_resource("cn-hangzhou", "instance", "i-1")
    with pytest.raises(KeyError):
        backend.set_tags("cn-hangzhou", "instance", "i-1", {})
    with pytest.raises(ValueError, match="resource_type"):
        backend.add_resource("cn-hangzhou", "Instance", "i-9")
    with pytest.raises(ValueError, match="tag key"):
        backend.add_resource("cn-hangzhou", "instance", "i-9", {"": "v"})
    backend.add_resource("xx-custom-1", "instance", "i-9", {"k": "v"})
    assert "xx-custom-1" in backend.regions


def test_baseline_and_reset() -> None:
    data = {
        "accounts": {
            "default": {
                "regions": {
                    "cn-hangzhou": [{"type": "instance", "id": "i-1", "tags": {"env": "prod"}}]
                }
            }
        }
    }
    b = Backend.from_dict(data)
    b.add_resource("cn-hangzhou", "disk", "d-1", {"x": "y"})
    b.reset()
    assert b.to_dict()["accounts"] == {
        "default": {
            "regions": {"cn-hangzhou": [{"type": "instance", "id": "i-1", "tags": {"env": "prod"}}]}
        }
    }
    empty = Backend()
    empty.load_dict(data)  # loading does not move the baseline ...
    empty.reset()
    assert empty.resource_count() == 0  # ... so a reset empties it again
    empty.load_dict(data)
    empty.checkpoint()
    empty.clear()
    empty.reset()
    assert empty.resource_count() == 1


def test_to_dict_round_trips_the_sample() -> None:
    b = Backend.from_file(SAMPLE_DATA)
    assert Backend.from_dict(b.to_dict()).to_dict() == b.to_dict()


def test_sample_data_is_realistic() -> None:
    b = Backend.from_file(SAMPLE_DATA)
    state = b.to_dict()["accounts"]
    regions = state["default"]["regions"]
    assert {"cn-hangzhou", "cn-shanghai", "ap-southeast-1"} <= set(regions)
    types = {r["type"] for rs in regions.values() for r in rs}
    assert {"instance", "disk", "image", "securitygroup", "snapshot"} <= types
    keys = {t.tag_key for region in regions for t in b.describe_tags(region)}
    assert {"env", "team", "app", "cost-center"} <= keys
    envs = {t.tag_value for t in b.describe_tags("cn-hangzhou", tag_filters=[("env", None)])}
    assert len(envs) >= 3
    assert len(state) >= 2  # more than one account


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "top level must be a JSON object"),
        ({"resources": []}, "unknown top-level key"),
        ({"regions": "cn-x"}, '"regions" must be a list'),
        ({"accounts": {"a": []}}, 'accounts.a must be an object with one key, "regions"'),
        (
            {"accounts": {"a": {"regions": {"mars-1": []}}}},
            "accounts.a.regions.mars-1: unknown region",
        ),
        ({"accounts": {"a": {"regions": {"cn-hangzhou": {}}}}}, "must be a list of resources"),
        (
            {"accounts": {"a": {"regions": {"cn-hangzhou": [{"type": "Instance", "id": "i"}]}}}},
            "accounts.a.regions.cn-hangzhou[0].type",
        ),
        (
            {"accounts": {"a": {"regions": {"cn-hangzhou": [{"type": "disk", "id": ""}]}}}},
            "[0].id must be a non-empty string",
        ),
        (
            {
                "accounts": {
                    "a": {
                        "regions": {"cn-hangzhou": [{"type": "disk", "id": "d", "tags": {"k": 1}}]}
                    }
                }
            },
            "value 1 must be a string",
        ),
        (
            {
                "accounts": {
                    "a": {"regions": {"cn-hangzhou": [{"type": "disk", "id": "d", "size": 1}]}}
                }
            },
            "unknown key(s) ['size']",
        ),
        (
            {
                "accounts": {
                    "a": {
                        "regions": {
                            "cn-hangzhou": [
                                {"type": "disk", "id": "d"},
                                {"type": "disk", "id": "d"},
                            ]
                        }
                    }
                }
            },
            "duplicate resource disk 'd'",
        ),
    ],
)
def test_schema_errors_say_where(data: Any, message: str) -> None:
    with pytest.raises(DataFileError) as info:
        Backend.from_dict(data)
    assert message in str(info.value)


def test_extra_regions_in_the_data_file(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(
        json.dumps(
            {
                "regions": ["xx-lab-1"],
                "accounts": {
                    "default": {
                        "regions": {
                            "xx-lab-1": [{"type": "ddh", "id": "dh-1", "tags": {"lab": "1"}}]
                        }
                    }
                },
            }
        )
    )
    b = Backend.from_file(path)
    assert b.describe_tags("xx-lab-1")[0].resource_type_count == {"Ddh": 1}


def test_public_api_matches_the_contract() -> None:
    contract = {
        "Backend",
        "Emulator",
        "Fault",
        "RequestRecord",
        "Credential",
        "DEFAULT_ACCESS_KEY_ID",
        "DEFAULT_ACCESS_KEY_SECRET",
        "AdminClient",
    }
    assert contract <= set(emulator.__all__)
    assert all(hasattr(emulator, name) for name in emulator.__all__)
    for name in emulator.__all__:
        obj = getattr(emulator, name)
        if callable(obj):
            assert obj.__doc__, name


def test_emulator_lifecycle_and_properties() -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError):
        _ = emu.url
    with emu:
        assert emu.running and emu.url == f"http://127.0.0.1:{emu.port}"
        assert emu.endpoint == f"127.0.0.1:{emu.port}"
        emu.start()  # idempotent
    assert not emu.running
    emu.stop()  # idempotent


def test_plugin_fixtures(ecs_emulator: Emulator, ecs_emulator_server: Emulator) -> None:
    assert ecs_emulator is ecs_emulator_server
    assert ecs_emulator.backend.resource_count() == 0
    assert ecs_emulator.requests == [] and ecs_emulator.faults == []


def test_sample_fixture(ecs_sample_emulator: Emulator) -> None:
    assert ecs_sample_emulator.backend.resource_count() > 100
