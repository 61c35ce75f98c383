"""API keys for integrations: made with a chosen set of permissions, shown once, stored hashed."""

from nexphys.domains import Domain, NavLink, Pages, Permission

domain = Domain(
    name="api_keys",
    pages=(Pages("nexphys.api_keys.views:bp"),),
    models=("nexphys.api_keys.models",),
    permissions=(
        Permission("api_keys", "read", "See API keys"),
        Permission("api_keys", "create", "Create API keys"),
        Permission("api_keys", "delete", "Revoke API keys"),
    ),
    nav=(NavLink("api_keys.index", "API keys", 66, group="Settings"),),
)
