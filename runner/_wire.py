"""Pulumi property values on the wire: protobuf Structs, secrets and unknowns.

Everything here uses the SDK's own serializer so that values cross the runner exactly as they
cross the engine.
"""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc

#: The wire marker for a value that is not known yet (an output of a resource not yet created).
UNKNOWN = rpc.UNKNOWN
_SIG = rpc._special_sig_key
_SECRET = rpc._special_secret_sig


def serialize(props: dict[str, Any]) -> struct_pb2.Struct:
    """Serialize plain Python values with the SDK's serializer."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()


def to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """The wire form as JSON-compatible data (secret and unknown markers kept as they are)."""
    return json_format.MessageToDict(struct)


def from_dict(data: dict[str, Any]) -> struct_pb2.Struct:
    """Inverse of `to_dict`."""
    struct = struct_pb2.Struct()
    json_format.ParseDict(data, struct)
    return struct


def is_secret(value: Any) -> bool:
    """Whether a wire value is a secret envelope."""
    return isinstance(value, dict) and value.get(_SIG) == _SECRET


def reveal(value: Any) -> Any:
    """Remove secret envelopes, recursively, from a wire value.

    The dynamic-provider host answers `Configure` with `acceptSecrets: false`, so the engine
    sends it plain values; this is that step.
    """
    if is_secret(value):
        return reveal(value.get("value"))
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def secret(value: Any) -> dict[str, Any]:
    """Wrap a wire value in a secret envelope."""
    return {_SIG: _SECRET, "value": value}


def strip_secrets(struct: struct_pb2.Struct) -> tuple[struct_pb2.Struct, set[str]]:
    """Plain values for the provider, and the top-level keys that were secret."""
    data = to_dict(struct)
    secret_keys = {k for k, v in data.items() if is_secret(v) or reveal(v) != v}
    return from_dict(reveal(data)), secret_keys


def restore_secrets(struct: struct_pb2.Struct, secret_keys: set[str]) -> struct_pb2.Struct:
    """Mark again as secret the keys that were secret on the way in.

    The engine keeps an input's secretness on the output of the same name.
    """
    data = to_dict(struct)
    for key in secret_keys & data.keys():
        if not is_secret(data[key]):
            data[key] = secret(data[key])
    return from_dict(data)


def has_unknowns(value: Any) -> bool:
    """Whether a wire value contains an unknown anywhere."""
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(has_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknowns(v) for v in value)
    return False


#: How `plain` shows a value that is not known yet (the CLI shows `output<T>`).
UNKNOWN_OUTPUT = "<unknown>"
#: How `plain` shows a secret.
SECRET_OUTPUT = "[secret]"


def plain(value: Any) -> Any:
    """A wire value as a user would read it: secrets and unknowns replaced by markers."""
    if is_secret(value):
        return SECRET_OUTPUT
    if value == UNKNOWN:
        return UNKNOWN_OUTPUT
    if isinstance(value, float) and value.is_integer():
        # Protobuf carries every number as a double; show whole numbers as the user wrote them.
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
