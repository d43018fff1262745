"""CSV/TSV in and out for the term base.

Two layouts are read; the header decides which:

* **long** (what :func:`write_csv` writes, lossless): one row per term —
  ``concept_id, lang, term, status, pos, term_type, case_sensitive, note, source`` plus the
  concept's ``subject, definition, definition_lang, concept_note, concept_source`` (given once,
  on any row of the concept), and ``meta, concept_meta``: the TBX-Basic metadata without a column
  (dates, cross-references, context, geographical usage, further notes) as JSON objects;
* **wide** (what a translator types in a spreadsheet): one row per concept with columns named by
  language — ``zh, en`` for preferred terms, ``zh_admitted, en_admitted, en_deprecated,
  en_superseded`` holding ``|``-separated lists — and optional ``id, definition, note, source``.

Errors name the line; the whole file is validated before anything is written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from tmserver.errors import ImportFailed, TMError
from tmserver.glossary.termbase import NO, STATUSES, YES, Concept, concept_from_dict, derived_id

LONG_COLUMNS = [
    "concept_id", "lang", "term", "status", "pos", "term_type", "case_sensitive", "note", "source",
    "subject", "definition", "definition_lang", "concept_note", "concept_source",
    # TBX-Basic metadata without a column (termbase.META_KEYS) as JSON, so CSV stays lossless
    "meta", "concept_meta",
]
_CONCEPT_FIELDS = {"subject": "subject", "definition": "definition", "definition_lang": "definition_lang",
                   "concept_note": "note", "concept_source": "source"}
MAX_CSV_BYTES = 64 * 1024 * 1024


def _decode(fh: IO[bytes]) -> str:
    raw = fh.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise ImportFailed(f"the file is larger than {MAX_CSV_BYTES} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"the file is not UTF-8 (byte {exc.start})", {"byte": exc.start}) from exc


def read_csv(fh: IO[bytes], report: dict[str, Any] | None = None, *, delimiter: str | None = None) -> list[Concept]:
    text = _decode(fh)
    if delimiter is None:
        first = text.split("\n", 1)[0]
        delimiter = "\t" if "\t" in first else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if not header:
        raise ImportFailed("the file is empty: expected a header row", {"line": 1})
    if "term" in header:
        missing = {"concept_id", "lang", "term"} - set(header)
        if missing:
            raise ImportFailed(f"header lacks column(s) {', '.join(sorted(missing))}", {"line": 1})
        concepts = _read_long(reader)
    elif "zh" in header or "en" in header:
        concepts = _read_wide(reader, header)
    else:
        raise ImportFailed(
            "unknown CSV layout: the header needs 'concept_id,lang,term,…' (long) or 'zh,en,…' (wide)",
            {"line": 1, "header": header},
        )
    if report is not None:
        report["concepts_read"] = len(concepts)
    return concepts


def _bool(value: str, line: int) -> bool | None:
    v = value.strip().lower()
    if not v:
        return None
    if v in YES:
        return True
    if v in NO:
        return False
    raise ImportFailed(f"line {line}: case_sensitive must be yes or no, not {value!r}", {"line": line})


def _rows(reader: csv.DictReader) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, stripped row)`` for every non-blank row; a row longer than the header is an error."""
    for row in reader:
        line = reader.line_num
        if None in row:
            raise ImportFailed(f"line {line}: more fields than the header has", {"line": line})
        row = {k: (v or "").strip() for k, v in row.items()}
        if any(row.values()):
            yield line, row


def _json(value: str, column: str, line: int) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"line {line}: column {column!r} is not valid JSON ({exc.msg})",
                           {"line": line, "column": column}) from exc


def _read_long(reader: csv.DictReader) -> list[Concept]:
    grouped: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    for line, row in _rows(reader):
        cid = row.get("concept_id", "")
        if not cid:
            raise ImportFailed(f"line {line}: concept_id is empty", {"line": line})
        data = grouped.setdefault(cid, {"id": cid, "terms": []})
        first_line.setdefault(cid, line)
        for col, key in _CONCEPT_FIELDS.items():
            if row.get(col) and key not in data:
                data[key] = row[col]
        if row.get("concept_meta") and "meta" not in data:
            data["meta"] = _json(row["concept_meta"], "concept_meta", line)
        term: dict[str, Any] = {"text": row.get("term", ""), "lang": row.get("lang", "")}
        if row.get("meta"):
            term["meta"] = _json(row["meta"], "meta", line)
        for key in ("status", "pos", "term_type", "note", "source"):
            if row.get(key):
                term[key] = row[key]
        cs = _bool(row.get("case_sensitive", ""), line)
        if cs is not None:
            term["case_sensitive"] = cs
        data["terms"].append(term)
    out = []
    for cid, data in grouped.items():
        where = f"concept {cid!r} (line {first_line[cid]})"
        try:
            out.append(concept_from_dict(data, where))
        except TMError as exc:
            raise ImportFailed(exc.message, {"line": first_line[cid], **(exc.details or {})}) from exc
    return out


def _read_wide(reader: csv.DictReader, header: list[str]) -> list[Concept]:
    lang_cols: list[tuple[str, str, str]] = []  # (column, lang, status)
    for col in header:
        lang, _, status = col.partition("_")
        if lang in ("zh", "en") and (not status or status in STATUSES):
            lang_cols.append((col, lang, status or "preferred"))
    out: list[Concept] = []
    ids: set[str] = set()
    for line, row in _rows(reader):
        terms = []
        for col, lang, status in lang_cols:
            for text in row.get(col, "").split("|"):
                if text.strip():
                    terms.append({"text": text.strip(), "lang": lang, "status": status})
        if not terms:
            raise ImportFailed(f"line {line}: no term in this row", {"line": line})
        cid = row.get("id") or derived_id(terms[0])
        if cid in ids:
            raise ImportFailed(f"line {line}: concept {cid!r} appears twice", {"line": line})
        ids.add(cid)
        data: dict[str, Any] = {"id": cid, "terms": terms}
        for key in ("subject", "definition", "note", "source"):
            if row.get(key):
                data[key] = row[key]
        try:
            out.append(concept_from_dict(data, f"line {line}"))
        except TMError as exc:
            raise ImportFailed(exc.message, {"line": line, **(exc.details or {})}) from exc
    return out


def write_csv(concepts: list[Concept], fh: IO[bytes], *, delimiter: str = ",") -> None:
    """Write the long layout (lossless), UTF-8 with a header row."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(LONG_COLUMNS)
    for c in concepts:
        for i, t in enumerate(c.terms):
            concept_cols = (
                [c.subject, c.definition, c.definition_lang, c.note, c.source] if i == 0 else [None] * 5
            )
            concept_meta = json.dumps(c.meta, ensure_ascii=False) if i == 0 and c.meta else None
            w.writerow(
                [c.id, t.lang_tag or t.lang, t.text, t.status, t.pos, t.term_type,
                 "yes" if t.case_sensitive else "no", t.note, t.source, *concept_cols,
                 json.dumps(t.meta, ensure_ascii=False) if t.meta else None, concept_meta]
            )
    fh.write(buf.getvalue().encode("utf-8"))
