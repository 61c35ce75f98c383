"""Reads of the exercise library for its pages and the API: search and filters, page by page."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.workouts.models import Exercise

SEARCH_MAX = 100


@dataclass(frozen=True)
class ExerciseFilters:
    """What a list of exercises is narrowed to (empty values mean "any")."""

    search: str = ""
    category: str = ""
    muscle: str = ""  # listed as a main or another muscle
    equipment: str = ""  # needs this piece of equipment (whatever its case)
    archived: bool = False  # the archived ones instead of the library in use

    @property
    def active(self) -> dict[str, str]:
        """The filters in use, as query parameters (for pagination links)."""
        given = {"q": self.search, "category": self.category, "muscle": self.muscle, "equipment": self.equipment}
        return {name: value for name, value in given.items() if value} | ({"archived": "1"} if self.archived else {})


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def exercises_statement(filters: ExerciseFilters) -> sa.Select:
    """The exercises matching `filters`, by name."""
    query = sa.select(Exercise)
    query = query.where(Exercise.archived_at.is_not(None) if filters.archived else Exercise.archived_at.is_(None))
    search = filters.search.strip()[:SEARCH_MAX]
    if search:
        query = query.where(Exercise.name.ilike(f"%{_escaped(search)}%", escape="\\"))
    if filters.category:
        query = query.where(Exercise.category == filters.category)
    if filters.muscle:
        muscle = sa.literal(filters.muscle, sa.String)
        query = query.where(sa.or_(muscle == sa.any_(Exercise.primary_muscles),
                                   muscle == sa.any_(Exercise.secondary_muscles)))
    if filters.equipment:
        kit = sa.func.unnest(Exercise.equipment).table_valued("name").render_derived(name="kit")
        query = query.where(sa.exists(sa.select(1).select_from(kit)
                                      .where(sa.func.lower(kit.c.name) == filters.equipment.strip().lower())))
    return query.order_by(sa.func.lower(Exercise.name), Exercise.id)


def search_exercises(filters: ExerciseFilters, page: int = 1, per_page: int = 25):
    """One page of the exercises matching `filters` (a Flask-SQLAlchemy pagination)."""
    return db.paginate(exercises_statement(filters), page=page, per_page=per_page, error_out=False)


def equipment_names() -> list[str]:
    """Every piece of equipment the library names, for the equipment filter (one spelling each)."""
    kit = sa.func.unnest(Exercise.equipment).table_valued("name").render_derived(name="kit").lateral()
    key = sa.func.lower(kit.c.name)
    names = db.session.scalars(sa.select(sa.func.min(kit.c.name)).select_from(Exercise).join(kit, sa.true())
                               .where(Exercise.archived_at.is_(None)).group_by(key).order_by(key))
    return list(names)
