"""Helpers shared by the provider and reliability tests: providers aimed at an emulator.

Imported as `tests.support` (the repository root is on `sys.path`, see pyproject.toml).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import Config, ConfigureRequest

from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from provider import DescribeTagsProvider

#: Settings that keep retries fast in tests (through the provider's own config keys).
FAST_RETRIES = {
    "ecsTags:retryBaseDelay": "1",
    "ecsTags:retryMaxDelay": "5",
    "alicloud:clientConnectTimeout": "2000",
    "alicloud:clientReadTimeout": "5000",
}

#: Environment prefixes of Alibaba Cloud settings, which no test may inherit from the machine.
ENV_PREFIXES = ("ALICLOUD_", "ALIBABA_CLOUD_")


def emulator_config(emu: Any, **extra: str | None) -> dict[str, str]:
    """Stack config pointing at ``emu`` with its default credentials, plus ``extra``.

    An ``extra`` value of None removes that key.
    """
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


def configured(config: Mapping[str, str] | None) -> DescribeTagsProvider:
    """A provider configured as the dynamic host would (``None``: configure never called)."""
    provider = DescribeTagsProvider()
    if config is not None:
        provider.configure(ConfigureRequest(Config(raw_config=dict(config), project_name="test")))
    return provider


def describe_requests(emu: Any) -> list[Any]:
    """The DescribeTags requests the emulator received."""
    return [r for r in emu.requests if r.action == "DescribeTags"]


def read(provider: DescribeTagsProvider, **props: Any) -> dict[str, Any]:
    """``provider.read`` as the host calls it for a get; returns the outputs."""
    result = provider.read("ecs-tags-test", {"__provider": "serialized", **props})
    assert result.outs is not None
    assert result.id == "ecs-tags-test"
    return result.outs
