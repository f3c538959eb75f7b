"""Quality results in our own terms (no GX objects), and the gate that decides what they block."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from flows.domain.ledger import COLUMN_LABELS_ZH

Severity = Literal["critical", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One failing row of one rule: where it is, what it holds and what was expected."""

    file: str
    row: int | None
    column: str
    value: str
    expected: str
    difference: str = ""


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule_id: str
    suite: str
    severity: Severity
    category: str
    message: str
    success: bool
    failing_count: int
    violations: tuple[Violation, ...] = field(default_factory=tuple)
    remedy: str = ""          # what a reviewer does about it (the report itself prints only the message)


@dataclass(frozen=True, slots=True)
class QualityVerdict:
    """What the gate decided for one department."""

    unit_code: str
    results: tuple[RuleResult, ...]

    @property
    def critical_failures(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if not r.success and r.severity == "critical")

    @property
    def warnings(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if not r.success and r.severity == "warning")

    @property
    def blocked(self) -> bool:
        return bool(self.critical_failures)

    def summary(self) -> dict[str, int]:
        return {
            "rules": len(self.results),
            "passed": sum(1 for r in self.results if r.success),
            "critical_failed": len(self.critical_failures),
            "warnings": len(self.warnings),
        }


# Canonical ledger/budget columns -> the export columns they may have been read from, in order
# (an amount is the ledger's 借方 or 贷方, or the budget's 指标金额).
_SOURCE_COLUMNS = {"expense_type": ("project_category",), "amount_fen": ("debit", "amount", "credit")}


def in_files_own_words(results: Sequence[RuleResult], headers: Mapping[str, Mapping[str, str]]) -> tuple[RuleResult, ...]:
    """Each violation's column named as the header of the file it points into (项目分类代码, not
    项目类别), so a clerk finds the column in the file; `headers` is file -> canonical -> words."""
    def words(v: Violation) -> str:
        own = headers.get(v.file, {})
        found = (own.get(source) for source in (*_SOURCE_COLUMNS.get(v.column, ()), v.column))
        return next((words for words in found if words), v.column)

    return tuple(
        replace(result, violations=tuple(replace(v, column=words(v)) for v in result.violations))
        if any(v.file in headers for v in result.violations) else result
        for result in results
    )


def describe_failures(results: Sequence[RuleResult], limit: int = 5) -> list[str]:
    """Chinese one-liners naming rule, file, row and column, for the terminal and the manifest."""
    lines = []
    for result in results:
        lines.append(f"[{result.rule_id}] {result.message}（{result.failing_count} 处）")
        for v in result.violations[:limit]:
            where = "，".join(p for p in (v.file, f"第 {v.row} 行" if v.row else "", f"列「{COLUMN_LABELS_ZH.get(v.column, v.column)}」" if v.column else "") if p)
            detail = f"值「{v.value}」" + (f"，应为：{v.expected}" if v.expected else "") + (f"，差额 {v.difference}" if v.difference else "")
            lines.append(f"    {where}：{detail}")
        if result.failing_count > limit:
            lines.append(f"    …… 另有 {result.failing_count - limit} 处")
    return lines


def unexplained_warnings(warning_rule_ids: Sequence[str], explanations: dict[str, str]) -> list[str]:
    """Warnings the department has not explained yet: the report is not sent while any remain."""
    return [rule for rule in warning_rule_ids if not explanations.get(rule, "").strip()]
