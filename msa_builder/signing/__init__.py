"""Signed agreements: signature fields, the provider's countersignature and verification.

The lifecycle builds on these: an execution PDF carries empty signature fields
(`msa_builder.pdf.fields`), the client signs with any PDF signer, `sign_pdf` adds the
provider's countersignature, and `verify_signed_pdf` proves a signed copy is the execution PDF
that was sent, signed and otherwise unchanged.
"""

from __future__ import annotations

from ..pdf.fields import FieldInfo, signature_fields
from .certs import load_trust_roots
from .report import Failure, InstrumentFinder, InstrumentRef, RevisionInfo, SignatureInfo, Signer, VerificationReport
from .sign import PROVIDER_FIELD, load_signer, sign_pdf
from .verify import verify_signed_pdf

__all__ = [
    "PROVIDER_FIELD",
    "Failure",
    "FieldInfo",
    "InstrumentFinder",
    "InstrumentRef",
    "RevisionInfo",
    "SignatureInfo",
    "Signer",
    "VerificationReport",
    "load_signer",
    "load_trust_roots",
    "sign_pdf",
    "signature_fields",
    "verify_signed_pdf",
]
