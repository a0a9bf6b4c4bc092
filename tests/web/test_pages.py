"""The pages behind the gate: sign-in, roles, CSRF, security headers, escaping, forms, downloads, batches."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from msa_builder import api
from msa_builder.cli import main
from msa_builder.users import MAX_FAILURES

from .conftest import CSRF_FIELD, PASSWORD, XSS, csrf_of, sign_in, texas_dental

PAGES = ["/", "/clients", "/clients/new", "/review", "/library", "/library/term.renewal", "/coverage", "/renewals",
         "/batch", "/users", "/drafts/1", "/agreements/1", "/files/1/docx"]


def _post_routes(app) -> list[str]:
    from fastapi.routing import APIRoute

    found = []

    def walk(routes):
        for route in routes:
            if isinstance(route, APIRoute):
                if "POST" in route.methods and not route.path.startswith("/api/") and route.path != "/login":
                    found.append(route.path)
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)

    walk(app.router.routes)
    return sorted(set(found))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_sign_in(anon, path):
    response = anon.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_only_login_health_and_static_files_are_public(anon):
    assert anon.get("/healthz").text == "ok"
    assert anon.get("/login").status_code == 200
    htmx = anon.get("/static/htmx-2.0.11.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:2000]


def test_every_response_carries_the_security_headers(anon, sales):
    for response in (anon.get("/login"), sales.get("/clients"), anon.get("/clients", follow_redirects=False)):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def test_no_page_has_an_inline_script_or_event_handler(sales, admin):
    for client, path in [(sales, "/clients/new"), (sales, "/clients"), (admin, "/users"), (admin, "/coverage")]:
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_the_session_cookie_is_httponly_and_samesite(app, anon):
    token = CSRF_FIELD.search(anon.get("/login").text).group(1)
    response = anon.post("/login", data={"name": "sam", "password": PASSWORD, "csrf_token": token},
                         follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert "msa_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert response.headers["location"] == "/clients"


def test_a_wrong_password_is_refused_and_the_same_for_an_unknown_name(anon):
    for name in ("sam", "nobody"):
        token = CSRF_FIELD.search(anon.get("/login").text).group(1)
        response = anon.post("/login", data={"name": name, "password": "wrong password!", "csrf_token": token})
        assert response.status_code == 401 and "wrong name or password" in response.text


def test_sign_in_is_rate_limited_per_name_even_with_the_right_password(site, anon):
    api.add_user("rita", role="sales", ledger=site.ledger, password=PASSWORD, by="test")
    for _ in range(MAX_FAILURES):
        token = CSRF_FIELD.search(anon.get("/login").text).group(1)
        anon.post("/login", data={"name": "rita", "password": "not it at all", "csrf_token": token})
    token = CSRF_FIELD.search(anon.get("/login").text).group(1)
    response = anon.post("/login", data={"name": "rita", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429 and "too many" in response.text
    assert [e["action"] for e in api.audit_log(ledger=site.ledger) if e["by"] == "rita"] == []


def test_sign_in_without_its_csrf_token_is_refused(anon):
    anon.get("/login")
    response = anon.post("/login", data={"name": "sam", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(app, admin):
    routes = _post_routes(app)
    assert {"/logout", "/clients/save", "/clients/explain", "/review/{record}/approve", "/batch",
            "/agreements/{record}/evidence"} <= set(routes)
    for path in routes:
        concrete = path.replace("{record}", "1").replace("{name}", "bluebonnet-dental.yaml")
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            response = admin.post(concrete, data={"csrf_token": "forged"} if headers else {}, headers=headers)
            assert response.status_code == 403, (path, response.status_code)
    assert admin.get("/clients").status_code == 200, "the refused posts changed nothing, not even the session"


def test_logout_ends_the_session_on_the_server(app, site):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        sign_in(client, "avery")
        cookie = client.cookies.get("msa_session")
        client.post("/logout", data={"csrf_token": csrf_of(client, "/review")})
        with TestClient(app) as thief:
            thief.cookies.set("msa_session", cookie)
            assert thief.get("/review", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(("who", "path"), [("sales", "/review"), ("sales", "/coverage"), ("attorney", "/clients/new"),
                                           ("ops", "/review"), ("sales", "/users")])
def test_roles_are_checked_on_the_server(request, who, path):
    response = request.getfixturevalue(who).get(path)
    assert response.status_code == 403 and "this needs the role" in response.text


def test_a_sales_engineer_cannot_approve(sales):
    response = sales.post("/review/1/approve", data={"csrf_token": csrf_of(sales, "/clients")})
    assert response.status_code == 403


def _form(**fields: str) -> dict[str, str]:
    base = {"client.legal_name": "Lone Star Smiles Dental, PLLC", "client.jurisdiction": "Texas",
            "client.address": "400 Main St, Houston, TX 77002", "client.users": "9",
            "client.signatory.name": "Dr. Ana Ruiz", "client.signatory.title": "Owner",
            "client.signatory.email": "ana@lonestar.example", "client.signatory.authority": "owner",
            "tier": "managed", "industry": "healthcare", "effective_date": "2026-12-15",
            "controls.security_training.status": "declined", "controls.security_training.offered": "2026-11-02"}
    return {**base, **fields}


def test_the_form_shows_every_error_at_once_beside_its_field(sales):
    token = csrf_of(sales, "/clients/new")
    response = sales.post("/clients/save", data={**_form(**{"client.users": "0", "client.signatory.email": "ana",
                                                         "effective_date": "", "controls.edr.status": "declined",
                                                         "params.payment_terms_days": "-4"}),
                                                 "csrf_token": token, "action": "save"})
    assert response.status_code == 422
    for field in ("client-users", "client-signatory-email", "effective_date"):
        assert f'id="f-{field}-error"' in response.text, field
    assert "may not be declined" in response.text
    assert 'value="Lone Star Smiles Dental, PLLC"' in response.text, "what was typed stays in the form"


def test_the_live_panel_explains_or_shows_the_refusal(sales):
    token = csrf_of(sales, "/clients/new")
    ok = sales.post("/clients/explain", data=_form(), headers={"X-CSRF-Token": token})
    assert ok.status_code == 200 and 'id="explained"' in ok.text and "Security Awareness Training" in ok.text
    refused = sales.post("/clients/explain", data=_form(**{"controls.edr.status": "declined"}),
                         headers={"X-CSRF-Token": token})
    assert "Refused" in refused.text and "controls.edr" in refused.text and 'id="explained"' not in refused.text


def test_client_data_is_escaped_everywhere(site, sales, ops, attorney):
    token = csrf_of(sales, "/clients/new")
    response = sales.post("/clients/save", data={**_form(**{"client.legal_name": XSS, "controls.security_training"
                                                         ".reason": XSS}), "csrf_token": token, "action": "build"},
                          follow_redirects=False)
    assert response.status_code == 303, response.text
    draft = response.headers["location"]
    pages = [sales.get("/clients"), sales.get(draft), ops.get("/coverage")]
    record = int(draft.rsplit("/", 1)[1])
    sales.post(f"{draft}/submit", data={"csrf_token": csrf_of(sales, draft)})
    pages += [attorney.get("/review"), attorney.get(f"/review/{record}")]
    for page in pages:
        assert page.status_code == 200
        assert XSS not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_downloads_are_by_record_and_kind_and_refused_when_the_file_changed(site, sales):
    response = sales.post("/clients/save", data={**_form(**{"client.legal_name": "Tamper Test LLC"}),
                                                 "csrf_token": csrf_of(sales, "/clients/new"), "action": "build"},
                          follow_redirects=False)
    record = int(response.headers["location"].rsplit("/", 1)[1])
    found, _ = api.agreement_record(record, ledger=site.ledger)
    docx = sales.get(f"/files/{record}/docx")
    assert docx.status_code == 200 and docx.headers["content-disposition"].startswith("attachment;")
    memo = sales.get(f"/files/{record}/memo")
    assert memo.status_code == 200 and memo.content[:2] == b"PK"
    (site.root / "out" / found.slug / f"{found.slug}-msa.docx").write_bytes(b"swapped")
    refused = sales.get(f"/files/{record}/docx")
    assert refused.status_code == 422 and "changed on disk" in refused.text


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(site, ops):
    big = b"%PDF-" + b"0" * (site.config.max_upload + 100 * 1024)
    response = ops.post("/agreements/1/evidence", files={"file": ("signed.pdf", big, "application/pdf")},
                        data={"csrf_token": csrf_of(ops, "/coverage")})
    assert response.status_code == 413


def test_a_batch_runs_with_live_progress_over_server_sent_events(site, ops):
    response = ops.post("/batch", data={"csrf_token": csrf_of(ops, "/batch")}, follow_redirects=False)
    assert response.status_code == 303
    run = response.headers["location"].rsplit("=", 1)[1]
    with ops.stream("GET", f"/batch/{run}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    assert "event: progress" in text and "Bluebonnet Family Dental, PLLC" in text
    assert "event: done" in text and "Finished:" in text
    assert any(e["action"] == "batch started" and e["by"] == "olive" for e in api.audit_log(ledger=site.ledger))
    bluebonnet = api.history(ledger=site.ledger, client="Bluebonnet Family Dental, PLLC")[-1]
    assert bluebonnet[1][0].by == "olive", "the batch's builds are recorded as the user who ran it"


def test_the_user_commands_call_the_library(site, tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    runner = CliRunner()
    added = runner.invoke(main, ["user", "add", "Jane Counsel", "--role", "attorney", "--password-stdin",
                                 "--ledger", str(ledger)], input="a long enough password\n")
    assert added.exit_code == 0 and "added Jane Counsel (attorney)" in added.output
    short = runner.invoke(main, ["user", "add", "Bob", "--role", "boss", "--password-stdin", "--ledger", str(ledger)],
                          input="short\n")
    assert short.exit_code == 2 and "boss" in short.output
    token = runner.invoke(main, ["user", "token", "Jane Counsel", "--ledger", str(ledger)]).output.strip()
    assert token.startswith("msa_") and api.user_for_token(token, ledger=ledger).name == "Jane Counsel"
    listed = runner.invoke(main, ["user", "list", "--ledger", str(ledger)])
    assert "Jane Counsel" in listed.output and "attorney" in listed.output and "active" in listed.output
    assert runner.invoke(main, ["user", "disable", "Jane Counsel", "--ledger", str(ledger)]).exit_code == 0
    assert api.user_for_token(token, ledger=ledger) is None
    assert "disabled" in runner.invoke(main, ["user", "list", "--ledger", str(ledger)]).output


def test_a_body_without_a_length_is_refused(ops):
    def chunks():
        yield b"%PDF-"
        yield b"0" * 1000

    response = ops.post("/agreements/1/evidence", content=chunks(),
                        headers={"X-CSRF-Token": csrf_of(ops, "/coverage"), "content-type": "application/pdf"})
    assert response.status_code == 411


def test_an_internal_error_is_a_plain_page_without_details(site, monkeypatch):
    from fastapi.testclient import TestClient

    from msa_builder.web import create_app

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr(api, "list_profiles", broken)
    with TestClient(create_app(site.config), raise_server_exceptions=False) as client:
        response = sign_in(client, "sam").get("/clients")
    assert response.status_code == 500
    assert "Internal error" in response.text and "secret detail" not in response.text
    assert "Traceback" not in response.text


def test_an_attorney_sends_a_draft_back_with_a_comment(site, anon, attorney):
    draft = anon.post("/api/v1/drafts", json=texas_dental(), headers=site.bearer("sam")).json()
    record = draft["record"]
    current, _ = api.agreement_record(record, ledger=site.ledger)
    if current.status == "draft":
        api.mark(current.slug, "in_review", ledger=site.ledger, by="sam", record=record)
    token = csrf_of(attorney, "/review")
    empty = attorney.post(f"/review/{record}/send-back", data={"csrf_token": token, "note": " "})
    assert empty.status_code == 422 and "say what must change" in empty.text
    sent = attorney.post(f"/review/{record}/send-back", data={"csrf_token": token, "note": "Cap <b>too</b> low"},
                         follow_redirects=False)
    assert sent.status_code == 303
    found, events = api.agreement_record(record, ledger=site.ledger)
    assert found.status == "draft" and (events[-1].by, events[-1].note) == ("avery", "Cap <b>too</b> low")
    page = attorney.get(f"/drafts/{record}")
    assert "Cap &lt;b&gt;too&lt;/b&gt; low" in page.text


def test_behind_https_the_session_cookie_is_secure_and_hsts_is_sent(site):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from msa_builder.web import create_app

    with TestClient(create_app(replace(site.config, behind_https=True)), base_url="https://testserver") as client:
        page = client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        token = CSRF_FIELD.search(page.text).group(1)
        response = client.post("/login", data={"name": "sam", "password": PASSWORD, "csrf_token": token},
                               follow_redirects=False)
        assert "Secure" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]


def _drafted(site, anon, name: str) -> int:
    profile = texas_dental()
    profile["client"] = {**profile["client"], "legal_name": name}
    response = anon.post("/api/v1/drafts", json=profile, headers=site.bearer("sam"))
    assert response.status_code == 201, response.text
    return int(response.json()["record"])


def test_an_upload_that_is_not_a_pdf_is_refused_and_changes_nothing(site, anon, ops):
    record = _drafted(site, anon, "Upload Check Dental, PLLC")
    upload = {"file": ("signed.pdf", b"GIF89a not a pdf", "image/gif")}
    response = ops.post(f"/agreements/{record}/evidence", files=upload, data={"csrf_token": csrf_of(ops, "/coverage")})
    assert response.status_code == 422 and "not a PDF" in response.text
    found, events = api.agreement_record(record, ledger=site.ledger)
    assert found.status == "draft" and len(events) == 1 and found.evidence is None


@pytest.mark.soffice
def test_a_pdf_that_is_not_the_signed_execution_version_is_refused_with_the_reason(site, anon, ops):
    import io

    from pypdf import PdfWriter

    record = _drafted(site, anon, "Wrong Evidence Dental, PLLC")
    found, _ = api.agreement_record(record, ledger=site.ledger)
    api.mark(found.slug, "in_review", ledger=site.ledger, by="sam", record=record)
    api.approve(found.slug, ledger=site.ledger, by="avery", accept_deviations=True, record=record)
    assert ops.post(f"/agreements/{record}/sent", data={"csrf_token": csrf_of(ops, "/coverage")}).status_code == 200
    other = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.write(other)
    response = ops.post(f"/agreements/{record}/evidence", files={"file": ("signed.pdf", other.getvalue(),
                                                                          "application/pdf")},
                        data={"csrf_token": csrf_of(ops, "/coverage")})
    assert response.status_code == 422 and "does not prove that record" in response.text
    # The lifecycle's hint names the CLI's option; the page names its own input instead.
    assert "use a reason in “Accept unverified, because”" in response.text and "--unverified" not in response.text
    found, _ = api.agreement_record(record, ledger=site.ledger)
    assert found.status == "sent" and found.evidence is None
