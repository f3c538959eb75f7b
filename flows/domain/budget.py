"""Budget (指标) exports → canonical budget rows. Pure: cells in, rows out.

年初预算数 = Σ rows from 年初预算; 全年预算数 = Σ all rows (追加 adds, 调减 subtracts).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from flows.domain.errors import AmountError
from flows.domain.ledger import RowIssue, is_subtotal_row
from flows.domain.money import parse_yuan_to_fen
from flows.domain.tables import MappedTable, split_code_name

BUDGET_COLUMNS = (
    "unit_code", "source_type", "doc_no", "expense_type", "project_code", "project_name",
    "func_code", "econ_code", "fund_source", "amount_fen", "source_file", "source_row",
)


def parse_budget_table(
    table: MappedTable,
    source_types: Mapping[str, str],
    project_categories: Mapping[str, str],
    subtotal_markers: tuple[str, ...],
    default_unit: str,
) -> tuple[pd.DataFrame, list[RowIssue], list[RowIssue]]:
    """Parse a budget table into (rows, skipped, rejected).

    Reductions (调减) are stored as negative amounts so that 全年预算数 is a plain sum.
    """
    col = table.columns
    out: dict[str, list] = {name: [] for name in BUDGET_COLUMNS}
    skipped: list[RowIssue] = []
    rejected: list[RowIssue] = []

    def cell(cells, name: str) -> str:
        index = col.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for row_no, cells in table.rows:
        if not any(c.strip() for c in cells):
            skipped.append(RowIssue(table.file, row_no, "", "", "空行"))
            continue
        if is_subtotal_row(cells, subtotal_markers):
            skipped.append(RowIssue(table.file, row_no, "", cells[0], "合计/小计行"))
            continue
        source_text = cell(cells, "source_type")
        source_code, source_name = split_code_name(source_text)
        source_type = next((source_types[key] for key in (source_text.replace(" ", ""), source_code, source_name)
                            if key in source_types), None)
        if source_type is None:
            rejected.append(RowIssue(table.file, row_no, table.label("source_type", "指标来源"), source_text,
                                     f"指标来源应为：{'、'.join(source_types)}"))
            continue
        try:
            amount = parse_yuan_to_fen(cell(cells, "amount"))
            # 一体化 exports keep a reduction on the 指标 it reduces (调减金额 beside 指标金额).
            reduced = parse_yuan_to_fen(cell(cells, "reduction")) if "reduction" in col else 0
        except AmountError as error:
            try:  # name the cell that failed
                parse_yuan_to_fen(cell(cells, "amount"))
                column = "reduction"
            except AmountError:
                column = "amount"
            rejected.append(RowIssue(table.file, row_no, table.label(column, "指标金额"), cell(cells, column), str(error)))
            continue
        if source_type == "reduction":
            amount = -abs(amount)
        amount -= reduced
        project_code, project_name_in_cell = split_code_name(cell(cells, "project_code"))
        unit_code = split_code_name(cell(cells, "unit_code"))[0] or default_unit
        out["unit_code"].append(unit_code)
        out["source_type"].append(source_type)
        out["doc_no"].append(cell(cells, "doc_no"))
        category = split_code_name(cell(cells, "project_category"))[0]
        out["expense_type"].append(project_categories.get(category, category))
        out["project_code"].append(project_code)
        out["project_name"].append(cell(cells, "project_name") or project_name_in_cell)
        out["func_code"].append(split_code_name(cell(cells, "func_code"))[0])
        out["econ_code"].append(split_code_name(cell(cells, "econ_code"))[0])
        out["fund_source"].append(split_code_name(cell(cells, "fund_source"))[0])
        out["amount_fen"].append(amount)
        out["source_file"].append(table.file)
        out["source_row"].append(row_no)
    frame = pd.DataFrame(out, columns=list(BUDGET_COLUMNS))
    frame["amount_fen"] = frame["amount_fen"].astype("int64")
    frame["source_row"] = frame["source_row"].astype("int64")
    for name in BUDGET_COLUMNS:
        if name not in ("amount_fen", "source_row"):
            frame[name] = frame[name].astype("str")
    return frame, skipped, rejected
