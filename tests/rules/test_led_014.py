"""LED-014: No two identical lines in one voucher (warning)."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-014"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    extra = d.ledger.iloc[[1]].assign(line_no=2, source_row=50)
    d.ledger = pd.concat([d.ledger, extra], ignore_index=True)
    result = assert_fails_alone(RULE, d)
    assert {x.row for x in result.violations} == {3, 50}
