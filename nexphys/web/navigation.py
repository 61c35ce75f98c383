"""Where a page sends people next: back where they were, to sign-in, or an htmx fragment in place."""

from __future__ import annotations

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from nexphys.web.access import sign_in_for
from nexphys.web.safety import safe_next


def is_htmx() -> bool:
    """The request comes from htmx and wants a fragment, not a whole page."""
    return request.headers.get("HX-Request") == "true"


def this_page() -> str:
    """This page's path and query: where forms on it send people back to."""
    return request.full_path.rstrip("?") if request.query_string else request.path


def back_to(default: str) -> str:
    """The form's or query's `next` if it is a same-site path, else `default`."""
    return safe_next(request.values.get("next"), default=default)


def sign_in_redirect() -> Response:
    """To the studio's sign-in page, coming back here afterwards (studios that keep their timetable private)."""
    return redirect(url_for(sign_in_for(apex=False).login, next=this_page()))
