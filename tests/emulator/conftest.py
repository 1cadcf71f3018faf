"""Fixtures for the emulator tests: a parametrized official client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from emulator import Emulator
from tests.emulator._clients import CLIENT_KINDS, call


@pytest.fixture(params=CLIENT_KINDS)
def client_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def describe(ecs_emulator: Emulator, client_kind: str) -> Callable[..., dict[str, Any]]:
    """``describe(RegionId=..., Tag=[{"Key": ..}])`` through the parametrized client."""

    def run(**params: Any) -> dict[str, Any]:
        return call(client_kind, ecs_emulator, params)

    return run
