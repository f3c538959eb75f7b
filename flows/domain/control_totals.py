"""Control totals declared by the final-accounts (决算) system: optional, reconciled with the ledger."""

from __future__ import annotations

import pandas as pd

from flows.domain.errors import AmountError, InputError
from flows.domain.money import parse_yuan_to_fen
from flows.domain.reconciliation import CONTROL_FIGURES
from flows.domain.tables import MappedTable, split_code_name

DECLARED_COLUMNS = ("unit_code", "figure", "amount_fen", "source_file", "source_row")


def parse_control_table(table: MappedTable, default_unit: str) -> pd.DataFrame:
    """Declared figures by unit.

    Raises:
        InputError: a figure name is not one we can compare, or an amount is unreadable.
    """
    col = table.columns
    rows = []
    for row_no, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        figure = cells[col["figure"]].strip()
        if figure not in CONTROL_FIGURES:
            raise InputError(f"控制数口径「{figure}」无法识别，可用：{'、'.join(CONTROL_FIGURES)}", file=table.file, row=row_no, column="项目")
        try:
            amount = parse_yuan_to_fen(cells[col["amount"]])
        except AmountError as error:
            raise InputError(str(error), file=table.file, row=row_no, column="金额") from None
        unit = split_code_name(cells[col["unit_code"]])[0] if "unit_code" in col else ""
        rows.append((unit or default_unit, figure, amount, table.file, row_no))
    frame = pd.DataFrame(rows, columns=list(DECLARED_COLUMNS))
    return frame.astype({"amount_fen": "int64", "source_row": "int64", "unit_code": "str", "figure": "str", "source_file": "str"})


def empty_declared() -> pd.DataFrame:
    return pd.DataFrame(columns=list(DECLARED_COLUMNS)).astype({"amount_fen": "int64", "source_row": "int64"})
