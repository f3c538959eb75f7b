"""LED-011: Negative lines explain themselves as reversals, refunds or corrections (warning)."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, configured, valid

RULE = "LED-011"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[4, "summary"] = "项目支出"
    d.ledger.loc[4, "voucher_no"] = "记-9"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 6


def test_the_reversal_words_come_from_the_configuration(tmp_path):
    """A locality whose 红字 lines say 核销: once configured, such a line explains itself."""
    d = configured(tmp_path, "export_formats.yaml", lambda c: c["ledger"]["reversal_words"].append("核销"))
    d.ledger.loc[4, "summary"] = "核销项目支出"
    assert_passes(RULE, d)
    default = valid()
    default.ledger.loc[4, "summary"] = "核销项目支出"
    assert_fails_alone(RULE, default)
