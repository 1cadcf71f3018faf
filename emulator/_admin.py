"""AdminClient: the emulator's test controls over HTTP, for an emulator in another process."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from emulator._faults import Fault
from emulator._models import DEFAULT_ACCOUNT_ID
from emulator._records import RequestRecord

__all__ = ["AdminClient", "AdminError"]

_PREFIX = "/_emulator/"


class AdminError(RuntimeError):
    """The admin API refused a request; ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"admin API error {status}: {message}")
        self.status = status
        self.message = message


class AdminClient:
    """The same controls as :class:`~emulator.Emulator`, over the admin API at ``url``."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, route: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            f"{self.url}{_PREFIX}{route}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error", exc.reason)
            except ValueError:
                message = str(exc.reason)
            finally:
                exc.close()
            raise AdminError(exc.code, str(message)) from None

    def health(self) -> bool:
        """Whether the emulator answers."""
        return bool(self._call("GET", "health").get("ok"))

    def requests(self) -> list[RequestRecord]:
        """Every ECS request answered so far, oldest first."""
        return [RequestRecord.from_dict(r) for r in self._call("GET", "requests")["requests"]]

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self._call("DELETE", "requests")

    def reset(self) -> None:
        """Clear requests, faults and nonces; restore the data the emulator started with."""
        self._call("POST", "reset")

    def add_fault(self, fault: Fault) -> None:
        """Plan ``fault`` for the next ECS request(s)."""
        self._call("POST", "faults", fault.to_dict())

    def faults(self) -> list[Fault]:
        """The faults still planned."""
        return [Fault.from_dict(f) for f in self._call("GET", "faults")["faults"]]

    def clear_faults(self) -> None:
        """Drop every planned fault."""
        self._call("DELETE", "faults")

    def state(self) -> dict[str, Any]:
        """The backend's current data, in the data-file schema."""
        result: dict[str, Any] = self._call("GET", "state")
        return result

    def load(self, data: Mapping[str, Any]) -> None:
        """Merge data (data-file schema) into the backend."""
        self._call("POST", "state", dict(data))

    def add_resource(
        self,
        region_id: str,
        resource_type: str,
        resource_id: str,
        tags: Mapping[str, str] | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        """Add (or replace) a resource with its tags."""
        self._call(
            "POST",
            "resources/add",
            {
                "region_id": region_id,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "tags": dict(tags or {}),
                "account_id": account_id,
            },
        )

    def set_tags(
        self,
        region_id: str,
        resource_type: str,
        resource_id: str,
        tags: Mapping[str, str],
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        """Replace the tags of an existing resource."""
        self._call(
            "POST",
            "resources/set_tags",
            {
                "region_id": region_id,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "tags": dict(tags),
                "account_id": account_id,
            },
        )

    def remove_resource(
        self,
        region_id: str,
        resource_type: str,
        resource_id: str,
        account_id: str = DEFAULT_ACCOUNT_ID,
    ) -> None:
        """Remove an existing resource."""
        self._call(
            "POST",
            "resources/remove",
            {
                "region_id": region_id,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "account_id": account_id,
            },
        )
