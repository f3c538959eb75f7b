"""国库集中支付凭证 (一体化 PAY_VOUCHER_BILL exports) → payments, and their cross-check with the ledger.

Pure: cells in, rows out. Payments are not voucher lines: they are what the treasury actually
paid, so per budget project they should equal the spending the ledger books. The comparison is
a warning (suite expectations/payments.json, PAY-001), because timing and non-treasury funds can
explain a difference that a reviewer then writes up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from flows.domain.errors import AmountError
from flows.domain.ledger import RowIssue, code_or_text, is_subtotal_row, parse_posting_date
from flows.domain.money import parse_yuan_to_fen
from flows.domain.tables import MappedTable, split_code_name

PAYMENT_COLUMNS = (
    "unit_code", "voucher_no", "pay_date", "project_code", "func_code", "econ_code", "amount_fen",
    "source_file", "source_row",
)

# Header words of the 一体化 export, used in messages when the caller does not pass the file's own.
DEFAULT_PAYMENT_LABELS: Mapping[str, str] = {
    "unit_code": "单位代码", "voucher_no": "支付凭证号", "pay_date": "凭证日期", "project_code": "项目代码",
    "func_code": "支出功能分类科目代码", "econ_code": "部门支出经济分类代码", "amount": "支付金额",
    "paid_amount": "实际支付金额",
}

COMPARISON_COLUMNS = (
    "project_code", "project_name", "paid_fen", "spent_fen", "difference_fen", "payments",
    "first_source_file", "first_source_row",
)

_SUBTOTAL_MARKERS = ("合计", "小计", "总计")
# A dash in 实际支付金额 means "not filled", not "paid nothing": 支付金额 then stands.
_UNFILLED = {"", "-", "—", "－", "--"}


def parse_payment_table(
    table: MappedTable,
    default_unit: str,
    labels: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[RowIssue], list[RowIssue]]:
    """Parse the data rows of one mapped payment-voucher export.

    Args:
        table: canonical columns unit_code, voucher_no, pay_date, project_code, func_code, econ_code,
            amount (支付金额) and optionally paid_amount (实际支付金额, wins over amount when filled).
        default_unit: unit code when the file has no unit column (taken from its folder).
        labels: canonical column -> the file's own header text, so messages name what the user sees.

    Returns:
        (rows as a PAYMENT_COLUMNS frame, skipped rows, rejected rows with reasons).
    """
    words = {**DEFAULT_PAYMENT_LABELS, **(labels or {})}
    col = table.columns
    needed_width = max(col.values()) + 1 if col else 0
    rows: list[tuple] = []
    skipped: list[RowIssue] = []
    rejected: list[RowIssue] = []

    def cell(cells: Sequence[str], name: str) -> str:
        index = col.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def reject(row_no: int, name: str, value: str, reason: str) -> None:
        rejected.append(RowIssue(table.file, row_no, words.get(name, name), value, reason))

    for row_no, cells in table.rows:
        if not any(c.strip() for c in cells):
            skipped.append(RowIssue(table.file, row_no, "", "", "空行"))
            continue
        if len(cells) < needed_width:
            rejected.append(RowIssue(table.file, row_no, "", ",".join(cells)[:60],
                                     f"该行只有 {len(cells)} 列，少于表头的 {needed_width} 列（文件可能被截断或分隔符有误）"))
            continue
        voucher_no = cell(cells, "voucher_no")
        if is_subtotal_row(cells, _SUBTOTAL_MARKERS) and not _is_voucher_no(voucher_no):
            skipped.append(RowIssue(table.file, row_no, "", cells[0] if cells else "", "合计/小计行，不是支付凭证"))
            continue
        if not voucher_no:
            reject(row_no, "voucher_no", "", "支付凭证号为空")
            continue
        pay_date = pd.NaT
        if "pay_date" in col:
            try:
                pay_date = pd.Timestamp(parse_posting_date(cell(cells, "pay_date")))
            except ValueError:
                reject(row_no, "pay_date", cell(cells, "pay_date"), "日期无法识别或不是有效日期")
                continue
        # 实际支付金额 is what left the treasury; 支付金额 is what was requested.
        amount_name = "paid_amount" if cell(cells, "paid_amount") not in _UNFILLED else "amount"
        try:
            amount_fen = parse_yuan_to_fen(cell(cells, amount_name))
        except AmountError as error:
            reject(row_no, amount_name, cell(cells, amount_name), str(error))
            continue
        project_code = code_or_text(cell(cells, "project_code"))
        if not project_code:
            reject(row_no, "project_code", "", "项目代码为空，无法与账簿按项目核对")
            continue
        unit_code = cell(cells, "unit_code") or default_unit
        unit_code = split_code_name(unit_code)[0] or unit_code
        if not unit_code:
            reject(row_no, "unit_code", "", "无法确定所属单位")
            continue
        rows.append((unit_code, voucher_no, pay_date, project_code, code_or_text(cell(cells, "func_code")),
                     code_or_text(cell(cells, "econ_code")), amount_fen, table.file, row_no))
    return _payment_frame(rows), skipped, rejected


def empty_payments() -> pd.DataFrame:
    """No payment files given: the cross-check then has nothing to compare."""
    return _payment_frame([])


def _payment_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(PAYMENT_COLUMNS))
    frame["pay_date"] = pd.to_datetime(frame["pay_date"])
    types = {name: "str" for name in PAYMENT_COLUMNS if name not in ("pay_date", "amount_fen", "source_row")}
    return frame.astype({**types, "amount_fen": "int64", "source_row": "int64"})


def _is_voucher_no(text: str) -> bool:
    # A 合计 row may repeat its label in the voucher column; a real voucher number holds a digit.
    return any(ch.isdigit() for ch in text)


def payment_comparison_table(payments: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per project code found in the payments or the ledger: paid vs spent.

    `difference_fen` = paid − spent. The first payment row (or, for a project with spending but
    no payment, the first ledger row) locates the project for the reviewer. With no payments the
    table is empty: the check runs only when payment files are given.
    """
    if payments.empty:
        return _comparison_frame([])
    paid = payments.groupby("project_code", sort=False).agg(
        paid_fen=("amount_fen", "sum"), count=("amount_fen", "size"),
        file=("source_file", "first"), row=("source_row", "first"),
    )
    spent = ledger.groupby("project_code", sort=False).agg(
        spent_fen=("amount_fen", "sum"), name=("project_name", "first"),
        file=("source_file", "first"), row=("source_row", "first"),
    )
    rows = []
    for code in dict.fromkeys([*paid.index, *spent.index]):
        in_payments, in_ledger = code in paid.index, code in spent.index
        paid_fen = int(paid.loc[code, "paid_fen"]) if in_payments else 0
        spent_fen = int(spent.loc[code, "spent_fen"]) if in_ledger else 0
        source = paid.loc[code] if in_payments else spent.loc[code]
        rows.append((
            code, str(spent.loc[code, "name"]) if in_ledger else "", paid_fen, spent_fen, paid_fen - spent_fen,
            int(paid.loc[code, "count"]) if in_payments else 0, str(source["file"]), int(source["row"]),
        ))
    return _comparison_frame(rows)


def _comparison_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    return frame.astype({
        "project_code": "str", "project_name": "str", "paid_fen": "int64", "spent_fen": "int64",
        "difference_fen": "int64", "payments": "int64", "first_source_file": "str", "first_source_row": "int64",
    })
