"""The manifest written beside each report version: what went in, what came out, what was printed."""

from __future__ import annotations

from collections.abc import Mapping

from flows.domain.metrics import DepartmentMetrics
from flows.domain.money import format_percent, format_wan
from flows.domain.quality import QualityVerdict


def printed_figures(m: DepartmentMetrics) -> dict[str, dict[str, object]]:
    """Key figures as exact fen and as printed, for the manifest (and later revision notes)."""
    figures: dict[str, dict[str, object]] = {}

    def money(name: str, fen: int) -> None:
        figures[name] = {"fen": fen, "printed": format_wan(fen)}

    money("年初预算数", m.initial_budget_fen)
    money("全年预算数", m.adjusted_budget_fen)
    money("全年执行数", m.actual_fen)
    money("基本支出", m.basic_fen)
    money("人员经费", m.personnel_fen)
    money("公用经费", m.public_fen)
    money("项目支出", m.named_projects_fen)
    money("其它资金", m.other_funds_fen)
    money("三公经费", m.sangong_total_fen)
    for line in m.econ_classes:
        money(f"经济分类:{line.code} {line.name}", line.amount_fen)
    for line in m.sangong:
        money(f"三公:{line.name}", line.amount_fen)
    for p in m.projects:
        money(f"项目:{p.name}", p.actual_fen)
    figures["预算执行率"] = {"printed": format_percent(m.actual_fen, m.adjusted_budget_fen)}
    figures["预算调整率"] = {"printed": format_percent(m.adjustment_fen, m.initial_budget_fen)}
    figures["在职人员控制率"] = {"printed": format_percent(m.staff_in_post, m.staff_authorized)}
    return figures


def build_manifest(
    metrics: DepartmentMetrics, unit_name: str, year: int, verdict: QualityVerdict,
    fingerprint: Mapping[str, str], row_accounting: Mapping[str, Mapping[str, int]], files: Mapping[str, str],
    created_at: str,
) -> dict[str, object]:
    """Input fingerprints, row accounting, quality summary, printed figures and output checksums."""
    return {
        "unit_code": metrics.unit_code,
        "unit_name": unit_name,
        "fiscal_year": year,
        "created_at": created_at,
        "fingerprint": fingerprint["fingerprint"],
        "inputs": {k: v for k, v in fingerprint.items() if k != "fingerprint"},
        "row_accounting": dict(row_accounting),
        "quality": {
            **verdict.summary(),
            "warnings": [{"rule_id": r.rule_id, "message": r.message, "count": r.failing_count} for r in verdict.warnings],
        },
        "figures": printed_figures(metrics),
        "files": dict(files),
    }
