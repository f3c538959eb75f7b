"""LED-008: A voucher line (voucher no + line no) appears once."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-008"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger = pd.concat([d.ledger, d.ledger.iloc[[2]]], ignore_index=True)
    # An exact copy of a line is also an identical line within its voucher.
    result = assert_fails_alone(RULE, d, also=frozenset({"LED-014"}))
    assert {x.row for x in result.violations} == {4}
