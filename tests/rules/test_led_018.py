"""LED-018: 三公 items are booked on 财政拨款 funds (warning)."""

from tests.rules.rulekit import assert_fails_alone, assert_passes, configured, valid

RULE = "LED-018"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[2, "fund_source"] = "29"
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.row == 4


def test_the_sangong_codes_come_from_the_configuration(tmp_path):
    """A locality that counts 30211 差旅费 in a 三公 item: such a line on non-fiscal funds is flagged."""
    def count_travel(evaluation):
        evaluation["sangong_items"][0]["econ_codes"].append("30211")

    d = configured(tmp_path, "evaluation.yaml", count_travel)
    d.ledger.loc[1, ["econ_code", "fund_source"]] = ["30211", "29"]
    assert assert_fails_alone(RULE, d).violations[0].row == 3
    default = valid()
    default.ledger.loc[1, ["econ_code", "fund_source"]] = ["30211", "29"]
    assert_passes(RULE, default)
