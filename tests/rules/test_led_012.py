"""LED-012: Zero-amount lines are reported (info)."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, ledger_frame, valid

RULE = "LED-012"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger = pd.concat([d.ledger, ledger_frame([("basic_public", "30201", "GY", "111", 0, "作废分录")]).assign(voucher_no="记-99", source_row=99)], ignore_index=True)
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert result.severity == "info" and v.row == 99
