"""ING-001: A row that could not be read blocks the report (its totals would be incomplete)."""

import dataclasses  # noqa: F401

import pandas as pd  # noqa: F401

from tests.rules.rulekit import assert_fails_alone, assert_passes, budget_frame, ledger_frame, tampered, valid  # noqa: F401

RULE = "ING-001"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.rejected = pd.DataFrame([("2024/ledger/900001/凭证.csv", 7, "借方金额", "12.345", "金额超过两位小数")], columns=["file", "row", "column", "value", "reason"])
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert (v.file, v.row, v.column) == ("2024/ledger/900001/凭证.csv", 7, "借方金额")
