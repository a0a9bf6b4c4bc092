"""What an input's text and dates may be: the character policy and the strict date type.

Every string we read ends up in WordprocessingML, a lock file or a terminal. XML 1.0 cannot hold
control characters, lone surrogates or U+FFFE/U+FFFF (python-docx cannot even open a part that
does), and a C1 control such as U+009B is an escape sequence on a terminal. Such characters are
refused with the field that holds them, never silently dropped: a contract must say what the
profile says. Text that a contract shows on one line (a name, a title) may not break lines, and
bidirectional overrides, which make Word display the characters after them in another order, are
refused in client text: "Acme LLC" must not be able to look like something else.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator

from .errors import brief

# Cc (C0 except tab, line feed and carriage return, DEL, C1), lone surrogates, and the 66 Unicode
# noncharacters. Anything else is a character someone may legitimately write.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_NEVER = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
# Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters). The marks
# U+200E/U+200F, which only nudge neutral characters, stay allowed.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile("[\t\n\r\u2028\u2029]")
_VISIBLE = frozenset("LNPS")  # letters, numbers, punctuation, symbols: what a reader can see


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    code = f"U+{ord(ch):04X}" + (f" {name}" if name else "")
    category = unicodedata.category(ch)
    if category == "Cs":
        return f"{code} (half of a surrogate pair, not a character)"
    if category == "Cn":
        return f"{code} (a noncharacter)"
    return code


def _at(text: str, index: int) -> str:
    return f"{_describe(text[index])} at character {index + 1}"


def character_problem(text: str) -> str | None:
    """Why `text` cannot be used anywhere (a control character, a lone surrogate...), or None."""
    found = _NEVER.search(text)
    if found is None:
        return None
    if unicodedata.category(found.group()) == "Cc":
        return f"must not contain control characters ({_at(text, found.start())})"
    return f"must not contain {_at(text, found.start())}"


def has_no_character_problem(text: str) -> bool:
    """`character_problem(text) is None`, several times faster for ASCII text (long texts checked at once).

    In ASCII, the forbidden characters are exactly the unprintable ones but tab, line feed and
    carriage return, which are allowed.
    """
    if text.isascii():
        return text.replace("\t", " ").replace("\n", " ").replace("\r", " ").isprintable()
    return _NEVER.search(text) is None


def text_problem(text: str, *, one_line: bool) -> str | None:
    """Why `text` cannot be client text shown in a contract, or None.

    On top of `character_problem`: no bidirectional overrides, no line breaks in a one-line
    field, and at least one character a reader can see (not only spaces or zero-width marks).
    """
    problem = character_problem(text)
    if problem:
        return problem
    found = _BIDI.search(text)
    if found:
        return (f"must not contain bidirectional formatting characters, which can make the text display "
                f"out of order ({_at(text, found.start())})")
    if one_line:
        found = _LINE_BREAK.search(text)
        if found:
            return f"must be one line: it contains a line break or tab ({_at(text, found.start())})"
    if not any(unicodedata.category(ch)[0] in _VISIBLE for ch in text):
        return "must contain a visible character, not only spaces or invisible formatting characters"
    return None


def _strict_date(value: Any) -> date:
    # pydantic's own date accepts 0 (1970-01-01) and 1790000000 (a Unix time); a profile that says
    # `effective_date: 0` has a mistake in it, not a date.
    if isinstance(value, datetime):
        raise ValueError("must be a date written YYYY-MM-DD, not a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return date.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(f"{brief(value)} is not a valid date ({exc})") from None
        raise ValueError(f"{brief(value)} is not a valid date; write YYYY-MM-DD")
    raise ValueError(f"must be a date written YYYY-MM-DD, not {type(value).__name__} {brief(value)}")


# A date from YAML (which reads 2026-12-01 as a date) or an ISO string (JSON, CSV); nothing else.
StrictDate = Annotated[date, PlainValidator(_strict_date), PlainSerializer(date.isoformat, when_used="json")]
