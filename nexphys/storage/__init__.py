"""Uploaded files: one storage interface (local disk by default), image checks, and serving a studio's files.

A core package: domains store pictures through `nexphys.storage.services` and never touch a path or a
bucket. Keys are made here, prefixed with the bound studio's id, so no request can name another studio's
file. An S3-compatible backend plugs in behind the same interface (`nexphys.storage.base.BACKENDS`).
"""

from nexphys.domains import Domain, Pages

domain = Domain(
    name="storage",
    pages=(Pages("nexphys.storage.views:bp"),),
    models=("nexphys.storage.models",),
    cli=("nexphys.storage.cli:storage_cli",),
    template_context=("nexphys.storage.images:template_values",),
    audit_actions={"file.uploaded": "Picture uploaded", "file.removed": "Picture removed"},
)
