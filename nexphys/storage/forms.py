"""The picture upload form every page with one shares (the logo, a class type's picture)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from nexphys.storage.images import ACCEPT


class PictureForm(FlaskForm):
    image = FileField("Picture", render_kw={"accept": ACCEPT})
