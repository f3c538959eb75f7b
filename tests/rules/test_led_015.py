"""LED-015: Subtotal rows never pass as voucher lines."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-015"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[2, "summary"] = "本月合计"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 4
