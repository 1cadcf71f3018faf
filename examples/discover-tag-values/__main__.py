"""Every value of one tag key in a region, across all resource types, with resource counts.

Config: `tagKey` (default `app`).
"""

import pulumi

from provider import EcsTags

key = pulumi.Config().get("tagKey") or "app"
found = EcsTags("tag-values", tag=[{"key": key}])

pulumi.export("tag_key", key)
pulumi.export("values", found.values.apply(lambda v: v.get(key, [])))
pulumi.export(
    "resources_per_value",
    found.tags.apply(
        lambda tags: {t["tag_value"]: sum(t["resource_type_count"].values()) for t in tags}
    ),
)
pulumi.export("total_count", found.total_count)
