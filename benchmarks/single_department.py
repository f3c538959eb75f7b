"""Bare baseline of one department: the sample unit's report figures and one Word render, nothing else.

Reads the department's exports of the year (and last year's, for 同比) with the project's
pandas/pyarrow readers, computes the figures the report prints with the project's domain
functions (metrics, indicator scores, attached tables, the figure registry), and renders
templates/report.docx once with docxtpl. No Prefect, no data-quality gate (GX), no charts,
no reviewer's copy, workpaper, workbook, manifest or version folder: what `jixiao run` takes
beyond this script's time is what orchestration, checks and traceability cost for one
department.

    python benchmarks/single_department.py --data data --year 2024 --out DIR [--unit 312001]

Writes <out>/<year>/<unit>/report.docx and prints the unit, 全年执行数 and seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import jinja2
from docxtpl import DocxTemplate

from flows.adapters.data_folder import read_year_inputs
from flows.adapters.project_files import default_template, load_reference
from flows.domain.attachments import report_attachments
from flows.domain.figures import build_figures
from flows.domain.quality import QualityVerdict
from flows.domain.report_context import build_report_context
from flows.unit_pipeline import UnitBooks, Workspace, evaluate


def report_context(data: Path, year: int, unit: str) -> dict:
    """The template context of `unit`'s report: every figure as the product prints it."""
    reference = load_reference(year)
    inputs = read_year_inputs(data, year, reference, [unit])
    prior_reference = prior = None
    if (data / str(year - 1)).is_dir():
        prior_reference = load_reference(year - 1)
        prior = read_year_inputs(data, year - 1, prior_reference, [unit])
    result = evaluate(UnitBooks(inputs, prior), Workspace(reference, default_template(), data, prior_reference=prior_reference))
    profile = inputs.profiles[unit]
    layout = reference.evaluation.attachment_layout
    verdict = QualityVerdict(unit, ())                 # no quality gate here
    figures = build_figures(result.metrics, profile, result.evaluation, layout, result.amounts, verdict, result.prior,
                            reference.evaluation.indicator_library.rate_printing)
    tables = report_attachments(layout, reference.evaluation.attachment_layout_file, profile, result.evaluation,
                                result.amounts, figures, year)
    context = build_report_context(figures, result.metrics, profile, verdict, reference, result.evaluation, tables,
                                   result.prior)
    context["charts"] = []                             # no charts drawn
    return context


def render(context: dict, target: Path) -> None:
    doc = DocxTemplate(str(default_template()))
    # autoescape: unescaped "&" or "<" in a name would corrupt the document XML.
    doc.render(context, jinja_env=jinja2.Environment(autoescape=True), autoescape=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(target)


def main() -> None:
    parser = argparse.ArgumentParser(description="Bare baseline: one department's figures and one report.docx, nothing else.")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--unit", default="312001")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    context = report_context(args.data, args.year, args.unit)
    render(context, args.out / str(args.year) / args.unit / "report.docx")
    print(f"unit: {args.unit}")
    print(f"actual: {context['f']['actual']}")
    print(f"seconds: {time.perf_counter() - started:.2f}")


if __name__ == "__main__":
    main()
