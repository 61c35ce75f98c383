"""Equipment forms (Flask-WTF: CSRF on every form). Fields only parse; the rules and their messages are the
equipment services', shared with the API."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional

from nexphys.equipment.models import AssetStatus
from nexphys.storage.images import ACCEPT
from nexphys.web.choices import options

NO_CHOICE = ""
STATUS_CHOICES = options((status, AssetStatus.LABELS[status]) for status in AssetStatus.ALL)


def _choices(items, label, empty: str) -> list:
    return options([(NO_CHOICE, empty)] + [(str(item.id), label(item)) for item in items])


class AssetForm(FlaskForm):
    name = StringField("Name", render_kw={"maxlength": 120})
    category = StringField("Category", render_kw={"maxlength": 80, "list": "category-names"})
    make = StringField("Make", render_kw={"maxlength": 80})
    model = StringField("Model", render_kw={"maxlength": 80})
    serial = StringField("Serial number", render_kw={"maxlength": 80})
    room_id = SelectField("Room", validate_choice=False)
    location = StringField("Other location", render_kw={"maxlength": 120})
    purchased_on = DateField("Purchase date", validators=[Optional()])
    cost = StringField("Cost", render_kw={"inputmode": "decimal"})
    notes = TextAreaField("Notes", render_kw={"rows": 3})
    submit = SubmitField("Save")

    def set_choices(self, rooms) -> None:
        self.room_id.choices = _choices(rooms, lambda r: r.name, "No room")


class NewAssetForm(AssetForm):
    status = SelectField("Status", choices=STATUS_CHOICES, validate_choice=False, default=AssetStatus.IN_SERVICE)


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=STATUS_CHOICES, validate_choice=False)
    status_reason = TextAreaField("Why", render_kw={"rows": 2, "maxlength": 500})
    submit = SubmitField("Change status")


class PhotoForm(FlaskForm):
    image = FileField("Photo", render_kw={"accept": ACCEPT})


class ReportForm(FlaskForm):
    text = TextAreaField("What is wrong?", render_kw={"rows": 4, "maxlength": 4000})
    photo = FileField("A photo (optional)", render_kw={"accept": ACCEPT, "capture": "environment"})
    submit = SubmitField("Report the problem")


class ScheduleForm(FlaskForm):
    title = StringField("Task", render_kw={"maxlength": 120})
    every_days = IntegerField("Every how many days", validators=[Optional()],
                              render_kw={"min": 1, "inputmode": "numeric"})
    every_uses = IntegerField("Or after how many uses", validators=[Optional()],
                              render_kw={"min": 1, "inputmode": "numeric"})
    responsible_id = SelectField("Who is responsible", validate_choice=False)
    starts_on = DateField("Counting from", validators=[Optional()])
    submit = SubmitField("Add schedule")

    def set_choices(self, staff) -> None:
        self.responsible_id.choices = _choices(staff, lambda u: u.full_name, "Nobody yet")


class RecordForm(FlaskForm):
    what = TextAreaField("What was done", render_kw={"rows": 3, "maxlength": 4000})
    done_on = DateField("Done on", validators=[Optional()])
    cost = StringField("Cost", render_kw={"inputmode": "decimal"})
    schedule_id = SelectField("For the schedule", validate_choice=False)
    attachments = MultipleFileField("Receipts or photos (optional)", render_kw={"accept": ACCEPT + ",application/pdf"})
    submit = SubmitField("Log maintenance")

    def set_choices(self, schedules) -> None:
        self.schedule_id.choices = _choices(schedules, lambda s: s.title, "None (a one-off job)")


class ConfirmForm(FlaskForm):
    """A POST with only the CSRF token."""

    submit = SubmitField("Yes")
