"""The DDL of a whole tenant schema, built from the installed domains' models."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from nexphys.db import UNBOUND_TENANT_SCHEMA, TenantModel

_scripts: dict[str, sa.DDL] = {}


def tenant_ddl_script(dialect: Dialect) -> sa.DDL:
    """Every CREATE TABLE and CREATE INDEX of the tenant models, compiled once per process.

    The statements name the placeholder schema as SQLAlchemy's schema-translate token; executing the
    script on a connection whose schema_translate_map names the tenant's schema renders (and quotes)
    it, as for any other statement. One round trip instead of one per table and index. The models are
    those the app loaded from the installed domains (create_app loads them all). A table may add raw
    statements to run after it is created (`table.info["after_create"]`, e.g. a trigger): they run with
    search_path set to the tenant's schema, so they name their objects unqualified.
    """
    script = _scripts.get(dialect.name)
    if script is None:
        statements = []
        for table in TenantModel.metadata.sorted_tables:
            statements.append(CreateTable(table))
            statements.extend(CreateIndex(index) for index in sorted(table.indexes, key=lambda i: i.name))
            statements.extend(sa.DDL(sql) for sql in table.info.get("after_create", ()))
        translate = {UNBOUND_TENANT_SCHEMA: UNBOUND_TENANT_SCHEMA}
        compiled = [str(ddl.compile(dialect=dialect, schema_translate_map=translate)) for ddl in statements]
        script = _scripts[dialect.name] = sa.DDL(";\n".join(compiled).replace("%", "%%"))
    return script
