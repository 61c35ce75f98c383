"""The studio's public face: its home page, the timetable by week or day."""

from nexphys.domains import Domain

domain = Domain(name="studio", home={"tenant": "nexphys.studio.views:studio_home"})
