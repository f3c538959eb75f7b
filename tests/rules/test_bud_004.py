"""BUD-004: Budget rows say where they come from (年初/追加/调减/结转)."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "BUD-004"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.budget.loc[3, "source_type"] = "unknown"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 5
