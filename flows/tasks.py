"""Thin Prefect tasks: one call each into adapters or domain code. Policy lives in the decorators."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows.adapters import charts, delivery, docx_renderer, output_folder, project_files, quality_gx, quality_report
from flows.adapters.data_folder import read_year_sources
from flows.adapters.pdf import docx_to_pdf
from flows.adapters.unit_exports import SplitCache, UnitSources, YearSources, unit_inputs
from flows.adapters.workpaper import workpaper_xlsx
from flows.domain.attached_tables import basic_data_table
from flows.domain.errors import InputError
from flows.domain.evaluation import Evaluation, evaluate_performance, points_text
from flows.domain.figures import FigureRegistry, build_figures
from flows.domain.fingerprint import combine_fingerprints, sha256_hex
from flows.domain.ingest import YearInputs
from flows.domain.lineage import figure_lineage
from flows.domain.manifest import build_manifest
from flows.domain.metrics import DepartmentMetrics, compute_department_metrics
from flows.domain.profile import DepartmentProfile
from flows.domain.quality import QualityVerdict, describe_failures, in_files_own_words, unexplained_warnings
from flows.domain.quality_inputs import quality_datasets, quality_parameters
from flows.domain.quality_report import build_quality_view, violation_rows
from flows.domain.reference import Reference
from flows.domain.report_context import build_report_context
from flows.domain.revision import describe_revision, revision_text
from flows.settings import fault_units, smtp_settings, state_dir

logger = logging.getLogger("jixiao")
REVISION_NOTE = "修订说明.txt"


def artifact_slug(unit: str) -> str:
    """A Prefect artifact key part (lowercase letters, digits, dashes) for a validated unit code."""
    return unit.lower().replace("_", "-")


@dataclass(frozen=True, slots=True)
class UnitOutcome:
    """What happened to one department in a run."""

    unit_code: str
    name: str
    status: str                      # produced | unchanged | blocked | passed | failed
    folder: str = ""
    details: tuple[str, ...] = field(default_factory=tuple)


# Inputs here are large frames and config objects: caching and result persistence are
# off (NO_CACHE); reruns are decided by input fingerprints, not by Prefect's cache. Callers
# pass them quote()d: Prefect would otherwise visit every row and row issue of a unit
# looking for futures, which cost more than the unit's own work.
@task(name="load-configuration", cache_policy=NO_CACHE)
def load_configuration(year: int) -> Reference:
    reference = project_files.load_reference(year)
    if reference.codes.fell_back:
        logger.warning("%d 年没有专用代码表，使用最近的较早年度 %s 的代码表", year, reference.codes.folder)
    return reference


@task(name="ingest", cache_policy=NO_CACHE)
def ingest(data_dir: Path, year: int, reference: Reference, units: list[str]) -> YearSources:
    """Read every export once and split it by unit; each unit's rows are parsed by its own task."""
    sources = read_year_sources(data_dir, year, reference, units, SplitCache(state_dir() / "exports"))
    logger.info("读取账簿 %d 个文件，共 %d 行，涉及 %d 个单位",
                len(sources.rows_read), sum(sources.rows_read.values()), len(sources.units))
    labels = {profile.name: profile.label for profile in (*reference.ledger_profiles, *reference.budget_profiles)}
    for file, profile in sorted(sources.formats.items()):
        logger.info("  %s：按「%s」读取", file, labels.get(profile, profile))
    return sources


def unit_frames(inputs: YearInputs, unit: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The unit's ledger and budget rows, and every export file that concerns it.

    Files are those its rows came from plus everything in its ledger folder, so a file
    whose rows were all skipped or rejected still counts as the unit's input.
    """
    ledger = inputs.ledger[inputs.ledger["unit_code"] == unit]
    budget = inputs.budget[inputs.budget["unit_code"] == unit]
    in_folder = {f for f in inputs.ledger_accounting.files if f"/ledger/{unit}/" in f}
    declared = set(inputs.control_totals.loc[inputs.control_totals["unit_code"] == unit, "source_file"])
    files = sorted(set(ledger["source_file"]) | set(budget["source_file"]) | in_folder | declared)
    return ledger, budget, files


@task(name="fingerprint", cache_policy=NO_CACHE)
def fingerprint_units(sources: YearSources, prior: YearSources | None, template: Path) -> dict[str, dict[str, str]]:
    """Per unit, sha256 of everything that shapes its report: its rows of every export (not
    the whole city-wide file, so one unit's correction leaves the others' reports alone),
    its budget, declared totals and profile, last year's (for 同比), the rules, the template, the code."""
    project = project_files.project_fingerprints(template)
    fingerprints = {}
    for unit, unit_sources in sources.units.items():
        parts = {f"input:{file}": digest for file, digest in unit_sources.input_digests().items()}
        last = prior.units.get(unit) if prior else None
        if last is not None:
            parts.update({f"input:{file}": digest for file, digest in last.input_digests().items()})
        parts.update(project)
        fingerprints[unit] = {"fingerprint": combine_fingerprints(parts), **parts}
    return fingerprints


@dataclass(frozen=True, slots=True)
class QualityCheck:
    """A unit's verdict and where this run's GX Data Docs were built."""

    verdict: QualityVerdict
    data_docs: Path
    run_label: str


@task(name="validate", cache_policy=NO_CACHE)
def validate(inputs: YearInputs, unit: str, reference: Reference, metrics: DepartmentMetrics) -> QualityCheck:
    ledger, budget, files = unit_frames(inputs, unit)
    rejected = (inputs.ledger_accounting.for_files(files).rejected + inputs.budget_accounting.rejected
                + inputs.payment_accounting.rejected)
    year = inputs.year
    run_label = f"{year}-{unit}-{dt.datetime.now():%Y%m%dT%H%M%S}"
    docs_dir = Path(tempfile.mkdtemp(prefix="jixiao-data-docs-"))
    declared = inputs.control_totals[inputs.control_totals["unit_code"] == unit]
    export_date = max((inputs.file_dates[f] for f in files if f in inputs.file_dates), default=pd.Timestamp.now())
    results = quality_gx.run_suites(
        project_files.project_root() / "expectations",
        quality_datasets(ledger, budget, metrics, rejected, declared,
                         inputs.vouchers[inputs.vouchers["unit_code"] == unit],
                         inputs.payments[inputs.payments["unit_code"] == unit],
                         reference.codes.fiscal_fund_sources),
        quality_parameters(reference, year, export_date),
        docs_dir=docs_dir,
        run_name=run_label,
    )
    headers = {**inputs.ledger_accounting.headers, **inputs.budget_accounting.headers}
    verdict = QualityVerdict(unit, in_files_own_words(results, headers))
    s = verdict.summary()
    logger.info("数据质量校验 %s：%d 条规则，通过 %d，严重问题 %d，警告 %d", unit, s["rules"], s["passed"], s["critical_failed"], s["warnings"])
    create_table_artifact(
        key=f"quality-{artifact_slug(unit)}",
        table=[{"rule": r.rule_id, "severity": r.severity, "status": "passed" if r.success else "failed",
                "failing": r.failing_count, "message": r.message} for r in verdict.results],
        description=f"{inputs.profiles[unit].name} {year} 数据质量规则结果",
    )
    return QualityCheck(verdict, docs_dir, run_label)


@task(name="ingest-prior-year", cache_policy=NO_CACHE)
def ingest_prior(data_dir: Path, year: int, units: list[str]) -> YearSources | None:
    """Last year's inputs for 同比, when data/<year−1>/ exists; unusable ones are reported and left out."""
    if not (data_dir / str(year - 1)).is_dir():
        return None
    try:
        return read_year_sources(data_dir, year - 1, project_files.load_reference(year - 1), units,
                                 SplitCache(state_dir() / "exports"))
    except InputError as error:
        logger.warning("上年（%d）数据无法使用，报告不显示同比：%s", year - 1, error)
        return None


@dataclass(frozen=True, slots=True)
class DepartmentEvaluation:
    """Metrics (this year and, when present, last year), indicator scores and the 基础数据表."""

    metrics: DepartmentMetrics
    evaluation: Evaluation
    basic_data: dict
    prior: DepartmentMetrics | None = None


def prior_frames(prior: YearInputs | None, unit: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    if prior is None or unit not in prior.profiles or not (prior.ledger["unit_code"] == unit).any():
        return None
    ledger, budget, _ = unit_frames(prior, unit)
    return ledger, budget


@task(name="evaluate", cache_policy=NO_CACHE)
def evaluate(inputs: YearInputs, unit: str, reference: Reference, prior: YearInputs | None = None) -> DepartmentEvaluation:
    ledger, budget, _ = unit_frames(inputs, unit)
    profile = inputs.profiles[unit]
    metrics = compute_department_metrics(ledger, budget, profile, reference, inputs.year)
    last = prior_frames(prior, unit)
    prior_metrics = None if last is None else compute_department_metrics(
        last[0], last[1], prior.profiles[unit], project_files.load_reference(prior.year), prior.year)
    scores = evaluate_performance(reference.evaluation.indicator_library, metrics.rates(prior_metrics), profile.indicators)
    return DepartmentEvaluation(metrics, scores, basic_data_table(ledger, budget, metrics, last, prior_metrics), prior_metrics)


@dataclass(frozen=True, slots=True)
class RenderedReport:
    docx: bytes
    workpaper: bytes
    pdf: bytes | None
    figures: FigureRegistry


@task(name="render", cache_policy=NO_CACHE)
def render(result: DepartmentEvaluation, inputs: YearInputs, check: QualityCheck, reference: Reference, template: Path,
           pdf: bool = False, prior: YearInputs | None = None) -> RenderedReport:
    m = result.metrics
    ledger, budget, _ = unit_frames(inputs, m.unit_code)
    profile = inputs.profiles[m.unit_code]
    figures = build_figures(m, profile, result.evaluation, result.basic_data, check.verdict, result.prior)
    context = build_report_context(figures, m, profile, check.verdict, reference, result.evaluation, result.prior)
    docx = docx_renderer.render_docx(template, context, report_charts(m, result.evaluation))
    last = prior_frames(prior, m.unit_code) if result.prior else None
    lineage = figure_lineage(ledger, budget, m, reference, (*last, result.prior) if last else None)
    workpaper = workpaper_xlsx(figures, *lineage)
    return RenderedReport(docx, workpaper, docx_to_pdf(docx) if pdf else None, figures)


def report_charts(m: DepartmentMetrics, evaluation: Evaluation) -> dict[str, tuple[bytes, str]]:
    """The three charts of the report as (PNG, alt text), by the keys of report_context.CHART_TITLES."""
    wan = lambda fen: float(fen) / 1_000_000
    made = {
        "spending_by_class": charts.spending_by_class_chart([(line.name, wan(line.amount_fen)) for line in m.econ_classes]),
        "budget_vs_actual": charts.budget_vs_actual_chart([(p.name, wan(p.adjusted_fen), wan(p.actual_fen)) for p in m.projects]),
        "score_by_group": charts.score_by_group_chart([(g, float(s), float(p)) for g, p, s in evaluation.groups()]),
    }
    return {key: (chart.png, chart.alt_text) for key, chart in made.items()}


def quality_files(inputs: YearInputs, unit: str, check: QualityCheck) -> dict[str, bytes]:
    """quality.html and violations.csv for reviewers (Data Docs are linked, built beside them)."""
    _, _, files = unit_frames(inputs, unit)
    profile = inputs.profiles[unit]
    view = build_quality_view(check.verdict, profile.name, inputs.year, inputs.ledger_accounting.for_files(files),
                              dict(profile.warning_explanations), check.run_label)
    html = quality_report.render_quality_html(project_files.project_root() / "templates", view, data_docs="data_docs/index.html")
    return {"quality.html": html, "violations.csv": quality_report.violations_csv(violation_rows(check.verdict.results))}


def _publish_markdown(unit: str, name: str, folder: Path, what: str) -> None:
    create_markdown_artifact(
        key=f"outputs-{artifact_slug(unit)}",
        markdown=f"### {name}（{unit}）{what}\n\n" + "\n".join(f"- `{p}`" for p in sorted(folder.iterdir()) if p.is_file()),
        description=f"{name} outputs",
    )


@task(name="deliver", cache_policy=NO_CACHE)
def deliver(out_dir: Path, result: DepartmentEvaluation, inputs: YearInputs, check: QualityCheck,
            fingerprint: dict[str, str], report: RenderedReport, previous: dict | None, reference: Reference) -> Path:
    """Publish the next version: report, workpaper, quality report, manifest and, after a change, the 修订说明."""
    metrics = result.metrics
    unit = metrics.unit_code
    verdict = check.verdict
    _, _, files = unit_frames(inputs, unit)
    outputs = {"report.docx": report.docx, "workpaper.xlsx": report.workpaper, **quality_files(inputs, unit, check)}
    if report.pdf is not None:
        outputs["report.pdf"] = report.pdf
    manifest = build_manifest(
        metrics, report.figures, inputs.profiles[unit].name, inputs.year, verdict, fingerprint,
        {"ledger": inputs.ledger_accounting.for_files(files).summary(), "budget": inputs.budget_accounting.summary()},
        {name: sha256_hex(data) for name, data in outputs.items()},
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    # Which export profile read each input file, and which code lists checked the codes.
    manifest["export_formats"] = {**inputs.ledger_accounting.for_files(files).formats, **inputs.budget_accounting.formats}
    manifest["code_lists"] = reference.codes.folder
    manifest["evaluation"] = {"library": result.evaluation.library, "total": points_text(result.evaluation.total),
                              "grade": result.evaluation.grade}
    if previous:
        manifest["revision"] = describe_revision(previous, manifest["figures"], manifest["inputs"])
        version = f"v{int(previous['version'][1:]) + 1}"
        outputs[REVISION_NOTE] = revision_text(inputs.profiles[unit].name, inputs.year, version, manifest["revision"]).encode()
    folder = output_folder.publish_version(
        output_folder.unit_folder(out_dir, inputs.year, unit), outputs, manifest, trees={"data_docs": check.data_docs},
    )
    shutil.rmtree(check.data_docs, ignore_errors=True)
    _publish_markdown(unit, inputs.profiles[unit].name, folder, f"{folder.name}：报告已生成")
    return folder


@task(name="send", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[5, 30])
def send_to_recipients(version: Path, profile: DepartmentProfile) -> tuple[str, ...]:
    """E-mail the report and copy it to shared folders, once per recipient and version.

    Not sent while a warning lacks the department's explanation. Returns what happened, in Chinese.
    """
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    recipients = profile.recipients
    if not recipients.email and not recipients.folders:
        return ()
    pending = unexplained_warnings([w["rule_id"] for w in manifest["quality"]["warnings"]], dict(profile.warning_explanations))
    if pending:
        return (f"有未说明的警告（{'、'.join(pending)}），报告暂不发送；请在单位信息文件 warning_explanations 中说明后重新运行",)
    done = {(d["channel"], d["to"]) for d in delivery.read_deliveries(version)}
    docx = (version / "report.docx").read_bytes()
    attachment = f"{profile.name}{manifest['fiscal_year']}年度部门整体支出绩效自评报告（{version.name}）.docx"
    attachments = {attachment: docx}
    if (version / REVISION_NOTE).exists():
        attachments["修订说明.txt"] = (version / REVISION_NOTE).read_bytes()
    said = []
    smtp = smtp_settings()
    for address in recipients.email:
        if ("email", address) in done:
            continue
        if smtp is None:
            said.append(f"未配置邮件服务器（JIXIAO_SMTP_HOST），未发送给 {address}")
            continue
        delivery.send_email(smtp, address, attachment.removesuffix(".docx"), _mail_body(profile, manifest, version), attachments)
        said.append(_record(version, "email", address, manifest, docx))
    for folder in recipients.folders:
        if ("folder", folder) not in done:
            delivery.copy_to_folder(Path(folder), attachment, docx)
            said.append(_record(version, "folder", folder, manifest, docx))
    return tuple(said)


def _mail_body(profile: DepartmentProfile, manifest: dict, version: Path) -> str:
    lines = [f"附件为{profile.name}{manifest['fiscal_year']}年度部门整体支出绩效自评报告（{version.name}）。"]
    if "revision" in manifest:
        lines.append(f"本版本是对 {manifest['revision']['previous_version']} 的修订，变化见附件《修订说明》。")
    return "\n".join(lines) + "\n"


def _record(version: Path, channel: str, to: str, manifest: dict, docx: bytes) -> str:
    delivery.record_delivery(version, {
        "channel": channel, "to": to, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "version": version.name, "sha256": sha256_hex(docx), "fingerprint": manifest["fingerprint"],
    })
    return f"已{'发送邮件给' if channel == 'email' else '复制到'} {to}"


@task(name="record-quality-check", cache_policy=NO_CACHE)
def record_check(out_dir: Path, inputs: YearInputs, unit: str, check: QualityCheck) -> Path:
    """Keep the quality report of a run that produced no report version (blocked, or validate only)."""
    folder = output_folder.publish_check(
        output_folder.unit_folder(out_dir, inputs.year, unit), check.run_label,
        quality_files(inputs, unit, check), trees={"data_docs": check.data_docs},
    )
    shutil.rmtree(check.data_docs, ignore_errors=True)
    _publish_markdown(unit, inputs.profiles[unit].name, folder, "数据质量检查")
    return folder


def blocked_details(verdict: QualityVerdict) -> tuple[str, ...]:
    return tuple(describe_failures(verdict.critical_failures))


@task(name="unit-report", cache_policy=NO_CACHE)
def produce_unit_report(sources: UnitSources, prior_sources: UnitSources | None, reference: Reference,
                        template: Path, out_dir: Path, fingerprint: dict[str, str], pdf: bool) -> UnitOutcome:
    """One unit, start to finish: parse its rows → evaluate → validate → render → deliver → send.

    Runs wherever the task runner puts it (a local process or a Dask worker) and needs
    nothing but its own unit's sources.
    """
    unit, profile = sources.unit, sources.profile
    if unit in fault_units():
        raise RuntimeError(f"injected failure for unit {unit} (JIXIAO_FAULT_UNITS)")
    inputs = unit_inputs(sources, reference)
    prior = unit_inputs(prior_sources, project_files.load_reference(prior_sources.year)) if prior_sources else None
    folder = output_folder.unit_folder(out_dir, inputs.year, unit)
    with output_folder.unit_lock(folder):
        previous = output_folder.latest_manifest(folder)
        if previous and previous.get("fingerprint") == fingerprint["fingerprint"]:
            return UnitOutcome(unit, profile.name, "unchanged", str(folder / previous["version"]))  # a concurrent run made it
        result = evaluate(quote(inputs), unit, quote(reference), quote(prior))
        check = validate(quote(inputs), unit, quote(reference), quote(result.metrics))
        if check.verdict.blocked:
            checked = record_check(out_dir, quote(inputs), unit, quote(check))
            return UnitOutcome(unit, profile.name, "blocked", str(checked), blocked_details(check.verdict))
        report = render(quote(result), quote(inputs), quote(check), quote(reference), template, pdf, quote(prior))
        version = deliver(out_dir, quote(result), quote(inputs), quote(check), fingerprint, quote(report), previous,
                          quote(reference))
        sent = send_to_recipients(version, profile)
    return UnitOutcome(unit, profile.name, "produced", str(version), sent)


@task(name="unit-quality-check", cache_policy=NO_CACHE)
def check_unit_quality(sources: UnitSources, reference: Reference, out_dir: Path) -> UnitOutcome:
    """One unit's quality gate only: its quality report under checks/, never a report version."""
    inputs = unit_inputs(sources, reference)
    result = evaluate(quote(inputs), sources.unit, quote(reference))
    check = validate(quote(inputs), sources.unit, quote(reference), quote(result.metrics))
    folder = record_check(out_dir, quote(inputs), sources.unit, quote(check))
    status = "blocked" if check.verdict.blocked else "passed"
    details = blocked_details(check.verdict) if check.verdict.blocked else ()
    return UnitOutcome(sources.unit, sources.profile.name, status, str(folder), details)


def has_recipients(profile: DepartmentProfile) -> bool:
    return bool(profile.recipients.email or profile.recipients.folders)
