"""The JSON API under /api/v1/: bearer tokens, roles, every problem at once, drafts and their files."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from msa_builder import api

from .conftest import texas_dental

ENDPOINTS = [("post", "/api/v1/profiles/validate"), ("post", "/api/v1/explain"), ("post", "/api/v1/drafts"),
             ("get", "/api/v1/clients"), ("post", "/api/v1/agreements/MSA-1/approve"),
             ("post", "/api/v1/agreements/MSA-1/submit"), ("get", "/api/v1/files/1/docx"),
             ("get", "/api/v1/openapi.json")]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_without_a_token_every_endpoint_is_401(anon, method, path):
    response = getattr(anon, method)(path, **({"json": {}} if method == "post" else {}))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Bearer" in response.json()["errors"][0]["message"]


def test_a_wrong_or_disabled_token_is_401_and_a_session_cookie_is_not_a_token(site, anon, sales):
    assert anon.get("/api/v1/clients", headers={"Authorization": "Bearer msa_nope"}).status_code == 401
    assert anon.get("/api/v1/clients", headers={"Authorization": site.tokens["sam"]}).status_code == 401
    assert sales.get("/api/v1/clients").status_code == 401  # a signed-in browser cannot call the API


def test_the_openapi_document_describes_the_api_and_not_the_pages(site, anon):
    spec = anon.get("/api/v1/openapi.json", headers=site.bearer("olive")).json()
    paths = set(spec["paths"])
    assert {"/api/v1/profiles/validate", "/api/v1/explain", "/api/v1/drafts", "/api/v1/clients",
            "/api/v1/agreements/{agreement_id}/approve", "/api/v1/agreements/{agreement_id}/submit",
            "/api/v1/files/{record}/{kind}"} == paths
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_the_openapi_document_states_the_error_shape_the_api_sends(site, anon):
    spec = anon.get("/api/v1/openapi.json", headers=site.bearer("olive")).json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas, "FastAPI's {'detail': [...]} is never sent"
    assert set(schemas["Errors"]["properties"]) == {"errors"}
    assert {"field", "message"} <= set(schemas["Problem"]["properties"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "422"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Errors", (method, path, status)
    assert "404" in spec["paths"]["/api/v1/agreements/{agreement_id}/approve"]["post"]["responses"]
    created = spec["paths"]["/api/v1/drafts"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"]["$ref"] == "#/components/schemas/Draft"
    assert {"docx", "memo", "pdf"} == set(schemas["DraftFiles"]["properties"])
    # and the shapes are what the API really answers
    refused = anon.post("/api/v1/profiles/validate", json={"tier": "gold"}, headers=site.bearer("sam"))
    assert refused.status_code == 422 and set(refused.json()) == {"errors"}
    assert all(set(e) - {"hint"} == {"field", "message"} for e in refused.json()["errors"])


def test_approving_an_agreement_id_the_ledger_does_not_know_is_404(site, anon):
    response = anon.post("/api/v1/agreements/MSA-20990101-000000-000000/approve", json={},
                         headers=site.bearer("avery"))
    assert response.status_code == 404 and "no agreement" in response.json()["errors"][0]["message"]
    # a client's name is not an agreement id, although `msa approve CLIENT` takes one
    profile = texas_dental()
    profile["client"] = {**profile["client"], "legal_name": "Named Not Numbered Dental, PLLC"}
    assert anon.post("/api/v1/drafts", json=profile, headers=site.bearer("sam")).status_code == 201
    by_name = anon.post("/api/v1/agreements/Named Not Numbered Dental, PLLC/approve", json={},
                        headers=site.bearer("avery"))
    assert by_name.status_code == 404


def test_validate_accepts_a_good_profile(site, anon):
    response = anon.post("/api/v1/profiles/validate", json=texas_dental(), headers=site.bearer("sam"))
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_validate_reports_every_problem_at_once_by_field(site, anon):
    bad = texas_dental(tier="platinum", effective_date="soon")
    bad["client"] = {**bad["client"], "users": 0, "jurisdiction": "Atlantis"}
    del bad["client"]["signatory"]["email"]
    response = anon.post("/api/v1/profiles/validate", json=bad, headers=site.bearer("olive"))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"client.users", "client.jurisdiction", "client.signatory.email", "effective_date", "tier"} <= fields


def test_a_refused_decline_is_named_before_anything_is_built(site, anon):
    profile = texas_dental()
    profile["controls"]["edr"] = "declined"
    for path in ("/api/v1/profiles/validate", "/api/v1/drafts"):
        response = anon.post(path, json=profile, headers=site.bearer("sam"))
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert errors[0]["field"] == "controls.edr" and "may not be declined" in errors[0]["message"]
    assert not (site.clients / "lone-star-smiles-dental-pllc.yaml").exists()


def test_explain_is_the_msa_explain_json_document(site, anon, tmp_path):
    response = anon.post("/api/v1/explain", json=texas_dental(), headers=site.bearer("avery"))
    assert response.status_code == 200
    data = response.json()
    path = tmp_path / "p.json"
    import json

    path.write_text(json.dumps(texas_dental()))
    expected = api.explain(path, library=api.open_library(site.config.library))
    assert {k: v for k, v in data.items() if k != "profile"} == {k: v for k, v in expected.items() if k != "profile"}
    assert [d["id"] for d in data["declined"]] == ["security_training"]


def test_a_draft_is_saved_built_recorded_by_its_user_and_its_files_served_by_url(site, anon):
    response = anon.post("/api/v1/drafts", json=texas_dental(), headers=site.bearer("sam"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["client"] == "Lone Star Smiles Dental, PLLC" and body["agreement_id"].startswith("MSA-20261215-")
    assert set(body["files"]) == {"docx", "memo"}
    record, events = api.agreement_record(body["record"], ledger=site.ledger)
    assert events[0].by == "sam" and record.status == "draft"
    saved = [e for e in api.audit_log(ledger=site.ledger) if e["action"] == "profile saved"]
    assert saved[0]["by"] == "sam" and saved[0]["subject"] == "lone-star-smiles-dental-pllc.yaml"
    docx = anon.get(body["files"]["docx"], headers=site.bearer("olive"))
    assert docx.status_code == 200
    assert hashlib.sha256(docx.content).hexdigest() == record.outputs[f"{record.slug}-msa.docx"]
    text = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert "Lone Star Smiles Dental, PLLC" in text
    assert (site.clients / "lone-star-smiles-dental-pllc.yaml").is_file()


def test_posting_the_same_client_again_replaces_its_profile_but_never_another_clients(site, anon):
    first = anon.post("/api/v1/drafts", json=texas_dental(), headers=site.bearer("sam"))
    assert first.status_code == 201
    other = texas_dental()
    other["client"] = {**other["client"], "legal_name": "Lone Star Smiles Dental PLLC."}
    response = anon.post("/api/v1/drafts", json=other, headers=site.bearer("sam"))
    assert response.status_code == 422 and "another client" in response.json()["errors"][0]["message"]


def test_roles_are_checked_on_the_server(site, anon):
    assert anon.post("/api/v1/drafts", json=texas_dental(), headers=site.bearer("olive")).status_code == 403
    refused = anon.post("/api/v1/agreements/MSA-1/approve", json={}, headers=site.bearer("sam"))
    assert refused.status_code == 403 and "attorney" in refused.json()["errors"][0]["message"]


def test_files_only_of_agreements_the_ledger_knows(site, anon):
    assert anon.get("/api/v1/files/9999/docx", headers=site.bearer("sam")).status_code == 404
    assert anon.get("/api/v1/files/1/lock", headers=site.bearer("sam")).status_code == 404
    assert anon.get("/api/v1/files/1/..%2F..%2Fledger.sqlite", headers=site.bearer("sam")).status_code == 404


def test_clients_are_the_msa_status_rows(site, anon):
    anon.post("/api/v1/drafts", json=texas_dental(), headers=site.bearer("sam"))
    rows = anon.get("/api/v1/clients", headers=site.bearer("olive")).json()
    by_client = {r["client"]: r for r in rows}
    assert by_client["Lone Star Smiles Dental, PLLC"]["state"] == "unsigned"
    assert by_client["Bluebonnet Family Dental, PLLC"]["latest_record"] is None
    assert set(rows[0]) == set(api.coverage(site.clients, __import__("msa_builder").BatchConfig(
        out_dir=site.config.out, ledger_path=site.ledger, library_dir=site.config.library))[0].as_dict())


@pytest.mark.soffice
def test_an_attorney_approves_by_agreement_id(site, anon):
    body = anon.post("/api/v1/drafts", json=texas_dental(), headers=site.bearer("sam")).json()
    early = anon.post(f"/api/v1/agreements/{body['agreement_id']}/approve", json={}, headers=site.bearer("avery"))
    assert early.status_code == 422, "a draft not submitted for review cannot be approved"
    submit = f"/api/v1/agreements/{body['agreement_id']}/submit"
    assert anon.post(submit, headers=site.bearer("avery")).status_code == 403, "an attorney does not submit"
    submitted = anon.post(submit, headers=site.bearer("sam"))
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review", submitted.text
    again = anon.post(submit, headers=site.bearer("sam"))
    assert again.status_code == 422 and again.json()["errors"], "already in review"
    url = f"/api/v1/agreements/{body['agreement_id']}/approve"
    refused = anon.post(url, json={}, headers=site.bearer("avery"))
    assert refused.status_code == 422 and refused.json()["errors"], "points needing a decision are not accepted"
    approved = anon.post(url, json={"accept_deviations": True, "note": "ok"}, headers=site.bearer("avery"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and any(f.endswith(".pdf") for f in approved.json()["files"])
    found, events = api.agreement_record(body["record"], ledger=site.ledger)
    assert found.status == "approved" and events[-1].by == "avery"


def test_a_draft_whose_build_is_refused_leaves_the_clients_folder_as_it_was(tmp_path):
    from fastapi.testclient import TestClient

    from msa_builder.web import WebConfig, create_app

    root = tmp_path / "fresh"
    api.init_workspace(root)  # its provider.yaml still holds msa init's placeholders: every build is refused
    config = WebConfig.for_workspace(root)
    api.add_user("sam", role="sales", ledger=config.ledger, password="a long enough password", by="test")
    headers = {"Authorization": f"Bearer {api.user_token('sam', ledger=config.ledger, by='test')}"}
    existing = root / "clients" / "lone-star-smiles-dental-pllc.yaml"
    with TestClient(create_app(config), raise_server_exceptions=False) as client:
        before = sorted(p.name for p in (root / "clients").iterdir())
        refused = client.post("/api/v1/drafts", json=texas_dental(), headers=headers)
        assert refused.status_code == 422 and "placeholder" in refused.json()["errors"][0]["message"]
        assert sorted(p.name for p in (root / "clients").iterdir()) == before
        api.save_profile(texas_dental(), library=api.open_library(config.library), folder=root / "clients")
        kept = existing.read_text(encoding="utf-8") + "# edited by hand\n"
        existing.write_text(kept, encoding="utf-8")
        changed = texas_dental()
        changed["client"] = {**changed["client"], "users": 30}
        assert client.post("/api/v1/drafts", json=changed, headers=headers).status_code == 422
        assert existing.read_text(encoding="utf-8") == kept, "the earlier profile is put back"
    assert [e for e in api.audit_log(ledger=config.ledger) if e["action"] == "profile saved"] == []


def _body(profile: dict, **raw: str) -> bytes:
    """`profile` as JSON text, with each keyword's raw JSON text put in place of `"@key": 0`."""
    text = json.dumps({**profile, **{f"@{k}": 0 for k in raw}})
    for key, value in raw.items():
        text = text.replace(f'"@{key}": 0', value)
    return text.encode("utf-8")


@pytest.mark.parametrize("path", ["/api/v1/profiles/validate", "/api/v1/explain", "/api/v1/drafts"])
@pytest.mark.parametrize("raw, fragment", [
    ({"dup": '"tier": "managed", "tier": "essentials"'}, "duplicate key 'tier'"),
    ({"deep": '"params": ' + "[" * 50_000 + "]" * 50_000}, "nested deeper than 64 levels"),
    ({"big": '"x": ' + "9" * 5000}, "5,000 digits is too long"),
    ({"nan": '"x": NaN'}, "NaN is not a JSON value"),
])
def test_the_api_reads_a_profile_as_strictly_as_a_profile_file(site, anon, path, raw, fragment):
    before = sorted(p.name for p in site.clients.iterdir())
    response = anon.post(path, content=_body(texas_dental(), **raw),
                         headers={**site.bearer("sam"), "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert any(fragment in e["message"] for e in response.json()["errors"]), response.text
    assert sorted(p.name for p in site.clients.iterdir()) == before, "nothing saved"


def test_a_duplicate_legal_name_never_becomes_the_client(site, anon):
    text = json.dumps(texas_dental()).replace('"legal_name": ', '"legal_name": "Evil Corp", "legal_name": ', 1)
    response = anon.post("/api/v1/drafts", content=text.encode(),
                         headers={**site.bearer("sam"), "Content-Type": "application/json"})
    assert response.status_code == 422 and "duplicate key 'legal_name'" in response.text
    assert "Evil Corp" not in {r.client for r, _ in api.history(ledger=site.ledger)}


def test_a_bom_or_a_non_object_body(site, anon):
    headers = {**site.bearer("sam"), "Content-Type": "application/json"}
    bom = anon.post("/api/v1/profiles/validate", content=b"\xef\xbb\xbf" + json.dumps(texas_dental()).encode(),
                    headers=headers)
    assert bom.status_code == 200, bom.text
    for body, fragment in ((b"[1, 2]", "a profile is a JSON object, not list"), (b"\xff{}", "not UTF-8 text")):
        response = anon.post("/api/v1/profiles/validate", content=body, headers=headers)
        assert response.status_code == 422 and fragment in response.text, response.text


def test_the_openapi_document_still_describes_the_profile_body(site, anon):
    spec = anon.get("/api/v1/openapi.json", headers=site.bearer("olive")).json()
    body = spec["paths"]["/api/v1/drafts"]["post"]["requestBody"]
    assert body["required"] and body["content"]["application/json"]["example"]["tier"] == "managed"
