"""LED-002: Amounts are integer fen."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-002"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger["amount_fen"] = d.ledger["amount_fen"].astype("float64")
    assert_fails_alone(RULE, d)
