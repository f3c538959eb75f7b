"""LED-004: Functional codes are well-formed 项 codes under a 类 of the year's code list."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-004"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[2, "func_code"] = "2469999"   # no 类 246
    result = assert_fails_alone(RULE, d, also=frozenset({"LED-022"}))   # unlisted too
    v = result.violations[0]
    assert (v.row, v.value) == (4, "2469999")
