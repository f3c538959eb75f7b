"""LED-010: Every line has a 摘要 (warning)."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-010"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[1, "summary"] = " "
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert result.severity == "warning" and v.row == 3
