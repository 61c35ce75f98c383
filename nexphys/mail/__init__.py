"""Outgoing mail: every message written to the studio's outbox, then delivered by a job."""

from nexphys.domains import Domain, NavLink, Pages

domain = Domain(name="mail", pages=(Pages("nexphys.mail.views:bp"),), models=("nexphys.mail.models",),
                nav=(NavLink("mail.index", "Emails sent", 68, group="Settings"),))
