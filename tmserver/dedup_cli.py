"""``tmserver dedupe``: report, and with ``--merge`` merge, duplicate pairs already stored.

Writes since the duplicate policy (:mod:`tmserver.dedup`) store a pair once per origin; this
command cleans data from before it, or written with ``on_duplicate=keep``.
"""

from __future__ import annotations

import json
from typing import Any

import click

from tmserver.services import segments as segments_svc


@click.command("dedupe")
@click.option("--merge", is_flag=True, help="merge each group into its oldest segment (default: only report)")
@click.option("--across-origins", is_flag=True, help="treat the same pair in different origins as duplicates too")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.pass_obj
def dedupe(obj: Any, merge: bool, across_origins: bool, as_json: bool) -> None:
    """Report duplicate segments (same languages, origin and normalized source+target)."""
    report = segments_svc.dedupe(obj.tm, merge=merge, across_origins=across_origins, user="cli")
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for g in report["details"][:50]:
        ids = ", ".join(str(i) for i in g["duplicates"])
        click.echo(f"#{g['keep']} [{g['origin'] or '-'}] {g['source'][:40]!r} ← duplicates {ids}")
    if len(report["details"]) > 50:
        click.echo(f"… and {len(report['details']) - 50} more groups")
    verb = "merged" if merge else "found"
    click.echo(f"{verb} {report['duplicates']} duplicate(s) in {report['groups']} group(s)"
               + ("" if merge or not report["groups"] else "; run with --merge to merge them"))
