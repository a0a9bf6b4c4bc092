"""Parsing untrusted YAML and JSON text: bounded, strict, and every problem our own error.

Inputs are read as a careful parser would read untrusted text: bounded in nesting and expanded
values (a YAML alias bomb is a few hundred bytes that expand to gigabytes), with duplicate keys
refused in JSON as in YAML, and with every string checked against the character policy of
`fieldtypes` before any model sees it. Every problem names the file, and the line where the
parser knows it or the field path.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from .errors import MsaError, Problem, brief, clip
from .fieldtypes import character_problem, has_no_character_problem

# libyaml's parser, where installed, is about 6x faster than PyYAML's; a batch parses hundreds of profiles.
FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits far above any real profile, provider file or library manifest (the shipped library.yaml
# has about 1,300 values and 6 levels), and far below what would exhaust memory or the C stack.
MAX_DEPTH = 64
MAX_VALUES = 100_000  # every value once per use: an alias counts the whole subtree it repeats
MAX_NUMBER_DIGITS = 100


class _UniqueKeyLoader(FAST_LOADER):  # type: ignore[misc,valid-type]
    """A safe loader that refuses duplicate and complex keys and numbers no contract needs."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An explicit tag on a value it cannot build (`!!int abc`, `!!bool maybe`) makes PyYAML's
        # constructors raise ValueError or KeyError; say which value, and where.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, LookupError, ArithmeticError, AttributeError) as exc:
            value = brief(node.value) if isinstance(node, yaml.ScalarNode) else f"a {getattr(node, 'id', 'node')}"
            raise ConstructorError(None, None, f"{value} is not a valid {node.tag.rsplit(':', 1)[-1]} "
                                   f"({clip(str(exc), 200) or type(exc).__name__})", node.start_mark) from None


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise ConstructorError(None, None, "a key must be a plain name, not a list or mapping (`? [a, b]`)",
                                   key_node.start_mark)
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConstructorError(None, None, f"duplicate key {brief(key)}", key_node.start_mark)
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
    return mapping


def _construct_int(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> int:
    # int() of a 5,000-digit literal raises ValueError, and a shorter one is never an amount.
    if len(node.value) > MAX_NUMBER_DIGITS:
        raise ConstructorError(None, None, f"a number of {len(node.value):,} digits is too long "
                               f"(at most {MAX_NUMBER_DIGITS})", node.start_mark)
    return SafeConstructor.construct_yaml_int(loader, node)


def _construct_timestamp(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    # `2026-02-30` looks like a date to YAML but is none; kept as text, the field's own validator
    # reports it with its field path, like the same value in a JSON or CSV profile.
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, AttributeError):  # AttributeError: `!!timestamp x`, which matches no pattern
        return loader.construct_scalar(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


_SMALL = 64 * 1024


def _surely_bounded(text: str) -> bool:
    """True when `text` cannot exceed the limits, so the event pass can be skipped (most profiles).

    Without `*` there is no alias to expand; every level of nesting starts at one of `[ { - : ?`,
    so their count bounds the depth; and 64 KB hold fewer than MAX_VALUES values.
    """
    if len(text) > _SMALL or "*" in text:
        return False
    return sum(text.count(c) for c in "[{-:?") < MAX_DEPTH


def _check_yaml_events(text: str, *, source: str, error: type[MsaError], first_line: int) -> None:
    """Refuse deep nesting and alias bombs from the event stream, before anything is built.

    The C composer recurses once per level (100,000 levels crash the interpreter), and aliases
    share one object per anchor, so the cost shows only when something walks or prints the data.
    Counting each alias as the size of the subtree it repeats bounds both.
    """
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # open collections: [anchor, values so far]
    total = 0
    for event in yaml.parse(text, Loader=FAST_LOADER):
        mark = event.start_mark
        line = mark.line + first_line if mark is not None else None
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 1])
            added = 1
            if len(stack) - 1 > MAX_DEPTH:
                raise error(f"nested deeper than {MAX_DEPTH} levels", file=source, line=line)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, count = stack.pop()
            if anchor is not None:
                sizes[anchor] = count
            stack[-1][1] += count
            continue
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            added = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(frame[0] == event.anchor for frame in stack):
                raise error(f"the alias *{event.anchor} refers to a value that contains it", file=source,
                            line=line)
            added = sizes.get(event.anchor or "", 1)
        else:
            continue
        stack[-1][1] += added
        total += added
        if total > MAX_VALUES:
            raise error(f"holds more than {MAX_VALUES:,} values (YAML aliases count once per use)",
                        file=source, line=line)


def parse_yaml(text: str, *, source: str, error: type[MsaError], first_line: int = 1) -> Any:
    """Parse YAML text (JSON is YAML too), turning every problem into `error` with a line.

    `first_line` is the file line the text starts at (front matter starts on line 2).
    """
    try:
        if not _surely_bounded(text):
            _check_yaml_events(text, source=source, error=error, first_line=first_line)
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if problem == "exceeded maximum nesting depth":
            # libyaml's own limit (1,000 levels, in PyYAML 6.0.4's wheels): its scanner reads ahead
            # of the events, so a long run of `[` meets it before our count of levels does.
            raise error(f"nested deeper than {MAX_DEPTH} levels", file=source, line=line) from None
        raise error(f"invalid YAML: {problem}", file=source, line=line) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {clip(str(exc))}", file=source) from None
    except (ValueError, TypeError, LookupError, ArithmeticError, AttributeError) as exc:  # built late
        raise error(f"invalid YAML: a tagged value cannot be built ({clip(str(exc), 200)})", file=source) from None
    check_values(data, source=source, error=error)
    return data


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _BadNumber(ValueError):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise _BadNumber(f"a number of {len(text):,} digits is too long (at most {MAX_NUMBER_DIGITS})")
    return int(text)


def _json_constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a JSON value")


def parse_json(text: str, *, source: str, error: type[MsaError]) -> Any:
    """Parse JSON strictly: duplicate keys, NaN and over-long numbers are errors; a BOM is accepted."""
    if text.startswith("\ufeff"):  # Windows editors write one; YAML and CSV input accept it too
        text = text[1:]
    try:
        data = json.loads(text, object_pairs_hook=_unique_object, parse_int=_json_int,
                          parse_constant=_json_constant)
    except _DuplicateKey as exc:
        # json's last-wins rule would let a second "legal_name" replace the first unseen.
        raise error(f"duplicate key {brief(exc.key)}; each key may appear once in an object", file=source) from None
    except _BadNumber as exc:
        raise error(f"invalid JSON: {exc}", file=source) from None
    except json.JSONDecodeError as exc:
        raise error(f"invalid JSON: {exc.msg}", file=source, line=exc.lineno) from None
    except RecursionError:
        raise error(f"nested deeper than {MAX_DEPTH} levels", file=source) from None
    check_values(data, source=source, error=error)
    return data


def check_values(data: Any, *, source: str, error: type[MsaError]) -> None:
    """Walk parsed data: bounded depth and size, and every key and string within the character policy.

    Data within the limits (nearly all of it) costs one walk without paths and one search over
    its text joined; only a problem found there pays for the walk that names each field. A
    batch's no-op rerun reads every client's lock, ~1,600 strings each: checked one by one, that
    was half of its time.
    """
    strings: list[str] = []
    count = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_VALUES or depth > MAX_DEPTH:
            break
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            strings.extend(key for key in value if isinstance(key, str))
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend((item, depth + 1) for item in value)
    else:
        # The joint is a space, which is allowed: a problem in the whole is a problem in a part.
        if has_no_character_problem(" ".join(strings)):
            return
    _check_values_naming_fields(data, source=source, error=error)


def _check_values_naming_fields(data: Any, *, source: str, error: type[MsaError]) -> None:
    """`check_values`, naming the field of each problem; raises, in document order."""
    problems: list[Problem] = []
    count = 0
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise error(f"holds more than {MAX_VALUES:,} values", file=source)
        if len(path) > MAX_DEPTH:
            raise error(f"nested deeper than {MAX_DEPTH} levels", file=source, field=field_path(path))
        if isinstance(value, str):
            problem = character_problem(value)
            if problem:
                problems.append(Problem(problem, field_path(path) or None))
            continue
        if isinstance(value, dict):
            children: list[tuple[Any, tuple[int | str, ...]]] = []
            for key, item in value.items():
                problem = character_problem(key) if isinstance(key, str) else None
                if problem:
                    problems.append(Problem(f"a key {problem}", field_path(path) or None))
                    continue
                children.append((item, (*path, str(key))))
            stack.extend(reversed(children))
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend(reversed([(item, (*path, i)) for i, item in enumerate(value)]))
    if problems:
        raise error.several(problems, file=source)


def decode_utf8(raw: bytes, *, error: type[MsaError], what: str, source: str) -> str:
    """Bytes as UTF-8 text, or `error` naming the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{what} is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
                    file=source, line=line) from None


def field_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic location as a dotted path with list indexes: `client.signatory.name`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
