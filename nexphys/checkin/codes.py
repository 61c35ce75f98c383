"""Check-in codes: each member's page shows a QR code that staff scan to open that member's check-in.

The code is the member id signed with the app's secret and a salt naming the studio, so it cannot
be forged, and a code from one studio means nothing in another (member ids repeat across studios).
It grants nothing by itself: the page it opens is for staff only.
"""

from __future__ import annotations

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


def check_in_url(member_id: int) -> str:
    """The absolute address staff open (by scanning) to check this member in."""
    return url_for("checkin.check_in_code", code=member_code(member_id), _external=True)


def qr_svg(data: str, title: str) -> str:
    """An inline SVG QR code of `data` (markup made by segno from our own URL; safe to embed: segno escapes
    the title, the person's name, as tests/security/test_sanitisation.py checks on every page showing it)."""
    return segno.make(data, error="m").svg_inline(scale=5, border=2, title=title, dark="#111827", light="#ffffff",
                                                  svgclass="qr-code")
