"""Schema upgrades, configuration and language codes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, select

from tmserver.langs import UnknownLanguage, parse_lang
from tmserver.store.db import insert_if_absent
from tmserver.store.models import Setting


def test_app_upgrades_an_older_database(tmp_path):
    from tmserver.app import create_app
    from tmserver.store.db import current_revision, head_revisions, make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(url)
    upgrade(engine, "0001")  # a database from the first release
    assert current_revision(engine) == "0001"
    assert "segments" in inspect(engine).get_table_names()
    engine.dispose()
    app = create_app({"DATABASE_URL": url})
    engine = app.extensions["tmserver"].engine
    assert set(current_revision(engine).split(",")) == head_revisions()
    assert len(head_revisions()) >= 1
    engine.dispose()


def test_empty_database_is_created_on_start(tmp_path):
    from tmserver.app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite'}"})
    assert app.test_client().get("/api/v1/health").json["segments"] == 0


def test_config_file_and_environment(tmp_path, monkeypatch):
    from tmserver.config import load_config

    cfg_file = tmp_path / "tm.py"
    cfg_file.write_text('GLOSSARY_POLICY = "warn"\nMAX_CONTENT_LENGTH = 1000\nlowercase_ignored = 1\n')
    cfg = load_config(config_file=str(cfg_file))
    assert cfg["GLOSSARY_POLICY"] == "warn" and cfg["MAX_CONTENT_LENGTH"] == 1000
    assert "lowercase_ignored" not in cfg
    monkeypatch.setenv("TMSERVER_MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("TMSERVER_READS_REQUIRE_KEY", "yes")
    cfg = load_config(config_file=str(cfg_file))
    assert cfg["MAX_CONTENT_LENGTH"] == 2048 and cfg["READS_REQUIRE_KEY"] is True


@pytest.mark.parametrize("code,base,tag", [
    ("zh", "zh", "zh"), ("zh-CN", "zh", "zh-CN"), ("zh_CN", "zh", "zh-CN"), ("zh-Hans", "zh", "zh-Hans"),
    ("zh_hans", "zh", "zh-Hans"), ("zh-TW", "zh", "zh-TW"), ("zh_hant", "zh", "zh-Hant"), ("zh-HK", "zh", "zh-HK"),
    ("zh-Hant-TW", "zh", "zh-Hant-TW"), ("en", "en", "en"), ("en-US", "en", "en-US"), ("en_us", "en", "en-US"),
    ("EN_GB", "en", "en-GB"),
])
def test_language_codes(code, base, tag):
    lang = parse_lang(code)
    assert (lang.base, lang.tag) == (base, tag)


def test_traditional_variants():
    assert parse_lang("zh_hant").traditional and parse_lang("zh-TW").traditional and parse_lang("zh-HK").traditional
    assert not parse_lang("zh-CN").traditional and not parse_lang("zh_hans").traditional


@pytest.mark.parametrize("code", ["", "de", "fr-FR", "klingon", "zh--CN", "12", "zh CN"])
def test_bad_language_codes(code):
    with pytest.raises(UnknownLanguage):
        parse_lang(code)


def test_health_counts_units_and_estimates_a_large_postgresql_tm(client, tm, monkeypatch):
    """Health reports the exact count; on PostgreSQL past ``EXACT_COUNT_MAX`` units it reports the
    planner's estimate instead (flagged), since a count reads every row on every health check."""
    from sqlalchemy import text

    import tmserver.tm as tm_module
    from tmserver.tm import SegmentInput

    for i in range(3):
        tm.create_segment(SegmentInput(f"健康检查第{i}条", f"health check {i}"))
    body = client.get("/api/v1/health").get_json()
    assert body["segments"] == 3 and body["segments_estimated"] is False
    monkeypatch.setattr(tm_module, "EXACT_COUNT_MAX", 2)
    if tm.engine.dialect.name != "postgresql":
        assert tm.size() == (3, False)  # SQLite always counts
        return
    with tm.engine.begin() as conn:  # statistics as autovacuum keeps them (a small table: exact)
        conn.execute(text("ANALYZE segments"))
    body = client.get("/api/v1/health").get_json()
    assert body["segments"] == 3 and body["segments_estimated"] is True
    monkeypatch.setattr(tm_module, "EXACT_COUNT_MAX", 4)  # the estimate is below it: counted
    assert tm.size() == (3, False)


def test_insert_if_absent_keeps_the_first_row_and_raises_nothing(tm):
    """Processes racing to create one row (the index token at every server start): each inserts,
    the first one stored stays, and the others' inserts are no error on either database."""
    values = [f"token-{i}" for i in range(4)]
    barrier = threading.Barrier(len(values))
    errors: list[BaseException] = []

    def race(value: str) -> None:
        try:
            barrier.wait(10)
            with tm.write_session() as s:
                insert_if_absent(s, Setting, "key", key="race_test", value=value)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=race, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with tm.session() as s:
        rows = s.scalars(select(Setting).where(Setting.key == "race_test")).all()
        assert len(rows) == 1 and rows[0].value in values
        kept = rows[0].value
    with tm.write_session() as s:  # and once more, alone: still the first value
        insert_if_absent(s, Setting, "key", key="race_test", value="later")
    with tm.session() as s:
        assert s.get(Setting, "race_test").value == kept
