"""Pictures people upload: decoded for real (Pillow), only PNG, JPEG or WebP, made smaller, metadata dropped.

The file's name and the browser's stated type are never believed: the bytes are decoded, and what is
stored is a fresh encoding of the pixels, so no EXIF (a phone photo's location), no comments and nothing
but the picture reaches the disk. SVG is refused: it is a document that can carry script.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from nexphys.errors import Invalid

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo decodes; a "decompression bomb" of a tiny file is refused
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}
ACCEPT = "image/png,image/jpeg,image/webp"  # the file input's accept attribute
# The largest side each kind of picture is stored at (bigger ones are scaled down, never up).
SIZES = {"logo": 600, "instructor_photo": 800, "class_type_image": 1200, "exercise_image": 1200,
         "asset_photo": 1200, "problem_photo": 1200, "maintenance_receipt": 1600}
# The small variant stored beside each picture (timetable cards, lists): a card on a phone is about 340 CSS px wide.
THUMBNAIL = 480


class ImageRefused(Invalid):
    """Not a picture we can store; the message says why in plain words (field "image" unless named)."""

    def __init__(self, message: str, field: str = "image") -> None:
        super().__init__({field: [message]}, message)


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def prepare(data: bytes, purpose: str) -> PreparedImage:
    """Check the bytes are a PNG, JPEG or WebP picture, and return it re-encoded at most SIZES[purpose] wide."""
    if not data:
        raise ImageRefused("Choose a picture to upload.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRefused(f"That file is {_megabytes(len(data))}: pictures can be at most "
                           f"{_megabytes(MAX_UPLOAD_BYTES)}. Choose a smaller one.")
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:1024].lower():
        raise ImageRefused("SVG pictures cannot be used. Upload a PNG, JPEG or WebP picture instead.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format
            if image_format not in FORMATS:
                raise ImageRefused("That is not a PNG, JPEG or WebP picture. Choose one of those.")
            if image.width * image.height > MAX_PIXELS:
                raise ImageRefused("That picture is too large to use (over 40 megapixels). Make it smaller first.")
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("That file is not a picture we can read. Upload a PNG, JPEG or WebP picture.") from None
    except (OSError, SyntaxError, ValueError):  # truncated or corrupt bytes
        raise ImageRefused("That picture seems damaged and could not be read. Try saving it again.") from None
    return _reencode(image, image_format, SIZES[purpose])


def _reencode(image: Image.Image, image_format: str, largest: int) -> PreparedImage:
    """The pixels only (turned upright as the camera meant), scaled down to `largest`, in the same format."""
    image = ImageOps.exif_transpose(image)  # before the EXIF goes: a phone's portrait photo stays upright
    image.thumbnail((largest, largest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif image_format == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, "WEBP", quality=85)
    content_type, extension = FORMATS[image_format]
    return PreparedImage(out.getvalue(), content_type, extension, image.width, image.height)


def thumbnail(data: bytes) -> PreparedImage:
    """The small variant (at most THUMBNAIL px) of a picture this module prepared (or stored earlier)."""
    with Image.open(io.BytesIO(data)) as image:
        image_format = image.format
        if image_format not in FORMATS:
            raise ImageRefused("That stored picture is not a PNG, JPEG or WebP picture.")
        image.load()
        return _reencode(image, image_format, THUMBNAIL)


def template_values() -> dict[str, str]:
    """What every upload field says of the files it takes (the `picture_upload` macro's hint)."""
    return {"picture_rule": f"PNG, JPEG or WebP, at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."}
