"""A lookup keyed on the output of a resource that is created in the same deployment.

In preview the security group's id is unknown, so the lookup cannot be read yet; in the update
it is read once the id is known. (Under the runner the group is a mock whose id is
`<name>-id`; `lookup:instanceId` maps it to an instance of the sample data.)
"""

import pulumi
import pulumi_alicloud as alicloud

from provider import EcsTags

cfg = pulumi.Config()
group = alicloud.ecs.SecurityGroup("new-sg", vpc_id="vpc-demo")
instance_id = group.id.apply(lambda _: cfg.require("instanceId"))
found = EcsTags("by-new-group", resource_type="instance", resource_id=instance_id)
pulumi.export("values", found.values)
