"""Exercise forms (Flask-WTF: CSRF on every form). Fields only parse; the rules and their messages are the
library's services', shared with the API."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from nexphys.web.choices import options
from nexphys.workouts.vocabulary import CATEGORIES, MUSCLES


class CheckboxesField(SelectMultipleField):
    """A set of checkboxes, usable by keyboard and without JavaScript."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _muscles(label: str) -> CheckboxesField:
    return CheckboxesField(label, choices=options(MUSCLES.items()), validate_choice=False)


class EquipmentListField(StringField):
    """Equipment as one line of names separated by commas (the service splits and tidies them)."""

    def _value(self) -> str:
        if isinstance(self.data, list):
            return ", ".join(self.data)
        return super()._value()


class ExerciseForm(FlaskForm):
    name = StringField("Name", render_kw={"maxlength": 100})
    category = SelectField("Category", choices=options([("", "Choose a category"), *CATEGORIES.items()]),
                           validate_choice=False)
    description = TextAreaField("Description", render_kw={"rows": 4})
    primary_muscles = _muscles("Main muscles")
    secondary_muscles = _muscles("Other muscles it works")
    equipment = EquipmentListField("Equipment needed", render_kw={"autocomplete": "off"})
    video_url = StringField("Video link", render_kw={"inputmode": "url", "placeholder": "https://"})
    submit = SubmitField("Save exercise")


class ConfirmForm(FlaskForm):
    """A POST with only the CSRF token (archive, restore)."""

    submit = SubmitField("Yes")
