import pytest

from nexphys.tenancy.names import InvalidSlug, checked_schema_name, schema_name_for, validate_slug


@pytest.mark.parametrize("slug", ["gym-abc", "studio-xyz", "abc", "a1-b2-c3", "x" * 40])
def test_valid_slugs_map_to_tenant_schemas(slug):
    schema = schema_name_for(slug)
    assert schema == "tenant_" + slug.replace("-", "_")
    assert checked_schema_name(schema) == schema


@pytest.mark.parametrize("slug", [
    "", "ab", "x" * 41, "Gym", "1gym", "-gym", "gym-", "gym--abc", "gym_abc", "gym.abc", "gym abc",
    'gym";drop schema public;--', "www", "admin", "public",
])
def test_invalid_slugs_are_refused(slug):
    with pytest.raises(InvalidSlug):
        schema_name_for(slug)


def test_schema_names_are_injective():
    # Slugs have no underscores, so two slugs never share a schema.
    assert schema_name_for("a-bc") != schema_name_for("ab-c")


@pytest.mark.parametrize("schema", ["public", "tenant_", "unbound_tenant", 'tenant_x"; drop', "TENANT_X", "pg_catalog"])
def test_checked_schema_name_refuses_what_slugs_cannot_make(schema):
    with pytest.raises(ValueError):
        checked_schema_name(schema)


def test_validate_slug_returns_the_slug():
    assert validate_slug("gym-abc") == "gym-abc"
