"""Reports: JSON (the API shape), CSV (one row per issue) and a self-contained HTML page.

The HTML page has no external assets (no CDN, no fonts, no scripts from elsewhere) so it opens
from an e-mail attachment on an offline laptop: summary counts per check and severity, a table
filterable by check, severity and free text, and source/target with the offending spans marked.
"""

from __future__ import annotations

import csv
import html
import io
import json

from tmserver.qa.base import REGISTRY, SEVERITIES, Issue, QASegment
from tmserver.qa.engine import Report


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


CSV_FIELDS = ["check", "severity", "segment_id", "message", "source", "target", "source_span", "target_span",
              "signature"]


def to_csv(report: Report) -> str:
    by_id = {s.id: s for s in report.segments}
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_FIELDS)
    for i in report.issues:
        seg = by_id.get(i.segment_id)
        w.writerow([i.check, i.severity, i.segment_id, i.message, seg.source if seg else "", seg.target if seg else "",
                    f"{i.source_span[0]}-{i.source_span[1]}" if i.source_span else "",
                    f"{i.target_span[0]}-{i.target_span[1]}" if i.target_span else "", i.signature])
    return out.getvalue()


def _mark(text: str, span) -> str:
    if not span:
        return html.escape(text)
    s, e = span
    return (html.escape(text[:s]) + '<mark>' + (html.escape(text[s:e]) or "&#8203;") + "</mark>"
            + html.escape(text[e:]))


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:1.5em;color:#1d2330}
h1{font-size:1.4em;margin:0 0 .3em} table{border-collapse:collapse;width:100%} th,td{border:1px solid #d5d9e0;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eef1f5;position:sticky;top:0} .sev-error{color:#b00020;font-weight:600} .sev-warning{color:#9a5b00} .sev-info{color:#456}
mark{background:#ffe08a;border-bottom:2px solid #e0a800;padding:0 1px} .txt{white-space:pre-wrap;max-width:34em}
.summary{display:flex;gap:2em;flex-wrap:wrap;margin:1em 0} .summary table{width:auto} .controls{margin:1em 0;display:flex;gap:1em;flex-wrap:wrap}
.muted{color:#667} td.num{text-align:right}
"""

_JS = """
(function(){var c=document.getElementById('f-check'),s=document.getElementById('f-sev'),q=document.getElementById('f-text'),n=document.getElementById('shown');
var rank={info:0,warning:1,error:2};
function apply(){var rows=document.querySelectorAll('#issues tbody tr'),k=0;for(var i=0;i<rows.length;i++){var r=rows[i];
var ok=(!c.value||r.dataset.check===c.value)&&(rank[r.dataset.sev]>=rank[s.value])&&(!q.value||r.textContent.toLowerCase().indexOf(q.value.toLowerCase())>=0);
r.style.display=ok?'':'none';if(ok)k++;}n.textContent=k;}
c.onchange=s.onchange=apply;q.oninput=apply;apply();})();
"""


def to_html(report: Report, title: str = "QA report") -> str:
    summ = report.summary()
    by_id: dict[str, QASegment] = {s.id: s for s in report.segments}
    rows = []
    for i in report.issues:
        seg = by_id.get(i.segment_id)
        src = _mark(seg.source, i.source_span) if seg else ""
        tgt = _mark(seg.target, i.target_span) if seg else ""
        rows.append(
            f'<tr data-check="{html.escape(i.check)}" data-sev="{i.severity}">'
            f'<td>{html.escape(i.segment_id)}</td><td class="sev-{i.severity}">{i.severity}</td>'
            f'<td>{html.escape(i.check)}</td><td>{html.escape(i.message)}</td>'
            f'<td class="txt" lang="{html.escape(seg.source_lang if seg else "")}">{src}</td>'
            f'<td class="txt" lang="{html.escape(seg.target_lang if seg else "")}">{tgt}</td>'
            f'<td class="muted"><code>{i.signature}</code></td></tr>'
        )
    check_rows = []
    for cid, counts in summ["by_check"].items():
        desc = REGISTRY[cid].description if cid in REGISTRY else ""
        cells = "".join(f'<td class="num">{counts.get(s, 0) or ""}</td>' for s in reversed(SEVERITIES))
        check_rows.append(f'<tr><td title="{html.escape(desc)}">{html.escape(cid)}</td>{cells}</tr>')
    sev_cells = "".join(f'<td class="num sev-{s}">{summ["by_severity"][s]}</td>' for s in reversed(SEVERITIES))
    options = "".join(f'<option value="{html.escape(c)}">{html.escape(c)}</option>' for c in summ["by_check"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="muted">{summ["segments"]} segments checked · {summ["issues"]} issues · {summ["suppressed"]} suppressed (accepted earlier) ·
checks: {html.escape(", ".join(summ["checks"]))}</p>
<div class="summary">
<table><thead><tr><th>error</th><th>warning</th><th>info</th></tr></thead><tbody><tr>{sev_cells}</tr></tbody></table>
<table><thead><tr><th>check</th><th>error</th><th>warning</th><th>info</th></tr></thead><tbody>{"".join(check_rows) or '<tr><td colspan="4">no issues</td></tr>'}</tbody></table>
</div>
<div class="controls"><label>check <select id="f-check"><option value="">all</option>{options}</select></label>
<label>at least <select id="f-sev"><option value="info">info</option><option value="warning">warning</option><option value="error">error</option></select></label>
<label>text <input id="f-text" type="search" placeholder="filter…"></label><span class="muted"><span id="shown"></span> shown</span></div>
<table id="issues"><thead><tr><th>segment</th><th>severity</th><th>check</th><th>message</th><th>source</th><th>target</th><th>signature</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<script>{_JS}</script></body></html>
"""


def render_report(report: Report, fmt: str, title: str = "QA report") -> tuple[str, str]:
    """(body, mimetype) for ``json``, ``html`` or ``csv``."""
    if fmt == "html":
        return to_html(report, title), "text/html; charset=utf-8"
    if fmt == "csv":
        return to_csv(report), "text/csv; charset=utf-8"
    return to_json(report), "application/json"


__all__ = ["to_json", "to_csv", "to_html", "render_report", "Issue"]
