"""The sample domain's API shapes."""

from __future__ import annotations

from nexphys.web.schemas import Shape


class Locker(Shape):
    id: int
    number: str
