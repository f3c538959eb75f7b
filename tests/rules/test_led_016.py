"""LED-016: Every line has a voucher number."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-016"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[0, "voucher_no"] = ""
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 2
