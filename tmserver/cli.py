"""The ``tmserver`` command line: a thin face over :mod:`tmserver.services`, like the JSON API.

    tmserver serve                      # upgrade the DB, load alignments/ + glossary/ if empty, serve
    tmserver db upgrade
    tmserver import FILE [--format tmx|csv|tsv] [--origin NAME] [--on-violation refuse|skip|accept]
    tmserver export --format tmx -o tm.tmx
    tmserver lookup "网络空间命运共同体"
    tmserver keys create --role translator --name alice

Areas add their own commands (``glossary``, ``check``, ``align``) from their ``cli.py``.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tmserver import logs
from tmserver.align.cli import align
from tmserver.app import create_app
from tmserver.config import default_seed_dirs, load_settings, masked
from tmserver.dedup_cli import dedupe
from tmserver.docloop.cli import COMMANDS as docloop_commands
from tmserver.docloop.cli import echo_bring_back
from tmserver.errors import TMError
from tmserver.glossary.cli import glossary
from tmserver.qa.cli import check
from tmserver.services import keys as keys_svc
from tmserver.services import lookup as lookup_svc
from tmserver.services import schema as schema_svc
from tmserver.services import segments as segments_svc
from tmserver.services import transfer as transfer_svc
from tmserver.services.core import TM
from tmserver.services.transfer import detect_format
from tmserver.wsgi import run_gunicorn

if TYPE_CHECKING:  # for annotations only: the CLI imports Flask lazily, when a command needs the app
    from flask import Flask


class Context:
    """Lazily builds the app (and so the TM core) from the global options."""

    def __init__(self, database: str | None, config_file: str | None):
        self.database = database
        self.config_file = config_file
        self._app: Flask | None = None

    def overrides(self) -> dict[str, Any]:
        return {"DATABASE_URL": self.database} if self.database else {}

    @property
    def app(self) -> Flask:
        if self._app is None:
            self._app = create_app(self.overrides(), config_file=self.config_file)
        return self._app

    @property
    def tm(self):
        return self.app.extensions["tmserver"]


pass_ctx = click.make_pass_decorator(Context)


def fail(exc: TMError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    if exc.details:
        click.echo(json.dumps(exc.details, ensure_ascii=False, indent=2)[:4000], err=True)
    sys.exit(2)


class TMGroup(click.Group):
    """Turns domain errors into a one-line message and exit status 2 instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except TMError as exc:
            fail(exc)


@click.group(cls=TMGroup)
@click.option("--database", envvar="TMSERVER_DATABASE_URL", help="SQLAlchemy URL (default: SQLite in ./instance).")
@click.option("--config", "config_file", envvar="TMSERVER_CONFIG", type=click.Path(dir_okay=False),
              help="Python config file (UPPERCASE names).")
@click.version_option(package_name="tmserver")
@click.pass_context
def main(ctx: click.Context, database: str | None, config_file: str | None) -> None:
    """Chinese–English translation memory and terminology server."""
    ctx.obj = Context(database, config_file)
    logs.actor.set(f"cli ({getpass.getuser()})")


# -- serve and database ---------------------------------------------------------------------------


def seed_if_empty(tm: TM, dirs: list[Path], echo: Callable[[str], Any] = click.echo) -> dict[str, int]:
    """Load ``glossary/*.tbx`` then ``alignments/*.tmx`` into an empty TM (see
    :func:`tmserver.services.transfer.seed_if_empty`)."""
    return transfer_svc.seed_if_empty(tm, dirs, echo)


def default_workers() -> int:
    """One gunicorn worker per CPU (at most 8). A lookup is CPU-bound Python and holds the GIL, so
    threads of one process share one core; processes are cheap because the saved index is
    memory-mapped and shared (the worker-count comparison is in bench/RESULTS.md, issue 17)."""
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="gunicorn worker processes  [default: one per CPU, at most 8]")
@click.option("--threads", default=4, show_default=True, type=int, help="threads per worker")
@click.option("--seed/--no-seed", default=True, show_default=True,
              help="load alignments/*.tmx and glossary/*.tbx into an empty database")
@click.option("--dev", is_flag=True, help="use Flask's development server instead of gunicorn")
@pass_ctx
def serve(obj: Context, host: str, port: int, workers: int | None, threads: int, seed: bool, dev: bool) -> None:
    """Upgrade the database, load the shipped TM when it is empty, and serve the API."""
    workers = workers or default_workers()
    app = obj.app  # upgrades an empty or older database
    tm = obj.tm
    if seed:
        dirs = [Path(d) for d in (app.config.get("SEED_DIRS") or [])] or default_seed_dirs()
        seed_if_empty(tm, dirs)
    # (no count of the units here: it reads every row, seconds at 1e7; /api/v1/health has it)
    click.echo(f"tmserver: serving the TM on {tm.engine.dialect.name}; http://{host}:{port}/api/v1/docs")
    if dev:
        app.run(host=host, port=port, threaded=True)
        return
    tm.engine.dispose()  # do not share pooled connections with forked workers
    run_gunicorn(obj.overrides(), obj.config_file, host=host, port=port, workers=workers, threads=threads)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
@pass_ctx
def db_upgrade(obj: Context, revision: str) -> None:
    """Apply Alembic migrations."""
    app = create_app({**obj.overrides(), "AUTO_UPGRADE": False}, config_file=obj.config_file)
    click.echo(f"database at revision {schema_svc.upgrade(app.extensions['tmserver'], revision)}")


@main.group("config")
def config_group() -> None:
    """Inspect the effective configuration."""


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="print a JSON object instead of a table")
@pass_ctx
def config_show(obj: Context, as_json: bool) -> None:
    """Print every setting with its effective value and where it came from (secrets masked).

    The values are validated exactly as ``serve`` validates them, so a bad value fails here too.
    """
    values, origin = load_settings(obj.overrides(), obj.config_file)
    shown = {k: masked(k, v) for k, v in values.items() if k.isupper()}
    if as_json:
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
        return
    width = max(len(k) for k in shown)
    for key, value in shown.items():
        click.echo(f"{key:<{width}}  {value!r:<40}  {origin.get(key, 'default')}")


# -- files --------------------------------------------------------------------------------------


class _CountingReader:
    """Wraps a binary file to report how many bytes the parser has consumed (progress bar)."""

    def __init__(self, fh):
        self._fh = fh
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self.pos += len(data)
        return data

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["tmx", "csv", "tsv", "xliff", "po"]), help="default: from the file name")
@click.option("--origin", help="collection name stored with each segment (default: file name)")
@click.option("--on-violation", type=click.Choice(["refuse", "skip", "accept"]), default="refuse", show_default=True,
              help="glossary violations under the strict policy: refuse the file, skip those units, or accept all flagged")
@click.option("--source-lang", help="for CSV/TSV without a language header")
@click.option("--target-lang", help="for CSV/TSV without a language header")
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.option("--on-duplicate", type=click.Choice(["skip", "update", "keep"]), default="skip", show_default=True,
              help="pairs already stored in the same origin: skip them, update their metadata, or keep a copy")
@click.option("--punctuation", type=click.Choice(["verbatim", "fullwidth"]), default="verbatim", show_default=True,
              help="fullwidth: store Chinese text with GB/T 15834 punctuation")
@click.option("--final-states", help="XLIFF/PO bring-back: comma-separated states to import "
              "(default: XLIFF 1.2 final,signed-off; 2.0 final; PO translated)")
@pass_ctx
def import_cmd(obj: Context, file: Path, fmt: str | None, origin: str | None, on_violation: str,
               source_lang: str | None, target_lang: str | None, quiet: bool, on_duplicate: str = "skip",
               punctuation: str = "verbatim", final_states: str | None = None) -> None:
    """Import a TMX, CSV or TSV file, or the final units of a translated XLIFF/PO, in one
    transaction (all or nothing)."""
    if fmt in ("xliff", "po") or (fmt is None and file.suffix.lower() in (".xlf", ".xliff", ".po")):
        echo_bring_back(obj.tm, file, fmt=fmt, origin=origin or file.stem, on_violation=on_violation,
                        final_states=final_states, source_lang=source_lang, target_lang=target_lang,
                        on_duplicate=on_duplicate)
        return
    with file.open("rb") as raw:
        fmt = fmt or detect_format(file.name, raw.read(512))
        raw.seek(0)
        reader = _CountingReader(raw)
        size = file.stat().st_size
        with click.progressbar(length=size, label=f"importing {file.name}", hidden=quiet, file=sys.stderr) as bar:
            last = [0]

            def progress(_units: int) -> None:
                bar.update(reader.pos - last[0])
                last[0] = reader.pos

            options = transfer_svc.ImportOptions(origin=origin or file.stem, user="cli", on_violation=on_violation,
                                                 source_lang=source_lang, target_lang=target_lang,
                                                 on_duplicate=on_duplicate, punctuation=punctuation)
            report = transfer_svc.import_file(obj.tm, reader, fmt, options, progress=progress)
            bar.update(size - last[0])
    click.echo(f"imported {report.imported} of {report.total} units"
               + (f", {report.duplicates} already stored ({on_duplicate})" if report.duplicates else "")
               + (f", skipped {report.skipped}" if report.skipped else "")
               + (f", flagged {report.flagged}" if report.flagged else ""))


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["tmx", "csv", "tsv"]), default="tmx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--source-lang")
@click.option("--target-lang")
@click.option("--origin")
@click.option("--punctuation", type=click.Choice(["verbatim", "fullwidth"]), default="verbatim", show_default=True,
              help="fullwidth: Chinese text with GB/T 15834 punctuation, for CAT tools that match verbatim")
@pass_ctx
def export_cmd(obj: Context, fmt: str, output: Path, source_lang: str | None, target_lang: str | None,
               origin: str | None, punctuation: str = "verbatim") -> None:
    """Export the TM (streamed) as TMX, CSV or TSV."""
    tmp = output.with_name(output.name + ".part")
    with tmp.open("wb") as fh:
        n = transfer_svc.export_file(obj.tm, fh, fmt,
                                     transfer_svc.ExportOptions(source_lang, target_lang, origin, punctuation))
    tmp.replace(output)
    click.echo(f"exported {n} units to {output}")


# -- lookup ---------------------------------------------------------------------------------------


@main.command()
@click.argument("text")
@click.option("--source-lang", default="zh", show_default=True)
@click.option("--target-lang", default="en", show_default=True)
@click.option("--min-score", default=70, show_default=True, type=int)
@click.option("--limit", default=5, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="print the JSON the API returns")
@pass_ctx
def lookup(obj: Context, text: str, source_lang: str, target_lang: str, min_score: int, limit: int,
           as_json: bool) -> None:
    """Fuzzy-match TEXT against the TM."""
    result = lookup_svc.lookup(obj.tm, lookup_svc.LookupQuery(text, source_lang, target_lang, limit, min_score)).to_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if not result["matches"]:
        click.echo("no match")
    for m in result["matches"]:
        part = m.get("subsegment")
        if part:  # a sentence inside a longer unit: show the part and its target part
            click.echo(f"{m['score']:>3}  [part of unit {m['id']}] {part['source_text']}\n"
                       f"     {part['target_text'] if part['target_text'] is not None else m['target']}")
        else:
            click.echo(f"{m['score']:>3}  {m['source']}\n     {m['target']}")


# -- keys -------------------------------------------------------------------------------------------


@main.group()
def keys() -> None:
    """API keys (roles: reader < translator < admin)."""


@keys.command("create")
@click.option("--role", type=click.Choice(["reader", "translator", "admin"]), required=True)
@click.option("--name", required=True)
@pass_ctx
def keys_create(obj: Context, role: str, name: str) -> None:
    """Create a key and print its secret (shown this once only)."""
    new = keys_svc.create_key(obj.tm, name, role)
    click.echo(f"created key {new.key.id} ({role}) for {name}; store this secret now, it is not shown again:",
               err=True)
    click.echo(new.secret)


@keys.command("list")
@pass_ctx
def keys_list(obj: Context) -> None:
    """List keys (never their secrets)."""
    for k in keys_svc.list_keys(obj.tm):
        state = f"revoked {k.revoked_at}" if k.revoked_at else "active"
        click.echo(f"{k.id:>4}  {k.role:<10} {k.name:<20} {k.prefix}…  {state}")


@keys.command("revoke")
@click.argument("key_id", type=int)
@pass_ctx
def keys_revoke(obj: Context, key_id: int) -> None:
    """Revoke a key by id."""
    keys_svc.revoke_key(obj.tm, key_id)
    click.echo(f"revoked key {key_id}")


@main.command("policy")
@click.argument("policy", required=False, type=click.Choice(["strict", "warn", "off"]))
@click.option("--origin", help="set or show the policy of one collection")
@pass_ctx
def policy_cmd(obj: Context, policy: str | None, origin: str | None) -> None:
    """Show or set the glossary enforcement policy."""
    click.echo(segments_svc.set_policy(obj.tm, policy, origin) if policy else segments_svc.policy(obj.tm, origin))


def _register_area_commands() -> None:
    for command in (glossary, check, align, dedupe, *docloop_commands):
        main.add_command(command)


_register_area_commands()


if __name__ == "__main__":
    main()
