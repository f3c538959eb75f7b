"""CTL-001: Ledger figures equal the control totals declared by the 决算 system."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "CTL-001"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.declared.loc[0, "amount_fen"] = 860_000
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert (v.column, v.row, v.difference) == ("支出合计", 2, "100.00元")
