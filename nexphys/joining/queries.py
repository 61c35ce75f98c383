"""What the members pages show of joining: the sign-ups waiting for the staff, and how one member joined."""

from __future__ import annotations

from dataclasses import dataclass

from nexphys.joining import first_visit, services, terms
from nexphys.joining.models import FirstVisit, SignUp


@dataclass(frozen=True)
class MemberJoining:
    """On a member's staff-facing page: the terms they accepted, their first-visit answers, their sign-up."""

    accepted: terms.Accepted | None
    current_terms: int | None
    visit: FirstVisit | None
    sign_up: SignUp | None

    @property
    def terms_up_to_date(self) -> bool:
        return self.current_terms is None or (self.accepted is not None and self.accepted.number >= self.current_terms)


def member_joining(user_id: int) -> MemberJoining:
    return MemberJoining(terms.accepted(user_id), terms.current_number(), first_visit.of(user_id),
                         services.sign_up_of(user_id))


def waiting_sign_ups() -> list[SignUp]:
    """Sign-ups waiting for the staff (empty unless there are some)."""
    return services.waiting()
