"""The flows: one per user job. Bodies read like the job; the per-unit line is flows.unit_pipeline."""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Literal

from prefect import Task, flow
from prefect.client.orchestration import get_client
from prefect.flow_runs import suspend_flow_run
from prefect.futures import PrefectFuture, as_completed
from prefect.input import RunInput, read_flow_run_input
from prefect.input.run_input import keyset_from_paused_state
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings
from prefect.states import Suspended
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner
from prefect.utilities.annotations import quote
from prefect.utilities.callables import get_call_parameters
from pydantic import ConfigDict, Field

from flows import review_desk
from flows.adapters.catalog import unit_folder
from flows.adapters.output_folder import current_version
from flows.adapters.progress import UnitProgress
from flows.adapters.project_files import default_template, load_execution, load_review_settings, load_schedule
from flows.adapters.unit_exports import YearSources
from flows.domain.review import ReviewError
from flows.domain.schedule import default_fiscal_year, requested_units
from flows.settings import dask_address, units_per_task
from flows.tasks import (
    fingerprint_units,
    ingest,
    ingest_prior,
    load_configuration,
    unchanged_unit,
    unit_quality_check,
    unit_report,
    units_quality_check,
    units_report,
)
from flows.unit_pipeline import UnitOutcome, Workspace, failed
from flows.year_inputs import units_to_report

logger = logging.getLogger("jixiao")


@flow(name="annual-report")
def annual_report(
    year: int | None = None,
    data_dir: str = "data",
    out_dir: str = "out",
    units: list[str] | str | None = None,
    pdf: bool = False,
    await_review: bool = False,
) -> list[UnitOutcome]:
    """Produce each department's 部门整体支出绩效自评报告 for `year` (default: last year).

    ingest (read and split by unit) → per unit, in parallel: run_unit (parse → evaluate →
    validate → render → publish → send). Unchanged inputs make no new version; a unit with a
    critical quality failure gets no report and keeps its versions; a unit whose task fails
    does not stop the others. `units` may be a list or a comma-separated string (as event
    payloads carry it); `pdf` adds report.pdf (LibreOffice) to each new version.

    `await_review` (the served deployment): new drafts wait in the Prefect UI for a reviewer's
    decision (a form: 通过 / 退回, name, comment), which is recorded and, on approval, sent.
    """
    year = year or default_fiscal_year(load_schedule().timezone)
    wanted = requested_units(units)
    reference = load_configuration(year)
    sources = ingest(Path(data_dir), year, quote(reference), wanted)
    prior = ingest_prior(Path(data_dir), year, wanted)
    last_year, prior_reference = prior if prior else (None, None)
    fingerprints = fingerprint_units(quote(sources), quote(last_year), default_template())
    # Absolute: the unit tasks may run in another working folder.
    workspace = Workspace(reference, default_template(), Path(out_dir).resolve(), pdf, prior_reference, sources.unread)
    outcomes, pending = [], {}
    for unit in units_to_report(sources, wanted):
        unit_sources = sources.units[unit]
        version = current_version(unit_folder(workspace.out_dir, year, unit), fingerprints[unit])
        if version is not None:
            outcomes.append(unchanged_unit(unit_sources, version))
            continue
        last = last_year.units.get(unit) if last_year else None
        pending[unit] = (unit_sources, last, fingerprints[unit], workspace)
    outcomes += _run_each(unit_report, pending, sources, units_task=units_report)
    outcomes = sorted(outcomes, key=lambda outcome: outcome.unit_code)
    if await_review and reference.review.required:
        outcomes = _await_review(outcomes, year, Path(data_dir), workspace.out_dir)
    return outcomes


class ReviewDecision(RunInput):
    """The reviewer's form in the Prefect UI when a run's drafts wait for review."""

    # Checked by the server when the form is sent (its JSON schema): a return without its reason
    # is refused there, while the reviewer can still correct it, not after the run has resumed.
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"decision": {"const": "退回"}}},
        "then": {"required": ["comment"], "properties": {"comment": {"pattern": "\\S"}}},
    })

    decision: Literal["通过", "退回"] = Field(title="审核决定（通过：发送给收件人；退回：不发送）")
    reviewer: str = Field(title="审核人姓名", min_length=1)
    comment: str = Field(default="", title="意见（退回时必填）")
    versions: list[str] = Field(min_length=1, title="审核的版本（单位编码/版本；删去本次不审核的）")


def _await_review(outcomes: list[UnitOutcome], year: int, data_dir: Path, out_dir: Path) -> list[UnitOutcome]:
    """Suspend for the reviewer's decision on this run's new drafts, record it and deliver what is approved.

    Suspended, not paused: the run's process exits and holds no slot of the deployment's
    concurrency limit while the reviewer takes hours or days (a paused run's lease is revoked by
    the server and Prefect then cancels the run). Resuming reruns the flow from the start: the
    units are then up to date, and the same suspend key hands over the form's answer. The form
    names the versions it shows, so a version made after the form was filled is never decided
    by it. Without an answer in `review.wait_hours` Prefect fails the waiting run ("never resumed");
    the drafts stay drafts for `jixiao approve` / `return`.
    """
    drafts = sorted(f"{o.unit_code}/{Path(o.folder).name}" for o in outcomes
                    if o.status == "produced" and review_desk.is_draft(Path(o.folder)))
    key = f"review-{year}"
    if not drafts and not _answered(key):
        return outcomes
    if drafts:
        logger.info("等待审核：%d 份报告草稿（在 Prefect 界面中本次运行的“Resume”表单里选择通过或退回）", len(drafts))
    listing = "\n".join(f"- {entry}：{out_dir / str(year) / entry}/审阅稿.docx" for entry in drafts)
    form = ReviewDecision.with_initial_data(description=f"### 待审核的报告草稿（{year} 年度）\n{listing}", versions=drafts)
    decision = suspend_flow_run(wait_for_input=form, timeout=int(load_review_settings().wait_hours * 3600), key=key)
    said: dict[str, list[str]] = {}
    for entry in decision.versions:
        unit, _, version = entry.strip().partition("/")
        lines = said.setdefault(unit, [])
        try:
            folder = review_desk.version_folder(out_dir, year, unit, version or None)
            review_desk.record_decision(folder, decision.decision, decision.reviewer, decision.comment)
        except ReviewError as error:
            lines.append(f"审核未记录（{entry}）：{error}")
            continue
        if decision.decision == "退回":
            lines.append(f"{folder.name} 已退回（审核人 {decision.reviewer}）：{decision.comment}")
        else:
            lines += [f"{folder.name} 已审核通过（审核人 {decision.reviewer}）",
                      *review_desk.deliver_approved(folder, data_dir, year, unit)]
        logger.info("单位 %s：%s", unit, "；".join(lines))
    known = {o.unit_code for o in outcomes}
    for unit in sorted(set(said) - known):
        logger.warning("表单中的单位 %s：%s", unit, "；".join(said[unit]) or "不在本次运行的单位中")
    return [replace(o, details=(*o.details, *said.get(o.unit_code, ()))) for o in outcomes]


def _answered(key: str) -> bool:
    """Whether this run was resumed with an answer to its review form (the run is then rerunning)."""
    response = keyset_from_paused_state(Suspended(pause_key=key))["response"]
    return read_flow_run_input(response) is not None


@flow(name="quality-gate")
def quality_gate(year: int = 2024, data_dir: str = "data", out_dir: str = "out", units: list[str] | None = None) -> list[UnitOutcome]:
    """Run only the data-quality gate for each department of `year`.

    Writes the quality report to out/<year>/<unit>/checks/<run>/; never a report version.
    """
    wanted = requested_units(units)
    reference = load_configuration(year)
    sources = ingest(Path(data_dir), year, quote(reference), wanted)
    workspace = Workspace(reference, default_template(), Path(out_dir).resolve())
    pending = {unit: (sources.units[unit], workspace) for unit in units_to_report(sources, wanted)}
    return sorted(_run_each(unit_quality_check, pending, sources, units_task=units_quality_check),
                  key=lambda outcome: outcome.unit_code)


def unit_task_runner() -> TaskRunner:
    """Dask when a scheduler is configured (JIXIAO_DASK_ADDRESS or config/execution.yaml),
    else local processes: parsing and rendering are CPU-bound Python, threads would queue.
    Chosen when a run starts, so the CLI and the served deployment read the same settings."""
    execution = load_execution()
    address = dask_address(execution["dask_address"])
    if address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=address)
    return ProcessPoolTaskRunner(max_workers=int(execution["local_workers"]) or None)


def _run_each(unit_task: Task, pending: dict[str, tuple], sources: YearSources,
              units_task: Task | None = None) -> list[UnitOutcome]:
    """Run `unit_task` for each pending unit and gather the outcomes as they finish; a failed
    task becomes that unit's `failed` outcome. A lone unit runs here: starting a pool of
    processes (or shipping to Dask) would cost more than it saves.

    With `units_task` and enough units for every worker, several units go in one task and have
    their rows validated together (execution.yaml `units_per_task`); each keeps its own outcome.
    """
    if len(pending) == 1:
        (unit, args), = pending.items()
        try:
            return [unit_task(*(quote(a) for a in args))]
        except Exception as error:  # noqa: BLE001 - reported as the unit's outcome, like a pooled failure
            return [_failed(unit, sources, error)]
    if not pending:
        return []
    runner = unit_task_runner()
    # Dask rebuilds tuple subclasses as plain tuples, so a quote() would reach the task still
    # wrapped; the units' sources are small enough to be looked through there.
    on_dask = type(runner).__module__.startswith("prefect_dask")
    outcomes = []
    with _api_shared_with_pool(), runner, UnitProgress(len(pending)) as progress:
        if on_dask:
            # Otherwise each worker keeps call-stack samples of its last 1,000 busy seconds and
            # grows by over a MiB per unit, and the scheduler keeps the sources of the last few
            # hundred units it sent to each worker (flows.adapters.dask_workers).
            from flows.adapters.dask_workers import keep_no_profile_history, keep_no_sent_message_logs

            keep_no_profile_history(runner.client)
            keep_no_sent_message_logs(runner.client)
        workers = _workers(runner, on_dask)
        size = _units_per_task(len(pending), workers) if units_task is not None else 1
        items = list(pending.items())
        waiting = deque(items[i:i + size] for i in range(0, len(items), size))
        # A few tasks per worker in flight, each future let go once its outcome is read: with
        # every unit submitted at once, the scheduler held every unit's arguments from the start
        # and the cluster kept them until the last unit finished (benchmarks/province_dask.py).
        window = IN_FLIGHT_PER_WORKER * workers
        running: dict[object, tuple[list, PrefectFuture]] = {}
        while waiting or running:
            while waiting and len(running) < window:
                chunk = waiting.popleft()
                if size == 1:
                    [(_, args)] = chunk
                    task, call = unit_task, tuple(args if on_dask else map(quote, args))
                else:
                    batch = [args for _, args in chunk]
                    task, call = units_task, (batch if on_dask else quote(batch),)
                future = runner.submit(task, get_call_parameters(task.fn, call, {}))
                running[future.task_run_id] = (chunk, future)
            finished = next(as_completed([future for _, future in running.values()]))
            chunk, future = running.pop(finished.task_run_id)
            try:
                result = future.result()
                done = result if isinstance(result, list) else [result]
            except Exception as error:  # noqa: BLE001 - one task's crash must not stop the city
                done = [_failed(unit, sources, error) for unit, _ in chunk]
            outcomes += done
            del future, finished
            for _ in done:
                progress.advance()
    return outcomes


def _units_per_task(units: int, workers: int) -> int:
    """Units per task: as configured, else as many as keep every worker busy with a few tasks
    each (so the last tasks end together), at most MAX_UNITS_PER_TASK."""
    configured = units_per_task(int(load_execution()["units_per_task"]))
    if configured:
        return configured
    return max(1, min(MAX_UNITS_PER_TASK, units // (workers * TASKS_PER_WORKER)))


# Validating units together saves GX's fixed price per expectation run, about 0.35 CPU seconds a
# unit at 10 units a task (benchmarks/results/validation_batching.json); more units per task save
# little more and make the run's last tasks longer.
MAX_UNITS_PER_TASK = 10
TASKS_PER_WORKER = 4

# Tasks submitted ahead per worker: enough that a worker finding its task done has the next one
# waiting, few enough that what the cluster holds does not grow with the number of units.
IN_FLIGHT_PER_WORKER = 3


def _workers(runner: TaskRunner, on_dask: bool) -> int:
    """How many units run at once: the Dask cluster's threads, or the pool's processes."""
    if on_dask:
        return max(1, sum(runner.client.nthreads().values()))
    return getattr(runner, "_max_workers", None) or os.cpu_count() or 1


@contextmanager
def _api_shared_with_pool() -> Iterator[None]:
    """Without an API URL each pool process would start a temporary server of its own and
    record its task runs there, out of the flow run's sight: point them at this run's."""
    if get_current_settings().api.url:
        yield
        return
    with get_client(sync_client=True) as client:
        url = str(client.api_url)
    # Tasks carry the settings in force when they are submitted into the pool processes.
    with temporary_settings({PREFECT_API_URL: url}):
        yield


def _failed(unit: str, sources: YearSources, error: Exception) -> UnitOutcome:
    return failed(sources.units[unit], error)
