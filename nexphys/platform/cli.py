"""`flask platform ...`: platform administrators."""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from nexphys.extensions import db
from nexphys.platform import services
from nexphys.security.passwords import WeakPassword

platform_cli = AppGroup("platform", help="Platform administrators (they sign in on the apex host).")


@platform_cli.command("create-admin")
@click.argument("email")
@click.option("--name", required=True, help="Full name, e.g. 'Ada Lovelace'.")
@click.password_option("--password", help="Prompted (hidden, confirmed) when omitted.")
def create_admin(email, name, password):
    """Add a platform administrator who signs in at /platform/login on the apex host."""
    try:
        validate_email(email, check_deliverability=False)
        admin = services.create_admin(email, name, password)
    except (EmailNotValidError, WeakPassword, services.AdminExists) as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"platform administrator {admin.email} created")
