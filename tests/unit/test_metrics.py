"""Metrics on tiny hand-made ledgers: each case says what it checks."""

import datetime as dt
import json
import random
import re
from pathlib import Path

import pandas as pd
import pytest

from flows.domain.budget import BUDGET_COLUMNS
from flows.domain.ledger import LEDGER_COLUMNS
from flows.domain.metrics import compute_department_metrics
from flows.domain.profile import parse_profile
from flows.domain.reconciliation import reconciliation_table

PROFILE = parse_profile({
    "unit_code": "900001", "name": "测试单位", "report_date": "2025-03-31", "functions": "职能",
    "structure": {"internal_offices": 2}, "staffing": {"as_of": "2024-12-31", "authorized": {"行政编制": 8}, "in_post": 10},
    "performance": {"intro": "概述"},
}, "test.yaml")


def ledger(*lines):
    rows = []
    for n, (etype, econ, project, fund, fen) in enumerate(lines, start=1):
        rows.append((2024, "900001", dt.date(2024, 5, 1), f"记-{n}", 1, "7101", "2012901", econ, etype, project,
                     f"项目{project}", fund, fen, "摘要", "t.csv", n + 1))
    frame = pd.DataFrame(rows, columns=list(LEDGER_COLUMNS))
    frame["posting_date"] = pd.to_datetime(frame["posting_date"])
    return frame


def budget(*lines):
    rows = [("900001", source, "", etype, project, f"项目{project}", "2012901", econ, fund, fen, "b.csv", n)
            for n, (source, etype, project, econ, fund, fen) in enumerate(lines, start=2)]
    return pd.DataFrame(rows, columns=list(BUDGET_COLUMNS))


@pytest.fixture()
def metrics(reference):
    spent = ledger(
        ("basic_personnel", "30101", "RY", "111", 500_00),
        ("basic_personnel", "30302", "RY", "111", 100_00),     # 303 inside 基本支出 is 人员经费
        ("basic_public", "30217", "GY", "111", 30_00),         # 公务接待 → 三公
        ("basic_public", "30231", "GY", "29", 40_00),          # 公车运维 on other funds → not 三公
        ("project", "30231", "P1", "111", 20_00),              # 三公 also counts project spending
        ("project", "30299", "P1", "111", 200_00),
        ("project", "30299", "P1", "111", -50_00),             # 红字 reversal nets out
        ("project", "30299", "QT", "29", 70_00),               # other funds
    )
    planned = budget(
        ("initial", "basic_personnel", "RY", "30101", "111", 700_00),
        ("initial", "project", "P1", "30299", "111", 100_00),
        ("addition", "project", "P1", "30299", "111", 100_00),
        ("reduction", "basic_personnel", "RY", "30101", "111", -50_00),
        ("addition", "project", "QT", "30299", "29", 80_00),
    )
    return compute_department_metrics(spent, planned, PROFILE, reference, 2024)


def test_totals_and_split(metrics):
    assert metrics.actual_fen == 910_00
    assert (metrics.basic_fen, metrics.personnel_fen, metrics.public_fen) == (670_00, 600_00, 70_00)
    assert (metrics.named_projects_fen, metrics.other_funds_fen) == (170_00, 70_00)


def test_budget_figures(metrics):
    assert metrics.initial_budget_fen == 800_00
    assert metrics.adjusted_budget_fen == 930_00      # 800 + 100 + 80 − 50
    assert metrics.adjustment_fen == 130_00


def test_rates_are_exact(metrics):
    assert float(metrics.execution_rate) == pytest.approx(910 / 930)
    assert float(metrics.adjustment_rate) == pytest.approx(130 / 800)
    assert float(metrics.staff_control_rate) == pytest.approx(10 / 8)


def test_sangong_counts_fiscal_funds_only(metrics):
    items = {line.name: line.amount_fen for line in metrics.sangong}
    assert items == {"因公出国（境）费用": 0, "公务用车购置及运行维护费": 20_00, "公务接待费": 30_00}
    assert metrics.sangong_total_fen == 50_00


def test_project_list_in_budget_order(metrics):
    [project] = metrics.projects
    assert (project.code, project.initial_fen, project.adjusted_fen, project.actual_fen) == ("P1", 100_00, 200_00, 170_00)


def test_economic_classes_cover_all_spending(metrics):
    assert {line.code: line.amount_fen for line in metrics.econ_classes} == {"301": 500_00, "302": 310_00, "303": 100_00}


def test_reconciliation_identities_hold(metrics):
    table = reconciliation_table(metrics)
    assert list(table["difference_fen"]) == [0]


def _random_department(seed: int, reference):
    """A ledger and budget of random lines over every expense type, 三公 and other codes, both fund kinds."""
    rng = random.Random(seed)
    econ = ["30101", "30302", "30201", "30211", "30212", "30217", "30231", "31013", "30913", "30299", "31002"]
    kinds = ["basic_personnel", "basic_public", "project"]
    spent = ledger(*[(rng.choice(kinds), rng.choice(econ), rng.choice(["RY", "GY", "P1", "P2", "P3"]), rng.choice(["111", "29"]),
                      rng.randint(-5_000_00, 50_000_00)) for _ in range(rng.randint(1, 40))])
    planned = budget(*[(rng.choice(["initial", "addition"]), rng.choice(kinds), rng.choice(["RY", "GY", "P1", "P2", "P4"]),
                        rng.choice(econ), rng.choice(["111", "29"]), rng.randint(0, 80_000_00)) for _ in range(rng.randint(1, 20))])
    return compute_department_metrics(spent, planned, PROFILE, reference, 2024), spent


# The sums below hold by construction of the metrics: as quality rules (formerly REC-001, REC-004,
# REC-005) they could never fail, so they are checked here, on many random departments.
@pytest.mark.parametrize("seed", range(60))
def test_identities_that_hold_by_construction(seed, reference):
    m, spent = _random_department(seed, reference)
    basic = spent[spent["expense_type"].isin(["basic_personnel", "basic_public"])]
    # 公用经费 is 基本支出's 302 only (the Hunan table's 说明), so 基本支出's 310 capital spending is neither.
    neither = int(basic.loc[~basic["econ_code"].str[:3].isin(["301", "302", "303"]), "amount_fen"].sum())
    assert sum(line.amount_fen for line in m.econ_classes) == m.actual_fen          # 各经济分类之和 = 全年执行数
    assert m.personnel_fen + m.public_fen + neither == m.basic_fen                  # 人员 + 公用 + 其余 = 基本
    assert sum(p.actual_fen for p in m.projects) == m.named_projects_fen            # 项目清单之和 = 项目支出
    assert sum(line.amount_fen for line in m.sangong) == m.sangong_total_fen        # 三公各项之和 (items do not overlap)
    assert m.basic_fen + m.named_projects_fen + m.other_funds_fen == m.actual_fen   # REC-002 holds on well-typed lines


def test_every_identity_of_the_table_has_a_rule(reference):
    """Formerly REC-000: an identity added to the table without a rule would go unchecked."""
    suite = json.loads((Path(__file__).resolve().parents[2] / "expectations" / "reconciliation.json").read_text(encoding="utf-8"))
    checked = {re.search(r'identity=="(\w+)"', e["kwargs"]["row_condition"]).group(1) for e in suite["expectations"]}
    assert checked == {"basic_project_other"}
    assert set(reconciliation_table(_random_department(0, reference)[0])["identity"]) == checked
