"""REC-002: Basic + projects + other funds = total spending."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, tampered, valid

RULE = "REC-002"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    result = assert_fails_alone(RULE, d, tamper=tampered(other_funds_fen=lambda m: m.other_funds_fen + 100))
    v = result.violations[0]
    assert v.column == "basic_project_other"
