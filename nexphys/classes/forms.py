"""Schedule forms (Flask-WTF: CSRF on every form).

Fields only parse (numbers, dates, times); the rules and their messages are the schedule services',
shared with the API, and the views put those messages next to the fields.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from nexphys.classes.catalog import LEVELS
from nexphys.classes.series import WEEKDAY_NAMES
from nexphys.web.choices import options

NO_CHOICE = ""


class CheckboxesField(SelectMultipleField):
    """A set of checkboxes (weekdays), usable by keyboard and without JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(items, label, empty: str | None = None) -> list[SelectChoice]:
    choices = [(NO_CHOICE, empty)] if empty is not None else []
    return options(choices + [(str(item.id), label(item)) for item in items])


class ClassTypeForm(FlaskForm):
    name = StringField("Name")
    description = TextAreaField("Description", render_kw={"rows": 3})
    duration_minutes = IntegerField("Duration (minutes)", validators=[Optional()],
                                    render_kw={"min": 5, "max": 600, "inputmode": "numeric"})
    default_capacity = IntegerField("Default capacity", validators=[Optional()],
                                    render_kw={"min": 0, "max": 500, "inputmode": "numeric"})
    color = ColorField("Colour", default="#2563eb")
    level = SelectField("Level", choices=options((level, level.capitalize()) for level in LEVELS),
                        validate_choice=False, default="all")
    submit = SubmitField("Save class type")


class RoomForm(FlaskForm):
    name = StringField("Name")
    capacity = IntegerField("Capacity", validators=[Optional()], render_kw={"min": 1, "max": 500})
    submit = SubmitField("Save room")


class _Planning(FlaskForm):
    """Instructor and room pickers, filled per request (the choices are the studio's)."""

    instructor_id = SelectField("Instructor", validate_choice=False)
    room_id = SelectField("Room", validate_choice=False)
    # Asked for only when the class clashes with another (nexphys.classes.clashes): staff may go ahead.
    allow_clashes = BooleanField("Schedule it anyway")

    def set_choices(self, instructors, rooms, class_types=None) -> None:
        self.instructor_id.choices = _choices(instructors, lambda u: u.full_name, "No instructor yet")
        self.room_id.choices = _choices(rooms, lambda r: f"{r.name} (holds {r.capacity})", "No room")
        if class_types is not None and hasattr(self, "class_type_id"):
            self.class_type_id.choices = _choices(class_types, lambda t: t.name, "Choose a class type")


class SeriesForm(_Planning):
    class_type_id = SelectField("Class type", validate_choice=False)
    weekdays = CheckboxesField("Weekdays", choices=options((str(i), name) for i, name in enumerate(WEEKDAY_NAMES)),
                               validate_choice=False)
    start_time = TimeField("Start time", validators=[Optional()])
    duration_minutes = IntegerField("Duration (minutes)", validators=[Optional()], render_kw={"min": 5, "max": 600})
    capacity = IntegerField("Capacity", validators=[Optional()], render_kw={"min": 0, "max": 500})
    starts_on = DateField("First day", validators=[Optional()])
    ends_on = DateField("Last day", validators=[Optional()])
    submit = SubmitField("Save series")


class SeriesEditForm(SeriesForm):
    changes_from = DateField("Apply from", validators=[Optional()])


class SessionForm(_Planning):
    class_type_id = SelectField("Class type", validate_choice=False)
    date = DateField("Date", validators=[Optional()])
    time = TimeField("Start time", validators=[Optional()])
    duration_minutes = IntegerField("Duration (minutes)", validators=[Optional()], render_kw={"min": 5, "max": 600})
    capacity = IntegerField("Capacity", validators=[Optional()], render_kw={"min": 0, "max": 500})
    notes = TextAreaField("Notes", render_kw={"rows": 3})
    submit = SubmitField("Schedule class")


class SessionEditForm(_Planning):
    date = DateField("Date", validators=[Optional()])
    time = TimeField("Start time", validators=[Optional()])
    duration_minutes = IntegerField("Duration (minutes)", validators=[Optional()], render_kw={"min": 5, "max": 600})
    capacity = IntegerField("Capacity", validators=[Optional()], render_kw={"min": 0, "max": 500})
    notes = TextAreaField("Notes", render_kw={"rows": 3})
    scope = RadioField("Apply to", choices=options([("one", "This session only"),
                                                    ("future", "This and all future sessions of the series")]),
                       default="one", validate_choice=False)
    submit = SubmitField("Save changes")


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason (sent to booked and waiting members)", render_kw={"rows": 3, "maxlength": 500})
    submit = SubmitField("Yes, cancel this class")


class ConfirmForm(FlaskForm):
    """A POST with only the CSRF token: the confirmation page is the "are you sure" step."""

    submit = SubmitField("Yes")
