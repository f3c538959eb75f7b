"""LED-020: 摘要 with control characters is reported (warning); reports show them as visible pictures."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-020"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[1, "summary"] = "购买办公用品\x07\x0b"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 3 and "\x07" in v.value


def test_a_direction_override_in_a_summary_is_reported():
    d = valid()
    d.ledger.loc[1, "summary"] = "购买办公用品\u202e（反向）"
    result = assert_fails_alone(RULE, d)
    assert result.violations[0].row == 3
