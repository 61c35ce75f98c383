"""Documents people upload (a receipt as a PDF): recognised by their bytes, never by their name or stated type.

A PDF is stored as it came (it is not re-encoded like a picture), so it is only served to the studio's staff, on
its own host, as a download (see nexphys.equipment.views.attachment), never inline beside the app's pages.
"""

from __future__ import annotations

from nexphys.errors import Invalid

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# purpose → extension of the documents the platform stores (the picture purposes are images.SIZES)
DOCUMENT_PURPOSES = {"maintenance_document": "pdf"}


class DocumentRefused(Invalid):
    """Not a document we can store; the message says why in plain words (field "document" unless named)."""

    def __init__(self, message: str, field: str = "document") -> None:
        super().__init__({field: [message]}, message)


def is_pdf(data: bytes) -> bool:
    """Whether the bytes begin as a PDF does (its header, within the first kilobyte as readers allow)."""
    return PDF_MAGIC in data[:1024]


def check_pdf(data: bytes) -> None:
    """DocumentRefused unless the bytes are a PDF of at most MAX_DOCUMENT_BYTES with its end-of-file marker."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentRefused(f"The PDF is too big: at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
    if not data.startswith(PDF_MAGIC) and not is_pdf(data):
        raise DocumentRefused("That file is not a PDF. Attach a PDF, or a PNG, JPEG or WebP picture.")
    if b"%%EOF" not in data[-2048:]:
        raise DocumentRefused("That PDF is incomplete (its end is missing): save it again and attach it.")
