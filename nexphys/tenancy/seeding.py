"""What a new studio schema starts with: each installed domain's seeds, then the studio's own values."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nexphys.domains import NewStudio, installed


def seed_schema(session: Session) -> None:
    """Every domain's starting rows (the permission catalogue, default roles, settings…); idempotent."""
    for seed in installed().hooks("seeds"):
        seed(session)


def personalise_schema(session: Session, studio: NewStudio) -> None:
    """The studio's own values (its time zone…), once a schema, new or spare, belongs to it."""
    for personalise in installed().hooks("personalise"):
        personalise(session, studio)
