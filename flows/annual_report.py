"""The flows: one per user job. Bodies read like the job description; work is in the tasks."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.adapters.output_folder import latest_manifest, unit_folder, unit_lock
from flows.adapters.project_files import load_schedule, project_root
from flows.domain.errors import InputError
from flows.domain.schedule import default_fiscal_year, requested_units
from flows.tasks import (
    UnitOutcome,
    blocked_details,
    deliver,
    evaluate,
    fingerprint_unit,
    ingest,
    ingest_prior,
    load_configuration,
    record_check,
    render,
    send_to_recipients,
    validate,
)


def default_template() -> Path:
    return project_root() / "templates" / "report.docx"


@flow(name="annual-report")
def annual_report(
    year: int | None = None,
    data_dir: str = "data",
    out_dir: str = "out",
    units: list[str] | str | None = None,
    pdf: bool = False,
) -> list[UnitOutcome]:
    """Produce each department's 部门整体支出绩效自评报告 for `year` (default: last year).

    ingest → evaluate → validate → render → deliver. Unchanged inputs make no new version;
    a department with a critical quality failure gets no report and keeps its versions.
    `units` may be a list or a comma-separated string (as event payloads carry it);
    `pdf` adds report.pdf (LibreOffice) to each new version.
    """
    year = year or default_fiscal_year(load_schedule().timezone)
    wanted = requested_units(units)
    template = default_template()
    out = Path(out_dir)
    reference = load_configuration(year)
    inputs = ingest(Path(data_dir), year, reference, wanted)
    prior = ingest_prior(Path(data_dir), year, wanted)
    outcomes = []
    for unit in _units(inputs, wanted):
        profile = inputs.profiles[unit]
        folder = unit_folder(out, year, unit)
        with unit_lock(folder):
            fingerprint = fingerprint_unit(Path(data_dir), inputs, unit, template, prior)
            previous = latest_manifest(folder)
            if previous and previous.get("fingerprint") == fingerprint["fingerprint"]:
                version = folder / previous["version"]
                sent = send_to_recipients(version, profile)
                outcomes.append(UnitOutcome(unit, profile.name, "unchanged", str(version), sent))
                continue
            result = evaluate(inputs, unit, reference, prior)
            check = validate(inputs, unit, reference, result.metrics)
            if check.verdict.blocked:
                checked = record_check(out, inputs, unit, check)
                outcomes.append(UnitOutcome(unit, profile.name, "blocked", str(checked), blocked_details(check.verdict)))
                continue
            report = render(result, inputs, check, reference, template, pdf, prior)
            version = deliver(out, result, inputs, check, fingerprint, report, previous)
            sent = send_to_recipients(version, profile)
            outcomes.append(UnitOutcome(unit, profile.name, "produced", str(version), sent))
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
        result = evaluate(inputs, unit, reference)
        check = validate(inputs, unit, reference, result.metrics)
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
