"""Where a studio's public timetable may be embedded: the https sites it lists (an <iframe> on its own web site).

The list becomes the timetable's `frame-ancestors` (nexphys.security.http.allow_framing); every other page
stays unframeable. Entries are origins only (scheme, host, optional port), so nothing but a site name can
reach the header: no paths, wildcards, spaces, quotes or semicolons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from nexphys.audit.services import AuditAction, record
from nexphys.errors import Invalid
from nexphys.settings.services import save_settings, setting
from nexphys.web.access import Principal

EMBED_SETTING = "timetable_embed_origins"
MAX_ORIGINS = 10
EXAMPLE = "https://www.your-studio.example"
# A DNS name of at least two labels (letters, digits, inner hyphens), lower case once cleaned.
_NAME = r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?"
_ORIGIN = re.compile(rf"https://{_NAME}(:\d{{1,5}})?")


class EmbedOriginsInvalid(Invalid):
    """Some entries are not https site addresses; the messages are under the field "origins"."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors, "; ".join(m for messages in errors.values() for m in messages))


def _origin(entry: str) -> str | None:
    """"https://Site.example/" → "https://site.example"; None for anything that is not an https origin."""
    try:
        parts = urlsplit(entry)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or parts.username or parts.password or parts.query or parts.fragment:
        return None
    host = _ascii_host(parts.hostname or "")
    if parts.path not in ("", "/") or host is None:
        return None
    if port is not None and not 0 < port < 65536:
        return None
    return f"https://{host}" + (f":{port}" if port not in (None, 443) else "")


def _ascii_host(name: str) -> str | None:
    """The host as a header may carry it (an international name in its xn-- form), or None if it is no DNS name."""
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return name if len(name) <= 253 and re.fullmatch(_NAME, name) else None


def clean(text: str) -> list[str]:
    """The origins in `text` (one per line, or separated by spaces or commas), normalised and deduplicated.

    Raises EmbedOriginsInvalid naming every entry that is not an https site address.
    """
    cleaned: list[str] = []
    problems = []
    for entry in (e for e in re.split(r"[\s,]+", text or "") if e):
        origin = _origin(entry)
        if origin is None:
            problems.append(f"“{entry[:80]}” is not a site address such as {EXAMPLE} (https, no path).")
        elif origin not in cleaned:
            cleaned.append(origin)
    if len(cleaned) > MAX_ORIGINS:
        problems.append(f"List at most {MAX_ORIGINS} sites.")
    if problems:
        raise EmbedOriginsInvalid({"origins": problems})
    return cleaned


def framing_origins(stored: Any) -> tuple[str, ...]:
    """The stored list as header values; anything a hand edit left that is not a clean origin is dropped."""
    if not isinstance(stored, list):
        return ()
    return tuple(o for o in stored if isinstance(o, str) and _ORIGIN.fullmatch(o))


def saved_origins() -> list[str]:
    """The bound studio's list (one query)."""
    return list(framing_origins(setting(EMBED_SETTING, [])))


def save(origins: Iterable[str], actor: Principal) -> bool:
    """Store cleaned origins and audit the change; False when nothing changed. Flushes."""
    origins, before = list(origins), saved_origins()
    if origins == before:
        return False
    save_settings({EMBED_SETTING: origins})
    record(AuditAction.SETTINGS_UPDATED, actor.label, actor.person_id, target="settings:embedding",
           details={"changes": {EMBED_SETTING: [before, origins]}})
    return True
