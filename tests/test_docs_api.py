"""docs/api.md's ten-line script runs as written, and what its comments say it prints is what it prints,
so the documented API cannot drift from the real one."""

from __future__ import annotations

import ast
import inspect
import re
import shutil
from pathlib import Path

import msa_builder

REPO = Path(__file__).resolve().parents[1]


def _script() -> str:
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def _comment(script: str, code: str) -> str:
    """The comment on the script's line that starts with `code`."""
    line = next(line for line in script.splitlines() if line.startswith(code))
    return line.split("#", 1)[1].strip()


def test_the_ten_line_script_runs_and_prints_what_its_comments_say(tmp_path, monkeypatch, capsys):
    script = _script()
    assert len(script.strip().splitlines()) == 10
    shutil.copytree(REPO / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    exec(compile(script, "docs/api.md", "exec"), {})  # noqa: S102 - our own documentation
    printed = capsys.readouterr().out.splitlines()

    # print(draft.agreement_id, [files written])  # MSA-…, files written
    documented_id = _comment(script, "print(draft.agreement_id").split(",")[0]
    built_id, written = printed[0].split(" ", 1)
    assert built_id == documented_id
    assert ast.literal_eval(written) == [f"harbor-finch-llp-da242c-{kind}" for kind in
                                         ("msa.docx", "review.docx", "agreement.json", "lock.json")]

    # print(report.counts())  # {'built': 9, 'unchanged': 1, ...}
    documented = ast.literal_eval(_comment(script, "print(report.counts())").replace(", ...", ""))
    counts = ast.literal_eval(printed[1])
    assert {k: counts[k] for k in documented} == documented
    profiles = [p for p in (REPO / "samples").iterdir() if p.suffix in (".yaml", ".json")]
    assert sum(counts.values()) == len(profiles)

    # the ledger: one line per client, the single build among them the one built first
    clients = printed[2:-1]
    assert len(clients) == sum(counts.values())
    assert f"Harbor & Finch LLP {documented_id} draft" in clients

    # print([row.state ...])  # ['unsigned', ...]
    first = ast.literal_eval(_comment(script, "print([row.state").replace(", ...", ""))
    states = ast.literal_eval(printed[-1])
    assert len(states) == len(clients) and set(states) == set(first)


def test_every_function_the_page_names_is_exported_with_the_parameters_it_shows():
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    shown = re.findall(r"`([a-z_]+)\(([^`]*)\)`", text)
    assert len(shown) > 30
    for name, args in shown:
        assert name in msa_builder.__all__, f"docs/api.md shows {name}(), which msa_builder does not export"
        real = inspect.signature(getattr(msa_builder, name)).parameters
        named = [a.split("=")[0].strip() for a in args.split(",")]
        unknown = [a for a in named if a and a not in ("*", "\u2026") and a not in real]
        assert unknown == [], f"docs/api.md shows {name}() with parameters it does not have: {unknown}"
