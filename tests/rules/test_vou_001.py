"""VOU-001: every 预算会计 voucher of an export carrying counterpart lines balances."""

from flows.domain.ledger import ParsedRows, voucher_balance_frame
from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "VOU-001"


def _vouchers(*lines):
    """(voucher, account, debit fen, credit fen, row) lines of one file that carries 8001 lines."""
    parsed = ParsedRows()
    for voucher, account, debit, credit, row in lines:
        entry = parsed.vouchers.setdefault(("900001", "2024-05", voucher), [0, 0, []])
        entry[0] += debit
        entry[1] += credit
        entry[2].append(("2024/ledger/900001/凭证.csv", row))
        if account == "8001":
            parsed.counterpart_files.add("2024/ledger/900001/凭证.csv")
    return voucher_balance_frame(parsed)


def test_valid_department_passes():
    d = valid()
    d.vouchers = _vouchers(("记-1", "7101", 500_000, 0, 2), ("记-1", "8001", 0, 500_000, 3))
    assert_passes(RULE, d)


def test_a_line_entered_twice_without_its_counterpart_names_the_voucher_and_its_lines():
    d = valid()
    d.vouchers = _vouchers(("记-1", "7101", 500_000, 0, 2), ("记-1", "8001", 0, 500_000, 3),
                           ("记-1", "7101", 500_000, 0, 4))
    result = assert_fails_alone(RULE, d)
    assert result.severity == "critical"
    v = result.violations[0]
    assert "记-1" in v.column and "第 2、3、4 行" in v.column
    assert v.difference == "5000.00元"
