"""The studio's embedding form (Flask-WTF: CSRF on every form). The service owns the rules; this parses."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField


class EmbedOriginsForm(FlaskForm):
    origins = TextAreaField("Sites that may show the timetable",
                            render_kw={"rows": 4, "spellcheck": "false", "autocomplete": "off"})
