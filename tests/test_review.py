"""What an attorney reviews: non-standard clauses are those whose wording differs, each with its redline."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from msa_builder import api

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# Every clause fragment starts with the legend "<del>deleted</del> <ins>inserted</ins> <span>moved</span>".
LEGEND_MARKS = 2


def _changes(html: str | None) -> int:
    return len(re.findall(r"<(?:ins|del)\b", html or "")) - LEGEND_MARKS


def test_only_clauses_whose_wording_changed_are_listed_and_each_redline_shows_a_change(tmp_path, monkeypatch):
    # Bluebonnet declines security training: the declined-controls schedule is added, which moves the
    # letters of the schedules after it, so client.obligations cites "Schedule J" where the standard
    # agreement says "Schedule H", with the same words. That is not a deviation counsel must read.
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "bluebonnet-dental.yaml", "bluebonnet.yaml")
    built = api.build("bluebonnet.yaml", out_dir="out", ledger="out/ledger.sqlite")
    review = api.review_draft(built.record.id, ledger="out/ledger.sqlite")
    listed = {d.slot: d for d in review.differences}
    assert {"security.declined_controls", "schedule.declined_controls", "schedule.responsibility_matrix"} <= set(listed)
    assert "client.obligations" not in listed and "governance.business_reviews" not in listed
    for slot, difference in listed.items():
        assert difference.error is None and _changes(difference.html) > 0, slot
