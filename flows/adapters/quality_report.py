"""Render the reviewers' quality report: a self-contained quality.html and the full violations.csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import jinja2

from flows.domain.quality_report import VIOLATION_HEADER
from flows.domain.report_context import visible_control_characters


def render_quality_html(template_dir: Path, view: Mapping[str, object], data_docs: str = "") -> bytes:
    """quality.html with inline styles only: it opens offline, with no CDN, fonts or scripts."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir), autoescape=True, undefined=jinja2.StrictUndefined,
        finalize=lambda value: visible_control_characters(value) if isinstance(value, str) else value,
    )
    return environment.get_template("quality.html.j2").render(**view, data_docs=data_docs).encode("utf-8")


def violations_csv(rows: list[tuple[str, ...]]) -> bytes:
    """All failing rows as CSV (UTF-8 with BOM so Excel shows the Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(VIOLATION_HEADER)
    writer.writerows([[csv_safe_text(cell) for cell in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_safe_text(cell: str) -> str:
    """Cells that start with = + - @ (or a tab or carriage return, which Excel skips before
    one) would run as formulas when the CSV is opened; keep them text (negative numbers excepted)."""
    if cell[:1] in ("=", "+", "@", "\t", "\r") or (cell[:1] == "-" and not cell[1:2].isdigit()):
        return "'" + cell
    return cell
