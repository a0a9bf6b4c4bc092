"""Fuzzing profile and CSV loading: a clean MsaError or a valid build, never another exception or bad XML.

Profiles are mutated structurally (odd values in real fields, fields removed, keys added) and
textually (random characters spliced into the YAML or JSON text), then loaded from a file as a
user's would be. Whatever loads is built in memory, DOCX and review memo, and every XML part of
both must be well-formed: U+FFFE, a lone surrogate or a control character reaching a part is
exactly the failure this guards against.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from msa_builder.batch.csv_rows import FIXED_COLUMNS, read_csv
from msa_builder.outputs import BuildOptions, render_build
from msa_builder.errors import MsaError
from msa_builder.library.load import load_library
from msa_builder.ooxml.package import read_parts
from msa_builder.profile import LoadedProfile, load_profile, profile_from_mapping

from .conftest import HARBOR_TEXT, PROVIDER, REPO, TEMPLATES

# MSA_FUZZ_EXAMPLES=5000 for a longer hunt than the suite's.
FUZZ = settings(max_examples=int(os.environ.get("MSA_FUZZ_EXAMPLES", "100")), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
BASE: dict[str, Any] = yaml.safe_load(HARBOR_TEXT)
PATHS = ["client.legal_name", "client.jurisdiction", "client.address", "client.entity", "client.users",
         "client.signatory.name", "client.signatory.title", "client.signatory.email", "tier", "industry",
         "effective_date", "controls.security_training", "controls.security_training.status", "controls.security_training.offered", "controls.security_training.reason",
         "controls.edr", "params.client_cyber_insurance_minimum", "params.qbr_cadence", "agreement_id", "client",
         "controls", "params"]


@lru_cache(maxsize=1)
def _options() -> BuildOptions:
    library = load_library(REPO / "msa_builder" / "data" / "clause_library")
    return BuildOptions(library=library, provider_path=PROVIDER, templates_dir=TEMPLATES)


# Text from every corner of Unicode, surrogates and controls included, plus the characters that
# break XML, Markdown, templates and terminals.
_nasty = st.sampled_from(["\x00", "\x07", "\x1b[31m", "\x85", "\x9b", "\ud800", "\udfff", "\ufffe", "\uffff",
                          "\u202e", "\u2028", "\u200b", "\ufeff", "&", "<", "]]>", "{{", "{%", "*", "|", "\n", "\t",
                          "e\u0301", "שלום", "🏳️‍🌈", " "])
_text = st.lists(st.one_of(_nasty, st.characters()), max_size=12).map("".join)
# Text that is mostly acceptable, so that many examples get as far as a build and its XML.
_printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20)
_mostly_fine = st.one_of(_printable, _printable.map(lambda t: t + "\ufffe"), _printable.map(lambda t: "\u200b" + t))
_values = st.one_of(
    _mostly_fine, _mostly_fine, _text, st.integers(), st.integers(min_value=10**15, max_value=10**40), st.floats(allow_nan=True),
    st.sampled_from([math.inf, -math.inf, math.nan]), st.booleans(), st.none(), st.dates(),
    st.lists(_text, max_size=3), st.dictionaries(_text, _text, max_size=3),
    st.sampled_from(["managed", "essentials", "legal", "healthcare", "declined", "accepted", "Ohio",
                     "2026-12-01", "2026-02-30", "3000000", "a@b.co", 3000000, 0, -1]),
)


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        if not isinstance(node, dict):
            return
        node = node.setdefault(part, {})
    if isinstance(node, dict):
        node[last] = value


def _delete(data: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(last, None)


_edits = st.lists(st.one_of(
    st.tuples(st.just("set"), st.sampled_from(PATHS), _values),
    st.tuples(st.just("delete"), st.sampled_from(PATHS), st.none()),
    st.tuples(st.just("add"), _text, _values),
), min_size=1, max_size=4)


def _mutated(edits: list[tuple[str, Any, Any]]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for kind, where, value in edits:
        if kind == "set":
            _set(data, where, value)
        elif kind == "delete":
            _delete(data, where)
        else:
            data[where] = value
    return data


def _write(tmp_path: Path, data: Any, as_json: bool) -> Path:
    path = tmp_path / ("client.json" if as_json else "client.yaml")
    if as_json:
        # ensure_ascii writes lone surrogates as \ud800 escapes, as a hostile file would.
        text = json.dumps(data, default=str, allow_nan=True)
    else:
        try:
            text = yaml.safe_dump(data, allow_unicode=False)
        except yaml.YAMLError:
            text = json.dumps(data, default=str)
    path.write_text(text, encoding="utf-8")
    return path


def _check_build(loaded: LoadedProfile) -> None:
    """A clean refusal, or a build whose every XML part parses."""
    try:
        rendered = render_build(loaded, _options())
    except MsaError as exc:
        event(f"refused when building: {type(exc).__name__}")
        _check_message(exc)
        return
    event("built")
    for name, data in rendered.files.items():
        if name.endswith(".docx"):
            for part, xml in read_parts(data).items():
                if part.endswith((".xml", ".rels")):
                    etree.fromstring(xml)  # raises XMLSyntaxError if the part is not well-formed
        else:
            json.loads(data)


def _check_message(exc: MsaError) -> None:
    text = exc.format()
    assert len(text) < 10_000 and len(text.splitlines()) <= 40
    text.encode("utf-8")  # printable: no lone surrogate reaches the terminal


def _load_and_build(path: Path) -> None:
    try:
        loaded = load_profile(path)
    except MsaError as exc:
        event("refused when loading")
        _check_message(exc)
        return
    _check_build(loaded)


@FUZZ
@given(edits=_edits, as_json=st.booleans())
def test_mutated_profiles_are_refused_cleanly_or_build_valid_xml(tmp_path, edits, as_json):
    _load_and_build(_write(tmp_path, _mutated(edits), as_json))


TEXT_PATHS = ["client.legal_name", "client.address", "client.entity", "client.signatory.name",
              "client.signatory.title", "controls.security_training.reason", "params.qbr_cadence"]


@FUZZ
@given(texts=st.dictionaries(st.sampled_from(TEXT_PATHS), st.one_of(_mostly_fine, _text), min_size=1, max_size=3),
       as_json=st.booleans())
def test_any_text_in_the_text_fields_is_refused_or_reaches_well_formed_xml(tmp_path, texts, as_json):
    _load_and_build(_write(tmp_path, _mutated([("set", path, text) for path, text in texts.items()]), as_json))


# YAML and JSON syntax to splice in: tags, anchors, aliases, complex keys, flow brackets, numbers.
_syntax = st.sampled_from(["!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ", "!!map ", "!!set ", "!!omap ",
                           "!!python/object:os.system ", "&a ", "*a", "? ", "<<: *a", "[", "]", "{", "}", ": ",
                           "- ", "\n  ", "'", '"', "#", "---\n", "...\n", "%YAML 1.1\n", "1e400", "9" * 200, ".nan",
                           "0x", "2026-02-30", ",", '"\\ud800"', '"\\u0000"', "\ufeff"])
_splices = st.lists(st.tuples(st.integers(min_value=0, max_value=len(HARBOR_TEXT)),
                              st.integers(min_value=0, max_value=8), st.one_of(_text, _syntax)),
                    min_size=1, max_size=4)


def _spliced(text: str, splices: list[tuple[int, int, str]]) -> str:
    for at, cut, insert in splices:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut:]
    return text


@FUZZ
@given(splices=_splices)
def test_yaml_text_with_random_splices(tmp_path, splices):
    path = tmp_path / "client.yaml"
    path.write_bytes(_spliced(HARBOR_TEXT, splices).encode("utf-8", "surrogatepass"))
    _load_and_build(path)


_JSON_TEXT = json.dumps(json.loads(json.dumps(BASE, default=str)), indent=1)


@FUZZ
@given(splices=_splices.map(lambda s: [(min(a, len(_JSON_TEXT)), c, t) for a, c, t in s]))
def test_json_text_with_random_splices(tmp_path, splices):
    path = tmp_path / "client.json"
    path.write_bytes(_spliced(_JSON_TEXT, splices).encode("utf-8", "surrogatepass"))
    _load_and_build(path)


CSV_COLUMNS = [c for c in FIXED_COLUMNS if c not in ("agreement_id", "client.signatory.delegated_by", "regulators")] + [
    "controls.mfa", "controls.security_training.status", "controls.security_training.offered",
    "controls.security_training.reason",
    "params.client_cyber_insurance_minimum", "params.qbr_cadence"]
CSV_ROW = {"client.legal_name": "Acme LLC", "client.jurisdiction": "Ohio", "client.address": "1 Main St",
           "client.entity": "an Ohio LLC", "client.users": "10", "client.signatory.name": "Pat Lee",
           "client.signatory.title": "Owner", "client.signatory.email": "pat@acme.example",
           "client.signatory.authority": "owner", "tier": "managed",
           "industry": "general", "effective_date": "2026-12-01", "controls.mfa": "accepted",
           "controls.security_training.status": "declined", "controls.security_training.offered": "2026-10-01",
           "controls.security_training.reason": "Cost", "params.client_cyber_insurance_minimum": "$3,000,000",
           "params.qbr_cadence": "quarterly"}
_cells = st.one_of(_text, _mostly_fine, _mostly_fine, st.sampled_from(["$1e400", "1e999999999", "9" * 400, "-5", "NaN", "$3,000,000", "1.5%",
                                           "2026-02-30", "20261201", "declined", "client_managed", "1,200", ""]))


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(CSV_COLUMNS), _cells, min_size=1, max_size=5),
       dropped=st.sets(st.sampled_from(CSV_COLUMNS), max_size=3))
def test_csv_rows_are_refused_cleanly_or_build_valid_xml(tmp_path, changes, dropped):
    columns = [c for c in CSV_COLUMNS if c not in dropped]
    row = {**CSV_ROW, **changes}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerow([row[c] for c in columns])
    path = tmp_path / "clients.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass"))
    try:
        rows = list(read_csv(path, _options().library.manifest))
    except MsaError as exc:
        _check_message(exc)
        return
    for csv_row in rows:
        if csv_row.error is not None:
            event("row refused")
            _check_message(csv_row.error)
            continue
        if csv_row.data is None:
            continue
        try:
            profile = profile_from_mapping(csv_row.data, source=csv_row.label)
        except MsaError as exc:
            event("profile refused")
            _check_message(exc)
            continue
        _check_build(LoadedProfile(profile=profile, source=csv_row.label, sha256=csv_row.sha256))


def test_the_unmutated_profile_builds(tmp_path):
    # The fuzz's base case must be a valid build, or every example above would only test refusals.
    loaded = load_profile(_write(tmp_path, BASE | {"effective_date": date(2026, 12, 1)}, as_json=False))
    rendered = render_build(loaded, _options())
    assert any(name.endswith("-msa.docx") for name in rendered.files)
