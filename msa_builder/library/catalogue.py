"""The control catalogue: every word the agreement prints about a security control, versioned.

The name, description, plain-words risk, consequence and duties of each control, and the labels
of the responsibility matrix, are operative text of the agreement (Schedules C, D and F). They live
in `catalogue/controls/<version>.yaml`, released and hashed like clause versions, selected by
effective date like them, and named in every lock, so changing a disclaimer always leaves a new
version and a hash behind. Nothing a contract prints is written in Python.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .._files import parse_yaml, raise_validation
from ..errors import LibraryError
from .model import ClauseStatus, check_semver, semver_key

CATALOGUE_DIR = "catalogue/controls/"
CATALOGUE_SLOT = "catalogue.controls"  # its name in locks and impact reports


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ControlText(_Strict):
    """What the agreement says about one control."""

    name: str
    description: str
    risk: str
    consequence: str
    provider_duties: str
    client_duties: str
    client_managed_duties: str


class Labels(_Strict):
    """Fixed words of the control tables and the declined-controls record."""

    status: dict[str, str]
    responsibility: dict[str, str]
    declined_provider_duties: str
    declined_client_duties: str
    client_managed_provider_duties: str
    no_reason: str
    all_assets: str

    @field_validator("status", "responsibility")
    @classmethod
    def _every_key(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        needed = {"status": {"accepted", "declined", "client_managed"},
                  "responsibility": {"provider", "client", "shared"}}[info.field_name or ""]
        missing = needed - set(value)
        if missing:
            raise ValueError(f"must label every {info.field_name}; missing {sorted(missing)}")
        return value


class CatalogueDoc(_Strict):
    version: str
    status: ClauseStatus
    effective: date
    changelog: str
    labels: Labels
    controls: dict[str, ControlText] = Field(default_factory=dict)

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        return check_semver(value)


@dataclass(frozen=True)
class CatalogueVersion:
    """One released (or draft) version of the control catalogue."""

    doc: CatalogueDoc
    path: str
    sha256: str

    @property
    def key(self) -> str:
        return f"{CATALOGUE_SLOT}@{self.doc.version}"

    @property
    def version(self) -> str:
        return self.doc.version

    @property
    def status(self) -> str:
        return self.doc.status

    def control(self, cid: str) -> ControlText:
        text = self.doc.controls.get(cid)
        if text is None:
            raise LibraryError(f"control catalogue {self.doc.version} has no text for control {cid!r}",
                               file=self.path, field=f"controls.{cid}")
        return text

    def bom_entry(self) -> dict[str, Any]:
        """The catalogue as a line of the bill of materials, beside the clauses it feeds."""
        return {"slot": CATALOGUE_SLOT, "variant": "catalogue", "version": self.doc.version,
                "status": self.doc.status, "sha256": self.sha256}


def parse_catalogue(relpath: str, raw: bytes, *, where: str) -> CatalogueVersion:
    """Parse one catalogue file and check that its name is its version."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LibraryError("catalogue file is not UTF-8 text", file=where) from None
    data = parse_yaml(text, source=where, error=LibraryError)
    if not isinstance(data, dict):
        raise LibraryError("a catalogue file must be a mapping", file=where)
    try:
        doc = CatalogueDoc.model_validate(data)
    except ValidationError as exc:
        raise_validation(exc, source=where, error=LibraryError)
        raise
    expected = relpath.removeprefix(CATALOGUE_DIR).removesuffix(".yaml")
    if doc.version != expected:
        raise LibraryError(f"{doc.version!r} does not match the file's name ({expected!r})", file=where,
                           field="version")
    return CatalogueVersion(doc=doc, path=relpath, sha256=hashlib.sha256(raw).hexdigest())


def catalogue_for(versions: tuple[CatalogueVersion, ...], as_of: date, allow_drafts: bool = False,
                  *, location: str = "") -> CatalogueVersion:
    """The newest approved (or, if allowed, draft) catalogue version effective on `as_of`."""
    statuses = {"approved", "draft"} if allow_drafts else {"approved"}
    eligible = [v for v in versions if v.doc.status in statuses and v.doc.effective <= as_of]
    if not eligible:
        raise LibraryError(f"the library has no control catalogue version effective on {as_of.isoformat()}",
                           file=location, field=CATALOGUE_DIR,
                           hint="add catalogue/controls/<version>.yaml (see the library README)")
    return max(eligible, key=lambda v: semver_key(v.doc.version))


def newest(versions: tuple[CatalogueVersion, ...]) -> CatalogueVersion | None:
    live = [v for v in versions if v.doc.status != "retired"]
    return max(live, key=lambda v: semver_key(v.doc.version)) if live else None
