"""Client data with markup characters, accents, right-to-left scripts and emoji comes out exactly.

Client text passes through Markdown escaping (clause bodies), Jinja autoescaping (the Word shell)
and XML escaping (the body writer); any of the three could garble it.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

import docx
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from msa_builder.assemble import assemble
from msa_builder.cli import main
from msa_builder.library.load import load_library
from msa_builder.context import printed_values
from msa_builder.terms import agreement_terms
from msa_builder.lock import bill_of_materials, bom_hash, lock_bytes, lock_document
from msa_builder.ooxml.package import read_parts
from msa_builder.profile import LoadedProfile, load_provider, profile_from_mapping
from msa_builder.render.agreement_docx import render_agreement_docx
from msa_builder.ooxml.shell import load_shell
from msa_builder.selection import select

from .docx_reading import SAMPLES, W, body_texts

TEMPLATES = SAMPLES.parent / "msa_builder" / "data" / "templates"
EXOTIC = {
    "legal_name": "Café Ñandú & <Sons> \"Quoted\" 'Ltd' — شركة الأمل חברה 🚀",
    "address": "1 Rue de l'Église & 2 Calle Año <B> \"Suite\" 5, עיר 🏢",
    "signatory": {"name": "Zoë Núñez-O'Brien <Jr> & ليلى 👩‍⚖️", "title": "Gérante & \"CEO\"",
                  "email": "zoe@cafe.example"},
}

# Markup and Markdown punctuation, accents, Arabic and Hebrew, emoji (with joiners), plus anything
# printable; control characters, noncharacters, line separators and bidirectional overrides are
# refused by the profile validator (tests/hardening) and are not client data, and neither is a
# name without one visible character.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_special = st.sampled_from(list("&<>\"'*_|[]\\`#!~-.()+=:;/") + ["é", "ñ", "Ü", "ß", "ش", "ع", "ל", "ש", "\u200f",
                                                                    "😀", "👩‍⚖️", "🏳️‍🌈", "&amp;", "]]>", "<w:t>"])
_printable = st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp"), blacklist_characters=_BIDI)
_text = st.lists(st.one_of(_special, _printable), min_size=1, max_size=16) \
    .map("".join).map(lambda s: " ".join(s.split())) \
    .filter(lambda s: any(unicodedata.category(c)[0] in "LNPS" for c in s)) \
    .filter(lambda s: s and not any(m in s for m in ("{{", "{%", "{#", "}}", "%}")))


def _paragraph_texts(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]


@lru_cache(maxsize=1)
def _inputs():
    """The shipped library, provider and shell, loaded once (fixtures would be re-shown by hypothesis)."""
    return (load_library(SAMPLES.parent / "msa_builder" / "data" / "clause_library"), load_provider(SAMPLES.parent / "msa_builder" / "data" / "provider.yaml")[0],
            load_shell(TEMPLATES / "agreement.docx"))


@settings(max_examples=25, deadline=None)
@given(legal_name=_text, address=_text, signatory=_text)
def test_client_text_survives_every_escaping_layer(legal_name, address, signatory):
    shipped_library, provider, shell = _inputs()
    data = json.loads((SAMPLES / "granite-state-credit.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["client"].update(legal_name=legal_name, address=address)
    data["client"]["signatory"]["name"] = signatory
    profile = profile_from_mapping(data, source="generated.json")
    loaded = LoadedProfile(profile=profile, source="generated.json", sha256="0" * 64)
    selection = select(shipped_library, loaded)
    agreement = assemble(selection, provider)
    bom = bill_of_materials(selection, agreement_terms(selection, printed_values(selection, provider)),
                            profile_sha256="0" * 64, provider_sha256="0" * 64,
                            templates={"agreement": "0" * 64}, final=False)
    parts = read_parts(render_agreement_docx(agreement, shell, bom))

    client = profile.client
    texts = _paragraph_texts(parts["word/document.xml"])
    assert client.legal_name in texts  # the cover
    assert client.legal_name.upper() in texts  # the signature block
    assert any(f"and {client.legal_name}, {client.entity}, with its principal office at {client.address} "
               "(the \"Client\")" in t for t in texts)
    assert f"Name: {client.signatory.name}" in texts
    assert any(client.legal_name in t for t in _paragraph_texts(parts["word/header1.xml"]))

    lock = json.loads(lock_bytes(lock_document(bom, {}, profile_path="generated.json")))
    assert lock["bom"]["client"] == client.legal_name
    assert lock["bom_sha256"] == bom_hash(bom)


def test_exotic_client_data_is_reproduced_exactly_in_the_build(tmp_path, write_profile):
    data = json.loads((SAMPLES / "granite-state-credit.json").read_text(encoding="utf-8"))
    data["client"].update(EXOTIC)
    profile = write_profile(data, "exotic.yaml")
    result = CliRunner().invoke(main, ["build", str(profile), "--out", str(tmp_path / "out"),
                                       "--templates", str(TEMPLATES), "--provider", str(SAMPLES.parent / "msa_builder" / "data" / "provider.yaml")])
    assert result.exit_code == 0, result.output
    folder = next((tmp_path / "out").iterdir())
    assert "/" not in folder.name and folder.name.startswith("cafe-nandu-sons")
    msa = docx.Document(str(next(folder.glob("*-msa.docx"))))
    texts = body_texts(msa)
    name, address, signatory = EXOTIC["legal_name"], EXOTIC["address"], EXOTIC["signatory"]["name"]
    assert name in texts
    assert any(f"{name}, {data['client']['entity']}, with its principal office at {address} (the" in t for t in texts)
    assert any(f"Name: {signatory}" in t for t in texts)
    assert any(f"Title: {EXOTIC['signatory']['title']}" in t for t in texts)
    assert name in msa.sections[0].header.paragraphs[0].text

    memo = docx.Document(str(next(folder.glob("*-review.docx"))))
    assert any(name in p.text for p in memo.paragraphs)

    lock_file = next(folder.glob("*-lock.json"))
    lock = json.loads(lock_file.read_text(encoding="utf-8"))
    assert lock["bom"]["client"] == name
    raw = lock_file.read_text(encoding="utf-8")
    assert "Café Ñandú" in raw and "شركة الأمل חברה 🚀" in raw  # readable, not \u-escaped
    assert Path(lock["profile"]) == profile
