"""Sign-in forms (Flask-WTF: CSRF on every form)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from nexphys.security.passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False)])
    submit = SubmitField("Email me a link")


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_LENGTH)])
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])
    submit = SubmitField("Set password")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_LENGTH)])
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])
    submit = SubmitField("Change password")


class SignOutEverywhereForm(FlaskForm):
    """The "are you sure" step: only the button named `confirm` does it (a bare POST asks again)."""

    confirm = SubmitField("Yes, sign out everywhere")


class WholeNumberField(IntegerField):
    """A whole number where blank means None; anything else non-numeric is explained (the service judges bounds)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if raw:
            try:
                self.data = int(raw)
            except ValueError:
                raise ValueError("Enter a whole number, such as 12.") from None


def session_settings_form(settings, **kwargs) -> FlaskForm:
    """One field per lifetime setting (nexphys.auth.lifetimes.SETTINGS), named by its key."""

    class Form(FlaskForm):
        submit = SubmitField("Save")

    for setting in settings:
        setattr(Form, setting.key, WholeNumberField(setting.label, render_kw={
            "min": setting.low, "max": setting.high, "inputmode": "numeric"}))
    return Form(**kwargs)
