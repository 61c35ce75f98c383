"""Tenant slugs and the schema names derived from them: the only way a schema name is made."""

from __future__ import annotations

import re

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 3, 40
SCHEMA_PREFIX = "tenant_"
SCHEMA_PATTERN = re.compile(r"^tenant_[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Subdomains the platform keeps for itself.
RESERVED_SLUGS = frozenset({
    "www", "api", "app", "admin", "platform", "static", "health", "metrics", "mail", "status",
    "docs", "help", "support", "billing", "public", "root", "system", "test", "localhost",
})


class InvalidSlug(ValueError):
    """The slug cannot name a tenant."""


def validate_slug(slug: str) -> str:
    """Return the slug if it can name a tenant, else raise InvalidSlug with the reason."""
    if not isinstance(slug, str):
        raise InvalidSlug("a slug must be text")
    if not SLUG_MIN <= len(slug) <= SLUG_MAX:
        raise InvalidSlug(f"a slug has {SLUG_MIN} to {SLUG_MAX} characters")
    if not SLUG_PATTERN.match(slug):
        raise InvalidSlug("a slug is lower-case letters, digits and single hyphens, starting with a letter")
    if slug in RESERVED_SLUGS or slug == "pool" or slug.startswith("pool-"):
        raise InvalidSlug(f"'{slug}' is reserved")
    return slug


def schema_name_for(slug: str) -> str:
    """The PostgreSQL schema of a tenant: 'tenant_' + the slug with hyphens as underscores.

    Injective because slugs have no underscores; at most 47 characters, under PostgreSQL's 63.
    """
    return SCHEMA_PREFIX + validate_slug(slug).replace("-", "_")


def checked_schema_name(schema: str) -> str:
    """Guard for code that receives a schema name: it must be one schema_name_for could make."""
    if not SCHEMA_PATTERN.match(schema or "") or len(schema) > 63:
        raise ValueError(f"not a tenant schema name: {schema!r}")
    return schema
