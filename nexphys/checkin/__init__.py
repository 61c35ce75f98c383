"""The front desk: members' check-in codes and checking people in to today's classes."""

from nexphys.domains import Domain, NavLink, Pages

domain = Domain(
    name="checkin",
    pages=(Pages("nexphys.checkin.views:bp"),),
    nav=(NavLink("checkin.desk", "Check-in desk", 40, group="Schedule"),
         NavLink("checkin.my_code", "My check-in code", 85)),
)
