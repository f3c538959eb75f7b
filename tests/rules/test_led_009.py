"""LED-009: Project spending carries its project code."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-009"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[3, "project_code"] = ""
    d.budget = d.budget  # the budget is unchanged
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 5
