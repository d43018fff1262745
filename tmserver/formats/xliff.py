"""XLIFF 1.2 and 2.0 reading (for QA input): one :class:`Unit` per translatable segment.

XLIFF 1.2 keeps languages on ``<file source-language target-language>`` and text in
``<trans-unit id><source/><target/></trans-unit>``; 2.0 keeps them on the root
(``srcLang``/``trgLang``) and text in ``<unit id><segment id><source/><target/></segment></unit>``.
Inline markup is flattened to the translatable text: ``<g>``, ``<pc>``, ``<mrk>`` keep their
content; placeholders and the *native codes* inside ``<ph>``, ``<bpt>``, ``<ept>``, ``<it>``
(``&lt;b&gt;``, ``&lt;img src="a1.png" width="300"/&gt;``) and ``<x/>``, ``<bx/>``, ``<ex/>``, ``<sc/>``,
``<ec/>`` vanish — QA compares words, not markup, and a width="300" must not count as a number.
Italic markup (1.2 ``<g ctype="italic">`` or a ``<bpt>`` holding ``<i>``/``<em>``; 2.0
``<pc subType="xlf:i">``) is kept as spans of the flattened text in ``extra["target_italic"]`` so
QA knows a title was set in italics. Parsing goes through
:mod:`tmserver.formats.safexml` (no entities, no DTD, no network).

What real files need besides that:

* ``translate="no"`` is **inherited**: a ``<group translate="no">`` (1.2 and 2.0) or a 2.0
  ``<file>`` marks every unit inside it, unless a nearer element says ``translate="yes"``;
* the **PO header unit** that po2xliff writes (``restype="x-gettext-domain-header"``, an empty
  source and ``Project-Id-Version…`` as target) is metadata, not a segment: skipped;
* **declared languages are checked against the content**: po2xliff, for one, declares
  ``source-language="en"`` whatever the text is. When most sources are Chinese and most targets
  are not (or the reverse) but the file says otherwise, the detected pair is used and a warning
  is added to ``warnings``; a caller who knows better passes ``source_lang``/``target_lang`` with
  ``override_langs=True``, which wins over both.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from tmserver.errors import ImportFailed
from tmserver.formats import Unit
from tmserver.formats.safexml import parse, xml_error_message
from tmserver.langs import try_parse_lang
from tmserver.normalize import CJK_CLASS

log = logging.getLogger(__name__)
_CJK = re.compile(CJK_CLASS)
#: share of units whose text must agree before the content overrules a declaration
LANG_EVIDENCE = 0.6
PO_HEADER_RESTYPE = "x-gettext-domain-header"

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


_CODES = {"ph", "bpt", "ept", "it", "x", "bx", "ex", "sc", "ec", "sm", "em", "cp"}
_ITALIC_CODE = re.compile(r"^\s*<(i|em|cite)\b", re.IGNORECASE)


def _is_italic(el) -> bool:
    ctype = (el.get("ctype") or "").lower()
    sub = (el.get("subType") or "").lower()
    return ctype in ("italic", "x-italic") or sub in ("xlf:i", "xlf:em")


def _flatten(el) -> tuple[str, list[tuple[int, int]]]:
    """Translatable text of a <source>/<target>/<mrk> and the spans set in italics."""
    if el is None:
        return "", []
    out: list[str] = []
    italic: list[tuple[int, int]] = []
    open_bpt: dict[str, int] = {}
    size = 0

    def add(t: str | None) -> None:
        nonlocal size
        if t:
            out.append(t)
            size += len(t)

    def walk(node) -> None:
        for child in node:
            name = _local(child)
            if name in _CODES:
                key = child.get("rid") or child.get("id") or ""
                if name == "bpt" and _ITALIC_CODE.match("".join(child.itertext())):
                    open_bpt[key] = size
                elif name == "ept" and key in open_bpt:
                    italic.append((open_bpt.pop(key), size))
            elif name:
                start = size
                add(child.text)
                walk(child)
                if _is_italic(child) and size > start:
                    italic.append((start, size))
            add(child.tail)

    add(el.text)
    walk(el)
    return "".join(out), italic


def _text(el) -> str:
    return _flatten(el)[0]


def _unit(src_el, tgt_el, sl, tl, origin, where, uid) -> Unit:
    tgt, italic = _flatten(tgt_el)
    return Unit(_text(src_el), tgt, sl, tl, origin=origin, where=where, extra={"id": uid, "target_italic": italic})


def _xml_lang(el) -> str | None:
    return el.get(XML_LANG) if el is not None else None


def _child(el, name: str):
    for c in el:
        if _local(c) == name:
            return c
    return None


def iter_xliff(
    fh: IO[bytes], *, source_lang: str | None = None, target_lang: str | None = None, origin: str | None = None,
    override_langs: bool = False, warnings: list[dict[str, Any]] | None = None,
) -> Iterator[Unit]:
    """Yield the units of an XLIFF 1.2 or 2.0 document.

    Languages come from the file, else the arguments; with ``override_langs`` the arguments win.
    A declaration the content contradicts is corrected and reported in ``warnings``.
    """
    units = list(_read_units(fh, source_lang, target_lang, origin))
    if override_langs and (source_lang or target_lang):
        for u in units:
            u.source_lang = source_lang or u.source_lang
            u.target_lang = target_lang or u.target_lang
    else:
        _check_declared(units, warnings if warnings is not None else [])
    yield from units


def _zh_share(texts: list[str]) -> float:
    texts = [t for t in texts if t.strip()]
    return sum(1 for t in texts if _CJK.search(t)) / len(texts) if texts else 0.0


def _check_declared(units: list[Unit], warnings: list[dict[str, Any]]) -> None:
    """Swap a declared pair the content contradicts (zh text declared en, or the reverse)."""
    for sl, tl in {(u.source_lang, u.target_lang) for u in units}:
        group = [u for u in units if (u.source_lang, u.target_lang) == (sl, tl)]
        detected = _detect_pair(group, sl, tl)
        if detected is None or detected == (sl, tl):
            continue
        message = (f"the file declares {sl}→{tl} but the text reads as {detected[0]}→{detected[1]} "
                   f"({len(group)} units); using {detected[0]}→{detected[1]} — pass the languages with "
                   "override to keep your own")
        log.warning(message)
        warnings.append({"code": "declared_language_mismatch", "message": message,
                         "declared": [sl, tl], "used": list(detected), "units": len(group)})
        for u in group:
            u.source_lang, u.target_lang = detected


def _detect_pair(group: list[Unit], sl: str, tl: str) -> tuple[str, str] | None:
    """The pair the text of ``group`` (declared ``sl``→``tl``) reads as, None when it does not say."""
    src, tgt = try_parse_lang(sl), try_parse_lang(tl)
    sb, tb = (src.base if src else None), (tgt.base if tgt else None)
    src_zh = _zh_share([u.source for u in group])
    tgt_zh = _zh_share([u.target for u in group])
    if src_zh >= LANG_EVIDENCE and tgt_zh < 1 - LANG_EVIDENCE and sb != "zh":
        return (tl, sl) if (sb, tb) == ("en", "zh") else ("zh", tl if tb == "en" else "en")
    if tgt_zh >= LANG_EVIDENCE and src_zh < 1 - LANG_EVIDENCE and tb != "zh":
        return (sl if sb == "en" else "en", "zh")
    return None


def _translatable(el) -> bool:
    """``translate`` of ``el`` or of its nearest ancestor that says (default yes)."""
    node = el
    while node is not None:
        value = node.get("translate")
        if value is not None:
            return value.strip().lower() != "no"
        node = node.getparent()
    return True


def _is_po_header(tu, src_text: str, tgt_text: str) -> bool:
    if (tu.get("restype") or "") == PO_HEADER_RESTYPE:
        return True
    return not src_text.strip() and ("Project-Id-Version:" in tgt_text or "Content-Type:" in tgt_text)


def _read_units(fh: IO[bytes], source_lang: str | None, target_lang: str | None,
                origin: str | None) -> Iterator[Unit]:
    try:
        root = parse(fh).getroot()
    except etree.XMLSyntaxError as exc:
        raise ImportFailed(xml_error_message(exc), {"where": "document", "line": exc.lineno}) from exc
    if _local(root) != "xliff":
        raise ImportFailed(f"not an XLIFF file: the root element is <{_local(root)}>", {"where": "document"})
    version = root.get("version", "")
    if version.startswith("2"):
        yield from _read_v2(root, root.get("srcLang") or source_lang, root.get("trgLang") or target_lang, origin)
        return
    if not version.startswith("1"):
        raise ImportFailed(f"unsupported XLIFF version {version!r} (1.2 and 2.0 are read)", {"where": "document"})
    for f in root.iter("{*}file"):
        sl = f.get("source-language") or source_lang
        tl = f.get("target-language") or target_lang
        for tu in f.iter("{*}trans-unit"):
            if _translatable(tu):
                yield from _read_trans_unit(tu, sl, tl, origin)


def _read_v2(root, sl: str | None, tl: str | None, origin: str | None) -> Iterator[Unit]:
    """XLIFF 2: one unit per <segment> of each translatable <unit>."""
    for unit in root.iter("{*}unit"):
        if not _translatable(unit):
            continue
        uid = unit.get("id") or ""
        segs = [c for c in unit if _local(c) == "segment"]
        for k, seg in enumerate(segs, 1):
            if _is_po_header(unit, _text(_child(seg, "source")), _text(_child(seg, "target"))):
                continue
            sid = f"{uid}/{seg.get('id')}" if seg.get("id") else (f"{uid}#{k}" if len(segs) > 1 else uid)
            yield _unit(_child(seg, "source"), _child(seg, "target"), sl or "zh", tl or "en", origin,
                        f"unit {sid} (line {seg.sourceline})", sid)


def _read_trans_unit(tu, sl: str | None, tl: str | None, origin: str | None) -> Iterator[Unit]:
    """XLIFF 1.2: one unit per <trans-unit>, or per segment <mrk> when it has a segmented <seg-source>."""
    src_el = _child(tu, "source")
    tgt_el = _child(tu, "target")
    if _is_po_header(tu, _text(src_el), _text(tgt_el)):
        return
    seg_src = _child(tu, "seg-source")
    tid = tu.get("id") or str(tu.sourceline)
    mrks = [m for m in seg_src.iter("{*}mrk") if m.get("mtype") == "seg"] if seg_src is not None else []
    if mrks and tgt_el is not None:
        yield from _read_mrks(tid, mrks, tgt_el, sl or "zh", tl or "en", origin)
        return
    yield _unit(src_el, tgt_el, _xml_lang(src_el) or sl or "zh", _xml_lang(tgt_el) or tl or "en", origin,
                f"trans-unit {tid} (line {tu.sourceline})", tid)


def _read_mrks(tid: str, mrks: list, tgt_el, sl: str, tl: str, origin: str | None) -> Iterator[Unit]:
    """One unit per segment <mrk> of a <seg-source>, paired with the target's <mrk> of the same mid."""
    targets = {m.get("mid"): m for m in tgt_el.iter("{*}mrk") if m.get("mtype") == "seg"}
    for m in mrks:
        mid = m.get("mid")
        yield _unit(m, targets.get(mid), sl, tl, origin, f"trans-unit {tid}/{mid} (line {m.sourceline})", f"{tid}/{mid}")
