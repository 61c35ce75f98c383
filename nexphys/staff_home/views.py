"""The staff home: the studio's home page for its staff (members and visitors get the timetable)."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template

from nexphys.db import utcnow
from nexphys.staff_home import services
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import current_principal

DAYS = 2  # today and tomorrow


def staff_home():
    """Today's and tomorrow's classes, what needs attention, new members and first steps; None for anyone but
    staff (the next home view, the timetable, answers them). Instructors see their own classes."""
    principal = current_principal()
    if principal is None or principal.kind != "user" or principal.scope("bookings", "read") != "all":
        return None
    tenant, now = require_tenant(), utcnow()
    today = tenant.today(now)
    runs_schedule = principal.can("classes", "update")
    lines = services.class_lines(today, DAYS, instructor_id=None if runs_schedule else principal.person_id)
    # New members for those who run the studio (instructors' home is their classes).
    new_count, newest = services.new_members(now) if runs_schedule and principal.can("members", "read") else (0, [])
    steps = services.setup_steps() if principal.can("classes", "create") else []
    return render_template(
        "staff_home/index.html", today=today, tomorrow=today + timedelta(days=1), lines=lines,
        next_line=services.next_class(lines, now), now=now, own_classes_only=not runs_schedule,
        alerts=services.alerts(lines, now, with_emails=principal.can("settings", "read")),
        new_count=new_count, newest=newest, new_days=services.NEW_MEMBERS_DAYS,
        steps=steps if not all(step.done for step in steps) else [],
        may_check_in=principal.can("bookings", "update"),
    )

