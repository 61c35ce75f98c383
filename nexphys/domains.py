"""The installed domains, and the shape of what each one declares.

A domain is one package under `nexphys/`. Its `__init__.py` holds a single `domain = Domain(...)`
saying what it brings: blueprints (with their host scope), model modules, permissions for the
catalogue, default studio settings and seed data for a new studio, navigation links, periodic jobs,
CLI commands, and the few hooks the platform asks of one domain (the home page of a host, who
signs people in). Modules and objects are named by dotted strings ("package.module:attr"), so a
declaration imports nothing and reading every declaration costs nothing: the app factory, the
tenancy core and the scheduler load what they need from here, and none of them names a domain.

INSTALLED is the one list of domains: adding a domain is a folder, its tenant migration and a line
here. The platform's core packages (tenancy, jobs, web, security) declare themselves the same way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

INSTALLED: tuple[str, ...] = (
    # the core: tenancy, jobs, shared web pieces, encryption, uploaded files
    "nexphys.tenancy",
    "nexphys.jobs",
    "nexphys.web",
    "nexphys.security",
    "nexphys.storage",
    # the domains, in catalogue order (their permissions are listed in this order)
    "nexphys.health",
    "nexphys.auth",
    "nexphys.members",
    "nexphys.joining",
    "nexphys.roles",
    "nexphys.classes",
    "nexphys.bookings",
    "nexphys.checkin",
    "nexphys.workouts",
    "nexphys.audit",
    "nexphys.api_keys",
    "nexphys.settings",
    "nexphys.allowlist",
    "nexphys.equipment",
    "nexphys.calendar",
    "nexphys.mail",
    "nexphys.staff_home",  # before studio: its home view answers staff, the timetable everyone else
    "nexphys.studio",
    "nexphys.platform",
    "nexphys.demo",
)


class Scope:
    """Host scopes of endpoints (enforced by nexphys.tenancy.resolver)."""

    TENANT = "tenant"  # needs a tenant; 404 on the apex host
    PLATFORM = "platform"  # apex host only; 404 on a tenant host
    ANY = "any"  # resolves a tenant when there is one (e.g. the home page)
    NONE = "none"  # never resolves (health checks, static files): works on any host


@dataclass(frozen=True)
class Pages:
    """A blueprint: `target` is "module:attr" of a flask.Blueprint, served on hosts of `scope`."""

    target: str
    scope: str = Scope.TENANT


@dataclass(frozen=True)
class Permission:
    """One entry of the permission catalogue, and the default roles that hold it.

    `own=True` is the "own records only" variant (code "resource:action:own"). Owners hold every
    permission without being listed.
    """

    resource: str
    action: str
    description: str
    own: bool = False
    roles: tuple[str, ...] = ()

    @property
    def condition(self) -> str | None:
        return "own" if self.own else None

    @property
    def code(self) -> str:
        return f"{self.resource}:{self.action}" + (":own" if self.own else "")


@dataclass(frozen=True)
class NavLink:
    """A header link, shown to whoever passes the endpoint's own access declaration. Ordered by `order`.

    `group` puts it in one of the header's menus (NAV_GROUPS, in that order); "" in the person's own menu.
    """

    endpoint: str
    label: str
    order: int
    area: str = "studio"  # "studio" (studio hosts) or "platform" (the apex host)
    group: str = ""


# The studio header's menus, in order; a link of no group goes in the signed-in person's own menu.
NAV_GROUPS: tuple[str, ...] = ("Schedule", "Training", "People", "Settings")


@dataclass(frozen=True)
class PeriodicJob:
    """A job the scheduler runs every `every_seconds` (a @tenant_job(platform=True) function by dotted path)."""

    job: str
    queue: str
    every_seconds: int
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SignIn:
    """Where people of one kind of host sign in and out (endpoint names)."""

    host: str  # "tenant" or "apex"
    login: str
    logout: str
    label: str = "Sign in"  # the header link's words (the apex's is for the platform's own admins)


@dataclass(frozen=True)
class Domain:
    """What one package brings to the platform. Every "module:attr" is loaded only when needed."""

    name: str
    pages: tuple[Pages, ...] = ()
    models: tuple[str, ...] = ()  # modules whose import declares the domain's tables
    permissions: tuple[Permission, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)  # default studio settings
    # "module:function(session)": rows every new studio schema starts with (idempotent, fast)
    seeds: tuple[str, ...] = ()
    # "module:function(session, studio)": the studio's own values, once a schema belongs to a studio
    personalise: tuple[str, ...] = ()
    nav: tuple[NavLink, ...] = ()
    jobs: tuple[PeriodicJob, ...] = ()
    cli: tuple[str, ...] = ()  # "module:attr" of click commands or groups
    # {"tenant" | "apex": "module:view"}: the home page's view on that kind of host. Several domains may
    # declare one: they are asked in INSTALLED order, and a view that returns None lets the next answer.
    home: Mapping[str, str] = field(default_factory=dict)
    sign_in: tuple[SignIn, ...] = ()
    principal: str | None = None  # "module:function": who is calling (one domain answers this)
    # "module:function()": the studio's Join link beside Sign in, or None when nobody may sign up (one domain)
    sign_up: str | None = None
    # {action: label}: the domain's own audit actions, as the audit log's filter names them
    audit_actions: Mapping[str, str] = field(default_factory=dict)
    # "module:function() -> dict": values every template gets (pages and emails alike), e.g. the studio's logo
    template_context: tuple[str, ...] = ()
    # {slot: ("module:function(**context) -> str", ...)}: HTML a domain adds to another's page where that page
    # says `{{ page_parts("slot", ...) }}` (e.g. the equipment a class type needs, on its edit page), so the
    # page's own domain never imports the one adding to it. A function returns "" when it has nothing to add.
    page_parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class NewStudio:
    """What a studio's seeds and personalisation know of it."""

    time_zone: str = "UTC"


def load(target: str) -> Any:
    """The object named by "package.module:attr"."""
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


@dataclass(frozen=True)
class Registry:
    """The installed domains, in INSTALLED order, and what they declare taken together."""

    domains: tuple[Domain, ...]

    def __iter__(self) -> Iterator[Domain]:
        return iter(self.domains)

    def permissions(self) -> list[Permission]:
        return [p for d in self.domains for p in d.permissions]

    def default_settings(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for domain in self.domains:
            clash = set(merged) & set(domain.settings)
            if clash:
                raise ValueError(f"{domain.name} declares settings another domain declares: {sorted(clash)}")
            merged.update(domain.settings)
        return merged

    def nav(self, area: str) -> list[NavLink]:
        return sorted((link for d in self.domains for link in d.nav if link.area == area), key=lambda n: n.order)

    def periodic_jobs(self) -> list[PeriodicJob]:
        return [job for d in self.domains for job in d.jobs]

    def sign_in(self, host: str) -> SignIn | None:
        return next((s for d in self.domains for s in d.sign_in if s.host == host), None)

    def homes(self, host: str) -> list[str]:
        return [d.home[host] for d in self.domains if host in d.home]

    def principal(self) -> str | None:
        return next((d.principal for d in self.domains if d.principal), None)

    def sign_up(self) -> str | None:
        return next((d.sign_up for d in self.domains if d.sign_up), None)

    def audit_actions(self) -> dict[str, str]:
        return {action: label for d in self.domains for action, label in d.audit_actions.items()}

    def page_parts(self, slot: str) -> list[Callable[..., str]]:
        """The functions every domain adds to a page's `slot`, in INSTALLED order."""
        return [load(target) for d in self.domains for target in d.page_parts.get(slot, ())]

    def load_models(self) -> None:
        for domain in self.domains:
            for module in domain.models:
                importlib.import_module(module)

    def hooks(self, kind: str) -> list[Callable]:
        """The seed or personalise functions of every domain, in order."""
        return [load(target) for d in self.domains for target in getattr(d, kind)]


@cache
def installed() -> Registry:
    """Every installed domain's declaration (read once per process)."""
    return Registry(tuple(importlib.import_module(name).domain for name in INSTALLED))
