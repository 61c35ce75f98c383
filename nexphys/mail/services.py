"""Sending mail: write to the tenant's outbox with its delivery job (the job outbox), both in the caller's
transaction; the job runs once that transaction commits.

Without SMTP_URL (development) messages are kept in the outbox, where the developer outbox page
shows them so links can be followed.
"""

from __future__ import annotations

import re
import smtplib
import unicodedata
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import current_app, render_template

from nexphys.extensions import db
from nexphys.jobs.wrapper import tenant_job
from nexphys.mail.models import OutboxMessage
from nexphys.tenancy.context import require_tenant

STATUSES = ("pending", "sent", "kept", "failed")
# What each status means, in the words of the notifications page.
STATUS_WORDS = {
    "pending": ("Waiting", "Written and waiting to be sent; it goes out within moments."),
    "sent": ("Sent", "Handed to the mail server for delivery to the person's inbox."),
    "kept": ("Kept, not sent", "Sending email is off here (no mail server is set up), so the message was kept "
                               "on this page instead. Nobody received it."),
    "failed": ("Failed", "Could not be sent after several tries; the reason is shown. Retry it once the problem "
                         "is fixed."),
}
# A failed delivery is retried by RQ after 10 s, 1 min and 5 min (the job raises on SMTP errors);
# after the last attempt the message stays "failed" on the notifications page, where staff can retry it.
DELIVERY_RETRY_INTERVALS = [10, 60, 300]
SUBJECT_MAX = 200  # outbox_messages.subject


def header_text(value: str) -> str:
    """Text made safe for one mail header: line breaks and other control characters become spaces.

    Subjects are built from names people type (a class type, the studio); a CR or LF there would otherwise
    make the header unbuildable (Python refuses it) or, with a laxer library, inject headers.
    """
    spaced = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in value)
    return " ".join(spaced.split())


class NotRetryable(ValueError):
    """Only a failed message can be sent again."""


def _submit_delivery(message_id: int) -> None:
    deliver_message.delay(message_id, tenant_id=require_tenant().id, retry_intervals=DELIVERY_RETRY_INTERVALS)


def queue_email(to: str, subject: str, body: str, kind: str = "generic", html: str | None = None,
                attachments: list[dict] | None = None) -> OutboxMessage:
    """Store a message for delivery; it is sent after the caller's transaction commits. Flushes.
    `html` is the same message as HTML; `attachments` are {"filename", "content_type", "content"} (text)."""
    message = OutboxMessage(to_address=to, subject=header_text(subject)[:SUBJECT_MAX], body_text=body, kind=kind,
                            body_html=html, attachments=attachments or [])
    db.session.add(message)
    db.session.flush()
    _submit_delivery(message.id)
    return message


def queue_letter(to: str, subject: str, *, name: str, paragraphs: list[str], kind: str,
                 action: tuple[str, str] | None = None, after: tuple[str, ...] = ()) -> OutboxMessage:
    """A short studio email (an invitation, a link to confirm) as HTML and its text twin, in the studio's frame:
    its logo, "Hello name," the paragraphs, at most one link to act on (a button), `after` and the studio's
    address and contact. Flushes, as queue_email."""
    context = {"greeting": f"Hello {name},", "paragraphs": paragraphs, "action": action, "after": after,
               "studio": require_tenant()}
    return queue_email(to, subject, render_template("emails/letter.txt", **context), kind=kind,
                       html=render_template("emails/letter.html", **context))


def outbox(page: int = 1, per_page: int = 25, status: str | None = None):
    """Outbox messages newest first, optionally of one status; a Flask-SQLAlchemy page."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def status_counts() -> dict[str, int]:
    """How many messages have each status (every status present, possibly 0)."""
    counts = dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all())
    return {status: counts.get(status, 0) for status in STATUSES}


def retry_message(message_id: int) -> OutboxMessage:
    """Send a failed message again: it goes back to pending with a new delivery job (run after commit)."""
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise LookupError("There is no such message.")
    if message.status != "failed":
        raise NotRetryable("Only a failed message can be sent again." if message.status != "pending"
                           else "This message is already waiting to be sent.")
    message.status = "pending"
    db.session.flush()
    _submit_delivery(message.id)
    return message


class StoredMessage(Protocol):
    """What delivery reads and records of a stored message: a studio's outbox row or the platform's."""

    to_address: str
    subject: str
    body_text: str
    body_html: str | None
    attachments: list | None
    status: str
    attempts: int
    last_error: str | None


def build_message(message: StoredMessage) -> EmailMessage:
    """The email of an outbox message; ValueError for an address no header can carry (CR, LF)."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address  # never cleaned: a changed recipient is worse than a refusal
    email["Subject"] = header_text(message.subject)  # rows queued before subjects were cleaned
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attached in message.attachments or []:
        maintype, _, subtype = attached["content_type"].partition("/")
        # The name goes into a header: cleaned of line breaks and quotes; the email package encodes the rest.
        name = re.sub(r'[\r\n"\\/]+', " ", attached["filename"]).strip() or "attachment"
        email.add_attachment(attached["content"].encode(), maintype=maintype, subtype=subtype or "octet-stream",
                             filename=name)
    return email


def _send_smtp(url: str, email: EmailMessage) -> None:
    parsed = urlparse(url)
    smtp_class = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parsed.hostname, parsed.port or (465 if parsed.scheme == "smtps" else 587), timeout=10) as smtp:
        if parsed.scheme == "smtp+starttls":
            smtp.starttls()
        if parsed.username:
            smtp.login(parsed.username, parsed.password or "")
        smtp.send_message(email)


@tenant_job
def deliver_message(message_id: int) -> str:
    """Send one outbox message by SMTP, or keep it in the outbox when no SMTP is configured."""
    # Locked: an RQ retry and a staff retry of one message may run at once; the second then sees "sent".
    return deliver(db.session.get(OutboxMessage, message_id, with_for_update=True))


def deliver(message: StoredMessage | None) -> str:
    """Send one stored message (a locked outbox row, the studio's or the platform's) and record how it went.

    With no SMTP configured it is kept (development). A message no header can carry fails at once, as no retry
    can help; an SMTP failure is recorded, committed and raised so that RQ retries it.
    """
    if message is None or message.status in ("sent", "kept"):
        return "nothing to do"
    url = current_app.config["SMTP_URL"]
    if not url:
        message.status = "kept"
        return "kept in the development outbox"
    message.attempts += 1
    try:
        email = build_message(message)
    except ValueError as exc:  # shown on the notifications page
        message.status = "failed"
        message.last_error = f"Not sent: {exc}"[:500]
        return "refused"
    try:
        _send_smtp(url, email)
    except (OSError, smtplib.SMTPException) as exc:
        message.status = "failed"
        message.last_error = f"{type(exc).__name__}: {exc}"[:500]
        db.session.commit()
        raise
    message.status = "sent"
    message.sent_at = sa.func.now()
    return "sent"
