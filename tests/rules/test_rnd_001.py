"""RND-001: A printed rounding difference (尾差) is reported as info, never hidden."""

from tests.rules.rulekit import assert_fails_alone, valid

RULE = "RND-001"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger.loc[0, "amount_fen"] = 505_000  # 0.505 万元 prints as 0.51
    d.ledger.loc[1, "amount_fen"] = 125_000  # 302 becomes 0.375 → 0.38
    result = assert_fails_alone(RULE, d)
    assert result.severity == "info"
    assert {x.column for x in result.violations} >= {"按经济分类支出表"}
