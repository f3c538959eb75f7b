"""A small valid department and a way to run one rule on it, for the one-module-per-rule tests.

Each rule module starts from `valid()` (which passes every rule), breaks one thing, and
asserts that exactly its rule fails, with the row located.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml

from flows.adapters.project_files import load_reference
from flows.adapters.quality_gx import run_suites
from flows.domain.budget import BUDGET_COLUMNS
from flows.domain.control_totals import DECLARED_COLUMNS
from flows.domain.ledger import LEDGER_COLUMNS, ParsedRows, RowIssue, voucher_balance_frame
from flows.domain.metrics import DepartmentMetrics, compute_department_metrics
from flows.domain.profile import parse_profile
from flows.domain.quality import RuleResult
from flows.domain.quality_inputs import quality_datasets, quality_parameters
from flows.domain.reconciliation import reconciliation_table

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "expectations"
REFERENCE = load_reference(2024)
PROFILE = parse_profile({
    "unit_code": "900001", "name": "测试单位", "report_date": "2025-03-31", "functions": "职能",
    "structure": {"internal_offices": 1}, "staffing": {"as_of": "2024-12-31", "authorized": {"行政编制": 5}, "in_post": 5},
    "performance": {"intro": "概述"},
}, "test.yaml")

# (expense type, econ, project, fund, fen, summary)
LEDGER_LINES = [
    ("basic_personnel", "30101", "RY", "111", 500_000, "发放工资"),
    ("basic_public", "30201", "GY", "111", 120_000, "购买办公用品"),
    ("basic_public", "30217", "GY", "111", 30_000, "公务接待"),
    ("project", "30299", "P1", "111", 200_000, "项目支出"),
    ("project", "30299", "P1", "111", -50_000, "红字冲销：项目支出"),
    ("project", "30299", "QT", "29", 70_000, "其它资金支出"),
]
# (source type, expense type, project, econ, fund, fen)
BUDGET_LINES = [
    ("initial", "basic_personnel", "RY", "30101", "111", 600_000),
    ("initial", "basic_public", "GY", "30201", "111", 200_000),
    ("initial", "project", "P1", "30299", "111", 100_000),
    ("addition", "project", "P1", "30299", "111", 100_000),
    ("addition", "project", "QT", "30299", "29", 80_000),
]


@dataclasses.dataclass
class Department:
    ledger: pd.DataFrame
    budget: pd.DataFrame
    declared: pd.DataFrame
    rejected: list[RowIssue]
    parameters: dict
    vouchers: pd.DataFrame = dataclasses.field(default_factory=lambda: voucher_balance_frame(ParsedRows()))


def ledger_frame(lines) -> pd.DataFrame:
    rows = [
        (2024, "900001", dt.date(2024, 5, n), f"记-{n}", 1, "7101", "2012901", econ, etype, project, f"项目{project}",
         fund, fen, summary, "2024/ledger/900001/凭证.csv", n + 1)
        for n, (etype, econ, project, fund, fen, summary) in enumerate(lines, start=1)
    ]
    frame = pd.DataFrame(rows, columns=list(LEDGER_COLUMNS))
    frame["posting_date"] = pd.to_datetime(frame["posting_date"])
    return frame


def budget_frame(lines) -> pd.DataFrame:
    rows = [("900001", source, "文号", etype, project, f"项目{project}", "2012901", econ, fund, fen, "2024/budget/指标.csv", n)
            for n, (source, etype, project, econ, fund, fen) in enumerate(lines, start=2)]
    return pd.DataFrame(rows, columns=list(BUDGET_COLUMNS)).astype({"amount_fen": "int64", "source_row": "int64"})


def valid() -> Department:
    declared = pd.DataFrame([("900001", "支出合计", 870_000, "2024/control_totals/决算.csv", 2)], columns=list(DECLARED_COLUMNS))
    return Department(
        ledger=ledger_frame(LEDGER_LINES),
        budget=budget_frame(BUDGET_LINES),
        declared=declared.astype({"amount_fen": "int64", "source_row": "int64"}),
        rejected=[],
        parameters=quality_parameters(REFERENCE, 2024, pd.Timestamp(2025, 1, 10)),
    )


def configured(tmp_path: Path, file: str, edit: Callable[[dict], None]) -> Department:
    """The valid department, checked with parameters from a copy of config/ whose `file` was edited.

    Shows that a locality changes a rule's verdict in its YAML, without touching expectations/.
    """
    root = tmp_path / "project"
    shutil.copytree(ROOT / "config", root / "config")
    path = root / "config" / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    department = valid()
    department.parameters = quality_parameters(load_reference(2024, root=root), 2024, pd.Timestamp(2025, 1, 10))
    return department


def _suite_of(rule_id: str) -> str:
    for path in EXPECTATIONS.glob("*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        if any(e["meta"]["rule_id"] == rule_id for e in suite["expectations"]):
            return suite["name"]
    raise KeyError(rule_id)


def run_rule(rule_id: str, department: Department,
             tamper: Callable[[DepartmentMetrics], DepartmentMetrics] = lambda m: m) -> tuple[RuleResult, set[str]]:
    """Run the suite holding `rule_id`; return that rule's result and every failing rule ID of the suite."""
    metrics = tamper(compute_department_metrics(department.ledger, department.budget, PROFILE, REFERENCE, 2024))
    datasets = quality_datasets(department.ledger, department.budget, metrics, department.rejected, department.declared,
                                department.vouchers)
    datasets["reconciliation"] = reconciliation_table(metrics)   # looked up here so a test can swap it
    results = run_suites(EXPECTATIONS, datasets, department.parameters, only_suites=frozenset({_suite_of(rule_id)}))
    [result] = [r for r in results if r.rule_id == rule_id]
    return result, {r.rule_id for r in results if not r.success}


def assert_passes(rule_id: str, department: Department | None = None) -> None:
    result, failed = run_rule(rule_id, department or valid())
    assert result.success, result.violations
    assert not failed, f"the valid department fails {failed}"


def assert_fails_alone(rule_id: str, department: Department, tamper=lambda m: m, also: frozenset[str] = frozenset()) -> RuleResult:
    """The rule fails and, of its suite, only it fails (plus `also`, rules the same fault must trip too)."""
    result, failed = run_rule(rule_id, department, tamper)
    assert not result.success
    assert failed == {rule_id, *also}, f"expected only {rule_id} to fail, got {failed}"
    return result


def tampered(**changes) -> Callable[[DepartmentMetrics], DepartmentMetrics]:
    return lambda m: dataclasses.replace(m, **{k: (v(m) if callable(v) else v) for k, v in changes.items()})
