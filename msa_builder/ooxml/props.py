"""Document properties: core (title, author, dates) and custom (our bill of materials).

Core properties are derived from the inputs, never the clock or the machine, so builds are
reproducible and the PDF made from the DOCX does not say it was written by "python-docx".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from .xml import DECL, esc

_CORE_NS = (
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
_CUSTOM_NS = (
    'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"'
)
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def core_xml(*, title: str, subject: str, author: str, keywords: str, description: str,
             when: date, revision: int = 1) -> bytes:
    stamp = f"{when.isoformat()}T00:00:00Z"
    body = (
        f"<cp:coreProperties {_CORE_NS}>"
        f"<dc:title>{esc(title)}</dc:title>"
        f"<dc:subject>{esc(subject)}</dc:subject>"
        f"<dc:creator>{esc(author)}</dc:creator>"
        f"<cp:keywords>{esc(keywords)}</cp:keywords>"
        f"<dc:description>{esc(description)}</dc:description>"
        f"<cp:lastModifiedBy>{esc(author)}</cp:lastModifiedBy>"
        f"<cp:revision>{revision}</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    return (DECL + body).encode("utf-8")


def custom_xml(properties: Mapping[str, str]) -> bytes:
    """String custom properties, in the given order (Word shows them under File > Properties)."""
    items = "".join(
        f'<property fmtid="{_CUSTOM_FMTID}" pid="{pid}" name="{esc(name)}"><vt:lpwstr>{esc(value)}</vt:lpwstr></property>'
        for pid, (name, value) in enumerate(properties.items(), start=2)
    )
    return (DECL + f"<Properties {_CUSTOM_NS}>{items}</Properties>").encode("utf-8")


def read_custom(xml: bytes) -> dict[str, str]:
    """Custom properties back as a dict (for tests, `msa compare` and staleness checks)."""
    from lxml import etree

    root = etree.fromstring(xml)
    out = {}
    for prop in root:
        name = prop.get("name")
        if name is None:  # not a property Word or we would write; nothing can refer to it
            continue
        value = prop[0].text if len(prop) else ""
        out[name] = value or ""
    return out
