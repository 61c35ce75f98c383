"""The staff home: the studio's home page for owners, managers and instructors.

Today's and tomorrow's classes with booked, capacity, waitlist and checked-in; the next class's roster one
tap away; what needs attention; new members; a new studio's first steps until they are done. Members and
visitors keep the timetable as their home (this domain's home view passes them on to the next).
"""

from nexphys.domains import Domain

domain = Domain(name="staff_home", home={"tenant": "nexphys.staff_home.views:staff_home"})
