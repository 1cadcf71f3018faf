"""Fixtures for the lifecycle tests: the emulator with the sample data, and the config a stack
would carry to reach it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from lifecycle_data import SAMPLE, Deploy

from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator
from runner import Mode, ResourceState, RunResult, run


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


@pytest.fixture
def deploy(
    stack_config: dict[str, str], stack_secrets: dict[str, str], clean_env: dict[str, str]
) -> Deploy:
    """`deploy(program, mode, config=..., state=...)`: one runner run, as a stack would do it."""

    def _deploy(
        program: Path,
        mode: Mode,
        config: dict[str, str] | None = None,
        state: list[ResourceState] | None = None,
    ) -> RunResult:
        return run(
            program,
            mode,
            config={**stack_config, **(config or {})},
            secrets=stack_secrets,
            state=state,
            env=clean_env,
        )

    return _deploy
