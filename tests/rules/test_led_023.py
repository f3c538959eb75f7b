"""LED-023: a single voucher line is within the plausible size declared in the configuration."""

from tests.rules.rulekit import REFERENCE, assert_fails_alone, valid

RULE = "LED-023"



def test_a_line_beyond_the_declared_bound_blocks_with_the_row_located():
    d = valid()
    d.ledger.loc[1, "amount_fen"] = REFERENCE.max_line_amount_fen + 1
    result = assert_fails_alone(RULE, d)
    assert result.severity == "critical"
    assert result.violations[0].row == 3


def test_a_negative_line_beyond_the_bound_blocks_too():
    d = valid()
    d.ledger.loc[4, "amount_fen"] = -REFERENCE.max_line_amount_fen - 1
    assert assert_fails_alone(RULE, d).violations[0].row == 6
