"""Shared web pieces: access declarations, error answers, page context, forms and API helpers."""

from nexphys.domains import Domain, Pages, Scope

domain = Domain(
    name="web",
    pages=(Pages("nexphys.web.pages:bp", Scope.ANY), Pages("nexphys.web.openapi:bp", Scope.ANY)),
    models=("nexphys.web.models",),
)
