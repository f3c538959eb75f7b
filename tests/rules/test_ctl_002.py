"""CTL-002: last year's figures, as this year's report prints them, equal last year's declared totals."""

from __future__ import annotations

import pandas as pd

from flows.adapters.quality_gx import run_suites
from flows.domain.control_totals import DECLARED_COLUMNS
from flows.domain.metrics import compute_department_metrics
from flows.domain.quality_inputs import quality_datasets
from tests.rules.rulekit import EXPECTATIONS, PROFILE, REFERENCE, valid


def _declared_last_year(fen: int) -> pd.DataFrame:
    rows = [("900001", "支出合计", fen, "2023/control_totals/决算控制数.csv", 2)]
    return pd.DataFrame(rows, columns=list(DECLARED_COLUMNS)).astype({"amount_fen": "int64", "source_row": "int64"})


def _result(declared_fen: int | None):
    d = valid()
    metrics = compute_department_metrics(d.ledger, d.budget, PROFILE, REFERENCE, 2024)
    last_year = compute_department_metrics(d.ledger.iloc[1:], d.budget, PROFILE, REFERENCE, 2023)
    declared = None if declared_fen is None else _declared_last_year(declared_fen)
    datasets = quality_datasets(d.ledger, d.budget, metrics, d.rejected, d.declared, d.vouchers,
                                prior_metrics=last_year, prior_declared=declared)
    [result] = run_suites(EXPECTATIONS, datasets, d.parameters, only_suites=frozenset({"prior_control_totals"}))
    return result, last_year


def test_a_prior_year_figure_that_disagrees_with_its_declared_total_is_named():
    result, last_year = _result(declared_fen=123_456)
    assert not result.success and result.severity == "warning"
    [v] = result.violations
    assert (v.file, v.row, v.column) == ("2023/control_totals/决算控制数.csv", 2, "支出合计")
    assert v.difference == f"{(last_year.actual_fen - 123_456) / 100:.2f}元"


def test_agreeing_or_absent_prior_year_totals_pass():
    result, last_year = _result(declared_fen=None)
    assert result.success
    agreeing, _ = _result(declared_fen=last_year.actual_fen)
    assert agreeing.success
