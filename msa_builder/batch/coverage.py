"""`msa status`: does every client have a signed agreement, and is it current against today's library?

Every client must have a signed, written agreement (DOMAIN.md, lesson 1), and one signed under an
older library or profile no longer says what the provider now delivers. This report puts the
clients with no signed agreement at all first, then those that need a restated agreement, then
those that need an amendment (with what it would change), then those signed and current. What is
in force is the signed agreement with its signed amendments; "current" means a build now would
say the same (terms.py), and where the terms differ, the amendment plan says whether any printed
text does and whether an amendment may make the change (amendments/plan.py). It reads the
source, the library, the ledger and the archives; it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import MsaError
from ..ledger import AgreementRecord, Ledger, open_reader
from ..library.model import Library
from ..lifecycle.standing import archive_warning, describe_evidence, describe_in_force
from ..lock import bom_hash
from ..identity import client_folder, same_client
from ..outputs import BuildOptions
from ..profile import LoadedProfile
from ..terms import terms_changes
from .sources import SourceEntry, load_entry, read_source
from .staleness import BuildInputs, bom_changes, build_inputs, expected_bom
from .worker import BatchConfig

STATES = ("error", "unsigned", "restate", "amend", "current")
_STATE_TEXT = {"error": "profile error", "unsigned": "NO SIGNED AGREEMENT", "restate": "NEEDS RESTATED AGREEMENT",
               "amend": "signed, needs amendment", "current": "signed, current"}


@dataclass(frozen=True)
class ClientCoverage:
    """One client's standing: its latest agreement, its signed one, and whether that is current."""

    label: str
    client: str | None
    slug: str | None
    state: str  # error | unsigned | restate | amend | current
    latest: AgreementRecord | None
    signed: AgreementRecord | None  # the instrument whose terms are in force: the agreement or its last amendment
    latest_current: bool | None
    changes: tuple[str, ...] = ()
    error: str | None = None
    archive_warnings: tuple[str, ...] = ()  # an archived instrument file missing or altered
    reasons: tuple[str, ...] = ()  # why an amendment will not do
    in_force: str | None = None  # `MSA-… + Amendment 1 (signed 2027-02-03)`

    @property
    def is_signed(self) -> bool:
        return self.signed is not None

    @property
    def state_text(self) -> str:
        return _STATE_TEXT[self.state]

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client, "slug": self.slug, "source": self.label, "state": self.state,
            "signed": self.is_signed, "current": self.state == "current",
            "signed_record": self.signed.id if self.signed else None,
            "signed_agreement_id": self.signed.agreement_id if self.signed else None,
            "signed_at": self.signed.status_at if self.signed else None,
            "signed_by": self.signed.status_by if self.signed else None,
            "signed_evidence": describe_evidence(self.signed) if self.signed else None,
            "signed_verified": bool(self.signed.evidence and self.signed.evidence.get("verified"))
            if self.signed else None,
            "latest_record": self.latest.id if self.latest else None,
            "latest_agreement_id": self.latest.agreement_id if self.latest else None,
            "latest_status": self.latest.status if self.latest else None,
            "latest_generated_at": self.latest.generated_at if self.latest else None,
            "latest_current": self.latest_current,
            "changes": list(self.changes), "error": self.error, "archive_warnings": list(self.archive_warnings),
            "reasons": list(self.reasons), "in_force": self.in_force,
        }


CSV_COLUMNS = ("client", "slug", "source", "state", "signed", "current", "signed_record", "signed_agreement_id",
               "signed_at", "signed_by", "signed_evidence", "signed_verified", "latest_record", "latest_agreement_id",
               "latest_status", "latest_generated_at", "latest_current", "changes", "error", "archive_warnings",
               "reasons", "in_force")


def coverage_report(source: Path | str, config: BatchConfig) -> list[ClientCoverage]:
    """The standing of every client in `source`, least covered first (see the module doc)."""
    library = config.open_library()
    options = config.build_options(library)
    inputs = build_inputs(options)
    entries = [e for e in read_source(source, library.manifest) if not e.skip]
    # An absent ledger means nothing was ever generated; a report only reads, and never waits for a batch.
    ledger = open_reader(config.ledger) if config.ledger.exists() else None
    rows = []
    try:
        for entry in entries:
            rows.append(_client(entry, ledger, options, inputs, config.out_dir))
    finally:
        if ledger is not None:
            ledger.close()
    order = {state: i for i, state in enumerate(STATES)}
    return sorted(rows, key=lambda r: (order[r.state], (r.client or r.label).casefold()))


class _Expected:
    """The bill a build would have now, under the options a recorded agreement was built with.

    A signed agreement is a `--final` build; comparing it with a draft build would call every
    signed agreement out of date. The memo answers most clients without a selection.
    """

    def __init__(self, entry: SourceEntry, loaded: LoadedProfile, library: Library, inputs: BuildInputs,
                 ledger: Ledger | None) -> None:
        self.entry, self.loaded, self.library, self.inputs, self.ledger = entry, loaded, library, inputs, ledger
        self._boms: dict[tuple[bool, bool], dict[str, Any]] = {}

    def _inputs(self, record: AgreementRecord) -> BuildInputs:
        bom = self.ledger.bom(record.id) if self.ledger is not None else {}
        return replace(self.inputs, final=bool(bom.get("final")), allow_drafts=bool(bom.get("allow_drafts")))

    def bom(self, record: AgreementRecord) -> dict[str, Any]:
        inputs = self._inputs(record)
        key = (inputs.final, inputs.allow_drafts)
        if key not in self._boms:
            self._boms[key] = expected_bom(self.loaded, self.library, inputs)
        return self._boms[key]

    def is_current(self, record: AgreementRecord) -> bool:
        """Whether a build now would say what the recorded agreement says (its terms, terms.py).

        A comment in the profile, YAML instead of CSV, a new tool version or Word template: none
        changes the terms, so none makes a signed agreement out of date.
        """
        inputs = self._inputs(record)
        memo = self.ledger.memo_get(inputs.key(self.entry.sha256)) if self.ledger is not None else None
        if record.bom_sha256 == (memo or bom_hash(self.bom(record))):
            return True
        return self.ledger is not None and not self.changes(record)

    def changes(self, record: AgreementRecord) -> list[str]:
        """What a build now would say differently; for a record older than terms, what changed in its bill
        apart from the as-of date alone (the same versions chosen as of another date are the same agreement)."""
        assert self.ledger is not None
        recorded, now = self.ledger.bom(record.id), self.bom(record)
        if "terms" in recorded:
            return [] if recorded.get("terms_sha256") == now["terms_sha256"] else \
                terms_changes(recorded["terms"], now["terms"]) or ["the terms changed"]
        return [str(c) for c in bom_changes(recorded, now) if not (c.kind == "options" and c.detail.startswith("as_of "))]


def _client(entry: SourceEntry, ledger: Ledger | None, options: BuildOptions, inputs: BuildInputs,
            out_dir: Path) -> ClientCoverage:
    row = _standing(entry, ledger, options, inputs, out_dir)
    if ledger is None or row.slug is None:
        return row
    warnings = tuple(w for w in map(archive_warning, ledger.history(row.slug)) if w)
    return replace(row, archive_warnings=warnings) if warnings else row


def in_force(ledger: Ledger, slug: str) -> tuple[AgreementRecord | None, list[AgreementRecord]]:
    """The client's signed agreement (the newest) and its signed amendments, oldest first."""
    records = ledger.history(slug)
    agreement = next((r for r in reversed(records) if r.kind == "agreement" and r.status == "signed"), None)
    if agreement is None:
        return None, []
    return agreement, [r for r in records if r.kind == "amendment" and r.amends == agreement.id and r.status == "signed"]


def _standing(entry: SourceEntry, ledger: Ledger | None, options: BuildOptions, inputs: BuildInputs,
              out_dir: Path) -> ClientCoverage:
    library = options.library
    owners = (ledger.slug_client,) if ledger is not None else ()
    slug = client_folder(out_dir, entry.client, owners=owners) if entry.client else None
    latest = ledger.latest(slug) if ledger is not None and slug else None
    signed: AgreementRecord | None = None
    try:
        loaded = load_entry(entry)
        name = loaded.profile.client.legal_name
        if not same_client(name, entry.client):
            slug = client_folder(out_dir, name, owners=owners)
            latest = ledger.latest(slug) if ledger is not None else None
        agreement, amendments = in_force(ledger, slug) if ledger is not None and slug else (None, [])
        signed = amendments[-1] if amendments else agreement
        expected = _Expected(entry, loaded, library, inputs, ledger)
        latest_current = expected.is_current(latest) if latest else None
        row = ClientCoverage(entry.label, name, slug, "unsigned", latest, signed, latest_current)
        if agreement is None or signed is None:
            return row
        row = replace(row, in_force=describe_in_force(agreement, amendments))
        if expected.is_current(signed):
            return replace(row, state="current")
        return _behind(row, expected, signed, ledger, loaded, options)
    except MsaError as exc:
        return ClientCoverage(entry.label, entry.client, slug, "error", latest, signed, None, error=exc.format())


def _behind(row: ClientCoverage, expected: _Expected, signed: AgreementRecord, ledger: Ledger | None,
            loaded: LoadedProfile, options: BuildOptions) -> ClientCoverage:
    """A signed client whose terms differ from today's: current after all, an amendment, or a restatement."""
    from ..amendments.build import build_now, plan_for, signed_terms

    changes = tuple(expected.changes(signed))
    assert ledger is not None and row.slug is not None
    if signed.archive_folder is None:
        return replace(row, state="restate", changes=changes, reasons=(
            "signed before instruments were archived, so its terms cannot be read back for an amendment",))
    terms = signed_terms(ledger, row.slug)
    assert terms is not None
    plan = plan_for(terms, build_now(loaded, options), options)
    if plan.restate:
        return replace(row, state="restate", changes=tuple(c.describe() for c in plan.changes) or changes,
                       reasons=plan.restate)
    if not plan.needed:
        return replace(row, state="current")  # new versions that print the same text for this client
    return replace(row, state="amend", changes=tuple(c.describe() for c in plan.changes))
