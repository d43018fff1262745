"""The term base in the database: rows ↔ :class:`~tmserver.glossary.termbase.Concept`, and versioning.

Every write here also stamps a fresh random token into the ``glossary_version`` setting, in the
same transaction. Server processes cache their compiled :class:`~tmserver.glossary.Glossary`
under that token (see :mod:`tmserver.glossary.enforce`): a change committed by any process is
seen by every other one at its next transaction. A random token rather than a counter, so a
term base that is deleted and rebuilt can never come back under an old cached version.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from tmserver.errors import Conflict, NotFound, ValidationError
from tmserver.glossary.model import GlossaryConcept, GlossaryTerm
from tmserver.glossary.termbase import Concept, Term
from tmserver.normalize import normalize_text
from tmserver.store.models import Setting

VERSION_KEY = "glossary_version"


#: one Core statement, compiled once: read on every lookup's annotation, where the ORM's
#: ``session.get`` (identity map, entity loading) cost more than the read itself
_VERSION = select(Setting.value).where(Setting.key == VERSION_KEY)


def get_version(session: Session) -> str:
    return session.connection().execute(_VERSION).scalar() or ""


def bump_version(session: Session) -> str:
    token = uuid.uuid4().hex
    row = session.get(Setting, VERSION_KEY)
    if row is None:
        session.add(Setting(key=VERSION_KEY, value=token))
    else:
        row.value = token
    session.info[VERSION_KEY] = token  # this transaction sees its own change at once
    return token


def to_concept(row: GlossaryConcept) -> Concept:
    return Concept(
        id=row.key,
        subject=row.subject,
        definition=row.definition,
        definition_lang=row.definition_lang,
        note=row.note,
        source=row.source,
        meta=dict(row.meta or {}),
        terms=[
            Term(text=t.text, lang=t.lang, lang_tag=t.lang_tag, status=t.status, case_sensitive=t.case_sensitive,
                 pos=t.pos, term_type=t.term_type, note=t.note, source=t.source, meta=dict(t.meta or {}))
            for t in row.terms
        ],
    )


def _fill(row: GlossaryConcept, c: Concept) -> None:
    row.subject, row.definition, row.definition_lang = c.subject, c.definition, c.definition_lang
    row.note, row.source = c.note, c.source
    row.meta = c.meta or None
    row.terms = [
        GlossaryTerm(position=i, lang=t.lang, lang_tag=t.lang_tag or t.lang, text=t.text, norm=normalize_text(t.text),
                     status=t.status, case_sensitive=t.case_sensitive, pos=t.pos, term_type=t.term_type,
                     note=t.note, source=t.source, meta=t.meta or None)
        for i, t in enumerate(c.terms)
    ]


def load_concepts(session: Session) -> list[Concept]:
    rows = session.scalars(select(GlossaryConcept).options(selectinload(GlossaryConcept.terms)).order_by(GlossaryConcept.id))
    return [to_concept(r) for r in rows]


def _get_row(session: Session, key: str, *, lock: bool = False) -> GlossaryConcept:
    q = select(GlossaryConcept).where(GlossaryConcept.key == key).options(selectinload(GlossaryConcept.terms))
    if lock:
        q = q.with_for_update()
    row = session.scalars(q).first()
    if row is None:
        raise NotFound(f"glossary concept {key!r} does not exist", {"concept_id": key})
    return row


def get_concept(session: Session, key: str) -> Concept:
    return to_concept(_get_row(session, key))


def _new_key(session: Session) -> str:
    n = (session.scalar(select(func.count(GlossaryConcept.id))) or 0) + 1
    while session.scalar(select(GlossaryConcept.id).where(GlossaryConcept.key == f"c{n:04d}")) is not None:
        n += 1
    return f"c{n:04d}"


def create_concept(session: Session, concept: Concept) -> Concept:
    if concept.id:
        if session.scalar(select(GlossaryConcept.id).where(GlossaryConcept.key == concept.id)) is not None:
            raise Conflict(f"glossary concept {concept.id!r} already exists", {"concept_id": concept.id})
    else:
        concept.id = _new_key(session)
    row = GlossaryConcept(key=concept.id)
    _fill(row, concept)
    session.add(row)
    session.flush()
    bump_version(session)
    return to_concept(row)


def replace_concept(session: Session, key: str, concept: Concept) -> Concept:
    row = _get_row(session, key, lock=True)
    if concept.id and concept.id != key:
        raise ValidationError(f"the body's id {concept.id!r} differs from the URL's {key!r}", {"field": "id"})
    concept.id = key
    _fill(row, concept)
    session.flush()
    bump_version(session)
    return to_concept(row)


def delete_concept(session: Session, key: str) -> None:
    row = _get_row(session, key)
    session.delete(row)
    session.flush()
    bump_version(session)


def save_all(session: Session, concepts: list[Concept], *, replace: bool = False) -> dict[str, int]:
    """Upsert ``concepts`` by id; with ``replace`` delete every concept not in the list first."""
    counts = {"created": 0, "updated": 0, "deleted": 0}
    if replace:
        keep = {c.id for c in concepts}
        stale = [r for r in session.scalars(select(GlossaryConcept.key)) if r not in keep]
        for i in range(0, len(stale), 500):
            ids = select(GlossaryConcept.id).where(GlossaryConcept.key.in_(stale[i : i + 500]))
            session.execute(delete(GlossaryTerm).where(GlossaryTerm.concept_id.in_(ids)))
            session.execute(delete(GlossaryConcept).where(GlossaryConcept.key.in_(stale[i : i + 500])))
        counts["deleted"] = len(stale)
    existing: dict[str, GlossaryConcept] = {}
    keys = [c.id for c in concepts]
    for i in range(0, len(keys), 500):
        q = (select(GlossaryConcept).where(GlossaryConcept.key.in_(keys[i : i + 500]))
             .options(selectinload(GlossaryConcept.terms)))
        existing.update({r.key: r for r in session.scalars(q)})
    for c in concepts:
        row = existing.get(c.id)
        if row is None:
            row = GlossaryConcept(key=c.id)
            session.add(row)
            counts["created"] += 1
        else:
            counts["updated"] += 1
        _fill(row, c)
    session.flush()
    bump_version(session)
    return counts


def clear(session: Session) -> int:
    n = session.scalar(select(func.count(GlossaryConcept.id))) or 0
    session.execute(delete(GlossaryTerm))
    session.execute(delete(GlossaryConcept))
    bump_version(session)
    return n


def count(session: Session) -> int:
    return session.scalar(select(func.count(GlossaryConcept.id))) or 0


def _contains(text: str) -> str:
    """A LIKE pattern (escape ``\\``) matching values that contain ``text`` literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(
    session: Session,
    *,
    q: str | None = None,
    lang: str | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    """Concepts having a term that contains ``q`` (matching form: 網路 finds 网络), newest last."""
    if page < 1 or not 1 <= per_page <= 500:
        raise ValidationError("page must be ≥ 1 and per_page between 1 and 500")

    def having_term(*where) -> Any:
        terms = select(GlossaryTerm.concept_id)
        if lang:
            terms = terms.where(GlossaryTerm.lang == lang)
        if status:
            terms = terms.where(GlossaryTerm.status == status)
        return GlossaryConcept.id.in_(terms.where(*where))

    base = select(GlossaryConcept)
    if lang or status:  # the concept must have such a term, whatever q matched
        base = base.where(having_term())
    if q:  # a term of that language/status contains q, or the id or the definition does
        base = base.where(or_(
            having_term(GlossaryTerm.norm.like(_contains(normalize_text(q)), escape="\\")),
            GlossaryConcept.key == q,
            GlossaryConcept.definition.like(_contains(q), escape="\\"),
        ))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(
        base.options(selectinload(GlossaryConcept.terms)).order_by(GlossaryConcept.id)
        .offset((page - 1) * per_page).limit(per_page)
    )
    return {"items": [to_concept(r).to_dict() for r in rows], "page": page, "per_page": per_page, "total": total}
