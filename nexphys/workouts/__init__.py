"""Workouts: the studio's exercise library (programs, assignments and logs will build on it)."""

from nexphys.domains import Domain, NavLink, Pages, Permission
from nexphys.roles.defaults import EVERYONE, STAFF

domain = Domain(
    name="workouts",
    pages=(Pages("nexphys.workouts.views:bp"), Pages("nexphys.workouts.api:bp")),
    models=("nexphys.workouts.models",),
    # tenant migration 0010 adds them, granted to the same roles, in studios made before it
    permissions=(
        Permission("workouts", "read", "See the exercise library", roles=EVERYONE),
        Permission("workouts", "create", "Add exercises", roles=STAFF),
        Permission("workouts", "update", "Change exercises", roles=STAFF),
        Permission("workouts", "delete", "Archive exercises", roles=STAFF),
    ),
    seeds=("nexphys.workouts.starter:seed_exercises",),
    nav=(NavLink("workouts.index", "Exercises", 45, group="Training"),),
    audit_actions={"exercise.created": "Exercise added",  # services.CREATED and the others
                   "exercise.changed": "Exercise changed",
                   "exercise.archived": "Exercise archived",
                   "exercise.restored": "Exercise restored",
                   "exercise.picture_changed": "Exercise picture changed",
                   "exercise.picture_removed": "Exercise picture removed"},
)
