"""Give a new security group the same team and cost-centre tags as an existing instance.

Config: `sourceInstanceId` (the instance whose tags to copy), `vpcId` (for the group).
"""

import pulumi
import pulumi_alicloud as alicloud

from provider import EcsTags

config = pulumi.Config()
source = EcsTags(
    "source-instance-tags",
    resource_type="instance",
    resource_id=config.require("sourceInstanceId"),
)
copied = source.tag_map.apply(
    lambda m: {k: v for k, v in m.items() if k in ("team", "cost-center")}
)

group = alicloud.ecs.SecurityGroup(
    "app-sg",
    vpc_id=config.require("vpcId"),
    description="Tagged like its source instance",
    tags=copied,
)

pulumi.export("copied_tags", copied)
pulumi.export("security_group_tags", group.tags)
