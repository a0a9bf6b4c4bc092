"""The library's errors as pages show them: a form's own inputs, never a command's options."""

from __future__ import annotations

from msa_builder.errors import LifecycleError, Problem
from msa_builder.web.errors import FormField, problems_json
from msa_builder.web.routes.operations import EVIDENCE_FORM


def test_a_forms_inputs_replace_the_options_and_their_metavars():
    exc = LifecycleError.several([Problem("say why, with --unverified REASON", field="--unverified"),
                                  Problem("the file is unreadable", field="--evidence")],
                                 hint="pass --evidence FILE --unverified REASON, or see --help")
    [first, second] = problems_json(exc, {"--unverified": FormField("why", "the reason box"),
                                          "--evidence": FormField("file", "the upload")})
    assert first == {"field": "why", "message": "say why, with the reason box",
                     "hint": "pass the upload the reason box, or see --help"}
    assert second == {"field": "file", "message": "the file is unreadable"}


def test_without_a_form_the_error_is_as_the_library_said_it():
    exc = LifecycleError("say why unverified evidence is accepted", field="--unverified", hint="use --unverified REASON")
    assert problems_json(exc) == [{"field": "--unverified", "message": "say why unverified evidence is accepted",
                                   "hint": "use --unverified REASON"}]


def test_the_evidence_form_names_inputs_the_page_has():
    from pathlib import Path

    import msa_builder.web as web

    page = (Path(web.__file__).parent / "templates" / "agreement.html").read_text(encoding="utf-8")
    for field in EVIDENCE_FORM.values():
        assert f'name="{field.name}"' in page
    assert "Accept unverified, because" in page
