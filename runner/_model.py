"""What a run records: the stack state, the operations, the outputs and the errors.

All of it is plain JSON-compatible data so that a run in a child process can hand it back and
a test can store the state between two runs, as the CLI keeps a checkpoint between two `up`s.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Mode = Literal["preview", "up", "refresh", "destroy"]
#: What happened to one resource, in the CLI's words.
Op = Literal[
    "read",  # a get-style resource was read (it also runs in preview)
    "read-deferred",  # its id was unknown in preview; it will be read during up
    "create",
    "same",
    "update",
    "refresh",
    "forget",  # destroy of a read resource: only the state entry goes
    "delete",
]


@dataclass
class ResourceState:
    """One resource as the checkpoint records it (wire-format inputs and outputs)."""

    urn: str
    type: str
    name: str
    id: str
    external: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dynamic: bool


@dataclass
class Operation:
    """One step of the run, for the CLI-like summary and for assertions."""

    urn: str
    type: str
    name: str
    op: Op


@dataclass
class Diagnostic:
    """One error as the CLI would show it; `details` keeps the provider's full traceback."""

    urn: str
    message: str
    details: str = ""
    failures: list[dict[str, str]] = field(default_factory=list)


@dataclass
class RunResult:
    """Everything one run produced."""

    mode: Mode
    ok: bool
    outputs: dict[str, Any]
    operations: list[Operation]
    errors: list[Diagnostic]
    state: list[ResourceState]
    provider_calls: list[str]
    log: str = ""

    def to_json(self) -> dict[str, Any]:
        """This result as JSON-compatible data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunResult:
        """Inverse of `to_json`."""
        return cls(
            mode=data["mode"],
            ok=data["ok"],
            outputs=data["outputs"],
            operations=[Operation(**o) for o in data["operations"]],
            errors=[Diagnostic(**e) for e in data["errors"]],
            state=[ResourceState(**r) for r in data["state"]],
            provider_calls=list(data["provider_calls"]),
            log=data.get("log", ""),
        )

    def ops(self) -> dict[str, Op]:
        """Resource name to operation, for the common assertion."""
        return {o.name: o.op for o in self.operations}
