"""The default program: what the ECS resources of the stack's region are tagged with.

Every lookup is read during `pulumi preview` as well as `pulumi up`, so the exported values are
known before anything is deployed. Region, credentials and endpoint come from the stack config
(`alicloud:region`, ...) or the environment; see the README. `make demo` runs this program
against the bundled emulator.
"""

import pulumi

from provider import EcsTags

# Every value of the `env` tag across the region's instances, however many pages that takes.
instance_envs = EcsTags("instance-envs", resource_type="instance", tag=[{"key": "env"}])

# The cost centres that disks are billed to, with how many disks carry each.
disk_cost_centers = EcsTags("disk-cost-centers", resource_type="disk", tag={"cost-center": None})

# What the production instances are tagged with, team by team (two filters, combined with AND).
prod_teams = EcsTags(
    "prod-instance-teams",
    resource_type="instance",
    tag=[{"key": "env", "value": "prod"}, {"key": "team"}],
)

pulumi.export("instance_envs", instance_envs.values.apply(lambda v: v.get("env", [])))
pulumi.export(
    "disks_per_cost_center",
    disk_cost_centers.tags.apply(
        lambda tags: {t["tag_value"]: t["resource_type_count"].get("disk", 0) for t in tags}
    ),
)
pulumi.export("prod_instance_teams", prod_teams.values.apply(lambda v: v.get("team", [])))
pulumi.export("prod_lookup_request_id", prod_teams.request_id)
