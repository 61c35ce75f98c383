"""The exercise library's rules (services without HTTP), its search, and the starter library in every studio."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nexphys.workouts.errors import ExerciseInvalid
from nexphys.workouts.starter import STARTER
from tests.factories import unique
from tests.running import in_studio, refused, run
from tests.workouts.factories import make_exercise


def _search(app, tenant, **filters):
    from nexphys.workouts.queries import ExerciseFilters, search_exercises

    with in_studio(app, tenant):
        found = search_exercises(ExerciseFilters(**filters), per_page=100)
        return [e.name for e in found.items], found.total


def test_a_new_studio_starts_with_the_starter_library(app, studio):
    names, total = _search(app, studio)
    assert total == len(STARTER) >= 55
    assert {"Back squat", "Deadlift", "Kettlebell swing", "Row", "Burpee", "Downward dog"} <= set(names)
    assert names == sorted(names, key=str.lower)


def test_the_seed_is_idempotent_and_one_statement(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts.starter import seed_exercises
    from tests.running import count_statements

    def seed_again():
        with in_studio(app, studio):
            seed_exercises(db.session)
            db.session.commit()

    assert count_statements(app, seed_again) <= 3  # the INSERT (and the transaction's own statements)
    assert _search(app, studio)[1] == len(STARTER)


def test_names_are_unique_whatever_their_case(app, studio):
    from nexphys.workouts.services import create_exercise

    error = refused(app, studio, ExerciseInvalid, create_exercise, {"name": "BACK SQUAT", "category": "strength"})
    assert error.errors["name"] == ["There is already an exercise called “BACK SQUAT”."]


def test_every_field_is_checked_with_plain_words(app, studio):
    from nexphys.workouts.services import create_exercise

    error = refused(app, studio, ExerciseInvalid, create_exercise,
                    {"name": " ", "category": "dance", "primary_muscles": ["wings"], "video_url": "javascript:alert(1)",
                     "equipment": ["x" * 81]})
    assert set(error.errors) == {"name", "category", "primary_muscles", "video_url", "equipment"}
    assert error.errors["category"] == ["Choose a category."]
    assert error.errors["video_url"] == ["Enter the video's web address, starting with https://."]
    for bad in ("ftp://videos.example.com/a", "https://nohost", "https://user:pw@videos.example.com/"):
        assert "video_url" in refused(app, studio, ExerciseInvalid, create_exercise,
                                      {"name": unique("V"), "category": "core", "video_url": bad}).errors


def test_an_exercise_keeps_what_it_was_given_tidied(app, studio):
    from nexphys.workouts.models import Exercise

    exercise_id = make_exercise(app, studio, name=unique("  Tempo   squat "), primary_muscles=["quadriceps"],
                                secondary_muscles=["glutes", "quadriceps", "glutes"],
                                equipment="Barbell, squat rack,, barbell\nBench", video_url="https://videos.example.com/x")
    with in_studio(app, studio):
        from nexphys.extensions import db

        row = db.session.get(Exercise, exercise_id)
        assert row.name.startswith("Tempo squat") and row.primary_muscles == ["quadriceps"]
        assert row.secondary_muscles == ["glutes"]  # a main muscle is listed once, as a main one
        assert row.equipment == ["Barbell", "squat rack", "Bench"]
        assert row.video_url == "https://videos.example.com/x" and row.created_at and row.archived_at is None


def test_update_changes_only_the_fields_given_and_says_whether_it_did(app, studio):
    from nexphys.extensions import db
    from nexphys.workouts import services

    exercise_id = make_exercise(app, studio, description="Old words")

    def change(values):
        return services.update_exercise(services.get_exercise(exercise_id), values)

    assert run(app, studio, change, {"description": "New words"}) is True
    assert run(app, studio, change, {"description": "New words"}) is False
    with in_studio(app, studio):
        row = services.get_exercise(exercise_id)
        assert row.description == "New words" and row.category == "strength"
        db.session.rollback()


def test_archiving_takes_it_out_of_the_list_and_restoring_brings_it_back(app, studio):
    from nexphys.workouts import services

    name = unique("Archivable")
    exercise_id = make_exercise(app, studio, name=name)
    assert run(app, studio, lambda: services.archive_exercise(services.get_exercise(exercise_id))) is True
    assert name not in _search(app, studio, search=name)[0]
    assert _search(app, studio, search=name, archived=True)[0] == [name]
    assert run(app, studio, lambda: services.archive_exercise(services.get_exercise(exercise_id))) is False
    assert run(app, studio, lambda: services.restore_exercise(services.get_exercise(exercise_id))) is True
    assert _search(app, studio, search=name)[0] == [name]


@pytest.mark.parametrize(("filters", "expected", "unexpected"), [
    ({"search": "squat"}, {"Back squat", "Front squat", "Goblet squat"}, {"Deadlift"}),
    ({"search": "SQUAT"}, {"Back squat"}, {"Plank"}),
    ({"search": "50%_"}, set(), {"Back squat"}),  # wildcards are plain characters
    ({"category": "yoga"}, {"Downward dog", "Child's pose"}, {"Back squat"}),
    ({"muscle": "hamstrings"}, {"Deadlift", "Back squat"}, {"Bench press"}),  # main or other muscle
    ({"equipment": "kettlebell"}, {"Kettlebell swing", "Goblet squat"}, {"Deadlift"}),  # any case
    ({"category": "strength", "equipment": "Barbell", "muscle": "chest"}, {"Bench press"}, {"Push-up"}),
])
def test_search_and_filters(app, studio, filters, expected, unexpected):
    names, _total = _search(app, studio, **filters)
    assert expected <= set(names) and not unexpected & set(names)


def test_the_equipment_filter_lists_each_name_once(app, studio):
    from nexphys.workouts.queries import equipment_names

    make_exercise(app, studio, equipment=["BARBELL", "Unicycle"])
    with in_studio(app, studio):
        names = equipment_names()
    assert [n.lower() for n in names].count("barbell") == 1 and "Unicycle" in names
    assert names == sorted(names, key=str.lower)


def test_the_migration_gives_an_existing_studio_the_library_and_the_permissions(app, make_tenant, raw_engine):
    from tests.factories import granted_by_migrating

    studio = make_tenant()
    schema = studio.schema_name
    with raw_engine.begin() as conn:  # a studio from before the library: no table, one exercise of its own later
        conn.exec_driver_sql(f'DROP TABLE "{schema}".exercises CASCADE')
    holders = granted_by_migrating(raw_engine, studio, "workouts", "read", "0009_public_face")
    assert holders == ["instructor", "manager", "member", "owner", "premium_member"]
    with raw_engine.connect() as conn:
        writers = conn.execute(sa.text(
            f'SELECT r.key FROM "{schema}".role_permissions rp JOIN "{schema}".roles r ON r.id = rp.role_id '
            f'JOIN "{schema}".permissions p ON p.id = rp.permission_id '
            "WHERE p.resource = 'workouts' AND p.action = 'create' AND p.condition IS NULL "
            "ORDER BY r.key")).scalars().all()
        count = conn.execute(sa.text(f'SELECT count(*) FROM "{schema}".exercises')).scalar()
    assert writers == ["instructor", "manager", "owner"] and count == len(STARTER)


def test_migrating_again_keeps_a_studio_s_own_edits(app, make_tenant, raw_engine):
    from nexphys.tenancy.migrations import migrate_one

    studio = make_tenant()
    schema = studio.schema_name
    with raw_engine.begin() as conn:
        conn.exec_driver_sql(f"""UPDATE "{schema}".exercises SET description = 'Ours' WHERE name = 'Deadlift'""")
        conn.exec_driver_sql(f"""DELETE FROM "{schema}".exercises WHERE name <> 'Deadlift'""")
        conn.exec_driver_sql(f"""UPDATE "{schema}".alembic_version SET version_num = '0009_public_face'""")
    _id, _revision, error = migrate_one(studio.id, schema, raw_engine)
    assert error is None
    with raw_engine.connect() as conn:
        rows = dict(conn.execute(sa.text(f'SELECT name, description FROM "{schema}".exercises')).all())
    assert rows["Deadlift"] == "Ours" and len(rows) == len(STARTER)
