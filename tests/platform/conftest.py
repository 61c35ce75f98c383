"""Platform fixtures: an administrator."""

from __future__ import annotations

import pytest

from tests.factories import password_hash
from tests.platform.requests import ADMIN_EMAIL


@pytest.fixture(scope="session")
def admin(app) -> str:
    """A platform administrator (email; password TEST_PASSWORD)."""
    from nexphys.extensions import db
    from nexphys.platform.services import create_admin, find_admin

    with app.app_context():
        if find_admin(ADMIN_EMAIL) is None:
            create_admin(ADMIN_EMAIL, "Root Admin", password_hash=password_hash())
            db.session.commit()
    return ADMIN_EMAIL
