"""errors.py: several problems in one error, one screen, and values in messages cut short."""

from __future__ import annotations

from msa_builder.errors import MAX_SHOWN_PROBLEMS, Problem, ProfileError, brief, clip


def test_one_problem_reads_as_before():
    error = ProfileError("'gold' is not a tier", file="bad.yaml", field="tier", allowed=["a", "b"])
    assert error.format() == "bad.yaml: tier: 'gold' is not a tier\n  allowed: a, b"
    assert error.problems == (Problem("'gold' is not a tier", "tier", allowed=("a", "b")),)


def test_several_problems_keep_the_first_line_and_list_every_other():
    problems = [Problem("must not be empty", "client.legal_name"), Problem("not allowed", "tier", allowed=("x",)),
                Problem("bad date", "effective_date", line=12)]
    error = ProfileError.several(problems, file="bad.yaml")
    assert (error.message, error.field, error.file) == ("must not be empty", "client.legal_name", "bad.yaml")
    lines = error.format().splitlines()
    assert lines == ["bad.yaml: client.legal_name: must not be empty",
                     "  tier: not allowed (allowed: x)",
                     "  line 12: effective_date: bad date"]


def test_many_problems_are_bounded_to_one_screen_and_counted():
    problems = [Problem(f"problem {i}", f"field{i}") for i in range(500)]
    text = ProfileError.several(problems, file="bad.yaml").format()
    lines = text.splitlines()
    assert len(lines) == MAX_SHOWN_PROBLEMS
    assert lines[0] == "bad.yaml: field0: problem 0"
    assert "field18: problem 18" in lines[-2]
    assert lines[-1] == "  … and 481 more problems (500 in all)"


def test_exactly_twenty_problems_are_all_shown():
    problems = [Problem(f"problem {i}", f"field{i}") for i in range(MAX_SHOWN_PROBLEMS)]
    lines = ProfileError.several(problems, file="bad.yaml").format().splitlines()
    assert len(lines) == MAX_SHOWN_PROBLEMS and lines[-1] == "  field19: problem 19"


def test_brief_cuts_long_text_and_says_how_long():
    shown = brief("x" * 1_000_000)
    assert len(shown) < 100 and "1,000,000 characters" in shown


def test_brief_of_an_alias_bomb_shaped_value_is_short():
    level = ["lol"] * 9
    for _ in range(9):
        level = [level] * 9  # 9**10 strings if printed in full
    assert len(brief(level)) < 400
    assert len(brief({"params": level})) < 400


def test_brief_of_numbers_too_long_to_print():
    assert brief(10**5000) == "<a number of about 5001 digits>"
    assert brief(12345) == "12345"


def test_messages_fields_and_allowed_lists_are_bounded_even_when_built_carelessly():
    error = ProfileError("x" * 100_000, file="f" * 10_000, field="params." + "k" * 100_000,
                         allowed=["a" * 1000] * 1000, hint="h" * 100_000)
    text = error.format()
    assert len(text) < 6_000
    assert len(text.splitlines()) == 3


def test_clip():
    assert clip("short") == "short"
    assert clip("y" * 1000, 10) == "yyyyyyyyyy… (1,000 characters)"
