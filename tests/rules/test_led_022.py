"""LED-022 (warning): a functional 项 code whose 类 and 款 exist but that the shipped list lacks."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "LED-022"


def test_valid_department_passes():
    assert_passes(RULE)


def test_unlisted_item_of_a_known_section_is_a_warning_not_a_block():
    d = valid()
    d.ledger.loc[2, "func_code"] = "2012988"     # 款 20129 群众团体事务 exists, 项 88 does not
    result = assert_fails_alone(RULE, d)
    assert result.severity == "warning"
    assert "functional.csv" in result.message
    v = result.violations[0]
    assert (v.row, v.value) == (4, "2012988")


def test_malformed_or_unknown_section_is_critical():
    d = valid()
    d.ledger.loc[2, "func_code"] = "20199"      # a 款 posted where a 项 belongs
    result = assert_fails_alone("LED-004", d, also=frozenset({RULE}))
    assert result.severity == "critical"
