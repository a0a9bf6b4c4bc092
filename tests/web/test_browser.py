"""The web app in a real browser: Playwright driving Debian's Chromium against uvicorn on a free port.

One server and one browser for the module; the tests run in order and build on each other, as the
people do: a sales engineer drafts the issue's Texas dental practice, an attorney approves it,
operations sends it and uploads the client's signed PDF. Each page is saved as a screenshot in
tests/artifacts/web/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

from signing.pki import make_ca, make_signer, sign_all_client_fields  # noqa: E402  (tests/ is on sys.path)

from msa_builder import api  # noqa: E402
from msa_builder.web import create_app  # noqa: E402

from .conftest import PASSWORD, XSS, Site, make_site  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
CLIENT = "Lone Star Smiles Dental, PLLC"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """The site, uvicorn serving it in a thread, and what the tests learn on the way."""

    def __init__(self, site: Site, base: str) -> None:
        self.site = site
        self.base = base
        self.record: int | None = None
        self.ca = make_ca()
        self.signer = make_signer("Dr. Ana Ruiz", org=CLIENT, email="ana@lonestar.example", issuer=self.ca)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    site = make_site(tmp_path_factory.mktemp("browser") / "workspace")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(site.config), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    served = Served(site, f"http://127.0.0.1:{port}")
    trust = site.root / "trust"
    trust.mkdir(exist_ok=True)
    (trust / "client-ca.pem").write_bytes(served.ca.pem())
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser, served):
    ctx = browser.new_context(base_url=served.base, accept_downloads=True, viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    ctx.on("page", lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    errors: list[str] = []
    ctx.on("page", lambda page: page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None))
    ctx.dialogs, ctx.console_errors = dialogs, errors
    yield ctx
    ctx.close()
    assert dialogs == [], "a script ran that should not have (an alert)"
    assert [e for e in errors if "Content Security Policy" in e] == [], "a page broke its own CSP"


def shot(page, name: str) -> None:
    """The whole page, and for a long one also what a person sees first (the top of the window)."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if page.evaluate("document.documentElement.scrollHeight") > 2 * page.viewport_size["height"]:
        page.evaluate("window.scrollTo(0, 0)")  # a filled-in field leaves the window scrolled down to it
        page.screenshot(path=str(ARTIFACTS / f"{name}-top.png"))


def sign_in(context, name: str):
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def panel(page) -> str:
    return page.inner_text("#explain")


def test_sign_in(context):
    page = context.new_page()
    page.goto("/clients")
    assert "/login" in page.url
    shot(page, "01-login")
    page.fill("input[name=name]", "sam")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "wrong name or password" in page.inner_text("main")
    page.fill("input[name=name]", "sam")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/clients")
    assert "sam" in page.inner_text("header") and "Bluebonnet Family Dental, PLLC" in page.inner_text("main")
    shot(page, "02-clients")


def test_a_sales_engineer_drafts_a_texas_dental_practice_on_managed(context, served):
    page = sign_in(context, "sam")
    page.click("text=New client")
    page.wait_for_url("**/clients/new")
    page.fill("#f-client-legal_name", CLIENT)
    page.select_option("#f-client-jurisdiction", "Texas")
    page.fill("#f-client-address", "400 Main St, Houston, TX 77002")
    page.fill("#f-client-users", "9")
    page.fill("#f-client-signatory-name", "Dr. Ana Ruiz")
    page.fill("#f-client-signatory-title", "Owner")
    page.fill("#f-client-signatory-email", "ana@lonestar.example")
    page.select_option("#f-client-signatory-authority", "owner")
    page.check("#f-tier-managed")
    page.select_option("#f-industry", "healthcare")
    page.fill("#f-effective_date", "2026-12-15")
    page.wait_for_selector("#explained")
    before = panel(page)
    assert "Declined controls (0)" in before
    # The practice refuses endpoint detection and response and security training.
    page.check("input[name='controls.edr.status'][value=declined]")
    page.fill("#f-controls-edr-offered", "2026-11-02")
    page.check("input[name='controls.security_training.status'][value=declined]")
    page.fill("#f-controls-security_training-offered", "2026-11-02")
    page.fill("#f-controls-security_training-reason", "Staff train with the dental association.")
    page.wait_for_selector(".refused")
    refused = panel(page)
    assert "controls.edr" in refused and "may not be declined on the Fully Managed Services tier" in refused
    assert "security_training" not in page.inner_text(".refused")
    shot(page, "03-form-refused")
    page.check("input[name='controls.edr.status'][value='']")  # back to the tier's default
    page.wait_for_selector("#explained")
    after = panel(page)
    assert after != before and "Declined controls (1)" in after and "Security Awareness Training" in after
    assert "security.declined_controls declined@" in after
    shot(page, "04-form-explained")
    page.click("#build")
    page.wait_for_url("**/drafts/*")
    served.record = int(page.url.rsplit("/", 1)[1])
    assert page.inner_text("#status") == "draft"
    shot(page, "05-draft")
    with page.expect_download() as got:
        page.click("#download-docx")
    path = got.value.path()
    import docx

    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert CLIENT in text and "Security Awareness Training" in text and "Texas" in text
    page.click("#submit-review")
    page.wait_for_selector("#status:text('in review')")
    events = api.agreement_record(served.record, ledger=served.site.ledger)[1]
    assert [(e.to_status, e.by) for e in events] == [("draft", "sam"), ("in_review", "sam")]


def test_a_sales_user_is_refused_approval(context, served):
    page = sign_in(context, "sam")
    response = page.goto(f"/review/{served.record}")
    assert response.status == 403 and "Not allowed" in page.inner_text("main")
    token = page.goto("/clients") and page.get_attribute("input[name=csrf_token]", "value")
    posted = page.request.post(f"/review/{served.record}/approve", form={"csrf_token": token})
    assert posted.status == 403
    assert api.agreement_record(served.record, ledger=served.site.ledger)[0].status == "in_review"


@pytest.mark.soffice
def test_an_attorney_reviews_and_approves(context, served):
    page = sign_in(context, "avery")
    assert page.url.endswith("/review")
    assert CLIENT in page.inner_text("main")
    shot(page, "06-review-queue")
    page.click(f"a[href='/review/{served.record}']")
    page.wait_for_url(f"**/review/{served.record}")
    memo = page.inner_text("section.memo")
    assert memo.index("Needs a human decision") < memo.index("Deviations") < memo.index("Declined controls")
    assert "Security Awareness Training" in page.inner_text("section.memo")
    redline = page.locator("details.redline").first
    redline.click()
    assert redline.locator("del, ins").count() > 0
    shot(page, "07-review")
    page.click("#approve")  # without accepting the points that need a decision: refused, with the reasons
    page.wait_for_selector(".problems-box")
    assert "Not approved" in page.inner_text(".problems-box")
    assert api.agreement_record(served.record, ledger=served.site.ledger)[0].status == "in_review"
    page.check("#accept-deviations")
    page.click("#approve")
    page.wait_for_url(f"**/drafts/{served.record}", timeout=120_000)
    assert page.inner_text("#status") == "approved"
    shot(page, "08-approved")


@pytest.mark.soffice
def test_operations_sends_and_uploads_the_signed_pdf(context, served):
    page = sign_in(context, "olive")
    assert page.url.endswith("/coverage")
    shot(page, "09-coverage")
    page.goto(f"/agreements/{served.record}")
    record = api.agreement_record(served.record, ledger=served.site.ledger)[0]
    with page.expect_download() as got:
        page.click(f"a[href='/archive/{record.id}/{record.agreement_id}.pdf']")
    assert Path(got.value.path()).read_bytes().startswith(b"%PDF-")
    execution = next(path for name, path in api.archive(record.id, ledger=served.site.ledger) if name.endswith(".pdf"))
    page.click("#mark-sent")
    page.wait_for_selector("#status:text('sent')")
    signed = served.site.root / "returned-signed.pdf"
    # pyHanko runs its own event loop, which Playwright's (running in this thread) would refuse.
    with ThreadPoolExecutor(1) as pool:
        signed.write_bytes(pool.submit(sign_all_client_fields, execution.read_bytes(), served.signer).result())
    page.set_input_files("#evidence-file", str(signed))
    page.click("#upload-evidence")
    page.wait_for_selector("#status:text('signed')", timeout=60_000)
    assert "verified" in page.inner_text("main") and "Dr. Ana Ruiz" in page.inner_text("main")
    shot(page, "10-signed")
    record = api.agreement_record(served.record, ledger=served.site.ledger)[0]
    assert record.evidence["verified"] is True and record.status_by == "olive"
    page.goto("/coverage")
    assert "signed, current" in page.inner_text("tr:has-text('Lone Star')")
    page.goto("/renewals")
    assert CLIENT in page.inner_text("main")
    shot(page, "11-renewals")


def test_an_xss_name_shows_literally_and_runs_nothing(context, served):
    profile = {"client": {"legal_name": XSS, "jurisdiction": "Ohio", "address": "1 Main St, Columbus, OH",
                          "users": 3, "signatory": {"name": XSS, "title": "Owner", "email": "x@example.com"}},
               "tier": "essentials", "industry": "general", "effective_date": "2026-12-15"}
    api.save_profile(profile, library=api.open_library(served.site.config.library), folder=served.site.clients)
    page = sign_in(context, "sam")
    assert XSS in page.inner_text("main")
    page.click(f"tr:has-text('{XSS}') >> text=Edit")
    assert page.input_value("#f-client-legal_name") == XSS
    page.wait_for_selector("#explained")
    assert XSS in panel(page)
    shot(page, "12-xss")
    assert context.dialogs == []


def test_a_post_without_the_csrf_token_changes_nothing(context, served):
    page = sign_in(context, "sam")
    before = sorted(p.name for p in served.site.clients.iterdir())
    status = page.evaluate("""async () => {
        const body = new URLSearchParams({"client.legal_name": "Forged LLC", "action": "save"});
        const response = await fetch("/clients/save", {method: "POST", body});
        return response.status;
    }""")
    assert status == 403
    assert sorted(p.name for p in served.site.clients.iterdir()) == before


def test_operations_runs_a_batch_and_watches_it(context, served):
    page = sign_in(context, "olive")
    page.goto("/batch")
    page.uncheck("input[name=only_stale]")
    page.click("#run-batch")
    page.wait_for_selector("#batch-finished", timeout=120_000)
    progress = page.inner_text("ol.progress")
    assert "Bluebonnet Family Dental, PLLC" in progress and "clients to go" in progress
    shot(page, "13-batch")


def test_the_other_pages(context, served):
    page = sign_in(context, "ada")
    for path, name in [("/library", "14-library"), ("/library/security.declined_controls", "15-slot"),
                       ("/users", "17-users")]:
        response = page.goto(path)
        assert response.status == 200
        shot(page, name)
    page.goto("/library/security.declined_controls")
    page.click("text=Show redline")
    assert page.locator(".redline-body table.sbs").count() == 1
    shot(page, "16-diff")
