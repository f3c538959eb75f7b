"""BUD-005: A department has budget rows."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "BUD-005"



def test_an_empty_budget_fails():
    d = valid()
    d.budget = d.budget.iloc[0:0]
    assert_fails_alone(RULE, d)
