"""Provider test helpers: a clean environment, and providers aimed at the emulator."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from provider import DescribeTagsProvider
from provider._client import clear_client_cache

# Settings that keep retries fast in tests (through the provider's own config keys).
FAST_RETRIES = {
    "ecsTags:retryBaseDelay": "1",
    "ecsTags:retryMaxDelay": "5",
    "alicloud:clientConnectTimeout": "2000",
    "alicloud:clientReadTimeout": "5000",
}

_ENV_PREFIXES = ("ALICLOUD_", "ALIBABA_CLOUD_")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's Alibaba Cloud settings, and clients are rebuilt per test."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(name)
    clear_client_cache()
    yield
    clear_client_cache()


def emulator_config(emu: Any, **extra: str | None) -> dict[str, str]:
    """Stack config pointing at ``emu`` with its default credentials, plus ``extra``."""
    from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

    config: dict[str, str] = {
        "alicloud:region": "cn-hangzhou",
        "alicloud:endpoints": json.dumps([{"ecs": emu.url}]),
        "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
        "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
        **FAST_RETRIES,
    }
    for key, value in extra.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def configured(config: dict[str, str] | None) -> DescribeTagsProvider:
    """A provider configured as the dynamic host would (``None``: configure never called)."""
    provider = DescribeTagsProvider()
    if config is not None:
        provider.configure(ConfigureRequest(Config(raw_config=config, project_name="test")))
    return provider


@pytest.fixture
def make_provider(ecs_emulator: Any) -> Callable[..., DescribeTagsProvider]:
    """``make_provider(**config_overrides)``: a provider aimed at the function-scoped emulator."""

    def make(**extra: str | None) -> DescribeTagsProvider:
        return configured(
            emulator_config(ecs_emulator, **{k.replace("__", ":"): v for k, v in extra.items()})
        )

    return make


def describe_requests(emu: Any) -> list[Any]:
    """The DescribeTags requests the emulator received."""
    return [r for r in emu.requests if r.action == "DescribeTags"]


def read(provider: DescribeTagsProvider, **props: Any) -> dict[str, Any]:
    """``provider.read`` as the host calls it for a get; returns the outputs."""
    result = provider.read("ecs-tags-test", {"__provider": "serialized", **props})
    assert result.outs is not None
    assert result.id == "ecs-tags-test"
    return result.outs
