"""`msa amend`: the signed terms, what a build says now, and the amendment between them.

The signed terms are read from the archive (the signed agreement's content model, or the
conformed agreement of its latest signed amendment), never from Word XML. What a build says now
is an ordinary selection and assembly from today's profile, library and provider file. The
amendment's draft files go beside the client's agreement files (`<slug>-amendment-<N>.docx`, its
PDF, memo, content model and lock), and the ledger records the draft as an instrument of kind
`amendment` linked to the agreement it amends; from there it takes the same lifecycle.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import atomic_write_set, read_regular
from ..agreement import Agreement
from ..assemble import assemble
from ..content import agreement_from_data
from ..context import printed_values
from ..errors import LifecycleError
from ..ledger import AgreementRecord, Ledger
from ..lifecycle.archive import intact_archive
from ..lock import bill_of_materials, lock_bytes, lock_document
from ..ooxml.shell import load_shell
from ..outputs import TEMPLATE_FILES, BuildOptions, input_sources
from ..paths import default_templates
from ..profile import LoadedProfile, load_provider
from ..render.memo_docx import decisions
from ..selection import select
from ..terms import agreement_terms
from .memo import change_changelog, render_amendment_memo
from .names import amendment_names, archived_names
from .model import Amendment, EarlierAmendment, amendment_from_data, amendment_id, amendment_json
from .plan import AmendmentPlan, plan_amendment
from .render import AMENDMENT_TEMPLATE, render_amendment_docx

if TYPE_CHECKING:
    from ..pdf.convert import PdfConverter


@dataclass(frozen=True)
class SignedTerms:
    """What a client signed: the agreement, its signed amendments (oldest first), and the terms together."""

    agreement: AgreementRecord
    amendments: tuple[AgreementRecord, ...]
    terms: Agreement

    @property
    def next_number(self) -> int:
        return len(self.amendments) + 1

    @property
    def latest(self) -> AgreementRecord:
        return self.amendments[-1] if self.amendments else self.agreement

    def describe(self) -> str:
        """`MSA-… + Amendment 1 (signed 2027-02-03)`: the instruments in force."""
        parts = [self.agreement.agreement_id]
        parts += [f"Amendment {r.amendment_no} (signed {r.status_at[:10]})" for r in self.amendments]
        return " + ".join(parts)


def _archived_model(record: AgreementRecord) -> dict[str, Any]:
    folder = intact_archive(record, "amended")
    name = archived_names(record.agreement_id, record.kind)["model"]
    try:
        return json.loads(read_regular(folder / name))
    except (OSError, ValueError) as exc:
        raise LifecycleError(f"cannot read the archived content model: {exc}", file=str(folder / name)) from None


def signed_terms(ledger: Ledger, slug: str) -> SignedTerms | None:
    """The client's signed agreement and amendments, read from their archives; None if nothing is signed."""
    records = ledger.history(slug)
    agreement = next((r for r in reversed(records) if r.kind == "agreement" and r.status == "signed"), None)
    if agreement is None:
        return None
    amendments = tuple(r for r in records if r.kind == "amendment" and r.amends == agreement.id
                       and r.status == "signed")
    if agreement.archive_folder is None:
        raise LifecycleError(f"{agreement.client}'s signed agreement #{agreement.id} ({agreement.agreement_id}) was "
                             "signed before instruments were archived, so what it says cannot be read back",
                             hint="only a restated agreement can bring it up to date: build, review, approve and "
                                  "sign a new one")
    latest = amendments[-1] if amendments else agreement
    data = _archived_model(latest)
    where = str(latest.archive_folder)
    terms = (amendment_from_data(data, where=where).conformed if latest.kind == "amendment"
             else agreement_from_data(data, where=where))
    return SignedTerms(agreement, amendments, terms)


@dataclass(frozen=True)
class NowBuild:
    """What a build of the client would say today, with what its bill of materials needs."""

    agreement: Agreement
    bom: dict[str, Any]


def build_now(loaded: LoadedProfile, options: BuildOptions) -> NowBuild:
    """Select and assemble today's agreement for the client (nothing is rendered or written)."""
    provider, provider_sha = load_provider(options.provider_path)
    selection = select(options.library, loaded, as_of=options.as_of, allow_drafts=options.allow_drafts)
    agreement = assemble(selection, provider)
    terms = agreement_terms(selection, printed_values(selection, provider))
    templates = {"amendment": _amendment_shell(options.templates_dir).sha256,
                 "review_memo": load_shell(options.templates_dir / TEMPLATE_FILES["review_memo"]).sha256}
    bom = bill_of_materials(selection, terms, profile_sha256=loaded.sha256, provider_sha256=provider_sha,
                            templates=templates, final=False)
    return NowBuild(agreement, bom)


def amendment_template(templates_dir: Path) -> Path:
    """The workspace's amendment shell, or the shipped one for a workspace made before amendments."""
    own = templates_dir / AMENDMENT_TEMPLATE
    return own if own.exists() else default_templates() / AMENDMENT_TEMPLATE


def _amendment_shell(templates_dir: Path):  # type: ignore[no-untyped-def]
    return load_shell(amendment_template(templates_dir))


def plan_for(signed: SignedTerms, now: NowBuild, options: BuildOptions) -> AmendmentPlan:
    return plan_amendment(signed.terms, now.agreement, number=signed.next_number,
                          policy=options.library.manifest.amendments)


@dataclass(frozen=True)
class RenderedAmendment:
    slug: str
    amendment: Amendment
    plan: AmendmentPlan
    files: dict[str, bytes]
    lock: dict[str, Any]

    @property
    def lock_sha256(self) -> str:
        return hashlib.sha256(self.files[amendment_names(self.slug, self.amendment.number)["lock"]]).hexdigest()


def make_amendment(signed: SignedTerms, now: NowBuild, plan: AmendmentPlan, options: BuildOptions, *,
                   effective: date) -> Amendment:
    policy = options.library.manifest.amendments
    if policy.text is None:
        raise LifecycleError("the library's amendments section has no text (effect, counterparts), so an "
                             "amendment cannot be drafted", file=f"{options.library.location}/library.yaml",
                             field="amendments.text")
    number = signed.next_number
    earlier = tuple(EarlierAmendment(r.amendment_no or i, r.agreement_id, r.status_at[:10])
                    for i, r in enumerate(signed.amendments, start=1))
    conformed = replace(plan.conformed, terms_sha256=now.bom["terms_sha256"])
    return Amendment(id=amendment_id(signed.agreement.agreement_id, number, plan.changes, now.bom["terms_sha256"],
                                     effective),
                     number=number, agreement_id=signed.agreement.agreement_id,
                     agreement_date=signed.terms.effective_date, effective_date=effective, earlier=earlier,
                     changes=plan.changes, conformed=conformed, effect=policy.text.effect,
                     counterparts=policy.text.counterparts)


def amendment_bom(amendment: Amendment, signed: SignedTerms, now: NowBuild) -> dict[str, Any]:
    """The draft's bill: today's build (its clauses and terms are the terms as amended) and what it amends."""
    return {**now.bom, "agreement_id": amendment.id,
            "amendment": {"number": amendment.number, "amends_record": signed.agreement.id,
                          "amends_agreement_id": signed.agreement.agreement_id,
                          "effective_date": amendment.effective_date.isoformat(),
                          "changes": [c.describe() for c in amendment.changes]}}


def render_amendment(signed: SignedTerms, now: NowBuild, plan: AmendmentPlan, options: BuildOptions, *,
                     slug: str, profile_path: str, effective: date,
                     converter: PdfConverter | None = None) -> RenderedAmendment:
    """Every file of the draft amendment in memory, the lock last; nothing is written."""
    amendment = make_amendment(signed, now, plan, options, effective=effective)
    bom = amendment_bom(amendment, signed, now)
    names = amendment_names(slug, amendment.number)
    shell = _amendment_shell(options.templates_dir)
    memo_shell = load_shell(options.templates_dir / TEMPLATE_FILES["review_memo"])
    docx = render_amendment_docx(amendment, shell, bom)
    files = {names["docx"]: docx}
    changelogs = [change_changelog(options.library, c) for c in amendment.changes]
    files[names["memo"]] = render_amendment_memo(amendment, memo_shell, bom, changelogs=changelogs,
                                                 points=decisions(amendment.conformed))
    if "pdf" in options.formats:
        from .pdf import amendment_pdf

        files[names["pdf"]] = amendment_pdf(amendment, docx, bom, converter=converter)
    files[names["model"]] = amendment_json(amendment)
    lock = lock_document(bom, files, profile_path=profile_path, sources=input_sources(options))
    files[names["lock"]] = lock_bytes(lock)
    return RenderedAmendment(slug, amendment, plan, files, lock)


def write_amendment(rendered: RenderedAmendment, out_dir: Path) -> list[Path]:
    """Write the draft amendment's files under OUT/<slug>/, unchanged files untouched, the lock last."""
    directory = out_dir / rendered.slug
    return atomic_write_set({directory / name: data for name, data in rendered.files.items()}, own_folder=True)
