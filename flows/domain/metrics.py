"""Performance metrics of one department for one year, from its ledger and budget rows.

Pure. All amounts are integer fen; ratios are exact Decimals, rounded only when printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from flows.domain.money import ratio
from flows.domain.profile import DepartmentProfile
from flows.domain.reference import Reference

BASIC_TYPES = ("basic_personnel", "basic_public")


@dataclass(frozen=True, slots=True)
class AmountLine:
    code: str
    name: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class ProjectLine:
    code: str
    name: str
    initial_fen: int
    adjusted_fen: int
    actual_fen: int


@dataclass(frozen=True, slots=True)
class DepartmentMetrics:
    """The figures a self-evaluation report prints, exact."""

    unit_code: str
    year: int
    initial_budget_fen: int        # 年初预算数
    adjusted_budget_fen: int       # 全年预算数 (年初 + 追加 − 调减 + 结转)
    actual_fen: int                # 全年执行数
    basic_fen: int                 # 基本支出
    personnel_fen: int             # 人员经费 (基本支出中的 301 + 303)
    public_fen: int                # 公用经费 (基本支出中的 302 一般商品和服务支出)
    econ_classes: tuple[AmountLine, ...]   # spending by 经济分类 类, over all spending
    projects: tuple[ProjectLine, ...]      # 财政拨款 projects (项目支出), budget order
    named_projects_fen: int        # Σ 项目支出 on 财政拨款 funds
    other_funds_fen: int           # 项目支出 on other funds (其它资金)
    other_funds_names: tuple[str, ...]
    sangong: tuple[AmountLine, ...]        # "三公" items on 财政拨款 funds
    sangong_total_fen: int
    staff_authorized: int
    staff_in_post: int
    public_budget_fen: int         # 公用经费 预算 (基本支出 302, the configured budget phase)
    sangong_budget_fen: int        # "三公" 全年预算 on 财政拨款 funds
    basic_initial_fen: int         # 基本支出 年初预算
    basic_adjusted_fen: int        # 基本支出 全年预算
    fiscal_actual_fen: int         # spending on 财政拨款 (一般公共预算…) funds
    fiscal_initial_fen: int
    fiscal_adjusted_fen: int

    @property
    def execution_rate(self) -> Decimal | None:
        """预算执行率 = 全年执行数 ÷ 全年预算数."""
        return ratio(self.actual_fen, self.adjusted_budget_fen)

    @property
    def basic_other_fen(self) -> int:
        """基本支出 outside 人员经费 and 公用经费 (e.g. 310 capital spending in 基本支出)."""
        return self.basic_fen - self.personnel_fen - self.public_fen

    @property
    def adjustment_fen(self) -> int:
        return self.adjusted_budget_fen - self.initial_budget_fen

    @property
    def adjustment_rate(self) -> Decimal | None:
        """预算调整率 = (全年预算数 − 年初预算数) ÷ 年初预算数."""
        return ratio(self.adjustment_fen, self.initial_budget_fen)

    @property
    def staff_control_rate(self) -> Decimal | None:
        """在职人员控制率 = 在编人数 ÷ 编制数."""
        return ratio(self.staff_in_post, self.staff_authorized)

    def rates(self, prior: DepartmentMetrics | None = None) -> dict[str, Decimal | None]:
        """Every computed indicator value by the name indicator libraries use (None: no data)."""
        return {
            "execution_rate": self.execution_rate,
            "adjustment_rate": self.adjustment_rate,
            "staff_control_rate": self.staff_control_rate,
            "public_control_rate": ratio(self.public_fen, self.public_budget_fen),        # 公用经费控制率
            "sangong_control_rate": ratio(self.sangong_total_fen, self.sangong_budget_fen),  # 三公经费控制率
            "carryover_rate": ratio(self.adjusted_budget_fen - self.actual_fen, self.adjusted_budget_fen),  # 结转结余率
            # "三公"经费变动率 = (本年三公预算 − 上年三公预算) ÷ 上年三公预算; needs the prior year.
            "sangong_change_rate": None if prior is None else ratio(
                self.sangong_budget_fen - prior.sangong_budget_fen, prior.sangong_budget_fen),
        }


def _sum(frame: pd.DataFrame) -> int:
    return int(frame["amount_fen"].sum())


def compute_department_metrics(
    ledger: pd.DataFrame, budget: pd.DataFrame, profile: DepartmentProfile, reference: Reference, year: int
) -> DepartmentMetrics:
    """Compute every figure of the report for one department.

    Args:
        ledger: the department's canonical ledger rows (7101/7201 lines, debit − credit in fen).
        budget: the department's budget rows (reductions negative).
    """
    fiscal = ledger["fund_source"].isin(reference.codes.fiscal_fund_sources)
    is_project = ledger["expense_type"] == "project"
    basic = ledger[ledger["expense_type"].isin(BASIC_TYPES)]
    econ_class = basic["econ_code"].str[:3]
    personnel_fen = _sum(basic[econ_class.isin(reference.evaluation.personnel_classes)])
    public_fen = _sum(basic[econ_class.isin(reference.evaluation.public_classes)])

    by_class = ledger.groupby(ledger["econ_code"].str[:3])["amount_fen"].sum()
    names = {**reference.codes.economic_classes, **reference.evaluation.econ_classes}
    econ_classes = tuple(AmountLine(code, names.get(code, ""), int(by_class[code])) for code in sorted(by_class.index))

    sangong_codes = {code for item in reference.evaluation.sangong_items for code in item.econ_codes}
    basic_budget = budget[budget["expense_type"].isin(BASIC_TYPES)]
    fiscal_budget = budget[budget["fund_source"].isin(reference.codes.fiscal_fund_sources)]
    named = ledger[is_project & fiscal]
    other = ledger[is_project & ~fiscal]
    return DepartmentMetrics(
        unit_code=profile.unit_code,
        year=year,
        initial_budget_fen=_sum(budget[budget["source_type"] == "initial"]),
        adjusted_budget_fen=_sum(budget),
        actual_fen=_sum(ledger),
        basic_fen=_sum(basic),
        personnel_fen=personnel_fen,
        public_fen=public_fen,
        econ_classes=econ_classes,
        projects=_project_lines(named, budget, reference),
        named_projects_fen=_sum(named),
        other_funds_fen=_sum(other),
        other_funds_names=tuple(dict.fromkeys(other["project_name"])),
        sangong=tuple(
            AmountLine("+".join(item.econ_codes), item.name, _sum(ledger[fiscal & ledger["econ_code"].isin(item.econ_codes)]))
            for item in reference.evaluation.sangong_items
        ),
        sangong_total_fen=_sum(ledger[fiscal & ledger["econ_code"].isin(sangong_codes)]),
        staff_authorized=profile.staffing.authorized_total,
        staff_in_post=profile.staffing.in_post,
        public_budget_fen=_public_budget(basic_budget, reference),
        sangong_budget_fen=_sum(budget[budget["fund_source"].isin(reference.codes.fiscal_fund_sources)
                                       & budget["econ_code"].isin(sangong_codes)]),
        basic_initial_fen=_sum(basic_budget[basic_budget["source_type"] == "initial"]),
        basic_adjusted_fen=_sum(basic_budget),
        fiscal_actual_fen=_sum(ledger[fiscal]),
        fiscal_initial_fen=_sum(fiscal_budget[fiscal_budget["source_type"] == "initial"]),
        fiscal_adjusted_fen=_sum(fiscal_budget),
    )


def _public_budget(basic_budget: pd.DataFrame, reference: Reference) -> int:
    """公用经费 预算: 基本支出's public classes, in the budget phase the locality's tables print (年初 in Hunan)."""
    settings = reference.evaluation
    public = basic_budget[basic_budget["econ_code"].str[:3].isin(settings.public_classes)]
    if settings.public_budget_phase == "initial":
        public = public[public["source_type"] == "initial"]
    return _sum(public)


def _project_lines(named: pd.DataFrame, budget: pd.DataFrame, reference: Reference) -> tuple[ProjectLine, ...]:
    """One line per 财政拨款 project, in the budget file's order, then any unbudgeted ones."""
    fiscal_budget = budget[(budget["expense_type"] == "project") & budget["fund_source"].isin(reference.codes.fiscal_fund_sources)]
    actual = named.groupby("project_code")["amount_fen"].sum()
    initial = fiscal_budget[fiscal_budget["source_type"] == "initial"].groupby("project_code")["amount_fen"].sum()
    adjusted = fiscal_budget.groupby("project_code")["amount_fen"].sum()
    names = dict(zip(fiscal_budget["project_code"], fiscal_budget["project_name"], strict=True))
    names.update({c: n for c, n in zip(named["project_code"], named["project_name"], strict=True) if c not in names})
    order = list(dict.fromkeys([*fiscal_budget["project_code"], *named["project_code"]]))
    return tuple(
        ProjectLine(code, names[code], int(initial.get(code, 0)), int(adjusted.get(code, 0)), int(actual.get(code, 0)))
        for code in order
    )
