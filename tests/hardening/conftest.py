"""Helpers for the hostile-input tests: sample text to break, and what a clean refusal looks like."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from msa_builder import api
from msa_builder.cli import main
from msa_builder.errors import ProfileError
from msa_builder.profile import load_profile

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
HARBOR = SAMPLES / "harbor-finch.yaml"
HARBOR_TEXT = HARBOR.read_text(encoding="utf-8")
TEMPLATES = REPO / "msa_builder" / "data" / "templates"
PROVIDER = REPO / "msa_builder" / "data" / "provider.yaml"

# Nine levels of nine shared lists: 9**9 (387 million) strings once expanded, 200 bytes of YAML.
ALIAS_BOMB = """\
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  client_cyber_insurance_minimum: [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def harbor(old: str = "", new: str = "") -> str:
    """The Harbor & Finch profile text with one replacement (which must apply)."""
    if old:
        assert old in HARBOR_TEXT, old
    return HARBOR_TEXT.replace(old, new, 1) if old else HARBOR_TEXT


def refused(tmp_path: Path, text: str | bytes, name: str = "client.yaml") -> ProfileError:
    """The ProfileError that loading `text` as a profile file raises (it must raise one, naming the file)."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.file == str(path)
    return caught.value


def assert_clean_error(result: Result, *fragments: str, exit_code: int = 2) -> str:
    """Our one-screen error: the exit code, `error: ` first, no traceback, fragments present."""
    assert result.exit_code == exit_code, result.output
    err = result.stderr
    assert err.startswith("error: "), err[:500]
    assert "Traceback" not in result.output
    assert len(err.splitlines()) <= 24, err
    assert len(err) < 10_000
    for fragment in fragments:
        assert fragment in err, err
    return err


@pytest.fixture
def run() -> Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: object, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(main, [str(a) for a in args], env=env)

    return invoke


@pytest.fixture
def shipped_once(monkeypatch: pytest.MonkeyPatch, shipped_library: object) -> None:
    """Commands without --library get the session's already-loaded shipped library."""
    from msa_builder.library import load as library_load
    from msa_builder.paths import default_library

    original = library_load.open_library
    shipped = default_library()
    monkeypatch.setattr(library_load, "open_library",
                        lambda path=None: shipped_library if path in (None, shipped) else original(path))
