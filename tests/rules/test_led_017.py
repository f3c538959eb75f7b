"""LED-017: Year-end closing vouchers are not spending."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-017"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[1, "summary"] = "期末结转本年行政支出"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 3
