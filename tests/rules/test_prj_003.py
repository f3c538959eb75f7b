"""PRJ-003: No project spends above its adjusted budget (warning)."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, ledger_frame, valid

RULE = "PRJ-003"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger = pd.concat([d.ledger, ledger_frame([("project", "30299", "P1", "111", 100_000, "项目追加支出")]).assign(voucher_no="记-31", source_row=31)], ignore_index=True)
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.column == "项目P1" and v.difference == "500.00元"
