"""BUD-002: Budget fund sources exist in the code list."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "BUD-002"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.budget.loc[1, "fund_source"] = "77"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 3
