"""TMX 1.4b: streaming import with lxml ``iterparse`` and streaming export with ``xmlfile``.

Import keeps memory flat on huge files: each ``<tu>`` is turned into a :class:`Unit` and then
cleared from the tree together with its already-processed siblings.

What a round trip (import → export) keeps, so that export → import → export is byte-identical:

* every ``<tu>`` and ``<tuv>`` attribute (tuid, creationdate, changedate, creationid, changeid,
  usagecount, o-tmf, datatype, segtype…),
* ``<prop>`` and ``<note>`` elements at tu and tuv level, with their attributes, in order,
* inline markup inside ``<seg>`` (``<bpt> <ept> <ph> <it> <hi> <ut> <sub>``) as the original XML,
  while the plain text used for matching leaves out native codes (bpt/ept/ph/it/ut content),
* any ``<tuv>`` in a third language, verbatim.

``Unit.extra`` layout::

    {"tu": {"attrs": {...}, "props": [{"attrs": {...}, "text": "..."}], "notes": [...]},
     "source_tuv": {"attrs": {...}, "props": [...], "notes": [...], "seg_xml": "<seg>…</seg>"?},
     "target_tuv": {...}, "other_tuvs": ["<tuv …>…</tuv>", ...]}
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from lxml import etree

from tmserver.errors import ImportFailed
from tmserver.formats import Unit
from tmserver.formats.safexml import iterparse, xml_error_message
from tmserver.langs import UnknownLanguage, parse_lang

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: ``<prop type="x-origin">`` on a ``<tu>``: the collection the unit belongs to (TMX has no
#: attribute for it); written on export and read back so a round trip keeps each unit's origin.
ORIGIN_PROP = "x-origin"
#: header srclang meaning "each unit says its own source language" (TMX 1.4b §3.1)
ALL_LANGS = "*all*"
TMX_DATE = "%Y%m%dT%H%M%SZ"


def tmx_date(dt: datetime | None) -> str:
    dt = (dt or datetime.now(UTC)).astimezone(UTC)
    return dt.strftime(TMX_DATE)


def _plain_text(seg: etree._Element) -> str:
    """Translatable text of a <seg>: text and <hi> content, without native codes or <sub>flows."""
    parts: list[str] = [seg.text or ""]
    for child in seg:
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if tag == "hi":
            parts.append(_plain_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _meta(el: etree._Element) -> dict[str, Any]:
    props = []
    notes = []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "prop":
            props.append({"attrs": dict(child.attrib.items()), "text": child.text or ""})
        elif name == "note":
            notes.append({"attrs": dict(child.attrib.items()), "text": child.text or ""})
    out: dict[str, Any] = {"attrs": {k: v for k, v in el.attrib.items() if k != XML_LANG}}
    if props:
        out["props"] = props
    if notes:
        out["notes"] = notes
    return out


def _tuv_lang(tuv: etree._Element) -> str | None:
    return tuv.get(XML_LANG) or tuv.get("lang")


def _seg(tuv: etree._Element) -> etree._Element | None:
    for child in tuv:
        if isinstance(child.tag, str) and etree.QName(child).localname == "seg":
            return child
    return None


def iter_tmx(fh: IO[bytes], *, origin: str | None = None) -> Iterator[Unit]:
    """Yield one :class:`Unit` per ``<tu>`` holding a zh–en pair; raise ImportFailed naming the tu."""
    header_srclang: str | None = None
    n = 0
    try:
        for _event, el in iterparse(fh, events=("end",)):
            if not isinstance(el.tag, str):
                continue
            name = etree.QName(el).localname
            if name == "header":
                header_srclang = el.get("srclang")
                continue
            if name != "tu":
                continue
            n += 1
            where = f"<tu> #{n} (line {el.sourceline})"
            yield _unit_from_tu(el, header_srclang, where, origin)
            # free memory: this tu and every finished sibling before it
            el.clear(keep_tail=True)
            parent = el.getparent()
            while el.getprevious() is not None and parent is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise ImportFailed(xml_error_message(exc), {"where": f"after <tu> #{n}", "line": exc.lineno}) from exc
    if n == 0 and header_srclang is None:
        raise ImportFailed("not a TMX file: no <header> and no <tu> found", {"where": "document"})


def _unit_from_tu(tu: etree._Element, header_srclang: str | None, where: str, origin: str | None) -> Unit:
    by_base, others = _tuvs_by_language(tu, where)
    srclang = tu.get("srclang") or header_srclang or "zh"
    if srclang == ALL_LANGS:
        srclang = "zh"
    src_base = "en" if srclang.lower().startswith("en") else "zh"
    tgt_base = "zh" if src_base == "en" else "en"
    src_tuv, tgt_tuv = by_base[src_base], by_base[tgt_base]
    tu_meta = _meta(tu)
    origin = _pop_origin(tu_meta) or origin
    extra: dict[str, Any] = {"tu": tu_meta}
    texts = []
    for key, tuv in (("source_tuv", src_tuv), ("target_tuv", tgt_tuv)):
        text, extra[key] = _tuv_content(tuv, where)
        texts.append(text)
    if others:
        extra["other_tuvs"] = [
            etree.tostring(copy.deepcopy(t), encoding="unicode", with_tail=False) for t in others
        ]
    return Unit(
        source=texts[0],
        target=texts[1],
        source_lang=_tuv_lang(src_tuv) or src_base,
        target_lang=_tuv_lang(tgt_tuv) or tgt_base,
        origin=origin,
        extra=extra,
        where=where,
        creator=tu.get("creationid") or None,
    )


def _tuvs_by_language(tu: etree._Element, where: str) -> tuple[dict[str, etree._Element], list[etree._Element]]:
    """The tu's zh and en <tuv> by base language, and the <tuv>s of languages this TM does not hold."""
    tuvs = [c for c in tu if isinstance(c.tag, str) and etree.QName(c).localname == "tuv"]
    by_base: dict[str, etree._Element] = {}
    others: list[etree._Element] = []
    for tuv in tuvs:
        code = _tuv_lang(tuv)
        if not code:
            raise ImportFailed(f"{where}: <tuv> without xml:lang", {"where": where})
        try:
            base = parse_lang(code).base
        except UnknownLanguage:
            others.append(tuv)
            continue
        if base in by_base:
            raise ImportFailed(f"{where}: two <tuv> elements for language {base!r}", {"where": where})
        by_base[base] = tuv
    if set(by_base) != {"zh", "en"}:
        found = [_tuv_lang(t) for t in tuvs]
        raise ImportFailed(f"{where}: needs one zh and one en <tuv>, found {found}", {"where": where, "languages": found})
    return by_base, others


def _tuv_content(tuv: etree._Element, where: str) -> tuple[str, dict[str, Any]]:
    """The plain text of a <tuv>'s <seg> and its metadata (with the seg's XML when it has inline markup)."""
    seg = _seg(tuv)
    if seg is None:
        raise ImportFailed(f"{where}: <tuv xml:lang={_tuv_lang(tuv)!r}> has no <seg>", {"where": where})
    meta = _meta(tuv)
    if len(seg):  # inline markup: keep the exact XML for a lossless export
        meta["seg_xml"] = etree.tostring(seg, encoding="unicode", with_tail=False)
    return _plain_text(seg), meta


def _pop_origin(meta: dict[str, Any]) -> str | None:
    """Take the ``x-origin`` prop out of a tu's metadata (it becomes the unit's origin)."""
    props = meta.get("props") or []
    found = [p for p in props if p.get("attrs", {}).get("type") == ORIGIN_PROP]
    if not found:
        return None
    rest = [p for p in props if p not in found]
    if rest:
        meta["props"] = rest
    else:
        meta.pop("props", None)
    return (found[0].get("text") or "").strip() or None


# -- export --------------------------------------------------------------------------------------


_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _add_meta(parent: etree._Element, meta: dict[str, Any]) -> None:
    for kind in ("props", "notes"):
        for item in meta.get(kind, []):
            child = etree.SubElement(parent, kind[:-1], item.get("attrs", {}))
            child.text = item.get("text", "")


def _tuv_element(lang: str, text: str, meta: dict[str, Any]) -> etree._Element:
    tuv = etree.Element("tuv", {XML_LANG: lang, **meta.get("attrs", {})})
    _add_meta(tuv, meta)
    seg_xml = meta.get("seg_xml")
    if seg_xml is not None:
        seg = etree.fromstring(seg_xml, _SAFE_PARSER)
        if _plain_text(seg) == text:  # the markup still describes this text: keep it
            tuv.append(seg)
            return tuv
    etree.SubElement(tuv, "seg").text = text
    return tuv


def tu_element(unit: Unit, srclang: str = "zh") -> etree._Element:
    """One ``<tu>`` for ``unit``, restoring everything kept in ``unit.extra``."""
    extra = unit.extra or {}
    tu_meta = extra.get("tu", {})
    attrs = dict(tu_meta.get("attrs", {}))
    if unit.source_lang.lower() != srclang.lower():
        attrs["srclang"] = unit.source_lang  # the header's srclang does not describe this unit
    tu = etree.Element("tu", attrs)
    if unit.origin:
        etree.SubElement(tu, "prop", {"type": ORIGIN_PROP}).text = unit.origin
    _add_meta(tu, tu_meta)
    tu.append(_tuv_element(unit.source_lang, unit.source, extra.get("source_tuv", {})))
    tu.append(_tuv_element(unit.target_lang, unit.target, extra.get("target_tuv", {})))
    for raw in extra.get("other_tuvs", []):
        tu.append(etree.fromstring(raw, _SAFE_PARSER))
    return tu


def write_tmx(
    units: Iterable[Unit],
    fh: IO[bytes],
    *,
    srclang: str = "zh",
    creationtool: str = "tmserver",
    creationtoolversion: str = "0.1",
    header_props: list[dict[str, Any]] | None = None,
) -> int:
    """Stream ``units`` as a TMX 1.4b document into the binary file ``fh``; return the count."""
    count = 0
    with etree.xmlfile(fh, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("tmx", {"version": "1.4"}):
            xf.write("\n")
            header = etree.Element(
                "header",
                {
                    "creationtool": creationtool,
                    "creationtoolversion": creationtoolversion,
                    "segtype": "sentence",
                    "o-tmf": "tmserver",
                    "adminlang": "en",
                    "srclang": srclang,
                    "datatype": "plaintext",
                },
            )
            for prop in header_props or []:
                p = etree.SubElement(header, "prop", prop.get("attrs", {}))
                p.text = prop.get("text", "")
            xf.write(header)
            xf.write("\n")
            with xf.element("body"):
                xf.write("\n")
                for unit in units:
                    xf.write(tu_element(unit, srclang))
                    xf.write("\n")
                    count += 1
            xf.write("\n")
    return count
