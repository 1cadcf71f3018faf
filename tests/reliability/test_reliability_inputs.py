"""Item 1: property-based bad input over every EcsTags input and every stack config value.

Each generated case carries its own verdict, decided here from the documented rules (README
"Inputs" / "Configuration"), never by calling the provider's validators: an accepted case must
be looked up correctly (compared with :func:`reliability_support.oracle_pairs` over the data put
into the emulator), a rejected one must be refused by ``check`` with a failure naming the
property, and make no API call. Only the documented errors may escape.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import (
    API_RESOURCE_TYPES,
    INPUT_NAMES,
    LOOKUP_PROGRAM,
    MAX_INT32,
    TAG_KEYS,
    TAG_VALUES,
    URN,
    dataset,
    expected_requests,
    got_pairs,
    host_env,
    load,
    oracle_pairs,
)

from emulator import KNOWN_REGIONS, Emulator
from provider import ApiError, ConfigurationError, QueryValidationError
from runner import ProviderHost
from runner._wire import serialize, to_dict
from tests.support import configured, describe_requests, emulator_config


def _bounded(examples: int) -> Any:
    """Hypothesis settings: a fixed number of cases, reproducible (derandomized), no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )


DATA = dataset()
DATA_IDS = sorted({r.id for r in DATA})
CASE_SETTINGS = _bounded(1100)
_REGION = re.compile(r"[a-z]{2,}(-[a-z0-9]+)+")
_NOT_STRINGS = st.sampled_from([42, 1.5, True, ["cn-hangzhou"], {"a": "b"}])


@dataclass
class Case:
    """Generated inputs with the verdict the documentation gives them."""

    props: dict[str, Any]
    invalid: set[str] = field(default_factory=set)


# --- strategies: each draws (value, valid) --------------------------------------------------


def _region() -> st.SearchStrategy[tuple[Any, bool]]:
    known = st.sampled_from(["cn-hangzhou", "cn-shanghai", "ap-southeast-1", "zz-nowhere-1"])
    bad = st.sampled_from(
        ["", "CN-HANGZHOU", "cn_hangzhou", "hangzhou", " cn-hangzhou", "cn-hangzhou\n", "cn-"]
    )
    text = st.text(alphabet="abcz019-_ \nA", min_size=0, max_size=14)
    return st.one_of(
        known.map(lambda v: (v, True)),
        bad.map(lambda v: (v, False)),
        _NOT_STRINGS.map(lambda v: (v, False)),
        text.map(lambda v: (v, _REGION.fullmatch(v) is not None)),
    )


def _resource_type() -> st.SearchStrategy[tuple[Any, bool]]:
    return st.one_of(
        st.sampled_from(sorted(API_RESOURCE_TYPES)).map(lambda v: (v, True)),
        st.sampled_from(["Instance", "DISK", "instances", "", " disk", "security_group"]).map(
            lambda v: (v, False)
        ),
        _NOT_STRINGS.map(lambda v: (v, False)),
        st.text(max_size=10).map(lambda v: (v, v in API_RESOURCE_TYPES)),
    )


def _resource_id() -> st.SearchStrategy[tuple[Any, bool]]:
    return st.one_of(
        st.sampled_from(DATA_IDS).map(lambda v: (v, True)),
        st.sampled_from(["", " ", "\t\n"]).map(lambda v: (v, False)),
        _NOT_STRINGS.filter(lambda v: not isinstance(v, str)).map(lambda v: (v, False)),
        st.text(max_size=12).map(lambda v: (v, bool(v.strip()))),
    )


_KEY = st.one_of(st.sampled_from(TAG_KEYS), st.text(min_size=1, max_size=8), st.just("k" * 129))
_VALUE = st.one_of(st.none(), st.sampled_from(TAG_VALUES), st.text(max_size=8), st.just("v" * 129))


@st.composite
def _tag(draw: Any) -> tuple[Any, bool]:
    form = draw(st.sampled_from(["list", "list", "mapping", "bad-item", "too-many", "bad"]))
    if form == "bad":
        return draw(st.sampled_from(["env=prod", 5, True])), False
    if form == "mapping":
        mapping = draw(st.dictionaries(_KEY, _VALUE, max_size=4))
        return mapping, all(k != "" for k in mapping)
    size = 21 if form == "too-many" else draw(st.integers(0, 4))
    items: list[Any] = []
    for _ in range(size):
        item: dict[str, Any] = {"key": draw(_KEY)}
        value = draw(_VALUE)
        if value is not None or draw(st.booleans()):
            item["value"] = value
        items.append(item)
    if form == "bad-item":
        bad = draw(
            st.sampled_from(
                [
                    "env",
                    5,
                    {"value": "x"},
                    {"key": ""},
                    {"key": 5},
                    {"key": "a", "value": 5},
                    {"key": "a", "vlaue": "x"},
                    {"key": None, "value": None},
                ]
            )
        )
        items.insert(draw(st.integers(0, len(items))), bad)
        return items, False
    return items, form != "too-many"


def _page_number() -> st.SearchStrategy[tuple[Any, bool]]:
    return st.one_of(
        st.integers(1, 4).map(lambda v: (v, True)),
        st.sampled_from([2.0, 10**6, MAX_INT32 + 1]).map(lambda v: (v, True)),
        st.sampled_from([0, -1, True, False, 1.5, "1", math.nan, math.inf]).map(
            lambda v: (v, False)
        ),
    )


def _page_size() -> st.SearchStrategy[tuple[Any, bool]]:
    return st.one_of(
        st.integers(1, 100).map(lambda v: (v, True)),
        st.sampled_from([50.0, 100]).map(lambda v: (v, True)),
        st.sampled_from([0, 101, -5, True, 2.5, "10", math.nan]).map(lambda v: (v, False)),
    )


_INPUTS: dict[str, Any] = {
    "region_id": _region(),
    "resource_type": _resource_type(),
    "resource_id": _resource_id(),
    "tag": _tag(),
    "page_number": _page_number(),
    "page_size": _page_size(),
}


@st.composite
def cases(draw: Any) -> Case:
    """Inputs absent, None or valid; in about half the cases one to three of them invalid, and
    sometimes an unknown property."""
    case = Case(props={})
    bad = set()
    if draw(st.booleans()):
        bad = set(draw(st.lists(st.sampled_from(INPUT_NAMES), min_size=1, max_size=3)))
    for name in INPUT_NAMES:
        if name in bad:
            value, _ = draw(_INPUTS[name].filter(lambda drawn: not drawn[1]))
        else:
            choice = draw(st.sampled_from(["absent", "none", "value", "value"]))
            if choice == "absent":
                continue
            if choice == "none":
                case.props[name] = None
                continue
            value, _ = draw(_INPUTS[name].filter(lambda drawn: drawn[1]))
        case.props[name] = value
    case.invalid = set(bad)
    if draw(st.integers(0, 19)) == 0:
        extra = draw(st.sampled_from(["regionId", "tags_filter", "Tag"]))
        case.props[extra] = "x"
        case.invalid.add(extra)
    return case


# --- the oracle -----------------------------------------------------------------------------


def _filters(tag: Any) -> list[tuple[str, str | None]]:
    if tag is None:
        return []
    if isinstance(tag, dict):
        return list(tag.items())
    return [(item["key"], item.get("value")) for item in tag]


def _api_error_codes(props: dict[str, Any], region: str) -> set[str]:
    codes: set[str] = set()
    for key, value in _filters(props.get("tag")):
        if len(key) > 128:
            codes.add("invalidTagKey.Malformed")
        if value is not None and len(value) > 128:
            codes.add("InvalidTagValue.Malformed")
    number = props.get("page_number")
    if number is not None and number > MAX_INT32:
        codes.add("InvalidParameter")
    if region not in KNOWN_REGIONS:
        codes.add("InvalidRegionId.NotFound")
    return codes


def _root(prop: str) -> str:
    return prop.split("[", 1)[0]


def check_case(emu: Emulator, provider: Any, case: Case) -> str:
    """Run one case in-process and assert its verdict; returns the outcome's name."""
    emu.clear_requests()
    props = {"__provider": "serialized", **case.props}
    result = provider.check({}, props)
    named = {_root(f.property) for f in result.failures}
    assert named == case.invalid, (case, result.failures)
    for failure in result.failures:
        assert failure.reason, failure
    if case.invalid:
        with pytest.raises(QueryValidationError) as info:
            provider.read("ecs-tags-x", props)
        assert {_root(f.property) for f in info.value.failures} == case.invalid
        assert emu.requests == [], "a rejected case reached the API"
        return "rejected"
    region = case.props.get("region_id") or "cn-hangzhou"
    codes = _api_error_codes(case.props, region)
    if codes:
        with pytest.raises(ApiError) as api_error:
            provider.read("ecs-tags-x", props)
        assert api_error.value.code in codes, (case, api_error.value)
        assert api_error.value.request_id, api_error.value
        assert len(describe_requests(emu)) == 1
        return "api-error"
    outs = provider.read("ecs-tags-x", props).outs
    rtype = case.props.get("resource_type")
    expected = oracle_pairs(
        DATA, region, rtype, case.props.get("resource_id"), _filters(case.props.get("tag"))
    )
    number, size = case.props.get("page_number"), case.props.get("page_size")
    assert outs["total_count"] == len(expected)
    assert outs["region_id"] == region
    requests = describe_requests(emu)
    if number is not None:
        per_page = int(size) if size is not None else 50
        first = (int(number) - 1) * per_page
        assert got_pairs(outs) == expected[first : first + per_page], case
        assert (outs["page_number"], outs["page_size"]) == (int(number), per_page)
        assert len(requests) == 1
        return "one-page"
    per_page = int(size) if size is not None else 100
    assert got_pairs(outs) == expected, case
    assert outs["page_size"] == per_page and outs["page_number"] is None
    assert len(requests) == expected_requests(len(expected), per_page)
    assert all(r.status == 200 for r in requests)
    return "all-pages"


_PROVIDERS: dict[str, Any] = {}


def _provider_for(emu: Emulator) -> Any:
    provider = _PROVIDERS.get(emu.url)
    if provider is None:
        provider = _PROVIDERS[emu.url] = configured(emulator_config(emu))
    return provider


def test_every_input_is_looked_up_correctly_or_rejected_naming_it(
    ecs_emulator: Emulator,
) -> None:
    load(ecs_emulator, DATA)
    provider = _provider_for(ecs_emulator)
    outcomes: dict[str, int] = {}

    @CASE_SETTINGS
    @given(case=cases())
    def run_one(case: Case) -> None:
        outcome = check_case(ecs_emulator, provider, case)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    run_one()
    # At least 1,000 cases ran, and the generator is not degenerate: every outcome is common.
    assert sum(outcomes.values()) >= 1000, outcomes
    for outcome in ("rejected", "api-error", "one-page", "all-pages"):
        assert outcomes.get(outcome, 0) >= 50, outcomes


# --- the same over gRPC, through the real dynamic-provider host ------------------------------

HOST_SETTINGS = _bounded(12)


def _wire_safe(case: Case) -> bool:
    # Pulumi drops None map values on the wire (EcsTags converts mappings to the list form).
    tag = case.props.get("tag")
    return not (isinstance(tag, dict) and None in tag.values())


@pytest.fixture
def loaded_host(ecs_emulator: Emulator) -> Any:
    load(ecs_emulator, DATA)
    with ProviderHost(LOOKUP_PROGRAM, env=host_env()) as host:
        host.configure(emulator_config(ecs_emulator))
        yield host


def test_a_sample_of_cases_gives_the_same_verdicts_through_the_host(
    ecs_emulator: Emulator, loaded_host: Any
) -> None:
    from pulumi.dynamic.dynamic import serialize_provider

    from provider import DescribeTagsProvider
    from runner import HostError

    serialized = serialize_provider(DescribeTagsProvider())
    seen: dict[str, int] = {}

    @HOST_SETTINGS
    @given(case=cases().filter(_wire_safe))
    def run_one(case: Case) -> None:
        ecs_emulator.clear_requests()
        inputs = serialize({"__provider": serialized, **case.props})
        _, failures = loaded_host.check(URN, serialize({}), inputs)
        assert {_root(f.property) for f in failures} == case.invalid, (case, failures)
        region = case.props.get("region_id") or "cn-hangzhou"
        codes = set() if case.invalid else _api_error_codes(case.props, region)
        if case.invalid or codes:
            with pytest.raises(HostError) as info:
                loaded_host.read("ecs-tags-x", URN, inputs=inputs)
            if case.invalid:
                assert "invalid EcsTags inputs" in info.value.message
                assert all(name in info.value.message for name in case.invalid)
                assert describe_requests(ecs_emulator) == []
                seen["rejected"] = seen.get("rejected", 0) + 1
            else:
                assert any(code in info.value.message for code in codes), info.value.message
                seen["api-error"] = seen.get("api-error", 0) + 1
            return
        _, props = loaded_host.read("ecs-tags-x", URN, inputs=inputs)
        outs = to_dict(props)
        expected = oracle_pairs(
            DATA,
            region,
            case.props.get("resource_type"),
            case.props.get("resource_id"),
            _filters(case.props.get("tag")),
        )
        number, size = case.props.get("page_number"), case.props.get("page_size")
        if number is not None:
            per_page = int(size) if size is not None else 50
            first = (int(number) - 1) * per_page
            expected = expected[first : first + per_page]
        assert got_pairs(outs) == expected, case
        seen["accepted"] = seen.get("accepted", 0) + 1

    run_one()
    assert seen.get("rejected", 0) >= 2 and seen.get("accepted", 0) >= 2, seen


# --- stack config ---------------------------------------------------------------------------

CONFIG_SETTINGS = _bounded(400)


@dataclass
class ConfigCase:
    """Stack config with the keys the documentation says are invalid, and whether a lookup
    against the emulator is expected to work with it."""

    config: dict[str, str]
    invalid: set[str] = field(default_factory=set)
    reads_emulator: bool = True


def _region_ok(value: str) -> bool:
    text = value.strip()  # config values are stripped; empty means unset
    return not text or _REGION.fullmatch(text) is not None


_REGION_TEXT = st.text(alphabet="abcn-1_ A\n", max_size=14)
#: key -> (valid values, invalid values); endpoints and credentials are drawn separately.
CONFIG_VALUES: dict[str, tuple[st.SearchStrategy[str], st.SearchStrategy[str]]] = {
    "alicloud:region": (
        st.one_of(
            st.sampled_from(["cn-hangzhou", " cn-hangzhou ", "cn-hangzhou\n", ""]),
            _REGION_TEXT.filter(_region_ok),
        ),
        st.one_of(
            st.sampled_from(["CN-HANGZHOU", "cn_hangzhou", "hangzhou"]),
            _REGION_TEXT.filter(lambda v: not _region_ok(v)),
        ),
    ),
    "alicloud:protocol": (
        st.sampled_from(["HTTP", "https", " http ", ""]),
        st.sampled_from(["ftp", "tcp", "HTTP/1.1"]),
    ),
    "alicloud:clientConnectTimeout": (
        st.sampled_from(["2000", " 3000 ", "1e4", "2500.5", "1", ""]),
        st.sampled_from(["0", "-1", "abc", "nan", "inf"]),
    ),
    "alicloud:clientReadTimeout": (
        st.sampled_from(["2000", " 3000 ", "1e4", "2500.5", "1", ""]),
        st.sampled_from(["0", "-1", "abc", "nan", "inf"]),
    ),
    "alicloud:maxRetryTimeout": (
        st.sampled_from(["0", "5", "2.5", ""]),
        st.sampled_from(["-1", "x", "nan"]),
    ),
    "ecsTags:maxAttempts": (
        st.sampled_from(["1", "5", "20", "3.0"]),
        st.sampled_from(["0", "21", "2.5", "x"]),
    ),
    "ecsTags:retryBaseDelay": (
        st.sampled_from(["1", "5", "250"]),
        st.sampled_from(["0", "-3", "y", "inf"]),
    ),
    "ecsTags:retryMaxDelay": (
        st.sampled_from(["1", "5", "1000"]),
        st.sampled_from(["0", "-3", "z"]),
    ),
    "ecsTags:verifyPaging": (
        st.sampled_from(["true", "false", "False", ""]),
        st.sampled_from(["yes", "1", "maybe"]),
    ),
}
_CONFIG_KEYS = sorted([*CONFIG_VALUES, "alicloud:endpoints", "credentials"])


@st.composite
def config_cases(draw: Any, url: str) -> ConfigCase:
    """Every config key the provider reads: absent, valid, or (one or two keys in about half
    of the cases) invalid."""
    from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

    case = ConfigCase(config={})
    bad: set[str] = set()
    if draw(st.booleans()):
        bad = set(draw(st.lists(st.sampled_from(_CONFIG_KEYS), min_size=1, max_size=2)))
    for key, (good_values, bad_values) in CONFIG_VALUES.items():
        if key in bad:
            case.config[key] = draw(bad_values)
            case.invalid.add(key)
        elif draw(st.integers(0, 2)):
            case.config[key] = draw(good_values)
    config = case.config
    if config.get("alicloud:region", "").strip() not in ("", "cn-hangzhou"):
        case.reads_emulator = False  # a region without data
    for key in ("alicloud:clientConnectTimeout", "alicloud:clientReadTimeout"):
        value = config.get(key, "").strip()
        if key not in bad and value and float(value) < 1000:
            case.reads_emulator = False  # too short to be sure a lookup makes it
    plain_http_ok = config.get("alicloud:protocol", "").strip().lower() == "http"
    # (value, valid, reaches the emulator)
    good_endpoints = [
        (json.dumps([{"ecs": url}]), True),
        (json.dumps({"ecs": url}), True),
        (json.dumps([{"oss": "https://x"}, {"ecs": url + "/"}]), True),
        (json.dumps([{"ecs": "https://ecs.cn-hangzhou.aliyuncs.com"}]), False),
        (json.dumps([{"ecs": "http://[::1]:9"}]), False),
        ("", False),
    ]
    bad_endpoints = [
        "not json",
        json.dumps(["x"]),
        json.dumps([{"ecs": 5}]),
        json.dumps([{"ecs": "ftp://127.0.0.1:9"}]),
        json.dumps([{"ecs": url + "/api"}]),
        json.dumps([{"ecs": url + "?a=b"}]),
        json.dumps([{"ecs": "http://u:secret@127.0.0.1:9"}]),
        json.dumps([{"ecs": "http://127.0.0.1:99999"}]),
    ]
    if plain_http_ok:
        good_endpoints.append((json.dumps([{"ecs": "http://ecs.example.com"}]), False))
    else:
        bad_endpoints.append(json.dumps([{"ecs": "http://ecs.example.com"}]))
    if "alicloud:endpoints" in bad:
        config["alicloud:endpoints"] = draw(st.sampled_from(bad_endpoints))
        case.invalid.add("alicloud:endpoints")
    elif draw(st.integers(0, 5)):
        value, reaches = draw(st.sampled_from(good_endpoints))
        config["alicloud:endpoints"] = value
        case.reads_emulator = case.reads_emulator and reaches
    else:
        case.reads_emulator = False  # no endpoint: the lookup would go to Alibaba Cloud
    if "credentials" in bad:
        form = draw(st.sampled_from(["key", "secret", "token"]))
    else:
        form = draw(st.sampled_from(["pair", "pair", "pair", "none", "pair+token"]))
    if form.startswith("pair") or form == "key":
        config["alicloud:accessKey"] = DEFAULT_ACCESS_KEY_ID
    if form.startswith("pair") or form == "secret":
        config["alicloud:secretKey"] = DEFAULT_ACCESS_KEY_SECRET
    if form in ("token", "pair+token"):
        config["alicloud:securityToken"] = "token-x"
    if form == "key":
        case.invalid.add("alicloud:secretKey")
    elif form in ("secret", "token"):
        case.invalid.add("alicloud:accessKey")
    if form != "pair":
        case.reads_emulator = False  # the default chain, or an STS token the emulator lacks
    config.update(fast_keys_if_absent(config))
    return case


def fast_keys_if_absent(config: dict[str, str]) -> dict[str, str]:
    """Short back-off unless the case sets its own (so failing reads stay quick)."""
    extra = {"ecsTags:retryBaseDelay": "1", "ecsTags:retryMaxDelay": "5"}
    return {k: v for k, v in extra.items() if k not in config}


def test_every_config_value_is_accepted_or_names_its_key(ecs_emulator: Emulator) -> None:
    load(ecs_emulator, DATA)
    expected = oracle_pairs(DATA, "cn-hangzhou", "disk", None, [])
    config_outcomes: dict[str, int] = {}

    @CONFIG_SETTINGS
    @given(case=config_cases(ecs_emulator.url))
    def run_one(case: ConfigCase) -> None:
        ecs_emulator.clear_requests()
        if case.invalid:
            with pytest.raises(ConfigurationError) as info:
                configured(case.config)
            message = str(info.value)
            assert any(key in message for key in case.invalid), (case, message)
            assert "secret" not in message.replace("secretKey", ""), message
            config_outcomes["rejected"] = config_outcomes.get("rejected", 0) + 1
            return
        provider = configured(case.config)
        if not case.reads_emulator:
            config_outcomes["accepted"] = config_outcomes.get("accepted", 0) + 1
            return
        region = None if case.config.get("alicloud:region", "").strip() else "cn-hangzhou"
        outs = provider.read(
            "ecs-tags-x", {"__provider": "p", "resource_type": "disk", "region_id": region}
        ).outs
        assert got_pairs(outs) == expected
        assert len(describe_requests(ecs_emulator)) == 1
        config_outcomes["looked-up"] = config_outcomes.get("looked-up", 0) + 1

    run_one()
    # Each outcome must really occur (the generator is deterministic: derandomize=True).
    assert all(config_outcomes.get(k, 0) >= 25 for k in ("rejected", "accepted", "looked-up")), (
        config_outcomes
    )
