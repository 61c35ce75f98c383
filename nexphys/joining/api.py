"""Sign-ups waiting for the staff, over the API: list, approve, decline (the members page's buttons)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint

from nexphys.extensions import db
from nexphys.joining import services
from nexphys.joining.models import SignUp
from nexphys.members.api import member_json
from nexphys.members.schemas import Member
from nexphys.web.access import require_principal, requires
from nexphys.web.schemas import Items, Shape, api, respond

bp = Blueprint("joining_api", __name__, url_prefix="/api/v1")


class WaitingSignUp(Shape):
    """A verified request to join, waiting for the staff."""

    id: int
    email: str
    full_name: str
    verified_at: datetime | None
    status: str


def _json(request: SignUp) -> dict:
    return {"id": request.id, "email": request.email, "full_name": request.full_name,
            "verified_at": request.verified_at, "status": request.status}


@bp.get("/sign-ups")
@requires("members", "create", own=False)
@api(responses={200: Items[WaitingSignUp]})
def list_sign_ups():
    """Verified sign-ups waiting for approval, oldest first (the studio's policy is "staff approval")."""
    waiting = services.waiting()
    return respond(Items[WaitingSignUp], {"items": [_json(r) for r in waiting], "total": len(waiting)})


@bp.post("/sign-ups/<int:id>/approve")
@requires("members", "create", own=False)
@api(responses={201: Member}, problems=(404, 409))
def approve_sign_up(id: int):
    """Approve a waiting sign-up: an active member now (emailed); 409 when already answered or the plan is full."""
    principal = require_principal()
    user = services.approve(id, principal)
    db.session.commit()
    return respond(Member, member_json(user, principal), 201)


@bp.post("/sign-ups/<int:id>/decline")
@requires("members", "create", own=False)
@api(responses={200: WaitingSignUp}, problems=(404, 409))
def decline_sign_up(id: int):
    """Decline a waiting sign-up (the person is emailed); 409 when already answered."""
    request = services.decline(id, require_principal())
    db.session.commit()
    return respond(WaitingSignUp, _json(request))
