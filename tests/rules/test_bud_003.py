"""BUD-003: Budget 项目类别 maps to basic or project spending."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "BUD-003"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.budget.loc[2, "expense_type"] = ""
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 4
