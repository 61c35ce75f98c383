"""Forms glue: a service's field messages shown next to the form's fields."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm


def has_errors(form: FlaskForm) -> bool:
    return any(field.errors for field in form)


def attach_errors(form: FlaskForm, errors: Mapping[str, list[str]], aliases: Mapping[str, str] | None = None
                  ) -> list[str]:
    """Put field messages on the form's fields; return the messages that belong to no field.

    `aliases` maps a service's field name to the form's (e.g. starts_at → date). A field that already
    says why it failed (it did not even parse) keeps its own message.
    """
    unplaced: list[str] = []
    for name, messages in errors.items():
        field = form._fields.get((aliases or {}).get(name, name))
        if field is None or name == "csrf_token":
            unplaced.extend(messages)
        elif not field.errors:
            field.errors = list(messages)
    return unplaced
