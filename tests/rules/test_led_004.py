"""LED-004: Functional codes exist in the year's code list."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-004"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[2, "func_code"] = "2019999"
    result = assert_fails_alone(RULE, d, also=frozenset({"LED-022"}))   # unlisted too
    v = result.violations[0]
    assert (v.row, v.value) == (4, "2019999")
