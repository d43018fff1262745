"""Safe XML parsing: no entity expansion, no DTD loading, no network — ever.

Billion-laughs and XXE files are refused *before* the parser sees them: we read the prolog
(everything before the root element) and reject any ``<!ENTITY`` declaration. A plain
``<!DOCTYPE tmx SYSTEM "tmx14.dtd">``, which many CAT tools write, is accepted and ignored: the
DTD is never loaded. The lxml parser is configured so that even a declaration we missed could
not be expanded or fetched.
"""

from __future__ import annotations

import codecs
import re
from typing import IO, TypedDict, cast

from lxml import etree

from tmserver.errors import UnsafeXML


class _ParserOptions(TypedDict):
    resolve_entities: bool
    no_network: bool
    load_dtd: bool
    dtd_validation: bool
    huge_tree: bool
    remove_comments: bool


PARSER_OPTIONS = _ParserOptions(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
)

_ENTITY_RE = re.compile(r"<!ENTITY", re.IGNORECASE)
_ROOT_RE = re.compile(r"<[A-Za-z_]")


def _decode_prolog(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="ignore")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    return head.decode("utf-8", errors="ignore")


def check_prolog(head: bytes) -> None:
    """Raise :class:`UnsafeXML` when the prolog declares entities (internal or external)."""
    text = _decode_prolog(head)
    # the prolog ends where the root element starts, outside any declaration
    depth_text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    doctype = depth_text.find("<!DOCTYPE")
    if _ENTITY_RE.search(depth_text):
        raise UnsafeXML(
            "the XML declares entities (<!ENTITY …>); entity expansion is refused to protect the "
            "server from billion-laughs and external-entity (XXE) attacks",
            {"reason": "entity_declaration"},
        )
    if doctype != -1:
        sub = depth_text[doctype:]
        if "[" in sub.split(">", 1)[0]:
            raise UnsafeXML("the XML has an internal DTD subset; refused", {"reason": "internal_subset"})


PROLOG_BYTES = 64 * 1024


def peek_check(fh: IO[bytes]) -> bytes:
    """Read the head of a binary stream, check its prolog and return the bytes read."""
    head = fh.read(PROLOG_BYTES)
    check_prolog(head)
    return head


class _Prefixed:
    """A read-only stream that replays ``head`` and then the rest of ``fh``."""

    def __init__(self, head: bytes, fh: IO[bytes]):
        self._head = head
        self._fh = fh

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n is None or n < 0:
                out, self._head = self._head + self._fh.read(), b""
                return out
            out, self._head = self._head[:n], self._head[n:]
            if len(out) < n:
                out += self._fh.read(n - len(out))
            return out
        return self._fh.read(n)


def safe_stream(fh: IO[bytes]) -> IO[bytes]:
    # lxml only calls .read(); the cast tells the checker _Prefixed stands in for a file
    return cast(IO[bytes], _Prefixed(peek_check(fh), fh))


def iterparse(fh: IO[bytes], *, events=("end",), tag=None):
    """lxml ``iterparse`` over a checked stream, with every dangerous feature off."""
    return etree.iterparse(safe_stream(fh), events=events, tag=tag, **PARSER_OPTIONS)


def parse(fh: IO[bytes]) -> etree._ElementTree:
    """Parse a whole (small) document safely — TBX, XLIFF."""
    parser = etree.XMLParser(**PARSER_OPTIONS)
    return etree.parse(safe_stream(fh), parser)


def xml_error_message(exc: etree.XMLSyntaxError) -> str:
    line = getattr(exc, "lineno", None) or (exc.position[0] if getattr(exc, "position", None) else None)
    msg = str(exc.msg if hasattr(exc, "msg") else exc)
    return f"malformed XML at line {line}: {msg}" if line else f"malformed XML: {msg}"
