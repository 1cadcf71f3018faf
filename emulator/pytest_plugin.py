"""pytest plugin: one emulator per session on an ephemeral port, reset for every test.

Fixtures:

* ``ecs_emulator_server`` (session): the running :class:`~emulator.Emulator`, empty backend,
  default credentials.
* ``ecs_emulator`` (function): the same emulator after :meth:`~emulator.Emulator.reset`
  (no resources, no requests, no faults, no nonces). Fails the test if the emulator hit an
  internal error while the test ran.
* ``ecs_sample_emulator`` (function): ``ecs_emulator`` with the shipped sample data loaded.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator import SAMPLE_DATA, Emulator


@pytest.fixture(scope="session")
def ecs_emulator_server() -> Iterator[Emulator]:
    """The session's emulator, started once on 127.0.0.1 and an ephemeral port."""
    emulator = Emulator()
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def ecs_emulator(ecs_emulator_server: Emulator) -> Iterator[Emulator]:
    """The session's emulator, reset to empty for this test."""
    ecs_emulator_server.reset()
    yield ecs_emulator_server
    ecs_emulator_server.check()


@pytest.fixture
def ecs_sample_emulator(ecs_emulator: Emulator) -> Emulator:
    """The session's emulator, reset, with ``emulator/data/sample.json`` loaded."""
    ecs_emulator.backend.load_file(SAMPLE_DATA)
    return ecs_emulator
