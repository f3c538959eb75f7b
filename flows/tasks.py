"""Prefect tasks: the pipeline's steps under their task names and retry policies. No work here.

Inputs are large frames and config objects: caching and result persistence are off
(NO_CACHE); reruns are decided by input fingerprints, not by Prefect's cache. Arguments are
passed quote()d: Prefect would otherwise visit every row and row issue of a unit looking
for futures, which costs more than the unit's own work.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from flows import unit_pipeline, year_inputs
from flows.unit_pipeline import Stages


def _send_logs_to_runs() -> None:
    """jixiao's own log lines (校验结果, 失败原因 …) reach the Prefect run they were written in,
    whichever process runs it: the CLI, a pool process, a served runner or a worker."""
    import logging

    from prefect.logging.handlers import APILogHandler

    logger = logging.getLogger("jixiao")
    if not any(isinstance(handler, APILogHandler) for handler in logger.handlers):
        logger.addHandler(APILogHandler())
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


_send_logs_to_runs()


def _task(fn: Callable, name: str, **policy) -> Task:
    return task(fn, name=name, cache_policy=NO_CACHE, **policy)


def _stage(fn: Callable, name: str, **policy) -> Callable:
    """`fn` run as a task of its own, its arguments quoted."""
    as_task = _task(fn, name, **policy)

    @functools.wraps(fn)
    def call(*args):
        return as_task(*(quote(a) for a in args))
    return call


load_configuration = _task(year_inputs.load_configuration, "load-configuration")
ingest = _task(year_inputs.ingest, "ingest")
ingest_prior = _task(year_inputs.ingest_prior, "ingest-prior-year")
fingerprint_units = _task(year_inputs.fingerprint_units, "fingerprint")

TASK_STAGES = Stages(
    evaluate=_stage(unit_pipeline.evaluate, "evaluate"),
    validate=_stage(unit_pipeline.validate, "validate"),
    validate_together=_stage(unit_pipeline.validate_together, "validate-together"),
    keep_check=_stage(unit_pipeline.keep_check, "record-quality-check"),
    render=_stage(unit_pipeline.render, "render"),
    publish=_stage(unit_pipeline.publish, "deliver"),
    # A mail server or shared folder that is briefly away gets two more tries.
    send=_stage(unit_pipeline.send, "send", retries=2, retry_delay_seconds=[5, 30]),
)


def _run_unit(sources, prior_sources, fingerprint, workspace):
    return travelling(unit_pipeline.run_unit, sources, prior_sources, fingerprint, workspace, TASK_STAGES)


def _run_units(units):
    return travelling(unit_pipeline.run_units, units, TASK_STAGES)


def _check_unit(sources, workspace):
    return travelling(unit_pipeline.check_unit, sources, workspace, TASK_STAGES)


def _check_units(units):
    return travelling(unit_pipeline.check_units, units, TASK_STAGES)


def travelling(step: Callable, *args):
    """`step(*args)`, whose failure reaches the flow with its words even from a Dask worker.

    The worker pickles the task's final state, exception included, and once `distributed` is
    imported that pickling takes each exception's __context__ along (tblib): an lxml error
    cannot be pickled and would arrive as "Could not serialize object of type State". Such an
    error is replaced by a RuntimeError with its text, raised outside the handler so that it
    carries no context.
    """
    try:
        return step(*args)
    except Exception as error:  # noqa: BLE001 - re-raised below, as itself or as its text
        failure = error if _picklable(error) else RuntimeError(f"{type(error).__name__}: {error}")
    raise failure


def _picklable(error: Exception) -> bool:
    try:
        pickle.dumps(error)
    except Exception:  # noqa: BLE001 - any pickling failure means: send the text instead
        return False
    return True


def unchanged_unit(sources, version):
    return unit_pipeline.unchanged(sources, version, TASK_STAGES)


unit_report = _task(_run_unit, "unit-report")
units_report = _task(_run_units, "units-report")
unit_quality_check = _task(_check_unit, "unit-quality-check")
units_quality_check = _task(_check_units, "units-quality-check")
