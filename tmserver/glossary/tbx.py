"""TBX in and out: read TBX v3 (DCA and DCT styles) and TBX v2 (``martif``); write TBX v3 Basic.

TBX (ISO 30042) is what terminology tools exchange. Three shapes exist in the wild:

* **TBX v3, DCA style** — ``<tbx xmlns="urn:iso:std:iso:30042:ed-2">`` (the 2019 edition; some
  tools write ``urn:iso:std:iso:30042:ed:3.0``) with ``conceptEntry/langSec/termSec`` and data
  categories as ``<termNote type="administrativeStatus">``;
* **TBX v3, DCT style** — the same structure, data categories as elements of their own
  (``<basic:administrativeStatus>``);
* **TBX v2** — ``<martif>`` with ``termEntry/langSet/tig`` (or ``ntig/termGrp``).

The reader looks at local names only, so all three go through one walk. It parses with
:mod:`tmserver.formats.safexml` (no entities, no DTD, no network) and builds the whole term base
before anything is written, so a malformed file changes nothing. Errors name the entry and line.

The writer emits TBX v3 Basic, DCA style. Case sensitivity, which TBX-Basic has no category
for, follows from ``termType`` (acronym, abbreviation → case-sensitive); where a term departs
from that default we write ``<termNote type="x-caseSensitive">`` so the round trip is lossless.
"""

from __future__ import annotations

from typing import IO, Any

from lxml import etree

from tmserver.errors import ImportFailed, TMError
from tmserver.formats import safexml
from tmserver.glossary.termbase import (
    CASE_SENSITIVE_TYPES,
    NO,
    PARTS_OF_SPEECH,
    YES,
    Concept,
    concept_from_dict,
    derived_id,
    valid_key,
)
from tmserver.langs import try_parse_lang

TBX3_NAMESPACES = ("urn:iso:std:iso:30042:ed-2", "urn:iso:std:iso:30042:ed:3.0", "urn:iso:std:iso:30042:ed-1")
WRITE_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_STATUS_IN = {
    "preferredterm-admn-sts": "preferred",
    "admittedterm-admn-sts": "admitted",
    "deprecatedterm-admn-sts": "deprecated",
    "supersededterm-admn-sts": "superseded",
    "preferred": "preferred",
    "admitted": "admitted",
    "deprecated": "deprecated",
    "superseded": "superseded",
    # normativeAuthorization values of older TBX v2 files
    "preferredterm": "preferred",
    "admittedterm": "admitted",
    "deprecatedterm": "deprecated",
    "supersededterm": "superseded",
    "standardizedterm": "preferred",
    "legalterm": "preferred",
    "regulatedterm": "preferred",
}
_STATUS_OUT = {s: f"{s}Term-admn-sts" for s in ("preferred", "admitted", "deprecated", "superseded")}
_POS = {p.lower(): p for p in PARTS_OF_SPEECH}


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split())


def _category(el: Any) -> tuple[str, str] | None:
    """``(data category, value)`` of a DCA (``termNote type=…``) or DCT (``<basic:…>``) element."""
    name = _local(el)
    if name in ("termNote", "descrip", "admin", "transac", "ref", "xref"):
        return el.get("type") or "", _text(el)
    if name == "note":
        return "note", _text(el)
    if name in ("term", "termSec", "langSec", "langSet", "tig", "ntig", "termGrp", "descripGrp", "adminGrp",
                "termNoteGrp", "transacGrp", ""):
        return None
    return name, _text(el)  # DCT style: the element is the category


def _where(kind: str, el: Any, cid: str | None) -> str:
    label = f"{kind} {cid!r}" if cid else kind
    return f"{label} (line {el.sourceline})"


def read_tbx(fh: IO[bytes], report: dict[str, Any] | None = None) -> list[Concept]:
    """Parse a TBX file into concepts, or raise :class:`ImportFailed` naming what is wrong.

    Languages other than zh/en are skipped and counted in ``report["skipped_languages"]``.
    """
    report = report if report is not None else {}
    try:
        tree = safexml.parse(fh)
    except etree.XMLSyntaxError as exc:
        raise ImportFailed(safexml.xml_error_message(exc), {"format": "tbx"}) from exc
    root = tree.getroot()
    root_name = _local(root)
    ns = etree.QName(root).namespace
    if root_name == "tbx":
        if ns not in (None, *TBX3_NAMESPACES):
            raise ImportFailed(f"unknown TBX namespace {ns!r}", {"namespace": ns})
        entry_name, lang_names, term_names = "conceptEntry", ("langSec",), ("termSec",)
        report["tbx_version"] = "3"
    elif root_name == "martif":
        entry_name, lang_names, term_names = "termEntry", ("langSet",), ("tig", "ntig")
        report["tbx_version"] = "2"
    else:
        raise ImportFailed(
            f"not a TBX file: the root element is <{root_name}>, expected <tbx> (TBX v3) or <martif> (TBX v2)",
            {"root": root_name},
        )
    skipped: dict[str, int] = {}
    concepts: list[Concept] = []
    ids: set[str] = set()
    entries = [el for el in root.iter() if _local(el) == entry_name]
    if not entries:
        raise ImportFailed(f"the TBX file holds no <{entry_name}>", {"entries": 0})
    for n, entry in enumerate(entries, 1):
        cid = entry.get("id")
        where = _where(f"<{entry_name}> #{n}", entry, cid)
        data = _read_entry(entry, lang_names, term_names, where, skipped)
        if data is None:
            continue
        if cid is not None and not valid_key(cid):
            raise ImportFailed(f"{where}: id must be 1–64 letters, digits, '-', '_' or '.'", {"where": where})
        data["id"] = cid or derived_id(data["terms"][0])
        if data["id"] in ids:
            raise ImportFailed(f"{where}: concept id {data['id']!r} appears twice", {"where": where, "id": data["id"]})
        ids.add(data["id"])
        try:
            concepts.append(concept_from_dict(data, where))
        except TMError as exc:
            raise ImportFailed(exc.message, {"where": where, **(exc.details or {})}) from exc
    report["skipped_languages"] = skipped
    report["concepts_read"] = len(concepts)
    return concepts


def _read_entry(entry, lang_names, term_names, where: str, skipped: dict[str, int]) -> dict[str, Any] | None:
    data: dict[str, Any] = {"terms": []}
    for el in entry.iterchildren():
        name = _local(el)
        if name in lang_names:
            _read_lang(el, term_names, where, data, skipped)
        else:
            for sub in el.iter() if name.endswith("Grp") else [el]:
                _concept_category(sub, data, None)
    if not data["terms"]:
        return None  # only languages this TM does not hold
    return data


def _concept_category(el, data: dict[str, Any], lang_tag: str | None) -> None:
    cat = _category(el)
    if cat is None:
        return
    name, value = cat
    if not value:
        return
    if name == "subjectField" and "subject" not in data:
        data["subject"] = value
    elif name == "definition" and "definition" not in data:
        data["definition"] = value
        if lang_tag:
            data["definition_lang"] = lang_tag
    elif name == "note" and "note" not in data:
        data["note"] = value
    elif name == "source" and "source" not in data:
        data["source"] = value


def _read_lang(el, term_names, where: str, data: dict[str, Any], skipped: dict[str, int]) -> None:
    code = el.get(XML_LANG) or el.get("lang")
    lang = try_parse_lang(code)
    if code is None:
        raise ImportFailed(f"{where}: a language section without xml:lang (line {el.sourceline})", {"where": where})
    if lang is None:
        skipped[code] = skipped.get(code, 0) + 1
        return
    for child in el.iterchildren():
        name = _local(child)
        if name in term_names:
            data["terms"].append(_read_term(child, lang.tag, where))
        elif name.endswith("Grp"):
            for sub in child.iter():
                _concept_category(sub, data, lang.tag)
        else:
            _concept_category(child, data, lang.tag)


def _read_term(sec, lang_tag: str, where: str) -> dict[str, Any]:
    term: dict[str, Any] = {"lang": lang_tag}
    text = None
    case_flag: str | None = None
    for el in sec.iter():
        if el is sec:
            continue
        name = _local(el)
        if name == "term":
            text = _text(el)
            continue
        cat = _category(el)
        if cat is None:
            continue
        cname, value = cat
        if not value:
            continue
        if cname in ("administrativeStatus", "normativeAuthorization"):
            status = _STATUS_IN.get(value.lower())
            if status is None:
                raise ImportFailed(
                    f"{where}: unknown administrativeStatus {value!r} (line {el.sourceline})",
                    {"where": where, "value": value},
                )
            term["status"] = status
        elif cname == "partOfSpeech":
            term["pos"] = _POS.get(value.lower(), "other")
        elif cname == "termType":
            term["term_type"] = value
        elif cname in ("x-caseSensitive", "caseSensitive"):
            case_flag = value.lower()
        elif cname == "note":  # several notes are kept, one per line ("not within: …" is one of them)
            term["note"] = f"{term['note']}\n{value}" if "note" in term else value
        elif cname == "source" and "source" not in term:
            term["source"] = value
    if not text:
        raise ImportFailed(f"{where}: a term section without text (line {sec.sourceline})", {"where": where})
    term["text"] = text
    if case_flag is not None:
        if case_flag not in YES | NO:
            raise ImportFailed(f"{where}: x-caseSensitive must be yes or no, not {case_flag!r}", {"where": where})
        term["case_sensitive"] = case_flag in YES
    return term


# -- writing ----------------------------------------------------------------------------------


def write_tbx(concepts: list[Concept], fh: IO[bytes], *, title: str = "tmserver glossary") -> None:
    """Write TBX v3 Basic (DCA style) to a binary stream."""
    nsmap = {None: WRITE_NAMESPACE}
    root = etree.Element(f"{{{WRITE_NAMESPACE}}}tbx", nsmap=nsmap)
    root.set("type", "TBX-Basic")
    root.set("style", "dca")
    root.set(XML_LANG, "en")

    def sub(parent, name: str, text: str | None = None, **attrs: str):
        el = etree.SubElement(parent, f"{{{WRITE_NAMESPACE}}}{name}")
        for k, v in attrs.items():
            el.set(k, v)
        if text is not None:
            el.text = text
        return el

    header = sub(root, "tbxHeader")
    file_desc = sub(header, "fileDesc")
    sub(sub(file_desc, "titleStmt"), "title", title)
    sub(sub(file_desc, "sourceDesc"), "p", "Exported by tmserver (TBX v3, TBX-Basic dialect, DCA style).")
    body = sub(sub(root, "text"), "body")
    for c in concepts:
        entry = sub(body, "conceptEntry", id=c.id)
        if c.subject:
            sub(entry, "descrip", c.subject, type="subjectField")
        if c.definition and not c.definition_lang:
            sub(entry, "descrip", c.definition, type="definition")
        if c.source:
            sub(entry, "admin", c.source, type="source")
        if c.note:
            sub(entry, "note", c.note)
        tags = list(dict.fromkeys(t.lang_tag or t.lang for t in c.terms))
        if c.definition and c.definition_lang and c.definition_lang not in tags:
            tags.append(c.definition_lang)
        for tag in tags:
            lang_sec = sub(entry, "langSec")
            lang_sec.set(XML_LANG, tag)
            if c.definition and c.definition_lang == tag:
                sub(lang_sec, "descrip", c.definition, type="definition")
            for t in c.terms:
                if (t.lang_tag or t.lang) != tag:
                    continue
                sec = sub(lang_sec, "termSec")
                sub(sec, "term", t.text)
                if t.term_type:
                    sub(sec, "termNote", t.term_type, type="termType")
                if t.pos:
                    sub(sec, "termNote", t.pos, type="partOfSpeech")
                sub(sec, "termNote", _STATUS_OUT[t.status], type="administrativeStatus")
                if t.case_sensitive != (t.term_type in CASE_SENSITIVE_TYPES):
                    sub(sec, "termNote", "yes" if t.case_sensitive else "no", type="x-caseSensitive")
                if t.source:
                    sub(sec, "admin", t.source, type="source")
                for line in (t.note or "").split("\n"):
                    if line.strip():
                        sub(sec, "note", line)
    fh.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
