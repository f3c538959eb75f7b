"""LED-008: A voucher line (voucher no + line no) appears once."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-008"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger = pd.concat([d.ledger, d.ledger.iloc[[2]]], ignore_index=True)
    # An exact copy of a line is also an identical line within its voucher.
    result = assert_fails_alone(RULE, d, also=frozenset({"LED-014"}))
    assert {x.row for x in result.violations} == {4}


def test_numbers_that_restart_each_month_are_not_duplicates():
    d = valid()
    copy = d.ledger.iloc[[2]].copy()
    copy["posting_date"] = copy["posting_date"] + pd.DateOffset(months=1)   # 记-3 again, next month
    copy["summary"] = "下月的另一张凭证"
    d.ledger = pd.concat([d.ledger, copy], ignore_index=True)
    assert_passes(RULE, d)
