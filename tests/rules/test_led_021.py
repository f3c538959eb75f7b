"""LED-021 (warning): an economic 款 code whose 类 exists but that the shipped code list lacks."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-021"



def test_unlisted_section_of_a_known_class_is_a_warning_with_the_row_located():
    d = valid()
    d.ledger.loc[1, "econ_code"] = "30298"
    result = assert_fails_alone(RULE, d)
    assert result.severity == "warning"
    assert "economic.csv" in result.remedy and "config/" not in result.message
    v = result.violations[0]
    assert (v.row, v.value) == (3, "30298")
