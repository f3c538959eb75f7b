"""The sample data reproduces every figure of the 2024 report of 共青团衡阳市委 (seed/figures.md).

The expected values below are the published report's; the pipeline computes them from
ledger rows in fen and rounds only when printing.
"""

import pytest

from flows.domain.metrics import compute_department_metrics
from flows.domain.money import format_percent, format_wan
from flows.domain.report_context import rounding_gap_cents

UNIT = "312001"

PUBLISHED = {
    "年初预算收入": "416.42", "年底实际发生支出": "648.31", "基本支出": "353.86",
    "工资福利支出": "284.81", "商品和服务支出": "341.41", "对个人和家庭的补助": "22.10",
    "三公经费": "4.07", "公务用车购置和维护": "3.57", "公务接待": "0.50", "因公出国（境）": "0.00",
    "项目计划总成本": "267.92", "其它资金": "26.53",
}
PROJECTS = [
    ("青少年事业发展专项经费", "27.00"), ("青联、学联、少工委等经费", "18.00"),
    ("预防青少年违法犯罪、共青团意识教育经费", "10.00"), ("青年志愿者、青年就业创业工作经费", "5.00"),
    ("旅发大会志愿服务经费", "135.08"), ("第三届旅发大会工作经费", "5.96"),
    ("2024-2025年度大学生志愿服务西部计划“芙蓉花开”地方项目经费", "22.10"), ("团代会项目", "27.87"),
    ("驻村帮扶补助资金项目", "2.91"), ("上级补助资金", "4.00"), ("市级文产资金", "10.00"),
]


@pytest.fixture(scope="module")
def metrics(sample_inputs, reference):
    ledger = sample_inputs.ledger[sample_inputs.ledger["unit_code"] == UNIT]
    budget = sample_inputs.budget[sample_inputs.budget["unit_code"] == UNIT]
    return compute_department_metrics(ledger, budget, sample_inputs.profiles[UNIT], reference, 2024)


def test_headline_figures(metrics):
    econ = {line.code: line.amount_fen for line in metrics.econ_classes}
    sangong = {line.name: line.amount_fen for line in metrics.sangong}
    computed = {
        "年初预算收入": metrics.initial_budget_fen, "年底实际发生支出": metrics.actual_fen, "基本支出": metrics.basic_fen,
        "工资福利支出": econ["301"], "商品和服务支出": econ["302"], "对个人和家庭的补助": econ["303"],
        "三公经费": metrics.sangong_total_fen, "公务用车购置和维护": sangong["公务用车购置及运行维护费"],
        "公务接待": sangong["公务接待费"], "因公出国（境）": sangong["因公出国（境）费用"],
        "项目计划总成本": sum(p.adjusted_fen for p in metrics.projects), "其它资金": metrics.other_funds_fen,
    }
    assert {name: format_wan(fen) for name, fen in computed.items()} == PUBLISHED


def test_eleven_named_projects(metrics):
    assert [(p.name, format_wan(p.actual_fen)) for p in metrics.projects] == PROJECTS


def test_staff_control_rate(metrics):
    assert (metrics.staff_authorized, metrics.staff_in_post) == (24, 19)
    assert format_percent(metrics.staff_in_post, metrics.staff_authorized) == "79.17%"


def test_rounding_quirk_is_kept_not_repaired(metrics):
    """284.81 + 341.41 + 22.10 = 648.32 against a printed total of 648.31."""
    parts = [line.amount_fen for line in metrics.econ_classes]
    assert sum(parts) == metrics.actual_fen                       # exact in fen
    assert rounding_gap_cents(parts, metrics.actual_fen) == -1    # one hundredth of 万元 apart when printed


def test_reconciliation_gap_is_other_funds(metrics):
    """353.86 + 267.92 + 26.53 = 648.31."""
    assert metrics.basic_fen + metrics.named_projects_fen + metrics.other_funds_fen == metrics.actual_fen
    assert format_wan(metrics.named_projects_fen) == "267.92"


def test_spending_far_above_initial_budget_has_an_adjusted_budget(metrics):
    assert metrics.adjusted_budget_fen > metrics.actual_fen > metrics.initial_budget_fen
    assert format_percent(metrics.actual_fen, metrics.adjusted_budget_fen) == "99.61%"
    assert format_percent(metrics.adjustment_fen, metrics.initial_budget_fen) == "56.30%"


def test_row_accounting_adds_up(sample_inputs):
    summary = sample_inputs.ledger_accounting.summary()
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_skipped"] + summary["rows_rejected"]
    assert summary["rows_rejected"] == 0 and summary["rows_loaded"] > 2000
    negative = sample_inputs.ledger[sample_inputs.ledger["amount_fen"] < 0]
    assert len(negative) >= 10, "the sample carries 红字 reversals and refunds"
