"""The studio's settings store: one value per key, with the defaults the installed domains declare."""

from nexphys.domains import Domain, Permission
from nexphys.roles.defaults import MANAGERS

domain = Domain(
    name="settings",
    models=("nexphys.settings.models",),
    permissions=(
        Permission("settings", "read", "See studio settings", roles=MANAGERS),
        Permission("settings", "update", "Change studio settings"),
    ),
    seeds=("nexphys.settings.seed:seed_settings",),
    personalise=("nexphys.settings.seed:set_time_zone",),
)
