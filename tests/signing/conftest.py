"""Fixtures for signing and verification: test certificates, and the small execution PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pdf.small_agreement import finished  # tests/ is on sys.path (rootdir of the test packages)

from .pki import NOW, Identity, make_ca, make_signer

PASSPHRASE = b"provider passphrase"


@dataclass(frozen=True)
class Pki:
    """A CA with a client and a provider it vouches for; a stranger and an expired signer."""

    ca: Identity
    client: Identity
    provider: Identity
    stranger: Identity
    expired: Identity


@pytest.fixture(scope="session")
def pki() -> Pki:
    import datetime as dt

    ca = make_ca()
    return Pki(
        ca=ca,
        client=make_signer("Dana Reyes", org="Harbor & Finch LLP", email="dana@example.com", issuer=ca),
        provider=make_signer("Morgan Ellis", org="Lakeshore Managed IT, LLC", issuer=ca),
        stranger=make_signer("Sam Stranger"),
        expired=make_signer("Old Key", issuer=ca, valid_from=NOW - dt.timedelta(days=800),
                            valid_until=NOW - dt.timedelta(days=400)),
    )


@pytest.fixture(scope="session")
def execution() -> bytes:
    """The small execution PDF: five empty signature fields."""
    return finished()


@pytest.fixture
def provider_key(pki: Pki, tmp_path: Path) -> Path:
    path = tmp_path / "provider.p12"
    path.write_bytes(pki.provider.pkcs12(PASSPHRASE))
    return path
