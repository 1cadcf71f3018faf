"""Validation and normalization of the query (no network)."""

from __future__ import annotations

import pytest
from pulumi.output import Unknown

from provider import QueryValidationError, TagFilter, TagQuery, parse_query, query_id
from provider._inputs import validate_query


def failures(props: dict[str, object]) -> dict[str, str]:
    return {f.property: f.reason for f in validate_query(props)}


def test_minimal_and_full_queries_normalize() -> None:
    assert parse_query({}) == TagQuery()
    q = parse_query(
        {
            "region_id": "cn-hangzhou",
            "resource_type": "instance",
            "resource_id": "i-1",
            "tag": [{"key": "env", "value": "prod"}, {"key": "team"}],
            "page_number": 2.0,  # numbers arrive as floats over the wire
            "page_size": 10,
        }
    )
    assert q == TagQuery(
        "cn-hangzhou", "instance", "i-1", (TagFilter("env", "prod"), TagFilter("team")), 2, 10
    )


def test_mapping_and_list_forms_are_the_same_query() -> None:
    a = parse_query({"tag": {"env": "prod", "team": None}})
    b = parse_query({"tag": [{"key": "env", "value": "prod"}, {"key": "team", "value": None}]})
    assert a == b
    assert query_id({"tag": {"env": "prod", "team": None}}) == query_id(
        {"tag": [{"key": "env", "value": "prod"}, {"key": "team"}]}
    )


def test_id_is_deterministic_and_query_specific() -> None:
    base = {"region_id": "cn-hangzhou", "resource_type": "instance"}
    assert query_id(base) == query_id(dict(base))
    assert query_id(base).startswith("ecs-tags-")
    assert query_id(base) != query_id({**base, "resource_type": "disk"})
    assert query_id(base) != query_id({**base, "page_number": 1})
    # Output-only keys and the provider do not change the id.
    assert query_id(base) == query_id({**base, "tags": None, "__provider": "x"})
    # Invalid inputs still get an id (the read then reports the failures).
    assert query_id({"resource_type": "Instance"}) != query_id({"resource_type": "instance"})


@pytest.mark.parametrize(
    "rtype",
    [
        "disk",
        "instance",
        "image",
        "securitygroup",
        "snapshot",
        "volume",
        "eni",
        "ddh",
        "keypair",
        "launchtemplate",
        "reservedinstance",
        "snapshotpolicy",
    ],
)
def test_every_api_resource_type_is_accepted(rtype: str) -> None:
    assert parse_query({"resource_type": rtype}).resource_type == rtype


def test_resource_type_is_case_sensitive_with_suggestion() -> None:
    reason = failures({"resource_type": "Instance"})["resource_type"]
    assert "'Instance'" in reason
    assert 'did you mean "instance"' in reason
    assert "securitygroup" in reason  # lists what is allowed
    assert (
        'did you mean "securitygroup"'
        in failures({"resource_type": "security_group"})["resource_type"]
    )
    assert "did you mean" not in failures({"resource_type": "bucket"})["resource_type"]


def test_tag_rules() -> None:
    too_many = [{"key": f"k{i}"} for i in range(21)]
    assert "at most 20" in failures({"tag": too_many})["tag"]
    assert failures({"tag": too_many[:20]}) == {}
    assert "non-empty key" in failures({"tag": [{"key": ""}]})["tag[0]"]
    assert "without a key" in failures({"tag": [{"value": "prod"}]})["tag[0]"]
    assert "without a key" in failures({"tag": [{"key": None, "value": "x"}]})["tag[0]"]
    assert "unknown field" in failures({"tag": [{"Key": "env"}]})["tag[0]"]
    assert "expected a mapping" in failures({"tag": ["env"]})["tag[0]"]
    assert "expected a list" in failures({"tag": "env=prod"})["tag"]
    assert "expected a string" in failures({"tag": {"env": 5}})["tag['env']"]
    # An empty value is no value for the API: the filter matches every value of the key, and
    # both spellings are one query with one id.
    assert parse_query({"tag": [{"key": "env", "value": ""}]}).tags == (TagFilter("env", None),)
    assert query_id({"tag": [{"key": "env", "value": ""}]}) == query_id({"tag": [{"key": "env"}]})


def test_paging_rules() -> None:
    assert "1 to 100" in failures({"page_size": 0})["page_size"]
    assert "1 to 100" in failures({"page_size": 101})["page_size"]
    assert "got 0" in failures({"page_number": 0})["page_number"]
    assert ">= 1" in failures({"page_number": -3})["page_number"]
    assert "integer" in failures({"page_number": 1.5})["page_number"]
    assert "integer" in failures({"page_size": True})["page_size"]
    assert "integer" in failures({"page_size": "10"})["page_size"]
    assert failures({"page_size": 100, "page_number": 1}) == {}


def test_region_and_other_properties() -> None:
    assert "cn-hangzhou" in failures({"region_id": "Hangzhou"})["region_id"]
    assert "region_id" in failures({"region_id": "cn_hangzhou"})
    assert failures({"region_id": "ap-southeast-1"}) == {}
    assert "non-empty" in failures({"resource_id": " "})["resource_id"]
    assert "unknown property" in failures({"resourceType": "instance"})["resourceType"]


def test_every_failure_is_reported_at_once() -> None:
    with pytest.raises(QueryValidationError) as info:
        parse_query({"resource_type": "Instance", "page_size": 500, "region_id": "x"})
    props = {f.property for f in info.value.failures}
    assert props == {"resource_type", "page_size", "region_id"}
    text = str(info.value)
    assert "resource_type: got 'Instance'" in text and "page_size: got 500" in text


def test_unknowns_are_skipped_in_check_but_block_a_read() -> None:
    props = {"resource_type": Unknown(), "tag": [{"key": Unknown()}], "page_size": 0}
    assert set(failures(props)) == {"page_size"}
    with pytest.raises(QueryValidationError, match="unknown"):
        parse_query({"resource_type": Unknown()})
