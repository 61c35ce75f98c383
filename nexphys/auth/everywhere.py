""""Sign out everywhere": a person ends all their own sessions and tokens, or staff end someone's.

Staff need the full `members:update` permission (edit anyone's profile) and the usual hierarchy
(nobody acts on a higher role level; an API key acts at manager level). Always audited.
"""

from __future__ import annotations

from nexphys import errors
from nexphys.audit.services import AuditAction, record
from nexphys.auth.sessions import end_sessions
from nexphys.members.models import User
from nexphys.members.services import MemberNotFound, get_member, may_manage
from nexphys.web.access import Principal


class SignOutNotAllowed(errors.NotAllowed):
    """The caller may not end this person's sessions."""


def may_sign_out(actor: Principal, user: User) -> bool:
    """Whether `actor` may sign `user` out everywhere: themself, or staff who manage them."""
    if actor.person_id == user.id:
        return True
    return actor.scope("members", "update") == "all" and may_manage(actor, user)


def person_to_sign_out(member_id: int, actor: Principal) -> User:
    """The person `actor` may sign out: MemberNotFound (404) if they cannot even see them, else SignOutNotAllowed."""
    user = get_member(member_id)
    if may_sign_out(actor, user):
        return user
    if actor.scope("members", "read") != "all":
        raise MemberNotFound("There is no such member.")
    raise SignOutNotAllowed(f"You cannot sign {user.full_name} out.")


def sign_out_everywhere(user: User, actor: Principal) -> int:
    """End every session, remember cookie and API token of `user` (the caller's own too). Flushes.

    Returns how many API sign-ins (token families) were revoked.
    """
    if not may_sign_out(actor, user):
        raise SignOutNotAllowed(f"You cannot sign {user.full_name} out.")
    families = end_sessions(user)
    record(AuditAction.SIGNED_OUT_EVERYWHERE, actor=actor.label, actor_user_id=actor.person_id,
           target=f"user:{user.id}", details={"by": "self" if actor.person_id == user.id else "staff",
                                              "api_sign_ins": len(families)})
    return len(families)
