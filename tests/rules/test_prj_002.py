"""PRJ-002: Every project in the ledger has a budget (warning)."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, ledger_frame, valid

RULE = "PRJ-002"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger = pd.concat([d.ledger, ledger_frame([("project", "30299", "P3", "111", 10_000, "未列预算的项目")]).assign(voucher_no="记-30", source_row=30)], ignore_index=True)
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert (v.column, v.row) == ("项目P3", 30)
