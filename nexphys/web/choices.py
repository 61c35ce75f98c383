"""Options for WTForms select, radio and checkbox fields (WTForms 3.4 drops plain (value, label) tuples)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """SelectChoice options from (value, label) pairs, in order."""
    return [SelectChoice(value, label) for value, label in pairs]
