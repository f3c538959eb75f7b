"""The change list of a corrected export: file, row and the file's own column words, old → new."""

from __future__ import annotations

import pandas as pd

from flows.domain.input_changes import DETAIL_LIMIT, CellChange, RowChange, compare_rows, input_rows, yuan_text
from flows.domain.revision import change_summary, describe_revision, revision_text

FILE = "2024/ledger/312001/凭证.csv"
HEADERS = {FILE: {"posting_date": "凭证日期", "voucher_no": "凭证号", "debit": "借方金额", "credit": "贷方金额",
                  "summary": "摘要", "econ_code": "经济分类", "project_category": "项目类别编码"}}


def _ledger(lines: list[tuple[int, str, int, str]], file: str = FILE) -> pd.DataFrame:
    """(row, voucher, amount in fen, 摘要) lines of one file; the budget's 项目名称 filled in."""
    return pd.DataFrame({
        "posting_date": pd.to_datetime(["2024-03-01"] * len(lines)),
        "voucher_no": [voucher for _, voucher, _, _ in lines],
        "econ_code": ["30201"] * len(lines),
        "expense_type": ["basic_public"] * len(lines),
        "project_name": ["日常公用经费"] * len(lines),
        "amount_fen": [fen for _, _, fen, _ in lines],
        "summary": [summary for *_, summary in lines],
        "source_file": [file] * len(lines),
        "source_row": [row for row, *_ in lines],
    })


LINES = [(n, f"记-{n}", 10_000 * n, f"第{n}笔") for n in range(2, 12)]


def test_an_amount_corrected_in_place_is_one_cell_in_the_files_own_words_in_exact_yuan():
    edited = [(r, v, 120_000 if r == 7 else f, s) for r, v, f, s in LINES]
    changes = compare_rows(input_rows(_ledger(LINES)), input_rows(_ledger(edited)), HEADERS)
    assert changes.details == (CellChange(FILE, 7, 7, "借方金额", "700.00", "1,200.00"),)
    assert changes.total == 1


def test_a_line_inserted_above_others_is_one_added_row_not_every_later_row_shifted():
    inserted = [*LINES[:3], (5, "记-99", 33_333, "补记")] + [(r + 1, v, f, s) for r, v, f, s in LINES[3:]]
    inserted[-1] = (12, "记-11", 1, "第11笔")             # and the last line, now row 12, corrected
    changes = compare_rows(input_rows(_ledger(LINES)), input_rows(_ledger(inserted)), HEADERS)
    assert changes.details == (
        RowChange(FILE, 5, True, "凭证日期 2024-03-01，凭证号 记-99，摘要 补记，借方金额 333.33"),
        CellChange(FILE, 12, 11, "借方金额", "1,100.00", "0.01"),
    )


def test_a_removed_line_is_named_by_its_old_row():
    changes = compare_rows(input_rows(_ledger(LINES)), input_rows(_ledger(LINES[:4] + LINES[5:])), HEADERS)
    assert [(c.row, c.added) for c in changes.details] == [(6, False)]
    assert changes.files[0].removed == 1 and changes.total == 1


def test_a_credit_line_changes_in_its_credit_column_as_the_file_shows_it():
    credit = [(2, "记-2", -5_000, "退回"), *LINES[1:]]
    corrected = [(2, "记-2", -6_000, "退回"), *LINES[1:]]
    [change] = compare_rows(input_rows(_ledger(credit)), input_rows(_ledger(corrected)), HEADERS).details
    assert (change.column, change.old, change.new) == ("贷方金额", "50.00", "60.00")


def test_columns_the_file_does_not_hold_are_not_listed_but_those_read_under_another_name_are():
    before, after = _ledger(LINES), _ledger(LINES)
    after.loc[0, "project_name"] = "另一名称"                # filled in from the budget: not this file's cell
    after.loc[1, "expense_type"] = "project"                # read from 项目类别编码
    [change] = compare_rows(input_rows(before), input_rows(after), HEADERS).details
    assert (change.row, change.column, change.old, change.new) == (3, "项目类别编码", "基本支出·公用经费", "项目支出")


def test_a_file_that_comes_or_goes_whole_is_one_line_with_its_row_count():
    other = "2024/ledger/312001/补充.csv"
    changes = compare_rows(input_rows(_ledger(LINES)), input_rows(_ledger(LINES[:3], file=other)), HEADERS)
    assert [(f.file, f.status, f.total) for f in changes.files] == [(FILE, "删除", 10), (other, "新增", 3)]
    assert changes.details == ()
    note = revision_text("团市委", 2024, "v2", describe_revision({"version": "v1"}, {}, {}, changes))
    assert f"{other}：新增文件，3 行" in note and f"{FILE}：文件已删除，原 10 行" in note


def test_a_huge_correction_lists_the_first_changes_and_counts_the_rest():
    many = [(n, f"记-{n}", 100 * n, "x") for n in range(2, 2 + 3 * DETAIL_LIMIT)]
    changes = compare_rows(input_rows(_ledger(many)), input_rows(_ledger([(r, v, f + 1, s) for r, v, f, s in many])), HEADERS)
    assert len(changes.details) == DETAIL_LIMIT and changes.total == 3 * DETAIL_LIMIT
    revision = describe_revision({"version": "v1"}, {}, {}, changes)
    note = revision_text("团市委", 2024, "v2", revision)
    assert f"…… 另有 {2 * DETAIL_LIMIT} 处未逐条列出" in note
    assert f"{FILE}：修改 {3 * DETAIL_LIMIT} 处，新增 0 行，删除 0 行" in note
    assert note.count("「借方金额」") == DETAIL_LIMIT
    assert f"输入 {3 * DETAIL_LIMIT} 处" in change_summary(revision)


def test_a_previous_version_without_its_rows_says_so_and_counts_files():
    revision = describe_revision({"version": "v1", "inputs": {"input:a.csv": "1"}}, {}, {"input:a.csv": "2"}, None)
    assert "v1 没有保存其所依据的数据行" in revision_text("团市委", 2024, "v2", revision)
    assert change_summary(revision) == "与 v1 相比变化：报告数据无变化，输入 1 个文件（详见 修订说明.txt、修订对照.docx）"


def test_the_terminal_line_gives_one_example_and_the_counts():
    figures = {"全年执行数": {"printed": "650.00"}, "预算执行率": {"printed": "99.90%"}}
    old = {"version": "v3", "figures": {"全年执行数": {"printed": "648.31"}, "预算执行率": {"printed": "99.61%"}}}
    changes = compare_rows(input_rows(_ledger(LINES)), input_rows(_ledger([(2, "记-2", 1, "x"), *LINES[1:]])), HEADERS)
    assert change_summary(describe_revision(old, figures, {}, changes)) == (
        "与 v3 相比变化：2 项数据（例：全年执行数 648.31 → 650.00 …），输入 2 处（详见 修订说明.txt、修订对照.docx）")


def test_amounts_print_as_exact_yuan():
    assert [yuan_text(f) for f in (0, 1, -5, 123_456_789_012)] == ["0.00", "0.01", "-0.05", "1,234,567,890.12"]


def test_the_snapshot_keeps_codes_as_text_and_fen_exact(tmp_path):
    from flows.adapters.input_snapshot import INPUT_SNAPSHOT, read_snapshot, snapshot_bytes

    rows = input_rows(_ledger([(2, "记-0012", 9_007_199_254_740_993, "x")]).assign(econ_code="030201"))
    (tmp_path / INPUT_SNAPSHOT).write_bytes(snapshot_bytes(rows))
    back = read_snapshot(tmp_path)
    assert back["econ_code"].tolist() == ["030201"] and back["amount_fen"].tolist() == [9_007_199_254_740_993]
    assert read_snapshot(tmp_path / "v0") is None
