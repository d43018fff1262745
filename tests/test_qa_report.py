"""The HTML report a reviewer reads: counts that filter, rows that carry what the filters and the
suppression-file button need, and no JavaScript string broken by a raw newline."""

from __future__ import annotations

from tmserver.qa import QASegment, run_checks
from tmserver.qa.report import _JS, to_html


def test_html_rows_carry_filters_and_signatures_and_counts_are_clickable():
    segs = [QASegment("a", "全球约有26亿人。", "About 2.6 million people。", where="line 2"),
            QASegment("b", "我们", "the the world")]
    report = run_checks(segs)
    page = to_html(report)
    assert page.count("<tr data-check=") == len(report.issues) == 3
    for i in report.issues:
        assert f'data-sig="{i.signature}"' in page
    assert 'data-pick-check="number_mismatch"' in page and 'data-pick-sev="error"' in page
    assert "<mark>26亿</mark>" in page and "<mark>2.6 million</mark>" in page  # one row, both sides marked
    assert '<span class="where">line 2</span>' in page and 'id="empty"' in page and "of 3 shown" in page
    # a raw newline inside a JS string literal kills the whole script: every line closes its quotes
    assert all(line.count("'") % 2 == 0 for line in _JS.splitlines()), "unterminated JS string"


def test_rows_show_the_text_of_the_segment_that_has_the_issue_when_ids_repeat():
    from tmserver.qa.report import to_csv

    report = run_checks([QASegment("a", "我们", "the the world"), QASegment("a", "他们", "They are here.")])
    assert "<mark>the the</mark> world" in to_html(report)
    (row,) = to_csv(report).splitlines()[1:]
    assert "the the world" in row and "They are here." not in row
