"""The workbench pages through Flask's test client: sign-in, roles, CSRF, and that each page
shows what the core answers. The same pages in a real Chromium are in test_web_browser.py."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from tmserver.glossary import import_glossary
from tmserver.tm import SegmentInput

ROOT = Path(__file__).resolve().parent.parent
ZH = "构建网络空间命运共同体是中国的主张。"
EN = "Building a community with a shared future in cyberspace is China's proposal."


@pytest.fixture()
def article_glossary(tm):
    with (ROOT / "glossary" / "article.tbx").open("rb") as fh:
        import_glossary(tm, fh, "tbx")
    return tm


def csrf(client, path: str = "/signin") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, key: str) -> None:
    r = client.post("/signin", data={"api_key": key, "csrf_token": csrf(client), "next": "/segments"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/segments")
    assert key not in r.headers["Location"]


def test_root_is_the_lookup_page_not_a_404(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert b'<label for="q">' in r.data
    # assets are local files, no CDN
    assert b"https://" not in r.data and b"http://" not in r.data
    assert client.get("/static/web/workbench.css").status_code == 200
    assert client.get("/static/web/workbench.js").status_code == 200


def test_lookup_page_shows_traditional_query_against_simplified_match(client, tm, article_glossary):
    seg = tm.create_segment(SegmentInput(source=ZH, target=EN)).segment
    r = client.get("/", query_string={"q": "構建網路空間命運共同體是中國的一貫主張。"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert EN.replace("'", "&#39;") in html
    assert f'href="/segments/{seg["id"]}"' in html
    # the inserted 一贯 is marked in the query, the glossary term in the query too
    assert re.search(r'<mark class="diff-\w+"[^>]*>一貫</mark>', html)
    assert re.search(r'<mark class="term" title="[^"]*building a community with a shared future in cyberspace', html)


def test_lookup_error_is_a_page_not_json(client):
    r = client.get("/", query_string={"q": "x\x01y"})
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "U+0001" in r.get_data(as_text=True)


def test_concordance_marks_hits_and_pages(client, tm):
    tm.set_glossary_policy("off")
    for i in range(25):
        tm.create_segment(SegmentInput(source=f"数字鸿沟第{i}号。", target=f"Digital divide {i}."))
    html = client.get("/concordance", query_string={"q": "數字鴻溝", "lang": "zh"}).get_data(as_text=True)
    assert "25 segments contain" in html
    assert html.count('<mark class="hit">数字鸿沟</mark>') == 20
    assert 'rel="next"' in html
    page2 = client.get("/concordance", query_string={"q": "數字鴻溝", "lang": "zh", "page": 2}).get_data(as_text=True)
    assert page2.count('<mark class="hit">') == 5 and 'rel="prev"' in page2


def test_signin_keeps_the_key_in_the_session_only(client, keys):
    sign_in(client, keys["translator"])
    html = client.get("/segments").get_data(as_text=True)
    assert "Signed in as <strong>test-translator</strong> (translator)" in html
    assert keys["translator"] not in html
    r = client.post("/signin", data={"api_key": "tms_wrong", "csrf_token": csrf(client)})
    assert r.status_code == 401 and "unknown or revoked" in r.get_data(as_text=True)


def test_signin_next_must_stay_on_this_site(client, keys):
    for bad in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        r = client.post("/signin", data={"api_key": keys["reader"], "csrf_token": csrf(client), "next": bad})
        assert r.status_code == 302 and r.headers["Location"] == "/", bad


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, tm, keys):
    tm.set_glossary_policy("off")
    seg = tm.create_segment(SegmentInput(source="数字鸿沟。", target="The digital divide.")).segment
    sign_in(client, keys["translator"])
    r = client.post(f"/segments/{seg['id']}", data={"target": "Changed.", "version": "1"})
    assert r.status_code == 400 and "security token" in r.get_data(as_text=True)
    assert tm.get_segment(seg["id"])["target"] == "The digital divide."


def test_writes_need_the_role_and_say_which(client, tm, keys, article_glossary):
    tm.set_glossary_policy("off")
    seg = tm.create_segment(SegmentInput(source="数字鸿沟。", target="The digital divide.")).segment
    page = client.get(f"/segments/{seg['id']}").get_data(as_text=True)
    assert "Needs a translator or admin key." in page and "<fieldset disabled>" in page
    token = csrf(client)
    r = client.post(f"/segments/{seg['id']}", data={"target": "Changed.", "version": "1", "csrf_token": token})
    assert r.status_code == 401 and "Sign in first" in r.get_data(as_text=True)
    assert tm.get_segment(seg["id"])["version"] == 1
    # a translator may edit segments but not the glossary (admin, as in the API)
    sign_in(client, keys["translator"])
    cid = client.get("/glossary").get_data(as_text=True)
    cid = re.search(r'href="/glossary/concepts/([^"]+)"', cid).group(1)
    r = client.post(f"/glossary/concepts/{cid}", data={"csrf_token": csrf(client), "term_text": ["x"],
                                                      "term_lang": ["en"], "term_status": ["admitted"]})
    assert r.status_code == 403 and "an admin key" in r.get_data(as_text=True)


def test_reads_require_key_sends_anonymous_readers_to_sign_in(database_url, _schema, app, keys):
    from tmserver.app import create_app

    closed = create_app({"DATABASE_URL": database_url, "TESTING": True, "SEED_DIRS": [], "READS_REQUIRE_KEY": True})
    c = closed.test_client()
    for path in ("/", "/concordance", "/glossary", "/segments", "/files"):
        r = c.get(path)
        assert r.status_code == 302 and "/signin?next=" in r.headers["Location"], path
    sign_in(c, keys["reader"])
    assert c.get("/glossary").status_code == 200
    closed.extensions["tmserver"].close()


def test_revoked_key_is_signed_out_on_next_request(client, tm, keys):
    from tmserver.auth import list_keys, revoke_key

    sign_in(client, keys["translator"])
    with tm.session() as s:
        kid = next(k.id for k in list_keys(s) if k.name == "test-translator")
        revoke_key(s, kid)
    assert "Signed in as" not in client.get("/segments").get_data(as_text=True)


def test_segment_edit_refused_then_forced_with_reason_in_history(client, tm, keys, article_glossary):
    seg = tm.create_segment(SegmentInput(source=ZH, target=EN)).segment
    sign_in(client, keys["translator"])
    bad = "Building a community of shared future in cyberspace is China's proposal."
    r = client.post(f"/segments/{seg['id']}", data={"target": bad, "version": "1", "csrf_token": csrf(client)})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-testid="violations"' in html
    assert "Forbidden rendering: “Building a community of shared future in cyberspace” is superseded" in html
    assert bad.replace("'", "&#39;") in html  # the draft is kept in the form
    assert tm.get_segment(seg["id"])["version"] == 1
    r = client.post(f"/segments/{seg['id']}", data={"target": bad, "version": "1", "force": "1",
                                                    "reason": "quoting the 2015 wording", "csrf_token": csrf(client)})
    assert r.status_code == 303
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Saved as version 2" in html and "reason: quoting the 2015 wording" in html
    assert '<mark class="del" title="removed">with a </mark>' in html  # the history diff
    assert tm.get_segment(seg["id"])["target"] == bad


def test_secret_key_is_generated_once_and_reused(tmp_path):
    from tmserver.web.base import load_secret_key

    first = load_secret_key(str(tmp_path))
    assert len(first) == 64 and load_secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_files_qa_report_in_place(client, article_glossary):
    tmx = (ROOT / "tests" / "data" / "sample.tmx").read_bytes()
    r = client.post("/files/qa", data={"file": (io.BytesIO(tmx), "sample.tmx"), "csrf_token": csrf(client)},
                    content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-testid="qa-report"' in html and 'sandbox="allow-scripts"' in html
    assert re.search(r"sample.tmx: \d+ segment\(s\), \d+ issue\(s\)", html)


def test_files_import_runs_as_a_job_with_progress(client, tm, keys, app, tmp_path):
    app.config["WEB_JOBS_DIR"] = str(tmp_path / "jobs")
    tm.set_glossary_policy("off")
    sign_in(client, keys["admin"])
    tmx = (ROOT / "tests" / "data" / "sample.tmx").read_bytes()
    r = client.post("/files/import", data={"file": (io.BytesIO(tmx), "sample.tmx"), "csrf_token": csrf(client),
                                           "on_violation": "refuse"}, content_type="multipart/form-data")
    assert r.status_code == 303
    job = r.headers["Location"]
    deadline = time.time() + 30
    while (state := client.get(job + "/state").get_json())["status"] == "running" and time.time() < deadline:
        time.sleep(0.1)
    assert state["status"] == "done", state
    html = client.get(job).get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">imported</th><td>(\d+)</td>", html)
    assert tm.count() > 0
    # another session cannot see the job
    other = app.test_client()
    assert other.get(job).status_code == 404


def test_conflict_page_shows_both_versions(client, tm, keys):
    """A save against a version someone else has moved on from: the core refuses it (409) and the
    page shows both versions; "keep mine" re-submits against the current one."""
    tm.set_glossary_policy("off")
    seg = tm.create_segment(SegmentInput(source="数字鸿沟。", target="The digital divide.")).segment
    tm.update_segment(seg["id"], {"target": "The digital gap."}, user="bob")  # now version 2
    sign_in(client, keys["translator"])
    r = client.post(f"/segments/{seg['id']}", data={"target": "Mine.", "version": "1", "csrf_token": csrf(client)})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and 'data-testid="conflict"' in html
    assert '<p lang="en" data-testid="theirs">The digital gap.</p>' in html
    assert '<p lang="en" data-testid="mine">Mine.</p>' in html
    assert tm.get_segment(seg["id"])["target"] == "The digital gap."
    keep = re.search(r'name="version" value="(\d+)">\s*<input type="hidden" name="target" value="Mine.">', html)
    assert keep and keep.group(1) == "2"
    r = client.post(f"/segments/{seg['id']}", data={"target": "Mine.", "version": "2", "csrf_token": csrf(client)})
    assert r.status_code == 303 and tm.get_segment(seg["id"])["target"] == "Mine."
    assert tm.get_segment(seg["id"])["version"] == 3
