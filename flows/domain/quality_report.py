"""What the reviewers' quality report shows, as plain data (rendered to HTML and CSV by an adapter)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from flows.domain.ingest import RowAccounting
from flows.domain.ledger import COLUMN_LABELS_ZH, RowIssue
from flows.domain.quality import QualityVerdict, RuleResult

SEVERITY_ZH = {"critical": "严重", "warning": "警告", "info": "提示"}
CATEGORY_ZH = {"existence": "存在性", "accuracy": "准确性", "completeness": "完整性", "reconciliation": "勾稽"}
VIOLATION_HEADER = ("规则编号", "严重程度", "规则说明", "文件", "行号", "列/对象", "提供值", "期望", "差额")
ROWS_SHOWN = 100


def violation_rows(results: Sequence[RuleResult]) -> list[tuple[str, ...]]:
    """Every failing row of every failed rule, in VIOLATION_HEADER order (the full list for CSV)."""
    rows = []
    for r in results:
        if r.success:
            continue
        for v in r.violations:
            rows.append((r.rule_id, SEVERITY_ZH[r.severity], r.message, v.file, "" if v.row is None else str(v.row),
                         COLUMN_LABELS_ZH.get(v.column, v.column), v.value, v.expected, v.difference))
    return rows


def _status(result: RuleResult) -> str:
    if result.success:
        return "通过"
    return {"critical": "未通过（阻止出具报告）", "warning": "未通过（需说明）", "info": "提示"}[result.severity]


def build_quality_view(
    verdict: QualityVerdict, unit_name: str, year: int, accounting: RowAccounting,
    explanations: dict[str, str], run_label: str,
) -> dict[str, Any]:
    """The quality report's content: summary by severity, every rule, failing rows (first 100 per rule)."""
    by_severity = []
    for severity in ("critical", "warning", "info"):
        rules = [r for r in verdict.results if r.severity == severity]
        by_severity.append({
            "severity": severity, "label": SEVERITY_ZH[severity], "rules": len(rules),
            "failed": sum(1 for r in rules if not r.success), "rows": sum(r.failing_count for r in rules if not r.success),
        })
    rules = []
    for r in sorted(verdict.results, key=lambda r: (r.success, ["critical", "warning", "info"].index(r.severity), r.rule_id)):
        rules.append({
            "rule_id": r.rule_id, "severity": r.severity, "severity_label": SEVERITY_ZH[r.severity],
            "category": CATEGORY_ZH.get(r.category, r.category), "message": r.message, "remedy": r.remedy, "success": r.success,
            "status": _status(r), "failing_count": r.failing_count,
            "explanation": explanations.get(r.rule_id, "") if r.severity == "warning" and not r.success else "",
            "rows": [row[3:] for row in violation_rows([r])[:ROWS_SHOWN]],
            "rows_hidden": max(0, len(r.violations) - ROWS_SHOWN),
        })
    counts = accounting.summary()
    return {
        "unit_code": verdict.unit_code, "unit_name": unit_name, "year": year, "run_label": run_label,
        "blocked": verdict.blocked, "by_severity": by_severity, "rules": rules,
        "rows": counts, "files": list(accounting.files),
        "skipped_reasons": [{"reason": reason, "count": count} for reason, count in Counter(i.reason for i in accounting.skipped).most_common()],
        "skipped": [_issue(i) for i in accounting.skipped[:ROWS_SHOWN]], "skipped_hidden": max(0, len(accounting.skipped) - ROWS_SHOWN),
        "row_header": VIOLATION_HEADER[3:],
    }


def _issue(issue: RowIssue) -> dict[str, str]:
    return {"file": issue.file, "row": str(issue.row), "column": issue.column, "value": issue.value, "reason": issue.reason}
