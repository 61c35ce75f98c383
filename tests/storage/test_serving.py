"""Stored files: keys in the studio's own space, served only on that studio's host, cleaned up when replaced."""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.storage.base import storage
from nexphys.storage.models import StoredFile
from nexphys.storage.services import discard, file_url, store_image
from tests.pictures import picture
from tests.running import host, in_studio, rows, run


def _store(app, tenant, fmt: str = "PNG") -> str:
    return run(app, tenant, lambda: store_image(picture(fmt=fmt), "logo", None).key)


def test_a_key_is_made_by_the_platform_in_the_studios_own_space(app, tenant_a):
    key = _store(app, tenant_a)
    studio, purpose, name = key.split("/")
    assert studio == str(tenant_a.id) and purpose == "logo" and len(name) == len("0" * 32 + ".png")
    assert [f.key for f in rows(app, tenant_a, sa.select(StoredFile).where(StoredFile.key == key))] == [key]


def test_the_studio_serves_its_file_with_its_type_and_a_long_cache(app, client, tenant_a):
    key = _store(app, tenant_a, "WEBP")
    with in_studio(app, tenant_a):
        url = file_url(key)
    response = client.get(url, headers=host(tenant_a))
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.data[:4] == b"RIFF"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    again = client.get(url, headers={**host(tenant_a), "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_another_studios_host_cannot_fetch_the_file(app, client, tenant_a, tenant_b):
    key = _store(app, tenant_a)
    _studio, purpose, name = key.split("/")
    assert client.get(f"/files/{purpose}/{name}", headers=host(tenant_a)).status_code == 200
    assert client.get(f"/files/{purpose}/{name}", headers=host(tenant_b)).status_code == 404


def test_names_that_are_not_keys_are_refused(app, client, tenant_a):
    key = _store(app, tenant_a)
    _studio, purpose, name = key.split("/")
    for path in (f"/files/{purpose}/..%2F..%2F{name}", f"/files/{purpose}/../{name}", "/files/logo/..%2Fsecret_key",
                 f"/files/{purpose}/{name[:-4]}.svg", f"/files/{purpose}/{name.upper()}", f"/files/nothing/{name}",
                 f"/files/{purpose}/%2e%2e%2f{name}", f"/files/{tenant_a.id}%2F{purpose}/{name}"):
        assert client.get(path, headers=host(tenant_a)).status_code == 404, path
    assert client.get(f"/files/{purpose}/{name}").status_code == 404  # the apex host serves no studio's files


def test_a_discarded_file_is_gone_once_the_change_commits(app, client, tenant_a):
    key = _store(app, tenant_a)
    _studio, purpose, name = key.split("/")
    with in_studio(app, tenant_a):
        from nexphys.extensions import db

        discard(key)
        assert storage().open(key) is not None  # the bytes stay until the removal is committed …
        db.session.rollback()
    assert client.get(f"/files/{purpose}/{name}", headers=host(tenant_a)).status_code == 200  # … a rollback keeps them
    run(app, tenant_a, discard, key)
    assert client.get(f"/files/{purpose}/{name}", headers=host(tenant_a)).status_code == 404
    assert rows(app, tenant_a, sa.select(StoredFile).where(StoredFile.key == key)) == []


def test_the_local_backend_refuses_a_path_that_is_not_a_key(app, tmp_path):
    from nexphys.storage.local import LocalStorage

    local = LocalStorage(tmp_path)
    for bad in ("../x.png", "1/logo/../../etc/passwd", "/etc/passwd", "1/logo/abc.png"):
        assert local.open(bad) is None
    stored = local.save("1/logo/" + "a" * 32 + ".png", b"bytes", "image/png")
    assert stored.size == 5 and local.open(stored.key).read() == b"bytes"
    local.delete(stored.key)
    assert local.open(stored.key) is None
