"""Stored files, on either backend: keys in the studio's own space, served only on that studio's host, cleaned up
when replaced, with a small variant beside each picture."""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.storage.base import storage
from nexphys.storage.models import StoredFile
from nexphys.storage.services import discard, file_url, picture_url, store_image, thumbnail_key
from tests.pictures import picture, size_of
from tests.running import host, in_studio, rows, run


def _store(app, tenant, fmt: str = "PNG", width: int = 64, height: int = 48) -> str:
    return run(app, tenant, lambda: store_image(picture(width, height, fmt=fmt), "logo", None).key)


def test_a_key_is_made_by_the_platform_in_the_studios_own_space(backend_app, tenant_a):
    key = _store(backend_app, tenant_a)
    studio, purpose, name = key.split("/")
    assert studio == str(tenant_a.id) and purpose == "logo" and len(name) == len("0" * 32 + ".png")
    assert [f.key for f in rows(backend_app, tenant_a, sa.select(StoredFile).where(StoredFile.key == key))] == [key]
    assert _store(backend_app, tenant_a) != key  # a fresh random name every time: never guessable, never reused


def test_the_studio_serves_its_file_with_its_type_and_a_long_cache(backend_app, tenant_a):
    client = backend_app.test_client()
    key = _store(backend_app, tenant_a, "WEBP")
    with in_studio(backend_app, tenant_a):
        url = file_url(key)
    response = client.get(url, headers=host(tenant_a))
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.data[:4] == b"RIFF"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    again = client.get(url, headers={**host(tenant_a), "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_another_studios_host_cannot_fetch_the_file(backend_app, tenant_a, tenant_b):
    client = backend_app.test_client()
    key = _store(backend_app, tenant_a)
    _studio, purpose, name = key.split("/")
    assert client.get(f"/files/{purpose}/{name}", headers=host(tenant_a)).status_code == 200
    assert client.get(f"/files/{purpose}/{name}", headers=host(tenant_b)).status_code == 404
    thumb = thumbnail_key(key).split("/")[-1]
    assert client.get(f"/files/{purpose}/{thumb}", headers=host(tenant_a)).status_code == 200
    assert client.get(f"/files/{purpose}/{thumb}", headers=host(tenant_b)).status_code == 404


def test_names_that_are_not_keys_are_refused(backend_app, tenant_a):
    client = backend_app.test_client()
    key = _store(backend_app, tenant_a)
    _studio, purpose, name = key.split("/")
    for path in (f"/files/{purpose}/..%2F..%2F{name}", f"/files/{purpose}/../{name}", "/files/logo/..%2Fsecret_key",
                 f"/files/{purpose}/{name[:-4]}.svg", f"/files/{purpose}/{name.upper()}", f"/files/nothing/{name}",
                 f"/files/{purpose}/%2e%2e%2f{name}", f"/files/{tenant_a.id}%2F{purpose}/{name}",
                 f"/files/{purpose}/{name[:-4]}-thumb-thumb.png", f"/files/{purpose}/{name[:-4]}-big.png"):
        assert client.get(path, headers=host(tenant_a)).status_code == 404, path
    assert client.get(f"/files/{purpose}/{name}").status_code == 404  # the apex host serves no studio's files


def test_a_discarded_file_is_gone_once_the_change_commits(backend_app, tenant_a):
    client = backend_app.test_client()
    key = _store(backend_app, tenant_a)
    _studio, purpose, name = key.split("/")
    thumb = thumbnail_key(key).split("/")[-1]
    with in_studio(backend_app, tenant_a):
        from nexphys.extensions import db

        discard(key)
        assert storage().open(key) is not None  # the bytes stay until the removal is committed …
        db.session.rollback()
    assert client.get(f"/files/{purpose}/{name}", headers=host(tenant_a)).status_code == 200  # … a rollback keeps them
    run(backend_app, tenant_a, discard, key)
    assert client.get(f"/files/{purpose}/{name}", headers=host(tenant_a)).status_code == 404
    with in_studio(backend_app, tenant_a):
        assert not storage().exists(key) and not storage().exists(thumbnail_key(key))  # the small one goes too
    assert client.get(f"/files/{purpose}/{thumb}", headers=host(tenant_a)).status_code == 404  # nothing to fall back to
    assert rows(backend_app, tenant_a, sa.select(StoredFile).where(StoredFile.key == key)) == []


def test_a_small_variant_is_stored_beside_the_picture_and_asked_for_by_name(backend_app, tenant_a):
    client = backend_app.test_client()
    key = _store(backend_app, tenant_a, "JPEG", 1600, 800)
    with in_studio(backend_app, tenant_a):
        full, small, listed = file_url(key), file_url(key, thumbnail=True), picture_url(key, thumbnail=True)
        assert picture_url(key) == full
    assert small == listed and small.endswith("-thumb.jpg") and small != full
    assert size_of(client.get(full, headers=host(tenant_a)).data) == (600, 300)  # the logo's largest side
    thumb = client.get(small, headers=host(tenant_a))
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and size_of(thumb.data) == (480, 240)


def test_a_picture_stored_before_thumbnails_falls_back_to_the_full_one(backend_app, tenant_a):
    client = backend_app.test_client()
    key = _store(backend_app, tenant_a)
    with in_studio(backend_app, tenant_a):
        storage().delete(thumbnail_key(key))  # as a picture uploaded before small variants existed
        small, full = file_url(key, thumbnail=True), file_url(key)
    answer = client.get(small, headers=host(tenant_a))
    assert answer.status_code == 302 and answer.headers["Location"].endswith(full)
    assert "immutable" not in answer.headers["Cache-Control"]  # a backfilled thumbnail is picked up later
    assert client.get(answer.headers["Location"], headers=host(tenant_a)).status_code == 200


def test_the_local_backend_refuses_a_path_that_is_not_a_key(app, tmp_path):
    from nexphys.storage.local import LocalStorage

    local = LocalStorage(tmp_path)
    for bad in ("../x.png", "1/logo/../../etc/passwd", "/etc/passwd", "1/logo/abc.png"):
        assert local.open(bad) is None and not local.exists(bad)
    stored = local.save("1/logo/" + "a" * 32 + ".png", b"bytes", "image/png")
    assert stored.size == 5 and local.open(stored.key).read() == b"bytes" and local.exists(stored.key)
    local.delete(stored.key)
    assert local.open(stored.key) is None


def test_the_backfill_command_makes_the_missing_small_pictures_once(backend_app, make_tenant):
    tenant_a = make_tenant(name="Backfill Barbell")  # its own studio: other tests leave pictures without one
    key = _store(backend_app, tenant_a, "PNG", 900, 900)
    with in_studio(backend_app, tenant_a):
        storage().delete(thumbnail_key(key))
    runner = backend_app.test_cli_runner()
    first = runner.invoke(args=["storage", "thumbnails", "--studio", tenant_a.slug])
    assert first.exit_code == 0 and f"{tenant_a.slug}: 1 small pictures made" in first.output, first.output
    with in_studio(backend_app, tenant_a):
        stream = storage().open(thumbnail_key(key))
        assert size_of(stream.read()) == (480, 480)
        stream.close()
    again = runner.invoke(args=["storage", "thumbnails", "--studio", tenant_a.slug])
    assert f"{tenant_a.slug}: 0 small pictures made" in again.output
    assert runner.invoke(args=["storage", "thumbnails", "--studio", "no-such-studio"]).exit_code == 1
