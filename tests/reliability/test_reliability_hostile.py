"""Item 2: hostile requests to the emulator over raw sockets.

Each one gets an error response (or, for a client that stalls mid-request, a close bounded by
the emulator's ``client_timeout``), and the emulator keeps serving well-behaved clients, during
and after the attack.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from emulator import Emulator

CLIENT_TIMEOUT = 1.0
DESCRIBE = b"/?Action=DescribeTags&Version=2014-05-26&RegionId=cn-hangzhou"


@pytest.fixture(scope="module")
def hostile_emulator() -> Iterator[Emulator]:
    """A dedicated emulator with a short client time-out, so stalled clients are cut quickly."""
    with Emulator(client_timeout=CLIENT_TIMEOUT) as emu:
        emu.backend.add_resource("cn-hangzhou", "instance", "i-1", {"env": "prod"})
        yield emu
        emu.check()


@dataclass
class Answer:
    status: int | None
    body: bytes
    elapsed: float
    closed: bool


def exchange(port: int, data: bytes, wait: float = 5.0, pause: float = 0.0) -> Answer:
    """Send ``data`` (byte by byte with ``pause`` between bytes when > 0); read one answer."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        try:
            if pause:
                for byte in data:
                    sock.sendall(bytes([byte]))
                    time.sleep(pause)
            else:
                sock.sendall(data)
        except OSError:
            pass  # the server may cut an oversized request before reading it all
        raw = b""
        closed = False
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    closed = True
                    break
                raw += chunk
                head, sep, body = raw.partition(b"\r\n\r\n")
                if sep:
                    length = _content_length(head)
                    if length is not None and len(body) >= length:
                        break
        except (TimeoutError, ConnectionResetError):
            closed = not raw
    status = None
    if raw.startswith(b"HTTP/1."):
        status = int(raw.split(b" ", 2)[1])
    return Answer(status, raw.partition(b"\r\n\r\n")[2], time.monotonic() - start, closed)


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return None


def sdk_call_works(emu: Emulator) -> None:
    """A normal, signed SDK call gets the right answer."""
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client

    client = Client(emu.sdk_config(read_timeout=5000, connect_timeout=2000))
    body = client.describe_tags(models.DescribeTagsRequest(region_id="cn-hangzhou")).body
    assert [(t.tag_key, t.tag_value) for t in body.tags.tag] == [("env", "prod")]


def _post(path: bytes, headers: dict[str, str], body: bytes) -> bytes:
    lines = [b"POST " + path + b" HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [f"{k}: {v}".encode("latin-1") for k, v in headers.items()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


HOSTILE: dict[str, tuple[bytes, set[int]]] = {
    "garbage V3 signature": (
        _post(
            DESCRIBE,
            {
                "Authorization": "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=zz",
                "Content-Length": "0",
            },
            b"",
        ),
        {400, 404},
    ),
    "unknown signature algorithm": (
        _post(DESCRIBE, {"Authorization": "Bearer abc", "Content-Length": "0"}, b""),
        {400},
    ),
    "non-latin bytes in the Authorization header": (
        b"POST "
        + DESCRIBE
        + b" HTTP/1.1\r\nHost: x\r\nAuthorization: ACS3-HMAC-SHA256 Credential=\xff\xfe,"
        b"SignedHeaders=host,Signature=\x00\x01\r\nContent-Length: 0\r\n\r\n",
        {400, 404},
    ),
    "garbage V1 signature": (
        b"GET " + DESCRIBE + b"&AccessKeyId=x&Signature=%00%ff&SignatureMethod=HMAC-SHA1"
        b"&Timestamp=yesterday HTTP/1.1\r\nHost: x\r\n\r\n",
        {400, 404},
    ),
    "non-UTF-8 percent-encoded parameters": (
        b"GET /?Action=DescribeTags&Version=2014-05-26&RegionId=%ff%fe&Tag.1.Key=%c0%80"
        b"&Signature=x&AccessKeyId=%C0 HTTP/1.1\r\nHost: x\r\n\r\n",
        {400, 404},
    ),
    "raw non-UTF-8 bytes in the request line": (
        b"GET /?Action=\xff\xfe&RegionId=\x80 HTTP/1.1\r\nHost: x\r\n\r\n",
        {400},
    ),
    "a 60 KB parameter value": (
        b"GET " + DESCRIBE + b"&ResourceId=" + b"x" * 60_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        {400},
    ),
    "a request line over 64 KB": (
        b"GET " + DESCRIBE + b"&ResourceId=" + b"x" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        {414},
    ),
    "a header over 64 KB": (
        b"GET " + DESCRIBE + b" HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n",
        {431},
    ),
    "a JSON body": (
        _post(
            b"/",
            {"Content-Type": "application/json", "Content-Length": "40"},
            json.dumps({"Action": "DescribeTags", "RegionId": "x"}).encode().ljust(40),
        ),
        {400},
    ),
    "an XML body": (
        _post(b"/", {"Content-Type": "text/xml", "Content-Length": "8"}, b"<a>b</a>"),
        {400},
    ),
    "a non-UTF-8 form body": (
        _post(
            b"/",
            {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "20"},
            b"Action=\xff\xfe&Version=\x80\x81\x82",
        ),
        {400},
    ),
    "a multipart body with no boundary": (
        _post(b"/", {"Content-Type": "multipart/form-data", "Content-Length": "5"}, b"--xx-"),
        {400},
    ),
    "a body over the 1 MB limit": (
        _post(DESCRIBE, {"Content-Length": str(5 << 20)}, b"a" * 1000),
        {400},
    ),
    "a negative Content-Length": (_post(DESCRIBE, {"Content-Length": "-5"}, b""), {400}),
    "a Content-Length that is not a number": (
        _post(DESCRIBE, {"Content-Length": "ten"}, b""),
        {400},
    ),
    "a malformed chunked body": (
        _post(DESCRIBE, {"Transfer-Encoding": "chunked"}, b"zz\r\nabc\r\n0\r\n\r\n"),
        {400},
    ),
    "a chunked body over the limit": (
        _post(DESCRIBE, {"Transfer-Encoding": "chunked"}, b"7fffffff\r\nabc"),
        {400},
    ),
    "binary garbage": (b"\x00\x01\x02\xff garbage\r\n\r\n", {400}),
    "an unknown method": (b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", {400, 405, 501}),
    "a path other than /": (b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", {400, 404}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_request_gets_an_error_and_the_emulator_keeps_serving(
    hostile_emulator: Emulator, name: str
) -> None:
    data, statuses = HOSTILE[name]
    answer = exchange(hostile_emulator.port, data)
    assert answer.status in statuses, (answer.status, answer.body[:300])
    assert answer.elapsed < 5.0
    sdk_call_works(hostile_emulator)
    hostile_emulator.check()


def test_a_body_shorter_than_its_content_length_is_answered_after_the_timeout(
    hostile_emulator: Emulator,
) -> None:
    data = _post(DESCRIBE, {"Content-Length": "100"}, b"abc")
    answer = exchange(hostile_emulator.port, data, wait=10.0)
    assert answer.status == 400, answer
    assert b"Content-Length" in answer.body and b"RequestId" in answer.body
    assert CLIENT_TIMEOUT * 0.9 <= answer.elapsed < CLIENT_TIMEOUT * 3 + 1
    sdk_call_works(hostile_emulator)


def test_a_client_closing_mid_body_does_not_hurt(hostile_emulator: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", hostile_emulator.port), timeout=5) as sock:
        sock.sendall(_post(DESCRIBE, {"Content-Length": "1000"}, b"abc"))
    sdk_call_works(hostile_emulator)
    time.sleep(0.2)
    hostile_emulator.check()


def test_slow_clients_are_cut_off_and_never_block_others(hostile_emulator: Emulator) -> None:
    """Eight clients send their headers byte by byte and then stall; meanwhile normal calls are
    served at once, and each stalled connection is closed within a bound."""
    head = b"GET " + DESCRIBE + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1"  # never finished
    answers: list[Answer] = []
    lock = threading.Lock()

    def slow(_: int) -> None:
        answer = exchange(hostile_emulator.port, head, wait=15.0, pause=0.002)
        with lock:
            answers.append(answer)

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(slow, n) for n in range(8)]
        time.sleep(0.3)  # the slow clients are connected and trickling
        started = time.monotonic()
        for _ in range(5):
            sdk_call_works(hostile_emulator)
        served_in = time.monotonic() - started
        for future in futures:
            future.result(timeout=30)
    assert served_in < 5.0
    assert len(answers) == 8
    for answer in answers:
        # Closed without an answer (a request with no end cannot be answered), in bounded time:
        # the trickle itself (~0.2 s) plus the client time-out.
        assert answer.closed and answer.status is None, answer
        assert answer.elapsed < len(head) * 0.01 + CLIENT_TIMEOUT * 3 + 1, answer
    sdk_call_works(hostile_emulator)


def test_an_idle_keep_alive_connection_is_closed(hostile_emulator: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", hostile_emulator.port), timeout=10) as sock:
        start = time.monotonic()
        assert sock.recv(1) == b""
        assert time.monotonic() - start < CLIENT_TIMEOUT * 3 + 1


def test_the_client_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="client_timeout"):
        Emulator(client_timeout=0)
