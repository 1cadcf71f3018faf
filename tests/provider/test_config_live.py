"""Configuration precedence and credential sources, verified by what the emulator received."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provider import ConfigurationError
from tests.support import FAST_RETRIES, configured, describe_requests, read

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "AK_CONFIG": "secret-config",
    "AK_ENV": "secret-env",
    "AK_CHAIN": "secret-chain",
    "AK_INI": "secret-ini",
}


@pytest.fixture(scope="module")
def multi_key_emulator() -> Iterator[Any]:
    """An emulator of its own that accepts several AccessKeys, to tell the sources apart."""
    from emulator import Credential, Emulator

    emu = Emulator(credentials=[Credential(k, s) for k, s in KEYS.items()])
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emu(multi_key_emulator: Any) -> Any:
    multi_key_emulator.reset()
    multi_key_emulator.backend.add_resource(
        region_id="cn-hangzhou", resource_type="instance", resource_id="i-1", tags={"env": "hz"}
    )
    multi_key_emulator.backend.add_resource(
        region_id="cn-shanghai", resource_type="instance", resource_id="i-2", tags={"env": "sh"}
    )
    multi_key_emulator.backend.add_resource(
        region_id="ap-southeast-1", resource_type="instance", resource_id="i-3", tags={"env": "sg"}
    )
    return multi_key_emulator


def base_config(emu: Any) -> dict[str, str]:
    return {"alicloud:endpoints": json.dumps({"ecs": emu.url}), **FAST_RETRIES}


def seen(emu: Any) -> tuple[str | None, str | None]:
    (request,) = describe_requests(emu)
    return request.access_key_id, request.params.get("RegionId")


def test_region_precedence_input_config_env(emu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", "AK_ENV")
    monkeypatch.setenv("ALICLOUD_SECRET_KEY", "secret-env")
    monkeypatch.setenv("ALICLOUD_REGION", "ap-southeast-1")
    with_config = configured({**base_config(emu), "alicloud:region": "cn-shanghai"})
    assert read(with_config, region_id="cn-hangzhou")["values"] == {"env": ["hz"]}
    assert seen(emu)[1] == "cn-hangzhou"
    emu.clear_requests()
    assert read(with_config)["values"] == {"env": ["sh"]}
    assert seen(emu)[1] == "cn-shanghai"
    emu.clear_requests()
    outs = read(configured(base_config(emu)))
    assert outs["region_id"] == "ap-southeast-1" and outs["values"] == {"env": ["sg"]}


def test_missing_region_is_a_clear_error_before_any_request(emu: Any) -> None:
    provider = configured(
        {**base_config(emu), "alicloud:accessKey": "AK_CONFIG", "alicloud:secretKey": "x"}
    )
    with pytest.raises(ConfigurationError, match="alicloud:region"):
        read(provider)
    assert emu.requests == []


def test_credentials_from_config_win_over_env(emu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", "AK_ENV")
    monkeypatch.setenv("ALICLOUD_SECRET_KEY", "secret-env")
    config = {
        **base_config(emu),
        "alicloud:region": "cn-hangzhou",
        "alicloud:accessKey": "AK_CONFIG",
        "alicloud:secretKey": "secret-config",
    }
    read(configured(config))
    assert seen(emu) == ("AK_CONFIG", "cn-hangzhou")


def test_credentials_and_everything_from_env_without_configure(
    emu: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALICLOUD_ACCESS_KEY", "AK_ENV")
    monkeypatch.setenv("ALICLOUD_SECRET_KEY", "secret-env")
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "cn-shanghai")
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_ENDPOINT", emu.url)
    outs = read(configured(None))  # an engine that never calls configure
    assert outs["values"] == {"env": ["sh"]}
    assert seen(emu) == ("AK_ENV", "cn-shanghai")


def test_endpoint_policy_refuses_before_any_request(emu: Any) -> None:
    config = {
        **base_config(emu),
        "alicloud:endpoints": json.dumps([{"ecs": "http://ecs.example.com"}]),
    }
    with pytest.raises(ConfigurationError, match="only allowed for loopback"):
        configured(config)
    with pytest.raises(ConfigurationError, match="scheme"):
        configured({**config, "alicloud:endpoints": '[{"ecs": "tcp://127.0.0.1:1"}]'})
    assert emu.requests == []


def run_isolated(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter: alibabacloud_credentials reads env at import."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALICLOUD_", "ALIBABA_CLOUD_")) and k != "PYTHONPATH"
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def chain_script(config: dict[str, str]) -> str:
    return (
        "import json\n"
        "from pulumi.dynamic import Config, ConfigureRequest\n"
        "from provider import DescribeTagsProvider\n"
        "provider = DescribeTagsProvider()\n"
        f"provider.configure(ConfigureRequest(Config({config!r}, 'test')))\n"
        "outs = provider.read('ecs-tags-x', {'resource_type': 'instance'}).outs\n"
        "print(json.dumps(outs['values']))\n"
    )


def test_default_chain_env_variables(emu: Any, tmp_path: Path) -> None:
    config = {**base_config(emu), "alicloud:region": "cn-hangzhou"}
    proc = run_isolated(
        chain_script(config),
        {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "AK_CHAIN",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "secret-chain",
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
            "HOME": str(tmp_path),
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"env": ["hz"]}
    assert seen(emu) == ("AK_CHAIN", "cn-hangzhou")


def test_default_chain_credentials_file(emu: Any, tmp_path: Path) -> None:
    ini = tmp_path / "credentials.ini"
    ini.write_text(
        "[default]\nenable = true\ntype = access_key\n"
        "access_key_id = AK_INI\naccess_key_secret = secret-ini\n"
    )
    config = {**base_config(emu), "alicloud:region": "cn-hangzhou"}
    proc = run_isolated(
        chain_script(config),
        {
            "ALIBABA_CLOUD_CREDENTIALS_FILE": str(ini),
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
            "ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true",
            "HOME": str(tmp_path),
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert seen(emu) == ("AK_INI", "cn-hangzhou")


def test_no_credentials_anywhere_is_a_readable_error(emu: Any, tmp_path: Path) -> None:
    config = {**base_config(emu), "alicloud:region": "cn-hangzhou"}
    proc = run_isolated(
        chain_script(config),
        {
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
            "ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true",
            "HOME": str(tmp_path),
        },
    )
    assert proc.returncode != 0
    assert "ConfigurationError: no usable credentials" in proc.stderr
    assert "alicloud:accessKey" in proc.stderr
    assert emu.requests == [] or all(r.action != "DescribeTags" for r in emu.requests)
