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

from tmserver.qa.base import REGISTRY, SEVERITIES, Issue
from tmserver.qa.engine import Report


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


CSV_FIELDS = ["check", "severity", "segment_id", "message", "source", "target", "source_span", "target_span",
              "signature"]


def to_csv(report: Report) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_FIELDS)
    for i in report.issues:
        seg = i.segment
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
.summary{display:flex;gap:2em;flex-wrap:wrap;margin:1em 0;align-items:flex-start} .summary table{width:auto}
.controls{margin:1em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center;position:sticky;top:0;background:#fff;padding:.4em 0;z-index:2}
#issues th{top:2.6em} .muted{color:#667} td.num{text-align:right} .desc{color:#667;font-size:.9em}
.summary td,.summary th{padding:2px 8px} abbr{text-decoration:none} .pick{cursor:pointer} .pick:hover{background:#f3f6fb} code.sig{font-size:.8em} .where{display:block;color:#667;font-size:.85em}
#empty{display:none;color:#667;margin:1em 0} #sigs{width:100%;height:6em;font:12px monospace;display:none;margin-top:.5em}
"""

_JS = """
(function(){var c=document.getElementById('f-check'),s=document.getElementById('f-sev'),q=document.getElementById('f-text'),
n=document.getElementById('shown'),empty=document.getElementById('empty'),sigs=document.getElementById('sigs');
var rank={info:0,warning:1,error:2};
function shownRows(){var out=[],rows=document.querySelectorAll('#issues tbody tr');for(var i=0;i<rows.length;i++){if(rows[i].style.display!=='none')out.push(rows[i]);}return out;}
function apply(){var rows=document.querySelectorAll('#issues tbody tr'),k=0,t=q.value.trim().toLowerCase();for(var i=0;i<rows.length;i++){var r=rows[i];
var ok=(!c.value||r.dataset.check===c.value)&&(rank[r.dataset.sev]>=rank[s.value])&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);
r.style.display=ok?'':'none';if(ok)k++;}n.textContent=k;empty.style.display=k?'none':'block';
if(sigs.style.display==='block')fill();}
function fill(){sigs.value='# accepted QA issues (tmserver check --suppress FILE)\\n'+shownRows().map(function(r){return r.dataset.sig+'  # '+r.dataset.check+' '+r.dataset.seg;}).join('\\n')+'\\n';}
var picks=document.querySelectorAll('[data-pick-check],[data-pick-sev]');for(var i=0;i<picks.length;i++){picks[i].onclick=function(){
if(this.dataset.pickCheck!==undefined)c.value=this.dataset.pickCheck;if(this.dataset.pickSev)s.value=this.dataset.pickSev;apply();};}
document.getElementById('f-reset').onclick=function(){c.value='';s.value='info';q.value='';apply();};
document.getElementById('f-sigs').onclick=function(){sigs.style.display='block';fill();sigs.select();};
c.onchange=s.onchange=apply;q.oninput=apply;apply();})();
"""


def to_html(report: Report, title: str = "QA report") -> str:
    summ = report.summary()
    rows = []
    for i in report.issues:
        seg = i.segment
        src = _mark(seg.source, i.source_span) if seg else ""
        tgt = _mark(seg.target, i.target_span) if seg else ""
        where = f'<span class="where">{html.escape(seg.where)}</span>' if seg and seg.where else ""
        rows.append(
            f'<tr data-check="{html.escape(i.check)}" data-sev="{i.severity}" data-sig="{i.signature}" '
            f'data-seg="{html.escape(i.segment_id)}">'
            f'<td>{html.escape(i.segment_id)}{where}</td><td class="sev-{i.severity}">{i.severity}</td>'
            f'<td>{html.escape(i.check)}</td><td>{html.escape(i.message)}</td>'
            f'<td class="txt" lang="{html.escape(seg.source_lang if seg else "")}">{src}</td>'
            f'<td class="txt" lang="{html.escape(seg.target_lang if seg else "")}">{tgt}</td>'
            f'<td class="muted"><code class="sig">{i.signature}</code></td></tr>'
        )
    check_rows = []
    for cid, counts in summ["by_check"].items():
        desc = REGISTRY[cid].description if cid in REGISTRY else ""
        cells = "".join(f'<td class="num sev-{s}">{counts.get(s, 0) or ""}</td>' for s in reversed(SEVERITIES))
        check_rows.append(f'<tr class="pick" data-pick-check="{html.escape(cid)}" data-pick-sev="info" title="show only {html.escape(cid)}">'
                          f'<td><abbr title="{html.escape(desc)}">{html.escape(cid)}</abbr></td>{cells}</tr>')
    sev_cells = "".join(f'<td class="num sev-{s} pick" data-pick-sev="{s}" title="show {s} and above">'
                        f'{summ["by_severity"][s]}</td>' for s in reversed(SEVERITIES))
    supp = summ.get("suppressed_by_check") or {}
    supp_line = ("<p class=\"muted\">suppressed (accepted earlier, not listed): "
                 + html.escape(", ".join(f"{k} {v}" for k, v in sorted(supp.items()))) + "</p>") if supp else ""
    options = "".join(f'<option value="{html.escape(c)}">{html.escape(c)}</option>' for c in summ["by_check"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="muted">{summ["segments"]} segments checked · {summ["issues"]} issues · {summ["suppressed"]} suppressed (accepted earlier) ·
checks: {html.escape(", ".join(summ["checks"]))}</p>
<div class="summary">
<table><thead><tr><th>error</th><th>warning</th><th>info</th><th>suppressed</th></tr></thead><tbody><tr>{sev_cells}<td class="num muted">{summ["suppressed"]}</td></tr></tbody></table>
<table><thead><tr><th>check (click to filter)</th><th>error</th><th>warning</th><th>info</th></tr></thead><tbody>{"".join(check_rows) or '<tr><td colspan="4">no issues</td></tr>'}</tbody></table>
</div>
{supp_line}
<div class="controls"><label>check <select id="f-check"><option value="">all</option>{options}</select></label>
<label>severity at least <select id="f-sev"><option value="info">info</option><option value="warning">warning</option><option value="error">error</option></select></label>
<label>text <input id="f-text" type="search" placeholder="segment, message, source or target…" size="34"></label>
<button id="f-reset" type="button">show all</button><span class="muted"><span id="shown"></span> of {len(rows)} shown</span>
<button id="f-sigs" type="button" title="signatures of the rows shown, as a suppression file">suppression file for shown rows</button></div>
<textarea id="sigs" readonly></textarea>
<table id="issues"><thead><tr><th>segment</th><th>severity</th><th>check</th><th>message</th><th>source</th><th>target</th><th>signature</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<p id="empty">No issue matches these filters.</p>
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
