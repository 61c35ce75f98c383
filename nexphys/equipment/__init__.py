"""Equipment: the studio's assets (with QR labels and problem reports) and their maintenance."""

from nexphys.domains import Domain, NavLink, Pages, PeriodicJob, Permission
from nexphys.roles.defaults import MANAGERS, STAFF

domain = Domain(
    name="equipment",
    pages=(Pages("nexphys.equipment.views:bp"), Pages("nexphys.equipment.api:bp")),
    models=("nexphys.equipment.models",),
    # tenant migration 0010 grants them in studios made before it (same words there)
    permissions=(
        Permission("equipment", "read", "See the equipment and its maintenance", roles=STAFF),
        Permission("equipment", "create", "Add equipment and log maintenance", roles=MANAGERS),
        Permission("equipment", "update", "Change equipment and its status", roles=MANAGERS),
        Permission("equipment", "delete", "Remove equipment", roles=MANAGERS),
    ),
    settings={"equipment_currency": "EUR",  # costs are amounts in this currency
              "equipment_due_soon_days": 7},  # "due soon" on the maintenance page
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
    },
)
