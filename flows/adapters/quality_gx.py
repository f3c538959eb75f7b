"""Run the Great Expectations suites of expectations/ and return our own RuleResults.

The only module that imports great_expectations. Suites are loaded from their JSON files
into an ephemeral context, so reviewers edit the JSON and nothing else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd

from flows.domain.errors import ConfigError
from flows.domain.money import fen_to_yuan
from flows.domain.quality import RuleResult, Violation

logger = logging.getLogger(__name__)

# How each dataset's failing rows are shown to a reviewer: which columns locate the row
# (file, row), name it (label), and hold the provided value, the expected value and the
# difference. Amounts are in fen ("fen") or in hundredths of 万元 ("wan_cents").
_VIEWS: Mapping[str, dict[str, str]] = {
    "ledger": {"file": "source_file", "row": "source_row"},
    "budget": {"file": "source_file", "row": "source_row"},
    "rejected_rows": {"file": "file", "row": "row"},
    "reconciliation": {"label": "identity", "value": "actual_fen", "expected": "expected_fen",
                       "difference": "difference_fen", "unit": "fen"},
    "projects": {"file": "first_source_file", "row": "first_source_row", "label": "project_name",
                 "value": "actual_fen", "expected": "budget_fen", "difference": "over_fen", "unit": "fen"},
    "control_totals": {"file": "source_file", "row": "source_row", "label": "figure", "value": "computed_fen",
                       "expected": "declared_fen", "difference": "difference_fen", "unit": "fen"},
    "vouchers": {"file": "source_file", "row": "source_row", "label": "voucher", "value": "debit_fen",
                 "expected": "credit_fen", "difference": "net_fen", "unit": "fen"},
    "payments": {"file": "first_source_file", "row": "first_source_row", "label": "project_code", "value": "paid_fen",
                 "expected": "spent_fen", "difference": "difference_fen", "unit": "fen"},
    "self_evaluation": {"label": "group"},
    "prior_control_totals": {"file": "source_file", "row": "source_row", "label": "figure", "value": "computed_fen",
                             "expected": "declared_fen", "difference": "difference_fen", "unit": "fen"},
    "printed_rounding": {"label": "printed_table", "value": "printed_parts_sum", "expected": "printed_total",
                         "difference": "gap_cents", "unit": "wan_cents"},
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
    docs_dir: Path | None = None,
    run_name: str = "jixiao",
    only_suites: frozenset[str] | None = None,
) -> list[RuleResult]:
    """Validate each dataset with the suites that declare it (suite meta `dataset`).

    With `docs_dir`, each suite runs as a checkpoint that also builds the GX Data Docs site there.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context()
    source = context.data_sources.add_pandas("jixiao")
    results: list[RuleResult] = []
    for definition in load_suite_definitions(str(expectations_dir)):
        if only_suites is not None and definition["name"] not in only_suites:
            continue
        definition = _with_row_conditions(definition, parameters)
        dataset = definition["meta"]["dataset"]
        frame = datasets[dataset]
        suite = context.suites.add(gx.ExpectationSuite(**definition))
        if len(suite.expectations) != len(definition["expectations"]):
            raise RuntimeError(f"suite {definition['name']} lost expectations while loading")
        batch = source.add_dataframe_asset(definition["name"]).add_batch_definition_whole_dataframe("all")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=definition["name"], data=batch, suite=suite))
        view = _VIEWS[dataset]
        locators = [view[k] for k in ("file", "row", "label", "value", "expected", "difference") if k in view]
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"{definition['name']}-checkpoint", validation_definitions=[validation], actions=[],
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": locators},
        ))
        outcome = checkpoint.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=dict(parameters),
            run_id=RunIdentifier(run_name=run_name),
        )
        [suite_result] = outcome.run_results.values()
        for result in suite_result.results:
            results.append(_rule_result(definition["name"], dataset, result, frame))
    if docs_dir is not None:
        # Once for all suites: an UpdateDataDocsAction per checkpoint rebuilds the whole site each time.
        context.add_data_docs_site("jixiao", {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        _make_stored_results_inert(context)
        context.build_data_docs(site_names=["jixiao"])
    return results


# GX's Data Docs renderer writes values from the data (file names, 摘要, project names, the
# rows of an unexpected-index table) into its pages without escaping them. Before the site is
# built, every string of the stored results is rewritten so no markup survives: the characters
# that open a tag, an attribute or an entity become their full-width twins, which read the
# same to a reviewer and mean nothing to a browser. quality.html, our own page, escapes instead.
_INERT = str.maketrans({"<": "＜", ">": "＞", '"': "＂", "'": "＇", "&": "＆", "`": "｀"})


def _inert(value):
    if isinstance(value, str):
        return value.translate(_INERT)
    if isinstance(value, dict):
        return {_inert(k): _inert(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_inert(v) for v in value)
    return value


def _make_stored_results_inert(context) -> None:
    store = context.validation_results_store
    for key in store.list_keys():
        suite_result = store.get(key)
        for result in suite_result.results:
            result.result = _inert(result.result)
            if result.exception_info:
                result.exception_info = _inert(result.exception_info)
        store.set(key, suite_result)


def _with_row_conditions(definition: dict, parameters: Mapping[str, object]) -> dict:
    """The suite with each `row_condition: {"$PARAMETER": name}` replaced by that parameter.

    GX 1.24 validates a row condition when the suite is built, before expectation parameters
    are known, so it accepts none there; configured code lists in conditions (LED-018's 三公
    codes) are substituted here instead. Other kwargs stay for GX to substitute.

    Raises:
        ConfigError: a condition names a parameter that quality_parameters does not provide.
    """
    expectations = []
    for expectation in definition["expectations"]:
        condition = expectation.get("kwargs", {}).get("row_condition")
        if isinstance(condition, Mapping) and "$PARAMETER" in condition:
            name = condition["$PARAMETER"]
            if name not in parameters:
                raise ConfigError(f"规则 {expectation.get('meta', {}).get('rule_id', '?')} 的 row_condition "
                                  f"引用了未定义的参数「{name}」", file=f"expectations/{definition['name']}.json")
            expectation = {**expectation, "kwargs": {**expectation["kwargs"], "row_condition": parameters[name]}}
        expectations.append(expectation)
    return {**definition, "expectations": expectations}


def _rule_result(suite_name: str, dataset: str, result, frame: pd.DataFrame) -> RuleResult:
    config = result.expectation_config
    meta = config.meta or {}
    detail = result.result or {}
    column = config.kwargs.get("column") or ",".join(config.kwargs.get("column_list", []) or [])
    violations = _violations(_VIEWS[dataset], detail, column, meta.get("expected_zh", ""))
    if dataset == "rejected_rows" and not result.success:
        violations = tuple(
            Violation(r["file"], int(r["row"]), r["column"], r["value"], r["reason"]) for r in frame.to_dict("records")
        )
    exception = (result.exception_info or {}).get("exception_message") if not result.success else None
    if exception and not violations:
        # A rule that could not be evaluated fails visibly; it never passes by accident.
        logger.warning("rule %s could not be evaluated: %s", meta.get("rule_id"), exception)
        violations = (Violation("", None, column, "", f"规则无法执行：{exception}"),)
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
        remedy=meta.get("remedy_zh", ""),
    )


def _amount(value: object, unit: str) -> str:
    if value in (None, ""):
        return ""
    number = int(value)
    if unit == "wan_cents":
        return f"{Decimal(number) / 100:.2f}万元"
    return f"{fen_to_yuan(number):.2f}元"


def _violations(view: Mapping[str, str], detail: Mapping, column: str, expected_text: str) -> tuple[Violation, ...]:
    violations = []
    unit = view.get("unit", "")
    for row in detail.get("unexpected_index_list") or []:
        if not isinstance(row, Mapping):
            continue
        source_row = row.get(view["row"]) if "row" in view else None
        if unit:
            value = _amount(row.get(view["value"]), unit)
            expected = f"{expected_text}（{_amount(row.get(view['expected']), unit)}）"
            difference = _amount(row.get(view["difference"]), unit)
            where = str(row.get(view["label"], ""))
        else:
            columns = column.split(",")
            value = " | ".join(str(row.get(c, "")) for c in columns)
            expected, difference = expected_text, ""
            # A named row (a 一级指标) is shown by its name; a table row by its column.
            where = str(row.get(view["label"], "")) if "label" in view else column
        violations.append(Violation(
            file=str(row.get(view["file"], "")) if "file" in view else "",
            row=int(source_row) if source_row not in (None, "") else None,
            column=where, value=value, expected=expected, difference=difference,
        ))
    return tuple(violations)
