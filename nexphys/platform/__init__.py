"""The platform operator's side: administrators, the console, the platform API and `flask tenants`."""

from nexphys.domains import Domain, NavLink, Pages, Scope, SignIn

domain = Domain(
    name="platform",
    pages=(Pages("nexphys.platform.console:bp", Scope.PLATFORM), Pages("nexphys.platform.api:bp", Scope.PLATFORM),
           Pages("nexphys.platform.start_views:bp", Scope.PLATFORM)),
    models=("nexphys.platform.models",),
    nav=(NavLink("platform.index", "Tenants", 10, area="platform"),
         NavLink("platform.self_service_settings", "Self-service", 20, area="platform")),
    cli=("nexphys.platform.cli:platform_cli", "nexphys.platform.tenants_cli:tenants_cli"),
    home={"apex": "nexphys.platform.views:landing"},
    sign_in=(SignIn("apex", login="platform.login", logout="platform.logout", label="Admin sign-in"),),
)
