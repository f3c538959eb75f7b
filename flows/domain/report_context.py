"""The report's template context: figures already formatted, tables and lists; the wording is in the template.

Pure. Amounts print as 万元 with two decimals, rounded half up from exact fen (flows/domain/figures.py);
each figure is rounded on its own, and where printed parts do not add up to the printed total the
context says so and the template prints a note instead of adjusting a figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flows.domain.attached_tables import DrawnTable
from flows.domain.evaluation import Evaluation
from flows.domain.figures import (
    FigureRegistry,
    econ_key,
    group_key,
    output_key,
    project_key,
    rounding_gap_cents,
    sangong_key,
    score_key,
    warning_key,
)
from flows.domain.metrics import DepartmentMetrics
from flows.domain.profile import DepartmentProfile
from flows.domain.quality import QualityVerdict
from flows.domain.reference import FindingThresholds, Reference

# XML (and so .docx) cannot hold C0 control characters; show them as Unicode control
# pictures (U+2400…) so nothing a user typed disappears silently. Bidirectional formatting
# characters (U+202E and kin) would reorder the digits after them in Word and in the PDF
# (an amount's digits printed backwards): they are shown as their code instead, and reorder nothing.
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_CONTROL_PICTURES: dict[int, int | str] = (
    {code: 0x2400 + code for code in range(0x20) if chr(code) not in "\t\n\r"} | {0x7F: 0x2421}
    | {code: f"[U+{code:04X}]" for code in BIDI_CONTROLS}
)


def visible_control_characters(text: str) -> str:
    """Replace control characters with their visible pictures (␇ for BEL, …) and bidi controls with their code."""
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


def _rounding(parts_fen: Sequence[int], total_fen: int) -> dict[str, bool]:
    """Whether the printed parts miss the printed total (the template then prints the 尾差 note), and which way."""
    gap = rounding_gap_cents(list(parts_fen), total_fen)
    return {"gap": gap != 0, "parts_short": gap > 0}


def _findings(m: DepartmentMetrics, thresholds: FindingThresholds, verdict: QualityVerdict,
              explanations: Mapping[str, str], decisions: Mapping[str, str]) -> dict[str, Any]:
    """Which drafted findings apply, as the reviewer decided them; the template holds their wording.

    `decisions` (the profile's drafted_findings) keep (保留), drop (删除) or rewrite (any other
    text) a finding; an undecided finding is printed as drafted and marked in the reviewer's copy.
    """
    pending = [r.rule_id for r in verdict.warnings if not explanations.get(r.rule_id, "").strip()]
    found = {
        "budget_adjusted": m.adjustment_rate is not None and m.adjustment_rate > thresholds.adjustment_rate_above,
        "low_execution": m.execution_rate is not None and m.execution_rate < thresholds.execution_rate_below,
        "staff_over": m.staff_control_rate is not None and m.staff_control_rate > thresholds.staff_control_rate_above,
        "sangong_over": bool(m.sangong_budget_fen) and m.sangong_total_fen > m.sangong_budget_fen,
    }
    shown = {name: applies and decisions.get(name, "").strip() != DROP for name, applies in found.items()}
    edited = {name: text.strip() for name, text in decisions.items() if text.strip() not in (KEEP, DROP) and shown.get(name)}
    marked = {name: applies and name not in decisions for name, applies in shown.items()}
    return {**shown, "pending_warnings": pending, "any": any(shown.values()) or bool(pending),
            "edited": {name: edited.get(name, "") for name in found}, "marked": marked,
            "any_marked": any(marked.values()) or bool(pending)}


# A reviewer's decision on a drafted finding (profile drafted_findings): keep it as drafted, drop it,
# or any other text: print that text instead.
KEEP, DROP = "保留", "删除"
DRAFTED_FINDINGS = ("budget_adjusted", "low_execution", "staff_over", "sangong_over")


def build_report_context(
    figures: FigureRegistry, m: DepartmentMetrics, profile: DepartmentProfile, verdict: QualityVerdict,
    reference: Reference, evaluation: Evaluation, attachments: Sequence[DrawnTable] = (),
    prior: DepartmentMetrics | None = None, review_marks: bool = False,
) -> dict[str, Any]:
    """Everything the Word template prints besides its own wording: figures (`f`, key → printed text,
    from the registry), the rows of the tables, lists from the department's profile, and the
    booleans the template's conditional sentences test.

    `charts` lists the charts by key and title; the renderer puts the images in.
    """
    text = figures.text
    staffing, structure = profile.staffing, profile.structure
    return {
        "unit": {"name": profile.name, "short_name": profile.short_name or profile.name, "code": profile.unit_code},
        "year": str(m.year),
        "f": figures.printed(),
        "has_prior": prior is not None,
        "review_marks": review_marks,
        "has_basic_other": m.basic_other_fen != 0,
        "functions": profile.functions,
        "organization": {
            "institutions": [{"name": i.name, "note": i.note} for i in structure.subordinate_institutions],
            "affiliated": list(structure.affiliated_budget_units),
            "authorized": [{"kind": kind, "count": text(f"authorized.{kind}")} for kind in staffing.authorized],
            "as_of": f"{staffing.as_of.year}年{staffing.as_of.month}月{staffing.as_of.day}日",
        },
        "rounding": {
            "econ": _rounding([line.amount_fen for line in m.econ_classes], m.actual_fen),
            "reconciliation": _rounding([m.basic_fen, m.named_projects_fen, m.other_funds_fen], m.actual_fen),
        },
        "econ_classes": [
            {"code": line.code, "name": line.name, **{column: text(econ_key(line.code, column))
                                                      for column in ("amount", "share", "prior", "change")}}
            for line in m.econ_classes
        ],
        "sangong": {"items": [{"name": line.name, "amount": text(sangong_key(line.name))} for line in m.sangong]},
        "projects": [
            {"no": str(index), "name": p.name, **{column: text(project_key(p.code, column))
                                                  for column in ("initial", "adjusted", "actual", "rate")}}
            for index, p in enumerate(m.projects, start=1)
        ],
        "other_funds_names": list(m.other_funds_names),
        "evaluation": {
            "library": evaluation.library,
            "grade": evaluation.grade,
            "evaluated": evaluation.total is not None,
            "unscored": list(evaluation.unscored_groups),
            "groups": [{"name": level1, "points": text(group_key(level1, "points")), "score": text(group_key(level1, "score"))}
                       for level1, _, _ in evaluation.groups()],
            "indicators": [
                {"level1": s.level1, "level2": s.level2, "name": s.name, "note": s.note or "",
                 **{column: text(score_key(index, column)) for column in ("target", "actual", "points", "score")}}
                for index, s in enumerate(evaluation.scores)
            ],
        },
        "performance_intro": profile.performance.intro,
        "performance_sections": [{"title": s.title, "text": s.text} for s in profile.performance.sections],
        "output_indicators": [
            {"level1": i.level1, "level2": i.level2, "name": i.name,
             "target": text(output_key(index, "target")), "actual": text(output_key(index, "actual"))}
            for index, i in enumerate(profile.indicators)
        ],
        "problems": list(profile.problems),
        "findings": _findings(m, reference.evaluation.findings, verdict, profile.warning_explanations,
                              profile.drafted_findings),
        "measures": [{"title": s.title, "text": s.text} for s in profile.measures],
        "other_notes": list(profile.other_notes),
        "quality_warnings": [
            {"rule_id": r.rule_id, "message": r.message, "count": text(warning_key(r.rule_id)),
             "explanation": profile.warning_explanations.get(r.rule_id)}
            for r in verdict.warnings
        ],
        "report_date": f"{profile.report_date.year}年{profile.report_date.month}月{profile.report_date.day}日",
        "charts": [{"key": key, "title": title} for key, title in CHART_TITLES.items()],
        "attachments": [_attachment(table) for table in attachments],
    }


def _attachment(table: DrawnTable) -> dict[str, Any]:
    """One attached table for the template's generic table: cells with span, merge and style flags."""
    return {
        "number": str(table.number), "title": table.title, "unit_note": table.unit_note,
        "rows": [{"cells": [{"text": cell.text, "span": cell.span, "merge": cell.merge,
                             "header": cell.style == "header", "number": cell.style == "number",
                             "note": cell.style == "note"} for cell in row]}
                 for row in table.rows],
    }


# The one definition of the chart titles: the charts draw them and the template's caption prints
# 图<n> before them.
CHART_TITLES = {
    "spending_by_class": "按经济分类支出（万元）",
    "budget_vs_actual": "项目全年预算与执行（万元）",
    "score_by_group": "绩效自评得分（分）",
}
