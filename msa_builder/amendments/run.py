"""`msa amend CLIENT` and `msa amend SOURCE`: one amendment per signed client that is behind.

Each client is decided on its own, and one that fails never stops the others: it has no signed
agreement; it is current (nothing to amend, nothing written); it needs a restated agreement (the
reasons, nothing written); or it gets Amendment No. N, written beside its agreement and recorded
in the ledger as a draft. A dry run decides the same and writes nothing.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from ..errors import LifecycleError, MsaError
from ..identity import client_folder
from ..ledger import AgreementRecord, Ledger
from ..outputs import BuildOptions
from ..profile import LoadedProfile, load_profile
from .build import SignedTerms, build_now, plan_for, render_amendment, signed_terms, write_amendment

Outcome = Literal["drafted", "would draft", "current", "restate", "awaiting", "unsigned", "error"]


@dataclass(frozen=True)
class AmendResult:
    """What `msa amend` decided for one client, and what it wrote."""

    client: str
    outcome: Outcome
    signed: str | None = None  # the instruments in force: `MSA-… + Amendment 1 (signed …)`
    number: int | None = None
    amendment_id: str | None = None
    changes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    files: tuple[Path, ...] = ()
    record: AgreementRecord | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"client": self.client, "outcome": self.outcome, "signed": self.signed, "number": self.number,
                "amendment_id": self.amendment_id, "changes": list(self.changes), "reasons": list(self.reasons),
                "files": [str(p) for p in self.files], "record": self.record.id if self.record else None,
                "error": self.error}


@dataclass(frozen=True)
class AmendRequest:
    options: BuildOptions
    out_dir: Path
    effective: date
    dry_run: bool = False
    by: str = "msa amend"


def amend_client(ledger: Ledger, loaded: LoadedProfile, request: AmendRequest, *, source: str) -> AmendResult:
    """Decide, and unless a dry run write and record, the amendment of one client."""
    name = loaded.profile.client.legal_name
    slug = client_folder(request.out_dir, name, owners=(ledger.slug_client,))
    signed = signed_terms(ledger, slug)
    if signed is None:
        return AmendResult(name, "unsigned")
    sent = awaiting_signature(ledger, slug, signed)
    if sent is not None:
        return AmendResult(name, "awaiting", signed.describe(), sent.amendment_no, sent.agreement_id,
                           reasons=_awaiting_reasons(name, sent), record=sent)
    now = build_now(loaded, request.options)
    plan = plan_for(signed, now, request.options)
    changes = tuple(c.describe() for c in plan.changes)
    if plan.restate:
        return AmendResult(name, "restate", signed.describe(), changes=changes, reasons=plan.restate)
    if not plan.needed:
        return AmendResult(name, "current", signed.describe())
    if request.dry_run:
        return AmendResult(name, "would draft", signed.describe(), signed.next_number, changes=changes)
    rendered = render_amendment(signed, now, plan, request.options, slug=slug, profile_path=str(loaded.source),
                                effective=request.effective)
    write_amendment(rendered, request.out_dir)
    record = ledger.record_build(rendered.lock, lock_sha256=rendered.lock_sha256, slug=slug,
                                 directory=str((request.out_dir / slug).resolve()), source=source, by=request.by)
    files = tuple(request.out_dir / slug / n for n in rendered.files)
    return AmendResult(name, "drafted", signed.describe(), rendered.amendment.number, rendered.amendment.id, changes,
                       files=files, record=record or ledger.latest(slug))


def awaiting_signature(ledger: Ledger, slug: str, signed: SignedTerms) -> AgreementRecord | None:
    """The amendment of the signed agreement that is out for signature, if any.

    While it is, no other amendment is drafted: one drafted now would carry the same number and
    amend the same signed terms, and the client could sign both. (A draft, or one in review or
    approved but not sent, is replaced by the next draft instead: the ledger supersedes it.)
    """
    return next((r for r in reversed(ledger.history(slug))
                 if r.kind == "amendment" and r.amends == signed.agreement.id and r.status == "sent"), None)


def _awaiting_reasons(client: str, sent: AgreementRecord) -> tuple[str, ...]:
    quoted = shlex.quote(client)  # the commands are shown to be pasted into a shell
    return (f"Amendment No. {sent.amendment_no} {sent.agreement_id} (record #{sent.id}) was sent on "
            f"{sent.status_at[:10]} and awaits the client's signature; nothing was written",
            f"once it is signed, record it (`msa ledger mark {quoted} signed --evidence FILE --record "
            f"{sent.id}`) and amend again for what it does not cover",
            f"or withdraw it first (`msa ledger mark {quoted} superseded --record {sent.id}`) to draft a new "
            f"Amendment No. {sent.amendment_no} in its place")


def profile_of(ledger: Ledger, client: str) -> tuple[LoadedProfile, str]:
    """A ledger client's profile: the file its signed agreement was built from."""
    slug = ledger.resolve_client(client)
    signed = next((r for r in reversed(ledger.history(slug)) if r.status == "signed"), None)
    record = signed or ledger.latest(slug)
    assert record is not None  # resolve_client found it
    path = Path(record.source)
    if not path.is_file():
        raise LifecycleError(f"the profile {record.client}'s agreement was built from is not there any more",
                             file=str(path), field="CLIENT",
                             hint="pass the profile file (or the folder or CSV of clients) instead of the name")
    return load_profile(path), str(path)


def amend_all(ledger: Ledger, entries: Iterable[tuple[str, LoadedProfile | MsaError]],
              request: AmendRequest) -> list[AmendResult]:
    """Every client of a source; a client's error is its own result."""
    results = []
    for label, loaded in entries:
        if isinstance(loaded, MsaError):
            results.append(AmendResult(label, "error", error=loaded.format()))
            continue
        try:
            results.append(amend_client(ledger, loaded, request, source=str(loaded.source)))
        except MsaError as exc:
            results.append(AmendResult(loaded.profile.client.legal_name, "error", error=exc.format()))
    return results
