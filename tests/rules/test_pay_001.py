"""PAY-001: 国库集中支付 equals the ledger's spending per budget project (warning).

rulekit's datasets do not hold `payments` yet, so this module builds them itself: rulekit's
valid department and its dataset building, plus a payments comparison frame.
"""

import pandas as pd
import pytest

from flows.adapters import quality_gx
from flows.adapters.quality_gx import run_suites
from flows.domain.metrics import compute_department_metrics
from flows.domain.payments import PAYMENT_COLUMNS, empty_payments, payment_comparison_table
from flows.domain.quality_inputs import quality_datasets
from tests.rules.rulekit import EXPECTATIONS, PROFILE, REFERENCE, valid

RULE = "PAY-001"
FILE = "2024/payments/900001/支付凭证.csv"
# The view quality_gx needs to locate a failing row of the `payments` dataset (to be added to _VIEWS).
PAYMENTS_VIEW = {"file": "first_source_file", "row": "first_source_row", "label": "project_code", "value": "paid_fen",
                 "expected": "spent_fen", "difference": "difference_fen", "unit": "fen"}


@pytest.fixture(autouse=True)
def _payments_view(monkeypatch):
    # Until the view is wired into quality_gx._VIEWS, supply it here; once it is there, use the real one.
    if "payments" not in quality_gx._VIEWS:
        monkeypatch.setitem(quality_gx._VIEWS, "payments", PAYMENTS_VIEW)


def _paid_as_spent(ledger: pd.DataFrame) -> pd.DataFrame:
    """One payment per project, equal to what the ledger spends on it."""
    spent = ledger.groupby("project_code", sort=False)["amount_fen"].sum()
    rows = [("900001", f"ZF{n}", pd.Timestamp(2024, 6, n), code, "2012901", "30299", int(fen), FILE, n + 1)
            for n, (code, fen) in enumerate(spent.items(), start=1)]
    return pd.DataFrame(rows, columns=list(PAYMENT_COLUMNS)).astype({"amount_fen": "int64", "source_row": "int64"})


def _run(payments: pd.DataFrame):
    d = valid()
    metrics = compute_department_metrics(d.ledger, d.budget, PROFILE, REFERENCE, 2024)
    datasets = quality_datasets(d.ledger, d.budget, metrics, d.rejected, d.declared)
    datasets["payments"] = payment_comparison_table(payments, d.ledger)
    results = run_suites(EXPECTATIONS, datasets, d.parameters, only_suites=frozenset({"payments"}))
    [result] = [r for r in results if r.rule_id == RULE]
    return result, {r.rule_id for r in results if not r.success}


def test_payments_equal_to_spending_pass():
    result, failed = _run(_paid_as_spent(valid().ledger))
    assert result.success, result.violations
    assert not failed


def test_no_payment_files_pass_trivially():
    result, _ = _run(empty_payments())
    assert result.success


def test_a_difference_fails_as_a_warning_naming_the_project():
    payments = _paid_as_spent(valid().ledger)
    p1 = payments["project_code"] == "P1"
    payments.loc[p1, "amount_fen"] -= 10_000
    result, failed = _run(payments)
    assert not result.success and failed == {RULE}
    assert result.severity == "warning" and result.category == "reconciliation"
    assert result.message == "国库集中支付金额与账簿支出不一致（按预算项目）"
    [v] = result.violations
    row = int(payments.loc[p1, "source_row"].iloc[0])
    assert (v.file, v.row, v.column, v.difference) == (FILE, row, "P1", "-100.00元")
    assert v.value == "1400.00元" and "支付金额等于账簿支出" in v.expected and "1500.00元" in v.expected
