"""Calendar feeds (.ics): a member's bookings and the studio's timetable, by secret link."""

from nexphys.domains import Domain, Pages

domain = Domain(name="calendar", pages=(Pages("nexphys.calendar.views:bp"),))
