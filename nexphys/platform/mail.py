"""The platform's own email (before a studio exists: the "start a studio" link), sent by a platform job.

The same delivery as a studio's outbox (nexphys.mail.services): SMTP when configured, else kept for the
apex's development mail page.
"""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.jobs.wrapper import tenant_job
from nexphys.mail.services import DELIVERY_RETRY_INTERVALS, SUBJECT_MAX, deliver, header_text
from nexphys.platform.models import PlatformMessage


def queue_platform_email(to: str, subject: str, body: str, kind: str = "generic") -> PlatformMessage:
    """Store a message; it is sent once the caller's transaction commits. Flushes."""
    message = PlatformMessage(to_address=to, subject=header_text(subject)[:SUBJECT_MAX], body_text=body, kind=kind)
    db.session.add(message)
    db.session.flush()
    deliver_platform_message.delay(message.id, queue="high", retry_intervals=DELIVERY_RETRY_INTERVALS)
    return message


@tenant_job(platform=True)
def deliver_platform_message(message_id: int) -> str:
    """Send one platform message by SMTP, or keep it (development) when no SMTP is configured."""
    return deliver(db.session.get(PlatformMessage, message_id, with_for_update=True))


def recent(limit: int = 50) -> list[PlatformMessage]:
    """The newest platform messages (the development mail page)."""
    return list(db.session.scalars(sa.select(PlatformMessage).order_by(PlatformMessage.id.desc()).limit(limit)))
