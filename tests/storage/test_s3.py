"""The S3 backend specifically: objects land in the bucket under the platform's keys, the presigned mode keeps the
host check, and a bucket that stops answering is said in words on the form (never a 500, nothing half-recorded)."""

from __future__ import annotations

import io
import urllib.request

import pytest
import sqlalchemy as sa

from nexphys.storage.models import StoredFile
from nexphys.storage.services import file_url, store_image, thumbnail_key
from tests.factories import audit_entries, create_tenant, drop_tenant, person
from tests.pictures import picture, size_of
from tests.requests import csrf_token_from, login
from tests.running import host, in_studio, rows, run
from tests.storage.conftest import start_s3


def test_pictures_go_to_the_bucket_under_the_studios_keys_and_never_to_the_disk(s3_app, s3_server, tenant_a,
                                                                                uploads_dir):
    from pathlib import Path

    before = set(Path(uploads_dir).rglob("*"))
    key = run(s3_app, tenant_a, lambda: store_image(picture(fmt="JPEG"), "class_type_image", None).key)
    assert key.startswith(f"{tenant_a.id}/class_type_image/")
    assert {key, thumbnail_key(key)} <= set(s3_server.keys())
    assert set(Path(uploads_dir).rglob("*")) == before


def test_presigned_mode_checks_the_host_then_sends_the_browser_to_a_signed_address(app_factory, s3_server,
                                                                                  tenant_a, tenant_b):
    presigned = app_factory(**s3_server.settings(S3_SERVE="presigned"))
    key = run(presigned, tenant_a, lambda: store_image(picture(fmt="PNG"), "logo", None).key)
    with in_studio(presigned, tenant_a):
        url = file_url(key)
    assert url.startswith("/files/logo/")  # pages still name the studio's own address
    client = presigned.test_client()
    answer = client.get(url, headers=host(tenant_a))
    assert answer.status_code == 302 and "X-Amz-Signature=" in answer.headers["Location"]
    assert answer.headers["Cache-Control"] == "private, max-age=60"
    with urllib.request.urlopen(answer.headers["Location"], timeout=5) as fetched:
        assert size_of(fetched.read()) == (64, 48)
    assert client.get(url, headers=host(tenant_b)).status_code == 404  # another studio's host: no signature


@pytest.fixture(scope="module")
def stopped_s3(app_factory):
    """An app whose bucket's server has been stopped (it answered once, then went away)."""
    server = start_s3("nexphys-going-away")
    app = app_factory(**server.settings())
    server.stop()
    return app


@pytest.fixture(scope="module")
def studio(app):
    info = create_tenant(app, name="Bucket Down Boxing")
    yield info
    drop_tenant(app, info.slug)


def _signed_in(app, studio, role: str):
    person_id, email = person(app, studio, role)
    client = app.test_client()
    assert login(client, studio, email).status_code == 302
    return client, person_id


def test_a_bucket_that_does_not_answer_is_explained_and_the_bio_typed_is_kept(stopped_s3, studio):
    client, instructor_id = _signed_in(stopped_s3, studio, "instructor")
    files_before = rows(stopped_s3, studio, sa.select(StoredFile))
    path = f"/instructors/{instructor_id}/edit"
    response = client.post(path, headers=host(studio), content_type="multipart/form-data",
                           data={"csrf_token": csrf_token_from(client, studio, path), "bio": "Words I typed",
                                 "photo": (io.BytesIO(picture(fmt="JPEG")), "me.jpg")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert "could not be saved just now" in page and "Words I typed" in page
    assert len(rows(stopped_s3, studio, sa.select(StoredFile))) == len(files_before)  # nothing half-recorded
    assert not audit_entries(stopped_s3, studio, "file.uploaded")


def test_a_logo_upload_with_the_bucket_down_says_so_and_a_stored_file_answers_unavailable(stopped_s3, studio):
    client, _owner = _signed_in(stopped_s3, studio, "owner")
    path = "/settings/branding"
    response = client.post(path + "/logo", headers=host(studio), content_type="multipart/form-data",
                           data={"csrf_token": csrf_token_from(client, studio, path),
                                 "image": (io.BytesIO(picture()), "logo.png")})
    assert response.status_code == 422 and "the file store did not answer" in response.get_data(as_text=True)
    assert not audit_entries(stopped_s3, studio, "studio.logo_changed")
    served = client.get("/files/logo/" + "a" * 32 + ".png", headers=host(studio))
    assert served.status_code == 503


def test_choosing_s3_without_a_bucket_or_an_unknown_backend_stops_the_app_at_start(app_factory):
    with pytest.raises(RuntimeError, match="NEXPHYS_S3_BUCKET must be set"):
        app_factory(STORAGE_BACKEND="s3", S3_BUCKET="")
    with pytest.raises(RuntimeError, match="NEXPHYS_STORAGE must be 'local' or 's3'"):
        app_factory(STORAGE_BACKEND="ftp")
