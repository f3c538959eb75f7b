"""Run the Great Expectations suites of expectations/ and return our own RuleResults.

The only module that imports great_expectations. Suites are loaded from their JSON files
into an ephemeral context, so reviewers edit the JSON and nothing else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from flows.domain.quality import RuleResult, Violation

logger = logging.getLogger(__name__)

# Which columns locate a failing row of each dataset, for the reviewer.
_LOCATORS: Mapping[str, list[str]] = {
    "ledger": ["source_file", "source_row"],
    "budget": ["source_file", "source_row"],
    "reconciliation": ["identity", "expected_fen", "actual_fen"],
    "rejected_rows": ["file", "row", "column", "value", "reason"],
}


@lru_cache(maxsize=4)
def load_suite_definitions(expectations_dir: str) -> tuple[dict, ...]:
    """Suite JSON documents, sorted by name (cached: they do not change during a run)."""
    return tuple(
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(expectations_dir).glob("*.json"))
    )


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def run_suites(
    expectations_dir: Path,
    datasets: Mapping[str, pd.DataFrame],
    parameters: Mapping[str, object],
) -> list[RuleResult]:
    """Validate each dataset with the suites that declare it (suite meta `dataset`)."""
    import great_expectations as gx

    context = _context()
    source = context.data_sources.add_pandas("jixiao")
    results: list[RuleResult] = []
    for definition in load_suite_definitions(str(expectations_dir)):
        dataset = definition["meta"]["dataset"]
        frame = datasets[dataset]
        suite = context.suites.add(gx.ExpectationSuite(**definition))
        if len(suite.expectations) != len(definition["expectations"]):
            raise RuntimeError(f"suite {definition['name']} lost expectations while loading")
        batch = source.add_dataframe_asset(definition["name"]).add_batch_definition_whole_dataframe("all")
        validation = gx.ValidationDefinition(name=definition["name"], data=batch, suite=suite)
        locators = [c for c in _LOCATORS[dataset] if c in frame.columns]
        outcome = validation.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=dict(parameters),
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": locators},
        )
        for result in outcome.results:
            results.append(_rule_result(definition["name"], dataset, result, frame))
    return results


def _rule_result(suite_name: str, dataset: str, result, frame: pd.DataFrame) -> RuleResult:
    config = result.expectation_config
    meta = config.meta or {}
    detail = result.result or {}
    column = config.kwargs.get("column") or ",".join(config.kwargs.get("column_list", []) or [])
    exception = (result.exception_info or {}).get("exception_message") if not result.success else None
    if exception:
        # An expectation that could not be evaluated is a failure, never a silent pass.
        logger.warning("rule %s could not be evaluated: %s", meta.get("rule_id"), exception)
    violations = _violations(dataset, detail, column, meta.get("expected_zh", ""), frame)
    if dataset == "rejected_rows" and not result.success:
        violations = tuple(
            Violation(r["file"], int(r["row"]), r["column"], r["value"], r["reason"]) for r in frame.to_dict("records")
        )
    failing = detail.get("unexpected_count")
    if failing is None:
        failing = len(violations) if violations else (0 if result.success else 1)
    return RuleResult(
        rule_id=meta.get("rule_id", config.type),
        suite=suite_name,
        severity=config.severity.value,
        category=meta.get("category", ""),
        message=meta.get("message_zh", config.description or config.type),
        success=bool(result.success),
        failing_count=int(failing),
        violations=violations,
    )


def _violations(dataset: str, detail: Mapping, column: str, expected: str, frame: pd.DataFrame) -> tuple[Violation, ...]:
    rows = detail.get("unexpected_index_list") or []
    violations = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        if dataset == "reconciliation":
            violations.append(Violation(
                file="", row=None, column=str(row.get("identity", "")), value=str(row.get("actual_fen", "")),
                expected=f"{expected}（应为 {row.get('expected_fen', '')} 分）", difference=str(row.get(column, "")),
            ))
            continue
        source_row = row.get("source_row")
        value = row.get(column, "") if column and "," not in column else ",".join(str(row.get(c, "")) for c in column.split(","))
        violations.append(Violation(
            file=str(row.get("source_file", "")), row=int(source_row) if source_row not in (None, "") else None,
            column=column, value=str(value), expected=expected,
        ))
    return tuple(violations)
