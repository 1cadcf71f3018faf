"""Fixtures for the reliability suite: no developer settings leak in, clients rebuilt per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from provider._client import clear_client_cache

_ENV_PREFIXES = ("ALICLOUD_", "ALIBABA_CLOUD_")


@pytest.fixture(autouse=True)
def reliability_clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the machine's Alibaba Cloud settings; SDK clients are rebuilt per test."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(name)
    clear_client_cache()
    yield
    clear_client_cache()
