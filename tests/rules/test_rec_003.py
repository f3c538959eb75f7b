"""REC-003: 三公 items add up to the 三公 total."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, tampered, valid

RULE = "REC-003"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    result = assert_fails_alone(RULE, d, tamper=tampered(sangong_total_fen=lambda m: m.sangong_total_fen - 100))
    v = result.violations[0]
    assert v.column == "sangong_parts"
