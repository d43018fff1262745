"""The term base as plain data: :class:`Concept` and :class:`Term`, independent of any database.

Readers (TBX, CSV) produce these, the store turns them into rows and back, and the recognisers
compile them. Keeping one in-memory shape means ``Glossary.from_tbx(path)`` (QA without a
server) and the enforcing server behave identically.

Statuses follow TBX ``administrativeStatus``:

* ``preferred`` — the rendering to use; a source term whose concept has a preferred rendering in
  the target language *requires* a preferred or admitted rendering in the translation;
* ``admitted`` — also acceptable (an abbreviation such as OEWG, a spelling variant);
* ``deprecated`` / ``superseded`` — must not appear in a translation (the 2015-era "community of
  shared future in cyberspace" is *superseded*: it was once official, then replaced).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tmserver.errors import ValidationError
from tmserver.langs import UnknownLanguage, parse_lang

STATUSES = ("preferred", "admitted", "deprecated", "superseded")
ACCEPTED = ("preferred", "admitted")
FORBIDDEN = ("deprecated", "superseded")
#: TBX-Basic partOfSpeech picklist (plus "other"); ``properNoun`` names are never inflected.
PARTS_OF_SPEECH = ("noun", "verb", "adjective", "adverb", "properNoun", "other")
#: Term types whose spelling is their identity: matched case-sensitively unless told otherwise.
CASE_SENSITIVE_TYPES = ("acronym", "abbreviation", "shortForm")
MAX_TERM_CHARS = 500
#: how files spell a yes/no flag (case_sensitive in CSV, x-caseSensitive in TBX), lower-cased
YES = frozenset({"yes", "true", "1", "y"})
NO = frozenset({"no", "false", "0", "n"})


@dataclass
class Term:
    text: str
    lang: str  #: base code, zh | en
    status: str = "preferred"
    lang_tag: str | None = None  #: the tag as written (zh-Hans, en-GB); defaults to ``lang``
    case_sensitive: bool = False
    pos: str | None = None
    term_type: str | None = None
    note: str | None = None
    source: str | None = None
    #: further TBX-Basic metadata kept for lossless round trips (see :data:`META_KEYS`)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED

    @property
    def forbidden(self) -> bool:
        return self.status in FORBIDDEN

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "lang": self.lang_tag or self.lang,
            "status": self.status,
            "case_sensitive": self.case_sensitive,
            "pos": self.pos,
            "term_type": self.term_type,
            "note": self.note,
            "source": self.source,
            **({"meta": self.meta} if self.meta else {}),
        }


@dataclass
class Concept:
    id: str  #: stable key (TBX conceptEntry/@id)
    terms: list[Term] = field(default_factory=list)
    subject: str | None = None
    definition: str | None = None
    definition_lang: str | None = None
    note: str | None = None
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def terms_in(self, lang: str, statuses: tuple[str, ...] = STATUSES) -> list[Term]:
        return [t for t in self.terms if t.lang == lang and t.status in statuses]

    def preferred(self, lang: str) -> list[Term]:
        return self.terms_in(lang, ("preferred",))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "definition": self.definition,
            "definition_lang": self.definition_lang,
            "note": self.note,
            "source": self.source,
            "terms": [t.to_dict() for t in self.terms],
            **({"meta": self.meta} if self.meta else {}),
        }


def _opt_str(data: dict[str, Any], key: str, where: str, limit: int = 10_000) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{where}: field {key!r} must be a string or null", {"field": key, "where": where})
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(f"{where}: field {key!r} is longer than {limit} characters", {"field": key})
    return value or None


def term_from_dict(data: Any, where: str) -> Term:
    """Validate one term given as a JSON object (API, CSV rows go through the same checks)."""
    if not isinstance(data, dict):
        raise ValidationError(f"{where}: a term must be an object", {"where": where})
    allowed = {"text", "lang", "status", "case_sensitive", "pos", "term_type", "note", "source", "meta"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"{where}: 'text' must be a non-empty string", {"field": "text", "where": where})
    text = " ".join(text.split())
    if len(text) > MAX_TERM_CHARS:
        raise ValidationError(f"{where}: term is longer than {MAX_TERM_CHARS} characters", {"where": where})
    code = data.get("lang")
    try:
        lang = parse_lang(code if isinstance(code, str) else None)
    except UnknownLanguage as exc:
        raise ValidationError(f"{where}: {exc}", {"field": "lang", "value": code, "where": where}) from exc
    status = data.get("status") or "preferred"
    if status not in STATUSES:
        raise ValidationError(
            f"{where}: status {status!r} is not one of {', '.join(STATUSES)}", {"field": "status", "where": where}
        )
    pos = _opt_str(data, "pos", where, 32)
    if pos is not None and pos not in PARTS_OF_SPEECH:
        raise ValidationError(
            f"{where}: part of speech {pos!r} is not one of {', '.join(PARTS_OF_SPEECH)}", {"field": "pos"}
        )
    term_type = _opt_str(data, "term_type", where, 32)
    cs = data.get("case_sensitive")
    if cs is None:
        cs = term_type in CASE_SENSITIVE_TYPES
    if not isinstance(cs, bool):
        raise ValidationError(f"{where}: 'case_sensitive' must be true or false", {"field": "case_sensitive"})
    return Term(
        text=text,
        lang=lang.base,
        lang_tag=lang.tag,
        status=status,
        case_sensitive=cs,
        pos=pos,
        term_type=term_type,
        note=_opt_str(data, "note", where),
        source=_opt_str(data, "source", where),
        meta=check_meta(data.get("meta"), where),
    )


def concept_from_dict(data: Any, where: str = "concept", *, default_id: str | None = None) -> Concept:
    """Validate a concept given as a JSON object ``{"id", "terms": [...], "definition", ...}``."""
    if not isinstance(data, dict):
        raise ValidationError(f"{where}: expected a JSON object", {"where": where})
    allowed = {"id", "terms", "subject", "definition", "definition_lang", "note", "source", "meta"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}", {"fields": sorted(unknown)})
    cid = data.get("id", default_id)
    if cid is not None and (not isinstance(cid, str) or not valid_key(cid)):
        raise ValidationError(
            f"{where}: 'id' must be 1–64 characters: letters, digits, '-', '_', '.' (an XML name)",
            {"field": "id", "value": cid}
        )
    terms = data.get("terms")
    if not isinstance(terms, list) or not terms:
        raise ValidationError(f"{where}: 'terms' must be a non-empty list", {"field": "terms", "where": where})
    concept = Concept(
        id=cid or "",
        terms=[term_from_dict(t, f"{where}, term {i + 1}") for i, t in enumerate(terms)],
        subject=_opt_str(data, "subject", where, 255),
        definition=_opt_str(data, "definition", where),
        definition_lang=_opt_str(data, "definition_lang", where, 35),
        note=_opt_str(data, "note", where),
        source=_opt_str(data, "source", where),
        meta=check_meta(data.get("meta"), where),
    )
    validate_concept(concept, where)
    return concept


def derived_id(first_term: dict[str, Any]) -> str:
    """A stable id for a concept its file gives none, from its first term's language and text."""
    digest = hashlib.sha1(f"{first_term['lang']}\t{first_term['text']}".encode()).hexdigest()[:12]
    return f"c-{digest}"


#: an XML NCName (the value space of xml:id / xsd:ID), which TBX allows as a concept id:
#: translate-toolkit's csv2tbx, for one, writes the Chinese term itself as the id
_NCNAME = re.compile(
    r"^[A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
    r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF]"
    r"[-.0-9A-Za-z_\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C-\u200D\u203F-\u2040"
    r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF]*$"
)
MAX_KEY_CHARS = 64
#: keys of ``meta`` on a concept or term (TBX-Basic data categories without a column of their own)
META_KEYS = frozenset({
    "context", "geographicalUsage", "grammaticalGender", "termLocation", "customerSubset", "projectSubset",
    "notes", "transactions", "xrefs", "refs",
})
MAX_META_CHARS = 100_000


def valid_key(key: str) -> bool:
    """1–64 characters: ASCII letters, digits, ``-_.`` (our own ids), or any XML name (NCName)."""
    if not 0 < len(key) <= MAX_KEY_CHARS:
        return False
    return all(c.isascii() and (c.isalnum() or c in "-_.") for c in key) or bool(_NCNAME.match(key))


def check_meta(value: Any, where: str) -> dict[str, Any]:
    """Validate a ``meta`` object: known keys only, JSON-serialisable, of bounded size."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{where}: 'meta' must be an object", {"field": "meta", "where": where})
    unknown = set(value) - META_KEYS
    if unknown:
        raise ValidationError(f"{where}: unknown meta key(s) {', '.join(sorted(unknown))}; known: "
                              f"{', '.join(sorted(META_KEYS))}", {"field": "meta", "where": where})
    try:
        size = len(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{where}: 'meta' is not plain JSON", {"field": "meta"}) from exc
    if size > MAX_META_CHARS:
        raise ValidationError(f"{where}: 'meta' is larger than {MAX_META_CHARS} characters", {"field": "meta"})
    return {k: v for k, v in value.items() if v not in (None, "", [], {})}


def validate_concept(concept: Concept, where: str) -> None:
    """Rules every concept obeys, whatever it was read from."""
    if not concept.terms:
        raise ValidationError(f"{where}: a concept needs at least one term", {"where": where})
    seen: set[tuple[str, str]] = set()
    for t in concept.terms:
        k = (t.lang, t.text if t.case_sensitive else t.text.casefold())
        if k in seen:
            raise ValidationError(f"{where}: term {t.text!r} ({t.lang}) is listed twice", {"where": where, "term": t.text})
        seen.add(k)
