"""The report's template context: every value already formatted, nothing computed in Word.

Pure. Amounts print as 万元 with two decimals, rounded half up from exact fen; each figure
is rounded on its own, and where printed parts do not add up to the printed total the
report says so instead of adjusting a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flows.domain.attached_tables import evaluation_summary, self_evaluation_table
from flows.domain.evaluation import Evaluation
from flows.domain.metrics import DepartmentMetrics
from flows.domain.money import format_percent, format_wan, wan_cents
from flows.domain.profile import DepartmentProfile
from flows.domain.quality import QualityVerdict
from flows.domain.reference import Reference

PENDING_EXPLANATION = "待说明"

# XML (and so .docx) cannot hold C0 control characters; show them as Unicode control
# pictures (U+2400…) so nothing a user typed disappears silently.
_CONTROL_PICTURES = {code: 0x2400 + code for code in range(0x20) if chr(code) not in "\t\n\r"} | {0x7F: 0x2421}


def visible_control_characters(text: str) -> str:
    """Replace control characters with their visible pictures (␇ for BEL, …)."""
    return text.translate(_CONTROL_PICTURES)


def with_visible_text(value: Any) -> Any:
    """The same structure with every string passed through visible_control_characters."""
    if isinstance(value, str):
        return visible_control_characters(value)
    if isinstance(value, dict):
        return {k: with_visible_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [with_visible_text(v) for v in value]
    return value


def rounding_gap_cents(parts_fen: Sequence[int], total_fen: int) -> int:
    """Printed total minus the sum of printed parts, in hundredths of 万元 (尾差)."""
    return wan_cents(total_fen) - sum(wan_cents(part) for part in parts_fen)


def _rounding_note(parts_fen: Sequence[int], total_fen: int, what: str) -> str:
    gap = rounding_gap_cents(parts_fen, total_fen)
    if gap == 0:
        return ""
    direction = "少" if gap > 0 else "多"
    return (
        f"{what}各项金额由账簿分录按分精确汇总后分别四舍五入至0.01万元，各项之和比合计数{direction}"
        f"{format_wan(abs(gap) * 10_000)}万元，系尾差，未作调整。"
    )


def _organization_text(profile: DepartmentProfile, year: int) -> str:
    s, staff = profile.structure, profile.staffing
    who = profile.short_name or profile.name
    parts = [f"{year}年度{who}机关内设{s.internal_offices}个行政科室"]
    for institution in s.subordinate_institutions:
        parts.append(f"1个{institution.note or '二级事业单位'}（{institution.name}）")
    if s.affiliated_budget_units:
        parts.append(f"{len(s.affiliated_budget_units)}个直属二级预算单位（{'、'.join(s.affiliated_budget_units)}）")
    kinds = "，".join(f"{kind}{count}名" for kind, count in staff.authorized.items())
    return (
        "；".join(parts) + f"。现有编制{staff.authorized_total}名，其中{kinds}；"
        f"截至{staff.as_of.year}年{staff.as_of.month}月{staff.as_of.day}日共有在编人员{staff.in_post}名。"
    )


def _drafted_findings(m: DepartmentMetrics, thresholds: dict, verdict: QualityVerdict,
                      explanations: dict[str, str]) -> list[str]:
    findings = []
    if m.adjustment_rate is not None and m.adjustment_rate > thresholds["adjustment_rate_above"]:
        findings.append(
            f"预算调整幅度较大：全年预算数{format_wan(m.adjusted_budget_fen)}万元，比年初预算{format_wan(m.initial_budget_fen)}万元"
            f"增加{format_wan(m.adjustment_fen)}万元，预算调整率{format_percent(m.adjustment_fen, m.initial_budget_fen)}，"
            "年初预算编制的完整性和准确性有待提高。"
        )
    if m.execution_rate is not None and m.execution_rate < thresholds["execution_rate_below"]:
        findings.append(
            f"预算执行率偏低：全年执行数{format_wan(m.actual_fen)}万元，预算执行率{format_percent(m.actual_fen, m.adjusted_budget_fen)}。"
        )
    if m.staff_control_rate is not None and m.staff_control_rate > thresholds["staff_control_rate_above"]:
        findings.append(f"在编人数{m.staff_in_post}名超过编制数{m.staff_authorized}名。")
    if m.sangong_budget_fen and m.sangong_total_fen > m.sangong_budget_fen:
        findings.append(f"“三公”经费支出{format_wan(m.sangong_total_fen)}万元，超过预算{format_wan(m.sangong_budget_fen)}万元。")
    pending = [r.rule_id for r in verdict.warnings if not explanations.get(r.rule_id, "").strip()]
    if pending:
        findings.append(f"数据质量警告{'、'.join(pending)}尚未说明原因，报告暂不对外报送。")
    return [f"【系统起草】{text}" for text in findings]


def build_report_context(
    m: DepartmentMetrics, profile: DepartmentProfile, verdict: QualityVerdict, reference: Reference,
    evaluation: Evaluation, basic_data: dict[str, Any], prior: DepartmentMetrics | None = None,
) -> dict[str, Any]:
    """Everything the Word template prints, as strings and lists of small dicts.

    `charts` lists the charts by key and title; the renderer puts the images in.
    """
    who = profile.short_name or profile.name
    w = format_wan
    econ_text = "，".join(f"{line.name}{w(line.amount_fen)}万元" for line in m.econ_classes)
    sangong_text = "，".join(f"{line.name}{w(line.amount_fen)}万元" for line in m.sangong)
    projects_initial = sum(p.initial_fen for p in m.projects)
    projects_adjusted = sum(p.adjusted_fen for p in m.projects)
    other_names = "、".join(m.other_funds_names) or "其它资金"
    reconciliation_parts = [m.basic_fen, m.named_projects_fen, m.other_funds_fen]
    reconciliation_note = _rounding_note(reconciliation_parts, m.actual_fen, "上表")
    prior_econ = {line.code: line.amount_fen for line in prior.econ_classes} if prior else {}
    yoy_text = ""
    if prior:
        change = _year_on_year(m.actual_fen, prior.actual_fen)
        yoy_text = f"上年同期支出{change['prior']}万元，同比{change['change']}。"
    return {
        "unit": {"name": profile.name, "short_name": who, "code": profile.unit_code},
        "year": str(m.year),
        "functions": profile.functions,
        "organization": _organization_text(profile, m.year),
        "spending_summary": (
            f"{m.year}年{who}年初预算{w(m.initial_budget_fen)}万元，年中追加调整后全年预算{w(m.adjusted_budget_fen)}万元；"
            f"全年实际支出{w(m.actual_fen)}万元，预算执行率{format_percent(m.actual_fen, m.adjusted_budget_fen)}。"
            f"其中基本支出{w(m.basic_fen)}万元（人员经费{w(m.personnel_fen)}万元，公用经费{w(m.public_fen)}万元）。"
            f"全部支出按经济分类：{econ_text}。{yoy_text}"
        ),
        "econ_classes": [
            {"code": line.code, "name": line.name, "amount": w(line.amount_fen),
             "share": format_percent(line.amount_fen, m.actual_fen), **_year_on_year(line.amount_fen, prior_econ.get(line.code))}
            for line in m.econ_classes
        ],
        "econ_total": w(m.actual_fen),
        "econ_total_yoy": _year_on_year(m.actual_fen, prior.actual_fen if prior else None),
        "econ_rounding_note": _rounding_note([line.amount_fen for line in m.econ_classes], m.actual_fen, "上表"),
        "sangong_summary": f"“三公”经费支出{w(m.sangong_total_fen)}万元，其中：{sangong_text}。",
        "sangong": {
            "total": w(m.sangong_total_fen),
            "items": [{"name": line.name, "amount": w(line.amount_fen)} for line in m.sangong],
        },
        "project_summary": (
            f"全年计划项目总成本{w(projects_adjusted)}万元，共{len(m.projects)}个项目，全年实际支出{w(m.named_projects_fen)}万元；"
            f"另有{other_names}安排的项目支出{w(m.other_funds_fen)}万元。各项目明细如下："
        ),
        "projects": [
            {"no": str(index), "name": p.name, "initial": w(p.initial_fen), "adjusted": w(p.adjusted_fen),
             "actual": w(p.actual_fen), "rate": format_percent(p.actual_fen, p.adjusted_fen)}
            for index, p in enumerate(m.projects, start=1)
        ],
        "projects_total": {
            "name": f"共{len(m.projects)}个项目", "initial": w(projects_initial), "adjusted": w(projects_adjusted),
            "actual": w(m.named_projects_fen), "rate": format_percent(m.named_projects_fen, projects_adjusted),
        },
        "reconciliation_summary": (
            f"全年支出构成：基本支出{w(m.basic_fen)}万元＋项目支出{w(m.named_projects_fen)}万元＋{other_names}"
            f"{w(m.other_funds_fen)}万元＝{w(m.actual_fen)}万元。" + reconciliation_note
        ),
        "reconciliation": [
            {"label": "基本支出", "amount": w(m.basic_fen)},
            {"label": f"项目支出（{len(m.projects)}个项目）", "amount": w(m.named_projects_fen)},
            {"label": other_names, "amount": w(m.other_funds_fen)},
            {"label": "全年支出合计", "amount": w(m.actual_fen)},
        ],
        "budget_performance_summary": (
            f"全年预算执行率{format_percent(m.actual_fen, m.adjusted_budget_fen)}，预算调整率"
            f"{format_percent(m.adjustment_fen, m.initial_budget_fen)}，在职人员控制率"
            f"{format_percent(m.staff_in_post, m.staff_authorized)}。主要预算指标如下："
        ),
        "budget_indicators": [
            {"name": "预算执行率", "formula": "全年执行数÷全年预算数×100%",
             "value": f"{format_percent(m.actual_fen, m.adjusted_budget_fen)}（{w(m.actual_fen)}÷{w(m.adjusted_budget_fen)}）"},
            {"name": "预算调整率", "formula": "（全年预算数－年初预算数）÷年初预算数×100%",
             "value": f"{format_percent(m.adjustment_fen, m.initial_budget_fen)}（{w(m.adjustment_fen)}÷{w(m.initial_budget_fen)}）"},
            {"name": "在职人员控制率", "formula": "在编人数÷编制数×100%",
             "value": f"{format_percent(m.staff_in_post, m.staff_authorized)}（{m.staff_in_post}÷{m.staff_authorized}）"},
            {"name": "公用经费控制率", "formula": "公用经费支出÷公用经费预算×100%",
             "value": f"{format_percent(m.public_fen, m.public_budget_fen)}（{w(m.public_fen)}÷{w(m.public_budget_fen)}）"},
            {"name": "“三公”经费控制率", "formula": "“三公”经费支出÷“三公”经费预算×100%",
             "value": f"{format_percent(m.sangong_total_fen, m.sangong_budget_fen)}（{w(m.sangong_total_fen)}÷{w(m.sangong_budget_fen)}）"},
            {"name": "结转结余率", "formula": "（全年预算数－全年执行数）÷全年预算数×100%",
             "value": format_percent(m.adjusted_budget_fen - m.actual_fen, m.adjusted_budget_fen)},
            *([{"name": "“三公”经费变动率", "formula": "（本年“三公”预算－上年“三公”预算）÷上年“三公”预算×100%",
                "value": f"{format_percent(m.sangong_budget_fen - prior.sangong_budget_fen, prior.sangong_budget_fen)}"
                         f"（{w(m.sangong_budget_fen)}÷{w(prior.sangong_budget_fen)}）"}] if prior else []),
        ],
        "performance_intro": profile.performance.intro,
        "performance_sections": [{"title": s.title, "text": s.text} for s in profile.performance.sections],
        "output_indicators": [
            {"level1": i.level1, "level2": i.level2, "name": i.name,
             "target": f"{_number(i.target)}{i.unit}", "actual": f"{_number(i.actual)}{i.unit}"}
            for i in profile.indicators
        ],
        "problems": list(profile.problems),
        "drafted_findings": _drafted_findings(m, dict(reference.evaluation.findings), verdict, dict(profile.warning_explanations)),
        "measures": [{"title": s.title, "text": s.text} for s in profile.measures],
        "other_notes": [
            *profile.other_notes,
            "本报告金额单位为万元，由会计账簿支出分录按分精确汇总后四舍五入保留两位小数；比率按精确值计算后四舍五入保留两位小数。",
        ],
        "quality_warnings": [
            {"rule_id": r.rule_id, "message": f"{r.message}（{r.failing_count}处）",
             "explanation": profile.warning_explanations.get(r.rule_id, PENDING_EXPLANATION)}
            for r in verdict.warnings
        ],
        "report_date": f"{profile.report_date.year}年{profile.report_date.month}月{profile.report_date.day}日",
        "evaluation_summary": evaluation_summary(evaluation),
        "self_evaluation": self_evaluation_table(m, evaluation),
        "basic_data": basic_data,
        "charts": [{"key": key, "title": title} for key, title in CHART_TITLES.items()],
    }


CHART_TITLES = {
    "spending_by_class": "图1 按经济分类支出（万元）",
    "budget_vs_actual": "图2 项目全年预算与执行（万元）",
    "score_by_group": "图3 绩效自评得分（分）",
}


def _year_on_year(current_fen: int, prior_fen: int | None) -> dict[str, str]:
    """上年数 and 同比 (change in percent, signed) for a table row; — without last year's figure."""
    if prior_fen is None:
        return {"prior": "—", "change": "—"}
    change = format_percent(current_fen - prior_fen, prior_fen)
    return {"prior": format_wan(prior_fen), "change": change if change.startswith(("-", "—")) else f"+{change}"}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
