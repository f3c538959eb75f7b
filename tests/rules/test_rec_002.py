"""REC-002: Basic + projects + other funds = total spending."""

from tests.rules.rulekit import assert_fails_alone, tampered, valid

RULE = "REC-002"



def test_a_line_of_an_unmapped_project_category_is_in_the_total_but_in_no_part():
    """An export's 项目类别 that config/export_formats.yaml does not map reaches the ledger as written."""
    d = valid()
    d.ledger.loc[1, "expense_type"] = "4"      # 120 元 of 办公用品 on a category nobody mapped
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert v.column == "basic_project_other" and v.difference == "-1200.00元"


def test_a_part_that_does_not_add_up_is_located():
    result = assert_fails_alone(RULE, valid(), tamper=tampered(other_funds_fen=lambda m: m.other_funds_fen + 100))
    assert result.violations[0].column == "basic_project_other"
