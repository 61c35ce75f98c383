"""The front desk: members' check-in codes, today's classes with who is expected, checking people in (by name, by
scanning their code) and the kiosk where members check themselves in."""

from nexphys.domains import Domain, NavLink, Pages

domain = Domain(
    name="checkin",
    pages=(Pages("nexphys.checkin.views:bp"), Pages("nexphys.checkin.kiosk:bp")),
    nav=(NavLink("checkin.desk", "Check-in desk", 40, group="Schedule"),
         NavLink("checkin.my_code", "My check-in code", 85)),
    audit_actions={  # services.KioskAudit
        "checkin.kiosk_started": "Kiosk started",
        "checkin.kiosk_unlocked": "Kiosk unlocked",
        "checkin.kiosk_unlock_failed": "Kiosk unlock refused: wrong password",
    },
)
