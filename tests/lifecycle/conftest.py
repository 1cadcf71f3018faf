"""Fixtures for the lifecycle tests: the emulator with the sample data, and the config a stack
would carry to reach it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from lifecycle_data import SAMPLE

from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator


@pytest.fixture
def sample_emulator(ecs_emulator: Emulator) -> Iterator[Emulator]:
    """The session's emulator, reset, holding the sample data."""
    ecs_emulator.backend.load_file(SAMPLE)
    yield ecs_emulator


@pytest.fixture
def stack_config(sample_emulator: Emulator) -> dict[str, str]:
    """Plain stack config that points a program at the emulator."""
    return {
        "alicloud:region": "cn-hangzhou",
        "alicloud:endpoints": json.dumps([{"ecs": sample_emulator.url}]),
        "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
        # Bounded, quick retries so that fault tests finish fast.
        "alicloud:maxRetryTimeout": "5",
    }


@pytest.fixture
def stack_secrets() -> dict[str, str]:
    """Secret stack config, as `pulumi config set --secret` would hold it."""
    return {"alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET}


@pytest.fixture
def clean_env() -> dict[str, str]:
    """The environment without any Alibaba Cloud settings of the machine running the tests."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "ALICLOUD_"))
    }
