"""TBX that real tools accept, and TBX import that keeps what TBX-Basic defines.

* the v3 export passes the TBX-Basic RelaxNG core structure and the dialect's Schematron
  (``tests/data/tbx/``, see its README; the official files too when put in ``official/``);
* the v2 (``martif``) export validates against the TBX XML Schema OmegaT ships and translate-
  toolkit's ``tbx`` class reads every term of every concept from it;
* import keeps dates, cross-references, context, subject field, geographical usage, term type and
  every termSec-level note verbatim (the ``not within: …`` convention) through v3 and v2 round
  trips, and accepts any legal XML id (translate-toolkit's csv2tbx writes the term as the id).
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree, isoschematron
from translate.storage import tbx as tt_tbx

from tmserver.glossary import export_glossary, import_glossary
from tmserver.glossary.tbx import BASIC_RNG, BASIC_SCH, read_tbx, write_tbx, write_tbx_v2

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "tbx"
ARTICLE = ROOT / "glossary" / "article.tbx"
OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")
NOT_WITHIN = "not within: 数字普惠金融; 联合国教科文组织"

RICH = f"""<?xml version="1.0" encoding="UTF-8"?>
<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca" xml:lang="en">
  <tbxHeader><fileDesc><sourceDesc><p>rich</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="普惠金融">
      <descrip type="subjectField">finance</descrip>
      <transacGrp><transac type="transactionType">origination</transac><date>2024-05-01</date>
        <transacNote type="responsibility">terminologist A</transacNote></transacGrp>
      <xref type="externalCrossReference" target="https://example.org/inclusive-finance">glossary entry</xref>
      <ref type="crossReference" target="c-digital">digital inclusive finance</ref>
      <admin type="projectSubset">article-2025</admin>
      <langSec xml:lang="zh-CN">
        <note>langSec note</note>
        <termSec>
          <term>普惠金融</term>
          <termNote type="partOfSpeech">noun</termNote>
          <termNote type="termType">fullForm</termNote>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          <termNote type="geographicalUsage">CN</termNote>
          <descrip type="context">发展普惠金融,让更多人享受金融服务。</descrip>
          <admin type="source">国务院文件</admin>
          <note>{NOT_WITHIN}</note>
          <note>second note, kept too</note>
          <transacGrp><transac type="transactionType">modification</transac><date>2025-01-02</date></transacGrp>
        </termSec>
      </langSec>
      <langSec xml:lang="en-GB">
        <termSec>
          <term>inclusive finance</term>
          <termNote type="partOfSpeech">noun</termNote>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          <termNote type="geographicalUsage">GB</termNote>
          <descripGrp><descrip type="context">Inclusive finance gives more people access.</descrip>
            <admin type="source">World Bank</admin></descripGrp>
        </termSec>
        <termSec>
          <term>Xi Jinping</term>
          <termNote type="partOfSpeech">properNoun</termNote>
          <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
        </termSec>
      </langSec>
    </conceptEntry>
    <conceptEntry id="c-digital">
      <langSec xml:lang="zh"><termSec><term>数字鸿沟</term>
        <termNote type="termType">acronym</termNote>
        <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
        <termNote type="x-caseSensitive">no</termNote></termSec></langSec>
      <langSec xml:lang="en"><termSec><term>digital divide</term>
        <termNote type="termType">x-slogan</termNote>
        <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>
""".encode()


def _official(name: str) -> Path | None:
    path = DATA / "official" / name
    return path if path.exists() else None


@pytest.fixture(scope="module")
def tbx_basic():
    """Validators for TBX v3 TBX-Basic DCA: [(label, validate(doc) -> list of errors)]."""
    checks = []
    rng = etree.RelaxNG(etree.parse(str(DATA / "tbx_basic_v3_core.rng")))
    sch = isoschematron.Schematron(etree.parse(str(DATA / "tbx_basic_v3_dca.sch")), store_report=True)
    checks.append(("RelaxNG core structure", rng))
    checks.append(("TBX-Basic Schematron", sch))
    for name, kind in (("TBXcoreStructV03_TBX-Basic_integrated.rng", "rng"), ("TBX-Basic_DCA.sch", "sch")):
        path = _official(name)
        if path:
            doc = etree.parse(str(path))
            checks.append((f"official {name}", etree.RelaxNG(doc) if kind == "rng" else isoschematron.Schematron(doc)))

    def message(text: str) -> str:
        if text.startswith("<svrl:"):  # a Schematron failure: its human-readable text
            return " ".join(etree.fromstring(text).findtext("{http://purl.oclc.org/dsdl/svrl}text").split())
        return text

    def validate(doc) -> list[str]:
        errors = []
        for label, validator in checks:
            if not validator.validate(doc):
                errors.extend(f"{label}: {message(e.message)}" for e in validator.error_log)
        return errors

    return validate


@pytest.fixture(scope="module")
def tbx_v2_xsd(tmp_path_factory):
    if not OMEGAT_JAR.exists():
        pytest.skip("Debian's omegat package (which ships the TBX XML Schema) is not installed; .ci/run installs it")
    folder = tmp_path_factory.mktemp("omegat-schemas")
    with zipfile.ZipFile(OMEGAT_JAR) as jar:
        for name in ("schemas/tbx.xsd", "schemas/xml.xsd"):
            (folder / Path(name).name).write_bytes(jar.read(name))
    return etree.XMLSchema(etree.parse(str(folder / "tbx.xsd")))


def _write(concepts, v: int) -> bytes:
    out = io.BytesIO()
    (write_tbx if v == 3 else write_tbx_v2)(concepts, out)
    return out.getvalue()


def _dicts(concepts):
    return [c.to_dict() for c in concepts]


# -- TBX v3 validity --------------------------------------------------------------------------


def test_article_v3_export_is_valid_tbx_basic(tbx_basic):
    concepts = read_tbx(ARTICLE.open("rb"))
    data = _write(concepts, 3)
    assert tbx_basic(etree.parse(io.BytesIO(data))) == []


def test_rich_v3_export_is_valid_tbx_basic(tbx_basic):
    data = _write(read_tbx(io.BytesIO(RICH)), 3)
    assert tbx_basic(etree.parse(io.BytesIO(data))) == []
    assert b"x-caseSensitive" not in data and b"properNoun</termNote>" not in data


def test_v3_export_declares_its_schemas():
    data = _write(read_tbx(io.BytesIO(RICH)), 3)
    pis = [pi for pi in etree.parse(io.BytesIO(data)).getroot().itersiblings(preceding=True)
           if isinstance(pi, etree._ProcessingInstruction)]
    hrefs = " ".join(pi.text for pi in pis if pi.target == "xml-model")
    assert BASIC_RNG in hrefs and BASIC_SCH in hrefs


def test_the_validators_reject_what_tbx_basic_forbids(tbx_basic):
    bad = RICH.replace(b'type="partOfSpeech">noun', b'type="partOfSpeech">properNoun', 1)
    errors = tbx_basic(etree.parse(io.BytesIO(bad)))
    assert any("partOfSpeech 'properNoun'" in e for e in errors)
    bad2 = RICH.replace(b'type="x-caseSensitive"', b'type="x-caseSensitive"')  # as in the input: not TBX-Basic
    assert any("x-caseSensitive" in e for e in tbx_basic(etree.parse(io.BytesIO(bad2))))
    no_lang = RICH.replace(b'<langSec xml:lang="zh">', b'<langSec>')
    assert any("RelaxNG" in e for e in tbx_basic(etree.parse(io.BytesIO(no_lang))))


def test_shipped_article_tbx_is_valid_tbx_basic(tbx_basic):
    # passes since issue 16's revision of glossary/article.tbx (merged into this branch)
    assert tbx_basic(etree.parse(str(ARTICLE))) == []


# -- TBX v2 -----------------------------------------------------------------------------------


def test_v2_export_validates_against_the_tbx_schema_omegat_ships(tbx_v2_xsd):
    for concepts in (read_tbx(ARTICLE.open("rb")), read_tbx(io.BytesIO(RICH))):
        doc = etree.parse(io.BytesIO(_write(concepts, 2)))
        assert tbx_v2_xsd.validate(doc), tbx_v2_xsd.error_log.filter_from_errors()[:5]


def test_translate_toolkit_reads_every_term_of_the_v2_export():
    concepts = read_tbx(ARTICLE.open("rb"))
    store = tt_tbx.tbxfile(io.BytesIO(_write(concepts, 2)), sourcelanguage="zh", targetlanguage="en")
    assert len(store.units) == len(concepts)
    for concept, unit in zip(concepts, store.units, strict=True):
        assert unit.getid() == concept.id
        zh = [t.text for t in concept.terms if t.lang == "zh"]
        en = [t.text for t in concept.terms if t.lang == "en"]
        assert [t.text for t in unit.get_source_terms()] == zh
        assert [t.text for t in unit.get_target_terms()] == en


def test_translate_toolkit_sees_the_term_notes():
    store = tt_tbx.tbxfile(io.BytesIO(_write(read_tbx(io.BytesIO(RICH)), 2)), sourcelanguage="zh-CN",
                           targetlanguage="en-GB")
    (term,) = store.units[0].get_source_terms()
    assert NOT_WITHIN in [n.text for n in term.notes]


# -- import keeps the metadata ----------------------------------------------------------------


def test_rich_import_keeps_tbx_basic_metadata():
    (c, digital) = read_tbx(io.BytesIO(RICH))
    assert c.id == "普惠金融" and c.subject == "finance"
    assert c.meta["transactions"] == [{"type": "origination", "date": "2024-05-01", "responsibility": "terminologist A"}]
    assert c.meta["xrefs"] == [{"type": "externalCrossReference", "target": "https://example.org/inclusive-finance",
                                "text": "glossary entry"}]
    assert c.meta["refs"] == [{"type": "crossReference", "target": "c-digital", "text": "digital inclusive finance"}]
    assert c.meta["projectSubset"] == "article-2025"
    assert c.meta["notes"] == [{"text": "langSec note", "lang": "zh-CN"}]
    zh, en, xi = c.terms
    # every note of a term is kept, one per line (the term scope reads its "not within:" line)
    assert zh.note == NOT_WITHIN + "\nsecond note, kept too" and "notes" not in zh.meta
    assert zh.meta["context"] == "发展普惠金融,让更多人享受金融服务。"
    assert zh.meta["geographicalUsage"] == "CN" and zh.term_type == "fullForm" and zh.source == "国务院文件"
    assert zh.meta["transactions"] == [{"type": "modification", "date": "2025-01-02"}]
    assert en.meta["context"].startswith("Inclusive finance") and en.source == "World Bank"
    assert xi.pos == "properNoun"
    assert digital.terms[0].case_sensitive is False and digital.terms[1].term_type == "x-slogan"


@pytest.mark.parametrize("version", [3, 2])
def test_round_trip_through_the_database_is_lossless(tm, version):
    original = read_tbx(io.BytesIO(RICH))
    import_glossary(tm, io.BytesIO(RICH))
    out = io.BytesIO()
    export_glossary(tm, out, "tbx", tbx_version=version)
    again = read_tbx(io.BytesIO(out.getvalue()))
    assert _dicts(again) == _dicts(original)
    # and once more: export → import → export is stable
    assert _write(again, version) == out.getvalue()


def test_article_round_trips_in_both_versions():
    concepts = read_tbx(ARTICLE.open("rb"))
    for v in (3, 2):
        assert _dicts(read_tbx(io.BytesIO(_write(concepts, v)))) == _dicts(concepts)


def test_translate_toolkit_csv2tbx_output_with_chinese_ids_is_accepted(tmp_path, tm):
    csv = tmp_path / "terms.csv"
    csv.write_text('"location","source","target"\n"","网络空间","cyberspace"\n"","数字鸿沟","digital divide"\n',
                   encoding="utf-8")
    out = tmp_path / "terms.tbx"
    csv2tbx = Path(sys.executable).with_name("csv2tbx")
    subprocess.run([str(csv2tbx), str(csv), str(out)], check=True, capture_output=True)
    raw = out.read_bytes()
    assert 'id="网络空间"'.encode() in raw
    # csv2tbx labels the columns "en" and "xx"; a user sets the real languages before import
    fixed = raw.replace(b'<langSet xml:lang="en">', b'<langSet xml:lang="zh">').replace(
        b'<langSet xml:lang="xx">', b'<langSet xml:lang="en">')
    report = import_glossary(tm, io.BytesIO(fixed))
    assert report["concepts"] == 2
    r = read_tbx(io.BytesIO(fixed))
    assert [c.id for c in r] == ["网络空间", "数字鸿沟"]
    assert [(t.lang, t.text) for t in r[0].terms] == [("zh", "网络空间"), ("en", "cyberspace")]


@pytest.mark.parametrize("bad_id", ["1abc def", "a<b", "x" * 65])
def test_illegal_ids_are_still_refused(bad_id):
    from tmserver.errors import ImportFailed

    data = RICH.replace('id="普惠金融"'.encode(), f'id="{bad_id.replace("<", "&lt;")}"'.encode())
    with pytest.raises(ImportFailed, match="XML name"):
        read_tbx(io.BytesIO(data))
