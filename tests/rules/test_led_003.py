"""LED-003: Economic codes exist in the year's code list."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-003"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[1, "econ_code"] = "39498"   # no class 394
    result = assert_fails_alone(RULE, d, also=frozenset({"LED-021"}))   # unlisted too
    v = result.violations[0]
    assert (v.row, v.value) == (3, "39498") and v.file.endswith("凭证.csv")
