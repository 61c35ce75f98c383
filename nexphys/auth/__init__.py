"""Signing in: sessions, passwords, invitations, API tokens; who is calling each request."""

from nexphys.domains import Domain, Pages, Scope, SignIn

domain = Domain(
    name="auth",
    pages=(Pages("nexphys.auth.views:bp"), Pages("nexphys.auth.api:bp", Scope.ANY)),
    models=("nexphys.auth.models",),
    principal="nexphys.auth.principals:resolve_principal",
    sign_in=(SignIn("tenant", login="auth.login", logout="auth.logout"),),
)
