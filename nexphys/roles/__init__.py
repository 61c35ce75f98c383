"""Roles and permissions: the catalogue, the default roles, and who may change what."""

from nexphys.domains import Domain, NavLink, Pages, Permission
from nexphys.roles.defaults import MANAGERS

domain = Domain(
    name="roles",
    pages=(Pages("nexphys.roles.views:bp"), Pages("nexphys.roles.api:bp")),
    models=("nexphys.roles.models",),
    permissions=(
        Permission("roles", "read", "See roles and permissions", roles=MANAGERS),
        Permission("roles", "create", "Create custom roles"),
        Permission("roles", "update", "Change roles and who holds them"),
        Permission("roles", "delete", "Delete custom roles"),
    ),
    seeds=("nexphys.roles.seed:seed_roles",),
    nav=(NavLink("roles.index", "Roles and permissions", 31, group="People"),),
)
