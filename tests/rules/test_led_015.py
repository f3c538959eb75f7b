"""LED-015: Subtotal rows never pass as voucher lines."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, configured, valid

RULE = "LED-015"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[2, "summary"] = "本月合计"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 4


def test_the_subtotal_markers_come_from_the_configuration(tmp_path):
    """An export family that writes 期间合计 on its subtotal rows: once configured, such a line is caught."""
    d = configured(tmp_path, "export_formats.yaml", lambda c: c["ledger"]["subtotal_markers"].append("期间合计"))
    d.ledger.loc[2, "summary"] = "期间合计"
    assert assert_fails_alone(RULE, d).violations[0].row == 4
    default = valid()
    default.ledger.loc[2, "summary"] = "期间合计"
    assert_passes(RULE, default)
