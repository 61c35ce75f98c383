"""The schedule: class types, rooms, instructors, weekly series and class sessions."""

from nexphys.domains import Domain, NavLink, Pages, PeriodicJob, Permission
from nexphys.roles.defaults import EVERYONE, MANAGERS, STAFF

domain = Domain(
    name="classes",
    pages=(Pages("nexphys.classes.views:bp"), Pages("nexphys.classes.api:bp")),
    models=("nexphys.classes.models",),
    permissions=(
        Permission("classes", "read", "See the timetable", roles=EVERYONE),
        Permission("classes", "create", "Schedule classes", roles=MANAGERS),
        Permission("classes", "update", "Change classes", roles=MANAGERS),
        Permission("classes", "delete", "Cancel classes", roles=MANAGERS),
        # tenant migration 0006 grants it in studios made before it
        Permission("schedule", "read", "See the staff schedule", roles=STAFF),
    ),
    settings={
        "timetable_requires_sign_in": False,
        "schedule_weeks_ahead": 8,  # how far ahead recurring series are turned into sessions
    },
    nav=(NavLink("classes.index", "Classes and series", 20, group="Schedule"),),
    jobs=(PeriodicJob("nexphys.classes.jobs.extend_all_schedules", "low", 3600),),  # series → sessions ahead
    audit_actions={"class_type.picture_changed": "Class picture changed",  # catalog.PICTURE_CHANGED
                   "class_type.picture_removed": "Class picture removed"},
)
