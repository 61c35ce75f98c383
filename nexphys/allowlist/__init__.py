"""Allowed networks (optional, per studio): owners may limit staff sign-in and API keys to their own networks.

Members, the public timetable and the sign-in page stay reachable from anywhere; an empty list (the
default) restricts nobody. A platform administrator can clear a studio's list (console and
`flask tenants allowlist SLUG --clear`) when an owner has locked themselves out.
"""

from nexphys.domains import Domain, NavLink, Pages, Permission

domain = Domain(
    name="allowlist",
    pages=(Pages("nexphys.allowlist.views:bp"),),
    # Owners only (owners hold every permission); tenant migration 0005 adds it to existing studios.
    permissions=(Permission("security", "update", "Choose the networks staff and API keys may work from"),),
    settings={"staff_allowed_networks": []},  # services.STAFF_NETWORKS_SETTING
    nav=(NavLink("allowlist.edit", "Allowed networks", 65, group="Settings"),),
    audit_actions={  # services.AllowlistAudit
        "security.allowed_networks_changed": "Allowed networks changed",
        "security.allowed_networks_cleared": "Allowed networks cleared by the platform",
        "auth.sign_in_refused_network": "Sign-in refused: outside the allowed networks",
        "security.request_refused_network": "Request refused: outside the allowed networks",
    },
)
