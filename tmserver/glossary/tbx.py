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

Besides the columns the recognisers need (status, part of speech, term type, a note, a source),
the reader keeps the rest of what TBX-Basic defines in ``meta`` (:data:`termbase.META_KEYS`):
dates (``transacGrp``: transactionType, date, responsibility), cross-references (``ref`` /
``crossReference``, ``xref`` / ``externalCrossReference``), ``context``, ``geographicalUsage``,
``grammaticalGender``, ``termLocation``, customer/project subsets and every further ``note``
(verbatim — the ``not within: …`` notes the recogniser reads among them).

Writers: :func:`write_tbx` emits **TBX v3, TBX-Basic dialect, DCA style**, valid against the
dialect's RelaxNG core structure and Schematron (``<?xml-model?>`` declarations name them);
:func:`write_tbx_v2` emits **TBX-Basic v2** (``<martif>``, ISO 30042:2008), which OmegaT,
translate-toolkit and Weblate read. Both write the same content.

TBX-Basic has no category for three facts we keep, so they travel as machine-readable notes
(``[tmserver] …``), read back and removed on import: a ``properNoun`` part of speech (TBX-Basic's
picklist is adjective, noun, verb, adverb, other — such a term is written ``noun``), a term type
outside the TBX-Basic picklist, and a case sensitivity that differs from the default the term
type implies (acronym, abbreviation → case-sensitive). The older ``<termNote
type="x-caseSensitive">`` is still read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
    Term,
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


#: TBX-Basic picklists (the dialect's Schematron refuses other values)
BASIC_POS = ("adjective", "noun", "verb", "adverb", "other")
BASIC_TERM_TYPES = ("fullForm", "acronym", "abbreviation", "shortForm", "variant", "phrase")
BASIC_GENDERS = ("masculine", "feminine", "neuter", "other")
BASIC_TRANSACTIONS = ("origination", "modification")
#: the published TBX-Basic schemas, named in ``<?xml-model?>`` declarations of a v3 export
BASIC_RNG = ("https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/"
             "TBXcoreStructV03_TBX-Basic_integrated.rng")
BASIC_SCH = "https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/TBX-Basic_DCA.sch"
#: prefix of the notes that carry what TBX-Basic has no category for
PRIVATE = "[tmserver] "
_PRIVATE_NOTE = re.compile(r"^\[tmserver\] (partOfSpeech|termType|caseSensitive)=(\S+)$")
#: simple text categories kept in ``meta`` under their own name
_META_TEXT = ("context", "geographicalUsage", "grammaticalGender", "termLocation", "customerSubset", "projectSubset")


def _category(el: Any) -> tuple[str, str] | None:
    """``(data category, value)`` of a DCA (``termNote type=…``) or DCT (``<basic:…>``) element."""
    name = _local(el)
    if name in ("termNote", "descrip", "admin", "transac", "ref", "xref", "transacNote", "descripNote", "adminNote"):
        return el.get("type") or "", _text(el)
    if name == "note":
        return "note", _text(el)
    if name in ("term", "termSec", "langSec", "langSet", "tig", "ntig", "termGrp", "descripGrp", "adminGrp",
                "termNoteGrp", "transacGrp", "date", ""):
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
    entry_name, lang_names, term_names = _dialect(root, report)
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
            raise ImportFailed(f"{where}: id must be an XML name of 1–64 characters", {"where": where})
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


def _dialect(root, report: dict[str, Any]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The element names of the file's TBX version: (entry, language sections, term sections)."""
    root_name = _local(root)
    ns = etree.QName(root).namespace
    if root_name == "tbx":
        if ns not in (None, *TBX3_NAMESPACES):
            raise ImportFailed(f"unknown TBX namespace {ns!r}", {"namespace": ns})
        report["tbx_version"] = "3"
        return "conceptEntry", ("langSec",), ("termSec",)
    if root_name == "martif":
        report["tbx_version"] = "2"
        return "termEntry", ("langSet",), ("tig", "ntig")
    raise ImportFailed(
        f"not a TBX file: the root element is <{root_name}>, expected <tbx> (TBX v3) or <martif> (TBX v2)",
        {"root": root_name},
    )


def _read_entry(entry, lang_names, term_names, where: str, skipped: dict[str, int]) -> dict[str, Any] | None:
    data: dict[str, Any] = {"terms": [], "meta": {}}
    for el in entry.iterchildren():
        name = _local(el)
        if name in lang_names:
            _read_lang(el, term_names, where, data, skipped)
        else:
            _aux(el, data["meta"], lambda cat, value, _el: _concept_field(cat, value, data, None))
    if not data["terms"]:
        return None  # only languages this TM does not hold
    if not data["meta"]:
        del data["meta"]
    return data


def _concept_field(name: str, value: str, data: dict[str, Any], lang_tag: str | None) -> bool:
    """Put a concept-level category in its column; False when it belongs in ``meta``."""
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
    else:
        return False
    return True


def _aux(el, meta: dict[str, Any], column: Callable[[str, str, Any], bool]) -> None:
    """Read one auxiliary element (descrip, admin, note, ref, xref, transacGrp, …Grp) into
    ``column`` (which takes what has a column) or ``meta`` (the rest TBX-Basic defines)."""
    name = _local(el)
    if name == "transacGrp":
        _transaction(el, meta)
        return
    if name.endswith("Grp"):
        for sub in el.iterchildren():
            _aux(sub, meta, column)
        return
    cat = _category(el)
    if cat is None:
        return
    cname, value = cat
    if name in ("ref", "xref") or cname in ("crossReference", "externalCrossReference", "xGraphic"):
        _aux_ref(el, name, cname, value, meta)
        return
    if not value:
        return
    if column(cname, value, el):
        return
    if cname == "note":
        meta.setdefault("notes", []).append(value)
    elif cname in _META_TEXT and cname not in meta:
        meta[cname] = value


def _aux_ref(el, name: str, cname: str, value: str, meta: dict[str, Any]) -> None:
    """A cross-reference (to another concept: ``refs``) or an external one (``xrefs``)."""
    item = {"type": cname or name, "target": el.get("target"), "text": value or None}
    meta.setdefault("refs" if cname == "crossReference" or name == "ref" else "xrefs", []).append(
        {k: v for k, v in item.items() if v})


def _transaction(grp, meta: dict[str, Any]) -> None:
    item: dict[str, str] = {}
    for el in grp.iterchildren():
        name = _local(el)
        if name == "transac" or name == "transactionType":
            item["type"] = _text(el)
        elif name == "date":
            item["date"] = _text(el)
        elif name == "transacNote" or name == "responsibility":
            item["responsibility"] = _text(el)
    if item:
        meta.setdefault("transactions", []).append(item)


def _read_lang(el, term_names, where: str, data: dict[str, Any], skipped: dict[str, int]) -> None:
    code = el.get(XML_LANG) or el.get("lang")
    lang = try_parse_lang(code)
    if code is None:
        raise ImportFailed(f"{where}: a language section without xml:lang (line {el.sourceline})", {"where": where})
    if lang is None:
        skipped[code] = skipped.get(code, 0) + 1
        return
    tag = lang.tag
    for child in el.iterchildren():
        name = _local(child)
        if name in term_names:
            data["terms"].append(_read_term(child, lang.tag, where))
        else:
            lang_meta: dict[str, Any] = {}
            # a langSec-level note stays with its language (in meta), not on the concept
            _aux(child, lang_meta, lambda cat, value, _el: cat != "note" and _concept_field(cat, value, data, tag))
            for key, value in lang_meta.items():  # langSec-level extras: kept on the concept, by language
                if isinstance(value, list):
                    data["meta"].setdefault(key, []).extend(
                        {**v, "lang": lang.tag} if isinstance(v, dict) else {"text": v, "lang": lang.tag}
                        for v in value)
                else:
                    data["meta"].setdefault(key, value)


def _read_term(sec, lang_tag: str, where: str) -> dict[str, Any]:
    term: dict[str, Any] = {"lang": lang_tag}
    meta: dict[str, Any] = {}
    text = None
    case_flag: str | None = None

    def column(cname: str, value: str, el) -> bool:
        nonlocal case_flag
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
        elif cname == "note" and _PRIVATE_NOTE.match(value):
            key, flag = _PRIVATE_NOTE.match(value).groups()  # type: ignore[union-attr]
            if key == "partOfSpeech":
                term["pos"] = _POS.get(flag.lower(), "other")
            elif key == "termType":
                term["term_type"] = flag
            else:
                case_flag = flag.lower()
        elif cname == "note":  # several notes are kept, one per line ("not within: …" is one of them)
            term["note"] = f"{term['note']}\n{value}" if "note" in term else value
        elif cname == "source" and "source" not in term:
            term["source"] = value
        else:
            return False
        return True

    for el in sec.iter():
        if el is sec:
            continue
        name = _local(el)
        if name == "term":
            text = _text(el)
        elif el.getparent() is sec or _local(el.getparent()) == "termGrp":
            if name != "termGrp":
                _aux(el, meta, column)
    if not text:
        raise ImportFailed(f"{where}: a term section without text (line {sec.sourceline})", {"where": where})
    term["text"] = text
    if case_flag is not None:
        if case_flag not in YES | NO:
            raise ImportFailed(f"{where}: x-caseSensitive must be yes or no, not {case_flag!r}", {"where": where})
        term["case_sensitive"] = case_flag in YES
    if meta:
        term["meta"] = meta
    return term


# -- writing ----------------------------------------------------------------------------------


class _Shape:
    """Element names of one TBX version (v3 and v2 differ only in names and the namespace)."""

    def __init__(self, version: int):
        self.version = version
        self.ns = WRITE_NAMESPACE if version == 3 else None
        self.root, self.header = ("tbx", "tbxHeader") if version == 3 else ("martif", "martifHeader")
        self.entry, self.lang, self.term_sec = (("conceptEntry", "langSec", "termSec") if version == 3
                                                else ("termEntry", "langSet", "tig"))

    def sub(self, parent, name: str, text: str | None = None, **attrs: str):
        el = etree.SubElement(parent, f"{{{self.ns}}}{name}" if self.ns else name)
        for k, v in attrs.items():
            el.set(k, v)
        if text is not None:
            el.text = text
        return el


def _write_meta(shape: _Shape, parent, meta: dict[str, Any], *, lang: str | None = None) -> None:
    """Auxiliary elements for ``meta`` (only the items of language ``lang`` for list entries that
    carry one; items without a language at the concept level when ``lang`` is None)."""

    def mine(item: Any) -> bool:
        return item.get("lang") == lang if isinstance(item, dict) else lang is None

    for key in ("customerSubset", "projectSubset"):
        if meta.get(key) and lang is None:
            shape.sub(parent, "admin", meta[key], type=key)
    for list_key, write in _META_WRITERS:
        for item in meta.get(list_key, []):
            if mine(item):
                write(shape, parent, item)


def _write_transaction(shape: _Shape, parent, tr: dict[str, Any]) -> None:
    grp = shape.sub(parent, "transacGrp")
    kind = tr.get("type") if tr.get("type") in BASIC_TRANSACTIONS else "modification"
    shape.sub(grp, "transac", kind, type="transactionType")
    if tr.get("date"):
        shape.sub(grp, "date", tr["date"])
    if tr.get("responsibility"):
        shape.sub(grp, "transacNote", tr["responsibility"], type="responsibility")


def _write_note(shape: _Shape, parent, note: Any) -> None:
    shape.sub(parent, "note", note["text"] if isinstance(note, dict) else note)


def _write_ref(shape: _Shape, parent, ref: dict[str, Any]) -> None:
    attrs = {"type": "crossReference", **({"target": ref["target"]} if ref.get("target") else {})}
    shape.sub(parent, "ref", ref.get("text") or ref.get("target") or "", **attrs)


def _write_xref(shape: _Shape, parent, xref: dict[str, Any]) -> None:
    if not xref.get("target"):
        return
    kind = str(xref["type"]) if xref.get("type") in ("externalCrossReference", "xGraphic") else "externalCrossReference"
    shape.sub(parent, "xref", xref.get("text") or None, type=kind, target=xref["target"])


#: the list entries of a concept's, language's or term's metadata, in the order they are written
_META_WRITERS: tuple[tuple[str, Callable[[_Shape, Any, Any], None]], ...] = (
    ("transactions", _write_transaction), ("notes", _write_note), ("refs", _write_ref), ("xrefs", _write_xref),
)


def _write_term(shape: _Shape, lang_sec, t: Term) -> None:
    sec = shape.sub(lang_sec, shape.term_sec)
    shape.sub(sec, "term", t.text)
    private = _write_term_grammar(shape, sec, t)
    shape.sub(sec, "termNote", _STATUS_OUT[t.status], type="administrativeStatus")
    meta = t.meta or {}
    if meta.get("geographicalUsage"):
        shape.sub(sec, "termNote", meta["geographicalUsage"], type="geographicalUsage")
    if meta.get("grammaticalGender") in BASIC_GENDERS:
        shape.sub(sec, "termNote", meta["grammaticalGender"], type="grammaticalGender")
    if meta.get("termLocation"):
        shape.sub(sec, "termNote", meta["termLocation"], type="termLocation")
    if t.case_sensitive != (t.term_type in CASE_SENSITIVE_TYPES):
        private.append(f"caseSensitive={'yes' if t.case_sensitive else 'no'}")
    if meta.get("context"):
        shape.sub(sec, "descrip", meta["context"], type="context")
    if t.source:
        shape.sub(sec, "admin", t.source, type="source")
    for line in (t.note or "").split("\n"):  # notes read as lines of one note are written back one each
        if line.strip():
            shape.sub(sec, "note", line)
    _write_meta(shape, sec, {k: v for k, v in meta.items() if k in ("customerSubset", "projectSubset", "notes",
                                                                       "transactions", "refs", "xrefs")})
    for p in private:
        shape.sub(sec, "note", PRIVATE + p)


def _write_term_grammar(shape: _Shape, sec, t: Term) -> list[str]:
    """termType and partOfSpeech in TBX-Basic's values; what Basic cannot say goes to the private
    notes returned (written last, so the file stays valid and nothing is lost)."""
    private: list[str] = []
    if t.term_type:
        if t.term_type in BASIC_TERM_TYPES:
            shape.sub(sec, "termNote", t.term_type, type="termType")
        else:
            private.append(f"termType={t.term_type}")
    if t.pos:
        shape.sub(sec, "termNote", t.pos if t.pos in BASIC_POS else "noun" if t.pos == "properNoun" else "other",
                  type="partOfSpeech")
        if t.pos not in BASIC_POS:
            private.append(f"partOfSpeech={t.pos}")
    return private


def _build(concepts: list[Concept], shape: _Shape, title: str):
    # lxml-stubs type nsmap keys as str, but None is how lxml names the default namespace
    nsmap: Any = {None: shape.ns} if shape.ns else None
    root = etree.Element(f"{{{shape.ns}}}{shape.root}" if shape.ns else shape.root, nsmap=nsmap)
    if shape.version == 3:
        root.set("type", "TBX-Basic")
        root.set("style", "dca")
    else:
        root.set("type", "TBX-Basic-V1")
    root.set(XML_LANG, "en")
    header = shape.sub(root, shape.header)
    file_desc = shape.sub(header, "fileDesc")
    shape.sub(shape.sub(file_desc, "titleStmt"), "title", title)
    what = "TBX v3, TBX-Basic dialect, DCA style" if shape.version == 3 else "TBX-Basic v2 (ISO 30042:2008)"
    shape.sub(shape.sub(file_desc, "sourceDesc"), "p", f"Exported by tmserver ({what}).")
    if shape.version == 2:
        shape.sub(shape.sub(header, "encodingDesc"), "p", "TBXBasicXCSV02.xcs", type="XCSURI")
    body = shape.sub(shape.sub(root, "text"), "body")
    for c in concepts:
        _write_concept(shape, body, c)
    return root


def _write_concept(shape: _Shape, body, c: Concept) -> None:
    entry = shape.sub(body, shape.entry, id=c.id)
    meta = c.meta or {}
    if c.subject:
        shape.sub(entry, "descrip", c.subject, type="subjectField")
    if c.definition and not c.definition_lang:
        shape.sub(entry, "descrip", c.definition, type="definition")
    if c.source:
        shape.sub(entry, "admin", c.source, type="source")
    if c.note:
        shape.sub(entry, "note", c.note)
    _write_meta(shape, entry, meta, lang=None)
    tags = list(dict.fromkeys(t.lang_tag or t.lang for t in c.terms))
    if c.definition and c.definition_lang and c.definition_lang not in tags:
        tags.append(c.definition_lang)
    for tag in tags:
        _write_lang(shape, entry, c, meta, tag)


def _write_lang(shape: _Shape, entry, c: Concept, meta: dict[str, Any], tag: str) -> None:
    """The language section ``tag`` of a concept: its definition, metadata and terms."""
    lang_sec = shape.sub(entry, shape.lang)
    lang_sec.set(XML_LANG, tag)
    if c.definition and c.definition_lang == tag:
        shape.sub(lang_sec, "descrip", c.definition, type="definition")
    _write_meta(shape, lang_sec, meta, lang=tag)
    for t in c.terms:
        if (t.lang_tag or t.lang) == tag:
            _write_term(shape, lang_sec, t)


def write_tbx(concepts: list[Concept], fh: IO[bytes], *, title: str = "tmserver glossary") -> None:
    """Write TBX v3, TBX-Basic dialect (DCA style) to a binary stream, naming its schemas."""
    root = _build(concepts, _Shape(3), title)
    root.addprevious(etree.ProcessingInstruction(
        "xml-model", f'href="{BASIC_RNG}" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"'))
    root.addprevious(etree.ProcessingInstruction(
        "xml-model", f'href="{BASIC_SCH}" type="application/xml" schematypens="http://purl.oclc.org/dsdl/schematron"'))
    fh.write(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_tbx_v2(concepts: list[Concept], fh: IO[bytes], *, title: str = "tmserver glossary") -> None:
    """Write TBX-Basic v2 (``<martif>``, ISO 30042:2008) — what OmegaT, translate-toolkit and
    Weblate read. No DOCTYPE: readers do not need it, and ours refuses to load DTDs anyway."""
    root = _build(concepts, _Shape(2), title)
    fh.write(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True))
