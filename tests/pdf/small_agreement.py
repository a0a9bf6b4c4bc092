"""A small agreement-like PDF made here, with the signature lines our templates print.

Laid out like LibreOffice's rendering of the templates (a two-column signature table under the
parties' names in capitals, a running header naming the client, acknowledgement lines in the
declined-controls schedule, one of them pushed onto the next page), in a font whose widths
we choose, so the tests know to the point where every underscore is. No LibreOffice needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

from msa_builder.pdf.fields import SignatureLine
from msa_builder.pdf.finish import OutlineEntry, SigningPlace, finish_pdf

SIZE = 11.0
SPACE, GLYPH = 250, 500  # the font's widths: a space, and every other character
HEADER = "Harbor & Finch LLP \u00b7 MSA-TEST"
BY = "By: ______________________________"
INITIALS = "Initials of Dana Reyes: __________  Date: __________"
SCHEDULE_SIGNATURE = "Client signature: ______________________"

# page index -> (x, baseline, text)
PAGES: list[list[tuple[float, float, str]]] = [
    [(72, 700, "Cover")],
    [(72, 700, "Article One"), (72, 680, "Some words of article one.")],
    [(72, 748, HEADER), (269, 708, "Signatures"),
     (77.5, 618.6, "LAKESHORE MANAGED IT, LLC"), (311.5, 618.6, "HARBOR & FINCH LLP"),
     (77.5, 591.9, BY), (311.5, 591.9, BY),
     (77.5, 565.2, "Name: Morgan Ellis"), (311.5, 565.2, "Name: Dana Reyes"),
     (77.5, 511.8, "Date: ____________________________"), (311.5, 511.8, "Date: ____________________________")],
    [(72, 748, HEADER), (270, 708, "Schedule F"), (72, 640, "Multi-Factor Authentication"),
     (108, 600, "Client acknowledgement for Multi-Factor Authentication."),
     (108, 580, "The Client declines it."), (108, 560, INITIALS),
     (72, 140, "Managed Backup"), (108, 100, "Client acknowledgement for Managed Backup.")],
    [(72, 748, HEADER), (108, 700, INITIALS), (72, 670, "Acknowledgement of this schedule"),
     (108, 640, "By signing below, Harbor & Finch LLP confirms it."),
     (108, 600, SCHEDULE_SIGNATURE), (108, 580, "Name: Dana Reyes"), (108, 560, "Date: ______________________")],
]
BOOKMARKS = [("Signatures", 2), ("Schedule F: Declined Controls", 3), ("Multi-Factor Authentication", 3),
             ("Managed Backup", 3), ("Acknowledgement of this schedule", 4)]
OUTLINE = [OutlineEntry("Signatures", 0, "Signatures"), OutlineEntry("Schedule F: Declined Controls", 0, "Schedule F")]

PROVIDER = SignatureLine("provider_signature", "LAKESHORE MANAGED IT, LLC", "By:", "Signature of the provider")
CLIENT = SignatureLine("client_signature", "HARBOR & FINCH LLP", "By:", "Signature of the client")
ACK_MFA = SignatureLine("client_ack_mfa", "acknowledgement for Multi-Factor Authentication", "Initials of")
ACK_BACKUP = SignatureLine("client_ack_backup", "acknowledgement for Managed Backup", "Initials of")
SCHEDULE = SignatureLine("client_schedule_signature", "Acknowledgement of this schedule", "Client signature:")
FIELDS = [PROVIDER, CLIENT, ACK_MFA, ACK_BACKUP, SCHEDULE]
PLACES = [
    SigningPlace("Signature page: both Parties", PROVIDER.anchor, ("Signatures",), lines=(PROVIDER, CLIENT)),
    SigningPlace("Client acknowledges declined Multi-Factor Authentication", ACK_MFA.anchor,
                 ("Schedule F", "Multi-Factor Authentication"), lines=(ACK_MFA,)),
    SigningPlace("Client acknowledges declined Managed Backup", ACK_BACKUP.anchor, ("Managed Backup",),
                 lines=(ACK_BACKUP,)),
    SigningPlace("Client signs the declined-controls schedule", SCHEDULE.anchor, (SCHEDULE.anchor,),
                 lines=(SCHEDULE,)),
]


def width(text: str) -> float:
    """Points `text` takes in the test font at SIZE."""
    return sum(SPACE if ch == " " else GLYPH for ch in text) * SIZE / 1000


def underscores(text: str) -> tuple[float, float]:
    """Where the first run of underscores of a line starting at x=0 begins and ends."""
    start = text.index("___")
    end = start
    while end < len(text) and text[end] == "_":
        end += 1
    return width(text[:start]), width(text[:end])


def _font(with_widths: bool) -> DictionaryObject:
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
    if with_widths:
        font[NameObject("/FirstChar")] = NumberObject(32)
        font[NameObject("/LastChar")] = NumberObject(255)
        font[NameObject("/Widths")] = ArrayObject(
            [NumberObject(SPACE if code == 32 else GLYPH) for code in range(32, 256)])
    return font


def raw_pdf(pages: Sequence[Sequence[tuple[float, float, str]]] = PAGES, *, with_widths: bool = True,
            bookmarks: Sequence[tuple[str, int]] = BOOKMARKS) -> bytes:
    """The unfinished PDF, as LibreOffice would hand it over (one text object per line)."""
    writer = PdfWriter()
    font = writer._add_object(_font(with_widths))
    for lines in pages:
        page = writer.add_blank_page(width=612, height=792)
        stream = DecodedStreamObject()
        ops = []
        for x, y, text in lines:
            encoded = text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(b"BT /F1 %.1f Tf %.2f %.2f Td (%s) Tj ET" % (SIZE, x, y, encoded))
        stream.set_data(b"\n".join(ops))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    for title, page_number in bookmarks:
        writer.add_outline_item(title=title, page_number=page_number)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def finished(raw: bytes | None = None, *, final: bool = True, places: Sequence[SigningPlace] = PLACES,
             title: str = "Test agreement") -> bytes:
    """The finished PDF: an execution version (fields, no watermark) or a draft."""
    return finish_pdf(raw if raw is not None else raw_pdf(), metadata={"/Title": title}, outline=OUTLINE,
                      label_plan=lambda pages: [(0, None, "Cover", 0)], watermark=not final,
                      identity=f"test:{title}:{final}", signing=places, signing_after=0, signature_fields=final)
