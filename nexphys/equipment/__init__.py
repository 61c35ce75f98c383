"""Equipment: the studio's assets (with QR labels and problem reports) and their maintenance."""

from nexphys.domains import Domain, NavLink, Pages, PeriodicJob, Permission
from nexphys.roles.defaults import MANAGERS, STAFF

domain = Domain(
    name="equipment",
    pages=(Pages("nexphys.equipment.views:bp"), Pages("nexphys.equipment.schedule_views:bp"),
           Pages("nexphys.equipment.api:bp"), Pages("nexphys.equipment.api_schedule:bp")),
    models=("nexphys.equipment.models",),
    # tenant migration 0010 grants them in studios made before it (same words there)
    permissions=(
        Permission("equipment", "read", "See the equipment and its maintenance", roles=STAFF),
        Permission("equipment", "create", "Add equipment and log maintenance", roles=MANAGERS),
        Permission("equipment", "update", "Change equipment and its status", roles=MANAGERS),
        Permission("equipment", "delete", "Remove equipment", roles=MANAGERS),
    ),
    settings={"equipment_currency": "EUR",  # costs are amounts in this currency
              "equipment_due_soon_days": 7,  # "due soon" on the maintenance page
              "equipment_warning_days": 14},  # how far ahead taking equipment away warns about classes
    # the equipment a class needs, and its shortfalls, on the schedule's own pages (they never import us)
    page_parts={"schedule.session": ("nexphys.equipment.parts:schedule_badge",),
                "roster.notice": ("nexphys.equipment.parts:roster_notice",),
                "class_type.edit": ("nexphys.equipment.parts:class_type_section",),
                "session.edit": ("nexphys.equipment.parts:session_section",),
                "exercise.equipment": ("nexphys.equipment.parts:exercise_equipment",)},
    nav=(NavLink("equipment.index", "Equipment", 30, group="Schedule"),
         NavLink("equipment.maintenance", "Maintenance due", 31, group="Schedule")),
    jobs=(PeriodicJob("nexphys.equipment.jobs.remind_all_studios", "low", 3600),),  # due maintenance emails
    audit_actions={
        "equipment.created": "Equipment added", "equipment.updated": "Equipment changed",
        "equipment.deleted": "Equipment removed", "equipment.status_changed": "Equipment status changed",
        "equipment.problem_reported": "Equipment problem reported",
        "equipment.problem_resolved": "Equipment problem resolved",
        "equipment.schedule_added": "Maintenance scheduled", "equipment.maintained": "Maintenance logged",
        "equipment.reminder_sent": "Maintenance reminder sent",
        "equipment.schedule_changed": "Maintenance schedule changed",
        "equipment.requirements_changed": "Equipment needed by a class changed",
        "equipment.capacity_reduced": "Class made smaller for missing equipment",
    },
)
