"""Golden files: the plain text of every sample agreement, reviewed and kept in tests/golden/.

A change in clause text, numbering or selection shows up as a readable diff of a .txt file. To
accept a deliberate change, regenerate with `MSA_UPDATE_GOLDEN=1 python -m pytest tests/render/test_golden.py`
and review the diff before committing it.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from .docx_reading import CLIENT_SAMPLES

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("MSA_UPDATE_GOLDEN") == "1"


def golden_path(sample: str) -> Path:
    return GOLDEN / f"{Path(sample).stem}.txt"


@pytest.mark.parametrize("name", CLIENT_SAMPLES)
def test_agreement_text_matches_the_reviewed_golden_file(name, rendered_sample):
    text = "\n".join(rendered_sample(name).agreement.text_lines())
    path = golden_path(name)
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path} is missing; create it with MSA_UPDATE_GOLDEN=1 and review it")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), text.splitlines(), "golden", "built",
                                              lineterm="", n=1))
        pytest.fail(f"{name}: agreement text differs from {path.name}:\n{diff[:4000]}")


def test_every_sample_has_a_golden_file_and_no_golden_file_is_orphaned():
    assert {p.name for p in GOLDEN.glob("*.txt")} == {golden_path(n).name for n in CLIENT_SAMPLES}
