"""A studio's people: members and staff, their profiles, invitations and roles."""

from nexphys.domains import Domain, NavLink, Pages, Permission
from nexphys.roles.defaults import EVERYONE, MANAGERS, STAFF

domain = Domain(
    name="members",
    pages=(Pages("nexphys.members.views:bp"), Pages("nexphys.members.api:bp")),
    models=("nexphys.members.models",),
    permissions=(
        Permission("members", "read", "See every member's profile", roles=STAFF),
        Permission("members", "read", "See one's own profile", own=True, roles=EVERYONE),
        Permission("members", "create", "Add and invite members", roles=MANAGERS),
        Permission("members", "update", "Edit any member's profile", roles=MANAGERS),
        Permission("members", "update", "Edit one's own profile", own=True, roles=EVERYONE),
        Permission("members", "delete", "Deactivate members", roles=MANAGERS),
    ),
    nav=(NavLink("members.index", "Members", 30, group="People"), NavLink("members.profile", "My profile", 90)),
)
