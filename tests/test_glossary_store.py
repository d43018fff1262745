"""Term base in the database: TBX v2/v3 and CSV imports, lossless round trips, all-or-nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tmserver.errors import ImportFailed, UnsafeXML, ValidationError
from tmserver.glossary import count_concepts, export_glossary, import_glossary, store
from tmserver.glossary.enforce import current_glossary

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "glossary"
ARTICLE = ROOT / "glossary" / "article.tbx"


def dump(tm) -> list[dict]:
    with tm.session() as s:
        return [c.to_dict() for c in store.load_concepts(s)]


def load(tm, path: Path, fmt: str = "tbx", **kw):
    with path.open("rb") as fh:
        return import_glossary(tm, fh, fmt, **kw)


def test_article_tbx_round_trip_is_lossless(tm):
    report = load(tm, ARTICLE)
    assert report["created"] == report["concepts"] == report["total"] >= 40
    first = dump(tm)
    buf = io.BytesIO()
    assert export_glossary(tm, buf, "tbx") == len(first)
    exported = buf.getvalue()
    assert b'xmlns="urn:iso:std:iso:30042:ed-2"' in exported and b'type="TBX-Basic"' in exported
    # TBX -> DB -> TBX -> DB: the database content is identical
    with tm.session() as s:
        store.clear(s)
    assert count_concepts(tm) == 0
    import_glossary(tm, io.BytesIO(exported), "tbx")
    assert dump(tm) == first
    # and the second export is byte-identical to the first
    buf2 = io.BytesIO()
    export_glossary(tm, buf2, "tbx")
    assert buf2.getvalue() == exported


def test_csv_round_trip_is_lossless(tm):
    load(tm, ARTICLE)
    first = dump(tm)
    buf = io.BytesIO()
    export_glossary(tm, buf, "csv")
    with tm.session() as s:
        store.clear(s)
    report = import_glossary(tm, io.BytesIO(buf.getvalue()), "csv")
    assert report["created"] == len(first)
    assert dump(tm) == first


def test_tbx_v2_martif_import(tm):
    report = load(tm, DATA / "v2_martif.tbx")
    assert report["tbx_version"] == "2" and report["created"] == 2
    assert report["skipped_languages"] == {"fr": 1}
    concepts = {c["id"]: c for c in dump(tm)}
    ai = concepts["t-ai"]
    assert ai["subject"] == "digital technology"
    assert ai["definition"] == "Machines performing tasks that need human intelligence."
    assert ai["definition_lang"] == "en-US"
    terms = {t["text"]: t for t in ai["terms"]}
    assert terms["人工智能"]["lang"] == "zh-CN"
    assert terms["artificial intelligence"]["source"] == "common usage"
    assert terms["AI"]["status"] == "admitted" and terms["AI"]["case_sensitive"] is True  # from termType acronym
    bri = {t["text"]: t for t in concepts["t-bri"]["terms"]}
    assert bri["One Belt, One Road"]["status"] == "deprecated" and bri["One Belt, One Road"]["note"] == "abandoned in 2015"
    # a term without administrativeStatus is preferred
    assert bri["一带一路"]["status"] == "preferred"
    with tm.session() as s:
        vs = current_glossary(s).check_pair("一带一路", "One Belt, One Road", "zh", "en")
    assert [v.kind for v in vs] == ["forbidden"]


def test_tbx_v3_ed3_dct_style_import(tm):
    report = load(tm, DATA / "v3_ed3_dct.tbx")
    assert report["tbx_version"] == "3" and report["created"] == 2
    c = {c["id"]: c for c in dump(tm)}
    assert c["dd"]["subject"] == "development"
    assert c["dd"]["definition"] == "The gap in access to digital technology."
    dd = {t["text"]: t for t in c["dd"]["terms"]}
    assert dd["digital divide"]["pos"] == "noun" and dd["digital divide"]["source"] == "common usage"
    gge = {t["text"]: t for t in c["gge"]["terms"]}
    assert gge["GGE"]["case_sensitive"] and gge["Group of Governmental Experts"]["pos"] == "properNoun"


def test_wide_csv_import(tm):
    report = load(tm, DATA / "wide.csv", "csv")
    assert report["created"] == 2
    c = {c["id"]: c for c in dump(tm)}
    assert c["w1"]["definition"] == "Access for all."
    st = {t["text"]: t["status"] for t in c["w2"]["terms"]}
    assert st == {"一带一路": "preferred", "Belt and Road Initiative": "preferred", "Belt and Road": "admitted",
                  "BRI": "admitted", "One Belt One Road": "deprecated"}


@pytest.mark.parametrize(
    ("name", "exc", "needle"),
    [
        ("malformed.tbx", ImportFailed, "malformed XML at line"),
        ("bad_status.tbx", ImportFailed, "unknown administrativeStatus 'favouriteTerm'"),
        ("entities.tbx", UnsafeXML, "entit"),
    ],
)
def test_bad_tbx_leaves_glossary_unchanged(tm, name, exc, needle):
    load(tm, ARTICLE)
    before = dump(tm)
    with tm.session() as s:
        version = store.get_version(s)
    with pytest.raises(exc) as info:
        load(tm, DATA / name, replace=True)
    assert needle in info.value.message
    assert dump(tm) == before
    with tm.session() as s:
        assert store.get_version(s) == version


def test_bad_status_error_names_the_entry(tm):
    with pytest.raises(ImportFailed) as info:
        load(tm, DATA / "bad_status.tbx")
    assert "'c2'" in info.value.message and "line" in info.value.message
    assert count_concepts(tm) == 0


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"<html><body/></html>", "not a TBX file"),
        (b'<tbx xmlns="urn:example:other"><text/></tbx>', "unknown TBX namespace"),
        (b'<tbx xmlns="urn:iso:std:iso:30042:ed-2"><text><body/></text></tbx>', "holds no <conceptEntry>"),
        (b'<tbx xmlns="urn:iso:std:iso:30042:ed-2"><text><body><conceptEntry id="a"><langSec xml:lang="en">'
         b"<termSec><term>x</term></termSec><termSec><term>X</term></termSec></langSec></conceptEntry></body></text></tbx>",
         "listed twice"),
        (b'<tbx xmlns="urn:iso:std:iso:30042:ed-2"><text><body><conceptEntry id="a"><langSec xml:lang="en">'
         b"<termSec><term>x</term></termSec></langSec></conceptEntry><conceptEntry id=\"a\"><langSec xml:lang=\"en\">"
         b"<termSec><term>y</term></termSec></langSec></conceptEntry></body></text></tbx>", "appears twice"),
    ],
)
def test_invalid_tbx_is_refused_with_a_reason(tm, body, needle):
    with pytest.raises(ImportFailed) as info:
        import_glossary(tm, io.BytesIO(body), "tbx")
    assert needle in info.value.message
    assert count_concepts(tm) == 0


def test_csv_errors_name_the_line(tm):
    body = "concept_id,lang,term,status\na,zh,数字经济,preferred\na,en,digital economy,favourite\n".encode()
    with pytest.raises(ImportFailed) as info:
        import_glossary(tm, io.BytesIO(body), "csv")
    assert "line 2" in info.value.message and "favourite" in info.value.message
    with pytest.raises(ImportFailed, match="lang"):
        import_glossary(tm, io.BytesIO(b"concept_id,lang,term\na,xx-!!,x\n"), "csv")
    with pytest.raises(ValidationError):
        import_glossary(tm, io.BytesIO(b""), "xlsx")
    assert count_concepts(tm) == 0


def test_replace_deletes_concepts_missing_from_the_file(tm):
    load(tm, ARTICLE)
    report = load(tm, DATA / "v3_ed3_dct.tbx", replace=True)
    assert report["deleted"] >= 40 and report["total"] == 2


def test_change_in_another_process_is_seen_at_the_next_transaction(tm):
    """Two engines on one database stand for two server processes."""
    from tmserver.tm import TM

    other = TM.from_url(str(tm.engine.url.render_as_string(hide_password=False)))
    try:
        with other.session() as s:
            assert current_glossary(s).check_pair("数字鸿沟", "gap", "zh", "en") == []
        load(tm, ARTICLE)  # written through the first "process"
        with other.session() as s:
            assert [v.kind for v in current_glossary(s).check_pair("数字鸿沟", "gap", "zh", "en")] == ["missing"]
        with tm.session() as s:
            store.delete_concept(s, "c028")
        with other.session() as s:
            assert current_glossary(s).check_pair("数字鸿沟", "gap", "zh", "en") == []
    finally:
        other.close()


def test_compiled_glossary_is_cached_per_version(tm):
    load(tm, ARTICLE)
    with tm.session() as s:
        a = current_glossary(s)
    with tm.session() as s:
        b = current_glossary(s)
    assert a is b
    with tm.session() as s:
        store.delete_concept(s, "c003")
    with tm.session() as s:
        c = current_glossary(s)
    assert c is not a and "c003" not in c.by_id
