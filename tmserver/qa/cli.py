"""``tmserver check FILE``: QA from the command line, made to gate a CI pipeline.

    tmserver check job.xlf --glossary glossary/article.tbx --format html -o qa.html --fail-on error
    tmserver check alignments/article.tmx --tm          # also consistency against the server's TM

Exit status: 0 when no unsuppressed issue reaches ``--fail-on`` (default ``error``), 1 when one
does, 2 for unusable input (the message names the problem).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tmserver.qa.engine import run_checks
from tmserver.qa.inputs import read_segments, sniff
from tmserver.qa.report import render_report
from tmserver.services import qa as qa_svc
from tmserver.services.glossary import Glossary


@click.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--input", "input_fmt", type=click.Choice(["json", "tmx", "xliff", "csv", "tsv"]),
              help="input format (guessed from the file name)")
@click.option("--format", "fmt", type=click.Choice(["json", "html", "csv"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write the report here (default stdout)")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True)
@click.option("--checks", help="comma-separated check ids (default: all)")
@click.option("--min-severity", type=click.Choice(["info", "warning", "error"]), default="info", show_default=True)
@click.option("--glossary", "glossary_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TBX or CSV term base (default: the server's glossary when --tm or --use-db)")
@click.option("--tm", "use_tm", is_flag=True, help="also check consistency against the TM in the database")
@click.option("--use-db", is_flag=True, help="use the server's glossary and stored suppressions")
@click.option("--suppress", "suppress_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="file of accepted issue signatures")
@click.option("--source-lang")
@click.option("--target-lang")
@click.pass_obj
def check(obj, file: Path, input_fmt, fmt, output, fail_on, checks, min_severity, glossary_file, use_tm, use_db,
          suppress_file, source_lang, target_lang) -> None:
    """Run QA checks on FILE (JSON, TMX, XLIFF 1.2/2.0, CSV, TSV) and write a report."""
    with open(file, "rb") as fh:
        head = fh.read(2048)
        fh.seek(0)
        kind = sniff(file.name, head, input_fmt)
        segments = read_segments(fh, kind, source_lang=source_lang, target_lang=target_lang)
    glossary = None
    if glossary_file:
        glossary = Glossary.from_csv(glossary_file) if glossary_file.suffix.lower() in (".csv", ".tsv") \
            else Glossary.from_tbx(glossary_file)
    extra = frozenset(qa_svc.parse_suppressions(suppress_file.read_bytes())) if suppress_file else frozenset()
    if use_tm or use_db:  # the server's glossary (unless a file is given), its suppressions, with --use-tm the TM
        options = qa_svc.QAOptions(checks, min_severity, with_tm=use_tm, glossary=glossary, suppressed=extra)
        report = qa_svc.check_segments(obj.tm, segments, options)
    else:
        if glossary is None:
            # not silent: a reviewer must know the term checks did not run
            click.echo("note: no glossary given, term checks skipped (use --glossary FILE, or --use-db for the "
                       "server's glossary)", err=True)
        report = run_checks(segments, checks=checks, glossary=glossary, suppressed=set(extra),
                            min_severity=min_severity)
    body, _ = render_report(report, fmt, f"QA report — {file.name}")
    if output:
        output.write_text(body, encoding="utf-8")
    else:
        click.echo(body, nl=not body.endswith("\n"))
    summ = report.summary()
    sev = summ["by_severity"]
    click.echo(f"{summ['segments']} segment(s): {sev['error']} error(s), {sev['warning']} warning(s), {sev['info']} info"
               f" ({summ['suppressed']} suppressed); --fail-on {fail_on}: {report.count_at_least(fail_on)} at or above",
               err=True)
    if report.count_at_least(fail_on):
        sys.exit(1)
