"""The request log: one :class:`RequestRecord` per ECS request the emulator answered."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["RequestLog", "RequestRecord"]


@dataclass(frozen=True)
class RequestRecord:
    """What one ECS request asked for and what it got.

    ``params`` holds the business parameters only (``RegionId``, ``Tag.1.Key``, ...), not the
    protocol ones (``Timestamp``, ``Signature``, ...). ``access_key_id`` is the one the request
    claimed (even when unknown). ``status`` is 0 when a ``drop`` fault closed the connection.
    ``signature`` is ``"v3"``, ``"v1"`` or ``None`` (unsigned). ``fault`` names the planned
    fault that shaped the answer, if any.
    """

    action: str | None
    version: str | None
    params: dict[str, str]
    access_key_id: str | None
    status: int
    error_code: str | None
    request_id: str
    signature: str | None
    method: str
    fault: str | None = None
    account_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form, as the admin API returns it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestRecord:
        """Inverse of :meth:`to_dict`."""
        return cls(**data)


class RequestLog:
    """Thread-safe list of records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        """Record one request."""
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        """A copy of the records, oldest first."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()
