"""Rendering refuses to produce a document with a blank, a leftover tag or a broken template.

Clause problems are made in a copy of the shipped library (its released files are hash-locked and
never edited in place); template problems in a copy of the shipped Word shells.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from msa_builder.outputs import BuildOptions, build
from msa_builder.cli import main
from msa_builder.errors import RenderError
from msa_builder.library.load import load_library
from msa_builder.ooxml.package import read_parts, write_package
from msa_builder.ooxml.styles import REQUIRED_STYLES
from msa_builder.ooxml.shell import load_shell

from .docx_reading import SAMPLES

TEMPLATES = SAMPLES.parent / "msa_builder" / "data" / "templates"
HARBOR = SAMPLES / "harbor-finch.yaml"


def add_clause_version(library: Path, slot: str, variant: str, version: str, sentence: str) -> str:
    """Copy the newest file of a variant as `version`, with `sentence` as its first paragraph."""
    folder = library / "slots" / slot / variant
    source = max(folder.glob("*.md")).read_text(encoding="utf-8")
    source = re.sub(r"(?m)^version: .*$", f"version: {version}", source, count=1)
    end = source.index("\n---\n", 3) + 5
    (folder / f"{version}.md").write_text(source[:end] + sentence + "\n\n" + source[end:], encoding="utf-8")
    return f"{slot}:{variant}@{version}"


def options(library: Path | None = None, templates: Path = TEMPLATES, shipped=None) -> BuildOptions:
    lib = load_library(library) if library is not None else shipped
    return BuildOptions(library=lib, provider_path=SAMPLES.parent / "msa_builder" / "data" / "provider.yaml", templates_dir=templates)


def templates_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TEMPLATES, tmp_path / "templates", ignore=shutil.ignore_patterns("*.py")))


def edit_part(docx_path: Path, part: str, edit) -> None:
    parts = read_parts(docx_path.read_bytes())
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    docx_path.write_bytes(write_package(parts))


@pytest.mark.parametrize("expression, variable", [
    ("{{ client.fax_number }}", "fax_number"),
    ("{{ retainer_fee }}", "retainer_fee"),
])
def test_undefined_variable_names_the_clause_and_the_variable(library_copy, tmp_path, expression, variable):
    key = add_clause_version(library_copy, "general.notices", "standard", "1.0.1",
                             f"Notices also go to {expression}.")
    out = tmp_path / "out"
    with pytest.raises(RenderError) as caught:
        build(HARBOR, out, options(library_copy))
    message = caught.value.format()
    assert key in message
    assert variable in message
    assert "undefined" in message
    assert caught.value.file.endswith("general.notices/standard/1.0.1.md")
    assert not out.exists()


def test_value_that_renders_empty_is_refused(library_copy, tmp_path, harbor_data, write_profile):
    del harbor_data["client"]["entity"]
    profile = write_profile(harbor_data)
    key = add_clause_version(library_copy, "general.notices", "standard", "1.0.1",
                             "The Client is {{ client.entity }}.")
    with pytest.raises(RenderError) as caught:
        build(profile, tmp_path / "out", options(library_copy))
    assert key in caught.value.message
    assert "empty" in caught.value.message
    assert "client.entity" in caught.value.message
    assert not (tmp_path / "out").exists()


def test_template_without_required_styles_names_the_template(tmp_path, shipped_library):
    templates = templates_copy(tmp_path)
    shell = templates / "agreement.docx"
    edit_part(shell, "word/styles.xml",
              lambda xml: re.sub(r'<w:style [^>]*w:styleId="(Heading2|ClauseList)".*?</w:style>', "", xml, flags=re.DOTALL))
    with pytest.raises(RenderError) as caught:
        build(HARBOR, tmp_path / "out", options(templates=templates, shipped=shipped_library))
    assert caught.value.file == str(shell)
    assert "Heading2" in caught.value.message and "ClauseList" in caught.value.message
    assert not (tmp_path / "out").exists()


def test_every_required_style_is_in_the_shipped_shells():
    for name in ("agreement.docx", "review-memo.docx"):
        assert set(REQUIRED_STYLES) <= load_shell(TEMPLATES / name).styles


def test_template_tag_the_renderer_does_not_provide_names_the_template(tmp_path, shipped_library):
    templates = templates_copy(tmp_path)
    memo = templates / "review-memo.docx"
    edit_part(memo, "word/document.xml", lambda xml: xml.replace("{{ mark }}", "{{ mark }} {{ client_fax }}", 1))
    with pytest.raises(RenderError) as caught:
        build(HARBOR, tmp_path / "out", options(templates=templates, shipped=shipped_library))
    assert caught.value.file == str(memo)
    assert "client_fax" in caught.value.message
    assert not (tmp_path / "out").exists()


def test_template_tag_syntax_error_names_the_template_on_the_command_line(tmp_path):
    templates = templates_copy(tmp_path)
    shell = templates / "agreement.docx"
    edit_part(shell, "word/header1.xml", lambda xml: xml.replace("{{ agreement_id }}", "{{ agreement_id ", 1))
    result = CliRunner().invoke(main, ["build", str(HARBOR), "--out", str(tmp_path / "out"),
                                       "--templates", str(templates)])
    assert result.exit_code == 2
    assert str(shell) in result.output
    assert "syntax error" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
