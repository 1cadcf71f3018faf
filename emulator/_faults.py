"""Planned faults: what the next ECS requests get instead of (or on top of) a normal answer.

Faults are queued FIFO. Each ECS request (never an admin request) takes the fault at the head of
the queue and uses up one of its ``count``; a fault with ``count`` used up leaves the queue.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["FAULT_KINDS", "Fault", "FaultQueue"]

#: Every fault kind and what it does.
FAULT_KINDS: dict[str, str] = {
    "throttling": "400 Throttling.User error; retry_after (ms) adds an x-acs-retry-after header",
    "server_error": "500 InternalError or 503 ServiceUnavailable error body (status picks)",
    "html": "502 text/html page, as from a proxy in front of the API",
    "malformed": "200 with a body that is not JSON",
    "truncated": "200 JSON cut in the middle, with the Content-Length of the cut body",
    "latency": "sleep `delay` seconds, then answer normally",
    "drop": "close the connection without sending a response",
    "repeat_page": "answer as if PageNumber were 1 (the body still says the asked PageNumber)",
    "inflate_total": "answer normally but with TotalCount increased by 1000",
}

_SERVER_ERROR_STATUSES = (500, 502, 503, 504)


@dataclass(frozen=True)
class Fault:
    """A fault for the next ``count`` ECS requests.

    ``status`` applies to ``server_error`` (500 default, or 502/503/504; 503 answers
    ``ServiceUnavailable``) and ``throttling`` (400 default). ``delay`` seconds are waited before
    answering for every kind (it is the whole point of ``latency``). ``retry_after`` is in
    milliseconds, as the ``x-acs-retry-after`` header carries it.
    """

    kind: str
    count: int = 1
    status: int | None = None
    delay: float = 0.0
    retry_after: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; expected one of {sorted(FAULT_KINDS)}"
            )
        if not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"fault count must be a positive integer, got {self.count!r}")
        if self.delay < 0:
            raise ValueError(f"fault delay must be >= 0 seconds, got {self.delay!r}")
        if self.kind == "server_error" and self.status not in (None, *_SERVER_ERROR_STATUSES):
            raise ValueError(f"server_error status must be one of {_SERVER_ERROR_STATUSES}")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"fault status must be an HTTP status, got {self.status!r}")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must be >= 0 milliseconds")

    def to_dict(self) -> dict[str, Any]:
        """JSON form, as the admin API takes it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """Build from the admin API's JSON form (unknown keys are an error)."""
        unknown = set(data) - {"kind", "count", "status", "delay", "retry_after"}
        if unknown:
            raise ValueError(f"unknown fault field(s) {sorted(unknown)}")
        if "kind" not in data:
            raise ValueError('a fault needs a "kind"')
        return cls(
            kind=str(data["kind"]),
            count=int(data.get("count", 1)),
            status=None if data.get("status") is None else int(data["status"]),
            delay=float(data.get("delay", 0.0)),
            retry_after=None if data.get("retry_after") is None else int(data["retry_after"]),
        )


class FaultQueue:
    """A thread-safe FIFO of faults with remaining counts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[list[Any]] = deque()  # [fault, remaining]

    def add(self, fault: Fault) -> None:
        """Queue ``fault`` behind the ones already planned."""
        with self._lock:
            self._queue.append([fault, fault.count])

    def take(self) -> Fault | None:
        """The fault for the current request (using up one of its count), or ``None``."""
        with self._lock:
            if not self._queue:
                return None
            entry = self._queue[0]
            entry[1] -= 1
            if entry[1] <= 0:
                self._queue.popleft()
            fault: Fault = entry[0]
            return fault

    def pending(self) -> list[Fault]:
        """The planned faults, with ``count`` set to what remains of each."""
        with self._lock:
            return [
                Fault(f.kind, remaining, f.status, f.delay, f.retry_after)
                for f, remaining in self._queue
            ]

    def clear(self) -> None:
        """Drop every planned fault."""
        with self._lock:
            self._queue.clear()
