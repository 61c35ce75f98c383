"""The page where a studio lists the web sites that may embed its timetable."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from nexphys.extensions import db
from nexphys.studio import embedding
from nexphys.studio.forms import EmbedOriginsForm
from nexphys.web.access import require_principal, requires
from nexphys.web.forms import attach_errors

bp = Blueprint("studio", __name__)


def _page(form: EmbedOriginsForm, saved: list[str], status: int = 200):
    can_save = require_principal().can("settings", "update")
    return render_template("studio/embedding.html", form=form, saved=saved, can_save=can_save,
                           example=embedding.EXAMPLE, limit=embedding.MAX_ORIGINS,
                           timetable_url=url_for("timetable.page", _external=True)), status


@bp.get("/settings/embedding")
@requires("settings", "read")
def embedding_page():
    """The sites that may show the studio's timetable in a frame, and the snippet to paste there."""
    saved = embedding.saved_origins()
    form = EmbedOriginsForm(formdata=None)
    form.origins.data = "\n".join(saved)
    return _page(form, saved)


@bp.post("/settings/embedding")
@requires("settings", "update")
def save_embedding():
    """Save the list (owners): an entry that is not an https site address re-renders the form with why."""
    saved = embedding.saved_origins()
    form = EmbedOriginsForm()
    if not form.validate():
        return _page(form, saved, 400)  # only the CSRF token can fail here
    try:
        cleaned = embedding.clean(form.origins.data or "")
    except embedding.EmbedOriginsInvalid as exc:
        attach_errors(form, exc.errors)
        return _page(form, saved, 422)
    changed = embedding.save(cleaned, require_principal())
    db.session.commit()
    if not changed:
        flash("Nothing to save: the list of sites is unchanged.", "info")
    elif cleaned:
        flash("Saved. The timetable can now be shown on " + ", ".join(cleaned) + ".", "success")
    else:
        flash("Saved. No other site can show the timetable now.", "success")
    return redirect(url_for("studio.embedding_page"))
