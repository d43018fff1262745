"""The Files page: analyse and pre-translate documents, QA-check a file, import and export the TM.

Analysis and pre-translation call :func:`tmserver.docloop.analyze` and
:func:`tmserver.docloop.pretranslate` (as ``/api/v1/analyze`` and ``/api/v1/pretranslate`` do)
in a background job: the job page shows the analysis's HTML report in place and offers the
pre-translated file (or the analysis as CSV) for download. Neither reports progress while it
runs, so their job page says "running" and the time elapsed, nothing more.

QA runs the same engine as ``POST /api/v1/qa`` (:func:`tmserver.qa.engine.run_checks` with this
server's glossary and stored suppressions) and shows the self-contained HTML report in a
sandboxed frame. An import runs as a background job (:mod:`tmserver.web.jobs`) whose page
reports the units read so far; it is one transaction, all or nothing, like the API's.
"""

from __future__ import annotations

import io
import tempfile
from typing import Any, TypedDict

from flask import Response, current_app, jsonify, redirect, render_template, request, send_file, url_for

from tmserver.errors import ValidationError
from tmserver.qa.inputs import FORMATS as QA_FORMATS
from tmserver.qa.inputs import read_segments, sniff
from tmserver.qa.report import render_report
from tmserver.services import qa as qa_svc
from tmserver.services import transfer as transfer_svc
from tmserver.services.docloop import analyze, pretranslate
from tmserver.services.transfer import EXPORT_FORMATS, ON_VIOLATION, detect_format
from tmserver.web.base import bp, csrf_token, get_tm, page_role, user_name
from tmserver.web.jobs import Jobs, Output, owner_token

EXPORT_TYPES = {"tmx": "application/x-tmx+xml", "csv": "text/csv", "tsv": "text/tab-separated-values"}


def jobs() -> Jobs:
    return Jobs(current_app.config.get("WEB_JOBS_DIR") or f"{current_app.instance_path}/web-jobs")


def _owner() -> str:
    return owner_token(csrf_token())


def _upload() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Choose a file first.", {"field": "file"})
    return upload.filename, upload.read()


def _page(**extra: Any):
    return render_template("web/files.html", qa_formats=QA_FORMATS, on_violation=ON_VIOLATION,
                           export_formats=EXPORT_FORMATS, **extra)


@bp.get("/files")
@page_role("reader")
def files():
    return _page()


class _Langs(TypedDict):
    """The language fields of a file form, passed on as keyword arguments (typed, so ** checks)."""

    source_lang: str | None
    target_lang: str | None


def _langs() -> _Langs:
    def field(name: str) -> str | None:
        return (request.form.get(name) or "").strip() or None

    return _Langs(source_lang=field("source_lang"), target_lang=field("target_lang"))


@bp.post("/files/analyze")
@page_role("reader")
def files_analyze():
    uploads = [(f.filename or f"upload-{i}", f.read()) for i, f in enumerate(request.files.getlist("file"), 1)
               if f.filename]
    if not uploads:
        raise ValidationError("Choose one or more files to analyse.", {"field": "file"})
    tm, langs = get_tm(), _langs()

    def work(progress) -> Output:
        progress(f"analysing {len(uploads)} file(s)")
        report = analyze(tm, uploads, **langs)
        total = report.to_dict()["summary"]["total"]
        return Output(summary={"files": len(uploads), **{k: v for k, v in total.items() if not isinstance(v, dict)}},
                      filename="analysis.csv", data=report.to_csv().encode("utf-8"), media_type="text/csv",
                      report_html=report.to_html())

    names = ", ".join(n for n, _ in uploads)
    job = jobs().start("analyze", f"Analysis of {names}", _owner(), work)
    return redirect(url_for("web.job", job_id=job), code=303)


@bp.post("/files/pretranslate")
@page_role("reader")
def files_pretranslate():
    name, data = _upload()
    try:
        threshold = int(request.form.get("threshold") or 75)
    except ValueError:
        raise ValidationError("the threshold must be a whole number from 0 to 101", {"field": "threshold"}) from None
    overwrite = request.form.get("overwrite") == "1"
    tm, langs = get_tm(), _langs()

    def work(progress) -> Output:
        progress("pre-translating")
        result = pretranslate(tm, name, data, threshold=threshold, overwrite=overwrite, **langs)
        return Output(summary=result.report, filename=result.filename, data=result.data,
                      media_type=result.media_type)

    job = jobs().start("pretranslate", f"Pre-translation of {name}", _owner(), work)
    return redirect(url_for("web.job", job_id=job), code=303)


@bp.post("/files/qa")
@page_role("reader")
def files_qa():
    name, data = _upload()
    fmt = sniff(name, data[:2048], request.form.get("input") or None)
    if fmt not in QA_FORMATS:
        raise ValidationError(f"cannot check a {fmt!r} file; send one of {', '.join(QA_FORMATS)}", {"format": fmt})
    segments = read_segments(io.BytesIO(data), fmt)
    if not segments:
        raise ValidationError("nothing to check: no segments found in the file")
    report = qa_svc.check_segments(get_tm(), segments, qa_svc.QAOptions(with_tm=request.form.get("tm") == "1"))
    title = f"QA report — {name}"
    if request.form.get("output") == "csv":
        body, _mime = render_report(report, "csv", title)
        return Response(body, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{_stem(name)}.qa.csv"'})
    body, _mime = render_report(report, "html", title)
    return _page(qa={"name": name, "summary": report.summary(), "html": body})


def _stem(name: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name.rsplit("/", 1)[-1])
    return (safe.rsplit(".", 1)[0] or "file")[:80]


@bp.post("/files/import")
@page_role("admin")
def files_import():
    name, data = _upload()
    fmt = request.form.get("format") or detect_format(name, data[:512])
    on_violation = request.form.get("on_violation") or "refuse"
    origin = (request.form.get("origin") or "").strip() or name
    tm, user = get_tm(), user_name()
    if on_violation not in ON_VIOLATION:
        raise ValidationError(f"on_violation must be one of {', '.join(ON_VIOLATION)}")

    def work(progress) -> Output:
        options = transfer_svc.ImportOptions(origin=origin, user=user, on_violation=on_violation)
        report = transfer_svc.import_file(tm, io.BytesIO(data), fmt, options,
                                          progress=lambda n: progress(f"{n:,} units read"))
        return Output(summary={"format": fmt, "origin": origin, **report.to_dict()})

    job = jobs().start("import", f"Import {name}", _owner(), work)
    return redirect(url_for("web.job", job_id=job), code=303)


@bp.get("/files/export")
@page_role("reader")
def files_export():
    fmt = request.args.get("format", "tmx")
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    tmp = tempfile.TemporaryFile()
    transfer_svc.export_file(get_tm(), tmp, fmt)
    tmp.seek(0)
    return send_file(tmp, mimetype=EXPORT_TYPES[fmt], as_attachment=True, download_name=f"tm.{fmt}")


@bp.get("/files/jobs/<job_id>")
@page_role("reader")
def job(job_id: str):
    state = jobs().state(job_id, _owner())
    report = jobs().report_html(job_id, _owner())
    return render_template("web/job.html", job=state, report_html=report)


@bp.get("/files/jobs/<job_id>/state")
@page_role("reader")
def job_state(job_id: str):
    """The job's state for the polling script (JSON, so the page can update in place)."""
    state = jobs().state(job_id, _owner())
    return jsonify({k: state.get(k) for k in ("status", "progress", "elapsed")})


@bp.get("/files/jobs/<job_id>/download")
@page_role("reader")
def job_download(job_id: str):
    path, state = jobs().result_path(job_id, _owner())
    return send_file(path, mimetype=state.get("media_type") or "application/octet-stream", as_attachment=True,
                     download_name=state["filename"])
