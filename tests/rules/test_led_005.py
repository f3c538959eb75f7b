"""LED-005: Fund sources exist in the code list."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-005"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[0, "fund_source"] = "99"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert (v.row, v.value) == (2, "99")
