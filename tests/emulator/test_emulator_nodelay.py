"""The emulator answers without Nagle stalls: its connections have TCP_NODELAY set."""

from __future__ import annotations

import http.client
import socket
from typing import Any

import pytest

from emulator import Emulator
from emulator._server import _Handler


def test_accepted_connections_have_tcp_nodelay(
    ecs_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    original = _Handler.setup

    def setup(self: Any) -> None:
        original(self)
        seen.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(_Handler, "setup", setup)
    conn = http.client.HTTPConnection("127.0.0.1", ecs_emulator.port, timeout=10)
    try:
        for _ in range(2):  # two requests on one keep-alive connection
            conn.request("GET", "/?Action=DescribeTags")
            response = conn.getresponse()
            response.read()
            assert response.status == 400  # not signed: an error answer, promptly
    finally:
        conn.close()
    assert seen and all(value != 0 for value in seen)
