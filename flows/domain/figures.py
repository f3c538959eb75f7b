"""The one registry of printed figures: every number the report prints, built once per unit.

Pure. The template context (`f`, table rows), the manifest's `figures`, the 修订说明 and the
workpaper all read this registry, so "every printed figure" holds by construction. Amounts
stay exact fen; a figure is rounded only into its `printed` text (flows/domain/money.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from flows.domain.attached_tables import (
    AttachmentAmounts,
    MeasureAmounts,
    amount_cells,
    amount_key,
    line_key,
    project_columns,
)
from flows.domain.attachment_layout import SOURCE_NAMES, AmountSource, AttachmentLayout
from flows.domain.evaluation import Evaluation, RatePrinting, points_text
from flows.domain.metrics import DepartmentMetrics
from flows.domain.money import format_percent, format_wan, wan_cents
from flows.domain.profile import DepartmentProfile
from flows.domain.quality import QualityVerdict

NO_DATA = "—"


class FigureKind(StrEnum):
    MONEY = "money"        # 万元, from exact fen
    PERCENT = "percent"
    COUNT = "count"        # people, offices, projects, rows
    POINTS = "points"      # indicator points and scores
    MEASURE = "measure"    # an output indicator's value with its unit, as the department declared it


@dataclass(frozen=True, slots=True)
class PrintedFigure:
    key: str               # stable identifier; the template reads f.<key>
    label: str             # stable Chinese name, shown in the 修订说明 and the workpaper
    kind: FigureKind
    printed: str           # exactly what the report prints
    fen: int | None = None  # exact amount, money figures only


class DuplicateFigureError(ValueError):
    """Two figures share a key or a label: the manifest and the 修订说明 could not tell them apart."""


class FigureRegistry:
    """Printed figures in registration order, unique by key and by label."""

    def __init__(self) -> None:
        self._figures: dict[str, PrintedFigure] = {}
        self._labels: set[str] = set()

    def add(self, figure: PrintedFigure) -> str:
        if figure.key in self._figures or figure.label in self._labels:
            raise DuplicateFigureError(f"figure registered twice: {figure.key} / {figure.label}")
        self._figures[figure.key] = figure
        self._labels.add(figure.label)
        return figure.printed

    def money(self, key: str, label: str, fen: int | None) -> str:
        """An amount in 万元; None prints — (the table has no such amount)."""
        return self.add(PrintedFigure(key, label, FigureKind.MONEY, NO_DATA if fen is None else format_wan(fen), fen))

    def percent(self, key: str, label: str, numerator: int, denominator: int, signed: bool = False,
                printing: RatePrinting | None = None) -> str:
        """A rate; `printing` is the locality's rule for the tables' 执行率 (two decimals, half up otherwise)."""
        printed = printing.format(numerator, denominator) if printing else format_percent(numerator, denominator)
        if signed and not printed.startswith(("-", NO_DATA)):
            printed = f"+{printed}"
        return self.add(PrintedFigure(key, label, FigureKind.PERCENT, printed))

    def count(self, key: str, label: str, value: int) -> str:
        return self.add(PrintedFigure(key, label, FigureKind.COUNT, str(value)))

    def points(self, key: str, label: str, value: Decimal | None) -> str:
        return self.add(PrintedFigure(key, label, FigureKind.POINTS, points_text(value)))

    def measure(self, key: str, label: str, printed: str) -> str:
        return self.add(PrintedFigure(key, label, FigureKind.MEASURE, printed))

    def no_data(self, key: str, label: str, kind: FigureKind) -> str:
        return self.add(PrintedFigure(key, label, kind, NO_DATA))

    def unique_label(self, label: str, qualifier: str) -> str:
        """`label`, or `label（qualifier）` when another figure already has it (two projects of one name)."""
        taken = label in self._labels or any(known.startswith(f"{label}·") for known in self._labels)
        return f"{label}（{qualifier}）" if taken else label

    def __getitem__(self, key: str) -> PrintedFigure:
        return self._figures[key]

    def __contains__(self, key: object) -> bool:
        return key in self._figures

    def __iter__(self) -> Iterator[PrintedFigure]:
        return iter(self._figures.values())

    def __len__(self) -> int:
        return len(self._figures)

    def text(self, key: str) -> str:
        """The printed text of one figure (KeyError for a figure nobody registered)."""
        return self._figures[key].printed

    def printed(self) -> dict[str, str]:
        """key → printed text: the template's `f`."""
        return {key: figure.printed for key, figure in self._figures.items()}

    def manifest_figures(self) -> dict[str, dict[str, object]]:
        """label → {"fen"?, "printed"}: the manifest's `figures`, compared by describe_revision."""
        return {
            figure.label: ({"fen": figure.fen, "printed": figure.printed} if figure.fen is not None
                           else {"printed": figure.printed})
            for figure in self._figures.values()
        }


def rounding_gap_cents(parts_fen: list[int], total_fen: int) -> int:
    """Printed total minus the sum of printed parts, in hundredths of 万元 (尾差)."""
    return wan_cents(total_fen) - sum(wan_cents(part) for part in parts_fen)


def econ_key(code: str, column: str) -> str:
    return f"econ.{code}.{column}"


def sangong_key(name: str) -> str:
    return f"sangong.{name}"


def project_key(code: str, column: str) -> str:
    return f"project.{code}.{column}"


def output_key(index: int, column: str) -> str:
    return f"output.{index}.{column}"


def score_key(index: int, column: str) -> str:
    return f"score.{index}.{column}"


def group_key(level1: str, column: str) -> str:
    return f"group.{level1}.{column}"


def warning_key(rule_id: str) -> str:
    return f"warning.{rule_id}.count"


def build_figures(m: DepartmentMetrics, profile: DepartmentProfile, evaluation: Evaluation, layout: AttachmentLayout,
                  amounts: AttachmentAmounts, verdict: QualityVerdict, prior: DepartmentMetrics | None = None,
                  rate_printing: RatePrinting | None = None) -> FigureRegistry:
    """Register every figure the report prints, with a unique stable key and label."""
    r = FigureRegistry()
    _headline(r, m, profile)
    _econ_classes(r, m, prior)
    _sangong(r, m)
    _projects(r, m)
    _budget_indicators(r, m, prior)
    _attached_amounts(r, layout, amounts, rate_printing)
    _declared(r, profile)
    _self_evaluation(r, evaluation)
    for index, indicator in enumerate(profile.indicators):
        label = r.unique_label(f"产出指标:{indicator.name}", str(index + 1))
        r.measure(output_key(index, "target"), f"{label}·年度指标值", f"{_number(indicator.target)}{indicator.unit}")
        r.measure(output_key(index, "actual"), f"{label}·实际完成值", f"{_number(indicator.actual)}{indicator.unit}")
    for result in verdict.warnings:
        r.count(warning_key(result.rule_id), f"数据质量警告:{result.rule_id}·处数", result.failing_count)
    return r


def _headline(r: FigureRegistry, m: DepartmentMetrics, profile: DepartmentProfile) -> None:
    r.money("initial_budget", "年初预算数", m.initial_budget_fen)
    r.money("adjusted_budget", "全年预算数", m.adjusted_budget_fen)
    r.money("actual", "全年执行数", m.actual_fen)
    r.percent("execution_rate", "预算执行率", m.actual_fen, m.adjusted_budget_fen)
    r.money("adjustment", "预算调整数", m.adjustment_fen)
    r.percent("adjustment_rate", "预算调整率", m.adjustment_fen, m.initial_budget_fen)
    r.money("basic", "基本支出", m.basic_fen)
    r.money("personnel", "人员经费", m.personnel_fen)
    r.money("public", "公用经费", m.public_fen)
    if m.basic_other_fen:
        r.money("basic_other", "其他基本支出", m.basic_other_fen)
    r.money("named_projects", "财政拨款项目支出", m.named_projects_fen)
    r.money("other_funds", "其它资金", m.other_funds_fen)
    r.count("staff_authorized", "编制数", m.staff_authorized)
    r.count("staff_in_post", "在编人数", m.staff_in_post)
    r.percent("staff_control_rate", "在职人员控制率", m.staff_in_post, m.staff_authorized)
    structure = profile.structure
    r.count("internal_offices", "内设行政科室数", structure.internal_offices)
    r.count("affiliated_units", "直属二级预算单位数", len(structure.affiliated_budget_units))
    for kind, count in profile.staffing.authorized.items():
        r.count(f"authorized.{kind}", f"编制数:{kind}", count)
    gap = rounding_gap_cents([m.basic_fen, m.named_projects_fen, m.other_funds_fen], m.actual_fen)
    if gap:
        r.money("reconciliation_rounding_gap", "支出构成尾差", abs(gap) * 10_000)


def _econ_classes(r: FigureRegistry, m: DepartmentMetrics, prior: DepartmentMetrics | None) -> None:
    prior_amounts = {line.code: line.amount_fen for line in prior.econ_classes} if prior else {}
    for line in m.econ_classes:
        label = f"经济分类:{line.code} {line.name}"
        r.money(econ_key(line.code, "amount"), label, line.amount_fen)
        r.percent(econ_key(line.code, "share"), f"{label}·占比", line.amount_fen, m.actual_fen)
        _year_on_year(r, econ_key(line.code, "prior"), econ_key(line.code, "change"), label,
                      line.amount_fen, prior_amounts.get(line.code) if prior else None)
    _year_on_year(r, "prior_actual", "actual_change", "全年执行数", m.actual_fen, prior.actual_fen if prior else None)
    gap = rounding_gap_cents([line.amount_fen for line in m.econ_classes], m.actual_fen)
    if gap:
        r.money("econ_rounding_gap", "经济分类尾差", abs(gap) * 10_000)


def _year_on_year(r: FigureRegistry, prior_key: str, change_key: str, label: str, current_fen: int,
                  prior_fen: int | None) -> None:
    """上年数 and 同比 (signed percent); — without last year's figure."""
    if prior_fen is None:
        r.no_data(prior_key, f"{label}·上年数", FigureKind.MONEY)
        r.no_data(change_key, f"{label}·同比", FigureKind.PERCENT)
        return
    r.money(prior_key, f"{label}·上年数", prior_fen)
    r.percent(change_key, f"{label}·同比", current_fen - prior_fen, prior_fen, signed=True)


def _sangong(r: FigureRegistry, m: DepartmentMetrics) -> None:
    r.money("sangong_total", "三公经费", m.sangong_total_fen)
    for line in m.sangong:
        r.money(sangong_key(line.name), f"三公:{line.name}", line.amount_fen)


def _projects(r: FigureRegistry, m: DepartmentMetrics) -> None:
    r.count("project_count", "项目个数", len(m.projects))
    for p in m.projects:
        label = r.unique_label(f"项目:{p.name}", p.code)
        r.money(project_key(p.code, "initial"), f"{label}·年初预算数", p.initial_fen)
        r.money(project_key(p.code, "adjusted"), f"{label}·全年预算数", p.adjusted_fen)
        # The plain label is the one earlier manifests used for a project's 全年执行数.
        r.money(project_key(p.code, "actual"), label, p.actual_fen)
        r.percent(project_key(p.code, "rate"), f"{label}·执行率", p.actual_fen, p.adjusted_fen)
    initial = sum(p.initial_fen for p in m.projects)
    adjusted = sum(p.adjusted_fen for p in m.projects)
    r.money("projects_initial", "项目小计·年初预算数", initial)
    r.money("projects_adjusted", "项目小计·全年预算数", adjusted)
    r.percent("projects_rate", "项目小计·执行率", m.named_projects_fen, adjusted)


def _budget_indicators(r: FigureRegistry, m: DepartmentMetrics, prior: DepartmentMetrics | None) -> None:
    r.money("public_budget", "公用经费预算", m.public_budget_fen)
    r.percent("public_control_rate", "公用经费控制率", m.public_fen, m.public_budget_fen)
    r.money("sangong_budget", "三公经费预算", m.sangong_budget_fen)
    r.percent("sangong_control_rate", "“三公”经费控制率", m.sangong_total_fen, m.sangong_budget_fen)
    r.percent("carryover_rate", "结转结余率", m.adjusted_budget_fen - m.actual_fen, m.adjusted_budget_fen)
    if prior is not None:
        r.money("prior_sangong_budget", "上年三公经费预算", prior.sangong_budget_fen)
        r.percent("sangong_budget_change", "“三公”经费变动率", m.sangong_budget_fen - prior.sangong_budget_fen,
                  prior.sangong_budget_fen)


def _attached_amounts(r: FigureRegistry, layout: AttachmentLayout, amounts: AttachmentAmounts,
                      rate_printing: RatePrinting | None) -> None:
    """Every amount cell of the attached tables: amount.<measure>.<column>, and line.<measure>.<project>.<column>."""
    for measure, source in amount_cells(layout):
        _amount(r, amount_key(measure, source), f"{measure}·{SOURCE_NAMES[source]}", source,
                amounts.current.measures[measure], amounts.prior.measures[measure] if amounts.prior else None, rate_printing)
    for measure, columns in project_columns(layout).items():
        prior_lines = {line.code: line.amounts for line in amounts.prior.projects.get(measure, ())} if amounts.prior else None
        for line in amounts.current.projects.get(measure, ()):
            label = r.unique_label(f"{measure}:{line.name}", line.code)
            for source in columns:
                if source != "none":
                    _amount(r, line_key(measure, line.code, source), f"{label}·{SOURCE_NAMES[source]}", source, line.amounts,
                            None if prior_lines is None else prior_lines.get(line.code, _NO_SUCH_PROJECT), rate_printing)


# A project that had no line last year: its 上年决算数 prints —, not 0.00.
_NO_SUCH_PROJECT = MeasureAmounts(None, None, None)


def _amount(r: FigureRegistry, key: str, label: str, source: AmountSource, current: MeasureAmounts,
            prior: MeasureAmounts | None, rate_printing: RatePrinting | None) -> None:
    if source == "rate":
        if current.actual_fen is None or current.adjusted_fen is None:
            r.no_data(key, label, FigureKind.PERCENT)
        else:
            r.percent(key, label, current.actual_fen, current.adjusted_fen, printing=rate_printing)
        return
    if source.startswith("prior_"):
        fen = None if prior is None else (prior.actual_fen if source == "prior_actual" else prior.adjustment_fen)
    else:
        fen = current.column(source)
    r.money(key, label, fen)


def _declared(r: FigureRegistry, profile: DepartmentProfile) -> None:
    """楼堂馆所控制情况 from the profile: — throughout when the department completed none."""
    b = profile.buildings
    if b is None:
        for key, label, kind in (("approved_area", "批复规模", FigureKind.MEASURE), ("actual_area", "实际规模", FigureKind.MEASURE),
                                 ("area_rate", "规模控制率", FigureKind.PERCENT), ("budget", "预算投资", FigureKind.MONEY),
                                 ("actual", "实际投资", FigureKind.MONEY), ("investment_rate", "投资概算控制率", FigureKind.PERCENT)):
            r.no_data(f"building.{key}", f"楼堂馆所:{label}", kind)
        return
    r.measure("building.approved_area", "楼堂馆所:批复规模", _number(b.approved_area))
    r.measure("building.actual_area", "楼堂馆所:实际规模", _number(b.actual_area))
    hundredths = lambda area: int(Decimal(str(area)) * 100)
    r.percent("building.area_rate", "楼堂馆所:规模控制率", hundredths(b.actual_area), hundredths(b.approved_area))
    budget, actual = int(b.budget * 100), int(b.actual * 100)
    r.money("building.budget", "楼堂馆所:预算投资", budget)
    r.money("building.actual", "楼堂馆所:实际投资", actual)
    r.percent("building.investment_rate", "楼堂馆所:投资概算控制率", actual, budget)


def _self_evaluation(r: FigureRegistry, evaluation: Evaluation) -> None:
    """自评表: the 预算执行率 分值 and 得分 of the 年度资金总额 line, each indicator (score.<n>.*), groups, total."""
    # The 年度资金总额 row carries the 预算执行率 indicator's 分值 and 得分 (blank without that indicator).
    execution = next((s for s in evaluation.scores if s.name == "预算执行率"), None)
    r.points("se.total.points", "自评表:年度资金总额·分值", execution.points if execution else None)
    r.points("se.total.score", "自评表:年度资金总额·得分", execution.score if execution else None)
    for index, s in enumerate(evaluation.scores):
        label = r.unique_label(f"自评:{s.level1}·{s.name}", str(index + 1))
        r.measure(score_key(index, "target"), f"{label}·年度指标值", s.target)
        r.measure(score_key(index, "actual"), f"{label}·实际完成值", s.actual)
        r.points(score_key(index, "points"), f"{label}·分值", s.points)
        r.points(score_key(index, "score"), f"{label}·得分", s.score)
    for level1, points, score in evaluation.groups():
        r.points(group_key(level1, "points"), f"自评:{level1}·满分", points)
        r.points(group_key(level1, "score"), f"自评:{level1}·得分合计", score)
    r.points("evaluation_points_total", "自评分值合计", sum((s.points for s in evaluation.scores), Decimal(0)))
    r.points("evaluation_total", "自评总分", evaluation.total)
    r.measure("evaluation_grade", "自评等级", f"评价等级：{evaluation.grade}")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def figure_rows(registry: FigureRegistry) -> list[Mapping[str, object]]:
    """Every figure as a plain row (key, label, kind, fen, printed), for tables and files."""
    return [{"key": f.key, "label": f.label, "kind": str(f.kind), "fen": f.fen, "printed": f.printed} for f in registry]
