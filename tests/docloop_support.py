"""Shared helpers for the document-loop tests: the seeded article TM, the sample files, and
validation of XLIFF against the vendored OASIS schemas (offline: imports resolve to local copies)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "summit"
SCHEMAS = ROOT / "tests" / "data" / "xliff-schemas"


def seed(tm) -> None:
    """The article TM and its glossary, as ``tmserver serve`` loads them."""
    from tmserver.cli import seed_if_empty

    loaded = seed_if_empty(tm, [ROOT / "glossary", ROOT / "alignments"], echo=lambda *_: None)
    assert loaded["segments"] == 94 and loaded["concepts"] > 0


def sample(name: str) -> tuple[str, bytes]:
    return name, (SAMPLES / name).read_bytes()


class _LocalSchemas(etree.Resolver):
    """Resolve ``xml.xsd`` (imported by both XLIFF schemas) to the vendored copy; nothing is
    fetched from the network."""

    def resolve(self, url, pubid, context):
        local = SCHEMAS / url.rsplit("/", 1)[-1]
        if local.exists():
            return self.resolve_filename(str(local), context)
        raise AssertionError(f"schema import outside tests/data/xliff-schemas: {url}")


def schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), parser))


def assert_valid(xsd: str, data: bytes) -> None:
    s = schema(xsd)
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True)).getroottree()
    assert s.validate(doc), [str(e) for e in s.error_log]
