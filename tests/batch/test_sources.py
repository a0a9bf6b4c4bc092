"""Batch sources: folders of profiles and CSV files, with errors that name the row and the column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from msa_builder.batch.csv_rows import FIXED_COLUMNS
from msa_builder.batch.sources import duplicate_errors, load_entry, read_source
from msa_builder.outputs import render_build
from msa_builder.errors import ProfileError
from msa_builder.profile import load_profile

from .conftest import FEW, SAMPLES

HEADER = ("client.legal_name,client.jurisdiction,client.address,client.users,client.signatory.name,"
          "client.signatory.title,client.signatory.email,tier,industry,effective_date")
ROW = "Acme Widgets LLC,Ohio,\"1 Main St, Columbus, OH\",10,Pat Lee,Owner,pat@acme.example,managed,general,2026-12-01"


def write_csv(tmp_path: Path, text: str, name: str = "clients.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_folder_lists_profiles_and_skips_the_provider_file(clients):
    entries = read_source(clients)
    by_name = {Path(e.label).name: e for e in entries}
    assert set(by_name) == set(FEW) | {"provider.yaml"}
    assert by_name["provider.yaml"].skip == "not a client profile (no top-level client: key)"
    harbor = by_name["harbor-finch.yaml"]
    assert harbor.client == "Harbor & Finch LLP" and harbor.slug == "harbor-finch-llp-da242c"
    assert harbor.sha256 == load_profile(clients / "harbor-finch.yaml").sha256


def test_a_folder_entry_with_broken_yaml_is_kept_for_the_strict_loader_to_report(tmp_path):
    (tmp_path / "broken.yaml").write_text("client: [unclosed\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a profile", encoding="utf-8")
    [entry] = read_source(tmp_path)
    assert entry.skip is None and entry.client is None
    with pytest.raises(ProfileError) as info:
        load_entry(entry)
    assert info.value.file == str(tmp_path / "broken.yaml") and info.value.line == 2


def test_the_sample_csv_gives_the_same_agreements_as_the_yaml_samples(shipped_library, build_options):
    entries = read_source(SAMPLES / "clients.csv", shipped_library.manifest)
    assert [e.label for e in entries][:2] == [f"{SAMPLES / 'clients.csv'}:row 2", f"{SAMPLES / 'clients.csv'}:row 3"]
    assert all(e.error is None and e.skip is None for e in entries)
    harbor = next(e for e in entries if e.client == "Harbor & Finch LLP")
    from_csv = render_build(load_entry(harbor), build_options).agreement
    from_yaml = render_build(load_profile(SAMPLES / "harbor-finch.yaml"), build_options).agreement
    assert from_csv.text_lines() == from_yaml.text_lines()


def test_csv_cells_are_typed_and_nested_by_their_dotted_headers(tmp_path, shipped_library):
    path = write_csv(tmp_path, HEADER + ",controls.mfa.status,controls.mfa.offered,controls.mfa.reason,"
                     "controls.edr,params.client_cyber_insurance_minimum,params.insurance_proof_days\n"
                     + ROW + ",declined,2026-10-01,Too many prompts,accepted,\"$3,000,000\",45\n")
    [entry] = read_source(path, shipped_library.manifest)
    assert entry.data == {
        "client": {"legal_name": "Acme Widgets LLC", "jurisdiction": "Ohio", "address": "1 Main St, Columbus, OH",
                   "users": 10, "signatory": {"name": "Pat Lee", "title": "Owner", "email": "pat@acme.example"}},
        "tier": "managed", "industry": "general", "effective_date": date(2026, 12, 1),
        "controls": {"mfa": {"status": "declined", "offered": date(2026, 10, 1), "reason": "Too many prompts"},
                     "edr": "accepted"},
        "params": {"client_cyber_insurance_minimum": 3000000, "insurance_proof_days": 45},
    }
    loaded = load_entry(entry)
    assert loaded.source == f"{path}:row 2" and loaded.sha256 == entry.sha256


def test_the_row_hash_ignores_column_order_and_blank_cells(tmp_path):
    one = read_source(write_csv(tmp_path, "tier,industry,agreement_id\nmanaged,legal,\n", "a.csv"))[0]
    two = read_source(write_csv(tmp_path, "industry,tier\nlegal,managed\n", "b.csv"))[0]
    three = read_source(write_csv(tmp_path, "industry,tier\nlegal,essentials\n", "c.csv"))[0]
    assert one.sha256 == two.sha256 != three.sha256


@pytest.mark.parametrize(("column", "cell", "message"), [
    ("client.users", "forty", "'forty' is not a whole number"),
    ("effective_date", "12/01/2026", "'12/01/2026' is not a date; use YYYY-MM-DD"),
    ("params.client_cyber_insurance_minimum", "lots", "'lots' is not a number"),
    ("params.insurance_proof_days", "30.5", "'30.5' is not a whole number"),
    ("controls.mfa.offered", "last week", "'last week' is not a date"),
])
def test_a_bad_cell_is_reported_with_its_row_and_column(tmp_path, shipped_library, column, cell, message):
    header = HEADER.split(",")
    row = ROW.replace('"1 Main St, Columbus, OH"', "1 Main St").split(",")
    if column in header:
        row[header.index(column)] = cell
    else:
        header.append(column)
        row.append(cell)
        if column.startswith("controls.mfa."):
            header.append("controls.mfa.status")
            row.append("declined")
    good = ROW.replace("Acme Widgets LLC", "Good Client LLC")
    padded = good + "," * (len(header) - 10)
    path = write_csv(tmp_path, ",".join(header) + "\n" + padded + "\n" + ",".join(row) + "\n")
    entries = read_source(path, shipped_library.manifest)
    assert entries[0].error is None
    error = entries[1].error
    assert isinstance(error, ProfileError)
    assert error.file == f"{path}:row 3" and error.field == column
    assert message in error.message
    assert error.format().startswith(f"{path}:row 3: {column}: ")


def test_a_validation_error_in_a_row_names_the_row_and_the_field(tmp_path, shipped_library):
    path = write_csv(tmp_path, HEADER + "\n" + ROW.replace("pat@acme.example", "not-an-email") + "\n")
    [entry] = read_source(path, shipped_library.manifest)
    with pytest.raises(ProfileError) as info:
        load_entry(entry)
    assert info.value.file == f"{path}:row 2" and info.value.field == "client.signatory.email"


@pytest.mark.parametrize(("header", "fragment", "field"), [
    ("client.phone", "unknown column 'client.phone'", "client.phone"),
    ("controls.firewall", "names a control this library does not know", "controls.firewall"),
    ("params.discount", "names a parameter this library does not know", "params.discount"),
    ("tier", "column 'tier' appears twice", "tier"),
])
def test_a_bad_header_stops_the_whole_file_naming_the_column(tmp_path, shipped_library, header, fragment, field):
    path = write_csv(tmp_path, HEADER + "," + header + "\n" + ROW + ",x\n")
    with pytest.raises(ProfileError) as info:
        read_source(path, shipped_library.manifest)
    assert fragment in info.value.message
    assert info.value.file == str(path) and info.value.line == 1 and info.value.field == field


def test_unknown_column_lists_the_documented_columns(tmp_path):
    with pytest.raises(ProfileError) as info:
        read_source(write_csv(tmp_path, "client.name\nAcme\n"))
    assert set(FIXED_COLUMNS) <= set(info.value.allowed)
    assert "controls.<control>" in info.value.allowed and "params.<parameter>" in info.value.allowed


def test_a_control_given_in_both_forms_is_refused(tmp_path):
    with pytest.raises(ProfileError, match="use one form"):
        read_source(write_csv(tmp_path, "controls.mfa,controls.mfa.status\naccepted,accepted\n"))


def test_empty_rows_are_skipped_and_extra_cells_are_an_error(tmp_path):
    path = write_csv(tmp_path, HEADER + "\n,,,,,,,,,\n" + ROW + ",surplus\n")
    empty, extra = read_source(path)
    assert empty.skip == "empty row"
    assert extra.error is not None and "11 cells but the header names 10 columns" in extra.error.message


def test_a_csv_with_an_excel_byte_order_mark_reads_its_first_header(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\n" + ROW + "\n").encode("utf-8"))
    [entry] = read_source(path)
    assert entry.client == "Acme Widgets LLC"


def test_a_source_that_is_neither_a_folder_nor_a_csv_is_refused(tmp_path):
    with pytest.raises(ProfileError, match="batch source not found"):
        read_source(tmp_path / "missing")
    other = tmp_path / "clients.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(ProfileError, match="folder of profiles or a .csv file"):
        read_source(other)


def test_the_same_client_twice_fails_the_later_entry(tmp_path):
    path = write_csv(tmp_path, HEADER + "\n" + ROW + "\n" + ROW.replace("managed", "essentials") + "\n")
    entries = read_source(path)
    errors = duplicate_errors(entries)
    assert list(errors) == [f"{path}:row 3"]
    assert f"already appears in {path}:row 2" in errors[f"{path}:row 3"].message


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json")
                                        and p.name != "provider.yaml"))
def test_the_fast_profile_parser_gives_what_the_strict_loader_gives(name, tmp_path):
    entry = next(e for e in read_source(SAMPLES) if e.label.endswith(name))
    assert load_entry(entry) == load_profile(SAMPLES / name)


def test_a_duplicate_key_is_still_refused_with_the_strict_loaders_message(tmp_path):
    text = (SAMPLES / "harbor-finch.yaml").read_text(encoding="utf-8") + "tier: essentials\n"
    path = tmp_path / "twice.yaml"
    path.write_text(text, encoding="utf-8")
    [entry] = read_source(tmp_path)
    with pytest.raises(ProfileError) as info:
        load_entry(entry)
    assert "duplicate key 'tier'" in info.value.message and info.value.line == text.count("\n")
