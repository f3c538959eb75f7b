"""LED-011: Negative lines explain themselves as reversals, refunds or corrections (warning)."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-011"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[4, "summary"] = "项目支出"
    d.ledger.loc[4, "voucher_no"] = "记-9"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 6
