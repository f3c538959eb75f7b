"""Fill the Word template with docxtpl. The only module that imports docxtpl."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate

from flows.domain.errors import ReportError
from flows.domain.report_context import with_visible_text


class TemplateContextError(ReportError):
    """The template asks for a variable the context does not provide."""


def _environment() -> jinja2.Environment:
    # autoescape: without it docxtpl silently drops text after "&" or "<" (stack.md §3.1).
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def template_variables(template_path: Path) -> set[str]:
    """Top-level variables the template uses."""
    return set(DocxTemplate(str(template_path)).get_undeclared_template_variables(jinja_env=_environment()))


def render_docx(template_path: Path, context: Mapping[str, object]) -> bytes:
    """Render the template to .docx bytes.

    Raises:
        TemplateContextError: the template uses a variable missing from the context.
    """
    template = DocxTemplate(str(template_path))
    environment = _environment()
    missing = set(template.get_undeclared_template_variables(jinja_env=environment)) - set(context)
    if missing:
        raise TemplateContextError(f"报告模板使用了未提供的变量：{'、'.join(sorted(missing))}（模板 {template_path.name}）")
    try:
        template.render(with_visible_text(dict(context)), jinja_env=environment, autoescape=True)
    except jinja2.UndefinedError as error:
        raise TemplateContextError(f"报告模板变量缺失：{error}（模板 {template_path.name}）") from None
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()
