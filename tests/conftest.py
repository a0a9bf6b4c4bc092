"""Shared fixtures: the shipped library and samples, and a tiny in-memory library to break on purpose."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from msa_builder.linting import Finding, lint_library
from msa_builder.library.load import load_library
from msa_builder.library.loader import DictLoader, FileSystemLoader
from msa_builder.library.model import Library
from msa_builder.profile import LoadedProfile, Provider, load_provider, profile_from_mapping

REPO = Path(__file__).resolve().parents[1]
SHIPPED_LIBRARY = REPO / "msa_builder" / "data" / "clause_library"
SAMPLES = REPO / "samples"
CLIENT_SAMPLES = sorted(p.name for p in SAMPLES.iterdir()
                        if p.suffix in (".yaml", ".json") and p.name != "provider.yaml")


@pytest.fixture(scope="session")
def shipped_library() -> Library:
    """The shipped clause library, loaded once (loading takes ~0.1 s)."""
    return load_library(FileSystemLoader(SHIPPED_LIBRARY))


@pytest.fixture(scope="session")
def provider() -> Provider:
    return load_provider(SAMPLES.parent / "msa_builder" / "data" / "provider.yaml")[0]


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped library folder, safe to break."""
    return Path(shutil.copytree(SHIPPED_LIBRARY, tmp_path / "clause_library"))


def sample_data(name: str) -> dict[str, Any]:
    """A sample profile's raw mapping, to edit in a test."""
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)


@pytest.fixture
def harbor_data() -> dict[str, Any]:
    """samples/harbor-finch.yaml as a mapping (a fresh copy per test)."""
    return sample_data("harbor-finch.yaml")


@pytest.fixture
def make_profile() -> Callable[..., LoadedProfile]:
    """Turn a profile mapping into a LoadedProfile, as `load_profile` would from a file."""

    def make(data: dict[str, Any], source: str = "client.yaml") -> LoadedProfile:
        profile = profile_from_mapping(copy.deepcopy(data), source=source)
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        return LoadedProfile(profile=profile, source=source, sha256=digest)

    return make


@pytest.fixture
def write_profile(tmp_path: Path) -> Callable[..., Path]:
    """Write a profile mapping (or raw text) to a file in tmp_path and return its path."""

    def write(data: dict[str, Any] | str, name: str = "client.yaml") -> Path:
        path = tmp_path / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        elif name.endswith(".json"):
            path.write_text(json.dumps(data, default=str), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


# --- A tiny library: two tiers, two industries, one control, two parameters, six slots. --------

MINI_MANIFEST = """\
name: mini
version: "1.0"
agreement_title: Services Agreement
tiers:
  basic: {name: Basic Services}
  premium: {name: Premium Services}
industries:
  general: {name: General Business}
  legal: {name: Legal Services}
controls:
  mfa:
    name: Multi-Factor Authentication
    defaults: {basic: accepted, premium: accepted}
    responsibility: {basic: shared, premium: shared}
refusal_policy:
  default: limit
  require:
    - control: mfa
      tiers: [premium]
      industries: [legal]
      reason: Premium legal work needs it.
parameters:
  notice_days:
    type: days
    description: Days of notice.
    default: 30
    by_industry: {legal: 10}
    combine: min
  insurance_minimum:
    type: money
    description: Minimum cover.
    default: 1000000
    by_tier: {premium: 2000000}
    combine: max
lint:
  legal_checks: false  # structural tests; tests/library/test_legal_checks.py turns them on
outline:
  preamble: agreement.parties
  articles:
    - title: Terms
      slots:
        - definitions.core
        - terms.service
        - {slot: terms.extra, optional: true}
  signature: agreement.signature
  schedules:
    - {slot: schedule.declined, optional: true}
"""

MINI_CATALOGUE = """\
version: 1.0.0
status: approved
effective: 2025-01-01
changelog: First release.
labels:
  status: {accepted: Accepted, declined: Declined, client_managed: Client managed}
  responsibility: {provider: Provider, client: Client, shared: Shared}
  declined_provider_duties: None.
  declined_client_duties: Keeps the risk.
  client_managed_provider_duties: None.
  no_reason: No reason was given.
  all_assets: all Covered Assets
controls:
  mfa:
    name: Multi-Factor Authentication
    description: A second factor for every account.
    risk: A stolen password opens every account.
    consequence: The Provider is not liable for account compromise.
    provider_duties: Enforces the second factor.
    client_duties: Enrols every user.
    client_managed_duties: Runs the second factor itself.
"""

MINI_PROFILE: dict[str, Any] = {
    "client": {
        "legal_name": "Acme Widgets LLC",
        "jurisdiction": "Ohio",
        "address": "1 Main St, Columbus, OH 43215",
        "signatory": {"name": "Pat Lee", "title": "Owner", "email": "pat@acme.example", "authority": "owner"},
        "users": 10,
    },
    "tier": "basic",
    "industry": "general",
    "effective_date": "2026-01-01",
}


class MiniLibrary:
    """An in-memory clause library (DictLoader) that a test edits, then loads or lints.

    The untouched library lints clean; each test breaks one thing and looks for that finding.
    """

    def __init__(self) -> None:
        self.files: dict[str, str] = {"library.yaml": MINI_MANIFEST, "catalogue/controls/1.0.0.yaml": MINI_CATALOGUE}
        self.clause("agreement.parties", "standard", variables=["provider.legal_name", "client.legal_name"],
                    body='This agreement (this **"Agreement"**) is made between {{ provider.legal_name }} '
                         '(the **"Provider"**) and {{ client.legal_name }} (the **"Client"**).\n')
        self.clause("definitions.core", "standard",
                    body='**"Client Data"** means data the Client gives the Provider.\n')
        self.clause("terms.service", "basic", applies_when="tier == 'basic'", variables=["params.notice_days"],
                    body="The Provider shall keep Client Data safe and give {{ params.notice_days }} of notice.\n")
        self.clause("terms.service", "premium", applies_when="tier == 'premium'",
                    variables=["params.insurance_minimum"],
                    body="The Client shall hold insurance of at least {{ params.insurance_minimum }}.\n")
        self.clause("terms.extra", "legal", applies_when="industry == 'legal'",
                    body="The Provider shall keep privileged material apart from other data.\n")
        self.clause("agreement.signature", "standard",
                    variables=["provider.signatory.name", "client.signatory.name"],
                    body="Signed for the Provider by {{ provider.signatory.name }} and for the Client by "
                         "{{ client.signatory.name }}.\n")
        self.clause("schedule.declined", "standard", applies_when="declined | length > 0", variables=["declined"],
                    body="{% for d in declined %}\n- {{ d.name }}: {{ d.consequence }}\n{% endfor %}\n")
        self.release()

    @staticmethod
    def path(slot: str, variant: str, version: str = "1.0.0") -> str:
        return f"slots/{slot}/{variant}/{version}.md"

    def clause(self, slot: str, variant: str, version: str = "1.0.0", *, body: str, applies_when: str = "true",
               status: str = "approved", effective: str = "2025-01-01", variables: list[str] | None = None,
               precedence: int | None = None, title: str | None = None, front: dict[str, Any] | None = None) -> str:
        """Add (or replace) a clause version file; `front` overrides or adds front-matter fields."""
        meta: dict[str, Any] = {"id": slot, "variant": variant, "version": version,
                                "title": title or slot.split(".")[-1].replace("_", " ").title(),
                                "status": status, "effective": effective, "applies_when": applies_when}
        if precedence is not None:
            meta["precedence"] = precedence
        meta["variables"] = variables or []
        meta["changelog"] = "First release."
        meta.update(front or {})
        text = "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n" + textwrap.dedent(body)
        path = self.path(slot, variant, version)
        self.files[path] = text
        return path

    def edit(self, path: str, old: str, new: str) -> None:
        assert old in self.files[path], f"{old!r} is not in {path}"
        self.files[path] = self.files[path].replace(old, new)

    def release(self) -> None:
        """Record the current bytes of every approved or retired version, as `msa library freeze` would."""
        record = {}
        for path, text in self.files.items():
            if path.startswith(("slots/", "catalogue/")) and "\nstatus: draft\n" not in text:
                record[path] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.files["released.json"] = json.dumps(record, indent=2, sort_keys=True) + "\n"

    def loader(self) -> DictLoader:
        return DictLoader(dict(self.files), location="<mini>")

    def load(self) -> Library:
        return load_library(self.loader())

    def lint(self) -> list[Finding]:
        return lint_library(self.loader())

    def errors(self) -> list[Finding]:
        return [f for f in self.lint() if f.level == "error"]

    def write(self, root: Path) -> Path:
        """Put the library on disk (for the CLI and for `freeze`)."""
        for path, text in self.files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return root


@pytest.fixture
def mini() -> MiniLibrary:
    return MiniLibrary()


@pytest.fixture
def mini_profile(make_profile: Callable[..., LoadedProfile]) -> Callable[..., LoadedProfile]:
    """A profile for the mini library: `mini_profile(tier="premium", controls={"mfa": "declined"})`."""

    def make(**changes: Any) -> LoadedProfile:
        data = copy.deepcopy(MINI_PROFILE)
        users = changes.pop("users", None)
        if users is not None:
            data["client"]["users"] = users
        data.update(changes)
        return make_profile(data, source="mini-client.yaml")

    return make


# --- Builds: DOCX, memo, lock and PDF outputs of the samples (tests/render, tests/pdf, test_build). --

TEMPLATES = REPO / "msa_builder" / "data" / "templates"
PROVIDER_FILE = SAMPLES.parent / "msa_builder" / "data" / "provider.yaml"


@pytest.fixture(scope="session")
def build_options(shipped_library: Library) -> Any:
    """BuildOptions for the shipped library, templates and provider file, named explicitly."""
    from msa_builder.outputs import BuildOptions

    return BuildOptions(library=shipped_library, provider_path=PROVIDER_FILE, templates_dir=TEMPLATES)


@pytest.fixture(scope="session")
def rendered_sample(build_options: Any) -> Callable[[str], Any]:
    """`rendered_sample("harbor-finch.yaml")`: the sample's DOCX build in memory, rendered once per session.

    Clause versions are chosen as of each sample's effective date (`--as-of`), so the golden texts
    do not depend on the day the tests run.
    """
    from dataclasses import replace

    from msa_builder.outputs import render_build
    from msa_builder.profile import load_profile

    cache: dict[str, Any] = {}

    def render(name: str) -> Any:
        if name not in cache:
            loaded = load_profile(SAMPLES / name)
            cache[name] = render_build(loaded, replace(build_options, as_of=loaded.profile.effective_date))
        return cache[name]

    return render


@pytest.fixture(scope="session")
def pdf_converter() -> Any:
    """One LibreOffice shared by every PDF test of the session: each start costs ~1-2 s."""
    from msa_builder.errors import ConversionError
    from msa_builder.pdf.convert import PdfConverter

    try:
        converter = PdfConverter(timeout=90)
    except ConversionError as exc:
        pytest.skip(f"LibreOffice is not available: {exc.message}")
    with converter:
        yield converter


def pytest_configure(config: pytest.Config) -> None:
    # When a hypothesis test fails, its pytest plugin imports hypothesis.extra._patching, which
    # imports mypy_extensions and triggers a DeprecationWarning. With `filterwarnings = error` that
    # turns the failure into an INTERNALERROR that hides the falsifying example. Every other
    # warning stays an error.
    config.addinivalue_line("filterwarnings",
                            "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


@pytest.fixture
def msa() -> Callable[..., Any]:
    """`msa("explain", path, input=...)`: the CLI in-process, arguments turned into strings."""
    from click.testing import CliRunner

    from msa_builder.cli import main

    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(main, [str(a) for a in args], input=input)
