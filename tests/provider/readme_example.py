"""A complete program: tag values of web instances, and the disks sharing their env."""

import pulumi

from provider import EcsTags, EcsTagsArgs

web = EcsTags(
    "web-tags",
    EcsTagsArgs(
        resource_type="instance",
        tag=[{"key": "env"}, {"key": "team", "value": "web"}],  # AND; no value = any value
    ),
)
# Keyword form, `tag` as a plain mapping, and an input taken from another resource's output:
disks = EcsTags(
    "web-disks",
    resource_type="disk",
    tag={"env": web.tag_map.apply(lambda m: m.get("env", "none"))},
)

pulumi.export("env_values", web.values.apply(lambda v: v.get("env", [])))
pulumi.export("web_tag_map", web.tag_map)
pulumi.export("web_pairs", web.total_count)
pulumi.export(
    "instances_per_pair",
    web.tags.apply(
        lambda tags: {
            f"{t['tag_key']}={t['tag_value']}": t["resource_type_count"].get("instance", 0)
            for t in tags
        }
    ),
)
pulumi.export("disk_pairs", disks.tags)
