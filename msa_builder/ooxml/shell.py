"""The Word shell: a provider-editable .docx (cover, headers, footers, signature page) with tags.

The template is prepared once per file with docxtpl's own tag handling (it repairs tags that
Word split across runs and turns `{{p name}}` into a paragraph-level slot), compiled with a
sandboxed, autoescaping Jinja environment, and cached. Each build then renders a few small XML
strings and splices in the body, which python-docx's object layer never sees: that is most of the
difference between a 20 ms and a 140 ms build (benchmarks/bench_build.py).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2.exceptions import TemplateRuntimeError, UndefinedError
from markupsafe import Markup

from ..errors import RenderError, clip
from ..sandbox import BoundedSandbox, budget
from .package import read_parts
from .styles import REQUIRED_STYLES

_BODY = re.compile(r"<w:body(?:\s[^>]*)?>.*</w:body>", re.S)


def _finalize(value: Any) -> Any:
    if value is None or (not isinstance(value, Markup) and not str(value).strip()):
        raise RenderError("a template value rendered empty; documents may not contain blanks")
    return value


_env = BoundedSandbox(undefined=StrictUndefined, autoescape=True, finalize=_finalize)


@dataclass(frozen=True)
class ShellTemplate:
    """A prepared Word shell: its parts, and compiled templates for the parts with tags."""

    path: str
    sha256: str
    parts: dict[str, bytes]
    templates: dict[str, Template]  # part name -> compiled template of its <w:body> or whole part
    variables: frozenset[str]
    styles: frozenset[str]

    def render(self, context: Mapping[str, Any], fragments: Mapping[str, str]) -> dict[str, bytes]:
        """Render every tagged part; `fragments` are raw WordprocessingML for `{{p name}}` slots."""
        values = dict(context)
        for name in fragments:
            values[name] = Markup(f"<!--msa:{name}-->")
        missing = sorted(self.variables - set(values))
        if missing:
            raise RenderError(f"the template uses {', '.join(missing)}, which msa-builder does not provide",
                              file=self.path, allowed=sorted(values))
        out = dict(self.parts)
        for part, template in self.templates.items():
            try:
                with budget():
                    xml = _postprocess(template.render(values))
            except UndefinedError as exc:
                raise RenderError(f"template tag failed in {part}: {exc.message}", file=self.path) from None
            except RenderError as exc:
                raise RenderError(f"{exc.message} (in {part})", file=self.path) from None
            # An unsafe tag (`{{ x.__class__ }}`), a filter's own error, a tag that runs away.
            except (TemplateRuntimeError, ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
                raise RenderError(f"template tag failed in {part}: {clip(str(exc)) or type(exc).__name__}",
                                  file=self.path) from None
            for name, fragment in fragments.items():
                xml = xml.replace(f"<!--msa:{name}-->", fragment)
            if part == "word/document.xml":
                original = self.parts[part].decode("utf-8")
                match = _BODY.search(original)
                if match is None:  # load_shell checked it; a ShellTemplate built by hand may lack one
                    raise RenderError("the template's word/document.xml has no <w:body> element", file=self.path)
                xml = original[:match.start()] + xml + original[match.end():]
            out[part] = xml.encode("utf-8")
        return out


def _preprocess(xml: str) -> str:
    # docxtpl renders with each paragraph on its own line so that errors can point at one.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _postprocess(xml: str) -> str:
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    return xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")


_cache: dict[tuple[str, str], ShellTemplate] = {}


def load_shell(path: Path) -> ShellTemplate:
    """Prepare a Word shell (cached by path and content hash)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RenderError(f"cannot read template: {exc.strerror}", file=str(path)) from None
    digest = hashlib.sha256(data).hexdigest()
    cached = _cache.get((str(path), digest))
    if cached is not None:
        return cached
    try:
        parts = read_parts(data)  # first: refuses a zip bomb before python-docx unpacks it
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
        # docxtpl serialises the body element it finds; a document.xml without the expected
        # <w:body> makes lxml raise TypeError, which is the template's fault, not ours.
        sources = {"word/document.xml": tpl.patch_xml(tpl.get_xml())}
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for _, part in tpl.get_headers_footers(uri):
                sources[str(part.partname).lstrip("/")] = tpl.patch_xml(tpl.get_part_xml(part))
    except Exception as exc:  # python-docx raises several unrelated types for a bad package
        raise RenderError(f"not a Word document: {clip(str(exc)) or type(exc).__name__}",
                          file=str(path)) from None
    templates: dict[str, Template] = {}
    variables: set[str] = set()
    for part, source in sources.items():
        source = _preprocess(source)
        try:
            templates[part] = _env.from_string(source)
            variables |= meta.find_undeclared_variables(_env.parse(source))
        except TemplateSyntaxError as exc:
            raise RenderError(f"template tag syntax error in {part}: {exc.message}", file=str(path)) from None
        except RecursionError:
            raise RenderError(f"template tag syntax error in {part}: tags nested too deeply", file=str(path)) from None
    try:
        document = parts.get("word/document.xml", b"").decode("utf-8")
        style_xml = parts.get("word/styles.xml", b"").decode("utf-8")
    except UnicodeDecodeError:
        raise RenderError("the template's XML parts must be UTF-8, as Word writes them", file=str(path)) from None
    if not _BODY.search(document):
        raise RenderError("the template's word/document.xml has no <w:body> element", file=str(path),
                          hint="copy the shipped template and edit it in Word rather than by hand")
    styles = frozenset(re.findall(r'w:styleId="([^"]+)"', style_xml))
    missing = [s for s in REQUIRED_STYLES if s not in styles]
    if missing:
        raise RenderError(f"the template lacks the styles {', '.join(missing)}", file=str(path),
                          hint="copy the shipped template and restyle it rather than removing styles")
    shell = ShellTemplate(path=str(path), sha256=digest, parts=parts, templates=templates,
                          variables=frozenset(variables), styles=styles)
    _cache[(str(path), digest)] = shell
    return shell
