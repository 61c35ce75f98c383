"""Check-in codes: each member's page shows a QR code that staff scan to open that member's check-in.

The code is the member id signed with the app's secret and a salt naming the studio, so it cannot
be forged, and a code from one studio means nothing in another (member ids repeat across studios).
It grants nothing by itself: the page it opens is for staff only.

Beside it a member has a short code a person can type at the kiosk ("42-381946"): the member id and six
digits of an HMAC over the studio and the id. Six digits are guessable in a million tries, and the kiosk
throttles tries, so a guess costs more than it gains (checking someone else in to a class they booked).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import urlsplit

import segno
from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from nexphys.tenancy.context import require_tenant


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"nexphys.check-in.tenant-{require_tenant().id}")


def member_code(member_id: int) -> str:
    """The signed check-in code of a member of the bound studio."""
    return _serializer().dumps(member_id)


def member_from_code(code: str) -> int | None:
    """The member id a code stands for, or None for a forged, mangled or other studio's code."""
    try:
        value = _serializer().loads(code)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


CHECK_DIGITS = 6
_TYPED = re.compile(r"[\s\-.]+")


def _check_digits(member_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"nexphys.member-code:tenant-{require_tenant().id}:member-{member_id}".encode()
    number = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big")
    return f"{number % 10 ** CHECK_DIGITS:0{CHECK_DIGITS}d}"


def short_code(member_id: int) -> str:
    """The code a member types at the kiosk: their id, a dash, six check digits ("42-381946")."""
    return f"{member_id}-{_check_digits(member_id)}"


def member_from_short_code(text: str) -> int | None:
    """The member id a typed code stands for (spaces, dashes and dots ignored), or None."""
    digits = _TYPED.sub("", text or "")
    if not digits.isascii() or not digits.isdigit() or not CHECK_DIGITS < len(digits) <= CHECK_DIGITS + 12:
        return None
    member_id = int(digits[:-CHECK_DIGITS])
    return member_id if hmac.compare_digest(digits[-CHECK_DIGITS:], _check_digits(member_id)) else None


def member_from_any(text: str) -> int | None:
    """The member a scanned QR code (the check-in address, or its code alone) or a typed code stands for."""
    text = (text or "").strip()[:500]
    if "/check-in/" in text:
        text = urlsplit(text).path.rsplit("/check-in/", 1)[-1].strip("/")
    return member_from_short_code(text) if _TYPED.sub("", text).isdigit() else member_from_code(text)


def check_in_url(member_id: int) -> str:
    """The absolute address staff open (by scanning) to check this member in."""
    return url_for("checkin.check_in_code", code=member_code(member_id), _external=True)


def qr_svg(data: str, title: str) -> str:
    """An inline SVG QR code of `data` (markup made by segno from our own URL; safe to embed: segno escapes
    the title, the person's name, as tests/security/test_sanitisation.py checks on every page showing it)."""
    return segno.make(data, error="m").svg_inline(scale=5, border=2, title=title, dark="#111827", light="#ffffff",
                                                  svgclass="qr-code")
