"""LED-006: Every line is basic (人员/公用) or project spending."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-006"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[0, "expense_type"] = ""
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 2
