"""URLs for many rows of one route, fast: the timetable links every card, and url_for costs ~50 µs each."""

from __future__ import annotations

from collections.abc import Callable

from flask import g, url_for

_MARKER = 987654321  # an int no real id takes in a request's lifetime; rendered literally by the int converter


def id_url(endpoint: str, param: str, value: int) -> str:
    """url_for(endpoint, **{param: value}) for an int route parameter, built once per request and endpoint."""
    return id_url_builder(endpoint, param)(value)


def id_url_builder(endpoint: str, param: str) -> Callable[[int], str]:
    """The function id_url calls: take it once where a page builds many links to one endpoint (the timetable)."""
    builders: dict[tuple[str, str], Callable[[int], str]] = g.setdefault("_nexphys_id_urls", {})
    builder = builders.get((endpoint, param))
    if builder is None:
        head, _marker, tail = url_for(endpoint, **{param: _MARKER}).partition(str(_MARKER))
        builder = builders[(endpoint, param)] = lambda number: f"{head}{int(number)}{tail}"
    return builder
