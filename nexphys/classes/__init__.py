"""The schedule: class types, rooms, instructors, weekly series and class sessions."""

from nexphys.domains import Domain, NavLink, Pages, PeriodicJob, Permission
from nexphys.roles.defaults import EVERYONE, MANAGERS

domain = Domain(
    name="classes",
    pages=(Pages("nexphys.classes.views:bp"), Pages("nexphys.classes.api:bp")),
    models=("nexphys.classes.models",),
    permissions=(
        Permission("classes", "read", "See the timetable", roles=EVERYONE),
        Permission("classes", "create", "Schedule classes", roles=MANAGERS),
        Permission("classes", "update", "Change classes", roles=MANAGERS),
        Permission("classes", "delete", "Cancel classes", roles=MANAGERS),
    ),
    settings={
        "timetable_requires_sign_in": False,
        "schedule_weeks_ahead": 8,  # how far ahead recurring series are turned into sessions
    },
    nav=(NavLink("classes.index", "Schedule", 20),),
    jobs=(PeriodicJob("nexphys.classes.jobs.extend_all_schedules", "low", 3600),),  # series → sessions ahead
)
