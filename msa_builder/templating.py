"""Rendering clause bodies: Jinja2 in a sandbox, strict about missing and empty values.

Every value a template prints is Markdown-escaped, so client data ("Harbor & Finch", a name with
`*` or `|`) is reproduced exactly and can never become formatting, a link or a template. A value
that is missing or renders empty is an error naming the clause, the file line and the expression:
a contract must never contain a blank.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import TemplateRuntimeError, UndefinedError

from .errors import LibraryError, RenderError, clip
from .library.model import ClauseVersion
from .sandbox import BoundedSandbox, budget

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_EXPRESSION = re.compile(r"{{.*?}}")


class MarkdownText(str):
    """Text that is already Markdown and must not be escaped again."""


class _EmptyValue(Exception):
    pass


def markdown_escape(text: str) -> str:
    """Escape every ASCII punctuation character so Markdown reads the text literally."""
    flat = " ".join(text.split("\n"))
    return _PUNCTUATION.sub(r"\\\1", flat)


def _finalize(value: Any) -> str:
    if isinstance(value, StrictUndefined):
        str(value)  # raises UndefinedError with Jinja's own message
    if value is None or isinstance(value, bool) or not str(value).strip():
        raise _EmptyValue
    if isinstance(value, MarkdownText):
        return str(value)
    return markdown_escape(str(value))


class _NoLoader(BaseLoader):
    pass


_env = BoundedSandbox(
    loader=_NoLoader(),
    undefined=StrictUndefined,
    finalize=_finalize,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_cache: dict[str, Template] = {}


def compile_clause(clause: ClauseVersion) -> Template:
    """Compile (once per distinct file content) a clause body as a sandboxed template."""
    template = _cache.get(clause.sha256)
    if template is None:
        try:
            code = _env.compile(clause.body, name=clause.key, filename=clause.path)
        except TemplateSyntaxError as exc:
            raise LibraryError(f"template syntax error: {exc.message}", file=clause.path,
                               line=(exc.lineno or 1) + clause.body_line - 1) from None
        except RecursionError:
            raise LibraryError("template syntax error: expressions nested too deeply", file=clause.path,
                               line=clause.body_line) from None
        template = Template.from_code(_env, code, _env.make_globals(None), None)
        _cache[clause.sha256] = template
    return template


def template_variables(clause: ClauseVersion) -> set[str]:
    """Dotted variable paths the body reads (`client.legal_name`), for lint's declared-variable check."""
    try:
        tree = _env.parse(clause.body)
    except TemplateSyntaxError as exc:
        raise LibraryError(f"template syntax error: {exc.message}", file=clause.path,
                           line=(exc.lineno or 1) + clause.body_line - 1) from None
    except RecursionError:
        raise LibraryError("template syntax error: expressions nested too deeply", file=clause.path,
                           line=clause.body_line) from None
    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    found: set[str] = set()

    def visit(n: nodes.Node) -> None:
        if isinstance(n, nodes.Getattr):
            chain = []
            inner: nodes.Node = n
            while isinstance(inner, nodes.Getattr):
                chain.append(inner.attr)
                inner = inner.node
            if isinstance(inner, nodes.Name) and inner.ctx == "load":
                if inner.name not in local and inner.name != "loop":
                    found.add(".".join([inner.name, *reversed(chain)]))
                return
        if isinstance(n, nodes.Name) and n.ctx == "load" and n.name not in local and n.name != "loop":
            found.add(n.name)
            return
        for child in n.iter_child_nodes():
            visit(child)

    visit(tree)
    return found


def _template_line(exc: BaseException, clause: ClauseVersion) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == clause.path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_clause(clause: ClauseVersion, context: Mapping[str, Any]) -> str:
    """Render a clause body to Markdown, or fail naming the clause, line and expression."""
    template = compile_clause(clause)
    try:
        with budget():
            return template.render(context)
    # TemplateRuntimeError covers the sandbox's SecurityError (and our LimitError) and filter
    # argument errors; ArithmeticError covers float overflow; RecursionError a macro calling itself.
    except (TemplateRuntimeError, _EmptyValue, ArithmeticError, LookupError, TypeError, ValueError,
            RecursionError, MemoryError) as exc:
        line = _template_line(exc, clause)
        file_line = line + clause.body_line - 1 if line else None
        snippet = ""
        if line:
            source_line = clause.body.splitlines()[line - 1].strip() if line <= len(clause.body.splitlines()) else ""
            # A long line is cut, but never so that the expression at fault is lost.
            shown = source_line if len(source_line) <= 100 else (
                " … ".join(_EXPRESSION.findall(source_line)) or source_line[:100])
            snippet = f" in `{shown}`"
        if isinstance(exc, UndefinedError):
            message = f"undefined variable{snippet}: {exc.message}"
        elif isinstance(exc, _EmptyValue):
            message = f"a value rendered empty{snippet}; contracts may not contain blanks"
        elif isinstance(exc, RecursionError):
            message = f"cannot render{snippet}: a macro or loop calls itself too deeply"
        elif isinstance(exc, MemoryError):
            message = f"cannot render{snippet}: out of memory"
        else:
            message = f"cannot render{snippet}: {clip(str(exc))}"
        raise RenderError(f"{clause.key}: {message}", file=clause.path, line=file_line) from None
