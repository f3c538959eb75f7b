"""BUD-001: Budget economic codes exist in the code list."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "BUD-001"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.budget.loc[0, "econ_code"] = "39499"   # no class 394
    result = assert_fails_alone(RULE, d, also=frozenset({"BUD-007"}))   # unlisted too
    v = result.violations[0]
    assert v.row == 2
