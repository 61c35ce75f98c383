"""Alembic environment of the tenant tree, used by `flask tenants revision --autogenerate`.

Applying migrations does not go through this file: nexphys.tenancy.migrations drives Alembic
directly, one transaction per tenant schema. For autogenerate, the CLI passes a connection whose
transaction has search_path set to a scratch schema at head, and the tenant metadata copied into
that schema; the schema is stripped from the generated operations.
"""

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise SystemExit("Use `flask tenants revision` / `flask tenants migrate`, not the alembic CLI directly.")

scratch_schema = config.attributes["schema"]


def include_name(name, type_, parent_names):
    if type_ == "schema":
        return name == scratch_schema
    return True


def strip_schema(_context, _revision, directives):
    def walk(ops):
        for op in ops:
            for attribute in ("schema", "source_schema", "referent_schema"):
                if hasattr(op, attribute):
                    setattr(op, attribute, None)
            if hasattr(op, "ops"):
                walk(op.ops)
    for script in directives:
        walk(script.upgrade_ops.ops)
        walk(script.downgrade_ops.ops)


context.configure(
    connection=connection,
    target_metadata=config.attributes["target_metadata"],
    include_schemas=True,
    include_name=include_name,
    version_table_schema=scratch_schema,
    process_revision_directives=strip_schema,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
