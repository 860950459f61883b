"""The HTTP API (``nianbao serve``) against a real store: extract, list, review with
conflicts, export with corrections; errors as JSON; the token; untrusted text escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, load_gold
from fastapi.testclient import TestClient
from make_documents import render_pdf
from typer.testing import CliRunner

from extractor.cli import app as cli
from extractor.errors import ConfigError
from extractor.service.app import create_app
from extractor.service.settings import ServiceSettings, bind_settings, is_loopback

REPORTS = FIXTURES / "reports"
PLANTED = REPORTS / "synthetic-2021-arithmetic-errors.txt"  # (一)予以公开·总计 prints 23, its parts add up to 22


def _client(db: str) -> Iterator[TestClient]:
    app = create_app(ServiceSettings(db=db, max_upload=2_000_000))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.store.close()


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app over a fresh SQLite store."""
    yield from _client(str(tmp_path / "store.db"))


@pytest.fixture()
def any_client(store_url: str) -> Iterator[TestClient]:
    """The app over a fresh store, SQLite and PostgreSQL (conftest's ``store_url``): for
    what reads and writes the database."""
    yield from _client(store_url)


def _upload(c: TestClient, report: Path, name: str | None = None) -> dict[str, Any]:
    r = c.post("/v1/extract", files={"file": (name or report.name, report.read_bytes())})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_extract_returns_canonical_json_with_the_stored_id(any_client: TestClient) -> None:
    body = _upload(any_client, PLANTED)
    assert isinstance(body["id"], int)
    assert body["applications"]["granted"]["total"] == 23  # as printed, not fixed
    assert body["evidence"]["applications.granted.total"]["line"] == 34
    assert {f["rule"] for f in body["findings"] if f["severity"] == "error"} >= {"T3-ROW", "T3-OUTCOMES"}
    assert body["claims"] and "seconds" in body["usage"]
    # the same bytes again: the same stored report
    assert _upload(any_client, PLANTED)["id"] == body["id"]
    detail = any_client.get(f"/v1/reports/{body['id']}").json()
    assert detail["agency"] == body["meta"]["agency"] and detail["open_errors"] == 4


def test_extract_takes_json_text(client: TestClient) -> None:
    text = (REPORTS / "dongguan-hrss-2023.md").read_text(encoding="utf-8")
    r = client.post("/v1/extract", json={"name": "dongguan.md", "text": text})
    assert r.status_code == 200, r.text
    assert r.json()["applications"]["granted"]["total"] == 56
    assert r.json()["evidence"]["applications.granted.total"]["line"] == 61


def test_list_reports_filters(any_client: TestClient) -> None:
    bad = _upload(any_client, PLANTED)["id"]
    good = _upload(any_client, REPORTS / "dongguan-hrss-2023.md")
    ids = lambda q: {r["id"] for r in any_client.get("/v1/reports" + q).json()}  # noqa: E731
    assert ids("") == {bad, good["id"]}
    assert ids("?has_open_errors=true") == {bad}
    assert ids("?has_open_errors=false") == {good["id"]}
    assert ids(f"?agency={good['meta']['agency']}&year={good['meta']['year']}") == {good["id"]}
    assert ids("?year=1999") == set()
    # the review page's list: open errors counted, the same filter
    page = any_client.get("/").text
    assert f'href="/reports/{bad}"' in page and f'href="/reports/{good["id"]}"' in page
    assert '<td class="num bad">4</td>' in page
    only_open = any_client.get("/?open_errors=true").text
    assert f'href="/reports/{bad}"' in only_open and f'href="/reports/{good["id"]}"' not in only_open


def _open_error(c: TestClient, rule: str) -> dict[str, Any]:
    found = c.get("/v1/findings?status=open").json()
    finding: dict[str, Any] = next(f for f in found if f["rule"] == rule)
    return finding


def test_review_decisions_persist_and_conflict(any_client: TestClient) -> None:
    _upload(any_client, PLANTED)
    f = _open_error(any_client, "T3-ROW")
    first = {"decision": "dismiss", "reviewer": "王一", "revision": f["revision"], "note": "印刷无误"}
    r = any_client.post(f"/v1/findings/{f['id']}/review", json=first)
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    # a second reviewer who loaded the finding before that decision: 409, and sees it
    second = {"decision": "confirm", "reviewer": "李二", "revision": f["revision"]}
    r = any_client.post(f"/v1/findings/{f['id']}/review", json=second)
    assert r.status_code == 409
    body = r.json()
    assert "message" in body and body["current"]["status"] == "dismissed"
    assert [(x["reviewer"], x["decision"]) for x in body["current"]["reviews"]] == [("王一", "dismiss")]
    # deciding again on what they now see is allowed, and both stay in the history
    r = any_client.post(f"/v1/findings/{f['id']}/review", json={**second, "revision": body["current"]["revision"]})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    history = any_client.get(f"/v1/findings/{f['id']}").json()["reviews"]
    assert [(x["reviewer"], x["decision"], x["note"]) for x in history] == [
        ("王一", "dismiss", "印刷无误"), ("李二", "confirm", None),
    ]
    assert f["id"] not in {x["id"] for x in any_client.get("/v1/findings?status=open").json()}


def test_a_correction_flows_into_export_and_the_printed_value_stays(any_client: TestClient) -> None:
    report = _upload(any_client, PLANTED)["id"]
    f = _open_error(any_client, "T3-ROW")
    fix = {"decision": "correct", "reviewer": "王一", "revision": 0, "path": "applications.granted.total", "value": 22}
    r = any_client.post(f"/v1/findings/{f['id']}/review", json=fix)
    assert r.status_code == 200, r.text
    cells = {c["path"]: c for c in any_client.get(f"/v1/reports/{report}/export").json()["cells"]}
    granted = cells["applications.granted.total"]
    assert (granted["printed"], granted["value"], granted["source"]) == (23, 22, "corrected")
    assert granted["corrected_by"] == "王一"
    assert cells["applications.granted.natural_person"]["source"] == "printed"
    assert any_client.get(f"/v1/reports/{report}").json()["report"]["applications"]["granted"]["total"] == 23
    csv = any_client.get(f"/v1/reports/{report}/export?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert "applications.granted.total,23,22,corrected,王一" in csv.text


def test_several_corrections_of_one_finding_are_all_shown(client: TestClient) -> None:
    report = _upload(client, PLANTED)["id"]
    f = _open_error(client, "T3-ROW")
    total, part = "applications.granted.total", "applications.granted.natural_person"
    for revision, (path, value, who) in enumerate([(total, 22, "王一"), (part, 19, "李二"), (total, 21, "李二")]):
        fix = {"decision": "correct", "reviewer": who, "revision": revision, "path": path, "value": value}
        r = client.post(f"/v1/findings/{f['id']}/review", json=fix)
        assert r.status_code == 200, r.text
    cells = {c["path"]: c for c in client.get(f"/v1/reports/{report}/export").json()["cells"]}
    assert [(cells[p]["printed"], cells[p]["value"], cells[p]["corrected_by"]) for p in (total, part)] == [
        (23, 21, "李二"), (20, 19, "李二"),  # the latest value of each cell
    ]
    page = client.get(f"/reports/{report}").text
    item = page.split(f'id="f-{f["id"]}"', 1)[1].split('<li class="finding', 1)[0]
    # the finding's cells show the value standing for each, its history every decision
    assert f'<code>{total}</code> （一）予以公开 · 总计 = 23 <ins title="corrected by 李二">→ 21</ins>' in item
    assert f'<code>{part}</code> （一）予以公开 · 自然人 = 20 <ins title="corrected by 李二">→ 19</ins>' in item
    assert [f"<code>{p}</code> = {v}" in item for p, v in ((total, 22), (part, 19), (total, 21))] == [True] * 3
    # and so does table 三
    for path, shown in ((total, "23 <ins title=\"corrected by 李二\">→ 21</ins>"),
                        (part, "20 <ins title=\"corrected by 李二\">→ 19</ins>")):
        assert re.search(f'<td [^>]*data-path="{path}"[^>]*>{shown}</td>', page), path


def test_a_blank_cell_the_parser_reported_can_be_entered_as_a_correction(any_client: TestClient) -> None:
    report = _upload(any_client, REPORTS / "synthetic-2021-missing-rows.html")["id"]
    f = _open_error(any_client, "parse.row_missing")
    path = f["paths"][0]
    page = any_client.get(f"/reports/{report}").text
    # shown with the source lines around where the row should stand
    item = page.split(f'id="f-{f["id"]}"', 1)[1].split("</li>\n", 1)[0]
    assert 'class="context"' in item and 'class="cline"' in item
    r = any_client.post(f"/v1/findings/{f['id']}/review",
                    json={"decision": "correct", "reviewer": "王一", "revision": 0, "path": path, "value": 3})
    assert r.status_code == 200 and r.json()["status"] == "corrected"
    cells = {c["path"]: c for c in any_client.get(f"/v1/reports/{report}/export").json()["cells"]}
    assert (cells[path]["printed"], cells[path]["value"], cells[path]["source"]) == (None, 3, "corrected")


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "says"),
    [
        ("get", "/v1/reports/999", {}, 404, "no report 999"),
        ("get", "/v1/findings/999", {}, 404, "no finding 999"),
        ("get", "/v1/reports/abc", {}, 422, "report_id"),
        ("post", "/v1/findings/1/review", {"json": {"decision": "confirm"}}, 422, "reviewer"),
        ("post", "/v1/findings/1/review", {"json": {"decision": "approve", "reviewer": "x", "revision": 0}}, 422,
         "decision"),
        ("post", "/v1/extract", {"content": b"hello", "headers": {"content-type": "text/plain"}}, 415, "multipart"),
        ("post", "/v1/extract", {"files": {"wrong": ("a.txt", b"x")}}, 400, "field 'file'"),
        ("post", "/v1/extract", {"json": {"name": "x.txt"}}, 422, "text"),
        ("post", "/v1/extract", {"json": {"name": "notes.txt", "text": "今天天气很好。\n"}}, 422, "notes.txt"),
        ("post", "/v1/extract", {"files": {"file": ("blank.txt", b"   ")}}, 422, "blank.txt: empty file"),
        ("post", "/v1/extract", {"files": {"file": ("sheet.xlsx", b"PK\x03\x04")}}, 422, "cannot read .xlsx"),
    ],
)
def test_errors_are_json_with_a_message(
    client: TestClient, method: str, url: str, kwargs: dict[str, Any], status: int, says: str
) -> None:
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code == status, r.text
    assert says in r.json()["message"]
    assert "Traceback" not in r.text


def test_an_upload_over_the_limit_gets_413(tmp_path: Path) -> None:
    app = create_app(ServiceSettings(db=str(tmp_path / "s.db"), max_upload=4096))
    with TestClient(app) as c:
        r = c.post("/v1/extract", files={"file": ("big.txt", PLANTED.read_bytes() * 3)})
        assert r.status_code == 413 and "4096 bytes" in r.json()["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: cut off as it streams
            for _ in range(10):
                yield b"x" * 1000

        r = c.post("/v1/extract", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert c.get("/v1/reports").json() == []
    app.state.store.close()


def test_the_token_is_required_once_set(tmp_path: Path) -> None:
    app = create_app(ServiceSettings(db=str(tmp_path / "s.db"), token="s3cret"))
    with TestClient(app) as c:
        for url in ("/v1/reports", "/", "/docs", "/openapi.json"):
            r = c.get(url)
            assert r.status_code == 401 and "bearer token" in r.json()["message"], url
        assert c.get("/v1/reports", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/v1/reports", headers={"Authorization": "Bearer s3cret"}).json() == []
        # a browser opens the page once with ?token=; a cookie carries it from then on
        r = c.get("/?token=s3cret", follow_redirects=False)
        assert r.status_code == 303 and "token" not in r.headers["location"]
        assert c.get("/").status_code == 200
    app.state.store.close()


def test_a_non_loopback_bind_needs_a_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NIANBAO_TOKEN", raising=False)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
    with pytest.raises(ConfigError, match="NIANBAO_TOKEN"):
        bind_settings("0.0.0.0", None, 1000)
    assert bind_settings("127.0.0.1", None, 1000).token is None
    res = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "nianbao: refusing to serve on 0.0.0.0 without a token: set NIANBAO_TOKEN (or bind 127.0.0.1)"
    ]
    monkeypatch.setenv("NIANBAO_TOKEN", "s3cret")
    assert bind_settings("0.0.0.0", None, 1000).token == "s3cret"
    assert bind_settings("127.0.0.1", None, 1000).token == "s3cret"  # once set, loopback needs it too


def test_report_text_is_escaped(client: TestClient) -> None:
    text = PLANTED.read_text(encoding="utf-8").replace(
        "一、总体情况", '一、总体情况<script>window.pwned=1</script><img src=x onerror="alert(1)">', 1
    )
    report = client.post("/v1/extract", json={"name": "<i>evil<i>.txt", "text": text}).json()["id"]
    page = client.get(f"/reports/{report}")
    assert page.status_code == 200
    assert "<script>window.pwned" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page.text
    assert "upload/&lt;i&gt;evil&lt;i&gt;.txt" in client.get("/").text
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self' covers it
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_pdf_pages_are_rendered_with_the_cells_boxes(client: TestClient, tmp_path: Path) -> None:
    gold = load_gold(FIXTURES / "gold" / f"{PLANTED.stem}.json")
    pdf = render_pdf(gold, tmp_path / "planted.pdf", "ruled")
    report = _upload(client, pdf)
    assert "T3-ROW" in {f["rule"] for f in report["findings"]}
    assert report["evidence"]["applications.granted.total"]["box"]
    page = client.get(f"/reports/{report['id']}").text
    assert 'class="box sev-' in page and 'data-box="' in page
    png = client.get(f"/reports/{report['id']}/pages/1.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(f"/reports/{report['id']}/pages/99.png").status_code == 404


def test_openapi_documents_the_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/extract", "/v1/reports", "/v1/reports/{report_id}", "/v1/findings",
            "/v1/findings/{finding_id}/review", "/v1/reports/{report_id}/export"} <= set(spec["paths"])
    assert "multipart/form-data" in spec["paths"]["/v1/extract"]["post"]["requestBody"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in docs.text
    assert "https://" not in docs.text  # nothing fetched from the network
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200
