"""The two attached tables Hunan requires: 基础数据表 and 自评表 (domain.md §1.5). Pure."""

from __future__ import annotations

from typing import Any

import pandas as pd

from flows.domain.evaluation import Evaluation, points_text
from flows.domain.metrics import DepartmentMetrics
from flows.domain.money import format_percent, format_wan

# 公用经费 parts printed in the 基础数据表, by economic code (基本支出 only).
PUBLIC_PARTS = (
    ("其中：办公经费", ("30201",)),
    ("水费、电费、差旅费", ("30205", "30206", "30211")),
    ("会议费、培训费", ("30215", "30216")),
)
NO_DATA = "—"


def _control_rows(ledger: pd.DataFrame, budget: pd.DataFrame, m: DepartmentMetrics) -> list[tuple[str, int | None, int | None]]:
    """(item, 预算数, 决算数) of the 经费控制情况 block for one year."""
    basic_public_actual = ledger[ledger["expense_type"] == "basic_public"]
    basic_public_budget = budget[budget["expense_type"] == "basic_public"]

    def sum_codes(frame: pd.DataFrame, codes: tuple[str, ...]) -> int:
        return int(frame.loc[frame["econ_code"].isin(codes), "amount_fen"].sum())

    def item(word: str) -> int:
        return next((line.amount_fen for line in m.sangong if word in line.name), 0)

    return [
        ("“三公”经费", m.sangong_budget_fen, m.sangong_total_fen),
        ("1.公务用车购置和维护经费", None, item("公务用车")),
        ("2.出国经费", None, item("出国")),
        ("3.公务接待", None, item("接待")),
        ("项目支出", sum(p.adjusted_fen for p in m.projects), m.named_projects_fen),
        ("公用经费", m.public_budget_fen, m.public_fen),
        *((label, sum_codes(basic_public_budget, codes), sum_codes(basic_public_actual, codes)) for label, codes in PUBLIC_PARTS),
        ("政府采购金额", None, None),
        ("部门基本支出预算调整", None, m.basic_adjusted_fen - m.basic_initial_fen),
    ]


def basic_data_table(ledger: pd.DataFrame, budget: pd.DataFrame, m: DepartmentMetrics,
                     prior_frames: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                     prior: DepartmentMetrics | None = None) -> dict[str, Any]:
    """基础数据表: staff, 三公 by item, 项目支出, 公用经费 and parts, basic-budget adjustment.

    Columns 上年决算数 / 本年预算数 / 本年决算数; without last year's data the first shows —.
    """
    rows = _control_rows(ledger, budget, m)
    last = _control_rows(prior_frames[0], prior_frames[1], prior) if prior_frames is not None and prior else None

    def wan(value: int | None) -> str:
        return NO_DATA if value is None else format_wan(value)

    return {
        "staff": [
            {"item": "编制数（人）", "value": str(m.staff_authorized)},
            {"item": "本年实际在职人数（人）", "value": str(m.staff_in_post)},
            {"item": "在职人员控制率", "value": format_percent(m.staff_in_post, m.staff_authorized)},
        ],
        "rows": [
            {"item": item, "prior": wan(last[index][2]) if last else NO_DATA, "budget": wan(planned), "actual": wan(actual)}
            for index, (item, planned, actual) in enumerate(rows)
        ],
    }


def self_evaluation_table(m: DepartmentMetrics, evaluation: Evaluation) -> dict[str, Any]:
    """自评表: the 年度预算 block (执行率 scored) and every indicator with 分值, 得分 and 偏差原因."""
    execution = next((s for s in evaluation.scores if s.name == "预算执行率"), None)
    other_actual = m.actual_fen - m.fiscal_actual_fen

    def budget_row(label: str, initial: int | None, adjusted: int | None, actual: int, scored: bool = False) -> dict[str, str]:
        return {
            "label": label, "initial": NO_DATA if initial is None else format_wan(initial),
            "adjusted": NO_DATA if adjusted is None else format_wan(adjusted), "actual": format_wan(actual),
            "rate": format_percent(actual, adjusted) if adjusted else NO_DATA,
            "points": points_text(execution.points) if scored and execution else "",
            "score": points_text(execution.score) if scored and execution else "",
        }

    return {
        "library": evaluation.library,
        "budget_rows": [
            budget_row("年度资金总额", m.initial_budget_fen, m.adjusted_budget_fen, m.actual_fen, scored=True),
            budget_row("按收入性质分：一般公共预算", m.fiscal_initial_fen, m.fiscal_adjusted_fen, m.fiscal_actual_fen),
            budget_row("其他资金", m.initial_budget_fen - m.fiscal_initial_fen, m.adjusted_budget_fen - m.fiscal_adjusted_fen,
                       other_actual),
            budget_row("按支出性质分：基本支出", m.basic_initial_fen, m.basic_adjusted_fen, m.basic_fen),
            budget_row("项目支出", m.initial_budget_fen - m.basic_initial_fen, m.adjusted_budget_fen - m.basic_adjusted_fen,
                       m.named_projects_fen + m.other_funds_fen),
        ],
        "indicators": [
            {"level1": s.level1, "level2": s.level2, "name": s.name, "target": s.target, "actual": s.actual,
             "points": points_text(s.points), "score": points_text(s.score), "note": s.note or ""}
            for s in evaluation.scores
        ],
        "total": points_text(evaluation.total),
        "grade": evaluation.grade,
    }


def evaluation_summary(evaluation: Evaluation) -> str:
    groups = "，".join(f"{level1}{points_text(score)}分（满分{points_text(points)}分）" for level1, points, score in evaluation.groups())
    return (f"按《{evaluation.library}》自评，综合得分{points_text(evaluation.total)}分，评价等级为“{evaluation.grade}”。"
            f"其中{groups}。")
