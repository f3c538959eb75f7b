"""ING-001: A row that could not be read blocks the report (its totals would be incomplete)."""

from flows.domain.ledger import RowIssue
from tests.rules.rulekit import assert_fails_alone, valid

RULE = "ING-001"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.rejected = [RowIssue("2024/ledger/900001/凭证.csv", 7, "借方金额", "12.345", "金额超过两位小数")]
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert (v.file, v.row, v.column) == ("2024/ledger/900001/凭证.csv", 7, "借方金额")
