"""Booking classes: places, the waitlist, cancellations, rosters, the booking rules and their emails."""

from nexphys.bookings.rules import DEFAULT_ROLE_RULES, DEFAULT_RULE_SETTINGS, ROLE_RULES_SETTING
from nexphys.domains import Domain, NavLink, Pages, PeriodicJob, Permission
from nexphys.roles.defaults import EVERYONE, MANAGERS, STAFF

domain = Domain(
    name="bookings",
    pages=(Pages("nexphys.bookings.views:bp"), Pages("nexphys.bookings.api:bp")),
    models=("nexphys.bookings.models",),
    permissions=(
        Permission("bookings", "read", "See every booking and roster", roles=STAFF),
        Permission("bookings", "read", "See one's own bookings", own=True, roles=EVERYONE),
        Permission("bookings", "create", "Book anyone into a class", roles=MANAGERS),
        Permission("bookings", "create", "Book oneself into a class", own=True, roles=EVERYONE),
        Permission("bookings", "update", "Check people in, change bookings", roles=STAFF),
        Permission("bookings", "delete", "Cancel anyone's booking", roles=MANAGERS),
        Permission("bookings", "delete", "Cancel one's own booking", own=True, roles=EVERYONE),
    ),
    settings={**DEFAULT_RULE_SETTINGS, ROLE_RULES_SETTING: DEFAULT_ROLE_RULES},
    nav=(NavLink("bookings.rules", "Booking rules", 60, group="Settings"), NavLink("bookings.mine", "My bookings", 80)),
    jobs=(PeriodicJob("nexphys.bookings.jobs.enqueue_booking_housekeeping", "default", 300),),  # no-shows, reminders
)
