"""国库集中支付凭证 → payments (code-name cells, 实际支付金额 wins, rejected rows named) and the per-project comparison."""

import datetime as dt

import pandas as pd

from flows.domain.ledger import LEDGER_COLUMNS
from flows.domain.payments import (
    COMPARISON_COLUMNS,
    PAYMENT_COLUMNS,
    empty_payments,
    parse_payment_table,
    payment_comparison_table,
)
from flows.domain.tables import RawTable, map_headers

FILE = "2024/payments/900001/支付凭证.csv"
ALIASES = {
    "voucher_no": ["支付凭证号"], "pay_date": ["凭证日期"], "unit_code": ["单位代码"],
    "func_code": ["支出功能分类科目代码"], "econ_code": ["部门支出经济分类代码"], "project_code": ["项目代码"],
    "amount": ["支付金额"], "paid_amount": ["实际支付金额"],
}
HEADER = ["支付凭证号", "凭证日期", "单位代码", "支出功能分类科目代码", "部门支出经济分类代码", "项目代码", "支付金额", "实际支付金额"]


def _parse(*rows, header=HEADER, labels=None):
    table = RawTable(FILE, [(1, ["国库集中支付凭证"]), (2, header), *((n, list(r)) for n, r in enumerate(rows, start=3))])
    required = ["voucher_no", "project_code", "amount"]
    mapped = map_headers(table, {k: v for k, v in ALIASES.items() if any(a in header for a in v)}, required, 5)
    return parse_payment_table(mapped, "900001", labels)


ROW = ["ZF2024-0001", "2024-03-05", "900001 测试单位", "2012901 行政运行", "30201 办公费", "P1 项目一", "1,234.50", ""]


def test_code_name_cells_and_thousands_separators():
    rows, skipped, rejected = _parse(ROW)
    assert not skipped and not rejected
    assert list(rows.columns) == list(PAYMENT_COLUMNS)
    [r] = rows.to_dict("records")
    assert (r["unit_code"], r["project_code"], r["func_code"], r["econ_code"]) == ("900001", "P1", "2012901", "30201")
    assert r["amount_fen"] == 123_450 and r["voucher_no"] == "ZF2024-0001"
    assert r["pay_date"] == pd.Timestamp(2024, 3, 5)
    assert (r["source_file"], r["source_row"]) == (FILE, 3)
    assert rows["amount_fen"].dtype == "int64" and rows["source_row"].dtype == "int64"


def test_the_actual_paid_amount_wins_when_filled():
    filled = ROW[:7] + ["1,000.00"]
    dashed = ROW[:7] + ["—"]
    rows, _, _ = _parse(filled, dashed, ROW)
    assert list(rows["amount_fen"]) == [100_000, 123_450, 123_450]


def test_without_an_actual_paid_column_the_amount_is_used():
    rows, _, rejected = _parse(ROW[:7], header=HEADER[:7])
    assert not rejected and list(rows["amount_fen"]) == [123_450]


def test_a_bad_amount_is_rejected_naming_the_column_and_row():
    bad = ROW[:6] + ["12.345", ""]
    rows, _, rejected = _parse(ROW, bad)
    assert len(rows) == 1
    [issue] = rejected
    assert (issue.file, issue.row, issue.column, issue.value) == (FILE, 4, "支付金额", "12.345")
    assert "两位小数" in issue.reason


def test_a_bad_actual_paid_amount_names_that_column():
    _, _, [issue] = _parse(ROW[:7] + ["abc"])
    assert (issue.row, issue.column) == (3, "实际支付金额")


def test_messages_use_the_files_own_header_words():
    _, _, [issue] = _parse(ROW[:6] + ["abc", ""], labels={"amount": "金额"})
    assert issue.column == "金额"


def test_bad_dates_blank_voucher_and_blank_project_are_rejected():
    bad_date = ["ZF2", "2024-02-30", *ROW[2:]]
    no_voucher = ["", *ROW[1:]]
    no_project = [*ROW[:5], "", *ROW[6:]]
    _, _, rejected = _parse(bad_date, no_voucher, no_project)
    assert [(i.row, i.column) for i in rejected] == [(3, "凭证日期"), (4, "支付凭证号"), (5, "项目代码")]


def test_blank_and_total_rows_are_skipped():
    total = ["合计", "", "", "", "", "", "1,234.50", ""]
    rows, skipped, rejected = _parse(ROW, [""] * 8, total)
    assert len(rows) == 1 and not rejected
    assert [(i.row, i.reason) for i in skipped] == [(4, "空行"), (5, "合计/小计行，不是支付凭证")]


def test_a_unit_code_from_the_folder_when_the_file_has_none():
    header = [h for h in HEADER if h != "单位代码"]
    rows, _, _ = _parse([c for i, c in enumerate(ROW) if i != 2], header=header)
    assert list(rows["unit_code"]) == ["900001"]


def _ledger(lines) -> pd.DataFrame:
    rows = [
        (2024, "900001", dt.date(2024, 5, n), f"记-{n}", 1, "7101", "2012901", "30201", "project", project, f"项目{project}",
         "111", fen, "支出", "2024/ledger/900001/凭证.csv", n + 1)
        for n, (project, fen) in enumerate(lines, start=1)
    ]
    frame = pd.DataFrame(rows, columns=list(LEDGER_COLUMNS))
    frame["posting_date"] = pd.to_datetime(frame["posting_date"])
    return frame


def _payments(lines) -> pd.DataFrame:
    rows = [("900001", f"ZF{n}", pd.Timestamp(2024, 5, n), project, "2012901", "30201", fen, FILE, row)
            for n, (project, fen, row) in enumerate(lines, start=1)]
    return pd.DataFrame(rows, columns=list(PAYMENT_COLUMNS))


def test_the_comparison_shows_each_projects_difference_and_first_payment_row():
    ledger = _ledger([("P1", 200_000), ("P1", -50_000), ("P2", 80_000), ("P3", 10_000)])
    payments = _payments([("P2", 30_000, 7), ("P1", 150_000, 5), ("P2", 40_000, 9), ("P4", 5_000, 12)])
    table = payment_comparison_table(payments, ledger)
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    by_code = {r["project_code"]: r for r in table.to_dict("records")}
    assert set(by_code) == {"P1", "P2", "P3", "P4"}
    assert (by_code["P1"]["paid_fen"], by_code["P1"]["spent_fen"], by_code["P1"]["difference_fen"]) == (150_000, 150_000, 0)
    p2 = by_code["P2"]
    assert (p2["paid_fen"], p2["spent_fen"], p2["difference_fen"], p2["payments"]) == (70_000, 80_000, -10_000, 2)
    assert (p2["project_name"], p2["first_source_file"], p2["first_source_row"]) == ("项目P2", FILE, 7)
    # Spent but never paid: located by its first ledger row.
    p3 = by_code["P3"]
    assert (p3["paid_fen"], p3["difference_fen"], p3["payments"], p3["first_source_row"]) == (0, -10_000, 0, 5)
    assert p3["first_source_file"] == "2024/ledger/900001/凭证.csv"
    # Paid but not in the books.
    assert (by_code["P4"]["difference_fen"], by_code["P4"]["project_name"], by_code["P4"]["first_source_row"]) == (5_000, "", 12)
    assert table["difference_fen"].dtype == "int64" and table["first_source_row"].dtype == "int64"


def test_no_payments_give_an_empty_comparison():
    table = payment_comparison_table(empty_payments(), _ledger([("P1", 100)]))
    assert table.empty and list(table.columns) == list(COMPARISON_COLUMNS)
    assert table["difference_fen"].dtype == "int64"


def test_parsed_payments_compare_with_the_ledger():
    rows, _, _ = _parse(ROW, ["ZF2", "2024-03-06", "900001", "2012901", "30201", "P1", "265.50", ""])
    table = payment_comparison_table(rows, _ledger([("P1", 150_000)]))
    assert table.to_dict("records")[0]["difference_fen"] == 0
