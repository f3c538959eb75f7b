"""The figures of the two attached tables Hunan requires: 基础数据表 and 自评表 (domain.md §1.5). Pure.

Only exact amounts live here; the tables' wording and layout are in the Word template, and
flows/domain/figures.py registers and formats every cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from flows.domain.metrics import DepartmentMetrics

# 公用经费 parts printed in the 基础数据表, by economic code (基本支出 only): (figure key, label, codes).
PUBLIC_PARTS = (
    ("office", "办公经费", ("30201",)),
    ("utilities_travel", "水费、电费、差旅费", ("30205", "30206", "30211")),
    ("meetings_training", "会议费、培训费", ("30215", "30216")),
)
# “三公” items of the 基础数据表: (figure key, label, word that names the item in the code lists).
SANGONG_ROWS = (
    ("car", "公务用车购置和维护经费", "公务用车"),
    ("abroad", "出国经费", "出国"),
    ("reception", "公务接待", "接待"),
)


def sangong_row_key(item_name: str) -> str | None:
    """The 基础数据表 row of a “三公” item (公务接待费 → reception), None if it has none."""
    return next((key for key, _, word in SANGONG_ROWS if word in item_name), None)


@dataclass(frozen=True, slots=True)
class ControlRow:
    """One row of the 经费控制情况 block: 预算数 and 决算数 in fen (None: the table shows —)."""

    key: str
    label: str
    budget_fen: int | None
    actual_fen: int | None


@dataclass(frozen=True, slots=True)
class BasicData:
    """基础数据表 amounts for this year and, when present, last year (the 上年决算数 column)."""

    rows: tuple[ControlRow, ...]
    prior_rows: tuple[ControlRow, ...] | None = None


def _control_rows(ledger: pd.DataFrame, budget: pd.DataFrame, m: DepartmentMetrics) -> tuple[ControlRow, ...]:
    basic_public_actual = ledger[ledger["expense_type"] == "basic_public"]
    basic_public_budget = budget[budget["expense_type"] == "basic_public"]

    def sum_codes(frame: pd.DataFrame, codes: tuple[str, ...]) -> int:
        return int(frame.loc[frame["econ_code"].isin(codes), "amount_fen"].sum())

    def item(word: str) -> int:
        return next((line.amount_fen for line in m.sangong if word in line.name), 0)

    return (
        ControlRow("sangong", "“三公”经费", m.sangong_budget_fen, m.sangong_total_fen),
        *(ControlRow(key, label, None, item(word)) for key, label, word in SANGONG_ROWS),
        ControlRow("projects", "项目支出", sum(p.adjusted_fen for p in m.projects), m.named_projects_fen),
        ControlRow("public", "公用经费", m.public_budget_fen, m.public_fen),
        *(ControlRow(key, label, sum_codes(basic_public_budget, codes), sum_codes(basic_public_actual, codes))
          for key, label, codes in PUBLIC_PARTS),
        ControlRow("procurement", "政府采购金额", None, None),
        ControlRow("basic_adjustment", "部门基本支出预算调整", None, m.basic_adjusted_fen - m.basic_initial_fen),
    )


def basic_data_table(ledger: pd.DataFrame, budget: pd.DataFrame, m: DepartmentMetrics,
                     prior_frames: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                     prior: DepartmentMetrics | None = None) -> BasicData:
    """基础数据表 amounts: 三公 by item, 项目支出, 公用经费 and parts, basic-budget adjustment.

    Columns 上年决算数 / 本年预算数 / 本年决算数; without last year's data the first shows —.
    """
    last = _control_rows(prior_frames[0], prior_frames[1], prior) if prior_frames is not None and prior else None
    return BasicData(_control_rows(ledger, budget, m), last)
