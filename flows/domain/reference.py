"""Reference data the pipeline is configured with: export formats, code lists, evaluation settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flows.domain.ledger import LedgerRules


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """Declared header aliases and required columns of one kind of export."""

    aliases: Mapping[str, Sequence[str]]
    required: Sequence[str]


@dataclass(frozen=True, slots=True)
class CodeLists:
    """Year-versioned code lists (政府收支分类 and 资金性质)."""

    year: int
    economic: Mapping[str, str]        # leaf code -> name
    economic_classes: Mapping[str, str]  # 类 code -> name
    functional: Mapping[str, str]
    fund_sources: Mapping[str, str]
    fiscal_fund_sources: frozenset[str]  # 财政拨款 funds (三公 counts only these)


@dataclass(frozen=True, slots=True)
class SangongItem:
    name: str
    econ_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvaluationSettings:
    sangong_items: tuple[SangongItem, ...]
    econ_classes: Mapping[str, str]
    personnel_classes: tuple[str, ...]
    findings: Mapping[str, float]
    indicator_library: Mapping[str, Any]    # config/indicators/<name>.yaml


@dataclass(frozen=True, slots=True)
class Reference:
    """Everything configured, for one fiscal year."""

    header_search_rows: int
    ledger_format: ExportFormat
    ledger_rules: LedgerRules
    budget_format: ExportFormat
    budget_source_types: Mapping[str, str]
    control_format: ExportFormat
    codes: CodeLists
    evaluation: EvaluationSettings


def build_reference(export_formats: Mapping, evaluation: Mapping, codes: CodeLists,
                    indicator_library: Mapping[str, Any]) -> Reference:
    """Assemble the typed reference from the parsed YAML mappings and code lists."""
    ledger, budget = export_formats["ledger"], export_formats["budget"]
    return Reference(
        header_search_rows=int(export_formats.get("header_search_rows", 10)),
        ledger_format=ExportFormat(aliases=ledger["columns"], required=tuple(ledger["required"])),
        ledger_rules=LedgerRules(
            spending_accounts=tuple(ledger["spending_accounts"]),
            project_categories={str(k): v for k, v in ledger["project_categories"].items()},
            subtotal_markers=tuple(ledger["subtotal_markers"]),
            closing_markers=tuple(ledger.get("closing_markers", ())),
        ),
        budget_format=ExportFormat(aliases=budget["columns"], required=tuple(budget["required"])),
        budget_source_types=budget["source_types"],
        control_format=ExportFormat(aliases=export_formats["control_totals"]["columns"],
                                    required=tuple(export_formats["control_totals"]["required"])),
        codes=codes,
        evaluation=EvaluationSettings(
            sangong_items=tuple(
                SangongItem(item["name"], tuple(str(code) for code in item["econ_codes"]))
                for item in evaluation["sangong_items"]
            ),
            econ_classes={str(k): v for k, v in evaluation["econ_classes"].items()},
            personnel_classes=tuple(str(code) for code in evaluation["personnel_classes"]),
            findings=evaluation["findings"],
            indicator_library=indicator_library,
        ),
    )
