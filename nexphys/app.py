"""The application factory: config, extensions, tenancy, access, the installed domains, errors, in that order.

Everything a domain brings (blueprints, models, navigation, home pages, CLI commands) comes from its
declaration (nexphys.domains); the factory names no domain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from markupsafe import Markup

from nexphys import kv
from nexphys.config import Config
from nexphys.domains import Registry, installed, load
from nexphys.extensions import csrf, db, limiter, login_manager, migrate
from nexphys.security import http, rate_limits
from nexphys.tenancy import resolver
from nexphys.tenancy.binding import install_connection_guard
from nexphys.web import access, context, errors, input_guard, nav, pages

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | dict | None = None) -> Flask:
    """Build the app. `config` overrides the environment (tests pass a Config or a dict)."""
    app = Flask("nexphys", template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    register_config(app, config)
    registry = installed()
    registry.load_models()  # every table known before the first query or migration
    register_extensions(app)
    http.init_app(app)  # proxy hops, HTTPS, security headers: before anything reads the request
    resolver.init_app(app)  # the tenant is bound first: access is checked inside it
    rate_limits.init_app(app)  # API requests counted per caller and studio, before access refuses any
    access.init_app(app)
    register_domains(app, registry)
    nav.init_app(app)
    pages.init_app(app)
    context.init_app(app)
    errors.init_app(app)
    input_guard.init_app(app)
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
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations" / "public"))
    csrf.init_app(app)
    kv.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    # Only limits decorated on views exist (sign-in), and their wrappers check them; the limiter's own
    # before_request check found nothing to do on every other request and cost a tenth of a timetable request.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    with app.app_context():
        install_connection_guard(db.engine)


def register_domains(app: Flask, registry: Registry) -> None:
    """Every installed domain's blueprints (with their host scopes), CLI commands and template values."""
    for domain in registry:
        for pages_spec in domain.pages:
            blueprint = load(pages_spec.target)
            app.register_blueprint(blueprint)
            resolver.declare_scope(app, f"{blueprint.name}.*", pages_spec.scope)
            if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
                csrf.exempt(blueprint)  # JSON only (415 otherwise), bearer tokens: no cross-site form posts
        for command in domain.cli:
            app.cli.add_command(load(command))
        for target in domain.template_context:
            app.context_processor(load(target))
    app.jinja_env.globals["page_parts"] = _page_parts(registry)


def _page_parts(registry: Registry) -> Callable[..., Markup]:
    """The `page_parts(slot, **context)` template function: what other domains add to a page (see Domain)."""
    parts: dict[str, list[Callable[..., str]]] = {}

    def render(slot: str, **context: Any) -> Markup:
        if slot not in parts:
            parts[slot] = registry.page_parts(slot)  # loaded on first use: a declaration imports nothing
        return Markup("").join(Markup(part(**context)) for part in parts[slot])

    return render
