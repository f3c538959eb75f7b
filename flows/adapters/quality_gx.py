"""Run the Great Expectations suites of expectations/ and return our own RuleResults.

The only module that imports great_expectations. Suites are loaded from their JSON files
into an ephemeral context, so reviewers edit the JSON and nothing else.

A process keeps the context with its registered checkpoints and the compiled Data Docs
templates for every later unit: a unit runs the checkpoints on its own frames and builds the
Data Docs of its own results, and the results store is emptied before and after it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
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


def preload() -> None:
    """Import Great Expectations now (one to two seconds), while something else is waited for."""
    import great_expectations  # noqa: F401


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@dataclass(frozen=True, slots=True)
class _Suite:
    name: str
    dataset: str
    checkpoint: Any


@dataclass(frozen=True, slots=True)
class _Checkpoints:
    """One ephemeral GX context with every selected suite registered as a checkpoint.

    Registering is the same for every unit of a run (the suites, their substituted row
    conditions and result formats do not depend on the unit's data), so it is done once and
    reused; a unit only runs the checkpoints on its own frames. Used by one caller at a time.
    """

    context: Any
    suites: tuple[_Suite, ...]


# Built checkpoints not in use, by (expectations dir, selected suites, substituted row
# conditions). A caller takes one out and puts it back when done, so two threads of a worker
# never share a context; a second concurrent caller builds its own.
_IDLE: dict[tuple, list[_Checkpoints]] = {}
_IDLE_LOCK = threading.Lock()
# GX registers each new context as the process's current project: build one at a time.
_BUILD_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget what the process keeps (checkpoints, compiled Data Docs templates): the next call
    builds everything again, as each call did before they were kept."""
    with _IDLE_LOCK:
        _IDLE.clear()
    _COMPILED_TEMPLATES.clear()


def _selected(expectations_dir: Path, parameters: Mapping[str, object],
              only_suites: frozenset[str] | None) -> tuple[dict, ...]:
    return tuple(
        _with_row_conditions(definition, parameters) for definition in load_suite_definitions(str(expectations_dir))
        if only_suites is None or definition["name"] in only_suites
    )


def _cache_key(expectations_dir: Path, definitions: tuple[dict, ...]) -> tuple:
    # The substituted suites are what a context is built from: two parameter sets that give the
    # same row conditions (every unit of a year) share one; other parameters reach GX per run.
    conditions = tuple(
        (definition["name"], i, json.dumps(e.get("kwargs", {}).get("row_condition"), ensure_ascii=False, default=str))
        for definition in definitions for i, e in enumerate(definition["expectations"])
        if e.get("kwargs", {}).get("row_condition") is not None
    )
    return str(Path(expectations_dir).resolve()), tuple(d["name"] for d in definitions), conditions


def _build(definitions: tuple[dict, ...]) -> _Checkpoints:
    import great_expectations as gx

    with _BUILD_LOCK:
        context = _context()
        source = context.data_sources.add_pandas("jixiao")
        suites = []
        for definition in definitions:
            dataset = definition["meta"]["dataset"]
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
            suites.append(_Suite(definition["name"], dataset, checkpoint))
        return _Checkpoints(context, tuple(suites))


def _borrow(key: tuple, definitions: tuple[dict, ...]) -> _Checkpoints:
    with _IDLE_LOCK:
        idle = _IDLE.get(key)
        if idle:
            return idle.pop()
    return _build(definitions)


def _give_back(key: tuple, checkpoints: _Checkpoints) -> None:
    with _IDLE_LOCK:
        _IDLE.setdefault(key, []).append(checkpoints)


def _forget_results(context) -> None:
    """Empty the validation results store, so the next unit's Data Docs show only its own."""
    store = context.validation_results_store
    for key in store.list_keys():
        store.remove_key(key)
    if store.list_keys():
        raise RuntimeError("GX kept validation results after they were removed")


def run_suites(
    expectations_dir: Path,
    datasets: Mapping[str, pd.DataFrame],
    parameters: Mapping[str, object],
    docs_dir: Path | None = None,
    run_name: str = "jixiao",
    only_suites: frozenset[str] | None = None,
    reuse: bool = True,
) -> list[RuleResult]:
    """Validate each dataset with the suites that declare it (suite meta `dataset`).

    With `docs_dir`, the GX Data Docs site of this call's results (and only these) is built
    there. The GX context and checkpoints are built once per process and reused (`reuse=False`
    builds fresh ones and drops them after, as every call did before they were reused).
    """
    from great_expectations.core.run_identifier import RunIdentifier

    definitions = _selected(expectations_dir, parameters, only_suites)
    key = _cache_key(expectations_dir, definitions)
    checkpoints = _borrow(key, definitions) if reuse else _build(definitions)
    context = checkpoints.context
    clean = False
    try:
        _forget_results(context)
        results: list[RuleResult] = []
        for suite in checkpoints.suites:
            frame = datasets[suite.dataset]
            outcome = suite.checkpoint.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=dict(parameters),
                run_id=RunIdentifier(run_name=run_name),
            )
            [suite_result] = outcome.run_results.values()
            for result in suite_result.results:
                results.append(_rule_result(suite.name, suite.dataset, result, frame))
        if docs_dir is not None:
            _build_data_docs(context, docs_dir)
        _forget_results(context)
        clean = True
    finally:
        # A context whose results could not be removed (an error mid-run) is dropped, never reused.
        if reuse and clean:
            _give_back(key, checkpoints)
    return results


def _build_data_docs(context, docs_dir: Path) -> None:
    # Once for all suites: an UpdateDataDocsAction per checkpoint rebuilds the whole site each time.
    page_view = {"module_name": __name__, "class_name": "CompiledOnceJinjaPageView"}
    site = {
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder",
                               "view": {"module_name": __name__, "class_name": "CompiledOnceJinjaIndexPageView"}},
        "site_section_builders": {section: {"view": page_view} for section in ("expectations", "validations", "profiling")},
    }
    if "jixiao" in context.list_data_docs_sites():
        context.update_data_docs_site("jixiao", site)
    else:
        context.add_data_docs_site("jixiao", site)
    _make_stored_results_inert(context)
    context.build_data_docs(site_names=["jixiao"])


class _CompiledTemplates(jinja2.BytecodeCache):
    """A jinja2 bytecode cache kept in memory for the process.

    GX makes a new jinja2 environment for every view of every site build, so each unit's
    Data Docs compiled the same package templates again (half of the build's time). The pages
    are the same; only the compiling is done once. Keyed by template and source checksum.
    """

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self._lock:
            cached = self._code.get(bucket.key)
        if cached is not None and cached[0] == bucket.checksum:
            bucket.code = cached[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self._lock:
            self._code[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        with self._lock:
            self._code.clear()


_COMPILED_TEMPLATES = _CompiledTemplates()


def _compiled_once(base: type) -> type:
    """`base` (a GX jinja view) whose environment reuses the process's compiled templates."""

    class CompiledOnce(base):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.env.bytecode_cache = _COMPILED_TEMPLATES

    CompiledOnce.__name__ = CompiledOnce.__qualname__ = f"CompiledOnce{base.__name__}"
    CompiledOnce.__module__ = __name__
    return CompiledOnce


def __getattr__(name: str) -> type:
    # GX instantiates a site's views by module and class name; they are made on first use so
    # importing this module does not import great_expectations.
    if name in ("CompiledOnceJinjaPageView", "CompiledOnceJinjaIndexPageView"):
        from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView

        view = _compiled_once(DefaultJinjaPageView if name == "CompiledOnceJinjaPageView" else DefaultJinjaIndexPageView)
        globals()[name] = view
        return view
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
