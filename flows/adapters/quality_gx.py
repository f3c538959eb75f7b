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
            # A suite run over several units' rows only needs to know whose rows failed.
            locators = [definition["meta"]["batched_by"]] if "batched_by" in definition["meta"] else _locators(dataset)
            checkpoint = context.checkpoints.add(gx.Checkpoint(
                name=f"{definition['name']}-checkpoint", validation_definitions=[validation], actions=[],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": locators},
            ))
            suites.append(_Suite(definition["name"], dataset, checkpoint))
        return _Checkpoints(context, tuple(suites))


def _locators(dataset: str) -> list[str]:
    view = _VIEWS[dataset]
    return [view[k] for k in ("file", "row", "label", "value", "expected", "difference") if k in view]


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


@dataclass(frozen=True, slots=True)
class UnitValidation:
    """One unit's part of a call that validates several units together (`run_suites_together`)."""

    datasets: Mapping[str, pd.DataFrame]
    parameters: Mapping[str, object]
    docs_dir: Path | None
    run_name: str


# The unit's place in a batch, a column of the rows validated together.
_BATCH_COLUMN = "__jixiao_unit__"
_BATCHED, _ALONE = "__batched", "__alone"
# Expectations whose verdict on a unit's rows depends on those rows alone, one row at a time
# (uniqueness is made per unit by adding the unit's column): run once over many units' rows, a
# unit passes exactly when none of the failing rows is its own. Table-level rules (column set,
# dtype, row counts) and a `mostly` threshold do not split that way and run per unit.
_ROW_WISE = frozenset({
    "expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex",
    "expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between", "expect_compound_columns_to_be_unique",
})


@dataclass(frozen=True, slots=True)
class _Split:
    """Which expectations of one suite run over the batch's rows and which on each unit's own."""

    name: str
    dataset: str
    batched: tuple[int, ...]
    alone: tuple[int, ...]
    expectations: tuple[dict, ...]          # as substituted (row conditions as pandas query text)


def run_suites_together(expectations_dir: Path, units: list[UnitValidation]) -> list[list[RuleResult]]:
    """`run_suites` for several units at once, each unit's results exactly as `run_suites` gives them.

    GX's cost is mostly a fixed price per expectation run, whatever the rows (about 14 ms), so
    the row-wise expectations of each suite are run once over the rows of all units that share
    their parameters, the unit as a column. A unit none of whose rows failed there gets, per
    expectation, the result GX gives on its own rows (its counts recomputed from them); the
    rest of the suite runs on its own rows. A unit with a failing row in a suite has that suite
    run again on its own rows, so its failing rows, counts and messages come from GX as before.
    Each unit's Data Docs hold its own results only.
    """
    results: list[list[RuleResult] | None] = [None] * len(units)
    for members, (definitions, shared) in _groups(expectations_dir, units).items():
        group = [units[i] for i in members]
        for index, unit_results in zip(members, _validate_group(expectations_dir, definitions, group, shared), strict=True):
            results[index] = unit_results
    return [r if r is not None else [] for r in results]


def _groups(expectations_dir: Path, units: list[UnitValidation]) -> dict[tuple[int, ...], tuple[tuple[dict, ...], frozenset[str]]]:
    """Units whose substituted suites are the same, with those suites and the parameters they all share."""
    by_key: dict[tuple, tuple[tuple[dict, ...], list[int]]] = {}
    for i, unit in enumerate(units):
        definitions = _selected(expectations_dir, unit.parameters, None)
        by_key.setdefault(_cache_key(expectations_dir, definitions), (definitions, []))[1].append(i)
    groups = {}
    for definitions, members in by_key.values():
        first = units[members[0]].parameters
        groups[tuple(members)] = definitions, frozenset(
            name for name, value in first.items()
            if all(_same(units[i].parameters.get(name, _MISSING), value) for i in members[1:]))
    return groups


_MISSING = object()


def _same(a: object, b: object) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return False


def _parameter_names(value: object) -> set[str]:
    if isinstance(value, Mapping):
        if "$PARAMETER" in value:
            return {str(value["$PARAMETER"])}
        return set().union(*(_parameter_names(v) for v in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(_parameter_names(v) for v in value))
    return set()


def _batchable(expectation: Mapping, shared: frozenset[str]) -> bool:
    kwargs = expectation.get("kwargs", {})
    return (expectation["type"] in _ROW_WISE and "mostly" not in kwargs
            and _parameter_names(kwargs) <= shared)


def _split(definitions: tuple[dict, ...], shared: frozenset[str]) -> tuple[tuple[_Split, ...], tuple[dict, ...]]:
    """Each suite's split, and the suites to register for it: the batched part (uniqueness per
    unit, failing rows named by their unit) and the part each unit runs alone."""
    splits, derived = [], []
    for definition in definitions:
        expectations = definition["expectations"]
        batched = tuple(i for i, e in enumerate(expectations) if _batchable(e, shared))
        alone = tuple(i for i in range(len(expectations)) if i not in batched)
        splits.append(_Split(definition["name"], definition["meta"]["dataset"], batched, alone, tuple(expectations)))
        if batched and alone:
            derived.append({**definition, "name": definition["name"] + _ALONE,
                            "expectations": [expectations[i] for i in alone]})
        if batched:
            derived.append({**definition, "name": definition["name"] + _BATCHED,
                            "meta": {**definition["meta"], "batched_by": _BATCH_COLUMN},
                            "expectations": [_per_unit(expectations[i]) for i in batched]})
    return tuple(splits), tuple(derived)


def _per_unit(expectation: dict) -> dict:
    kwargs = expectation["kwargs"]
    if "column_list" not in kwargs:
        return expectation
    return {**expectation, "kwargs": {**kwargs, "column_list": [*kwargs["column_list"], _BATCH_COLUMN]}}


def _validate_group(expectations_dir: Path, definitions: tuple[dict, ...], units: list[UnitValidation],
                    shared: frozenset[str]) -> list[list[RuleResult]]:
    from great_expectations.core.run_identifier import RunIdentifier

    splits, derived = _split(definitions, shared)
    key = _cache_key(expectations_dir, definitions)
    split_key = (*_cache_key(expectations_dir, derived), tuple((s.batched, s.alone) for s in splits))
    full = _borrow(key, definitions)
    parts = _borrow(split_key, derived) if derived else None
    clean = False
    try:
        suites = {suite.name: suite for suite in (*full.suites, *(parts.suites if parts else ()))}
        passed = {split.name: _passing_units(suites, split, units) for split in splits if split.batched}
        if parts is not None:
            _forget_results(parts.context)
        out = []
        for i, unit in enumerate(units):
            _forget_results(full.context)
            unit_results = []
            for split in splits:
                frame = unit.datasets[split.dataset]
                run_id = RunIdentifier(run_name=unit.run_name)           # a run time per suite, as run_suites
                if split.batched and i in passed[split.name]:
                    suite_result = _assembled(full.context, suites, split, frame, unit, passed[split.name][i], run_id)
                else:
                    suite_result = _run_alone(suites[split.name], frame, unit.parameters, run_id)
                unit_results += [_rule_result(split.name, split.dataset, r, frame) for r in suite_result.results]
            if unit.docs_dir is not None:
                _build_data_docs(full.context, unit.docs_dir)
            _forget_results(full.context)
            if parts is not None:
                _forget_results(parts.context)
            out.append(unit_results)
        clean = True
    finally:
        if clean:
            _give_back(key, full)
            if parts is not None:
                _give_back(split_key, parts)
    return out


def _run_alone(suite: _Suite, frame: pd.DataFrame, parameters: Mapping[str, object], run_id):
    outcome = suite.checkpoint.run(batch_parameters={"dataframe": frame},
                                   expectation_parameters=dict(parameters), run_id=run_id)
    [suite_result] = outcome.run_results.values()
    return suite_result


def _passing_units(suites: Mapping[str, _Suite], split: _Split, units: list[UnitValidation]) -> dict[int, Any]:
    """The units none of whose rows failed the suite's batched expectations, each with the batch
    run's results to take the shape of its own from. Only units whose frames have the same
    columns and dtypes are put together (a concatenation must not change a value's type)."""
    from great_expectations.core.run_identifier import RunIdentifier

    by_dtypes: dict[tuple, list[int]] = {}
    for i, unit in enumerate(units):
        frame = unit.datasets[split.dataset]
        by_dtypes.setdefault(tuple((str(c), str(t)) for c, t in frame.dtypes.items()), []).append(i)
    passing = {}
    for members in by_dtypes.values():
        if len(members) < 2:
            continue
        rows = pd.concat([units[i].datasets[split.dataset].assign(**{_BATCH_COLUMN: i}) for i in members],
                         ignore_index=True)
        batch = _run_alone(suites[split.name + _BATCHED], rows, units[members[0]].parameters,
                           RunIdentifier(run_name="batch"))
        failed: set[int] = set()
        for result in batch.results:
            if result.success:
                continue
            located = [row for row in (result.result or {}).get("unexpected_index_list") or [] if isinstance(row, Mapping)]
            if (result.exception_info or {}).get("raised_exception") or not located:
                failed = set(members)                    # no rows to blame: every unit runs alone
                break
            failed |= {int(row[_BATCH_COLUMN]) for row in located}
        passing.update({i: batch for i in members if i not in failed})
    return passing


def _assembled(context, suites: Mapping[str, _Suite], split: _Split, frame: pd.DataFrame, unit: UnitValidation,
               batch, run_id):
    """The unit's result of the whole suite, as GX would give it on the unit's own rows: the
    batched expectations' results with the unit's own counts, the others run on its rows; kept
    in the unit's results store for its Data Docs."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.execution_engine.pandas_execution_engine import hash_pandas_dataframe

    alone = _run_alone(suites[split.name + _ALONE], frame, unit.parameters, run_id) if split.alone else None
    by_index = _by_index(split, split.alone, alone.results) if alone is not None else {}
    batch_id = f"jixiao-{split.name}"
    for result in by_index.values():                  # named as a run of the whole suite names it
        result.expectation_config.kwargs["batch_id"] = batch_id
    for index, result in _by_index(split, split.batched, batch.results).items():
        config = result.expectation_config
        kwargs = {**config.kwargs, "batch_id": batch_id}
        if "column_list" in kwargs:
            kwargs["column_list"] = [c for c in kwargs["column_list"] if c != _BATCH_COLUMN]
        by_index[index] = ExpectationValidationResult(
            success=True, expectation_config=type(config)(**{**config.to_json_dict(), "kwargs": kwargs}),
            result=_own_counts(result.result, config.type, split.expectations[index]["kwargs"], frame, split.dataset),
            meta=dict(result.meta or {}), exception_info=dict(result.exception_info or {}),
        )
    results = [by_index[i] for i in _gx_order(split.expectations)]
    meta = json.loads(json.dumps(dict((alone or batch).meta), default=str))
    meta["batch_markers"] = {**meta.get("batch_markers", {}), "pandas_data_fingerprint": hash_pandas_dataframe(frame)}
    meta["active_batch_definition"] = {**meta.get("active_batch_definition", {}), "data_asset_name": split.name}
    full_run = suites[split.name].checkpoint
    meta.update(run_id=run_id, validation_time=run_id.run_time, checkpoint_id=full_run.id,
                validation_id=full_run.validation_definitions[0].id)
    successes = sum(bool(r.success) for r in results)
    suite_result = ExpectationSuiteValidationResult(
        success=successes == len(results), results=results, suite_name=split.name, meta=meta, batch_id=batch_id,
        statistics={"evaluated_expectations": len(results), "successful_expectations": successes,
                    "unsuccessful_expectations": len(results) - successes,
                    "success_percent": successes / len(results) * 100 if results else None},
    )
    context.validation_results_store.store_validation_results(
        suite_validation_result=suite_result,
        suite_validation_result_identifier=ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=split.name), run_id=run_id, batch_identifier=batch_id),
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=split.name),
    )
    return suite_result


def _by_index(split: _Split, indexes: tuple[int, ...], results) -> dict[int, Any]:
    """Results of a part of the suite by their place in the whole suite (GX returns them grouped
    by column, not in the suite's order); an expectation is known by its type and meta."""
    places = {(split.expectations[i]["type"], json.dumps(split.expectations[i].get("meta"), sort_keys=True)): i
              for i in indexes}
    found = {places[(r.expectation_config.type, json.dumps(r.expectation_config.meta, sort_keys=True))]: r
             for r in results}
    if len(found) != len(indexes):
        raise RuntimeError(f"suite {split.name}: results of the part run could not be matched to its expectations")
    return found


def _gx_order(expectations: tuple[dict, ...]) -> list[int]:
    """The order GX gives a suite's results in: grouped by column, columns in order of first use
    (Validator.process_expectations_for_validation), expectations without one column together."""
    groups: dict[str, list[int]] = {}
    for i, expectation in enumerate(expectations):
        column = expectation.get("kwargs", {}).get("column")
        groups.setdefault(column if isinstance(column, str) else "\0", []).append(i)
    return [i for members in groups.values() for i in members]


def _own_counts(batch_result: Mapping | None, kind: str, kwargs: Mapping, frame: pd.DataFrame, dataset: str) -> dict:
    """A passed row-wise expectation's result on the unit's own rows: GX's counts and shares
    (its rules for an empty frame included), no unexpected rows."""
    rows = frame
    if kwargs.get("row_condition"):
        rows = frame.query(kwargs["row_condition"], parser=kwargs.get("condition_parser") or "pandas")
    if kind == "expect_compound_columns_to_be_unique":
        missing = int(rows[list(kwargs["column_list"])].isna().all(axis=1).sum())
    else:
        missing = int(rows[kwargs["column"]].isna().sum())
    element = len(rows)
    present = element - missing
    share = lambda part, whole: part / whole * 100 if whole > 0 else None  # GX's percent, None of nothing
    result = dict(batch_result or {})
    result.update(element_count=element, unexpected_count=0, missing_count=missing,
                  unexpected_percent=share(0, present) if element > 0 else None,
                  missing_percent=share(missing, element), unexpected_percent_total=share(0, element),
                  unexpected_percent_nonmissing=share(0, present) if element > 0 else None,
                  partial_unexpected_list=[], partial_unexpected_counts=[], partial_unexpected_index_list=[],
                  unexpected_list=[], unexpected_index_list=[], unexpected_index_column_names=_locators(dataset))
    if "unexpected_index_query" in result:
        result["unexpected_index_query"] = "df.filter(items=[], axis=0)"
    return result


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
