"""Provider settings: stack config from ``configure()``, with environment fallbacks.

Precedence (first wins):

* region: the ``region_id`` input (applied by the caller), ``alicloud:region``,
  ``ALICLOUD_REGION``, ``ALIBABA_CLOUD_REGION_ID``;
* credentials: ``alicloud:accessKey``/``alicloud:secretKey``/``alicloud:securityToken``,
  ``ALICLOUD_ACCESS_KEY``/``ALICLOUD_SECRET_KEY``/``ALICLOUD_SECURITY_TOKEN``, else the official
  default chain of ``alibabacloud_credentials`` (``credentials`` is then None);
* endpoint: ``alicloud:endpoints`` (``ecs`` entry), ``ALIBABA_CLOUD_ECS_ENDPOINT``, else the
  SDK's regional endpoint.

Settings live only in memory: the provider never pickles them.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from ._errors import ConfigurationError
from ._inputs import REGION_ID_PATTERN

DEFAULT_CONNECT_TIMEOUT_MS = 5_000
DEFAULT_READ_TIMEOUT_MS = 10_000
DEFAULT_MAX_RETRY_TIMEOUT_S = 60.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE_DELAY_MS = 200
DEFAULT_RETRY_MAX_DELAY_MS = 10_000
MAX_ATTEMPTS_LIMIT = 20

#: Namespace of this provider's own tuning keys (``ecsTags:maxAttempts`` ...).
OWN_NAMESPACE = "ecsTags"


class ConfigSource(Protocol):
    """What ``configure()`` receives as ``req.config``: ``get`` of a fully-qualified key."""

    def get(self, key: str) -> Any:
        """The value of ``key`` (e.g. ``alicloud:region``), or None."""


@dataclass(frozen=True)
class StaticCredentials:
    """An AccessKey pair (and STS token) given in stack config or environment."""

    access_key_id: str = field(repr=False)
    access_key_secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    source: str = "config"


@dataclass(frozen=True)
class Endpoint:
    """An ECS endpoint override, split the way tea-openapi's ``Config`` wants it."""

    url: str
    protocol: str  # "http" or "https"
    host: str  # host[:port]


@dataclass(frozen=True)
class RetrySettings:
    """Retry tuning. ``max_retry_timeout_ms`` bounds the total back-off time per request."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base_delay_ms: int = DEFAULT_RETRY_BASE_DELAY_MS
    max_delay_ms: int = DEFAULT_RETRY_MAX_DELAY_MS
    max_retry_timeout_ms: int = int(DEFAULT_MAX_RETRY_TIMEOUT_S * 1000)


@dataclass(frozen=True)
class ProviderSettings:
    """Everything the provider needs besides the query. Never pickled, never logged."""

    region_id: str | None = None
    credentials: StaticCredentials | None = field(default=None, repr=False)
    endpoint: Endpoint | None = None
    protocol: str | None = None  # alicloud:protocol, lower-case, when set
    connect_timeout_ms: int = DEFAULT_CONNECT_TIMEOUT_MS
    read_timeout_ms: int = DEFAULT_READ_TIMEOUT_MS
    retry: RetrySettings = RetrySettings()
    #: Re-read the earlier pages of a multi-page lookup (``ecsTags:verifyPaging``).
    verify_paging: bool = True

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never appear in messages (scrubbed from SDK errors)."""
        c = self.credentials
        if c is None:
            return ()
        return tuple(s for s in (c.access_key_id, c.access_key_secret, c.security_token) if s)

    def fingerprint(self) -> str:
        """A digest identifying these settings (the client cache key); reveals no secret."""
        c = self.credentials
        parts = [
            repr(self.region_id),
            repr(self.endpoint),
            repr(self.protocol),
            str(self.connect_timeout_ms),
            str(self.read_timeout_ms),
            repr(self.retry),
            repr(self.verify_paging),
            repr(None if c is None else (c.access_key_id, c.access_key_secret, c.security_token)),
        ]
        return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _text(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ConfigurationError(f"{key}: got {type(value).__name__}; expected a string")
    value = value.strip()
    return value or None


def _number(key: str, value: Any, *, unit: str, minimum: float) -> float | None:
    text = _text(key, value)
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ConfigurationError(
            f"{key}: got {text!r}; expected a number of {unit} >= {minimum:g}"
        ) from None
    if number != number or number < minimum or number == float("inf"):
        raise ConfigurationError(f"{key}: got {text!r}; expected a number of {unit} >= {minimum:g}")
    return number


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_endpoint(key: str, value: str, protocol: str | None) -> Endpoint:
    """Validate an endpoint override (full URL; a bare host means https).

    Plain http is accepted for loopback hosts, or anywhere when ``alicloud:protocol`` is
    explicitly ``HTTP``; TLS verification is never turned off.
    """
    raw = value.strip()
    text = raw if "://" in raw else f"https://{raw}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"{key}: got {raw!r}; not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    problems = []
    if scheme not in ("http", "https"):
        problems.append("the scheme must be http or https")
    if not host or any(ch.isspace() for ch in raw):
        problems.append("a host name is required")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        problems.append("no path, query or fragment is allowed")
    if parts.username or parts.password:
        problems.append("credentials must not be embedded in the URL")
        raw = raw.replace(parts.netloc, "***@" + parts.netloc.rsplit("@", 1)[-1])
    if problems:
        raise ConfigurationError(
            f"{key}: got {raw!r}; expected a URL like https://ecs.cn-hangzhou.aliyuncs.com "
            f"({'; '.join(problems)})"
        )
    if scheme == "http" and not _is_loopback(host) and protocol != "http":
        raise ConfigurationError(
            f"{key}: got {raw!r}; plain http is only allowed for loopback hosts "
            "(127.0.0.1, ::1, localhost). Use https, or set `alicloud:protocol` to HTTP "
            "explicitly to allow unencrypted traffic to this host."
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return Endpoint(url=f"{scheme}://{netloc}", protocol=scheme, host=netloc)


def _ecs_endpoint_from_config(value: Any) -> str | None:
    key = "alicloud:endpoints"
    if value is None:
        return None
    data = value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            data = json.loads(value)
        except ValueError:
            raise ConfigurationError(
                f'{key}: not valid JSON; expected [{{"ecs": "https://..."}}] or {{"ecs": "..."}}'
            ) from None
    entries = data if isinstance(data, list) else [data]
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise ConfigurationError(
                f'{key}: got {entry!r}; expected [{{"ecs": "https://..."}}] or {{"ecs": "..."}}'
            )
        if entry.get("ecs") not in (None, ""):
            ecs = entry["ecs"]
            if not isinstance(ecs, str):
                raise ConfigurationError(f"{key}: the ecs entry must be a string URL")
            return ecs
    return None


def _flag(key: str, value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(key, value)
    if text is None:
        return default
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise ConfigurationError(f"{key}: got {text!r}; expected true or false")


def _own(config: ConfigSource | None, name: str) -> Any:
    return None if config is None else config.get(f"{OWN_NAMESPACE}:{name}")


def load_settings(
    config: ConfigSource | None, environ: Mapping[str, str] | None = None
) -> ProviderSettings:
    """Build settings from stack config (None when ``configure`` was never called) and env."""
    env = os.environ if environ is None else environ

    def cfg(name: str) -> Any:
        return None if config is None else config.get(f"alicloud:{name}")

    def env_text(*names: str) -> tuple[str, str] | None:
        for name in names:
            text = _text(name, env.get(name))
            if text is not None:
                return name, text
        return None

    # Region.
    region_source: tuple[str, str] | None = None
    region_cfg = _text("alicloud:region", cfg("region"))
    if region_cfg is not None:
        region_source = ("alicloud:region", region_cfg)
    else:
        region_source = env_text("ALICLOUD_REGION", "ALIBABA_CLOUD_REGION_ID")
    region_id = None
    if region_source is not None:
        name, region_id = region_source
        if not REGION_ID_PATTERN.match(region_id):
            raise ConfigurationError(
                f"{name}: got {region_id!r}; expected a region id such as cn-hangzhou"
            )

    # Protocol.
    protocol = _text("alicloud:protocol", cfg("protocol"))
    if protocol is not None:
        protocol = protocol.lower()
        if protocol not in ("http", "https"):
            raise ConfigurationError(f"alicloud:protocol: got {protocol!r}; expected HTTP or HTTPS")

    # Credentials.
    credentials = None
    key_id = _text("alicloud:accessKey", cfg("accessKey"))
    secret = _text("alicloud:secretKey", cfg("secretKey"))
    token = _text("alicloud:securityToken", cfg("securityToken"))
    source = "config"
    if key_id is None and secret is None and token is None:
        key_id = _text("ALICLOUD_ACCESS_KEY", env.get("ALICLOUD_ACCESS_KEY"))
        secret = _text("ALICLOUD_SECRET_KEY", env.get("ALICLOUD_SECRET_KEY"))
        token = _text("ALICLOUD_SECURITY_TOKEN", env.get("ALICLOUD_SECURITY_TOKEN"))
        source = "environment"
    names = (
        ("alicloud:accessKey", "alicloud:secretKey")
        if source == "config"
        else ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY")
    )
    if key_id is not None and secret is not None:
        credentials = StaticCredentials(key_id, secret, token, source)
    elif key_id is not None or secret is not None or token is not None:
        missing = names[1] if key_id is not None else names[0]
        raise ConfigurationError(
            f"{missing} is not set but other credentials are ({source}); set both "
            f"{names[0]} and {names[1]}, or neither to use the default credentials chain"
        )

    # Endpoint.
    endpoint = None
    ecs_cfg = _ecs_endpoint_from_config(cfg("endpoints"))
    if ecs_cfg is not None:
        endpoint = parse_endpoint("alicloud:endpoints (ecs)", ecs_cfg, protocol)
    else:
        ecs_env = env_text("ALIBABA_CLOUD_ECS_ENDPOINT")
        if ecs_env is not None:
            endpoint = parse_endpoint(ecs_env[0], ecs_env[1], protocol)

    # Timeouts and retries.
    connect = _number(
        "alicloud:clientConnectTimeout", cfg("clientConnectTimeout"), unit="ms", minimum=1
    )
    read = _number("alicloud:clientReadTimeout", cfg("clientReadTimeout"), unit="ms", minimum=1)
    budget_s = _number("alicloud:maxRetryTimeout", cfg("maxRetryTimeout"), unit="s", minimum=0)
    attempts = _number(
        f"{OWN_NAMESPACE}:maxAttempts", _own(config, "maxAttempts"), unit="attempts", minimum=1
    )
    if attempts is not None and (attempts != int(attempts) or attempts > MAX_ATTEMPTS_LIMIT):
        raise ConfigurationError(
            f"{OWN_NAMESPACE}:maxAttempts: got {attempts:g}; expected an integer from 1 to "
            f"{MAX_ATTEMPTS_LIMIT}"
        )
    base = _number(
        f"{OWN_NAMESPACE}:retryBaseDelay", _own(config, "retryBaseDelay"), unit="ms", minimum=1
    )
    cap = _number(
        f"{OWN_NAMESPACE}:retryMaxDelay", _own(config, "retryMaxDelay"), unit="ms", minimum=1
    )
    retry = RetrySettings(
        max_attempts=int(attempts) if attempts is not None else DEFAULT_MAX_ATTEMPTS,
        base_delay_ms=int(base) if base is not None else DEFAULT_RETRY_BASE_DELAY_MS,
        max_delay_ms=int(cap) if cap is not None else DEFAULT_RETRY_MAX_DELAY_MS,
        max_retry_timeout_ms=int(
            (budget_s if budget_s is not None else DEFAULT_MAX_RETRY_TIMEOUT_S) * 1000
        ),
    )
    return ProviderSettings(
        region_id=region_id,
        credentials=credentials,
        endpoint=endpoint,
        protocol=protocol,
        connect_timeout_ms=int(connect) if connect is not None else DEFAULT_CONNECT_TIMEOUT_MS,
        read_timeout_ms=int(read) if read is not None else DEFAULT_READ_TIMEOUT_MS,
        retry=retry,
        verify_paging=_flag(
            f"{OWN_NAMESPACE}:verifyPaging", _own(config, "verifyPaging"), default=True
        ),
    )
