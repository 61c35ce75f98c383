"""The studio's audit log: who did what, when and from where."""

from nexphys.domains import Domain, NavLink, Pages, Permission

domain = Domain(
    name="audit",
    pages=(Pages("nexphys.audit.views:bp"),),
    models=("nexphys.audit.models",),
    permissions=(Permission("audit", "read", "Read the audit log"),),
    nav=(NavLink("audit.index", "Audit log", 69, group="Settings"),),
)
