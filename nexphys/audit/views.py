"""The audit log page (owners): who did what, when and from where, newest first."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from nexphys.audit.services import AuditAction, recent_entries
from nexphys.audit.subjects import subject
from nexphys.domains import installed
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import requires
from nexphys.web.api import page_args

bp = Blueprint("audit", __name__)


def action_choices() -> list[tuple[str, str]]:
    """(value, label) of every known audit action (the core's and the domains' own), for the filter."""
    labels = {value: _label(value) for name, value in vars(AuditAction).items()
              if name.isupper() and isinstance(value, str)}
    labels.update(installed().audit_actions())
    return sorted(labels.items(), key=lambda choice: choice[0])


def _label(action: str) -> str:
    """"api_key.created" → "API key: created"."""
    return action.replace("_", " ").replace(".", ": ", 1).capitalize().replace("Api key", "API key")


@bp.get("/audit")
@requires("audit", "read")
def index():
    """The audit log, newest first; filter by action; paginated."""
    choices = action_choices()
    action = request.args.get("action") or None
    if action not in {value for value, _label in choices}:
        action = None  # an unknown filter shows everything rather than a misleading empty page
    page, per_page = page_args(default_per_page=50)
    entries = recent_entries(page=page, per_page=per_page, action=action)
    return render_template("audit/index.html", entries=entries, choices=choices, labels=dict(choices), action=action,
                           subject=lambda e: subject(e.target, e.details or {}, require_tenant().zone))
