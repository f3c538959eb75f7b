"""BUD-005: A department has budget rows."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "BUD-005"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.budget = d.budget.iloc[0:0]
    assert_fails_alone(RULE, d)
