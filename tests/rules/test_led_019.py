"""LED-019: Only 7101/7201 budget-spending accounts are loaded."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-019"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[0, "account_code"] = "8001"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 2
