"""LED-013: No voucher is dated after the export was made."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-013"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.parameters["export_date"] = pd.Timestamp(2024, 5, 3)
    result = assert_fails_alone(RULE, d)
    assert {x.row for x in result.violations} == {5, 6, 7}
