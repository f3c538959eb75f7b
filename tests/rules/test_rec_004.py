"""REC-004: 人员经费 + 公用经费 = 基本支出."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, tampered, valid

RULE = "REC-004"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    result = assert_fails_alone(RULE, d, tamper=tampered(personnel_fen=lambda m: m.personnel_fen + 100))
    v = result.violations[0]
    assert v.column == "personnel_public"
