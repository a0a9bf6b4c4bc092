"""docs/api.md's ten-line script runs as written, so the documented API cannot drift from the real one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_ten_line_script_runs(tmp_path, monkeypatch, capsys):
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    script = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    assert len(script.strip().splitlines()) == 10
    shutil.copytree(REPO / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    exec(compile(script, "docs/api.md", "exec"), {})  # noqa: S102 - our own documentation
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("MSA-20261201-DA242C")
    assert "'built': 9" in printed[1] and "'unchanged': 1" in printed[1]
    assert any(re.match(r"Harbor & Finch LLP MSA-20261201-DA242C-[0-9A-F]{6} draft", line) for line in printed)
    assert printed[-1].startswith("['unsigned'")
