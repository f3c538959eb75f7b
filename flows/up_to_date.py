"""Whether a run has anything to do, answered before Prefect starts (which takes seconds).

Computes what the annual-report flow computes first (the year's configuration, the exports
split by unit, each unit's fingerprint) and asks each requested unit's folder for the version
these very inputs made. When every unit has one and nobody is waiting for it, the run's
outcomes are known: the flow would only say `unchanged`, so they are made here by the same
functions and the flow is not started. No Prefect, GX, matplotlib or docxtpl is imported.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows import unit_pipeline, year_inputs
from flows.adapters.catalog import unit_folder
from flows.adapters.output_folder import current_version
from flows.adapters.project_files import default_template
from flows.domain.schedule import requested_units
from flows.unit_pipeline import UnitOutcome

logger = logging.getLogger("jixiao")


def settled_outcomes(data_dir: Path, out_dir: Path, year: int, units: list[str] | None) -> list[UnitOutcome] | None:
    """Every requested unit's `unchanged` outcome, in the flow's order, when its latest version
    was made from these inputs (or rendered the same report from them) and `send` has nobody
    to deliver it to; None when any unit has work left, or when the inputs or configuration
    have a problem: the flow then runs and says it as it always does.

    Lines logged while checking reach the terminal only with an answer; otherwise the flow
    logs them itself.
    """
    with _held_back_log_lines() as lines:
        try:
            outcomes = _unchanged_outcomes(data_dir, out_dir, year, requested_units(units))
        except Exception:  # noqa: BLE001 - whatever this check cannot answer, the flow answers and reports
            return None
    if outcomes is not None:
        for record in lines:
            logger.handle(record)
    return outcomes


def _unchanged_outcomes(data_dir: Path, out_dir: Path, year: int, wanted: list[str]) -> list[UnitOutcome] | None:
    reference = year_inputs.load_configuration(year)
    sources = year_inputs.ingest(data_dir, year, reference, wanted)
    prior = year_inputs.ingest_prior(data_dir, year, wanted)
    fingerprints = year_inputs.fingerprint_units(sources, prior[0] if prior else None, default_template())
    outcomes = []
    for unit in year_inputs.units_to_report(sources, wanted):
        unit_sources = sources.units[unit]
        # Resolved, as the flow's workspace is: the lines name the version by its full path.
        version = current_version(unit_folder(out_dir.resolve(), year, unit), fingerprints[unit])
        if version is None or not unit_pipeline.nothing_to_send(version, unit_sources.profile):
            return None
        outcomes.append(unit_pipeline.unchanged(unit_sources, version))
    return sorted(outcomes, key=lambda outcome: outcome.unit_code)


@contextmanager
def _held_back_log_lines() -> Iterator[list[logging.LogRecord]]:
    """The records jixiao's logger receives meanwhile, kept from its handlers."""
    held: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            held.append(record)

    handlers, logger.handlers = logger.handlers, [Keep()]
    try:
        yield held
    finally:
        logger.handlers = handlers
