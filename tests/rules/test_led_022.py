"""LED-022 (warning): a functional 项 code under a known 类 that the shipped list lacks."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "LED-022"



def test_unlisted_item_of_a_known_section_is_a_warning_not_a_block():
    d = valid()
    d.ledger.loc[2, "func_code"] = "2012988"     # 款 20129 群众团体事务 exists, 项 88 does not
    result = assert_fails_alone(RULE, d)
    assert result.severity == "warning"
    assert "functional.csv" in result.remedy and "config/" not in result.message
    v = result.violations[0]
    assert (v.row, v.value) == (4, "2012988")


def test_an_item_under_a_section_the_list_lacks_is_a_warning_too():
    d = valid()
    d.ledger.loc[2, "func_code"] = "2019801"    # 类 201 exists; 款 20198 is not in the shipped list
    assert assert_fails_alone(RULE, d).severity == "warning"


def test_malformed_code_or_unknown_class_is_critical():
    for bad in ("20199", "2A12901", "2462901"):   # a 款 posted as a 项; not digits; no 类 246
        d = valid()
        d.ledger.loc[2, "func_code"] = bad
        result = assert_fails_alone("LED-004", d, also=frozenset({RULE}))
        assert result.severity == "critical"
