"""One department, start to finish: parse → metrics → evaluate → quality → render → publish → send.

`run_unit` is the per-unit line of the annual report. Each stage is a plain function that
calls into domain code or an adapter; `flows.tasks` hands the same stages in as Prefect
tasks (names, retries), so the flow's UI shows every stage while tests and benchmarks may
run them bare.

The charting, Word, workbook and tracked-changes adapters are imported by the stages that use
them: a run whose units are all up to date (flows.up_to_date) needs only `unchanged` and `send`
and answers in about a second.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from flows.adapters import catalog, delivery, output_folder, project_files, quality_gx, quality_report
from flows.adapters.heap import settled_heap
from flows.adapters.input_snapshot import INPUT_SNAPSHOT, rows_changed_since, snapshot_bytes
from flows.adapters.report_content import content_digest
from flows.adapters.run_artifacts import publish_outputs, publish_quality_table
from flows.adapters.run_guard import scratch_folder
from flows.adapters.unit_exports import UnitSources, unit_inputs
from flows.domain.attached_tables import (
    AttachmentAmounts,
    attachment_amounts,
    declared_fen,
    measure_lineage,
    printed_sums,
)
from flows.domain.attachment_layout import definitions
from flows.domain.attachments import report_attachments
from flows.domain.evaluation import Evaluation, evaluate_performance, points_text
from flows.domain.figures import FigureRegistry, build_figures
from flows.domain.fingerprint import sha256_hex
from flows.domain.ingest import YearInputs
from flows.domain.input_changes import input_rows
from flows.domain.lineage import figure_lineage
from flows.domain.mailing import (
    MAX_SEND_ATTEMPTS,
    REVISION_NOTE,
    SEND_FAILED,
    held_back_reason,
    mail_body,
    report_title,
    safe_file_name,
)
from flows.domain.manifest import build_manifest
from flows.domain.metrics import DepartmentMetrics, compute_department_metrics
from flows.domain.profile import DepartmentProfile
from flows.domain.quality import QualityVerdict, describe_failures, in_files_own_words
from flows.domain.quality_inputs import quality_datasets, quality_parameters
from flows.domain.quality_report import build_quality_view, violation_rows
from flows.domain.reference import Reference
from flows.domain.report_context import build_report_context
from flows.domain.review import REVIEW_COPY, held_back_for_review, initial_review
from flows.domain.revision import REDLINE_NOTE, describe_revision, revision_text
from flows.settings import fault_units, smtp_settings

logger = logging.getLogger("jixiao")


@dataclass(frozen=True, slots=True)
class UnitOutcome:
    """What happened to one department in a run."""

    unit_code: str
    name: str
    status: str                      # produced | unchanged | blocked | passed | failed
    folder: str = ""
    details: tuple[str, ...] = field(default_factory=tuple)

    @property
    def delivery_failed(self) -> bool:
        return any(line.startswith(SEND_FAILED) for line in self.details)


@dataclass(frozen=True, slots=True)
class Workspace:
    """What every unit of a run shares: the year's configuration, the template and where outputs go."""

    reference: Reference
    template: Path
    out_dir: Path
    pdf: bool = False
    prior_reference: Reference | None = None      # last year's configuration, for 同比
    unread_files: tuple[tuple[str, str], ...] = ()  # files of the year no reader takes, with the reason


@dataclass(frozen=True, slots=True)
class UnitBooks:
    """A unit's parsed inputs of this year and, when present, last year's."""

    inputs: YearInputs
    prior: YearInputs | None

    @property
    def unit(self) -> str:
        return next(iter(self.inputs.profiles))

    @property
    def profile(self) -> DepartmentProfile:
        return self.inputs.profiles[self.unit]

    @property
    def files(self) -> list[str]:
        """Every export file that concerns the unit: those its rows came from plus everything in
        its ledger folder, so a file whose rows were all skipped or rejected still counts."""
        inputs = self.inputs
        in_folder = {f for f in inputs.ledger_accounting.files if catalog.in_unit_ledger_folder(f, self.unit)}
        return sorted(set(inputs.ledger["source_file"]) | set(inputs.budget["source_file"]) | in_folder
                      | set(inputs.control_totals["source_file"]))

    @property
    def has_prior(self) -> bool:
        return self.prior is not None and not self.prior.ledger.empty


@dataclass(frozen=True, slots=True)
class DepartmentEvaluation:
    """Metrics (this year and, when present, last year), indicator scores and the attached tables' amounts."""

    metrics: DepartmentMetrics
    evaluation: Evaluation
    amounts: AttachmentAmounts
    prior: DepartmentMetrics | None = None


@dataclass(frozen=True, slots=True)
class QualityCheck:
    """A unit's verdict and where this run's GX Data Docs were built."""

    verdict: QualityVerdict
    data_docs: Path
    run_label: str


@dataclass(frozen=True, slots=True)
class RenderedReport:
    docx: bytes
    workpaper: bytes
    pdf: bytes | None
    content: str                     # digest of what a recipient reads (report_content.content_digest)
    figures: FigureRegistry          # every figure the report prints
    attachments: bytes = b""         # attachments.xlsx: the attached tables as a workbook
    review_copy: bytes = b""         # 审阅稿.docx: the report with the drafted findings marked


def run_unit(sources: UnitSources, prior_sources: UnitSources | None, fingerprint: dict[str, str],
             workspace: Workspace, stages: Stages | None = None) -> UnitOutcome:
    """The per-unit line. Runs wherever the task runner puts it and needs only its unit's sources."""
    stages = stages or PLAIN_STAGES
    refuse_injected_fault(sources.unit)
    books = parse(sources, prior_sources, workspace)
    with settled_heap(), tempfile.TemporaryDirectory(prefix="jixiao-data-docs-", dir=scratch_folder()) as docs:
        result = stages.evaluate(books, workspace)
        check = stages.validate(books, workspace, result, Path(docs))
        return finish_unit(sources, books, result, check, fingerprint, workspace, stages)


def run_units(units: list[tuple[UnitSources, UnitSources | None, dict[str, str], Workspace]],
              stages: Stages | None = None) -> list[UnitOutcome]:
    """`run_unit` for several units of one run in one task, their rows validated together
    (GX's price is per expectation run, not per row: flows.adapters.quality_gx.run_suites_together).

    Each unit keeps its own outcome: one that fails becomes a `failed` outcome and the others go on.
    """
    return _together(units, stages or PLAIN_STAGES, finish_unit)


def check_units(units: list[tuple[UnitSources, Workspace]], stages: Stages | None = None) -> list[UnitOutcome]:
    """`check_unit` for several units in one task, their rows validated together."""
    return _together([(sources, None, {}, workspace) for sources, workspace in units], stages or PLAIN_STAGES,
                     lambda sources, books, _result, check, _fingerprint, workspace, stages:
                     keep_checked(sources, books, check, workspace, stages))


def _together(units: list[tuple[UnitSources, UnitSources | None, dict[str, str], Workspace]], stages: Stages,
              finish: Callable[..., UnitOutcome]) -> list[UnitOutcome]:
    outcomes: dict[str, UnitOutcome] = {}
    ready = []
    with ExitStack() as folders:
        for sources, prior_sources, fingerprint, workspace in units:
            try:
                refuse_injected_fault(sources.unit)
                books = parse(sources, prior_sources, workspace)
                result = stages.evaluate(books, workspace)
            except Exception as error:  # noqa: BLE001 - one unit's failure is its own outcome
                outcomes[sources.unit] = failed(sources, error)
                continue
            docs = Path(folders.enter_context(tempfile.TemporaryDirectory(prefix="jixiao-data-docs-", dir=scratch_folder())))
            ready.append((sources, books, result, docs, fingerprint, workspace))
        with settled_heap():
            for (sources, books, result, _docs, fingerprint, workspace), check in zip(ready, _checks(ready, stages), strict=True):
                try:
                    if isinstance(check, Exception):
                        raise check
                    outcomes[sources.unit] = finish(sources, books, result, check, fingerprint, workspace, stages)
                except Exception as error:  # noqa: BLE001 - one unit's failure is its own outcome
                    outcomes[sources.unit] = failed(sources, error)
    return [outcomes[sources.unit] for sources, *_ in units]


def _checks(ready: list[tuple], stages: Stages) -> list[QualityCheck | Exception]:
    """The units' quality checks, validated together; should that fail, each on its own, so a
    unit whose data GX cannot take fails alone."""
    if len(ready) > 1:
        try:
            return list(stages.validate_together([(books, result, docs) for _, books, result, docs, *_ in ready], ready[0][5]))
        except Exception as error:  # noqa: BLE001 - retried unit by unit below
            logger.warning("合并校验失败，逐个单位重新校验：%s: %s", type(error).__name__, error)
    checks: list[QualityCheck | Exception] = []
    for _, books, result, docs, _, workspace in ready:
        try:
            checks.append(stages.validate(books, workspace, result, docs))
        except Exception as error:  # noqa: BLE001 - that unit's failure
            checks.append(error)
    return checks


def finish_unit(sources: UnitSources, books: UnitBooks, result: DepartmentEvaluation, check: QualityCheck,
                fingerprint: dict[str, str], workspace: Workspace, stages: Stages) -> UnitOutcome:
    """From a unit's quality check to its outcome: kept check when blocked, else a new version
    (or none, when nothing a recipient reads changed), sent to its recipients."""
    unit, name = sources.unit, sources.profile.name
    folder = catalog.unit_folder(workspace.out_dir, sources.year, unit)
    with output_folder.unit_lock(folder):
        previous = output_folder.latest_manifest(folder)
        if (current := output_folder.current_version(folder, fingerprint)) is not None:
            return UnitOutcome(unit, name, "unchanged", str(current))          # a concurrent run made it
        if check.verdict.blocked:
            checked = stages.keep_check(books, workspace, check)
            return UnitOutcome(unit, name, "blocked", str(checked), tuple(describe_failures(check.verdict.critical_failures)))
        report = stages.render(books, workspace, result, check)
        if previous and previous.get("content_digest") == report.content:
            # A release or a correction that changes nothing a recipient reads issues nothing.
            kept = output_folder.keep_version(folder, previous["version"], fingerprint)
            said = (f"输入或程序有变化，但报告内容与 {kept.name} 相同",)
            return UnitOutcome(unit, name, "unchanged", str(kept), said + send_safely(stages, kept, sources.profile))
        version = stages.publish(books, workspace, result, check, report, fingerprint, previous)
    return UnitOutcome(unit, name, "produced", str(version), send_safely(stages, version, sources.profile))


def refuse_injected_fault(unit: str) -> None:
    if unit in fault_units():
        raise RuntimeError(f"injected failure for unit {unit} (JIXIAO_FAULT_UNITS)")


def failed(sources: UnitSources, error: Exception) -> UnitOutcome:
    """A unit whose work failed: its outcome says why, and the run goes on with the others."""
    logger.error("单位 %s 处理失败：%s: %s", sources.unit, type(error).__name__, error)
    return UnitOutcome(sources.unit, sources.profile.name, "failed", "", (f"{type(error).__name__}: {error}",))


def check_unit(sources: UnitSources, workspace: Workspace, stages: Stages | None = None) -> UnitOutcome:
    """One unit's quality gate only: its quality report under checks/, never a report version."""
    stages = stages or PLAIN_STAGES
    refuse_injected_fault(sources.unit)
    books = parse(sources, None, workspace)
    with tempfile.TemporaryDirectory(prefix="jixiao-data-docs-", dir=scratch_folder()) as docs:
        result = stages.evaluate(books, workspace)
        check = stages.validate(books, workspace, result, Path(docs))
        return keep_checked(sources, books, check, workspace, stages)


def keep_checked(sources: UnitSources, books: UnitBooks, check: QualityCheck, workspace: Workspace,
                 stages: Stages) -> UnitOutcome:
    """Keep a validate-only run's quality report; the unit `passed`, or `blocked` with its reasons."""
    folder = stages.keep_check(books, workspace, check)
    blocked = check.verdict.blocked
    details = tuple(describe_failures(check.verdict.critical_failures)) if blocked else ()
    return UnitOutcome(sources.unit, sources.profile.name, "blocked" if blocked else "passed", str(folder), details)


def parse(sources: UnitSources, prior_sources: UnitSources | None, workspace: Workspace) -> UnitBooks:
    inputs = unit_inputs(sources, workspace.reference)
    prior = None
    if prior_sources is not None and workspace.prior_reference is not None:
        prior = unit_inputs(prior_sources, workspace.prior_reference)
    return UnitBooks(inputs, prior)


def evaluate(books: UnitBooks, workspace: Workspace) -> DepartmentEvaluation:
    inputs, reference = books.inputs, workspace.reference
    metrics = compute_department_metrics(inputs.ledger, inputs.budget, books.profile, reference, inputs.year)
    prior_metrics = last = None
    if books.has_prior:
        prior_profile = books.prior.profiles[books.unit]
        prior_metrics = compute_department_metrics(books.prior.ledger, books.prior.budget, prior_profile,
                                                   workspace.prior_reference, books.prior.year)
        last = (books.prior.ledger, books.prior.budget, workspace.prior_reference.codes.fiscal_fund_sources,
                declared_fen(prior_profile.declared_amounts))
    scores = evaluate_performance(reference.evaluation.indicator_library, metrics.rates(prior_metrics),
                                  books.profile.indicators)
    amounts = attachment_amounts(reference.evaluation.attachment_layout, inputs.ledger, inputs.budget,
                                 reference.codes.fiscal_fund_sources, declared_fen(books.profile.declared_amounts), last)
    return DepartmentEvaluation(metrics, scores, amounts, prior_metrics)


def validate(books: UnitBooks, workspace: Workspace, result: DepartmentEvaluation, docs_dir: Path) -> QualityCheck:
    run = quality_run(books, workspace, result, docs_dir)
    results = quality_gx.run_suites(_expectations_dir(), run.datasets, run.parameters, docs_dir=docs_dir, run_name=run.run_name)
    return _checked(books, run, results)


def validate_together(units: list[tuple[UnitBooks, DepartmentEvaluation, Path]], workspace: Workspace) -> list[QualityCheck]:
    """`validate` for several units of a run, each unit's rule results and Data Docs as `validate` gives them."""
    runs = [quality_run(books, workspace, result, docs) for books, result, docs in units]
    results = quality_gx.run_suites_together(_expectations_dir(), runs)
    return [_checked(books, run, unit_results) for (books, _, _), run, unit_results in zip(units, runs, results, strict=True)]


def _expectations_dir() -> Path:
    return project_files.project_root() / "expectations"


def quality_run(books: UnitBooks, workspace: Workspace, result: DepartmentEvaluation, docs_dir: Path) -> quality_gx.UnitValidation:
    """What the quality gate checks for a unit: its datasets and the suite parameters of its year."""
    inputs, reference, unit = books.inputs, workspace.reference, books.unit
    files = books.files
    rejected = (inputs.ledger_accounting.for_files(files).rejected + inputs.budget_accounting.rejected
                + inputs.payment_accounting.rejected)
    export_date = max((inputs.file_dates[f] for f in files if f in inputs.file_dates), default=pd.Timestamp.now())
    datasets = quality_datasets(
        inputs.ledger, inputs.budget, result.metrics, rejected, inputs.control_totals, inputs.vouchers,
        inputs.payments, reference.codes.fiscal_fund_sources, result.evaluation,
        result.prior, books.prior.control_totals if books.prior is not None else None,
        [(f"{gap.table} {gap.name}", gap.parts_fen, gap.total_fen)
         for gap in printed_sums(reference.evaluation.attachment_layout, result.amounts)])
    return quality_gx.UnitValidation(datasets, quality_parameters(reference, inputs.year, export_date), docs_dir,
                                     f"{inputs.year}-{unit}-{dt.datetime.now():%Y%m%dT%H%M%S}")


def _checked(books: UnitBooks, run: quality_gx.UnitValidation, results: list) -> QualityCheck:
    inputs, unit = books.inputs, books.unit
    headers = {**inputs.ledger_accounting.headers, **inputs.budget_accounting.headers}
    verdict = QualityVerdict(unit, in_files_own_words(results, headers))
    s = verdict.summary()
    logger.info("数据质量校验 %s：%d 条规则，通过 %d，严重问题 %d，警告 %d", unit, s["rules"], s["passed"], s["critical_failed"], s["warnings"])
    publish_quality_table(unit, books.profile.name, inputs.year, verdict)
    return QualityCheck(verdict, run.docs_dir, run.run_name)


def render(books: UnitBooks, workspace: Workspace, result: DepartmentEvaluation, check: QualityCheck) -> RenderedReport:
    from flows.adapters import docx_renderer
    from flows.adapters.attachments_workbook import attachments_xlsx
    from flows.adapters.pdf import docx_to_pdf
    from flows.adapters.workpaper import workpaper_xlsx

    inputs, reference, m = books.inputs, workspace.reference, result.metrics
    layout = reference.evaluation.attachment_layout
    figures = build_figures(m, books.profile, result.evaluation, layout, result.amounts, check.verdict, result.prior,
                            reference.evaluation.indicator_library.rate_printing)
    tables = report_attachments(reference.evaluation.attachment_layout, reference.evaluation.attachment_layout_file,
                                books.profile, result.evaluation, result.amounts, figures, m.year)
    context = build_report_context(figures, m, books.profile, check.verdict, reference, result.evaluation, tables, result.prior)
    images = report_charts(m, result.evaluation)
    docx = docx_renderer.render_docx(workspace.template, context, images)
    # The reviewer's copy shows which sentences the system drafted; recipients get the clean one.
    review_copy = docx_renderer.render_docx(workspace.template, {**context, "review_marks": True}, images)
    last = (books.prior.ledger, books.prior.budget, result.prior) if result.prior else None
    prior_frames = ((books.prior.ledger, books.prior.budget, workspace.prior_reference.codes.fiscal_fund_sources)
                    if result.prior and workspace.prior_reference else None)
    measures = measure_lineage(layout, inputs.ledger, inputs.budget, reference.codes.fiscal_fund_sources, prior_frames)
    workpaper = workpaper_xlsx(figures, *figure_lineage(inputs.ledger, inputs.budget, m, reference, last, measures),
                               definitions=definitions(layout))
    return RenderedReport(docx, workpaper, docx_to_pdf(docx) if workspace.pdf else None, content_digest(docx), figures,
                          attachments_xlsx(tables, figures), review_copy)


def report_charts(m: DepartmentMetrics, evaluation: Evaluation) -> dict[str, tuple[bytes, str]]:
    """The three charts of the report as (PNG, alt text), by the keys of report_context.CHART_TITLES."""
    from flows.adapters import charts

    wan = lambda fen: float(fen) / 1_000_000
    made = {
        "spending_by_class": charts.spending_by_class_chart([(line.name, wan(line.amount_fen)) for line in m.econ_classes]),
        "budget_vs_actual": charts.budget_vs_actual_chart([(p.name, wan(p.adjusted_fen), wan(p.actual_fen)) for p in m.projects]),
        "score_by_group": charts.score_by_group_chart([(g, float(s), float(p)) for g, p, s in evaluation.groups()]),
    }
    return {key: (chart.png, chart.alt_text) for key, chart in made.items()}


def quality_files(books: UnitBooks, check: QualityCheck) -> dict[str, bytes]:
    """quality.html and violations.csv for reviewers (Data Docs are linked, built beside them)."""
    inputs, profile = books.inputs, books.profile
    view = build_quality_view(check.verdict, profile.name, inputs.year, inputs.ledger_accounting.for_files(books.files),
                              dict(profile.warning_explanations), check.run_label)
    html = quality_report.render_quality_html(project_files.project_root() / "templates", view, data_docs="data_docs/index.html")
    return {"quality.html": html, "violations.csv": quality_report.violations_csv(violation_rows(check.verdict.results))}


def publish(books: UnitBooks, workspace: Workspace, result: DepartmentEvaluation, check: QualityCheck,
            report: RenderedReport, fingerprint: dict[str, str], previous: dict | None) -> Path:
    """Publish the next version: report, workpaper, quality report, manifest and, after a change, the 修订说明."""
    from flows.adapters.redline import redline_docx

    inputs, reference, profile = books.inputs, workspace.reference, books.profile
    folder = catalog.unit_folder(workspace.out_dir, inputs.year, books.unit)
    version = output_folder.next_version(folder)
    ledger_accounting = inputs.ledger_accounting.for_files(books.files)
    rows = input_rows(inputs.ledger, inputs.budget)        # kept, so the next version can say what changed
    outputs = {"report.docx": report.docx, REVIEW_COPY: report.review_copy, "workpaper.xlsx": report.workpaper,
               "attachments.xlsx": report.attachments,
               INPUT_SNAPSHOT: snapshot_bytes(rows), **quality_files(books, check)}
    if report.pdf is not None:
        outputs["report.pdf"] = report.pdf
    manifest = build_manifest(
        result.metrics, report.figures, profile.name, inputs.year, check.verdict, fingerprint,
        {"ledger": ledger_accounting.summary(), "budget": inputs.budget_accounting.summary()},
        {name: sha256_hex(data) for name, data in outputs.items()},
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    # Which export profile read each input file, and which code lists checked the codes.
    manifest["export_formats"] = {**ledger_accounting.formats, **inputs.budget_accounting.formats}
    manifest["code_lists"] = reference.codes.folder
    manifest["content_digest"] = report.content
    manifest["review"] = initial_review(reference.review.required, previous)
    manifest["unread_files"] = [{"file": file, "reason": reason} for file, reason in workspace.unread_files]
    manifest["evaluation"] = {"library": result.evaluation.library, "total": points_text(result.evaluation.total),
                              "grade": result.evaluation.grade}
    if previous:
        earlier = folder / previous["version"]
        headers = {**ledger_accounting.headers, **inputs.budget_accounting.headers}
        manifest["revision"] = describe_revision(previous, manifest["figures"], manifest["inputs"],
                                                 rows_changed_since(earlier, rows, headers))
        outputs[REVISION_NOTE] = revision_text(profile.name, inputs.year, version, manifest["revision"]).encode()
        outputs[REDLINE_NOTE] = redline_docx((earlier / "report.docx").read_bytes(), report.docx, dt.datetime.now(dt.UTC))
    published = output_folder.publish_version(folder, version, outputs, manifest, trees={"data_docs": check.data_docs})
    publish_outputs(books.unit, profile.name, inputs.year, published, workspace.out_dir, f"{published.name} 报告已生成")
    return published


def keep_check(books: UnitBooks, workspace: Workspace, check: QualityCheck) -> Path:
    """Keep the quality report of a run that produced no report version (blocked, or validate only)."""
    folder = output_folder.publish_check(
        catalog.unit_folder(workspace.out_dir, books.inputs.year, books.unit), check.run_label,
        quality_files(books, check), trees={"data_docs": check.data_docs},
    )
    publish_outputs(books.unit, books.profile.name, books.inputs.year, folder, workspace.out_dir, "数据质量检查（未生成报告版本）")
    return folder


def send(version: Path, profile: DepartmentProfile) -> tuple[str, ...]:
    """E-mail the report and copy it to shared folders, once per recipient and version.

    Not sent while a warning lacks the department's explanation. A failed delivery is recorded
    with its reason and tried again by the next run (at most MAX_SEND_ATTEMPTS times); it never
    stops another recipient or unit. Returns what happened, in Chinese.
    """
    if not has_recipients(profile):
        return ()
    manifest = _manifest(version)
    if waiting := held_back_for_review(manifest):
        return (waiting,)
    held_back = held_back_reason([w["rule_id"] for w in manifest["quality"]["warnings"]], profile.warning_explanations)
    if held_back:
        return (held_back,)
    records = delivery.read_deliveries(version)
    docx = (version / "report.docx").read_bytes()
    title = report_title(profile.name, manifest["fiscal_year"], version.name)
    attachment = safe_file_name(title, ".docx")
    attachments = {attachment: docx}
    for note in (REVISION_NOTE, REDLINE_NOTE):          # what changed, in words and as tracked changes
        if (version / note).exists():
            attachments[note] = (version / note).read_bytes()
    body = mail_body(profile.name, manifest["fiscal_year"], version.name,
                     manifest.get("revision", {}).get("previous_version"))
    smtp = smtp_settings()
    said = []
    for channel, to in _recipients(profile):
        failures = _failures_since_sent(records, channel, to)
        if failures is None:
            continue                                      # delivered before
        if failures >= MAX_SEND_ATTEMPTS:
            said.append(f"{SEND_FAILED}：发给 {to} 已连续失败 {failures} 次，不再自动重试；请检查后手工发送")
            continue
        if channel == "email" and smtp is None:
            said.append(f"未配置邮件服务器（JIXIAO_SMTP_HOST），未发送给 {to}")
            continue
        try:
            if channel == "email":
                delivery.send_email(smtp, to, title, body, attachments)
            else:
                delivery.copy_to_folder(Path(to), attachment, docx)
        except delivery.DeliveryError as error:
            _record(version, channel, to, manifest, docx, failed=str(error))
            said.append(f"{SEND_FAILED}：{error}（{'请修正后重新运行' if error.lasting else '下次运行时重试'}）")
            continue
        said.append(_record(version, channel, to, manifest, docx))
    return tuple(said)


def nothing_to_send(version: Path, profile: DepartmentProfile) -> bool:
    """Whether `send` would deliver `version` to nobody: the unit has no recipients, the version
    is not approved (a draft, or returned), or every recipient has had it (deliveries.json)."""
    if not has_recipients(profile) or held_back_for_review(_manifest(version)):
        return True
    records = delivery.read_deliveries(version)
    return all(_failures_since_sent(records, channel, to) is None for channel, to in _recipients(profile))


def _manifest(version: Path) -> dict:
    return json.loads((version / "manifest.json").read_text(encoding="utf-8"))


def _recipients(profile: DepartmentProfile) -> list[tuple[str, str]]:
    """(channel, address) of every recipient: e-mail addresses first, then shared folders."""
    recipients = profile.recipients
    return [*(("email", a) for a in recipients.email), *(("folder", f) for f in recipients.folders)]


def _failures_since_sent(records: list[dict], channel: str, to: str) -> int | None:
    """None when the recipient has this version, else how many tries failed so far."""
    mine = [r for r in records if (r["channel"], r["to"]) == (channel, to)]
    if any(r.get("status", "sent") == "sent" for r in mine):
        return None
    return len(mine)


def _record(version: Path, channel: str, to: str, manifest: dict, docx: bytes, failed: str = "") -> str:
    delivery.record_delivery(version, {
        "channel": channel, "to": to, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "version": version.name, "sha256": sha256_hex(docx), "fingerprint": manifest["fingerprint"],
        "status": "failed" if failed else "sent", **({"reason": failed} if failed else {}),
    })
    return f"已{'发送邮件给' if channel == 'email' else '复制到'} {to}"


def send_safely(stages: Stages, version: Path, profile: DepartmentProfile) -> tuple[str, ...]:
    """Deliver without letting an unexpected fault undo the unit's outcome: the version exists."""
    try:
        return stages.send(version, profile)
    except Exception as error:  # noqa: BLE001 - the report is made; the failure is the delivery's
        logger.error("单位报告 %s 发送出错：%s: %s", version, type(error).__name__, error)
        return (f"{SEND_FAILED}：{type(error).__name__}: {error}（下次运行时重试）",)


def unchanged(sources: UnitSources, version: Path, stages: Stages | None = None) -> UnitOutcome:
    """A unit whose inputs made no difference: its latest version stands; recipients who have
    not had it yet get it now."""
    stages = stages or PLAIN_STAGES
    sent = send_safely(stages, version, sources.profile) if has_recipients(sources.profile) else ()
    return UnitOutcome(sources.unit, sources.profile.name, "unchanged", str(version), sent)


def has_recipients(profile: DepartmentProfile) -> bool:
    return bool(profile.recipients.email or profile.recipients.folders)


@dataclass(frozen=True, slots=True)
class Stages:
    """The stages `run_unit` calls. `flows.tasks.TASK_STAGES` gives the same functions as
    Prefect tasks; these plain ones serve tests and benchmarks."""

    evaluate: Callable[..., DepartmentEvaluation] = evaluate
    validate: Callable[..., QualityCheck] = validate
    validate_together: Callable[..., list[QualityCheck]] = validate_together
    keep_check: Callable[..., Path] = keep_check
    render: Callable[..., RenderedReport] = render
    publish: Callable[..., Path] = publish
    send: Callable[..., tuple[str, ...]] = send


PLAIN_STAGES = Stages()
