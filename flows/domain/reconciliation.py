"""Cross-row identities of the report as a small table that the quality gate validates.

One row per identity: expected_fen, actual_fen, difference_fen (exact). The GX suite
expectations/reconciliation.json requires every difference to be zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from flows.domain.metrics import DepartmentMetrics
from flows.domain.money import wan_cents

RECONCILIATION_COLUMNS = ("identity", "description", "expected_fen", "actual_fen", "difference_fen")


def reconciliation_table(metrics: DepartmentMetrics) -> pd.DataFrame:
    """The identities between figures that are computed independently, so real data can break them.

    基本 + 项目 + 其它资金 classify lines by 项目类别 and fund; a line of neither kind is in the
    total but in no part. Sums that hold by construction of the metrics (the economic classes,
    人员 + 公用 = 基本, the project list) are not here: a rule that cannot fail checks nothing, so
    they are unit tests of the metrics instead.
    """
    m = metrics
    rows = [
        ("basic_project_other", "基本支出 + 项目支出 + 其它资金 = 全年执行数", m.actual_fen,
         m.basic_fen + m.named_projects_fen + m.other_funds_fen),
    ]
    frame = pd.DataFrame(
        [(identity, text, expected, actual, actual - expected) for identity, text, expected, actual in rows],
        columns=list(RECONCILIATION_COLUMNS),
    )
    return frame.astype({"expected_fen": "int64", "actual_fen": "int64", "difference_fen": "int64"})


PROJECT_EXECUTION_COLUMNS = (
    "project_code", "project_name", "expense_type", "budget_fen", "actual_fen", "over_fen", "budgeted", "spent",
    "first_source_file", "first_source_row",
)


def project_execution_table(ledger: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """One row per budget project (basic 人员类/运转类 projects included): budget vs spending.

    `over_fen` = actual − adjusted budget; `budgeted`/`spent` say on which side the project
    appears. The first ledger (or budget) row locates the project for the reviewer.
    """
    spent = ledger.groupby("project_code", sort=False).agg(
        actual_fen=("amount_fen", "sum"), lines=("amount_fen", "size"), name=("project_name", "first"),
        etype=("expense_type", "first"), file=("source_file", "first"), row=("source_row", "first"),
    )
    planned = budget.groupby("project_code", sort=False).agg(
        budget_fen=("amount_fen", "sum"), name=("project_name", "first"), etype=("expense_type", "first"),
        file=("source_file", "first"), row=("source_row", "first"),
    )
    codes = list(dict.fromkeys([*planned.index, *spent.index]))
    rows = []
    for code in codes:
        in_budget, in_ledger = code in planned.index, code in spent.index
        source = spent.loc[code] if in_ledger else planned.loc[code]
        budget_fen = int(planned.loc[code, "budget_fen"]) if in_budget else 0
        actual_fen = int(spent.loc[code, "actual_fen"]) if in_ledger else 0
        name = planned.loc[code, "name"] if in_budget else spent.loc[code, "name"]
        etype = planned.loc[code, "etype"] if in_budget else spent.loc[code, "etype"]
        rows.append((code, name, etype, budget_fen, actual_fen, actual_fen - budget_fen, in_budget,
                     in_ledger and int(spent.loc[code, "lines"]) > 0, source["file"], int(source["row"])))
    frame = pd.DataFrame(rows, columns=list(PROJECT_EXECUTION_COLUMNS))
    return frame.astype({"budget_fen": "int64", "actual_fen": "int64", "over_fen": "int64", "budgeted": "bool",
                         "spent": "bool", "first_source_row": "int64"})


# Figures a 决算 (final accounts) system declares, by the name used in control-total files.
CONTROL_FIGURES = {
    "支出合计": "actual_fen", "全年执行数": "actual_fen", "基本支出": "basic_fen", "人员经费": "personnel_fen",
    "公用经费": "public_fen", "项目支出": "named_projects_fen", "三公经费": "sangong_total_fen",
    "年初预算数": "initial_budget_fen", "全年预算数": "adjusted_budget_fen",
}
CONTROL_COLUMNS = ("figure", "declared_fen", "computed_fen", "difference_fen", "source_file", "source_row")


def control_totals_table(metrics: DepartmentMetrics, declared: pd.DataFrame) -> pd.DataFrame:
    """Declared control totals beside the ledger's figures (empty when no control file is given).

    Args:
        declared: rows with figure, amount_fen, source_file, source_row (figures named as in CONTROL_FIGURES).
    """
    rows = [
        (r.figure, int(r.amount_fen), int(getattr(metrics, CONTROL_FIGURES[r.figure])),
         int(getattr(metrics, CONTROL_FIGURES[r.figure])) - int(r.amount_fen), r.source_file, int(r.source_row))
        for r in declared.itertuples()
    ]
    frame = pd.DataFrame(rows, columns=list(CONTROL_COLUMNS))
    return frame.astype({"declared_fen": "int64", "computed_fen": "int64", "difference_fen": "int64", "source_row": "int64",
                         "figure": "str", "source_file": "str"})


ROUNDING_COLUMNS = ("printed_table", "printed_total", "printed_parts_sum", "gap_cents")


def printed_rounding_table(metrics: DepartmentMetrics,
                           attachment_sums: Sequence[tuple[str, Sequence[int], int]] = ()) -> pd.DataFrame:
    """Per printed table: printed total vs the sum of its printed parts (尾差), in hundredths of 万元.

    `attachment_sums` are the attached tables' sums as (name, parts in fen, total in fen).
    """
    def row(name: str, parts: list[int], total: int) -> tuple[str, int, int, int]:
        printed_parts = sum(wan_cents(p) for p in parts)
        return (name, wan_cents(total), printed_parts, wan_cents(total) - printed_parts)

    m = metrics
    rows = [
        row("按经济分类支出表", [line.amount_fen for line in m.econ_classes], m.actual_fen),
        row("支出构成表", [m.basic_fen, m.named_projects_fen, m.other_funds_fen], m.actual_fen),
        row("“三公”经费表", [line.amount_fen for line in m.sangong], m.sangong_total_fen),
        row("项目支出表", [p.actual_fen for p in m.projects], m.named_projects_fen),
        row("基本支出构成", [m.personnel_fen, m.public_fen, m.basic_other_fen], m.basic_fen),
        *(row(name, list(parts), total) for name, parts, total in attachment_sums),
    ]
    return pd.DataFrame(rows, columns=list(ROUNDING_COLUMNS)).astype(
        {"printed_total": "int64", "printed_parts_sum": "int64", "gap_cents": "int64"})
