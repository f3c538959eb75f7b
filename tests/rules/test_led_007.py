"""LED-007: Voucher dates fall inside the fiscal year."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-007"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[3, "posting_date"] = pd.Timestamp(2023, 12, 31)
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 5
