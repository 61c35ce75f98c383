"""Signing in: sessions, passwords, invitations, API tokens; who is calling each request."""

from nexphys.domains import Domain, NavLink, Pages, Scope, SignIn

domain = Domain(
    name="auth",
    pages=(Pages("nexphys.auth.views:bp"), Pages("nexphys.auth.account:bp"), Pages("nexphys.auth.api:bp", Scope.ANY)),
    models=("nexphys.auth.models",),
    # How long a sign-in lasts (nexphys.auth.lifetimes): staff accounts see private member details, so
    # they expire sooner; members stay signed in on their phones for weeks.
    settings={"staff_session_idle_hours": 12, "staff_session_max_days": 7,
              "member_session_idle_days": 30, "member_session_max_days": 90},
    principal="nexphys.auth.principals:resolve_principal",
    sign_in=(SignIn("tenant", login="auth.login", logout="auth.logout"),),
    nav=(NavLink("auth_account.session_settings", "Staying signed in", 64, group="Settings"),
         NavLink("auth_account.change_password", "Change password", 92),
         NavLink("auth_account.sign_out_everywhere", "Sign out everywhere", 94)),
)
