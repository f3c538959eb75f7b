"""Ledger cells → canonical rows: dates, codes, subtotals, 红字, rejected rows with reasons."""

import datetime as dt

import pytest

from flows.domain.errors import InputError
from flows.domain.ledger import (
    LedgerRules,
    ParsedRows,
    is_subtotal_row,
    normalise_voucher_no,
    parse_ledger_table,
    parse_posting_date,
)
from flows.domain.tables import RawTable, map_headers, split_code_name

RULES = LedgerRules(("7101", "7201"), {"1": "basic_personnel", "2": "basic_public", "3": "project"}, ("合计", "本月合计", "小计"))
ALIASES = {
    "posting_date": ["凭证日期", "日期"], "voucher_no": ["凭证号"], "account_code": ["科目编码"], "debit": ["借方金额"],
    "credit": ["贷方金额"], "summary": ["摘要"], "econ_code": ["部门支出经济分类"], "func_code": ["支出功能分类"],
    "project_code": ["预算项目"], "project_category": ["项目类别"], "fund_source": ["资金性质"],
}
HEADER = ["凭证日期", "凭证号", "科目编码", "借方金额", "贷方金额", "摘要", "部门支出经济分类", "支出功能分类", "预算项目", "项目类别", "资金性质"]


def _table(*rows):
    return RawTable("t.csv", [(1, HEADER), *((n, r) for n, r in enumerate(rows, start=2))])


def _parse(*rows) -> ParsedRows:
    mapped = map_headers(_table(*rows), ALIASES, list(ALIASES), 5)
    parsed = ParsedRows()
    parse_ledger_table(mapped, RULES, 2024, "312001", parsed)
    return parsed


ROW = ["2024-03-05", "12", "7101", "1,234.50", "", "办公用品", "30201 办公费", "2012901", "GY01 日常公用经费", "2", "111"]


@pytest.mark.parametrize("text", ["2024-03-05", "2024/3/5", "2024.03.05", "20240305", "2024年3月5日", "２０２４-０３-０５", "2024-03-05 00:00:00"])
def test_dates_in_exported_formats(text):
    assert parse_posting_date(text) == dt.date(2024, 3, 5)


@pytest.mark.parametrize("text", ["2024-02-30", "2024-13-01", "05/03/2024", "三月五日", ""])
def test_invalid_dates_raise(text):
    with pytest.raises(ValueError):
        parse_posting_date(text)


@pytest.mark.parametrize(
    ("cell", "code", "name"),
    [("30201 办公费", "30201", "办公费"), ("30201-办公费", "30201", "办公费"), ("30201", "30201", ""),
     ("办公费", "", "办公费"), ("TS2024008 团代会项目", "TS2024008", "团代会项目"), ("", "", "")],
)
def test_split_code_name(cell, code, name):
    assert split_code_name(cell) == (code, name)


def test_voucher_numbers_have_one_spelling():
    assert normalise_voucher_no("记", "0012") == normalise_voucher_no("", "记-12") == "记-12"


def test_subtotal_rows_are_recognised():
    assert is_subtotal_row(["本月合计", "", ""], RULES.subtotal_markers)
    assert is_subtotal_row(["", "合计", ""], RULES.subtotal_markers)
    assert not is_subtotal_row(ROW, RULES.subtotal_markers)


def test_a_row_becomes_one_canonical_line_in_fen():
    parsed = _parse(ROW)
    assert parsed.rows_loaded == 1
    line = {name: values[0] for name, values in parsed.columns.items()}
    assert line["amount_fen"] == 123450
    assert line["econ_code"] == "30201" and line["project_code"] == "GY01" and line["project_name"] == "日常公用经费"
    assert line["expense_type"] == "basic_public" and line["voucher_no"] == "12" and line["line_no"] == 1
    assert (line["source_file"], line["source_row"]) == ("t.csv", 2)


def test_red_entries_and_credits_are_negative():
    red = [*ROW[:3], "-1,234.50", "", *ROW[5:]]
    credit = [*ROW[:3], "", "300.00", *ROW[5:]]
    assert _parse(red, credit).columns["amount_fen"] == [-123450, -30000]


def test_rows_read_equal_loaded_plus_skipped_plus_rejected():
    subtotal = ["本月合计", "", "", "1,234.50", "", "", "", "", "", "", ""]
    other_account = ["2024-03-05", "12", "8001", "", "1,234.50", "资金结存", "", "", "", "", ""]
    bad_amount = [*ROW[:3], "12.345", *ROW[4:]]
    bad_date = ["2024-02-30", *ROW[1:]]
    parsed = _parse(ROW, subtotal, other_account, bad_amount, bad_date, [""] * 11)
    assert parsed.rows_read == 6
    assert (parsed.rows_loaded, len(parsed.skipped), len(parsed.rejected)) == (1, 3, 2)
    reasons = {(issue.row, issue.column) for issue in parsed.rejected}
    assert reasons == {(5, "借方金额"), (6, "凭证日期")}


def test_missing_column_names_file_and_column():
    table = RawTable("x.csv", [(1, [h for h in HEADER if h != "借方金额"]), (2, ROW[:10])])
    with pytest.raises(InputError) as error:
        map_headers(table, ALIASES, list(ALIASES), 5)
    assert "x.csv" in str(error.value) and "借方金额" in str(error.value)


def test_header_found_below_a_title_band():
    table = RawTable("t.xlsx", [(1, ["支出明细账"]), (2, ["单位：元"]), (3, HEADER), (4, ROW)])
    mapped = map_headers(table, ALIASES, list(ALIASES), 5)
    assert mapped.header_row == 3 and [n for n, _ in mapped.rows] == [4]


def test_a_year_after_the_last_code_list_uses_the_nearest_earlier_one():
    from flows.adapters.project_files import code_list_years, load_code_lists

    last = max(code_list_years())
    codes = load_code_lists(last + 1)
    assert codes.year == last and codes.fell_back and codes.folder == f"config/code_lists/{last}"
    assert not load_code_lists(last).fell_back


def test_a_voucher_split_over_two_unnumbered_files_keeps_counting_its_lines(reference):
    from flows.domain.ingest import parse_ledger_tables

    header = ["凭证日期", "凭证号", "会计科目编码", "借方金额", "贷方金额", "摘要", "支出功能分类编码",
              "部门支出经济分类编码", "预算项目编码", "项目类别编码", "资金性质编码"]
    office = ["2024-03-05", "5", "7101", "10.00", "", "办公用品", "2012901", "30201", "GY1", "2", "111"]
    travel = ["2024-03-05", "5", "7101", "20.00", "", "差旅费", "2012901", "30211", "GY1", "2", "111"]

    def numbers(first, second):
        tables = [(RawTable(name, [(1, header), (2, row)]), "900001")
                  for name, row in (("上半月.csv", first), ("下半月.csv", second))]
        return list(parse_ledger_tables(tables, reference, 2024).ledger["line_no"])

    assert numbers(office, travel) == [1, 2]      # one voucher, continued in the second export
    assert numbers(office, office) == [1, 1]      # the same line exported twice: LED-008 sees it


def test_an_export_above_the_row_reader_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import pytest

    from flows.adapters import export_files
    from flows.domain.errors import InputError

    export = tmp_path / "2024" / "ledger" / "312001" / "凭证.csv"
    export.parent.mkdir(parents=True)
    export.write_bytes(b"a,b\n" + b"1,2\n" * 5000)
    monkeypatch.setattr(export_files, "ROW_READER_MAX_BYTES", 10_000)
    with pytest.raises(InputError) as refused:
        export_files.read_table(export, tmp_path)
    assert "超过可读取的上限" in str(refused.value) and "2024/ledger/312001/凭证.csv" in str(refused.value)
