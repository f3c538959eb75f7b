"""LED-017: Year-end closing vouchers are not spending."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, configured, valid

RULE = "LED-017"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[1, "summary"] = "期末结转本年行政支出"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 3


def test_the_closing_words_come_from_the_configuration(tmp_path):
    """A locality whose closing vouchers say 转入结余: once configured, such a line blocks."""
    d = configured(tmp_path, "export_formats.yaml", lambda c: c["ledger"]["closing_words"].append("转入结余"))
    d.ledger.loc[1, "summary"] = "本年支出转入结余"
    assert assert_fails_alone(RULE, d).violations[0].row == 3
    default = valid()
    default.ledger.loc[1, "summary"] = "本年支出转入结余"
    assert_passes(RULE, default)
