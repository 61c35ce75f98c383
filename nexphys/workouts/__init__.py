"""Workouts: the exercise library, programs with progression, assignments, class workouts, logs and records."""

from nexphys.domains import Domain, NavLink, Pages, Permission
from nexphys.roles.defaults import EVERYONE, STAFF

domain = Domain(
    name="workouts",
    pages=(Pages("nexphys.workouts.views:bp"), Pages("nexphys.workouts.api:bp"),
           Pages("nexphys.workouts.log_views:bp"), Pages("nexphys.workouts.log_api:bp"),
           Pages("nexphys.workouts.program_views:bp"), Pages("nexphys.workouts.program_editor:bp"),
           Pages("nexphys.workouts.program_api:bp")),
    models=("nexphys.workouts.models",),
    # tenant migration 0010 adds them, granted to the same roles, in studios made before it
    permissions=(
        Permission("workouts", "read", "See the exercise library", roles=EVERYONE),
        Permission("workouts", "create", "Add exercises", roles=STAFF),
        Permission("workouts", "update", "Change exercises", roles=STAFF),
        Permission("workouts", "delete", "Archive exercises", roles=STAFF),
        # tenant migration 0012: members and up log and change their own training
        Permission("workouts", "create", "Log one's own training", own=True, roles=EVERYONE),
        Permission("workouts", "update", "Change one's own training logs", own=True, roles=EVERYONE),
        Permission("workouts", "delete", "Remove one's own training logs", own=True, roles=EVERYONE),
    ),
    seeds=("nexphys.workouts.starter:seed_exercises",),
    # a class's results on its page; the words of programs in every template
    template_context=("nexphys.workouts.log_views:template_values", "nexphys.workouts.program_words:template_values"),
    nav=(NavLink("workouts.index", "Exercises", 45, group="Training"),
         NavLink("programs.index", "Programs", 46, group="Training"),
         NavLink("training_logs.history", "Training log", 47, group="Training"),
         NavLink("training_logs.records", "Records", 48, group="Training"),
         NavLink("programs.my_training", "My training", 44, group="Training")),
    audit_actions={"exercise.created": "Exercise added",  # services.CREATED and the others
                   "exercise.changed": "Exercise changed",
                   "exercise.archived": "Exercise archived",
                   "exercise.restored": "Exercise restored",
                   "exercise.picture_changed": "Exercise picture changed",
                   "exercise.picture_removed": "Exercise picture removed",
                   # programs.py and program_training.py
                   "program.created": "Program created",
                   "program.changed": "Program changed",
                   "program.archived": "Program archived",
                   "program.copied": "Program copied",
                   "workout.changed": "Workout changed",
                   "assignment.created": "Program assigned",
                   "assignment.ended": "Program assignment ended",
                   "training_max.set": "Training max set",
                   "training_max.removed": "Training max removed",
                   "class_workout.attached": "Workout added to a class",
                   "class_workout.detached": "Workout taken off a class",
                   "class_workout.leaderboard": "Class leaderboard turned on or off"},
)
