"""Fill the Word template with docxtpl. The only module that imports docxtpl."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from docx.oxml.ns import nsmap, qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.utils import LRUCache
from lxml import etree

from flows.domain.errors import ReportError
from flows.domain.report_context import visible_control_characters, with_visible_text


class TemplateContextError(ReportError):
    """The template asks for a variable the context does not provide."""


class _CompiledOnce(jinja2.Environment):
    """docxtpl compiles each part of the template (body, headers, footers) with `from_string` on every
    render: a unit renders the same template twice (the report and the reviewer's copy) and a run renders
    it for every unit. The same source compiles to the same template, so each is compiled once per process."""

    def __init__(self) -> None:
        # autoescape: without it docxtpl silently drops text after "&" or "<" (stack.md §3.1).
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True)
        self._compiled = LRUCache(32)     # a template's parts, for a few templates; thread-safe

    def from_string(self, source: str | jinja2.nodes.Template, globals: MutableMapping[str, Any] | None = None,
                    template_class: type[jinja2.Template] | None = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


_ENVIRONMENT = _CompiledOnce()
# Each template's variables, by the sha256 of its content: finding them parses the whole template, which
# took about as long as rendering it. A changed template has another digest and is parsed again.
_VARIABLES = LRUCache(8)


def template_variables(template_path: Path) -> set[str]:
    """Top-level variables the template uses."""
    content = Path(template_path).read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    variables = _VARIABLES.get(digest)
    if variables is None:
        template = DocxTemplate(io.BytesIO(content))
        variables = _VARIABLES[digest] = frozenset(template.get_undeclared_template_variables(jinja_env=_ENVIRONMENT))
    return set(variables)


def render_docx(template_path: Path, context: Mapping[str, object],
                images: Mapping[str, tuple[bytes, str]] | None = None) -> bytes:
    """Render the template to .docx bytes.

    `images` maps a chart key of context["charts"] to (PNG bytes, alt text); each chart
    gets its picture (15 cm wide) and the alt text a screen reader announces.

    Raises:
        TemplateContextError: the template uses a variable missing from the context.
    """
    template = DocxTemplate(str(template_path))
    environment = _ENVIRONMENT
    missing = template_variables(template_path) - set(context)
    if missing:
        raise TemplateContextError(f"报告模板使用了未提供的变量：{'、'.join(sorted(missing))}（模板 {template_path.name}）")
    values = with_visible_text(dict(context))
    images = images or {}
    alt_texts = []
    for chart in values.get("charts", []):
        png, alt = images[chart["key"]]
        chart["image"] = InlineImage(template, io.BytesIO(png), width=Mm(150))
        alt_texts.append(visible_control_characters(alt))
    try:
        template.render(values, jinja_env=environment, autoescape=True)
    except jinja2.UndefinedError as error:
        raise TemplateContextError(f"报告模板变量缺失：{error}（模板 {template_path.name}）") from None
    _set_alt_texts(template, alt_texts)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def _set_alt_texts(template: DocxTemplate, alt_texts: list[str]) -> None:
    """Pictures appear in chart order; give each its description (wp:docPr/@descr).

    Searched with lxml's own xpath and explicit namespaces: after rendering, the tree may hold
    plain lxml elements (not python-docx's classes), whose xpath knows no `wp:` prefix; a
    Dask worker once failed a unit on python-docx's `inline_shapes` that way.
    """
    inlines = etree._Element.xpath(template.docx.element, ".//wp:inline", namespaces=nsmap)
    for inline, alt in zip(inlines, alt_texts, strict=False):
        doc_pr = inline.find(qn("wp:docPr"))
        if doc_pr is not None:
            doc_pr.set("descr", alt)
            doc_pr.set("title", alt[:60])
