"""The provider's countersignature: pyHanko signs an existing empty field with a PKCS#12 key.

Signing appends an incremental update, so the bytes the client signed (and the execution PDF
before them) stay the file's prefix, and `verify_signed_pdf` can still prove what was signed.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import signers

from .._files import write_once
from ..errors import SigningError
from ..pdf.fields import signature_fields

PROVIDER_FIELD = "provider_signature"


def load_signer(key: Path, passphrase: bytes | None) -> signers.SimpleSigner:
    """The signer in a PKCS#12 file (certificate, key and any chain certificates it carries)."""
    try:
        with key.open("rb"):
            pass
    except OSError as exc:
        raise SigningError(f"cannot read the key: {exc.strerror}", file=str(key), field="--key") from None
    try:
        # Older pyHanko (0.25) returns None for a key it cannot open; newer versions raise.
        signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(key), passphrase=passphrase)
    except ValueError:
        signer = None
    if signer is None:
        raise SigningError("cannot open the key: a wrong passphrase, or not a PKCS#12 (.p12/.pfx) file",
                           file=str(key), field="--key",
                           hint="the passphrase comes from MSA_KEY_PASSPHRASE, or the prompt")
    return signer


def sign_pdf(data: bytes, *, key: Path, passphrase: bytes | None, field: str = PROVIDER_FIELD,
             source: str = "<bytes>") -> bytes:
    """`data` with `field` signed by the key's certificate, as an incremental update.

    Refuses a field the PDF lacks (listing those it has) and a field already signed: a draft
    carries no fields, and a signature is never replaced.
    """
    fields = signature_fields(data)
    names = [f.name for f in fields]
    chosen = next((f for f in fields if f.name == field), None)
    if chosen is None:
        raise SigningError(f"the PDF has no signature field {field!r}", file=source, field="--field", allowed=names,
                           hint=None if names else "it has no signature fields: a draft cannot be signed; "
                                                   "sign the execution version")
    if chosen.signed:
        raise SigningError(f"{field} is already signed", file=source, field="--field",
                           allowed=[f.name for f in fields if not f.signed])
    signer = load_signer(key, passphrase)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data))
        meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256")
        out = signers.sign_pdf(writer, meta, signer=signer, existing_fields_only=True)
    except (PdfError, ValueError) as exc:  # pyHanko's SigningError is a ValueError
        raise SigningError(f"pyHanko could not sign {field}: {exc}", file=source, field="--field") from None
    return bytes(out.getbuffer())


def countersign_file(source: Path, output: Path, *, key: Path, passphrase: bytes | None,
                     field: str = PROVIDER_FIELD) -> Path:
    """Sign `field` of the PDF at `source` into a new file `output`; never over the input or any file.

    A signed instrument is never overwritten: `output` must not exist, and it is created complete
    or not at all, even against someone creating it at the same moment.
    """
    if output.resolve() == source.resolve():
        raise SigningError("is the input, and a signed instrument is never overwritten", file=str(output),
                           field="-o", hint="write the countersigned copy to a new file")
    if output.exists():
        raise SigningError("already exists, and signed files are never overwritten", file=str(output), field="-o",
                           hint="choose a new file name")
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read the file: {exc.strerror}", file=str(source)) from None
    signed = sign_pdf(data, key=key, passphrase=passphrase, field=field, source=str(source))
    try:
        write_once(output, signed)
    except FileExistsError:
        raise SigningError("already exists, and signed files are never overwritten", file=str(output),
                           field="-o") from None
    except OSError as exc:
        raise SigningError(f"cannot write the signed PDF: {exc.strerror}", file=str(output), field="-o") from None
    return output
