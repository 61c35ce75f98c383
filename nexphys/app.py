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
    from nexphys.extensions import csrf, db, migrate
    from nexphys.tenancy.binding import install_connection_guard

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations" / "public"))
    csrf.init_app(app)
    kv.init_app(app)
    with app.app_context():
        install_connection_guard(db.engine)
    import nexphys.models  # noqa: F401 - every model registered before first use


def register_tenancy(app: Flask) -> None:
    from nexphys.tenancy import resolver

    resolver.init_app(app)


def register_blueprints(app: Flask) -> None:
    from nexphys.health.views import bp as health_bp
    from nexphys.tenancy.resolver import Scope, declare_scope
    from nexphys.web.pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    declare_scope(app, "pages.home", Scope.ANY)
    app.register_blueprint(health_bp)
    declare_scope(app, "health.*", Scope.NONE)


def register_errors(app: Flask) -> None:
    from nexphys.web import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    from nexphys.jobs import cli as jobs_cli
    from nexphys.studio.cli import demo_cli
    from nexphys.tenancy.cli import tenants_cli

    app.cli.add_command(tenants_cli)
    app.cli.add_command(demo_cli)
    jobs_cli.init_app(app)
