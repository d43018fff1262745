"""Open a translator's document in the right format (see :mod:`tmserver.formats.doc`)."""

from __future__ import annotations

from tmserver.errors import ValidationError
from tmserver.formats.doc import Document, detect_document_format
from tmserver.formats.po import PoDocument
from tmserver.formats.textdoc import TextDocument
from tmserver.formats.xliffdoc import open_xliff

__all__ = ["open_document"]


def open_document(filename: str, data: bytes, *, source_lang: str | None = None,
                  target_lang: str | None = None, fmt: str | None = None) -> Document:
    """Parse ``data`` as a document; languages in the file win over the arguments."""
    if not isinstance(data, bytes | bytearray):
        raise ValidationError("the document must be bytes")
    fmt = fmt or detect_document_format(filename, bytes(data))
    if fmt == "xliff":
        doc: Document = open_xliff(filename, bytes(data), source_lang, target_lang)
    elif fmt == "po":
        doc = PoDocument(filename, bytes(data), source_lang, target_lang)
    elif fmt in ("markdown", "text"):
        doc = TextDocument(filename, bytes(data), source_lang, target_lang, markdown=fmt == "markdown")
    else:
        raise ValidationError(f"unknown document format {fmt!r}; use xliff, po, markdown or text", {"format": fmt})
    doc.link_context()
    return doc
