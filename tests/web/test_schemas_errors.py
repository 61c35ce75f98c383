"""Validation messages of nested fields say where inside the field the problem is (pure logic)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from nexphys.web.schemas import field_errors


class _Set(BaseModel):
    reps: int
    load_kg: float


class _Log(BaseModel):
    title: str
    sets: list[_Set]


def test_a_nested_field_is_named_with_its_path():
    with pytest.raises(ValidationError) as caught:
        _Log.model_validate_json('{"title": 3, "sets": [{"reps": 5, "load_kg": 100}, {"reps": 5, "load_kg": "x"}]}',
                                 strict=True)
    errors = field_errors(caught.value)
    assert set(errors) == {"title", "sets"}
    assert errors["sets"] == ["sets[1].load_kg: Input should be a valid number"]
    assert not errors["title"][0].startswith("title")
