"""The placeable extractor, renderer, number/date QA and adapter give, on the whole corpus, exactly
the outputs recorded before the complexity refactor of issue 10 (see tests/characterization.py)."""

from __future__ import annotations

import pytest

from tests.characterization import load, snapshot


@pytest.fixture(scope="module")
def pair():
    return load(), snapshot()


@pytest.mark.parametrize("part", ["extract", "render", "render_styled", "qa", "adapt", "segment_zh", "glossary", "tbx"])
def test_same_as_recorded(pair, part):
    old, new = pair
    assert old[part], "the recorded snapshot is empty"
    diff = [k for k in old[part].keys() | new[part].keys() if old[part].get(k) != new[part].get(k)]
    assert not diff, f"{len(diff)} differ, e.g. {diff[0]!r}: {old[part].get(diff[0])!r} → {new[part].get(diff[0])!r}"


def test_snapshot_exercises_every_outcome(pair):
    old, _ = pair
    statuses = {v[0] for v in old["adapt"].values()}
    assert {"adapted", "blocked"} <= statuses
    kinds = {p[0] for ps in old["extract"].values() for p in ps}
    assert {"number", "percent", "ordinal", "year", "date", "month", "range", "note"} <= kinds
    assert any(v[2] for v in old["qa"].values()), "no QA issue recorded"
