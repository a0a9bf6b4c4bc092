"""Verifying a signed agreement PDF with pyHanko: is it our instrument, signed, and unchanged?

Everything cryptographic is pyHanko's: each signature's integrity and signer certificate
(`validate_pdf_signature`) and what later revisions changed (its difference analysis, the same
one Acrobat-style validators run). What this module adds is the agreement's own rules: the first
revision must be the execution PDF we sent, byte for byte; every later revision may only sign or
fill form fields; the fields a party must sign are signed; and a certificate chain that no
configured root vouches for is still accepted, but reported as "not trusted".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from io import BytesIO
from typing import Any

from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import EmbeddedPdfSignature, validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..errors import SigningError
from ..pdf.fields import signature_fields
from . import report as r
from .certs import as_asn1, signer_of
from .revisions import matching_revision, revision_ends, sha256

# Signing and filling form fields is all a signer may do to the execution PDF.
ALLOWED_CHANGES = ModificationLevel.FORM_FILLING
_METADATA = {"/MsaAgreementId": "agreement_id", "/MsaClient": "client", "/MsaStatus": "status",
             "/MsaLockSha256": "lock_sha256", "/MsaLibraryVersion": "library_version"}


def verify_signed_pdf(data: bytes, *, original: bytes | None = None, trust_roots: Sequence[x509.Certificate] = (),
                      required_fields: Sequence[str] = ("client_signature",), source: str = "<bytes>",
                      find_instrument: r.InstrumentFinder | None = None) -> r.VerificationReport:
    """Verify a signed PDF against the execution PDF it must start with; never raises on bad input.

    `original` is the execution PDF as sent (None: only its hash is reported, to find it by).
    `trust_roots` are the CA certificates that make a signer "trusted"; without them every valid
    signature is reported "valid, not trusted". `find_instrument(sha256)` names the instrument.
    """
    if b"%PDF-" not in data[:1024]:
        return _unusable(source, "the file is not a PDF", r.NOT_A_PDF)
    try:
        reader = PdfFileReader(BytesIO(data))
        if reader.encrypted:
            return _unusable(source, "the PDF is encrypted", r.UNREADABLE)
        return _verify(reader, data, original=original, trust_roots=trust_roots, required_fields=required_fields,
                       source=source, find_instrument=find_instrument)
    except (PdfError, SigningError, ValueError, KeyError, TypeError, IndexError) as exc:
        # A damaged file fails wherever pyHanko or pypdf first read the damaged part.
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        return _unusable(source, f"the PDF cannot be read: {reason[:200]}", r.UNREADABLE)


def _unusable(source: str, message: str, code: str) -> r.VerificationReport:
    return r.VerificationReport(source, "unusable", (r.Failure(code, message),))


def _verify(reader: PdfFileReader, data: bytes, *, original: bytes | None, trust_roots: Sequence[x509.Certificate],
            required_fields: Sequence[str], source: str,
            find_instrument: r.InstrumentFinder | None) -> r.VerificationReport:
    ends = revision_ends(data, reader)
    signatures = list(reader.embedded_signatures)
    failures: list[r.Failure] = []
    base = 0
    matches: bool | None = None
    if original is not None:
        found = matching_revision(data, ends, original)
        matches = found is not None
        if found is None:
            failures.append(r.Failure(r.ORIGINAL_MISMATCH, "the file's original revision is not the execution PDF "
                                      f"(sha256 {sha256(original)}): it was not made from it by signing"))
        else:
            base = found
    original_sha = sha256(data[:ends[base]])

    checked = [_check(sig, trust_roots) for sig in signatures]
    for sig in checked:
        if not sig.intact:
            failures.append(r.Failure(r.BROKEN_SIGNATURE, f"the signature in {sig.field} is broken: {sig.problem}",
                                      sig.field))
        elif not sig.certificate_valid:
            failures.append(r.Failure(r.CERTIFICATE_NOT_VALID, f"the certificate that signed {sig.field} was not "
                                      f"valid when it signed ({_when(sig.signed_at)})", sig.field))
    changes = _changes_since(reader, base, len(ends))
    beyond = [(i, level, why) for i, (level, why) in changes.items() if level > ALLOWED_CHANGES]
    if beyond:
        i, level, why = beyond[0]
        failures.append(r.Failure(r.CONTENT_CHANGED, f"revision {i} changes more than signatures and form fields"
                                  f" ({why or level.name.lower()})"))
    level = max((lvl for lvl, _ in changes.values()), default=ModificationLevel.NONE)
    if not signatures:
        failures.append(r.Failure(r.NO_SIGNATURES, "the PDF carries no signatures"))
    else:
        signed = {s.field for s in checked}
        for name in required_fields:
            if name not in signed:
                failures.append(r.Failure(r.REQUIRED_FIELD_UNSIGNED, f"{name} is not signed", name))

    fields = tuple(signature_fields(data))
    kinds = {s.revision: s.field for s in checked}
    revisions = tuple(
        r.RevisionInfo(i, end, sha256(data[:end]),
                       "before original" if i < base else "original" if i == base
                       else "signature" if i in kinds else "update", kinds.get(i),
                       changes[i][0].name.lower() if i in changes else None)
        for i, end in enumerate(ends))
    return r.VerificationReport(
        source=source, verdict="invalid" if failures else "valid", failures=tuple(failures),
        original_sha256=original_sha, original_matches=matches, revisions=revisions, signatures=tuple(checked),
        fields=fields, modification_level=level.name.lower(),
        metadata=_metadata(data[:ends[base]]),
        instrument=find_instrument(original_sha) if find_instrument is not None else None)


def _check(sig: EmbeddedPdfSignature, trust_roots: Sequence[x509.Certificate]) -> r.SignatureInfo:
    """One signature, validated by pyHanko as of the time it claims to have been made."""
    field = sig.field_name
    try:
        signer = signer_of(sig.signer_cert)
        signed_at = sig.self_reported_timestamp
    except (ValueError, KeyError) as exc:
        return r.SignatureInfo(field, sig.signed_revision, r.Signer(None), None, False, False, False, problem=str(exc))
    # Without a timestamp authority, the signer's clock is the only account of when it signed;
    # the certificate must have been valid then (and a trusted chain is judged as of then too).
    moment = signed_at or datetime.now(timezone.utc)
    context = ValidationContext(trust_roots=as_asn1(trust_roots), allow_fetching=False, moment=moment,
                                revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(sig, signer_validation_context=context)
    except (PdfError, ValueError) as exc:  # pyHanko's validation errors are ValueErrors
        return r.SignatureInfo(field, sig.signed_revision, signer, signed_at, False, False, False, problem=str(exc))
    cert = sig.signer_cert
    in_period = cert.not_valid_before <= moment <= cert.not_valid_after
    intact = bool(status.intact and status.valid)
    problem = None if intact else "its bytes do not match what was signed"
    if intact and (status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION):
        intact, problem = False, "it does not cover the whole revision it belongs to"
    trust_problem = None
    if not status.trusted:
        indication = status.trust_problem_indic
        trust_problem = ("no trust root configured" if not trust_roots else
                         str(getattr(indication, "name", indication)).lower().replace("_", " ") if indication
                         else "no chain to a trust root")
    level = status.modification_level
    return r.SignatureInfo(field, sig.signed_revision, signer, signed_at, intact, in_period,
                           bool(status.trusted), trust_problem, level.name.lower() if level is not None else None,
                           problem)


def _changes_since(reader: PdfFileReader, base: int, total: int) -> dict[int, tuple[ModificationLevel, str | None]]:
    """pyHanko's difference analysis of each revision after `base` against it: level and any reason.

    Each revision is compared with the original, as pyHanko's own review does, but one at a time,
    so the report can say which revision went beyond signing and filling fields.
    """
    if base + 1 >= total:
        return {}
    old = reader.get_historical_resolver(base)
    out: dict[int, tuple[ModificationLevel, str | None]] = {}
    for revision in range(base + 1, total):
        try:
            result = DEFAULT_DIFF_POLICY.apply(old=old, new=reader.get_historical_resolver(revision))
            out[revision] = (result.modification_level, None)
        except SuspiciousModification as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            out[revision] = (ModificationLevel.OTHER, reason if len(reason) <= 160 else reason[:157] + "...")
    return out


def _metadata(original: bytes) -> dict[str, str]:
    """What the original revision says it is (our PDF metadata): informative, the hash is the proof."""
    try:
        info: Any = PdfReader(BytesIO(original)).metadata or {}
    except (PyPdfError, ValueError, KeyError, TypeError):  # informative only: a damaged copy has none
        return {}
    return {name: str(info[key]) for key, name in _METADATA.items() if key in info}


def _when(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "time unknown"
