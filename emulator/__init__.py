"""A local, protocol-faithful ECS DescribeTags endpoint the official SDKs talk to unchanged.

Modules, one concern each::

    _models     Backend: tagged resources per account and region (pure state, thread-safe)
    _responses  DescribeTags: parameter validation, paging, result shape
    _errors     EcsError (code, message, HTTP status) and the one error-body serializer
    _auth       signature V3 (ACS3-HMAC-SHA256) and V1 (HMAC-SHA1), clock skew, nonces, STS
    _faults     Fault: planned throttling, 5xx, HTML, malformed/truncated bodies, latency, drops
    _records    RequestRecord: the log of every ECS request
    _server     Emulator: the threaded HTTP server and the admin API under /_emulator/
    _admin      AdminClient: the admin API over HTTP, for an emulator in another process

Exceptions::

    Exception
    ├── EcsError        an API error (code, message, status); the server answers with it
    ├── AdminError      the admin API refused a request
    └── ValueError
        └── DataFileError   a data file does not follow the schema
"""

from pathlib import Path as _Path

from emulator._admin import AdminClient, AdminError
from emulator._auth import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Credential
from emulator._errors import EcsError
from emulator._faults import FAULT_KINDS, Fault
from emulator._models import (
    DEFAULT_ACCOUNT_ID,
    KNOWN_REGIONS,
    RESOURCE_TYPES,
    Backend,
    DataFileError,
    TagSummary,
)
from emulator._records import RequestRecord
from emulator._server import ADMIN_PREFIX, Emulator

__all__ = [
    "ADMIN_PREFIX",
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "DEFAULT_ACCOUNT_ID",
    "FAULT_KINDS",
    "KNOWN_REGIONS",
    "RESOURCE_TYPES",
    "SAMPLE_DATA",
    "AdminClient",
    "AdminError",
    "Backend",
    "Credential",
    "DataFileError",
    "EcsError",
    "Emulator",
    "Fault",
    "RequestRecord",
    "TagSummary",
]

#: The shipped sample data file (regions cn-hangzhou, cn-shanghai, ap-southeast-1).
SAMPLE_DATA = _Path(__file__).with_name("data") / "sample.json"
