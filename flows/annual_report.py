"""The flows: one per user job. Bodies read like the job; the per-unit line is flows.unit_pipeline."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import Task, flow
from prefect.client.orchestration import get_client
from prefect.futures import as_completed
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner
from prefect.utilities.annotations import quote
from prefect.utilities.callables import get_call_parameters

from flows.adapters.catalog import unit_folder
from flows.adapters.output_folder import current_version
from flows.adapters.progress import UnitProgress
from flows.adapters.project_files import load_execution, load_schedule, project_root
from flows.adapters.unit_exports import YearSources
from flows.domain.errors import InputError
from flows.domain.schedule import default_fiscal_year, requested_units
from flows.settings import dask_address
from flows.tasks import (
    fingerprint_units,
    ingest,
    ingest_prior,
    load_configuration,
    unchanged_unit,
    unit_quality_check,
    unit_report,
)
from flows.unit_pipeline import UnitOutcome, Workspace

logger = logging.getLogger("jixiao")


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

    ingest (read and split by unit) → per unit, in parallel: run_unit (parse → evaluate →
    validate → render → publish → send). Unchanged inputs make no new version; a unit with a
    critical quality failure gets no report and keeps its versions; a unit whose task fails
    does not stop the others. `units` may be a list or a comma-separated string (as event
    payloads carry it); `pdf` adds report.pdf (LibreOffice) to each new version.
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
    for unit in _units(sources, wanted):
        unit_sources = sources.units[unit]
        version = current_version(unit_folder(workspace.out_dir, year, unit), fingerprints[unit])
        if version is not None:
            outcomes.append(unchanged_unit(unit_sources, version))
            continue
        last = last_year.units.get(unit) if last_year else None
        pending[unit] = (unit_sources, last, fingerprints[unit], workspace)
    outcomes += _run_each(unit_report, pending, sources)
    return sorted(outcomes, key=lambda outcome: outcome.unit_code)


@flow(name="quality-gate")
def quality_gate(year: int = 2024, data_dir: str = "data", out_dir: str = "out", units: list[str] | None = None) -> list[UnitOutcome]:
    """Run only the data-quality gate for each department of `year`.

    Writes the quality report to out/<year>/<unit>/checks/<run>/; never a report version.
    """
    wanted = requested_units(units)
    reference = load_configuration(year)
    sources = ingest(Path(data_dir), year, quote(reference), wanted)
    workspace = Workspace(reference, default_template(), Path(out_dir).resolve())
    pending = {unit: (sources.units[unit], workspace) for unit in _units(sources, wanted)}
    return sorted(_run_each(unit_quality_check, pending, sources), key=lambda outcome: outcome.unit_code)


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


def _run_each(unit_task: Task, pending: dict[str, tuple], sources: YearSources) -> list[UnitOutcome]:
    """Run `unit_task` for each pending unit and gather the outcomes as they finish; a failed
    task becomes that unit's `failed` outcome. A lone unit runs here: starting a pool of
    processes (or shipping to Dask) would cost more than it saves."""
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
        running = {unit: runner.submit(unit_task, get_call_parameters(unit_task.fn, tuple(args if on_dask else map(quote, args)), {}))
                   for unit, args in pending.items()}
        by_future = {future.task_run_id: unit for unit, future in running.items()}
        for future in as_completed(list(running.values())):
            unit = by_future[future.task_run_id]
            try:
                outcomes.append(future.result())
            except Exception as error:  # noqa: BLE001 - one unit's crash must not stop the city
                outcomes.append(_failed(unit, sources, error))
            progress.advance()
    return outcomes


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
    logger.error("单位 %s 处理失败：%s: %s", unit, type(error).__name__, error)
    return UnitOutcome(unit, sources.units[unit].profile.name, "failed", "", (f"{type(error).__name__}: {error}",))


def _units(sources: YearSources, requested: list[str] | None) -> list[str]:
    present = sorted(sources.units)
    for unit in requested or []:
        if unit not in present:
            raise InputError(f"账簿中没有单位 {unit} 的支出分录", file=f"{sources.year}/ledger/{unit}/")
    return list(requested) if requested else present
