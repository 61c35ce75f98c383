"""Health endpoints for load balancers and operators (any host, no tenant)."""

from nexphys.domains import Domain, Pages, Scope

domain = Domain(name="health", pages=(Pages("nexphys.health.views:bp", Scope.NONE),))
