"""Role forms (Flask-WTF: CSRF on every form). The services own the rules; these parse."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice

from nexphys.roles.models import RoleLevel
from nexphys.web.choices import options


def level_choices(levels: list[int]) -> list[SelectChoice]:
    return options((level, f"{level} · {RoleLevel.NAMES[level]}") for level in levels)


class PermissionsField(SelectMultipleField):
    """Ticked permission codes; any code is accepted here (the service checks the catalogue)."""

    def pre_validate(self, form) -> None:
        return None


class RoleForm(FlaskForm):
    name = StringField("Name")
    level = SelectField("Level", coerce=int, validate_choice=False)
    description = StringField("Description (optional)")
    permissions = PermissionsField("Permissions", choices=[])
    submit = SubmitField("Save role")


class ConfirmForm(FlaskForm):
    """An empty form: only its CSRF token (delete and revoke buttons)."""
