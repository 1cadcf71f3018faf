"""Provider settings from stack config and environment (parsing only, no network)."""

from __future__ import annotations

import json

import pytest
from pulumi.dynamic import Config

from provider import ConfigurationError
from provider._client import build_retry_options, retry_attempts
from provider._config import RetrySettings, load_settings


def cfg(**values: str) -> Config:
    return Config(raw_config={k.replace("__", ":"): v for k, v in values.items()}, project_name="p")


def test_defaults_without_config_or_env() -> None:
    s = load_settings(None, {})
    assert s.region_id is None and s.credentials is None and s.endpoint is None
    assert (s.connect_timeout_ms, s.read_timeout_ms) == (5000, 10000)
    assert s.retry.max_retry_timeout_ms == 60_000


def test_region_precedence_config_then_env() -> None:
    env = {"ALICLOUD_REGION": "cn-shanghai", "ALIBABA_CLOUD_REGION_ID": "ap-southeast-1"}
    assert load_settings(cfg(alicloud__region="cn-hangzhou"), env).region_id == "cn-hangzhou"
    assert load_settings(cfg(), env).region_id == "cn-shanghai"
    assert load_settings(None, {"ALIBABA_CLOUD_REGION_ID": "ap-southeast-1"}).region_id == (
        "ap-southeast-1"
    )
    with pytest.raises(ConfigurationError, match="ALICLOUD_REGION: got 'Hangzhou'"):
        load_settings(None, {"ALICLOUD_REGION": "Hangzhou"})


def test_credentials_precedence_and_partial_pairs() -> None:
    env = {"ALICLOUD_ACCESS_KEY": "AK_ENV", "ALICLOUD_SECRET_KEY": "SK_ENV"}
    c = load_settings(cfg(alicloud__accessKey="AK_CFG", alicloud__secretKey="SK_CFG"), env)
    assert c.credentials is not None and c.credentials.access_key_id == "AK_CFG"
    assert c.credentials.source == "config"
    e = load_settings(cfg(), {**env, "ALICLOUD_SECURITY_TOKEN": "TOK"})
    assert e.credentials is not None and e.credentials.access_key_id == "AK_ENV"
    assert e.credentials.security_token == "TOK"
    assert load_settings(cfg(), {}).credentials is None  # -> default chain
    with pytest.raises(ConfigurationError, match="alicloud:secretKey is not set") as info:
        load_settings(cfg(alicloud__accessKey="AK_CFG"), {})
    assert "AK_CFG" not in str(info.value)
    with pytest.raises(ConfigurationError, match="ALICLOUD_ACCESS_KEY is not set"):
        load_settings(None, {"ALICLOUD_SECRET_KEY": "SK"})


def test_settings_repr_never_shows_secrets() -> None:
    s = load_settings(cfg(alicloud__accessKey="AK_CFG", alicloud__secretKey="SK_CFG"), {})
    assert "SK_CFG" not in repr(s) and "AK_CFG" not in repr(s)
    assert "SK_CFG" not in s.fingerprint()


@pytest.mark.parametrize(
    "value",
    [
        json.dumps([{"ecs": "http://127.0.0.1:8080"}]),
        json.dumps([{"vpc": "https://vpc.example.com"}, {"ecs": "http://127.0.0.1:8080"}]),
        json.dumps({"ecs": "http://127.0.0.1:8080"}),
        json.dumps({"ecs": "http://127.0.0.1:8080/"}),
    ],
)
def test_endpoints_config_forms(value: str) -> None:
    s = load_settings(cfg(alicloud__endpoints=value), {})
    assert s.endpoint is not None
    assert (s.endpoint.protocol, s.endpoint.host) == ("http", "127.0.0.1:8080")


def test_endpoint_precedence_and_forms() -> None:
    env = {"ALIBABA_CLOUD_ECS_ENDPOINT": "https://ecs.example.com"}
    s = load_settings(cfg(alicloud__endpoints=json.dumps({"ecs": "http://localhost:9"})), env)
    assert s.endpoint is not None and s.endpoint.url == "http://localhost:9"
    s = load_settings(cfg(), env)
    assert s.endpoint is not None and s.endpoint.url == "https://ecs.example.com"
    bare = load_settings(None, {"ALIBABA_CLOUD_ECS_ENDPOINT": "ecs-vpc.cn-hangzhou.aliyuncs.com"})
    assert bare.endpoint is not None and bare.endpoint.protocol == "https"
    v6 = load_settings(None, {"ALIBABA_CLOUD_ECS_ENDPOINT": "http://[::1]:8080"})
    assert v6.endpoint is not None and v6.endpoint.host == "[::1]:8080"
    assert load_settings(cfg(alicloud__endpoints="[]"), {}).endpoint is None


def test_plain_http_needs_loopback_or_explicit_protocol() -> None:
    with pytest.raises(ConfigurationError, match="only allowed for loopback") as info:
        load_settings(None, {"ALIBABA_CLOUD_ECS_ENDPOINT": "http://10.0.0.5:8080"})
    assert "ALIBABA_CLOUD_ECS_ENDPOINT" in str(info.value)
    allowed = load_settings(
        cfg(alicloud__protocol="HTTP"), {"ALIBABA_CLOUD_ECS_ENDPOINT": "http://10.0.0.5:8080"}
    )
    assert allowed.endpoint is not None and allowed.endpoint.protocol == "http"
    with pytest.raises(ConfigurationError, match="loopback"):
        load_settings(
            cfg(alicloud__protocol="HTTPS"),
            {"ALIBABA_CLOUD_ECS_ENDPOINT": "http://ecs.example.com"},
        )


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("ftp://ecs.example.com", "scheme"),
        ("http://", "host"),
        ("https://ecs.example.com/api?x=1", "no path"),
        ("https://user:pw@ecs.example.com", "credentials"),
        ("https://ecs.example.com:99999", "not a valid URL"),
        ("https://ecs example.com", "host"),
    ],
)
def test_bad_endpoint_urls(value: str, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle) as info:
        load_settings(cfg(alicloud__endpoints=json.dumps([{"ecs": value}])), {})
    assert "alicloud:endpoints" in str(info.value)
    assert "pw@" not in str(info.value)


def test_bad_endpoints_json_and_other_values() -> None:
    with pytest.raises(ConfigurationError, match="alicloud:endpoints: not valid JSON"):
        load_settings(cfg(alicloud__endpoints="{ecs: x"), {})
    with pytest.raises(ConfigurationError, match="alicloud:protocol: got 'ftp'"):
        load_settings(cfg(alicloud__protocol="FTP"), {})
    with pytest.raises(ConfigurationError, match="alicloud:clientReadTimeout: got 'soon'"):
        load_settings(cfg(alicloud__clientReadTimeout="soon"), {})
    with pytest.raises(ConfigurationError, match="alicloud:clientConnectTimeout: got '0'"):
        load_settings(cfg(alicloud__clientConnectTimeout="0"), {})
    with pytest.raises(ConfigurationError, match="alicloud:maxRetryTimeout: got '-1'"):
        load_settings(cfg(alicloud__maxRetryTimeout="-1"), {})
    with pytest.raises(ConfigurationError, match=r"ecsTags:maxAttempts: got 2\.5"):
        load_settings(cfg(ecsTags__maxAttempts="2.5"), {})
    with pytest.raises(ConfigurationError, match="ecsTags:verifyPaging: got 'maybe'"):
        load_settings(cfg(ecsTags__verifyPaging="maybe"), {})
    assert load_settings(cfg(), {}).verify_paging is True
    assert load_settings(cfg(ecsTags__verifyPaging="False"), {}).verify_paging is False
    s = load_settings(
        cfg(
            alicloud__clientConnectTimeout="1500",
            alicloud__clientReadTimeout="2500",
            alicloud__maxRetryTimeout="7",
        ),
        {},
    )
    assert (s.connect_timeout_ms, s.read_timeout_ms, s.retry.max_retry_timeout_ms) == (
        1500,
        2500,
        7000,
    )


def test_retry_budget_bounds_attempts() -> None:
    assert retry_attempts(RetrySettings(max_attempts=5, max_delay_ms=10_000)) == (5, 10_000)
    # 25 s budget, 10 s max delay: at most 2 retries fit.
    assert retry_attempts(
        RetrySettings(max_attempts=5, max_delay_ms=10_000, max_retry_timeout_ms=25_000)
    ) == (3, 10_000)
    # A budget smaller than one delay caps the delay instead.
    assert retry_attempts(RetrySettings(max_delay_ms=10_000, max_retry_timeout_ms=300)) == (2, 300)
    assert retry_attempts(RetrySettings(max_retry_timeout_ms=0)) == (1, 0)
    options = build_retry_options(RetrySettings(max_retry_timeout_ms=0))
    assert options.retryable is False


def test_retry_condition_matches_any_throttling_code() -> None:
    from darabonba.core import DaraCore
    from darabonba.policy.retry import RetryPolicyContext

    options = build_retry_options(RetrySettings(max_attempts=3))

    class Err(Exception):
        def __init__(self, name: str, code: str | None) -> None:
            self.name, self.code = name, code

    def retried(name: str, code: str | None) -> bool:
        ctx = RetryPolicyContext(retries_attempted=1, exception=Err(name, code))
        return bool(DaraCore.should_retry(options, ctx))

    assert retried("ClientException", "Throttling.User")
    assert retried("ClientException", "Throttling")
    assert retried("ClientException", "Some.Throttling.Code")
    assert retried("ClientException", "ServiceUnavailable")
    assert retried("ServerException", "Whatever")
    assert retried("RetryError", None)
    assert not retried("ClientException", "InvalidRegionId.NotFound")
    assert not retried("ClientException", "SignatureDoesNotMatch")
    ctx = RetryPolicyContext(retries_attempted=3, exception=Err("RetryError", None))
    assert not DaraCore.should_retry(options, ctx)


def test_retry_after_is_honoured_and_capped() -> None:
    from darabonba.core import DaraCore
    from darabonba.policy.retry import RetryPolicyContext

    options = build_retry_options(RetrySettings(base_delay_ms=1, max_delay_ms=2000))

    class Throttled(Exception):
        name = "ThrottlingException"
        code = "Throttling.User"

        def __init__(self, retry_after: int) -> None:
            self.retry_after = retry_after

    def delay(retry_after: int) -> int:
        ctx = RetryPolicyContext(retries_attempted=1, exception=Throttled(retry_after))
        return int(DaraCore.get_backoff_time(options, ctx))

    assert delay(1500) == 1500
    assert delay(60_000) == 2000
