"""The service layer is the one way in: a lookup is ONE transaction, whichever face asks, and the
API and the CLI return the same document for the same query."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from tmserver import cli
from tmserver.services import lookup as lookup_svc

CONCEPT = {
    "id": "svc-1",
    "terms": [
        {"text": "数据主权", "lang": "zh"},
        {"text": "data sovereignty", "lang": "en"},
        {"text": "data dominion", "lang": "en", "status": "deprecated"},
    ],
}
QUERY = "各国应当尊重彼此的数据主权。"


class Transactions:
    """Counts transactions begun on an engine (every BEGIN, ORM session or bare connection)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.count = 0

    def _begin(self, _conn) -> None:
        self.count += 1

    def __enter__(self) -> Transactions:
        event.listen(self.engine, "begin", self._begin)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "begin", self._begin)


@pytest.fixture()
def seeded(client, auth, tm):
    """A glossary concept, stored units (one breaking the glossary: warn policy) and a warm index."""
    assert client.post("/api/v1/glossary/concepts", json=CONCEPT, headers=auth("admin")).status_code == 201
    tm.set_glossary_policy("warn")
    for source, target in [("各国应当尊重彼此的数据主权。", "States should respect each other's data dominion."),
                           ("各国应当尊重彼此的主权。", "States should respect each other's sovereignty."),
                           ("数字经济发展迅速。", "The digital economy grows fast.")]:
        r = client.post("/api/v1/segments", json={"source": source, "target": target}, headers=auth("translator"))
        assert r.status_code == 201, r.json
    tm.index.warm("zh")  # the one-time index build is start-up work, not the lookup's
    # a write after the build: the next lookup must poll the change log (in its own transaction)
    r = client.post("/api/v1/segments", json={"source": "各国应当尊重数据主权。", "target": "States should respect data sovereignty."},
                    headers=auth("translator"))
    assert r.status_code == 201
    return tm


@pytest.fixture()
def cli_on_app(app, monkeypatch):
    """The CLI's Context on the test's app (its TM and warm index), so only the command's own
    work is counted."""
    monkeypatch.setattr(cli.Context, "app", property(lambda self: app))
    return lambda *args: CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_api_lookup_is_one_transaction(client, seeded):
    with Transactions(seeded.engine) as tx:
        r = client.get("/api/v1/lookup", query_string={"q": QUERY, "min_score": 50})
    assert r.status_code == 200
    assert r.json["terms"] and r.json["matches"][0]["term_problems"], r.json  # annotated inside that one
    assert any(m["source"] == "各国应当尊重数据主权。" for m in r.json["matches"])  # the write after the build
    assert tx.count == 1


def test_cli_lookup_is_one_transaction(cli_on_app, seeded):
    with Transactions(seeded.engine) as tx:
        r = cli_on_app("lookup", "--json", "--min-score", "50", QUERY)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["terms"]
    assert tx.count == 1


def test_batch_lookup_is_one_transaction(client, seeded):
    with Transactions(seeded.engine) as tx:
        r = client.post("/api/v1/lookup/batch", json={"segments": [QUERY, "数字经济发展迅速。"], "min_score": 50})
    assert r.status_code == 200 and len(r.json["results"]) == 2
    assert tx.count == 1


def test_api_and_cli_return_the_same_document(client, cli_on_app, seeded):
    api = client.get("/api/v1/lookup", query_string={"q": QUERY, "min_score": 50, "limit": 3}).json
    out = cli_on_app("lookup", "--json", "--min-score", "50", "--limit", "3", QUERY)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == api
    assert api["terms"] and any(m.get("term_problems") for m in api["matches"])


def test_service_result_is_typed(seeded):
    result = lookup_svc.lookup(seeded, lookup_svc.LookupQuery(QUERY, min_score=50))
    assert isinstance(result, lookup_svc.LookupResult)
    assert result.matches and result.terms is not None
    bare = lookup_svc.lookup(seeded, lookup_svc.LookupQuery(QUERY, min_score=50), annotate=False)
    assert bare.terms is None and "terms" not in bare.to_dict()


def test_a_lookup_with_an_older_snapshot_never_steps_the_index_back(client, auth, tm):
    """Lookups poll the change log in their own transaction, whose snapshot may predate another
    thread's poll: that must neither read the shorter log as a reset (a full rebuild) nor hand
    rows over twice."""
    from sqlalchemy import func, select

    from tmserver.store.models import Segment

    def add(source: str, target: str) -> None:
        r = client.post("/api/v1/segments", json={"source": source, "target": target}, headers=auth("translator"))
        assert r.status_code == 201, r.json

    add("数字经济发展迅速。", "The digital economy grows fast.")
    tm.index.warm("zh")
    follower = tm.index._slots["zh"].follower
    with tm.read_session() as old:
        old.scalar(select(func.count(Segment.id)))  # fixes this transaction's snapshot
        add("网络空间命运共同体。", "A community with a shared future in cyberspace.")
        first: list[int] = []
        follower.poll(first.extend, lambda: pytest.fail("a fresh poll reset"))  # a newer poll, elsewhere
        assert len(first) == 1
        again: list[int] = []
        resets: list[int] = []
        follower.poll(again.extend, lambda: resets.append(1), old)
        assert resets == [], "an older snapshot was read as a reset"
    later: list[int] = []
    follower.poll(later.extend, lambda: pytest.fail("reset"))
    assert again == [] and later == [], "a row was handed over twice"
