"""LED-002: Amounts are integer fen."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-002"



def test_amounts_not_held_in_integer_fen_fail():
    d = valid()
    d.ledger["amount_fen"] = d.ledger["amount_fen"].astype("float64")
    assert_fails_alone(RULE, d)
