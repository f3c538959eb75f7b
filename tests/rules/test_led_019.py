"""LED-019: Only 7101/7201 budget-spending accounts are loaded."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, configured, valid

RULE = "LED-019"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[0, "account_code"] = "8001"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 2


def test_the_spending_accounts_come_from_the_configuration(tmp_path):
    """A province that also books 7301 经营支出 as spending accepts the line the default rejects."""
    d = configured(tmp_path, "export_formats.yaml", lambda c: c["ledger"]["spending_accounts"].append("7301"))
    d.ledger.loc[0, "account_code"] = "7301"
    assert_passes(RULE, d)
    default = valid()
    default.ledger.loc[0, "account_code"] = "7301"
    assert_fails_alone(RULE, default)
