"""BUD-007 (warning): a budget economic 款 code whose 类 exists but that the shipped list lacks."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "BUD-007"



def test_unlisted_section_is_a_warning_with_the_row_located():
    d = valid()
    d.budget.loc[0, "econ_code"] = "30298"
    result = assert_fails_alone(RULE, d)
    assert result.severity == "warning"
    assert result.violations[0].row == 2
