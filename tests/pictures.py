"""Pictures made on the spot for upload tests (Pillow), so no test ships a binary file."""

from __future__ import annotations

import io

from PIL import Image


def picture(width: int = 64, height: int = 48, fmt: str = "PNG", color: str = "#b91c1c", exif: bytes | None = None
            ) -> bytes:
    """A plain picture in `fmt` (PNG, JPEG, WEBP, GIF…), optionally with EXIF bytes (JPEG)."""
    image = Image.new("RGB", (width, height), color)
    out = io.BytesIO()
    options = {"exif": exif} if exif else {}
    image.save(out, fmt, **options)
    return out.getvalue()


def gps_exif() -> bytes:
    """EXIF naming a camera and a place, as a phone photo carries."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPSInfo
    return exif.tobytes()


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def format_of(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        return image.format


def has_exif(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif()) or "exif" in image.info
