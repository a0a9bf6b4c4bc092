"""The memo's points of law: the client state's pack, and a provider whose chosen law has a pack of its own."""

from __future__ import annotations

from pathlib import Path

from msa_builder.profile import load_profile, load_provider
from msa_builder.review_notes import legal_notes
from msa_builder.selection import select

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PROVIDER = SAMPLES.parent / "msa_builder" / "data" / "provider.yaml"


def _notes(library, sample: str, **provider_changes) -> list[str]:
    provider, _ = load_provider(PROVIDER)
    return legal_notes(select(library, load_profile(SAMPLES / sample)), provider.model_copy(update=provider_changes))


def test_a_provider_choosing_california_law_is_told_the_california_rules_may_reach_every_client(shipped_library):
    notes = _notes(shipped_library, "bluebonnet-dental.yaml", governing_law="California",
                   venue="San Francisco County, California")
    chosen = [n for n in notes if n.startswith("Governing law: the provider's chosen law")]
    assert len(chosen) == 1
    assert "the State of California" in chosen[0] and "Texas pack terms" in chosen[0] and "Grafton" in chosen[0]


def test_a_chosen_law_without_a_pack_or_the_client_s_own_pack_adds_nothing(shipped_library):
    assert not any(n.startswith("Governing law:") for n in _notes(shipped_library, "bluebonnet-dental.yaml"))
    assert not any(n.startswith("Governing law:") for n in _notes(shipped_library, "harbor-finch.yaml",
                                                                  governing_law="California"))
    generic = _notes(shipped_library, "pine-tree-consulting.yaml", governing_law="New York")
    assert any("generic terms" in n and "5-903" in n for n in generic)
