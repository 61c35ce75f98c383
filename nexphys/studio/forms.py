"""The studio's forms (Flask-WTF: CSRF on every form). The services own the rules; these parse."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, ColorField, EmailField, StringField, TelField, TextAreaField, URLField

from nexphys.storage.images import ACCEPT
from nexphys.studio.branding import WEEKDAYS


class EmbedOriginsForm(FlaskForm):
    origins = TextAreaField("Sites that may show the timetable",
                            render_kw={"rows": 4, "spellcheck": "false", "autocomplete": "off"})


class DetailsForm(FlaskForm):
    brand_color = ColorField("Studio colour", default="#2563eb")
    address_line1 = StringField("Street address", render_kw={"autocomplete": "address-line1"})
    address_line2 = StringField("Address line 2 (optional)", render_kw={"autocomplete": "address-line2"})
    city = StringField("Town or city", render_kw={"autocomplete": "address-level2"})
    postcode = StringField("Postcode", render_kw={"autocomplete": "postal-code"})
    country = StringField("Country", render_kw={"autocomplete": "country-name"})
    email = EmailField("Contact email", render_kw={"autocomplete": "email"})
    phone = TelField("Phone", render_kw={"autocomplete": "tel"})
    about = TextAreaField("About the studio", render_kw={"rows": 6})
    website = URLField("Website", render_kw={"placeholder": "https://www.your-studio.example"})
    instagram = StringField("Instagram", render_kw={"placeholder": "@yourstudio or its address"})
    facebook = StringField("Facebook", render_kw={"placeholder": "Your page's address or name"})


# Opening hours: for each weekday "open" and from–to times (type=time: the browser's own time picker).
for _i, _day in enumerate(WEEKDAYS):
    setattr(DetailsForm, f"open_{_i}", BooleanField(f"Open on {_day}"))
    setattr(DetailsForm, f"from_{_i}", StringField(f"{_day} opens at", render_kw={"type": "time", "step": 300}))
    setattr(DetailsForm, f"to_{_i}", StringField(f"{_day} closes at", render_kw={"type": "time", "step": 300}))


class ProfileForm(FlaskForm):
    bio = TextAreaField("About you", render_kw={"rows": 6})
    photo = FileField("Photo", render_kw={"accept": ACCEPT})
    remove_photo = BooleanField("Remove the current photo")
