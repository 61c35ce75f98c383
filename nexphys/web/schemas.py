"""The schema layer: request and response shapes (pydantic v2), validation in, serialisation out.

Each domain declares its shapes once, in its `schemas.py`; its API views name them with `@api(...)`:

    @bp.patch("/members/<int:id>")
    @requires("members", "update")
    @api(body=MemberChanges, responses={200: Member}, check=services.clean_profile)
    def update_member(id: int, body: MemberChanges): ...

`@api` parses and validates the JSON body (415/400 for a wrong content type or malformed JSON; 422
with field errors, in plain words, for a body the schema refuses: unknown fields first and alone,
then every type error together with the service's own rule errors from `check`, so one 422 says
everything), parses the query parameters, and records the operation for the OpenAPI document
(nexphys.web.openapi), whose request bodies, parameters and responses are these same models.
`respond(Model, data)` serialises an answer through its model, so what is sent is what is documented.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from flask import Response, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, field_validator
from werkzeug.exceptions import BadRequest

from nexphys.errors import Invalid
from nexphys.web.api import ValidationFailed, json_body

OPERATION_ATTRIBUTE = "_nexphys_operation"

# Times travel as ISO 8601 text made by the views (in the studio's zone, with its offset).
Instant = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
Text = Annotated[str, Field(min_length=1)]  # a required text field: empty is "This field is required."
Id = Annotated[int, Field(ge=1)]  # a record's id


class Shape(BaseModel):
    """A response shape: every key it sends is declared (a key the view adds by mistake fails loudly)."""

    model_config = ConfigDict(extra="forbid")


class Body(BaseModel):
    """A request body: unknown fields are refused, by name. `ignored` fields (read-only ones a client
    sends back as it read them) are dropped before validation."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    ignored: ClassVar[frozenset[str]] = frozenset()

    def values(self) -> dict[str, Any]:
        """The fields the client sent, by name, as the service takes them."""
        return self.model_dump(exclude_unset=True)


class Query(BaseModel):
    """Query parameters: unknown ones are ignored, as browsers and proxies add their own."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


MAX_PER_PAGE = 100


class PageQuery(Query):
    """?page=&per_page= of a list: out-of-range values are brought into range (page ≥ 1, 1 ≤ per_page ≤ 100)."""

    page: int = Field(1, json_schema_extra={"minimum": 1})
    per_page: int = Field(25, json_schema_extra={"minimum": 1, "maximum": MAX_PER_PAGE})

    @field_validator("page")
    @classmethod
    def _first_page_at_least(cls, value: int) -> int:
        return min(max(value, 1), 2**53)  # (no further: its OFFSET would overflow PostgreSQL's bigint, a 500)

    @field_validator("per_page")
    @classmethod
    def _page_size_in_range(cls, value: int) -> int:
        return min(max(value, 1), MAX_PER_PAGE)


T = TypeVar("T")


class Page(Shape, Generic[T]):
    """One page of a list."""

    items: list[T]
    page: int
    per_page: int
    total: int
    pages: int

    @classmethod
    def of(cls, pagination: Any, items: list) -> dict[str, Any]:
        """The page's fields from a Flask-SQLAlchemy pagination and its items' data."""
        return {"items": items, "page": pagination.page, "per_page": pagination.per_page,
                "total": pagination.total, "pages": pagination.pages}


class Items(Shape, Generic[T]):
    """A whole (short) list."""

    items: list[T]
    total: int | None = None


# --- validation messages in plain words -------------------------------------------------------

_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
    "string_type": "Must be text.",
    "int_type": "Must be a whole number.",
    "int_parsing": "Must be a whole number.",
    "int_from_float": "Must be a whole number.",
    "bool_type": "Must be true or false.",
    "bool_parsing": "Must be true or false.",
    "list_type": "Must be a list.",
    "dict_type": "Must be an object.",
    "model_type": "Must be an object.",
    "date_type": "Use a date such as 2026-01-07.",
    "date_parsing": "Use a date such as 2026-01-07.",
    "date_from_datetime_parsing": "Use a date such as 2026-01-07.",
    "date_from_datetime_inexact": "Use a date such as 2026-01-07.",
    "time_type": "Use a 24-hour time such as 07:30.",
    "time_parsing": "Use a 24-hour time such as 07:30.",
    "datetime_type": "Use an ISO-8601 date and time with an offset, e.g. 2026-01-07T18:30:00+01:00.",
    "datetime_parsing": "Use an ISO-8601 date and time with an offset, e.g. 2026-01-07T18:30:00+01:00.",
    "datetime_from_date_parsing": "Use an ISO-8601 date and time with an offset, e.g. 2026-01-07T18:30:00+01:00.",
    "timezone_aware": "Include the UTC offset (e.g. +01:00 or Z), or send local date and time instead.",
}


def _message(error: Mapping[str, Any]) -> str:
    kind, context = error["type"], error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "greater_than_equal":
        return "Must be a positive whole number." if context["ge"] == 1 else f"Must be at least {context['ge']}."
    if kind == "less_than_equal":
        return f"Must be at most {context['le']}."
    if kind == "greater_than":
        return f"Must be more than {context['gt']}."
    if kind == "string_too_long":
        return f"Use at most {context['max_length']} characters."
    if kind == "string_too_short":
        return "This field is required." if context.get("min_length") == 1 else \
            f"Use at least {context['min_length']} characters."
    if kind in ("literal_error", "enum"):
        return f"One of: {context.get('expected', '')}."
    return str(error.get("msg", "Not valid."))


def _path(location: tuple) -> str:
    """A nested location as a caller writes it: ("sets", 0, "load_kg") → "sets[0].load_kg"."""
    path = str(location[0])
    for part in location[1:]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as field → messages. A nested field is listed under its top-level field, its message
    saying where inside it ("sets[0].load_kg: …"), so a caller can find the item."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        location = error["loc"]
        name = str(location[0]) if location else "body"
        message = _message(error)
        if len(location) > 1:
            message = f"{_path(location)}: {message}"
        if message not in errors.setdefault(name, []):
            errors[name].append(message)
    return errors


def _merge_rule_errors(errors: dict[str, list[str]], check: Callable[[dict], Any], data: dict) -> None:
    """Add the service's rule errors (from a side-effect-free `check` of the fields that parsed)."""
    try:
        check({key: value for key, value in data.items() if key not in errors})
    except Invalid as exc:
        for name, messages in exc.errors.items():
            errors.setdefault(name, list(messages))


def parse_body(model: type[Body], check: Callable[[dict], Any] | None = None) -> Body:
    """The request's JSON body, validated by `model` (ValidationFailed with every field's messages)."""
    data = {key: value for key, value in json_body().items() if key not in model.ignored}
    names = {info.alias or name for name, info in model.model_fields.items()} | set(model.model_fields)
    unknown = {key: ["Unknown field."] for key in data if key not in names}
    if unknown:
        raise ValidationFailed(unknown)
    try:  # JSON's own types, strictly: "12" is not a number, 12 is not a date
        return model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        errors = field_errors(exc)
        if check is not None:
            _merge_rule_errors(errors, check, data)
        raise ValidationFailed(errors) from exc


def parse_query(model: type[Query]) -> Query:
    """The query parameters, validated by `model`: 400 for page numbers that are not numbers, else 422."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        errors = field_errors(exc)
        if set(errors) & {"page", "per_page"}:
            raise BadRequest("page and per_page must be whole numbers") from exc
        raise ValidationFailed(errors) from exc


def respond(model: type[BaseModel], data: Any, status: int = 200, location: str | None = None) -> Response:
    """`data` serialised through `model` (fields the view did not set are left out)."""
    body = model.model_validate(data)
    response = Response(body.model_dump_json(exclude_unset=True), status=status, mimetype="application/json")
    if location is not None:
        response.headers["Location"] = location
    return response


def no_content() -> Response:
    return Response(status=204)


# --- the operation declaration ------------------------------------------------------------------

@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one view: its body, its parameters, its answers."""

    body: type[Body] | None = None
    query: type[Query] | None = None
    responses: Mapping[int, type[BaseModel] | None] = field(default_factory=dict)
    problems: tuple[int, ...] = ()  # error statuses worth naming (every operation also documents 4XX)
    body_optional: bool = False


def api(*, body: type[Body] | None = None, query: type[Query] | None = None,
        responses: Mapping[int, type[BaseModel] | None], problems: tuple[int, ...] = (),
        check: Callable[[dict], Any] | None = None, body_optional: bool = False) -> Callable:
    """Declare a JSON view's shapes; the view receives `body=` and `query=` already validated.

    `body_optional`: a request without a body is the model's defaults (e.g. a cancel without a reason).
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def run(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                kwargs["body"] = body.model_validate({}) if body_optional and not request.get_data() \
                    else parse_body(body, check)
            return view(*args, **kwargs)

        setattr(run, OPERATION_ATTRIBUTE, Operation(body, query, dict(responses), problems, body_optional))
        return run

    return decorate


def operation_of(view: Callable) -> Operation | None:
    return getattr(view, OPERATION_ATTRIBUTE, None)
