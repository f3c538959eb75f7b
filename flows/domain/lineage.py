"""Figure lineage: the amounts the report prints with their formula, exact fen, printed value and source rows.

Pure. Each figure is recomputed here from a row selection of the ledger or budget, so the
workpaper lets an auditor re-add the rows behind any printed number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from flows.domain.attached_tables import PUBLIC_PARTS, sangong_row_key
from flows.domain.figures import econ_key, project_key, sangong_key
from flows.domain.metrics import BASIC_TYPES, DepartmentMetrics
from flows.domain.money import format_percent, format_wan
from flows.domain.reference import Reference


@dataclass(frozen=True, slots=True)
class Figure:
    figure_id: str
    keys: tuple[str, ...]        # registry keys of the printed figures it explains (flows/domain/figures.py)
    name: str
    formula: str
    fen: int
    printed: str
    sources: pd.DataFrame        # source_file, source_row, amount_fen of the rows summed


@dataclass(frozen=True, slots=True)
class Rate:
    name: str
    numerator: str               # figure IDs (or a count, for staff)
    denominator: str
    printed: str


def figure_lineage(ledger: pd.DataFrame, budget: pd.DataFrame, metrics: DepartmentMetrics,
                   reference: Reference, prior: tuple[pd.DataFrame, pd.DataFrame, DepartmentMetrics] | None = None,
                   ) -> tuple[list[Figure], list[Rate]]:
    """Money figures with their source rows, and the rates built from them (last year's too, for 同比)."""
    fiscal = ledger["fund_source"].isin(reference.codes.fiscal_fund_sources)
    figures: list[Figure] = []

    def add(keys: str | tuple[str, ...], name: str, formula: str, frame: pd.DataFrame,
            select: Callable[[pd.DataFrame], pd.Series]) -> str:
        rows = frame[select(frame)][["source_file", "source_row", "amount_fen"]].reset_index(drop=True)
        fen = int(rows["amount_fen"].sum())
        figure_id = f"F{len(figures) + 1:03d}"
        keys = (keys,) if isinstance(keys, str) else keys
        figures.append(Figure(figure_id, tuple(k for k in keys if k), name, formula, fen, format_wan(fen), rows))
        return figure_id

    def add_control_parts(prefix: str, spent: pd.DataFrame, planned: pd.DataFrame | None) -> None:
        column = "prior" if prefix else "actual"
        for key, label, codes in PUBLIC_PARTS:
            add(f"bd.{key}.{column}", f"{prefix}公用经费·{label}", f"Σ 运转类、经济分类 {'/'.join(codes)} 的支出分录", spent,
                lambda f, codes=codes: (f["expense_type"] == "basic_public") & f["econ_code"].isin(codes))
            if planned is not None:
                add(f"bd.{key}.budget", f"{prefix}公用经费·{label}·预算", f"Σ 运转类、经济分类 {'/'.join(codes)} 的指标", planned,
                    lambda f, codes=codes: (f["expense_type"] == "basic_public") & f["econ_code"].isin(codes))

    everything = lambda f: pd.Series(True, index=f.index)
    actual = add(("actual", "se.total.actual"), "全年执行数", "Σ 7101/7201 支出分录（借−贷）", ledger, everything)
    add(("basic", "se.basic.actual"), "基本支出", "Σ 项目类别 1、2 的支出分录", ledger, lambda f: f["expense_type"].isin(BASIC_TYPES))
    add("personnel", "人员经费", "Σ 基本支出中经济分类 301、303", ledger,
        lambda f: f["expense_type"].isin(BASIC_TYPES) & f["econ_code"].str[:3].isin(reference.evaluation.personnel_classes))
    public = add(("public", "bd.public.actual"), "公用经费", "Σ 基本支出中其余经济分类", ledger,
                 lambda f: f["expense_type"].isin(BASIC_TYPES) & ~f["econ_code"].str[:3].isin(reference.evaluation.personnel_classes))
    add(("named_projects", "bd.projects.actual"), "项目支出", "Σ 项目类别 3、财政拨款资金的支出分录", ledger, lambda f: (f["expense_type"] == "project") & fiscal.loc[f.index])
    add("other_funds", "其它资金", "Σ 项目类别 3、非财政拨款资金的支出分录", ledger, lambda f: (f["expense_type"] == "project") & ~fiscal.loc[f.index])
    for line in metrics.econ_classes:
        add(econ_key(line.code, "amount"), f"经济分类 {line.code} {line.name}", f"Σ 经济分类 {line.code} 开头的支出分录", ledger,
            lambda f, code=line.code: f["econ_code"].str[:3] == code)
    sangong_codes = []
    for item in reference.evaluation.sangong_items:
        sangong_codes += item.econ_codes
        add((sangong_key(item.name), _bd_sangong(item.name, "actual")), f"“三公”·{item.name}", f"Σ 财政拨款、经济分类 {'/'.join(item.econ_codes)}", ledger,
            lambda f, codes=item.econ_codes: fiscal.loc[f.index] & f["econ_code"].isin(codes))
    sangong = add(("sangong_total", "bd.sangong.actual"), "“三公”经费合计", "Σ 财政拨款、三公经济分类", ledger, lambda f: fiscal.loc[f.index] & f["econ_code"].isin(sangong_codes))
    for project in metrics.projects:
        add(project_key(project.code, "actual"), f"项目·{project.name}·全年执行数", f"Σ 预算项目 {project.code} 的支出分录", ledger,
            lambda f, code=project.code: (f["project_code"] == code) & fiscal.loc[f.index])
        add(project_key(project.code, "adjusted"), f"项目·{project.name}·全年预算数", f"Σ 预算项目 {project.code} 的指标", budget, lambda f, code=project.code: f["project_code"] == code)
        add(project_key(project.code, "initial"), f"项目·{project.name}·年初预算数", f"Σ 预算项目 {project.code} 的年初预算指标", budget,
            lambda f, code=project.code: (f["project_code"] == code) & (f["source_type"] == "initial"))
    # The 自评表's budget block: by fund (一般公共预算 / 其他资金) and by kind (基本 / 项目).
    fiscal_budget = lambda f: f["fund_source"].isin(reference.codes.fiscal_fund_sources)
    basic_budget = lambda f: f["expense_type"].isin(BASIC_TYPES)
    initial_only = lambda f: f["source_type"] == "initial"
    add("projects_initial", "项目支出年初预算数", "Σ 项目类别 3、财政拨款、年初预算的指标", budget,
        lambda f: (f["expense_type"] == "project") & fiscal_budget(f) & initial_only(f))
    add("se.fiscal.actual", "一般公共预算·全年执行数", "Σ 财政拨款资金的支出分录", ledger, lambda f: fiscal.loc[f.index])
    add("se.fiscal.initial", "一般公共预算·年初预算数", "Σ 财政拨款、年初预算的指标", budget, lambda f: fiscal_budget(f) & initial_only(f))
    add("se.fiscal.adjusted", "一般公共预算·全年预算数", "Σ 财政拨款的指标", budget, fiscal_budget)
    add("se.other.actual", "其他资金·全年执行数", "Σ 非财政拨款资金的支出分录", ledger, lambda f: ~fiscal.loc[f.index])
    add("se.other.initial", "其他资金·年初预算数", "Σ 非财政拨款、年初预算的指标", budget, lambda f: ~fiscal_budget(f) & initial_only(f))
    add("se.other.adjusted", "其他资金·全年预算数", "Σ 非财政拨款的指标", budget, lambda f: ~fiscal_budget(f))
    add("se.basic.initial", "基本支出·年初预算数", "Σ 项目类别 1、2 的年初预算指标", budget, lambda f: basic_budget(f) & initial_only(f))
    add("se.basic.adjusted", "基本支出·全年预算数", "Σ 项目类别 1、2 的指标", budget, basic_budget)
    add("bd.basic_adjustment.actual", "基本支出·预算调整", "Σ 项目类别 1、2 的追加、调减、结转指标", budget, lambda f: basic_budget(f) & ~initial_only(f))
    add("se.project.actual", "项目支出（含其它资金）·全年执行数", "Σ 项目类别 3 的支出分录", ledger, lambda f: f["expense_type"] == "project")
    add("se.project.initial", "项目支出（含其它资金）·年初预算数", "Σ 项目类别 3 的年初预算指标", budget,
        lambda f: (f["expense_type"] == "project") & initial_only(f))
    add("se.project.adjusted", "项目支出（含其它资金）·全年预算数", "Σ 项目类别 3 的指标", budget, lambda f: f["expense_type"] == "project")
    add(("projects_adjusted", "bd.projects.budget"), "项目支出全年预算数", "Σ 项目类别 3、财政拨款资金的指标", budget,
        lambda f: (f["expense_type"] == "project") & f["fund_source"].isin(reference.codes.fiscal_fund_sources))
    add_control_parts("", ledger, budget)
    if prior is not None:
        _add_prior(add, add_control_parts, *prior, reference)
    initial = add(("initial_budget", "se.total.initial"), "年初预算数", "Σ 指标来源=年初预算", budget, lambda f: f["source_type"] == "initial")
    adjusted = add(("adjusted_budget", "se.total.adjusted"), "全年预算数", "Σ 全部指标（追加为正、调减为负）", budget, everything)
    public_budget = add(("public_budget", "bd.public.budget"), "公用经费预算", "Σ 运转类项目指标", budget, lambda f: f["expense_type"] == "basic_public")
    sangong_budget = add(("sangong_budget", "bd.sangong.budget"), "“三公”经费预算", "Σ 财政拨款、三公经济分类的指标", budget,
                         lambda f: f["fund_source"].isin(reference.codes.fiscal_fund_sources) & f["econ_code"].isin(sangong_codes))
    m = metrics
    rates = [
        Rate("预算执行率", actual, adjusted, format_percent(m.actual_fen, m.adjusted_budget_fen)),
        Rate("预算调整率", f"{adjusted}−{initial}", initial, format_percent(m.adjustment_fen, m.initial_budget_fen)),
        Rate("在职人员控制率", f"在编 {m.staff_in_post} 人", f"编制 {m.staff_authorized} 人", format_percent(m.staff_in_post, m.staff_authorized)),
        Rate("公用经费控制率", public, public_budget, format_percent(m.public_fen, m.public_budget_fen)),
        Rate("“三公”经费控制率", sangong, sangong_budget, format_percent(m.sangong_total_fen, m.sangong_budget_fen)),
    ]
    return figures, rates


def _bd_sangong(item_name: str, column: str) -> str:
    """The 基础数据表 cell of a “三公” item, "" when the table has no row for it."""
    row = sangong_row_key(item_name)
    return f"bd.{row}.{column}" if row else ""


def _add_prior(add, add_control_parts, ledger: pd.DataFrame, budget: pd.DataFrame, prior: DepartmentMetrics,
               reference: Reference) -> None:
    """Last year's figures that the report prints beside this year's (上年数, 上年决算数)."""
    fiscal = ledger["fund_source"].isin(reference.codes.fiscal_fund_sources)
    add("prior_actual", "上年·全年执行数", "Σ 上年 7101/7201 支出分录", ledger, lambda f: pd.Series(True, index=f.index))
    for line in prior.econ_classes:
        add(econ_key(line.code, "prior"), f"上年·经济分类 {line.code} {line.name}", f"Σ 上年经济分类 {line.code} 开头的支出分录", ledger,
            lambda f, code=line.code: f["econ_code"].str[:3] == code)
    codes = []
    for item in reference.evaluation.sangong_items:
        codes += item.econ_codes
        add(_bd_sangong(item.name, "prior"), f"上年·“三公”·{item.name}", f"Σ 上年财政拨款、经济分类 {'/'.join(item.econ_codes)}", ledger,
            lambda f, item_codes=item.econ_codes: fiscal.loc[f.index] & f["econ_code"].isin(item_codes))
    add("bd.sangong.prior", "上年·“三公”经费合计", "Σ 上年财政拨款、三公经济分类", ledger, lambda f: fiscal.loc[f.index] & f["econ_code"].isin(codes))
    add("bd.projects.prior", "上年·项目支出", "Σ 上年项目类别 3、财政拨款资金", ledger, lambda f: (f["expense_type"] == "project") & fiscal.loc[f.index])
    add("bd.public.prior", "上年·公用经费", "Σ 上年基本支出中其余经济分类", ledger,
        lambda f: f["expense_type"].isin(BASIC_TYPES) & ~f["econ_code"].str[:3].isin(reference.evaluation.personnel_classes))
    add_control_parts("上年·", ledger, None)
