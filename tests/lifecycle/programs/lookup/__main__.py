"""One EcsTags lookup; every input comes from the stack config (`lookup:*`)."""

import pulumi

from provider import EcsTags

cfg = pulumi.Config()
found = EcsTags(
    "lookup",
    region_id=cfg.get("regionId"),
    resource_type=cfg.get("resourceType"),
    resource_id=cfg.get("resourceId"),
    tag=cfg.get_object("tag"),
    page_number=cfg.get_int("pageNumber"),
    page_size=cfg.get_int("pageSize"),
)
pulumi.export("values", found.values)
pulumi.export("tags", found.tags)
pulumi.export("total_count", found.total_count)
pulumi.export("request_id", found.request_id)
