"""Front-desk rules: which of a member's classes a code checks them in to, and the kiosk's lock.

Every check-in still goes through `nexphys.bookings.services.check_in` (the desk, the roster and the API
call it too); this module only decides which booking a scanned or typed code means. The kiosk's state is
the browser session's (signed, nothing stored): which studio, who started it and when. Services flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nexphys.audit.services import record
from nexphys.bookings import services as bookings
from nexphys.bookings.models import BookingStatus
from nexphys.checkin import codes
from nexphys.checkin.queries import EXPECTED, TodayBooking, member_today
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.security.passwords import verify_password
from nexphys.web.access import Principal


class KioskAudit:
    """The kiosk's audit actions (labelled in the domain's declaration)."""

    STARTED = "checkin.kiosk_started"
    UNLOCKED = "checkin.kiosk_unlocked"
    UNLOCK_FAILED = "checkin.kiosk_unlock_failed"



def open_now(bookings_today: list[TodayBooking], now: datetime) -> list[TodayBooking]:
    """The expected bookings whose check-in is open now (and whose class is not over)."""
    return [b for b in bookings_today
            if b.status in EXPECTED and bookings.check_in_opens(b.starts_at) <= now < b.ends_at]


@dataclass(frozen=True)
class SelfCheckIn:
    """What the kiosk says after a code: `kind` is checked_in, already, not_open, nothing_today or unknown."""

    kind: str
    first_name: str = ""
    class_name: str = ""
    starts_at: datetime | None = None
    opens_at: datetime | None = None


def self_check_in(code: str, *, kiosk: str, now: datetime | None = None) -> SelfCheckIn:
    """A member checks themselves in with their code: to their next class open for check-in, if any. Audited with
    the kiosk as the actor (`kiosk`: its label)."""
    now = now or utcnow()
    member_id = codes.member_from_any(code)
    member = db.session.get(User, member_id) if member_id is not None else None
    if member is None or member.status != UserStatus.ACTIVE:
        return SelfCheckIn("unknown")
    first = member.full_name.split()[0] if member.full_name.strip() else member.full_name
    today = member_today(member.id, now)
    ready = open_now(today, now)
    if ready:
        chosen = ready[0]
        bookings.check_in(chosen.booking_id, actor=kiosk, now=now)
        return SelfCheckIn("checked_in", first, chosen.class_name, chosen.starts_at)
    done = [b for b in today if b.status == BookingStatus.CHECKED_IN and b.ends_at > now]
    if done:
        return SelfCheckIn("already", first, done[0].class_name, done[0].starts_at)
    later = [b for b in today if b.status in EXPECTED and b.starts_at > now]
    if later:
        return SelfCheckIn("not_open", first, later[0].class_name, later[0].starts_at,
                           bookings.check_in_opens(later[0].starts_at))
    return SelfCheckIn("nothing_today", first)


def check_in_if_one_open(member_id: int, principal: Principal, now: datetime | None = None) -> TodayBooking | None:
    """After a scan at the desk: check the member in when exactly one of their classes is open for check-in (the
    booking, else None: staff choose on the member's page)."""
    now = now or utcnow()
    ready = open_now(member_today(member_id, now), now)
    if len(ready) != 1:
        return None
    bookings.check_in(ready[0].booking_id, actor=principal.label, actor_id=principal.person_id, now=now)
    return ready[0]


# --- the kiosk's lock ---------------------------------------------------------------------------------

def kiosk_state(principal: Principal, tenant_id: int, now: datetime | None = None) -> dict:
    """What the browser session keeps while it is a kiosk (who started it: only their password unlocks it)."""
    return {"tenant": tenant_id, "by": principal.person_id, "label": principal.label,
            "since": int((now or utcnow()).timestamp())}


def kiosk_label(state: dict) -> str:
    """The audit log's actor for the kiosk's self check-ins."""
    return f"Kiosk (started by {state.get('label', 'staff')})"[:254]


def start_kiosk(principal: Principal, tenant_id: int) -> dict:
    """Turn this browser into the studio's kiosk; audited. Returns the state for the session."""
    state = kiosk_state(principal, tenant_id)
    record(KioskAudit.STARTED, principal.label, principal.person_id, target="kiosk")
    return state


class WrongPassword(Exception):
    """The unlock password was not the kiosk starter's."""


def unlock_kiosk(state: dict, password: str) -> User:
    """Check the password of the staff member who started the kiosk; audited both ways. Raises WrongPassword."""
    user = db.session.get(User, state.get("by")) if isinstance(state.get("by"), int) else None
    ok = user is not None and user.status == UserStatus.ACTIVE and verify_password(user.password_hash, password or "")
    if not ok:
        record(KioskAudit.UNLOCK_FAILED, kiosk_label(state), None, target="kiosk")
        raise WrongPassword("That is not the password of the person who started the kiosk.")
    record(KioskAudit.UNLOCKED, user.email, user.id, target="kiosk")
    return user
