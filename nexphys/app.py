"""The application factory: config, extensions, tenancy, blueprints, errors, CLI, in that order."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from nexphys.config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | dict | None = None) -> Flask:
    """Build the app. `config` overrides the environment (tests pass a Config or a dict)."""
    app = Flask("nexphys", template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    register_config(app, config)
    register_extensions(app)
    register_tenancy(app)
    register_auth(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def register_config(app: Flask, config: Config | dict | None) -> None:
    settings = Config.from_env()
    if isinstance(config, Config):
        settings = config
    elif isinstance(config, dict):
        for key, value in config.items():
            setattr(settings, key, value)
    settings.validate()
    app.config.from_mapping(settings.as_flask())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from nexphys import kv
    from nexphys.auth import throttle
    from nexphys.auth.principals import login_manager
    from nexphys.extensions import csrf, db, migrate
    from nexphys.tenancy.binding import install_connection_guard

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations" / "public"))
    csrf.init_app(app)
    kv.init_app(app)
    throttle.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        install_connection_guard(db.engine)
    import nexphys.models  # noqa: F401 - every model registered before first use


def register_tenancy(app: Flask) -> None:
    from nexphys.tenancy import resolver

    resolver.init_app(app)


def register_auth(app: Flask) -> None:
    from nexphys.auth import access
    from nexphys.web import nav

    access.init_app(app)  # after the tenant hook: permissions are checked inside the resolved tenant
    nav.init_app(app)


# (module, host scope): each module has a Blueprint `bp`. Scopes are explained in tenancy/resolver.py.
BLUEPRINTS = [
    ("nexphys.web.pages", "any"),
    ("nexphys.health.views", "none"),
    ("nexphys.auth.views", "tenant"),
    ("nexphys.auth.api", "any"),
    ("nexphys.web.openapi", "any"),
    ("nexphys.classes.api", "tenant"),
    ("nexphys.classes.views", "tenant"),
    ("nexphys.bookings.api", "tenant"),
    ("nexphys.members.views", "tenant"),
    ("nexphys.members.api", "tenant"),
    ("nexphys.roles.views", "tenant"),
    ("nexphys.roles.api", "tenant"),
    ("nexphys.auth.keys_views", "tenant"),
    ("nexphys.audit.views", "tenant"),
    ("nexphys.bookings.views", "tenant"),
    ("nexphys.calendar.views", "tenant"),
    ("nexphys.bookings.staff_views", "tenant"),
    ("nexphys.studio.settings_views", "tenant"),
    ("nexphys.mail.views", "tenant"),
    ("nexphys.platform.console", "platform"),
    ("nexphys.platform.api", "platform"),
]


def register_blueprints(app: Flask) -> None:
    import importlib

    from nexphys.extensions import csrf
    from nexphys.tenancy.resolver import declare_scope

    for module_name, scope in BLUEPRINTS:
        blueprint = importlib.import_module(module_name).bp
        app.register_blueprint(blueprint)
        declare_scope(app, f"{blueprint.name}.*", scope)
        if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
            csrf.exempt(blueprint)  # JSON only (415 otherwise), bearer tokens: no cross-site form posts


def register_errors(app: Flask) -> None:
    from nexphys.web import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    from nexphys.jobs import cli as jobs_cli
    from nexphys.platform.cli import platform_cli
    from nexphys.security.cli import keys_cli
    from nexphys.studio.cli import demo_cli
    from nexphys.tenancy.cli import tenants_cli

    app.cli.add_command(tenants_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(platform_cli)
    jobs_cli.init_app(app)
