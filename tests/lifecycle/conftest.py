"""A client's whole way to a signature through the CLI: a folder of profiles, a provider, certificates."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from signing.pki import Identity, make_ca, make_signer  # tests/ is on sys.path

from msa_builder.cli import main
from msa_builder.ledger import open_reader

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
HARBOR = "Harbor & Finch LLP"
PROVIDER_TEXT = """\
legal_name: Northwind Managed Services, LLC
organization: an Ohio limited liability company
address: 88 Harbor Street, Suite 210, Cleveland, OH 44114
notice_email: legal@northwind-msp.example
website: northwind-msp.example
signatory:
  name: Jordan Blake
  title: President
  email: jordan.blake@northwind-msp.example
governing_law: Ohio
venue: Cuyahoga County, Ohio
"""


@dataclass
class World:
    """One provider's folder: clients, provider file, outputs, ledger, and a CLI runner over them."""

    root: Path

    @property
    def clients(self) -> Path:
        return self.root / "clients"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def ledger(self) -> Path:
        return self.out / "ledger.sqlite"

    @property
    def provider(self) -> Path:
        return self.root / "provider.yaml"

    def run(self, *args: object, common: bool = True) -> Result:
        extra = ["--out", str(self.out)] if common else []
        return CliRunner().invoke(main, [str(a) for a in args] + extra)

    def build(self, profile: str, *args: object) -> Result:
        result = self.run("build", self.clients / profile, "--provider", self.provider, *args)
        assert result.exit_code == 0, result.output
        return result

    def record(self, client: str = HARBOR):
        with open_reader(self.ledger) as book:
            return book.latest(book.resolve_client(client))

    def records(self, client: str = HARBOR):
        with open_reader(self.ledger) as book:
            return book.history(book.resolve_client(client))


def new_world(root: Path) -> World:
    root.mkdir(parents=True, exist_ok=True)
    (root / "clients").mkdir()
    for name in ("harbor-finch.yaml", "copper-kettle.yaml"):
        shutil.copy(SAMPLES / name, root / "clients" / name)
    (root / "provider.yaml").write_text(PROVIDER_TEXT, encoding="utf-8")
    return World(root)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return new_world(tmp_path / "provider")


def approved(world: World, client_file: str = "harbor-finch.yaml", client: str = HARBOR) -> World:
    """Build, review and approve one client (the approval renders the execution PDF with LibreOffice)."""
    world.build(client_file)
    assert world.run("ledger", "mark", client, "in_review").exit_code == 0
    result = world.run("approve", client, "--by", "Avery Chen", "--accept-deviations")
    assert result.exit_code == 0, result.output
    return world


@dataclass(frozen=True)
class Certificates:
    ca: Identity
    client: Identity
    provider: Identity
    stranger: Identity


@pytest.fixture(scope="session")
def certs() -> Certificates:
    ca = make_ca()
    return Certificates(ca, make_signer("Dana Reyes", org=HARBOR, email="dana@harbor-finch.example", issuer=ca),
                        make_signer("Jordan Blake", org="Northwind Managed Services, LLC", issuer=ca),
                        make_signer("Sam Stranger"))


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under `folder`: mtime, mode and content hash; equal snapshots mean nothing was touched."""
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_mode,
                                         hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def archived_record(world: World, client: str = HARBOR):
    """The client's newest record with an archive (a newer draft may sit beside it)."""
    return next(r for r in reversed(world.records(client)) if r.archive_folder is not None)


def archive_of(world: World, client: str = HARBOR) -> Path:
    folder = archived_record(world, client).archive_folder
    assert folder is not None
    return folder


def writable(path: Path) -> Callable[[], None]:
    """Make an archived file and its folder writable (as an intruder would); returns the undo."""
    os.chmod(path.parent, 0o755)
    os.chmod(path, 0o644)

    def undo() -> None:
        os.chmod(path, 0o444)
        os.chmod(path.parent, 0o555)

    return undo
