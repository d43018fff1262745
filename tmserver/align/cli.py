"""``tmserver align``: align a Chinese and an English file, print or save the links, score them.

    tmserver align article.zh.txt article.en.txt                    # jsonl links on stdout
    tmserver align a.zh.sent.txt a.en.sent.txt --presegmented --format tsv -o links.tsv
    tmserver align a.zh.txt a.en.txt --gold a.gold.jsonl            # + strict/lax P/R/F1 on stderr
    tmserver align a.zh.txt a.en.txt --import --origin manual       # into the TM (≥ threshold only)
    tmserver align book.zh.txt book.en.txt --no-lexicon             # without the learned document lexicon

Long inputs (a book) show a progress bar on stderr.

Registered by the lead's CLI as ``main.add_command(tmserver.align.cli.align)``. Links under the
confidence threshold are listed on stderr for review; with ``--import`` they are held back
unless ``--accept-low`` is given.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from tmserver.align.aligner import Aligner
from tmserver.align.evaluate import evaluate, read_links
from tmserver.errors import TMError, ValidationError
from tmserver.formats.tmx import write_tmx
from tmserver.services.align import align_texts, import_links, links_to_units, render_links

__all__ = ["align"]


#: texts longer than this (characters, both sides) get a progress bar on stderr (~300 sentences)
PROGRESS_CHARS = 20_000


@contextmanager
def _progress_bar(chars: int) -> Iterator[Callable[[float], None] | None]:
    """A click progress bar on stderr for long inputs, driven by the aligner's fraction done."""
    if chars < PROGRESS_CHARS:
        yield None
        return
    with click.progressbar(length=1000, label="aligning", file=sys.stderr) as bar:
        done = [0]

        def advance(fraction: float) -> None:
            target = int(fraction * 1000)
            if target > done[0]:
                bar.update(target - done[0])
                done[0] = target

        yield advance


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


@click.command()
@click.argument("zh_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("en_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--presegmented", is_flag=True,
              help="each non-blank line is one sentence, blank lines separate paragraphs")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv", "tmx"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="write here instead of stdout")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False),
              help="gold alignment (jsonl with zh/en index lists): print strict and lax P/R/F1")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="links with a lower confidence are reported for review")
@click.option("--length-only", is_flag=True, help="Gale–Church length scoring only (baseline)")
@click.option("--no-lexicon", is_flag=True,
              help="do not learn a lexicon from the document's confident links for the second pass")
@click.option("--import", "do_import", is_flag=True, help="import the aligned pairs into the TM")
@click.option("--origin", help="collection name for --import (default: the Chinese file's name)")
@click.option("--on-violation", type=click.Choice(["refuse", "skip", "accept"]), default="refuse", show_default=True,
              help="glossary enforcement for --import")
@click.option("--accept-low", is_flag=True, help="with --import, also import links under the threshold")
@click.pass_context
def align(ctx: click.Context, zh_file: str, en_file: str, presegmented: bool, fmt: str, output: str | None,
          gold: str | None, threshold: float, length_only: bool, no_lexicon: bool, do_import: bool,
          origin: str | None, on_violation: str, accept_low: bool) -> None:
    """Align ZH_FILE with its English translation EN_FILE (sentence level, offline)."""
    try:
        zh_text, en_text = _read(zh_file), _read(en_file)
        with _progress_bar(len(zh_text) + len(en_text)) as progress:
            aligner = Aligner(matchers=[] if length_only else None, threshold=threshold, learn=not no_lexicon,
                              progress=progress)
            result = align_texts(zh_text, en_text, presegmented=presegmented, threshold=threshold, aligner=aligner)
        if fmt == "tmx":
            units = links_to_units(result, origin=origin or Path(zh_file).stem)
            if output:
                with open(output, "wb") as fh:
                    write_tmx(units, fh, srclang="zh-CN")
            else:
                write_tmx(units, sys.stdout.buffer, srclang="zh-CN")
        else:
            text = render_links(result, fmt)
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                click.echo(text, nl=False)
        summary = result.summary()
        click.echo(f"aligned {summary['zh_sentences']} zh / {summary['en_sentences']} en sentences into "
                   f"{summary['links']} links {json.dumps(summary['link_types'])}", err=True)
        low = result.below_threshold()
        if low:
            click.echo(f"{len(low)} link(s) below confidence {threshold} — please review:", err=True)
            for k in low:
                link = result.links[k]
                click.echo(f"  #{k} {link.type} zh {link.zh} en {link.en} score {link.score:.3f}: "
                           f"{link.zh_text[:40]} | {link.en_text[:60]}", err=True)
        if gold:
            scores = evaluate(result.links, read_links(_read(gold), where=gold))
            click.echo(scores.table(), err=True)
        if do_import:
            obj = ctx.find_object(object)
            tm = getattr(obj, "tm", None)
            if tm is None:
                raise ValidationError("--import needs the tmserver CLI context (run it as 'tmserver align')")
            report = import_links(tm, result, origin=origin or Path(zh_file).stem, user="cli",
                                  on_violation=on_violation, accept_low=accept_low)
            # one JSON line (never cut: a cut line is not JSON); held and non-pair links by position,
            # their texts were listed above for review
            brief = {k: v for k, v in report.items() if k != "violations"}
            brief["held_for_review"] = [h["position"] for h in report["held_for_review"]]
            brief["not_pairs"] = [h["position"] for h in report["not_pairs"]]
            click.echo(json.dumps(brief, ensure_ascii=False), err=True)
    except TMError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.details:
            click.echo(json.dumps(exc.details, ensure_ascii=False)[:2000], err=True)
        sys.exit(2)
