"""Alembic environment of the public tree (Flask-Migrate: `flask db upgrade`, `flask db migrate`)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name)
log = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def include_name(name, type_, parent_names):
    # Only the public schema belongs to this tree (None: Alembic's name for the default schema).
    if type_ == "schema":
        return name in (None, "public")
    return True


def process_revision_directives(_context, _revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_online():
    with db.engine.connect() as connection:
        with connection.begin():
            connection.exec_driver_sql("SET LOCAL search_path TO public")
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                include_schemas=True,
                include_name=include_name,
                version_table_schema="public",
                process_revision_directives=process_revision_directives,
                compare_type=True,
            )
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) mode is not supported for the public tree.")
run_migrations_online()
