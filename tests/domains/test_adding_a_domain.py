"""Adding a domain is a folder and one line in INSTALLED (docs/architecture.md): the sample `lockers`
package under this folder, installed by that line in a fresh process, gets its routes, its table in a
new studio, its permissions in the catalogue with their default grants, its default setting, its
periodic job, and its shapes in the OpenAPI document, with nothing else edited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_domain_is_a_folder_and_one_line(app, database_url, redis_url):  # app: the public schema migrated
    result = subprocess.run([sys.executable, "-m", "tests.domains.install_lockers"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120,
                            env={**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url})
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["routes"] == ["/api/v1/lockers", "/lockers"]
    assert facts["table"] == 0  # the new studio's schema has the domain's table
    assert facts["setting"] == 30
    assert facts["manager_grants"] == ["lockers:read", "lockers:update"]
    assert "remind_all" in facts["jobs"]
    assert facts["api"] == [200, {"items": []}]
    assert facts["anonymous_page"] == 302  # declared access: to sign-in
    assert facts["documented"]["application/json"]["schema"]["$ref"].endswith("Items_Locker_")
