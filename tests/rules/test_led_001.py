"""LED-001: Canonical ledger columns are exactly the declared ones."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-001"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger["department"] = "机关"  # a column the canonical ledger does not have
    assert_fails_alone(RULE, d)
