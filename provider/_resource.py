"""``EcsTags``: the read-only Pulumi resource a program constructs, and its typed args."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import pulumi
import pulumi.dynamic

from ._inputs import INPUT_KEYS, OUTPUT_ONLY_KEYS, query_id
from ._provider import DescribeTagsProvider

#: One ``tag`` filter: ``{"key": "env"}`` (any value) or ``{"key": "env", "value": "prod"}``.
TagFilterInput = Mapping[str, pulumi.Input[str | None]]
#: ``tag``: a list of filters, or a plain mapping ``{"env": "prod", "team": None}``.
TagInput = (
    pulumi.Input[Sequence[pulumi.Input[TagFilterInput]]] | Mapping[str, pulumi.Input[str | None]]
)


def _mapping_to_list(tag: Any) -> Any:
    if isinstance(tag, Mapping):
        # Value None means "any value"; the key is omitted because Pulumi drops None values.
        return [{"key": k} if v is None else {"key": k, "value": v} for k, v in tag.items()]
    return tag


def _tag_list(tag: Any) -> Any:
    """The ``tag`` input in list form: Pulumi drops ``None`` map values on the wire, which
    would silently turn ``{"env": None}`` into no filter at all."""
    if tag is None or isinstance(tag, (list, tuple, Mapping)):
        return _mapping_to_list(tag)
    return pulumi.Output.from_input(tag).apply(_mapping_to_list)


@dataclass
class EcsTagsArgs:
    """The DescribeTags query of an :class:`EcsTags` lookup; every field accepts a Pulumi Input.

    * ``region_id``: region to query; default ``alicloud:region`` / ``ALICLOUD_REGION``.
    * ``resource_type``: ``instance``, ``disk``, ``image``, ``securitygroup``, ``snapshot``,
      ``volume``, ``eni``, ``ddh``, ``keypair``, ``launchtemplate``, ``reservedinstance``,
      ``snapshotpolicy`` (lowercase); None for every type.
    * ``resource_id``: only the tags of this resource.
    * ``tag``: up to 20 filters, combined with AND; a filter without value matches any value.
    * ``page_number``: read only this page (as the API returns it); None reads every page.
    * ``page_size``: 1..100; the API's default (50) for one page, 100 when reading every page.
    """

    region_id: pulumi.Input[str] | None = None
    resource_type: pulumi.Input[str] | None = None
    resource_id: pulumi.Input[str] | None = None
    tag: TagInput | None = None
    page_number: pulumi.Input[int] | None = None
    page_size: pulumi.Input[int] | None = None


class EcsTags(pulumi.dynamic.Resource, module="alicloud", name="EcsTags"):
    """ECS tags matching a query (``DescribeTags``), read on every preview and update.

    The resource is never created: it is read with an id derived from the query, so its
    outputs are known during ``pulumi preview`` unless an input is itself unknown. Outputs:

    * ``tags``: list of ``{"tag_key", "tag_value", "resource_type_count"}``; the counts are
      per resource type, keyed by the SDK's snake_case names (``instance``, ``disk``,
      ``securitygroup``, ``key_pair``, ...), only those the API reported;
    * ``values``: tag key -> sorted list of its values found;
    * ``tag_map``: tag key -> value, only for keys found with exactly one value;
    * ``total_count``: ``TotalCount`` reported by the API;
    * ``page_number`` / ``page_size``: of the page read in one-page mode; when every page was
      read, ``page_number`` is None and ``page_size`` the size used;
    * ``request_id``: request id of the last page read;
    * ``region_id``, ``resource_type``, ``resource_id``, ``tag``: the normalized query (with
      the region actually used).
    """

    region_id: pulumi.Output[str]
    resource_type: pulumi.Output[str | None]
    resource_id: pulumi.Output[str | None]
    tag: pulumi.Output[list[dict[str, str | None]]]
    page_number: pulumi.Output[int | None]
    page_size: pulumi.Output[int | None]
    tags: pulumi.Output[list[dict[str, Any]]]
    values: pulumi.Output[dict[str, list[str]]]
    tag_map: pulumi.Output[dict[str, str]]
    total_count: pulumi.Output[int]
    request_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: EcsTagsArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        region_id: pulumi.Input[str] | None = None,
        resource_type: pulumi.Input[str] | None = None,
        resource_id: pulumi.Input[str] | None = None,
        tag: TagInput | None = None,
        page_number: pulumi.Input[int] | None = None,
        page_size: pulumi.Input[int] | None = None,
    ) -> None:
        """Look up ECS tags; pass an :class:`EcsTagsArgs` or the same fields as keywords."""
        keywords: dict[str, Any] = {
            "region_id": region_id,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "tag": tag,
            "page_number": page_number,
            "page_size": page_size,
        }
        if args is not None:
            if any(v is not None for v in keywords.values()):
                raise TypeError("EcsTags: pass either args or keyword inputs, not both")
            keywords = {f.name: getattr(args, f.name) for f in fields(args)}
        query: dict[str, Any] = {k: keywords[k] for k in INPUT_KEYS}
        query["tag"] = _tag_list(query["tag"])
        # Unknown exactly when an input is unknown; unsecret because the id is only a hash.
        id_ = pulumi.Output.unsecret(pulumi.Output.from_input(query)).apply(query_id)
        props: dict[str, Any] = dict(query)
        for key in OUTPUT_ONLY_KEYS:
            props[key] = None
        super().__init__(
            DescribeTagsProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id_)),
        )
