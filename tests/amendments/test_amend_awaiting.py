"""An amendment out for signature: `msa amend` drafts no second one beside it.

Amendment No. 1 is sent to Harbor & Finch; the library moves again. Drafting now would make a
second "Amendment No. 1" against the same signed terms, and the client could sign both. So
`msa amend` refuses, writes nothing and says what to do: record the signature and amend again for
the rest (Amendment No. 2), or withdraw the sent one to draft its replacement. The tests of this
module share one workspace and run in order.
"""

from __future__ import annotations

import json

import pytest

from lifecycle.conftest import snapshot

from .test_amend_cli import HARBOR, ws  # noqa: F401 - the module's own signed workspace

pytestmark = pytest.mark.soffice

CYBER = ("insurance.client_cyber:standard", "after each renewal or replacement of the policy.",
         "after each renewal or replacement of the policy, and shall tell the Provider in writing within ten days "
         "after any notice that the policy will be cancelled or not renewed.",
         "The Client reports a notice of cancellation or non-renewal within ten days.")
REVIEWS = ("governance.business_reviews:standard", "and record that offer in writing.",
           "and record that offer in writing, with the dates offered.",
           "The written offer of a new review date records the dates offered.")
SECTION_42 = "Section 4.2 (Business Reviews and Client Education) replaced"
SECTION_81 = "Section 8.1 (Client Cyber Insurance) replaced"


def _send_newest_amendment(ws) -> int:
    draft = next(r for r in reversed(ws.records()) if r.kind == "amendment" and r.status == "draft")
    which = ["--record", str(draft.id)]
    ws.run("ledger", "mark", HARBOR, "in_review", *which)
    ws.run("approve", HARBOR, "--by", "Avery Chen", "--accept-deviations", *which)
    ws.run("ledger", "mark", HARBOR, "sent", *which)
    return draft.id


def _amendments(ws) -> list[tuple[int, int, str]]:
    return [(r.id, r.amendment_no, r.status) for r in ws.records() if r.kind == "amendment"]


def test_with_amendment_no_1_sent_a_library_change_drafts_no_second_one(ws):
    ws.new_version(*CYBER)
    ws.run("library", "release")
    assert ws.run("amend", HARBOR).stdout.startswith(f"{HARBOR}: Amendment No. 1 ")
    sent = _send_newest_amendment(ws)
    ws.new_version(*REVIEWS)
    ws.run("library", "release")
    before, records = snapshot(ws.out), _amendments(ws)

    result = ws.run("amend", HARBOR, code=2)

    assert result.stdout.startswith(f"{HARBOR}: AN AMENDMENT AWAITS SIGNATURE (MSA-")
    assert f"Amendment No. 1 MSA-" in result.stdout and f"(record #{sent}) was sent on " in result.stdout
    assert "awaits the client's signature; nothing was written" in result.stdout
    assert f"msa ledger mark '{HARBOR}' signed --evidence FILE --record {sent}" in result.stdout
    assert f"msa ledger mark '{HARBOR}' superseded --record {sent}" in result.stdout
    assert snapshot(ws.out) == before and _amendments(ws) == records == [(sent, 1, "sent")]


def test_a_dry_run_and_json_say_the_same(ws):
    dry = ws.run("amend", "--dry-run", code=1)  # the workspace's example client is unsigned
    assert f"{HARBOR}: AN AMENDMENT AWAITS SIGNATURE" in dry.stdout
    assert dry.stdout.splitlines()[-1] == "1 awaiting, 1 unsigned"
    [row] = [r for r in json.loads(ws.run("amend", HARBOR, "--json", code=2).stdout)]
    assert row["outcome"] == "awaiting" and row["number"] == 1 and row["files"] == []
    assert len(row["reasons"]) == 3


def test_once_it_is_signed_amendment_no_2_covers_only_the_rest(ws, certs, tmp_path):
    ws.sign_and_record(certs, tmp_path, ("client_signature",), ["--record", str(_amendments(ws)[0][0])])
    result = ws.run("amend", HARBOR)
    assert result.stdout.startswith(f"{HARBOR}: Amendment No. 2 ")
    assert SECTION_42 in result.stdout and SECTION_81 not in result.stdout, "No. 1 already amended 8.1"
    assert [(number, status) for _, number, status in _amendments(ws)] == [(1, "signed"), (2, "draft")]


def test_a_withdrawn_amendment_makes_way_for_its_replacement(ws):
    sent = _send_newest_amendment(ws)
    ws.new_version(*(CYBER[0], CYBER[2], CYBER[2] + " The notice names the insurer.", "The notice names the insurer."))
    ws.run("library", "release")
    ws.run("amend", HARBOR, code=2)
    ws.run("ledger", "mark", HARBOR, "superseded", "--record", sent)
    result = ws.run("amend", HARBOR)
    assert result.stdout.startswith(f"{HARBOR}: Amendment No. 2 ")
    assert SECTION_42 in result.stdout and SECTION_81 in result.stdout
    assert [(number, status) for _, number, status in _amendments(ws)] == [
        (1, "signed"), (2, "superseded"), (2, "draft")]
