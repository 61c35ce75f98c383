"""A sample domain for tests: lockers a studio rents to members. Only a test installs it."""

from nexphys.domains import Domain, NavLink, Pages, PeriodicJob, Permission
from nexphys.roles.defaults import EVERYONE, MANAGERS

domain = Domain(
    name="lockers",
    pages=(Pages("tests.domains.lockers.views:bp"), Pages("tests.domains.lockers.api:bp")),
    models=("tests.domains.lockers.models",),
    permissions=(Permission("lockers", "read", "See the lockers", roles=EVERYONE),
                 Permission("lockers", "update", "Rent lockers out", roles=MANAGERS)),
    settings={"locker_rent_days": 30},
    nav=(NavLink("lockers.index", "Lockers", 45),),
    jobs=(PeriodicJob("tests.domains.lockers.jobs.remind_all", "low", 86400),),
)
