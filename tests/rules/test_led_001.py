"""LED-001: Canonical ledger columns are exactly the declared ones."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-001"



def test_a_column_the_canonical_ledger_lacks_fails():
    d = valid()
    d.ledger["department"] = "机关"  # a column the canonical ledger does not have
    assert_fails_alone(RULE, d)
