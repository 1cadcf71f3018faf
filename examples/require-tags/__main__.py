"""Stop the deployment, already at preview, when a resource lacks a tag the organisation requires.

Config: `resourceType` (default `instance`), `resourceId`, `requiredTags` (a JSON list; default
`["env", "team", "cost-center"]`).
"""

import pulumi

from provider import EcsTags

config = pulumi.Config()
resource_id = config.require("resourceId")
required = config.get_object("requiredTags") or ["env", "team", "cost-center"]

existing = EcsTags(
    "checked-resource-tags",
    resource_type=config.get("resourceType") or "instance",
    resource_id=resource_id,
)


def require_all(values: dict[str, list[str]]) -> list[str]:
    missing = [key for key in required if key not in values]
    if missing:
        raise pulumi.RunError(
            f"{resource_id} is missing required tag(s) {', '.join(missing)}; "
            f"it has {', '.join(sorted(values)) or 'no tags'}"
        )
    return sorted(required)


pulumi.export("verified_tags", existing.values.apply(require_all))
