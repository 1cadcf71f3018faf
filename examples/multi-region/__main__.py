"""The values of one tag key on instances, region by region.

Config: `regions` (a JSON list; default `["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]`),
`tagKey` (default `env`).
"""

import pulumi

from provider import EcsTags

config = pulumi.Config()
regions = config.get_object("regions") or ["cn-hangzhou", "cn-shanghai", "ap-southeast-1"]
key = config.get("tagKey") or "env"

lookups = {
    region: EcsTags(
        f"{key}-in-{region}", region_id=region, resource_type="instance", tag={key: None}
    )
    for region in regions
}

pulumi.export(
    "values_by_region",
    pulumi.Output.all(*[lookups[r].values for r in regions]).apply(
        lambda found: {r: v.get(key, []) for r, v in zip(regions, found, strict=True)}
    ),
)
