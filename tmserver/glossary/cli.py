"""``tmserver glossary …``: the term base from the command line.

    tmserver glossary import glossary/article.tbx [--format tbx|csv|tsv] [--replace]
    tmserver glossary export -o glossary.tbx [--format tbx|csv|tsv]
    tmserver glossary lookup "構建網路空間命運共同體" [--source-lang zh --target-lang en] [--json]
    tmserver glossary check SOURCE TARGET            exit 1 when the pair breaks the glossary
    tmserver glossary check --tbx FILE SOURCE TARGET   the same without a database (QA)
    tmserver glossary list [QUERY]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from tmserver.services import glossary as glossary_svc


@click.group()
def glossary() -> None:
    """The enforced terminology glossary (TBX v2/v3, CSV)."""


def _fmt(path: str, fmt: str | None) -> str:
    return fmt or glossary_svc.format_from_name(path)


@glossary.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["tbx", "csv", "tsv"]), help="default: from the file name")
@click.option("--replace", is_flag=True, help="also delete concepts the file does not contain")
@click.pass_obj
def import_cmd(obj: Any, file: Path, fmt: str | None, replace: bool) -> None:
    """Import a glossary file in one transaction (all or nothing)."""
    with file.open("rb") as fh:
        report = glossary_svc.import_glossary(obj.tm, fh, _fmt(file.name, fmt), replace=replace)
    click.echo(
        f"{file.name}: {report['concepts']} concepts read, {report['created']} created, {report['updated']} updated, "
        f"{report['deleted']} deleted; the glossary now holds {report['total']}"
    )
    skipped = report.get("skipped_languages") or {}
    if skipped:
        click.echo("skipped languages this TM does not hold: " + ", ".join(f"{k} ({v})" for k, v in skipped.items()))


@glossary.command("export")
@click.option("-o", "--output", default="-", help="file to write (default: standard output)")
@click.option("--format", "fmt", type=click.Choice(["tbx", "csv", "tsv"]), help="default: from the file name, else tbx")
@click.option("--tbx-version", type=click.Choice(["3", "2"]), default="3", show_default=True,
              help="2 writes TBX-Basic v2 (martif) for OmegaT, translate-toolkit and Weblate")
@click.pass_obj
def export_cmd(obj: Any, output: str, fmt: str | None, tbx_version: str = "3") -> None:
    """Export the glossary as TBX v3 Basic or CSV."""
    fmt = _fmt(output, fmt)
    if output == "-":
        n = glossary_svc.export_glossary(obj.tm, sys.stdout.buffer, fmt, tbx_version=int(tbx_version))
        sys.stdout.buffer.flush()
    else:
        with open(output, "wb") as fh:
            n = glossary_svc.export_glossary(obj.tm, fh, fmt, tbx_version=int(tbx_version))
        click.echo(f"wrote {n} concepts to {output}", err=True)


def _load(obj: Any, tbx: Path | None):
    """The glossary to use: a TBX file (no database) or the server's term base."""
    if tbx is not None:
        return glossary_svc.Glossary.from_tbx(tbx)
    return glossary_svc.compiled(obj.tm)


@glossary.command("lookup")
@click.argument("text")
@click.option("--source-lang", default="zh", show_default=True)
@click.option("--target-lang", default="en", show_default=True)
@click.option("--tbx", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="use this file, not the database")
@click.option("--json", "as_json", is_flag=True, help="print JSON (the /api/v1/terms shape)")
@click.pass_obj
def lookup_cmd(obj: Any, text: str, source_lang: str, target_lang: str, tbx: Path | None, as_json: bool) -> None:
    """Show the glossary terms found in TEXT and how to render them."""
    src, tgt = glossary_svc.lang_pair(source_lang, target_lang)
    found = _load(obj, tbx).describe_terms(text, src, tgt)
    if as_json:
        click.echo(json.dumps({"text": text, "terms": found}, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no glossary terms found")
    for t in found:
        s, e = t["span"]
        click.echo(f"[{s}:{e}] {t['text']}  ({t['concept_id']})")
        for r in t.get("renderings", []):
            click.echo(f"    {r['status']:<10} {r['text']}")
        if t.get("definition"):
            click.echo(f"    — {t['definition']}")


@glossary.command("check")
@click.argument("source")
@click.argument("target")
@click.option("--source-lang", default="zh", show_default=True)
@click.option("--target-lang", default="en", show_default=True)
@click.option("--tbx", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="use this file, not the database")
@click.pass_obj
def check_cmd(obj: Any, source: str, target: str, source_lang: str, target_lang: str, tbx: Path | None) -> None:
    """Check TARGET as a translation of SOURCE; exit status 1 when it breaks the glossary."""
    src, tgt = glossary_svc.lang_pair(source_lang, target_lang)
    violations = _load(obj, tbx).check_pair(source, target, src, tgt)
    for v in violations:
        click.echo(f"{v.kind}: {v.message()}")
    if violations:
        sys.exit(1)
    click.echo("ok")


@glossary.command("list")
@click.argument("query", required=False)
@click.option("--limit", default=50, show_default=True, type=int)
@click.pass_obj
def list_cmd(obj: Any, query: str | None, limit: int) -> None:
    """List concepts, optionally those with a term containing QUERY."""
    page = glossary_svc.search_concepts(obj.tm, glossary_svc.ConceptQuery(q=query, per_page=max(1, min(limit, 500))))
    for c in page["items"]:
        terms = "; ".join(f"{t['text']} [{t['lang']} {t['status']}]" for t in c["terms"])
        click.echo(f"{c['id']}: {terms}")
    click.echo(f"{page['total']} concept(s)", err=True)
