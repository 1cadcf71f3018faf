"""Fixtures for every test: no Alibaba Cloud setting of the machine leaks into a test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from provider._client import clear_client_cache
from tests.support import ENV_PREFIXES


@pytest.fixture(autouse=True)
def isolated_alibaba_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's Alibaba Cloud settings; SDK clients are rebuilt per test."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    clear_client_cache()
    yield
    clear_client_cache()
