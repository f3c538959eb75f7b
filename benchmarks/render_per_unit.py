"""Render stage of one unit, piece by piece: where `unit_pipeline.render` spends its time.

Times each step the render stage takes (figure registry, attached tables, template context, the three
charts, the .docx and the reviewer's copy, lineage, workpaper.xlsx, attachments.xlsx, the content
digest) and the whole `render` call, median of --repeats runs after one warm-up, on
  sample  the sample department of data/ (with last year's data, as `jixiao run` renders it)
  large   one generated unit of --rows ledger rows (tools.demo_data, as benchmarks/city_scale.py)
The results are stored in benchmarks/results/render_per_unit.json under --label, with the commit
measured. With --against COMMIT, that commit's code (git archive into a temporary folder) is measured
first in the same run, on the same machine load, and stored under --against-label.

    python benchmarks/render_per_unit.py --against d71e13e            # before and after, side by side
    python benchmarks/render_per_unit.py --label after --repeats 7    # the working tree only
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows import unit_pipeline
from flows.adapters import docx_renderer
from flows.adapters.attachments_workbook import attachments_xlsx
from flows.adapters.data_folder import read_year_inputs
from flows.adapters.project_files import load_reference
from flows.adapters.report_content import content_digest
from flows.adapters.workpaper import source_rows, workpaper_xlsx
from flows.domain.attached_tables import measure_lineage
from flows.domain.attachment_layout import definitions
from flows.domain.attachments import report_attachments
from flows.domain.figures import build_figures
from flows.domain.lineage import figure_lineage
from flows.domain.quality import QualityVerdict
from flows.domain.report_context import build_report_context

YEAR = 2024
RESULTS = ROOT / "benchmarks" / "results" / "render_per_unit.json"


def unit_case(data: Path, with_prior: bool) -> tuple[unit_pipeline.UnitBooks, unit_pipeline.Workspace,
                                                     unit_pipeline.DepartmentEvaluation, unit_pipeline.QualityCheck]:
    """A unit's books, workspace, evaluation and a passing quality check, as `run_unit` hands them to render."""
    reference = load_reference(YEAR)
    prior_reference = load_reference(YEAR - 1) if with_prior else None
    prior = read_year_inputs(data, YEAR - 1, prior_reference) if prior_reference else None
    books = unit_pipeline.UnitBooks(read_year_inputs(data, YEAR, reference), prior)
    workspace = unit_pipeline.Workspace(reference, ROOT / "templates" / "report.docx", data / "out",
                                        prior_reference=prior_reference)
    result = unit_pipeline.evaluate(books, workspace)
    return books, workspace, result, unit_pipeline.QualityCheck(QualityVerdict(books.unit, ()), data / "docs", "benchmark")


def steps(books, workspace, result, check) -> list[tuple[str, Callable[[], object]]]:
    """The render stage's steps in its order; each step's inputs are made once, outside its timing."""
    inputs, reference, m = books.inputs, workspace.reference, result.metrics
    layout = reference.evaluation.attachment_layout
    figures = build_figures(m, books.profile, result.evaluation, layout, result.amounts, check.verdict, result.prior,
                            reference.evaluation.indicator_library.rate_printing)
    tables = report_attachments(layout, reference.evaluation.attachment_layout_file, books.profile, result.evaluation,
                                result.amounts, figures, m.year)
    context = build_report_context(figures, m, books.profile, check.verdict, reference, result.evaluation, tables, result.prior)
    images = unit_pipeline.report_charts(m, result.evaluation)
    docx = docx_renderer.render_docx(workspace.template, context, images)
    last = (books.prior.ledger, books.prior.budget, result.prior) if result.prior else None
    prior_frames = ((books.prior.ledger, books.prior.budget, workspace.prior_reference.codes.fiscal_fund_sources)
                    if result.prior and workspace.prior_reference else None)
    measures = measure_lineage(layout, inputs.ledger, inputs.budget, reference.codes.fiscal_fund_sources, prior_frames)
    lineage = figure_lineage(inputs.ledger, inputs.budget, m, reference, last, measures)
    from flows.adapters import charts

    wan = lambda fen: float(fen) / 1_000_000
    return [
        ("figure_registry", lambda: build_figures(m, books.profile, result.evaluation, layout, result.amounts, check.verdict,
                                                  result.prior, reference.evaluation.indicator_library.rate_printing)),
        ("attached_tables", lambda: report_attachments(layout, reference.evaluation.attachment_layout_file, books.profile,
                                                       result.evaluation, result.amounts, figures, m.year)),
        ("report_context", lambda: build_report_context(figures, m, books.profile, check.verdict, reference,
                                                        result.evaluation, tables, result.prior)),
        ("chart_spending_by_class", lambda: charts.spending_by_class_chart(
            [(line.name, wan(line.amount_fen)) for line in m.econ_classes])),
        ("chart_budget_vs_actual", lambda: charts.budget_vs_actual_chart(
            [(p.name, wan(p.adjusted_fen), wan(p.actual_fen)) for p in m.projects])),
        ("chart_score_by_group", lambda: charts.score_by_group_chart(
            [(g, float(s), float(p)) for g, p, s in result.evaluation.groups()])),
        ("docx", lambda: docx_renderer.render_docx(workspace.template, context, images)),
        ("docx_review_copy", lambda: docx_renderer.render_docx(workspace.template, {**context, "review_marks": True}, images)),
        ("measure_lineage", lambda: measure_lineage(layout, inputs.ledger, inputs.budget,
                                                    reference.codes.fiscal_fund_sources, prior_frames)),
        ("figure_lineage", lambda: figure_lineage(inputs.ledger, inputs.budget, m, reference, last, measures)),
        ("workpaper_source_rows", lambda: source_rows(lineage[0])),
        ("workpaper_xlsx", lambda: workpaper_xlsx(figures, *lineage, definitions=definitions(layout))),
        ("attachments_xlsx", lambda: attachments_xlsx(tables, figures)),
        ("content_digest", lambda: content_digest(docx)),
        ("render_total", lambda: unit_pipeline.render(books, workspace, result, check)),
    ]


def measure(case: tuple, repeats: int) -> dict[str, object]:
    books = case[0]
    timings: dict[str, list[float]] = {}
    for name, step in steps(*case):
        step()                                           # warm-up: imports, font registration, caches
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            step()
            seconds.append(time.perf_counter() - started)
        timings[name] = seconds
    return {
        "ledger_rows": len(books.inputs.ledger),
        "median_seconds": {name: round(statistics.median(values), 4) for name, values in timings.items()},
        "seconds": {name: [round(v, 4) for v in values] for name, values in timings.items()},
    }


def commit() -> str:
    completed = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "flows"], cwd=ROOT, capture_output=True, text=True).stdout
    return completed.stdout.strip() + ("+uncommitted" if dirty.strip() else "")


def measure_commit(commit: str, repeats: int, rows: int) -> dict[str, object]:
    """The same measurement of another commit's code: its tree in a temporary folder, this script run there."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory(prefix="jixiao-render-base-") as folder:
        tree = Path(folder)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
        script = tree / "benchmarks" / "render_per_unit.py"
        script.write_bytes(Path(__file__).read_bytes())
        results = tree / "result.json"
        subprocess.run([sys.executable, str(script), "--label", commit, "--commit", commit, "--repeats", str(repeats),
                        "--rows", str(rows), "--results", str(results)],
                       cwd=tree, check=True, env={**os.environ, "PYTHONPATH": str(tree)})
        return json.loads(results.read_text(encoding="utf-8"))["runs"][commit]


def measure_tree(commit_name: str, repeats: int, rows: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="jixiao-render-") as work:
        large = Path(work) / "data"
        subprocess.run([sys.executable, "-m", "tools.demo_data", "--units", "1", "--rows-per-unit", str(rows),
                        "--year", str(YEAR), "--out", str(large)], check=True, cwd=ROOT, capture_output=True)
        return {
            "commit": commit_name,
            "repeats": repeats,
            "sample": measure(unit_case(ROOT / "data", with_prior=True), repeats),
            "large": measure(unit_case(large, with_prior=False), repeats),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="after", help="where this tree's run is stored in the results")
    parser.add_argument("--against", help="also measure this commit's code first, in the same run")
    parser.add_argument("--against-label", default="before")
    parser.add_argument("--commit", help=argparse.SUPPRESS)      # the commit of a tree without .git (--against)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=25_000, help="ledger rows of the large unit")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()

    runs = {}
    if args.against:
        runs[args.against_label] = measure_commit(args.against, args.repeats, args.rows)
    runs[args.label] = measure_tree(args.commit or commit(), args.repeats, args.rows)
    results = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}
    results["what"] = ("unit_pipeline.render of one unit, step by step, median seconds of `repeats` runs after a warm-up: "
                       "the sample department (data/, with last year) and one generated unit "
                       f"(tools.demo_data, {args.rows:,} ledger rows, no last year)")
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()}
    results.setdefault("runs", {}).update(runs)
    if args.against:
        before, after = runs[args.against_label], runs[args.label]
        results["after_over_before"] = {
            case: {step: round(after[case]["median_seconds"][step] / seconds, 2)
                   for step, seconds in before[case]["median_seconds"].items() if seconds >= 0.005}
            for case in ("sample", "large")}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for label, run in runs.items():
        for case in ("sample", "large"):
            print(label, case, json.dumps(run[case]["median_seconds"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
