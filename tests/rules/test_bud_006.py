"""BUD-006: Every budget row names its project."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "BUD-006"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.budget.loc[0, "project_code"] = ""
    d.ledger.loc[0, "project_code"] = ""
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 2
