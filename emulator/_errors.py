"""Errors the emulated gateway and ECS return, and the one place they become a response body.

Hierarchy::

    EcsError                      code, message, HTTP status (and an optional Recommend)
    ├── gateway errors            raised by ``_auth`` and the router (signature, action, version)
    └── DescribeTags errors       raised by ``_responses`` (parameters) and ``_models`` (state)

Every error the emulator answers with is an :class:`EcsError`; anything else raised while
handling a request is turned into ``InternalError`` (500) by the server, so no request ever
gets a traceback for an answer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HOST_ID", "EcsError", "error_body"]

#: ``HostId`` in error bodies: the real gateway names the endpoint host that answered.
HOST_ID = "ecs.aliyuncs.com"


class EcsError(Exception):
    """An error response: ``code`` and ``message`` go in the JSON body, ``status`` on the line."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def error_body(error: EcsError, request_id: str) -> dict[str, Any]:
    """Serialize ``error`` as the gateway does: ``RequestId, HostId, Code, Message, Recommend``."""
    return {
        "RequestId": request_id,
        "HostId": HOST_ID,
        "Code": error.code,
        "Message": error.message,
        "Recommend": (
            f"https://api.aliyun.com/troubleshoot?q={error.code}&product=Ecs&requestId={request_id}"
        ),
    }


# --- gateway errors -----------------------------------------------------------------------------


def missing_parameter(name: str) -> EcsError:
    """``MissingParameter`` (400): a required parameter is absent or empty."""
    return EcsError(
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this request is not '
        "supplied.",
    )


def invalid_parameter(name: str, detail: str) -> EcsError:
    """``InvalidParameter`` (400): a parameter is present but its value is not allowed."""
    return EcsError("InvalidParameter", f'The specified parameter "{name}" is not valid. {detail}')


def incomplete_signature(detail: str) -> EcsError:
    """``IncompleteSignature`` (400): the request carries no usable signature."""
    return EcsError(
        "IncompleteSignature",
        f"The request signature does not conform to Aliyun standards. {detail}",
    )


def signature_does_not_match(string_to_sign: str) -> EcsError:
    """``SignatureDoesNotMatch`` (400); the message ends with the server's string to sign.

    The older ``aliyunsdkcore`` client splits the message on ``:`` and compares the second
    part with its own string to sign, as it does against the real gateway.
    """
    return EcsError(
        "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation. server string to sign is:"
        + string_to_sign,
    )


def invalid_access_key_id() -> EcsError:
    """``InvalidAccessKeyId.NotFound`` (404): the access key id is unknown."""
    return EcsError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)


def timestamp_expired(value: str) -> EcsError:
    """``InvalidTimeStamp.Expired`` (400): more than 15 minutes from the server's clock."""
    return EcsError(
        "InvalidTimeStamp.Expired",
        f"Specified time stamp or date value is expired. Timestamp {value!r} is more than 15 "
        "minutes away from the server time.",
    )


def timestamp_format(value: str) -> EcsError:
    """``InvalidTimeStamp.Format`` (400): not ``YYYY-MM-DDThh:mm:ssZ``."""
    return EcsError(
        "InvalidTimeStamp.Format",
        f"Specified time stamp or date value is not well formatted: {value!r} (expected "
        "YYYY-MM-DDThh:mm:ssZ, UTC).",
    )


def nonce_used() -> EcsError:
    """``SignatureNonceUsed`` (400): the nonce was already used with this access key."""
    return EcsError("SignatureNonceUsed", "Specified signature nonce was used already.")


def security_token_missing() -> EcsError:
    """``MissingSecurityToken`` (400): an STS access key was used without its token."""
    return EcsError("MissingSecurityToken", "SecurityToken is mandatory for this access key.")


def security_token_mismatch() -> EcsError:
    """``InvalidSecurityToken.MismatchWithAccessKey`` (400): wrong token for the key."""
    return EcsError(
        "InvalidSecurityToken.MismatchWithAccessKey",
        "The specified SecurityToken does not match the AccessKeyId.",
    )


def security_token_malformed() -> EcsError:
    """``InvalidSecurityToken.Malformed`` (400): a token sent for a key that has none."""
    return EcsError("InvalidSecurityToken.Malformed", "The specified SecurityToken is malformed.")


def action_not_found(action: str) -> EcsError:
    """``InvalidAction.NotFound`` (404): the product has no such API."""
    return EcsError(
        "InvalidAction.NotFound",
        f"Specified api is not found, please check your url and method. (Action={action!r})",
        404,
    )


def invalid_version(version: str) -> EcsError:
    """``InvalidVersion`` (400): ECS has no such API version."""
    return EcsError("InvalidVersion", f"Specified parameter Version {version!r} is not valid.")


def unsupported_method(method: str) -> EcsError:
    """``UnsupportedHTTPMethod`` (400): RPC APIs accept only GET and POST."""
    return EcsError("UnsupportedHTTPMethod", f"This http method {method!r} is not supported.")


def internal_error() -> EcsError:
    """``InternalError`` (500): the emulator failed; the body still carries a RequestId."""
    return EcsError(
        "InternalError",
        "The request processing has failed due to some unknown error, exception or failure.",
        500,
    )


# --- DescribeTags errors ------------------------------------------------------------------------


def region_not_found(region_id: str) -> EcsError:
    """``InvalidRegionId.NotFound`` (404)."""
    return EcsError(
        "InvalidRegionId.NotFound",
        f"The RegionId provided does not exist in our records. ({region_id!r})",
        404,
    )


def resource_type_not_found(resource_type: str) -> EcsError:
    """``InvalidResourceType.NotFound`` (404)."""
    return EcsError(
        "InvalidResourceType.NotFound",
        f"The ResourceType provided does not exist in our records. ({resource_type!r})",
        404,
    )


def tag_key_malformed(index: int) -> EcsError:
    """``invalidTagKey.Malformed`` (400, lower-case ``i`` as the real service spells it)."""
    return EcsError("invalidTagKey.Malformed", f"The parameter Tag.{index}.Key is illegal.", 400)


def tag_value_malformed(index: int) -> EcsError:
    """``InvalidTagValue.Malformed`` (400)."""
    return EcsError("InvalidTagValue.Malformed", f"The parameter Tag.{index}.Value is illegal.")


def tag_count(maximum: int) -> EcsError:
    """``InvalidTagCount`` (400): more than ``maximum`` tag filters."""
    return EcsError("InvalidTagCount", f"The count of tags must be between 1 and {maximum}.", 400)
