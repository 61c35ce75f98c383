"""Install the sample `lockers` domain by its one line and report what the platform then knows of it.

Run as `python -m tests.domains.install_lockers` with DATABASE_URL and REDIS_URL set (a test's
database and Redis): it adds the package to INSTALLED, exactly as a new domain is added, builds the
app, provisions a studio and calls the new routes, then prints the facts as JSON. A fresh process,
because the registry is read once per process.
"""

from __future__ import annotations

import json
import os
import uuid

import sqlalchemy as sa

import nexphys.domains as domains

domains.INSTALLED = (*domains.INSTALLED, "tests.domains.lockers")  # the one line

from nexphys import create_app  # noqa: E402 - after the line, as a real install would read it
from nexphys.extensions import db  # noqa: E402
from nexphys.jobs.cli import build_scheduler  # noqa: E402
from nexphys.members.models import User  # noqa: E402
from nexphys.roles.models import Role  # noqa: E402
from nexphys.security.passwords import hash_password  # noqa: E402
from nexphys.settings.services import setting  # noqa: E402
from nexphys.tenancy import services  # noqa: E402
from nexphys.tenancy.context import tenant_bound  # noqa: E402
from nexphys.tenancy.models import SpareSchema  # noqa: E402
from nexphys.tenancy.resolver import load_tenant  # noqa: E402
from tests.domains.lockers.models import Locker  # noqa: E402

PASSWORD = "lockers-test-password"


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"],
                      "TESTING": True, "SECRET_KEY": "lockers-" + "x" * 32})
    slug = f"lockers-{uuid.uuid4().hex[:8]}"
    facts: dict = {"routes": sorted(r.rule for r in app.url_map.iter_rules() if "locker" in r.rule)}
    with app.app_context():
        db.session.execute(sa.delete(SpareSchema))  # spares were built without this domain's table
        tenant = services.register_tenant(slug, "Lockers Gym")
        db.session.commit()
        services.provision_tenant_now(tenant.id)
        with tenant_bound(load_tenant("id", str(tenant.id))):
            facts["table"] = db.session.scalar(sa.select(sa.func.count()).select_from(Locker))
            facts["setting"] = setting("locker_rent_days")
            manager = db.session.scalar(sa.select(Role).where(Role.key == "manager"))
            facts["manager_grants"] = sorted(c for c in manager.permission_codes if c.startswith("lockers"))
            db.session.add(User(email="boss@lockers.example", full_name="Boss", role=manager,
                                password_hash=hash_password(PASSWORD)))
            db.session.commit()
        facts["jobs"] = [job.func.__name__ for job in build_scheduler()._cron_jobs]
    client = app.test_client()
    studio = {"Host": f"{slug}.localhost"}
    token = client.post("/api/v1/auth/token", headers=studio,
                        json={"email": "boss@lockers.example", "password": PASSWORD}).get_json()["access_token"]
    listed = client.get("/api/v1/lockers", headers={**studio, "Authorization": f"Bearer {token}"})
    facts["api"] = [listed.status_code, listed.get_json()]
    facts["anonymous_page"] = client.get("/lockers", headers=studio).status_code
    document = client.get("/api/v1/openapi.json").get_json()
    facts["documented"] = document["paths"]["/api/v1/lockers"]["get"]["responses"]["200"]["content"]
    with app.app_context():
        services.drop_tenant(slug)
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
