"""Figure lineage: the amounts the report prints with their formula, exact fen, printed value and source rows.

Pure. Each figure is recomputed here from a row selection of the ledger or budget, so the
workpaper lets an auditor re-add the rows behind any printed number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from flows.domain.attached_tables import MeasureFigure
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
                   measures: Sequence[MeasureFigure] = (),
                   ) -> tuple[list[Figure], list[Rate]]:
    """Money figures with their source rows, and the rates built from them (last year's too, for 同比).

    `measures` are the attached tables' amounts (attached_tables.measure_lineage), each with its definition.
    """
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

    everything = lambda f: pd.Series(True, index=f.index)
    actual = add("actual", "全年执行数", "Σ 7101/7201 支出分录（借−贷）", ledger, everything)
    add("basic", "基本支出", "Σ 项目类别 1、2 的支出分录", ledger, lambda f: f["expense_type"].isin(BASIC_TYPES))
    add("personnel", "人员经费", "Σ 基本支出中经济分类 301、303", ledger,
        lambda f: f["expense_type"].isin(BASIC_TYPES) & f["econ_code"].str[:3].isin(reference.evaluation.personnel_classes))
    public_classes = reference.evaluation.public_classes
    public = add("public", "公用经费", f"Σ 基本支出中经济分类 {'、'.join(public_classes)}", ledger,
                 lambda f: f["expense_type"].isin(BASIC_TYPES) & f["econ_code"].str[:3].isin(public_classes))
    add("named_projects", "财政拨款项目支出", "Σ 项目类别 3、财政拨款资金的支出分录", ledger, lambda f: (f["expense_type"] == "project") & fiscal.loc[f.index])
    add("other_funds", "其它资金", "Σ 项目类别 3、非财政拨款资金的支出分录", ledger, lambda f: (f["expense_type"] == "project") & ~fiscal.loc[f.index])
    for line in metrics.econ_classes:
        add(econ_key(line.code, "amount"), f"经济分类 {line.code} {line.name}", f"Σ 经济分类 {line.code} 开头的支出分录", ledger,
            lambda f, code=line.code: f["econ_code"].str[:3] == code)
    sangong_codes = []
    for item in reference.evaluation.sangong_items:
        sangong_codes += item.econ_codes
        add(sangong_key(item.name), f"“三公”·{item.name}", f"Σ 财政拨款、经济分类 {'/'.join(item.econ_codes)}", ledger,
            lambda f, codes=item.econ_codes: fiscal.loc[f.index] & f["econ_code"].isin(codes))
    sangong = add("sangong_total", "“三公”经费合计", "Σ 财政拨款、三公经济分类", ledger, lambda f: fiscal.loc[f.index] & f["econ_code"].isin(sangong_codes))
    for project in metrics.projects:
        add(project_key(project.code, "actual"), f"项目·{project.name}·全年执行数", f"Σ 预算项目 {project.code} 的支出分录", ledger,
            lambda f, code=project.code: (f["project_code"] == code) & fiscal.loc[f.index])
        add(project_key(project.code, "adjusted"), f"项目·{project.name}·全年预算数", f"Σ 预算项目 {project.code} 的指标", budget, lambda f, code=project.code: f["project_code"] == code)
        add(project_key(project.code, "initial"), f"项目·{project.name}·年初预算数", f"Σ 预算项目 {project.code} 的年初预算指标", budget,
            lambda f, code=project.code: (f["project_code"] == code) & (f["source_type"] == "initial"))
    initial_only = lambda f: f["source_type"] == "initial"
    add("projects_initial", "项目支出年初预算数", "Σ 项目类别 3、财政拨款、年初预算的指标", budget,
        lambda f: (f["expense_type"] == "project") & f["fund_source"].isin(reference.codes.fiscal_fund_sources) & initial_only(f))
    add("projects_adjusted", "项目支出全年预算数", "Σ 项目类别 3、财政拨款资金的指标", budget,
        lambda f: (f["expense_type"] == "project") & f["fund_source"].isin(reference.codes.fiscal_fund_sources))
    if prior is not None:
        _add_prior(add, *prior)
    for measure_figure in measures:
        figures.append(Figure(f"F{len(figures) + 1:03d}", (measure_figure.key,), measure_figure.name, measure_figure.formula,
                              measure_figure.fen, format_wan(measure_figure.fen), measure_figure.sources))
    initial = add("initial_budget", "年初预算数", "Σ 指标来源=年初预算", budget, lambda f: f["source_type"] == "initial")
    adjusted = add("adjusted_budget", "全年预算数", "Σ 全部指标（追加为正、调减为负）", budget, everything)
    public_phase = reference.evaluation.public_budget_phase
    public_budget = add("public_budget", "公用经费预算", f"Σ 基本支出中经济分类 {'、'.join(public_classes)} 的"
                        + ("年初预算指标" if public_phase == "initial" else "指标"), budget,
                        lambda f: f["expense_type"].isin(BASIC_TYPES) & f["econ_code"].str[:3].isin(public_classes)
                        & ((f["source_type"] == "initial") if public_phase == "initial" else True))
    sangong_budget = add("sangong_budget", "“三公”经费预算", "Σ 财政拨款、三公经济分类的指标", budget,
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


def _add_prior(add, ledger: pd.DataFrame, budget: pd.DataFrame, prior: DepartmentMetrics) -> None:
    """Last year's figures that the body prints beside this year's (上年数)."""
    add("prior_actual", "上年·全年执行数", "Σ 上年 7101/7201 支出分录", ledger, lambda f: pd.Series(True, index=f.index))
    for line in prior.econ_classes:
        add(econ_key(line.code, "prior"), f"上年·经济分类 {line.code} {line.name}", f"Σ 上年经济分类 {line.code} 开头的支出分录", ledger,
            lambda f, code=line.code: f["econ_code"].str[:3] == code)
