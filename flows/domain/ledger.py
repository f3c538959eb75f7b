"""Ledger exports → the canonical ledger (DESIGN §3). Pure: cells in, rows out.

Amounts are integer fen, debit − credit, so 红字 (negative) entries net out as they do
in the books. Every data row below the header ends up loaded, skipped (blank, subtotal,
or an account outside 预算支出) or rejected with a reason: nothing disappears.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from flows.domain.errors import AmountError, InputError
from flows.domain.money import parse_yuan_to_fen
from flows.domain.tables import MappedTable, split_code_name

LEDGER_COLUMNS = (
    "fiscal_year", "unit_code", "posting_date", "voucher_no", "line_no", "account_code",
    "func_code", "econ_code", "expense_type", "project_code", "project_name", "fund_source",
    "amount_fen", "summary", "source_file", "source_row",
)

# How canonical columns are named to users (messages, quality report).
COLUMN_LABELS_ZH = {
    "fiscal_year": "会计年度", "unit_code": "单位编码", "posting_date": "凭证日期", "voucher_no": "凭证号",
    "line_no": "分录号", "account_code": "会计科目编码", "func_code": "支出功能分类", "econ_code": "部门支出经济分类",
    "expense_type": "项目类别", "project_code": "预算项目编码", "project_name": "预算项目名称",
    "fund_source": "资金性质", "amount_fen": "金额", "summary": "摘要", "source_type": "指标来源",
}

# Used only when a file's own header word for a column is unknown.
_COLUMN_LABELS = {
    "posting_date": "凭证日期", "debit": "借方金额", "credit": "贷方金额", "line_no": "分录号",
    "unit_code": "单位编码", "account_code": "会计科目编码", "summary": "摘要",
}

VOUCHER_COLUMNS = ("unit_code", "voucher_no", "month", "lines", "net_fen", "debit_fen", "credit_fen",
                   "source_file", "source_row", "voucher")


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A row that was not loaded, and why."""

    file: str
    row: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class LedgerRules:
    """The declared ledger parts of config/export_formats.yaml: what parsing needs, and the
    words the quality rules look for in a loaded line's 摘要."""

    spending_accounts: tuple[str, ...]
    project_categories: Mapping[str, str]
    subtotal_markers: tuple[str, ...]
    closing_markers: tuple[str, ...] = ()
    budget_accounting_prefixes: tuple[str, ...] = ()   # 6/7/8: accounts a 预算会计 voucher balances over
    budget_accounts: tuple[str, ...] = ()   # the 一级科目 of 预算会计; empty: not checked
    closing_words: tuple[str, ...] = ()     # LED-017: a loaded line that still reads as a closing entry
    reversal_words: tuple[str, ...] = ()    # LED-011: how a negative line explains itself


@dataclass(slots=True)
class ParsedRows:
    """Result of parsing one or more tables: loaded rows (columnar), skipped and rejected rows."""

    columns: dict[str, list] = field(default_factory=lambda: {name: [] for name in LEDGER_COLUMNS})
    skipped: list[RowIssue] = field(default_factory=list)
    rejected: list[RowIssue] = field(default_factory=list)
    rows_read: int = 0
    # 预算会计 lines by voucher (unit, month, voucher): [debit fen, credit fen, [(file, row)]]
    vouchers: dict[tuple[str, str, str], list] = field(default_factory=dict)
    counterpart_files: set[str] = field(default_factory=set)   # files carrying non-spending 预算会计 lines
    # Unnumbered lines seen: (unit, date, voucher, line) -> (file, content), and the last line per voucher.
    numbered_lines: dict[tuple, tuple[str, tuple]] = field(default_factory=dict)
    last_line: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def rows_loaded(self) -> int:
        return len(self.columns["amount_fen"])


_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"), "ymd"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: 0?0:00(?::00)?)?$"), "ymd"),
    (re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), "ymd"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "ymd"),
)


def parse_posting_date(text: str) -> dt.date:
    """Parse a voucher date in the formats Chinese ledger software exports.

    Raises:
        ValueError: not a date in a known format, or not a real calendar date.
    """
    cleaned = unicodedata.normalize("NFKC", text).strip()
    for pattern, _ in _DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)
    raise ValueError(f"无法识别的日期：{text!r}")


def code_or_text(cell: str) -> str:
    """The code in a code cell; the cell's own text when it holds no code (e.g. "办公费 30201"),
    so that the code-list rule shows the reviewer what the file really says."""
    return split_code_name(cell)[0] or cell.strip()


def normalise_voucher_no(voucher_type: str, voucher_no: str) -> str:
    """One spelling per voucher: "记" + "0012" and "记-12" both become "记-12"."""
    kind, sep, number = voucher_no.replace("－", "-").rpartition("-")
    if not sep:
        kind, number = voucher_type, voucher_no
    kind = kind or voucher_type
    number = unicodedata.normalize("NFKC", number).strip()
    if number.isdigit():
        number = str(int(number))
    return f"{kind}-{number}" if kind else number


def is_subtotal_row(cells: Sequence[str], markers: Sequence[str]) -> bool:
    """A subtotal row names itself in its first non-empty cells (合计, 本月合计, …)."""
    for cell in cells[:4]:
        text = cell.strip().replace(" ", "").replace("\u3000", "")
        if text and any(text.startswith(marker) or text.endswith(marker) for marker in markers):
            return True
    return False


def parse_ledger_table(
    table: MappedTable,
    rules: LedgerRules,
    fiscal_year: int,
    default_unit: str,
    into: ParsedRows,
    keep_rows: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Parse the data rows of one mapped ledger table into `into` (appending).

    Args:
        table: a ledger export with its header mapped to canonical columns.
        rules: declared account scope, 项目类别 mapping and subtotal markers.
        fiscal_year: the year being reported.
        default_unit: unit code when the file has no unit column (taken from its folder).
        into: the accumulator shared by all files of a run.
        keep_rows: column -> the values a line must hold to count (e.g. 会计体系 02 预算会计).
    """
    keep_rows = keep_rows or {}
    col = table.columns
    line_counter: dict[tuple, int] = defaultdict(int)
    out = into.columns
    needed_width = max(col.values()) + 1
    label = {name: table.label(name, _COLUMN_LABELS.get(name, COLUMN_LABELS_ZH.get(name, name)))
             for name in (*_COLUMN_LABELS, *COLUMN_LABELS_ZH, *keep_rows)}

    def cell(cells: Sequence[str], name: str) -> str:
        index = col.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    for row_no, cells in table.rows:
        into.rows_read += 1
        if not any(c.strip() for c in cells):
            into.skipped.append(RowIssue(table.file, row_no, "", "", "空行"))
            continue
        if len(cells) < needed_width:
            into.rejected.append(RowIssue(table.file, row_no, "", ",".join(cells)[:60],
                                          f"该行只有 {len(cells)} 列，少于表头的 {needed_width} 列（文件可能被截断或分隔符有误）"))
            continue
        if is_subtotal_row(cells, rules.subtotal_markers):
            into.skipped.append(RowIssue(table.file, row_no, "", cells[0] if cells else "", "合计/小计行，不是凭证分录"))
            continue
        broken = next((i for i, c in enumerate(cells) if "\n" in c or "\r" in c), None)
        if broken is not None:
            # A stray quote makes the reader swallow the following lines into one cell: their
            # amounts would vanish. Name both physical lines.
            last = row_no + cells[broken].count("\n")
            header = next((name for name, index in col.items() if index == broken), "")
            into.rejected.append(RowIssue(
                table.file, row_no, table.label(header, "") if header else "", cells[broken][:60],
                f"第 {row_no}–{last} 行被读成了一条记录：这一格中有换行或未闭合的引号，后面的行可能被并入了这一格；"
                "请检查该处的引号"))
            continue
        account_code, _ = split_code_name(cell(cells, "account_code"))
        spending = account_code.startswith(rules.spending_accounts)
        # An impossible date is an error wherever it stands, on a spending line or not.
        date_text = cell(cells, "posting_date")
        try:
            posting_date = parse_posting_date(date_text) if date_text or spending else None
        except ValueError:
            into.rejected.append(RowIssue(table.file, row_no, label["posting_date"], date_text, "日期无法识别或不是有效日期"))
            continue
        excluded = next((name for name, values in keep_rows.items() if cell(cells, name) not in values), "")
        if excluded:
            into.skipped.append(RowIssue(table.file, row_no, label[excluded], cell(cells, excluded),
                                         "不是预算会计的有效分录（财务会计或已作废），不计入支出"))
            continue
        summary = cell(cells, "summary")
        if any(marker in summary for marker in rules.closing_markers):
            into.skipped.append(RowIssue(table.file, row_no, label["summary"], summary, "年终结转/结账凭证，不计入本年支出"))
            continue
        budget_line = bool(account_code) and account_code.startswith(rules.budget_accounting_prefixes or ("",))
        if budget_line and rules.budget_accounts and account_code[:4] not in rules.budget_accounts:
            into.rejected.append(RowIssue(table.file, row_no, label["account_code"], cell(cells, "account_code"),
                                          f"科目 {account_code} 不是预算会计科目表中的科目（一级科目应为 "
                                          f"{'、'.join(rules.spending_accounts)} 等），可能是录入错误；按此读取会漏计或错计支出"))
            continue
        if not spending and not budget_line:
            into.skipped.append(RowIssue(table.file, row_no, label["account_code"], cell(cells, "account_code"),
                                         "不是预算会计科目，不计入支出"))
            continue
        amounts: dict[str, int] = {}
        failed = False
        for side in ("debit", "credit"):
            try:
                amounts[side] = parse_yuan_to_fen(cell(cells, side))
            except AmountError as error:
                into.rejected.append(RowIssue(table.file, row_no, label[side], cell(cells, side), str(error)))
                failed = True
                break
        if failed:
            continue
        unit_code = cell(cells, "unit_code") or default_unit
        unit_code = split_code_name(unit_code)[0] or unit_code
        voucher_key = normalise_voucher_no(cell(cells, "voucher_type"), cell(cells, "voucher_no"))
        if posting_date is not None and rules.budget_accounting_prefixes and budget_line:
            entry = into.vouchers.setdefault((unit_code, f"{posting_date:%Y-%m}", voucher_key), [0, 0, []])
            entry[0] += amounts["debit"]
            entry[1] += amounts["credit"]
            entry[2].append((table.file, row_no))
        if not spending:
            into.counterpart_files.add(table.file)
            into.skipped.append(RowIssue(table.file, row_no, label["account_code"], cell(cells, "account_code"),
                                         "不是预算支出科目（7101/7201），不计入支出"))
            continue
        if not unit_code:
            into.rejected.append(RowIssue(table.file, row_no, label["unit_code"], "", "无法确定所属单位"))
            continue
        line_text = cell(cells, "line_no")
        if line_text:
            try:
                line_no = int(float(unicodedata.normalize("NFKC", line_text)))
            except ValueError:
                into.rejected.append(RowIssue(table.file, row_no, label["line_no"], line_text, "分录号不是整数"))
                continue
        else:
            voucher = (unit_code, posting_date, voucher_key)
            content = tuple(cell(cells, name) for name in _LINE_CONTENT)
            line_no = _number_unnumbered_line(into, voucher, line_counter[voucher] + 1, table.file, content)
            line_counter[voucher] = line_no
        project_code, project_name_in_cell = split_code_name(cell(cells, "project_code"))
        category_code, _ = split_code_name(cell(cells, "project_category"))
        out["fiscal_year"].append(fiscal_year)
        out["unit_code"].append(unit_code)
        out["posting_date"].append(posting_date)
        out["voucher_no"].append(voucher_key)
        out["line_no"].append(line_no)
        out["account_code"].append(account_code)
        out["func_code"].append(code_or_text(cell(cells, "func_code")))
        out["econ_code"].append(code_or_text(cell(cells, "econ_code")))
        # An unknown category keeps its code as written, so LED-006 shows what the file says.
        out["expense_type"].append(rules.project_categories.get(category_code, category_code or cell(cells, "project_category")))
        out["project_code"].append(project_code)
        out["project_name"].append(cell(cells, "project_name") or project_name_in_cell)
        out["fund_source"].append(code_or_text(cell(cells, "fund_source")))
        out["amount_fen"].append(amounts["debit"] - amounts["credit"])
        out["summary"].append(summary)
        out["source_file"].append(table.file)
        out["source_row"].append(row_no)


# What makes a voucher line the same line when an export does not number its lines.
_LINE_CONTENT = ("account_code", "debit", "credit", "summary", "func_code", "econ_code", "project_code", "fund_source")


def _number_unnumbered_line(into: ParsedRows, voucher: tuple, candidate: int, file: str, content: tuple) -> int:
    """The line number of a line its export does not number: its place in the voucher within
    its file. When another file already holds a *different* line at that place, the voucher
    continues there (its lines are split over two exports) and the line comes after them;
    the *same* line at that place keeps the number, so an export read twice collides (LED-008)."""
    seen = into.numbered_lines.get((*voucher, candidate))
    if seen is not None and seen[0] != file and seen[1] != content:
        candidate = into.last_line[voucher] + 1
    into.numbered_lines.setdefault((*voucher, candidate), (file, content))
    into.last_line[voucher] = max(into.last_line[voucher], candidate)
    return candidate


def voucher_balance_frame(parsed: ParsedRows) -> pd.DataFrame:
    """预算会计 vouchers of the files that carry counterpart lines, with their net (debit −
    credit over 6/7/8 accounts): a balanced voucher nets to 0. Files that hold spending
    lines only (a 支出明细账) cannot be checked and are left out."""
    rows = []
    for (unit, month, voucher), (debit, credit, lines) in parsed.vouchers.items():
        if not any(file in parsed.counterpart_files for file, _ in lines):
            continue
        by_file: dict[str, list[str]] = {}
        for file, row in lines:
            by_file.setdefault(file, []).append(str(row))
        where = "；".join(f"{file} 第 {'、'.join(numbers)} 行" for file, numbers in by_file.items())
        label = f"凭证 {voucher}（{month}，{len(lines)} 条分录：{where}）"
        rows.append((unit, voucher, month, len(lines), debit - credit, debit, credit, lines[0][0], lines[0][1], label))
    frame = pd.DataFrame(rows, columns=list(VOUCHER_COLUMNS))
    return frame.astype({"lines": "int64", "net_fen": "int64", "debit_fen": "int64", "credit_fen": "int64",
                         "source_row": "int64", "unit_code": "str", "voucher_no": "str", "month": "str",
                         "source_file": "str", "voucher": "str"})


_INT64_MAX = 2**63 - 1


def ledger_frame(parsed: ParsedRows) -> pd.DataFrame:
    """The loaded rows as a DataFrame with exact dtypes (int64 fen, datetime dates, str codes).

    Raises:
        InputError: the amounts together exceed what 64-bit fen can sum exactly (pandas
            would wrap around silently and print a wrong total).
    """
    if sum(map(abs, parsed.columns["amount_fen"])) > _INT64_MAX:
        raise InputError("账簿金额合计超出可精确计算的范围（可能有金额列被错误识别或数值异常）；请检查导出的金额列",
                         file=parsed.columns["source_file"][0])
    frame = pd.DataFrame(parsed.columns, columns=list(LEDGER_COLUMNS))
    frame["posting_date"] = pd.to_datetime(frame["posting_date"])
    for name in ("fiscal_year", "line_no", "amount_fen", "source_row"):
        frame[name] = frame[name].astype("int64")
    for name in LEDGER_COLUMNS:
        if name not in ("fiscal_year", "line_no", "amount_fen", "source_row", "posting_date"):
            frame[name] = frame[name].astype("str")
    return frame

