"""The Agreement is self-contained data: it pickles, it is written as the content model, and read back
it renders the very bytes the build delivered."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace

import pytest

from conftest import CLIENT_SAMPLES, SAMPLES
from msa_builder.content import FORMAT, agreement_data, agreement_from_data, agreement_json, read_agreement_json
from msa_builder.errors import RenderError
from msa_builder.ooxml.shell import load_shell
from msa_builder.outputs import TEMPLATE_FILES, output_names
from msa_builder.profile import load_profile
from msa_builder.render.agreement_docx import render_agreement_docx
from msa_builder.render.memo_docx import render_memo_docx
from msa_builder.selection import select


def test_library_selection_and_agreement_pickle(shipped_library, rendered_sample):
    agreement = rendered_sample("harbor-finch.yaml").agreement
    assert pickle.loads(pickle.dumps(agreement)) == agreement
    selection = select(shipped_library, load_profile(SAMPLES / "harbor-finch.yaml"))
    assert pickle.loads(pickle.dumps(selection)).choices == selection.choices
    again = pickle.loads(pickle.dumps(shipped_library))
    assert again.manifest == shipped_library.manifest and again.versions() == shipped_library.versions()


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_the_content_model_reads_back_as_the_same_agreement(name, rendered_sample):
    build = rendered_sample(name)
    data = build.files[output_names(build.slug)["agreement"]]
    assert data == agreement_json(build.agreement)
    assert agreement_from_data(json.loads(data), where="model") == build.agreement


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_renderers_need_nothing_but_the_read_back_agreement(name, rendered_sample, build_options):
    """What the renderers print is all in the Agreement: no library, selection or profile behind it."""
    build = rendered_sample(name)
    names = output_names(build.slug)
    agreement = pickle.loads(pickle.dumps(agreement_from_data(json.loads(build.files[names["agreement"]]),
                                                              where="model")))
    shells = {k: load_shell(build_options.templates_dir / f) for k, f in TEMPLATE_FILES.items()}
    bom = build.lock["bom"]
    assert render_agreement_docx(agreement, shells["agreement"], bom) == build.files[names["docx"]]
    memo = render_memo_docx(agreement, shells["review_memo"], bom, sample_provider=True)  # the shipped provider
    assert memo == build.files[names["memo"]]


def test_the_model_names_every_section_with_its_number_key_and_text(rendered_sample):
    data = agreement_data(rendered_sample("harbor-finch.yaml").agreement)
    assert data["format"] == FORMAT
    section = next(s for a in data["articles"] for s in a["sections"] if s["slot"] == "insurance.client_cyber")
    assert section["number"] == "8.1" and section["key"].startswith("insurance.client_cyber:standard@")
    assert any("$3,000,000" in line for line in section["text"])
    assert len(section["text_sha256"]) == 64 and len(section["sha256"]) == 64
    assert [s["letter"] for s in data["schedules"]][:3] == ["A", "B", "C"]


def test_a_damaged_or_foreign_content_model_is_refused_naming_the_file(tmp_path, rendered_sample):
    path = tmp_path / "x-agreement.json"
    path.write_text('{"format": "something-else/9"}', encoding="utf-8")
    with pytest.raises(RenderError, match="not an agreement content model") as caught:
        read_agreement_json(path)
    assert caught.value.file == str(path) and caught.value.allowed == (FORMAT,)
    data = agreement_data(rendered_sample("harbor-finch.yaml").agreement)
    del data["articles"][0]["sections"][0]["blocks"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RenderError, match="damaged"):
        read_agreement_json(path)
    path.write_bytes(b"\xff\xfe not json")
    with pytest.raises(RenderError, match="not valid JSON"):
        read_agreement_json(path)


def test_facts_stored_under_older_rules_still_read_back(rendered_sample):
    """An instrument is what it was: reading it back does not re-validate it against today's rules."""
    data = agreement_data(rendered_sample("harbor-finch.yaml").agreement)
    data["client"]["signatory"]["email"] = "not an address"
    agreement = agreement_from_data(data, where="model")
    assert agreement.client.signatory.email == "not an address"
    assert replace(agreement, client=rendered_sample("harbor-finch.yaml").agreement.client) == \
        rendered_sample("harbor-finch.yaml").agreement
