"""Provider test fixtures: providers aimed at the function-scoped emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from provider import DescribeTagsProvider
from tests.support import configured, emulator_config


@pytest.fixture
def make_provider(ecs_emulator: Any) -> Callable[..., DescribeTagsProvider]:
    """``make_provider(**config_overrides)``: a provider aimed at the function-scoped emulator.

    Keyword names use ``__`` for ``:`` (``ecsTags__maxAttempts="2"``).
    """

    def make(**extra: str | None) -> DescribeTagsProvider:
        return configured(
            emulator_config(ecs_emulator, **{k.replace("__", ":"): v for k, v in extra.items()})
        )

    return make
