"""Uploaded pictures are decoded for real: only PNG, JPEG and WebP, scaled down, without their metadata."""

from __future__ import annotations

import pytest

from nexphys.storage.images import MAX_UPLOAD_BYTES, SIZES, ImageRefused, prepare
from tests.pictures import format_of, gps_exif, has_exif, picture, size_of


@pytest.mark.parametrize("fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_png_jpeg_and_webp_are_kept_in_their_format(fmt, content_type):
    prepared = prepare(picture(fmt=fmt), "logo")
    assert prepared.content_type == content_type and format_of(prepared.data) == fmt
    assert (prepared.width, prepared.height) == (64, 48)


def test_a_big_picture_is_scaled_down_to_its_purpose_keeping_its_shape():
    prepared = prepare(picture(3000, 1500, "JPEG"), "logo")
    assert (prepared.width, prepared.height) == (SIZES["logo"], SIZES["logo"] // 2)
    assert size_of(prepared.data) == (prepared.width, prepared.height)


def test_a_small_picture_is_never_enlarged():
    assert size_of(prepare(picture(40, 30), "class_type_image").data) == (40, 30)


def test_metadata_such_as_a_phone_photos_location_is_dropped():
    original = picture(fmt="JPEG", exif=gps_exif())
    assert has_exif(original)  # the test's photo does carry it
    assert not has_exif(prepare(original, "instructor_photo").data)


@pytest.mark.parametrize("data, words", [
    (b"", "Choose a picture"),
    (b"just some text, not a picture at all", "not a picture we can read"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    (b"<svg onload=alert(1)></svg>", "SVG"),
    (picture(fmt="GIF"), "not a PNG, JPEG or WebP"),
    (picture(fmt="BMP"), "not a PNG, JPEG or WebP"),
    (picture(fmt="PNG")[:60], "damaged"),
])
def test_what_is_not_a_usable_picture_is_refused_in_plain_words(data, words):
    with pytest.raises(ImageRefused) as refused:
        prepare(data, "logo")
    assert words in refused.value.message and refused.value.errors == {"image": [refused.value.message]}


def test_a_file_over_the_limit_is_refused_before_decoding():
    with pytest.raises(ImageRefused, match="at most 10 MB"):
        prepare(b"\x89PNG" + b"0" * MAX_UPLOAD_BYTES, "logo")


def test_a_decompression_bomb_is_refused():
    # 12000 × 12000 pixels of one colour: a small file that would take over half a gigabyte to decode.
    bomb = picture(12000, 12000, "PNG")
    assert len(bomb) < MAX_UPLOAD_BYTES
    with pytest.raises(ImageRefused):
        prepare(bomb, "logo")
