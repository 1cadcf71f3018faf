"""The HTTP transport: a threaded server that speaks the ECS RPC protocol and the admin API.

One request flows: read -> planned fault? -> route (Action/Version) -> authenticate -> action ->
serialize. Every answer to an ECS request carries a ``RequestId`` (JSON body and the
``x-acs-request-id`` header), and every failure goes through :func:`emulator._errors.error_body`.
Paths under ``/_emulator/`` are the admin API; ECS itself only serves ``/``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from emulator import _errors
from emulator._auth import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    V1_PROTOCOL_PARAMS,
    Authenticator,
    Credential,
    Identity,
)
from emulator._faults import Fault, FaultQueue
from emulator._models import Backend, DataFileError
from emulator._records import RequestLog, RequestRecord
from emulator._responses import ACTIONS, ECS_VERSION, Overrides

__all__ = ["ADMIN_PREFIX", "Emulator"]

#: Admin API paths start with this; ECS RPC calls always use ``/``.
ADMIN_PREFIX = "/_emulator/"
_MAX_BODY_BYTES = 1 << 20
#: Seconds a client may stay silent mid-request (or idle on keep-alive) before being dropped.
DEFAULT_CLIENT_TIMEOUT = 30.0
_JSON = "application/json;charset=utf-8"
_HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
#: Headers kept in request records (the signing ones; not Authorization's signature).
_RECORDED_HEADERS = ("x-acs-action", "x-acs-version", "user-agent", "content-type")


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = _JSON
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


def _json_reply(status: int, payload: Any, request_id: str | None = None) -> _Reply:
    headers = {"x-acs-request-id": request_id} if request_id else {}
    return _Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers=headers)


class Emulator:
    """A local ECS endpoint: the official SDKs talk to it as to ``ecs.aliyuncs.com``.

    ``credentials=None`` accepts only the documented default pair
    (:data:`DEFAULT_ACCESS_KEY_ID` / :data:`DEFAULT_ACCESS_KEY_SECRET`). Use as a context
    manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        backend: Backend | None = None,
        credentials: Iterable[Credential] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        client_timeout: float = DEFAULT_CLIENT_TIMEOUT,
    ) -> None:
        if not client_timeout > 0:
            raise ValueError(f"client_timeout must be > 0 seconds, got {client_timeout!r}")
        self.backend = backend if backend is not None else Backend()
        #: Seconds a client may stay silent while sending a request (headers or body) or idle
        #: between keep-alive requests; then the connection is answered (body) or closed.
        self.client_timeout = client_timeout
        creds = list(credentials) if credentials is not None else []
        if not creds:
            creds = [Credential(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)]
        self.credentials: list[Credential] = creds
        self._auth = Authenticator(creds)
        self._log = RequestLog()
        self._faults = FaultQueue()
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._internal_errors: list[BaseException] = []
        self._errors_lock = threading.Lock()
        self._hook: Callable[[RequestRecord], None] | None = None
        self._in_flight_lock = threading.Lock()
        self._in_flight = 0
        self._peak_in_flight = 0

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Bind and serve in a daemon thread (idempotent)."""
        if self._server is not None:
            return
        server_class = _Server6 if ":" in self._host else _Server
        server = server_class((self._host, self._port), _Handler)
        server.emulator = self
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"ecs-emulator:{self._port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        return self._port

    @property
    def endpoint(self) -> str:
        """``host:port``, what tea-openapi's ``Config(endpoint=..., protocol="http")`` wants."""
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self._port}"

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:43121``."""
        return f"http://{self.endpoint}"

    # --- test controls --------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """Every ECS request answered so far (a copy, oldest first)."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        """Forget the recorded requests (and the in-flight peak)."""
        self._log.clear()
        with self._in_flight_lock:
            self._peak_in_flight = self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """The most ECS requests being handled at the same time since the last reset."""
        with self._in_flight_lock:
            return self._peak_in_flight

    def on_request(self, callback: Callable[[RequestRecord], None] | None) -> None:
        """Call ``callback(record)`` after each ECS request is recorded (``None`` removes it).

        In-process only (not in the admin API). The callback runs in the handler thread after
        the answer is decided and before it is sent, so whatever it changes (e.g. the backend's
        tags) is what the *next* request sees: a test can change data between two pages. An
        exception in the callback is an internal error (see :meth:`check`); the answer is still
        sent. :meth:`reset` removes the callback.
        """
        self._hook = callback

    def add_fault(self, fault: Fault) -> None:
        """Plan ``fault`` for the next ECS request(s), after the faults already planned."""
        self._faults.add(fault)

    @property
    def faults(self) -> list[Fault]:
        """The faults still planned (``count`` is what remains)."""
        return self._faults.pending()

    def clear_faults(self) -> None:
        """Drop every planned fault."""
        self._faults.clear()

    def reset(self) -> None:
        """Clear requests, faults, nonces and internal errors; restore the backend's baseline."""
        self._log.clear()
        self._faults.clear()
        self._auth.clear_nonces()
        self._hook = None
        with self._in_flight_lock:
            self._peak_in_flight = self._in_flight
        with self._errors_lock:
            self._internal_errors.clear()
        self.backend.reset()

    def check(self) -> None:
        """Re-raise (as ``AssertionError``) the first exception the emulator hit internally.

        Internal failures are answered with ``InternalError`` 500; this surfaces them in the test.
        """
        with self._errors_lock:
            errors = list(self._internal_errors)
        if errors:
            raise AssertionError(f"the emulator failed internally: {errors[0]!r}") from errors[0]

    def sdk_config(self, signature_algorithm: str | None = None, **overrides: Any) -> Any:
        """A tea-openapi ``Config`` pointing at this emulator with its first credential.

        ``signature_algorithm="v2"`` makes the SDK use the RPC (V1, HMAC-SHA1) style.
        """
        from alibabacloud_tea_openapi.utils_models import Config

        credential = self.credentials[0]
        values: dict[str, Any] = {
            "access_key_id": credential.access_key_id,
            "access_key_secret": credential.access_key_secret,
            "security_token": credential.security_token,
            "endpoint": self.endpoint,
            "protocol": "http",
            "region_id": "cn-hangzhou",
            "signature_algorithm": signature_algorithm,
        }
        values.update(overrides)
        return Config(**values)

    # --- request handling (called from handler threads) -----------------------------------

    def _internal_error(self, exc: BaseException) -> None:
        with self._errors_lock:
            self._internal_errors.append(exc)
        traceback.print_exception(exc, file=sys.stderr)

    def _handle_ecs(
        self, method: str, path: str, query: str, headers: dict[str, list[str]], body: bytes
    ) -> _Reply:
        with self._in_flight_lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            return self._handle_ecs_counted(method, path, query, headers, body)
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def _handle_ecs_counted(
        self, method: str, path: str, query: str, headers: dict[str, list[str]], body: bytes
    ) -> _Reply:
        request_id = str(uuid.uuid4()).upper()
        url_params = dict(parse_qsl(query, keep_blank_values=True))
        params = dict(url_params)
        content_type = (headers.get("content-type") or [""])[-1]
        if body and content_type.lower().startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        authorization = (headers.get("authorization") or [""])[-1]
        is_v3 = bool(authorization)
        if is_v3:
            action = _header(headers, "x-acs-action") or params.get("Action")
            version = _header(headers, "x-acs-version") or params.get("Version")
            access_key_id = _credential_from_authorization(authorization)
            signature: str | None = "v3"
        else:
            action = params.get("Action")
            version = params.get("Version")
            access_key_id = params.get("AccessKeyId")
            signature = "v1" if "Signature" in params else None
        business = {k: v for k, v in params.items() if k not in V1_PROTOCOL_PARAMS}
        identity: Identity | None = None

        fault = self._faults.take()
        if fault is not None and fault.delay > 0:
            time.sleep(fault.delay)
        overrides = Overrides(
            repeat_first_page=fault is not None and fault.kind == "repeat_page",
            extra_total=1000 if fault is not None and fault.kind == "inflate_total" else 0,
        )
        try:
            reply = self._fault_reply(fault, request_id)
            if reply is None:
                try:
                    identity = self._authenticate_and_route(
                        method, path, url_params, params, headers, body, is_v3, action, version
                    )
                    handler = ACTIONS[(ECS_VERSION, str(action))]
                    result = handler(
                        self.backend, identity.account_id, business, request_id, overrides
                    )
                    reply = _json_reply(200, result, request_id)
                except _errors.EcsError as exc:
                    reply = _json_reply(exc.status, _errors.error_body(exc, request_id), request_id)
                if fault is not None and fault.kind == "truncated":
                    reply.body = reply.body[: max(1, len(reply.body) // 2)]
        except Exception as exc:  # the emulator's own bug: answer like the service would
            self._internal_error(exc)
            error = _errors.internal_error()
            reply = _json_reply(500, _errors.error_body(error, request_id), request_id)

        error_code: str | None = None
        if reply.status >= 400 and reply.content_type == _JSON:
            try:
                error_code = json.loads(reply.body).get("Code")
            except ValueError:
                error_code = None
        record = RequestRecord(
            action=action,
            version=version,
            params=business,
            access_key_id=access_key_id,
            status=0 if reply.drop else reply.status,
            error_code=error_code,
            request_id=request_id,
            signature=signature,
            method=method,
            fault=fault.kind if fault is not None else None,
            account_id=identity.account_id if identity is not None else None,
            headers={n: headers[n][-1] for n in _RECORDED_HEADERS if n in headers},
        )
        self._log.append(record)
        hook = self._hook
        if hook is not None:
            try:
                hook(record)
            except Exception as exc:
                self._internal_error(exc)
        return reply

    def _authenticate_and_route(
        self,
        method: str,
        path: str,
        url_params: dict[str, str],
        params: dict[str, str],
        headers: dict[str, list[str]],
        body: bytes,
        is_v3: bool,
        action: str | None,
        version: str | None,
    ) -> Identity:
        if method not in ("GET", "POST"):
            raise _errors.unsupported_method(method)
        if path != "/":
            raise _errors.action_not_found(action or path)
        if not action:
            raise _errors.missing_parameter("Action")
        if not version:
            raise _errors.missing_parameter("Version")
        if version != ECS_VERSION:
            raise _errors.invalid_version(version)
        if (version, action) not in ACTIONS:
            raise _errors.action_not_found(action)
        if is_v3:
            return self._auth.verify_v3(method, path, url_params, headers, body)
        if "Signature" not in params and "AccessKeyId" not in params:
            raise _errors.incomplete_signature(
                "The request is not signed: no Authorization header and no Signature parameter."
            )
        return self._auth.verify_v1(method, params)

    @staticmethod
    def _fault_reply(fault: Fault | None, request_id: str) -> _Reply | None:
        if fault is None or fault.kind in ("latency", "repeat_page", "inflate_total", "truncated"):
            return None
        if fault.kind == "throttling":
            error = _errors.EcsError(
                "Throttling.User",
                "Request was denied due to user flow control.",
                fault.status or 400,
            )
            reply = _json_reply(error.status, _errors.error_body(error, request_id), request_id)
            if fault.retry_after is not None:
                reply.headers["x-acs-retry-after"] = str(fault.retry_after)
            return reply
        if fault.kind == "server_error":
            status = fault.status or 500
            if status == 503:
                error = _errors.EcsError(
                    "ServiceUnavailable",
                    "The request has failed due to a temporary failure of the server.",
                    503,
                )
            else:
                error = _errors.internal_error()
                error.status = status
            return _json_reply(status, _errors.error_body(error, request_id), request_id)
        if fault.kind == "html":
            return _Reply(fault.status or 502, _HTML_502, content_type="text/html")
        if fault.kind == "malformed":
            body = f'{{"RequestId": "{request_id}", "Tags": <html>not json'.encode()
            return _Reply(fault.status or 200, body, headers={"x-acs-request-id": request_id})
        if fault.kind == "drop":
            return _Reply(0, b"", drop=True)
        raise AssertionError(f"unhandled fault kind {fault.kind!r}")


def _header(headers: dict[str, list[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[-1] if values else None


def _credential_from_authorization(authorization: str) -> str | None:
    for part in authorization.partition(" ")[2].split(","):
        name, _, value = part.strip().partition("=")
        if name == "Credential":
            return value or None
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many SDK clients connect at once (the provider host runs four threads).
    request_queue_size = 64
    emulator: Emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (reset, broken pipe, time-out) is not an error to print."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answer unparsable request lines (no HTTP version: "HTTP/0.9") with a status line too.
    default_request_version = "HTTP/1.1"
    server_version = "Tengine"
    sys_version = ""
    # TCP_NODELAY: headers and body go out in two writes; with Nagle on, the second waits for
    # the client's delayed ACK (~40 ms per request on a keep-alive connection), which a real
    # endpoint does not add.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        """Apply the emulator's ``client_timeout`` to the connection before reading from it.

        Idle keep-alive connections and stalled clients then time out instead of pinning a
        handler thread forever.
        """
        super().setup()
        self.connection.settimeout(self.server.emulator.client_timeout)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log; the request log is the record."""

    def do_GET(self) -> None:
        """Serve GET."""
        self._dispatch("GET")

    def do_POST(self) -> None:
        """Serve POST."""
        self._dispatch("POST")

    def do_PUT(self) -> None:
        """Serve PUT (an error for ECS; used by the admin API)."""
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        """Serve DELETE (an error for ECS; used by the admin API)."""
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        """Serve PATCH (always an error)."""
        self._dispatch("PATCH")

    def _read_body(self) -> bytes | str:
        """The request body, or (a ``str``) why it could not be read.

        Every read is bounded: by ``_MAX_BODY_BYTES`` and by the socket's ``client_timeout``
        (a client that announces more bytes than it sends gets an error, not a hung thread).
        """
        try:
            return self._read_body_unchecked()
        except TimeoutError:
            return "The request body was not received in time (shorter than announced?)."
        except ValueError:
            return "The chunked request body is malformed."

    def _read_body_unchecked(self) -> bytes | str:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:  # bounded by _MAX_BODY_BYTES below
                size_line = self.rfile.readline(65537)
                if not size_line.endswith(b"\n"):
                    return "The chunked request body ended early."
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size < 0:
                    return "The chunked request body is malformed."
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > _MAX_BODY_BYTES:
                    return "The request body is too large."
                chunk = self.rfile.read(size)
                if len(chunk) != size:
                    return "The chunked request body ended early."
                chunks.append(chunk)
                self.rfile.readline(65537)
        if not length_text:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            return "The Content-Length header is not a number."
        if length < 0 or length > _MAX_BODY_BYTES:
            return "The request body is too large."
        body = self.rfile.read(length)
        if len(body) != length:
            return "The request body is shorter than its Content-Length."
        return body

    def _dispatch(self, method: str) -> None:
        emulator = self.server.emulator
        body = self._read_body()
        split = urlsplit(self.path)
        if isinstance(body, str):
            self.close_connection = True
            error = _errors.invalid_parameter("Content-Length", body)
            request_id = str(uuid.uuid4()).upper()
            if not split.path.startswith(ADMIN_PREFIX.rstrip("/")):
                # Recorded like every ECS request, so a test sees the call it made.
                params = dict(parse_qsl(split.query, keep_blank_values=True))
                emulator._log.append(
                    RequestRecord(
                        action=self.headers.get("x-acs-action") or params.get("Action"),
                        version=self.headers.get("x-acs-version") or params.get("Version"),
                        params={},
                        access_key_id=None,
                        status=400,
                        error_code=error.code,
                        request_id=request_id,
                        signature=None,
                        method=method,
                    )
                )
            self._send(_json_reply(400, _errors.error_body(error, request_id), request_id))
            return
        if split.path.startswith(ADMIN_PREFIX) or split.path == ADMIN_PREFIX.rstrip("/"):
            try:
                reply = _admin_route(emulator, method, split.path, body)
            except Exception as exc:
                emulator._internal_error(exc)
                reply = _json_reply(500, {"error": f"internal error: {exc!r}"})
            self._send(reply)
            return
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        reply = emulator._handle_ecs(method, split.path, split.query, headers, body)
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(reply)

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()


# --- admin API ----------------------------------------------------------------------------


def _admin_route(emulator: Emulator, method: str, path: str, body: bytes) -> _Reply:
    route = path[len(ADMIN_PREFIX) :].strip("/") if path.startswith(ADMIN_PREFIX) else ""
    try:
        data: Any = json.loads(body) if body.strip() else {}
    except ValueError as exc:
        return _json_reply(400, {"error": f"the admin request body is not JSON: {exc}"})
    try:
        return _admin_action(emulator, method, route, data)
    except (ValueError, TypeError, KeyError, DataFileError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        return _json_reply(400, {"error": str(message)})


def _admin_action(emulator: Emulator, method: str, route: str, data: Any) -> _Reply:
    backend = emulator.backend
    ok = _json_reply(200, {"ok": True})
    if (method, route) == ("GET", "health"):
        return _json_reply(200, {"ok": True, "url": emulator.url})
    if (method, route) == ("GET", "requests"):
        return _json_reply(200, {"requests": [r.to_dict() for r in emulator.requests]})
    if (method, route) == ("DELETE", "requests"):
        emulator.clear_requests()
        return ok
    if (method, route) == ("POST", "reset"):
        emulator.reset()
        return ok
    if (method, route) == ("GET", "faults"):
        return _json_reply(200, {"faults": [f.to_dict() for f in emulator.faults]})
    if (method, route) == ("POST", "faults"):
        _require_object(data)
        emulator.add_fault(Fault.from_dict(data))
        return ok
    if (method, route) == ("DELETE", "faults"):
        emulator.clear_faults()
        return ok
    if (method, route) == ("GET", "state"):
        return _json_reply(200, backend.to_dict())
    if (method, route) == ("POST", "state"):
        _require_object(data)
        backend.load_dict(data)
        return ok
    if (method, route) == ("POST", "resources/add"):
        _require_object(data)
        backend.add_resource(**_resource_args(data, tags=True, tags_required=False))
        return ok
    if (method, route) == ("POST", "resources/set_tags"):
        _require_object(data)
        backend.set_tags(**_resource_args(data, tags=True, tags_required=True))
        return ok
    if (method, route) == ("POST", "resources/remove"):
        _require_object(data)
        backend.remove_resource(**_resource_args(data, tags=False, tags_required=False))
        return ok
    return _json_reply(404, {"error": f"no admin route {method} {ADMIN_PREFIX}{route}"})


def _require_object(data: Any) -> None:
    if not isinstance(data, dict):
        raise ValueError("the admin request body must be a JSON object")


def _resource_args(data: dict[str, Any], tags: bool, tags_required: bool) -> dict[str, Any]:
    allowed = {"region_id", "resource_type", "resource_id", "account_id"} | (
        {"tags"} if tags else set()
    )
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    for name in ("region_id", "resource_type", "resource_id"):
        if not isinstance(data.get(name), str):
            raise ValueError(f'"{name}" (a string) is required')
    if tags_required and not isinstance(data.get("tags"), dict):
        raise ValueError('"tags" (an object) is required')
    return dict(data)
