"""XLIFF 1.2 and 2.0 reading (for QA input): one :class:`Unit` per translatable segment.

XLIFF 1.2 keeps languages on ``<file source-language target-language>`` and text in
``<trans-unit id><source/><target/></trans-unit>``; 2.0 keeps them on the root
(``srcLang``/``trgLang``) and text in ``<unit id><segment id><source/><target/></segment></unit>``.
Inline markup (``<g>``, ``<ph>``, ``<pc>``, ``<mrk>``) is flattened to its text; placeholders
without text (``<x/>``, ``<ph/>``) vanish — QA compares words, not tags. Parsing goes through
:mod:`tmserver.formats.safexml` (no entities, no DTD, no network).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from lxml import etree

from tmserver.errors import ImportFailed
from tmserver.formats import Unit
from tmserver.formats.safexml import parse, xml_error_message

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(el) -> str:
    if el is None:
        return ""
    return "".join(t for t in el.itertext())


def _child(el, name: str):
    for c in el:
        if _local(c) == name:
            return c
    return None


def iter_xliff(
    fh: IO[bytes], *, source_lang: str | None = None, target_lang: str | None = None, origin: str | None = None
) -> Iterator[Unit]:
    """Yield the units of an XLIFF 1.2 or 2.0 document; languages fall back to the arguments."""
    try:
        root = parse(fh).getroot()
    except etree.XMLSyntaxError as exc:
        raise ImportFailed(xml_error_message(exc), {"where": "document", "line": exc.lineno}) from exc
    if _local(root) != "xliff":
        raise ImportFailed(f"not an XLIFF file: the root element is <{_local(root)}>", {"where": "document"})
    version = root.get("version", "")
    if version.startswith("2"):
        sl = root.get("srcLang") or source_lang
        tl = root.get("trgLang") or target_lang
        for unit in root.iter("{*}unit"):
            uid = unit.get("id") or ""
            segs = [c for c in unit if _local(c) == "segment"]
            for k, seg in enumerate(segs, 1):
                sid = f"{uid}/{seg.get('id')}" if seg.get("id") else (f"{uid}#{k}" if len(segs) > 1 else uid)
                yield Unit(_text(_child(seg, "source")), _text(_child(seg, "target")), sl or "zh", tl or "en",
                           origin=origin, where=f"unit {sid} (line {seg.sourceline})", extra={"id": sid})
        return
    if not version.startswith("1"):
        raise ImportFailed(f"unsupported XLIFF version {version!r} (1.2 and 2.0 are read)", {"where": "document"})
    for f in root.iter("{*}file"):
        sl = f.get("source-language") or source_lang
        tl = f.get("target-language") or target_lang
        for tu in f.iter("{*}trans-unit"):
            if tu.get("translate") == "no":
                continue
            src_el = _child(tu, "source")
            tgt_el = _child(tu, "target")
            seg_src = _child(tu, "seg-source")
            tid = tu.get("id") or str(tu.sourceline)
            mrks = [m for m in seg_src.iter("{*}mrk") if m.get("mtype") == "seg"] if seg_src is not None else []
            if mrks and tgt_el is not None:
                targets = {m.get("mid"): m for m in tgt_el.iter("{*}mrk") if m.get("mtype") == "seg"}
                for m in mrks:
                    mid = m.get("mid")
                    yield Unit(_text(m), _text(targets.get(mid)), sl or "zh", tl or "en", origin=origin,
                               where=f"trans-unit {tid}/{mid} (line {m.sourceline})", extra={"id": f"{tid}/{mid}"})
                continue
            yield Unit(_text(src_el), _text(tgt_el), (tgt_el is not None and src_el.get(XML_LANG)) or sl or "zh",
                       (tgt_el is not None and tgt_el.get(XML_LANG)) or tl or "en", origin=origin,
                       where=f"trans-unit {tid} (line {tu.sourceline})", extra={"id": tid})
