"""``tmserver analyze``, ``tmserver pretranslate``, ``tmserver eval``: the document loop on the
command line (a thin face over :mod:`tmserver.docloop`).

    tmserver analyze samples/summit/summit.xlf samples/summit/summit.po --format html -o analysis.html
    tmserver pretranslate samples/summit/summit.xlf -o summit.en-US.xlf --threshold 75
    tmserver eval                                   # leave-one-out over the TM, zh → en
    tmserver eval --test samples/summit/variants.tmx
    tmserver eval --hyp delivered.xlf --ref reference.xlf

Bringing a translated file back is ``tmserver import FILE.xlf|FILE.po``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from tmserver.errors import ValidationError
from tmserver.services import transfer as transfer_svc
from tmserver.services.docloop import analyze, evaluate_heldout, evaluate_tm, pretranslate, score_files
from tmserver.services.transfer import parse_states

_LANG_OPTS = [
    click.option("--source-lang", help="when the file does not say (XLIFF and PO usually do)"),
    click.option("--target-lang", help="when the file does not say"),
]


def _langs(f):
    for opt in reversed(_LANG_OPTS):
        f = opt(f)
    return f


def _write(output: Path | None, text: str | bytes) -> None:
    if output is None:
        click.echo(text if isinstance(text, str) else text.decode("utf-8"), nl=False)
        return
    tmp = output.with_name(output.name + ".part")
    tmp.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    tmp.replace(output)


@click.command("analyze")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write the report here")
@_langs
@click.pass_obj
def analyze_cmd(obj, files: tuple[Path, ...], fmt: str, output: Path | None, source_lang: str | None,
                target_lang: str | None) -> None:
    """Match-band analysis of FILES (XLIFF 1.2/2.0, PO, Markdown, text) against the TM."""
    report = analyze(obj.tm, [(p.name, p.read_bytes()) for p in files], source_lang=source_lang,
                     target_lang=target_lang)
    if fmt == "json":
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = {"text": report.to_text, "csv": report.to_csv, "html": report.to_html}[fmt]()
    _write(output, text)
    if output is not None:
        click.echo(f"wrote {fmt} analysis of {len(files)} file(s) to {output}", err=True)


@click.command("pretranslate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="output file (default: FILE with the target language before the suffix)")
@click.option("--threshold", default=75, show_default=True, type=click.IntRange(0, 101),
              help="lowest match score that fills a target")
@click.option("--overwrite", is_flag=True, help="also refill segments that are already translated")
@click.option("--alternatives", default=0, show_default=True, type=click.IntRange(0, 10),
              help="matches to add as alt-trans (XLIFF 1.2) / mtc:matches (XLIFF 2.0)")
@click.option("--term-notes", is_flag=True, help="add each segment's glossary terms as a note (XLIFF)")
@click.option("--no-notes", is_flag=True, help="no match notes/comments in the file")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="write the per-segment JSON report here")
@_langs
@click.pass_obj
def pretranslate_cmd(obj, file: Path, output: Path | None, threshold: int, overwrite: bool, alternatives: int,
                     term_notes: bool, no_notes: bool, report_path: Path | None, source_lang: str | None,
                     target_lang: str | None) -> None:
    """Fill the empty targets of FILE from the TM (adapted best match ≥ threshold)."""
    result = pretranslate(obj.tm, file.name, file.read_bytes(), threshold=threshold, source_lang=source_lang,
                          target_lang=target_lang, overwrite=overwrite, alternatives=alternatives,
                          term_notes=term_notes, notes=not no_notes)
    out = output or file.with_name(result.filename)
    if out.resolve() == file.resolve():
        raise ValidationError(f"refusing to overwrite the input {file}; choose another -o")
    _write(out, result.data)
    r = result.report
    click.echo(f"{file.name} → {out}: filled {r['filled']} of {r['segments']} segments "
               f"({', '.join(f'{k}: {v}' for k, v in r['bands'].items()) or 'none'}), adapted {r['adapted']}, "
               f"kept {r['kept']} already translated, locked {r['locked']}, no match {r['unmatched']}"
               + (f", {r['term_problems']} term problem(s)" if r["term_problems"] else ""))
    if report_path:
        _write(report_path, json.dumps(r, ensure_ascii=False, indent=2) + "\n")


@click.command("eval")
@click.option("--test", "test_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="held-out file (TMX, translated XLIFF/PO) to look up against the TM")
@click.option("--hyp", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="translated file to score")
@click.option("--ref", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="reference for --hyp")
@click.option("--min-score", default=50, show_default=True, type=click.IntRange(0, 101))
@click.option("--origin", help="leave-one-out over one collection only")
@click.option("--max-units", type=click.IntRange(1), help="leave-one-out over an evenly spaced sample of this many units")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@_langs
@click.pass_obj
def eval_cmd(obj, test_file: Path | None, hyp: Path | None, ref: Path | None, min_score: int, origin: str | None,
             max_units: int | None, as_json: bool, source_lang: str | None, target_lang: str | None) -> None:
    """Score TM suggestions with sacrebleu (chrF, BLEU, TER) per match band: leave-one-out over
    the TM by default, a held-out file with --test, or a translation against a reference with
    --hyp/--ref."""
    if (hyp is None) != (ref is None):
        raise ValidationError("--hyp and --ref go together")
    if hyp is not None and ref is not None:
        report = score_files(hyp.name, hyp.read_bytes(), ref.name, ref.read_bytes(), target_lang=target_lang)
    elif test_file is not None:
        report = evaluate_heldout(obj.tm, test_file.name, test_file.read_bytes(), source_lang=source_lang,
                                  target_lang=target_lang, min_score=min_score)
    else:
        report = evaluate_tm(obj.tm, source_lang=source_lang, target_lang=target_lang, min_score=min_score,
                             origin=origin, max_units=max_units)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.to_text(), nl=False)


COMMANDS = (analyze_cmd, pretranslate_cmd, eval_cmd)


def echo_bring_back(tm, file: Path, *, fmt: str | None, origin: str | None, on_violation: str,
                    final_states: str | None, source_lang: str | None, target_lang: str | None,
                    on_duplicate: str = "skip") -> None:
    """``tmserver import FILE.xlf|FILE.po``: import the final units and say what happened."""
    options = transfer_svc.ImportOptions(origin=origin, user="cli", on_violation=on_violation,
                                         source_lang=source_lang, target_lang=target_lang, on_duplicate=on_duplicate,
                                         final_states=parse_states(final_states))
    r = transfer_svc.bring_back(tm, file.name, file.read_bytes(), fmt, options)
    sk = r["skipped"]
    click.echo(f"{file.name}: {r['final']} final unit(s) of {r['segments']} ({', '.join(r['final_states'])}): "
               f"added {r['added']}, updated {r['updated']}, refused {r['refused']}"
               + (f", {sk['duplicate']} already stored" if sk["duplicate"] else "")
               + (f", flagged {r['flagged']}" if r["flagged"] else "")
               + f"; skipped {sk['not_final']} not final, {sk['untranslated']} untranslated, {sk['locked']} locked")
