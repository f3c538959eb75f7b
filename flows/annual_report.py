"""The flows: one per user job. Bodies read like the job description; work is in the tasks."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.adapters.project_files import project_root
from flows.domain.errors import InputError
from flows.tasks import (
    UnitOutcome,
    blocked_details,
    deliver,
    evaluate,
    fingerprint_unit,
    ingest,
    load_configuration,
    record_check,
    render,
    validate,
)
from flows.adapters.output_folder import latest_manifest, unit_folder


def default_template() -> Path:
    return project_root() / "templates" / "report.docx"


@flow(name="annual-report")
def annual_report(
    year: int = 2024,
    data_dir: str = "data",
    out_dir: str = "out",
    units: list[str] | None = None,
) -> list[UnitOutcome]:
    """Produce each department's 部门整体支出绩效自评报告 for `year`.

    ingest → validate → evaluate → render → deliver. A department with a critical
    quality failure gets no report; its previous versions stay as they are.
    """
    template = default_template()
    reference = load_configuration(year)
    inputs = ingest(Path(data_dir), year, reference, list(units or []))
    outcomes = []
    for unit in _units(inputs, units):
        name = inputs.profiles[unit].name
        fingerprint = fingerprint_unit(Path(data_dir), inputs, unit, template)
        previous = latest_manifest(unit_folder(Path(out_dir), year, unit))
        if previous and previous.get("fingerprint") == fingerprint["fingerprint"]:
            outcomes.append(UnitOutcome(unit, name, "unchanged", str(unit_folder(Path(out_dir), year, unit) / previous["version"])))
            continue
        metrics = evaluate(inputs, unit, reference)
        check = validate(inputs, unit, reference, metrics)
        if check.verdict.blocked:
            folder = record_check(Path(out_dir), inputs, unit, check)
            outcomes.append(UnitOutcome(unit, name, "blocked", str(folder), blocked_details(check.verdict)))
            continue
        docx = render(metrics, inputs, check, reference, template)
        folder = deliver(Path(out_dir), metrics, inputs, check, fingerprint, docx)
        outcomes.append(UnitOutcome(unit, name, "produced", str(folder)))
    return outcomes


@flow(name="quality-gate")
def quality_gate(year: int = 2024, data_dir: str = "data", out_dir: str = "out", units: list[str] | None = None) -> list[UnitOutcome]:
    """Run only the data-quality gate for each department of `year`.

    Writes the quality report to out/<year>/<unit>/checks/<run>/; never a report version.
    """
    reference = load_configuration(year)
    inputs = ingest(Path(data_dir), year, reference, list(units or []))
    outcomes = []
    for unit in _units(inputs, units):
        metrics = evaluate(inputs, unit, reference)
        check = validate(inputs, unit, reference, metrics)
        folder = record_check(Path(out_dir), inputs, unit, check)
        status = "blocked" if check.verdict.blocked else "passed"
        details = blocked_details(check.verdict) if check.verdict.blocked else ()
        outcomes.append(UnitOutcome(unit, inputs.profiles[unit].name, status, str(folder), details))
    return outcomes


def _units(inputs, requested: list[str] | None) -> list[str]:
    present = sorted(set(inputs.ledger["unit_code"]))
    for unit in requested or []:
        if unit not in present:
            raise InputError(f"账簿中没有单位 {unit} 的支出分录", file=f"{inputs.year}/ledger/{unit}/")
    return list(requested) if requested else present
