"""A workspace with users, a provider and sample clients, served by the web app (in-process or on a port)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

from fastapi.testclient import TestClient  # noqa: E402

from msa_builder import api  # noqa: E402
from msa_builder.web import WebConfig, create_app  # noqa: E402
from lifecycle.conftest import PROVIDER_TEXT  # noqa: E402  # tests/ is on sys.path; one filled-in provider

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
PASSWORD = "correct horse battery"
USERS = {"sam": "sales", "avery": "attorney", "olive": "operations", "ada": "admin"}
XSS = "<script>alert(1)</script>"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    """A workspace for the web app: its folder, config, users and their API tokens."""

    root: Path
    config: WebConfig
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def ledger(self) -> Path:
        return self.config.ledger

    @property
    def clients(self) -> Path:
        return self.root / "clients"

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def make_site(root: Path) -> Site:
    api.init_workspace(root)
    (root / "provider.yaml").write_text(PROVIDER_TEXT, encoding="utf-8")
    (root / "clients" / "example-client.yaml").unlink()
    shutil.copy(SAMPLES / "bluebonnet-dental.yaml", root / "clients")
    site = Site(root, WebConfig.for_workspace(root))
    for name, role in USERS.items():
        api.add_user(name, role=role, ledger=site.ledger, password=PASSWORD, by="test")
        site.tokens[name] = api.user_token(name, ledger=site.ledger, by="test")
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return make_site(tmp_path_factory.mktemp("web") / "workspace")


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Sign `client` in through the login form, as a browser would (its CSRF cookie and field)."""
    page = client.get("/login")
    token = CSRF_FIELD.search(page.text).group(1)
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient, path: str = "/library") -> str:
    return CSRF_FIELD.search(client.get(path).text).group(1)


@pytest.fixture(scope="module")
def app(site: Site):
    return create_app(site.config)


@pytest.fixture
def anon(app) -> TestClient:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _signed_in(app, name: str):
    with TestClient(app, raise_server_exceptions=False) as client:
        yield sign_in(client, name)


@pytest.fixture
def sales(app):
    yield from _signed_in(app, "sam")


@pytest.fixture
def attorney(app):
    yield from _signed_in(app, "avery")


@pytest.fixture
def ops(app):
    yield from _signed_in(app, "olive")


@pytest.fixture
def admin(app):
    yield from _signed_in(app, "ada")


def texas_dental(**changes: object) -> dict:
    """The issue's client: a Texas dental practice on `managed` that declined security training."""
    profile = {
        "client": {"legal_name": "Lone Star Smiles Dental, PLLC", "jurisdiction": "Texas",
                   "address": "400 Main St, Houston, TX 77002", "users": 9,
                   "signatory": {"name": "Dr. Ana Ruiz", "title": "Owner", "email": "ana@lonestar.example",
                                 "authority": "owner"}},
        "tier": "managed", "industry": "healthcare", "effective_date": "2026-12-15",
        "controls": {"security_training": {"status": "declined", "offered": "2026-11-02",
                                           "reason": "Staff train with the dental association."}},
    }
    profile.update(changes)
    return profile
