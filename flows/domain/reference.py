"""Reference data the pipeline is configured with: export formats, code lists, evaluation settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StringConstraints, model_validator

from flows.domain.config_schema import ConfigModel
from flows.domain.errors import ConfigError
from flows.domain.evaluation import IndicatorLibrary
from flows.domain.export_profiles import DirectionRule, ExportProfile, LongFormRule
from flows.domain.ledger import LedgerRules

if TYPE_CHECKING:   # final_accounts imports reference through metrics
    from flows.domain.final_accounts import FinalAccountsLayout


@dataclass(frozen=True, slots=True)
class CodeLists:
    """Year-versioned code lists (政府收支分类 and 资金性质)."""

    year: int
    economic: Mapping[str, str]        # 款 code -> name (部门支出经济分类)
    economic_classes: Mapping[str, str]  # 类 code -> name
    functional: Mapping[str, str]      # 类, 款 and 项 codes -> name (支出功能分类)
    fund_sources: Mapping[str, str]
    fiscal_fund_sources: frozenset[str]  # 财政拨款 funds (三公 counts only these)
    requested_year: int = 0            # the year asked for; differs from `year` when it fell back
    folder: str = ""                   # where the lists were read, for messages (config/code_lists/<year>)
    gov_economic: Mapping[str, str] = field(default_factory=dict)   # 政府预算支出经济分类 类/款
    crosswalk: Mapping[str, str] = field(default_factory=dict)      # 部门 款 -> 政府 款

    @property
    def functional_items(self) -> frozenset[str]:
        return frozenset(code for code in self.functional if len(code) == 7)

    @property
    def functional_classes(self) -> frozenset[str]:
        """类 (three-digit) codes: a well-formed 项 under one of these is at least plausible."""
        return frozenset(code for code in self.functional if len(code) == 3)

    @property
    def fell_back(self) -> bool:
        return bool(self.requested_year) and self.requested_year != self.year


EconClassCode = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]    # 经济分类 类, e.g. "301"
EconCode = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]         # 经济分类 款, e.g. "30212"


class SangongItem(ConfigModel):
    name: str
    econ_codes: tuple[EconCode, ...] = Field(min_length=1)


class FindingThresholds(ConfigModel):
    """From which values findings are drafted for 存在的问题 (a person keeps or drops them)."""

    adjustment_rate_above: Decimal
    execution_rate_below: Decimal
    staff_control_rate_above: Decimal


class EvaluationConfig(ConfigModel):
    """config/evaluation.yaml."""

    sangong_items: tuple[SangongItem, ...] = Field(min_length=1)
    econ_classes: dict[EconClassCode, str]
    personnel_classes: tuple[EconClassCode, ...]
    findings: FindingThresholds
    indicator_library: str = Field(pattern=r"^[\w.-]+$")    # config/indicators/<name>.yaml

    @model_validator(mode="after")
    def _each_code_in_one_item(self) -> EvaluationConfig:
        # An overlap would count a line twice among the items, so the items could not add up
        # to the 三公 total: a configuration mistake, caught here rather than as a data failure.
        owners: dict[str, str] = {}
        for item in self.sangong_items:
            for code in item.econ_codes:
                if code in owners:
                    raise ValueError(f"经济分类 {code} 在“三公”经费项目中出现了两次（「{owners[code]}」和「{item.name}」）；"
                                     "每个编码只能属于一个项目")
                owners[code] = item.name
        return self


@dataclass(frozen=True, slots=True)
class EvaluationSettings:
    sangong_items: tuple[SangongItem, ...]
    econ_classes: Mapping[str, str]
    personnel_classes: tuple[str, ...]
    findings: FindingThresholds
    indicator_library: IndicatorLibrary    # config/indicators/<name>.yaml


@dataclass(frozen=True, slots=True)
class Reference:
    """Everything configured, for one fiscal year."""

    header_search_rows: int
    ledger_profiles: tuple[ExportProfile, ...]
    ledger_rules: LedgerRules
    budget_profiles: tuple[ExportProfile, ...]
    control_format: ExportProfile
    codes: CodeLists
    evaluation: EvaluationSettings
    payment_format: ExportProfile | None = None
    max_line_amount_fen: int = 100_000_000_000     # LED-023: the plausible size of one line
    final_accounts: FinalAccountsLayout | None = None   # 财决01 cells (config/final_accounts.yaml)


def build_reference(export_formats: Mapping, evaluation: EvaluationConfig, codes: CodeLists,
                    indicator_library: IndicatorLibrary, source: str = "config/export_formats.yaml",
                    final_accounts: FinalAccountsLayout | None = None) -> Reference:
    """Assemble the typed reference from the parsed export formats, the validated evaluation
    settings and indicator library, and the code lists.

    Raises:
        ConfigError: a declared profile or rule is malformed (names the entry and the key).
    """
    try:
        ledger, budget = export_formats["ledger"], export_formats["budget"]
        control = export_formats["control_totals"]
        ledger_profiles = tuple(profile_from_config(entry) for entry in ledger["profiles"])
        budget_profiles = tuple(profile_from_config(entry) for entry in budget["profiles"])
        rules = LedgerRules(
            spending_accounts=tuple(str(a) for a in ledger["spending_accounts"]),
            project_categories={str(k): v for k, v in ledger["project_categories"].items()},
            subtotal_markers=tuple(ledger["subtotal_markers"]),
            closing_markers=tuple(ledger.get("closing_markers", ())),
            budget_accounting_prefixes=tuple(str(p) for p in ledger.get("budget_accounting_prefixes", ())),
            closing_words=tuple(str(w) for w in ledger.get("closing_words", ())),
            reversal_words=tuple(str(w) for w in ledger.get("reversal_words", ())),
        )
        control_format = ExportProfile("control_totals", "控制数表", control["columns"], tuple(control["required"]))
        max_line_fen = int(Decimal(str(ledger.get("max_line_amount_yuan", 1_000_000_000))) * 100)
        payments = export_formats.get("payments")
        payment_format = (ExportProfile("payments", "国库集中支付凭证", payments["columns"], tuple(payments["required"]))
                          if payments else None)
    except (KeyError, TypeError, AttributeError, ValueError, InvalidOperation) as error:
        raise ConfigError(f"导出格式配置有误：{error!r}", file=source) from None
    return Reference(
        header_search_rows=int(export_formats.get("header_search_rows", 10)),
        ledger_profiles=ledger_profiles,
        ledger_rules=rules,
        budget_profiles=budget_profiles,
        control_format=control_format,
        codes=codes,
        payment_format=payment_format,
        max_line_amount_fen=max_line_fen,
        final_accounts=final_accounts,
        evaluation=EvaluationSettings(
            sangong_items=evaluation.sangong_items,
            econ_classes=evaluation.econ_classes,
            personnel_classes=evaluation.personnel_classes,
            findings=evaluation.findings,
            indicator_library=indicator_library,
        ),
    )


_PROFILE_KEYS = {"name", "label", "required", "columns", "date_parts", "direction", "auxiliaries", "long_form",
                 "keep_rows", "derive_from_budget", "derive_from_ledger", "missing_summary", "source_types"}


def profile_from_config(entry: Mapping) -> ExportProfile:
    """One `profiles:` entry of config/export_formats.yaml as a typed profile.

    Raises:
        ValueError: an unknown key, a required column without aliases, or a rule naming an
            undeclared column (the message names the profile).
    """
    name = str(entry.get("name", "?"))
    unknown = set(entry) - _PROFILE_KEYS
    if unknown:
        raise ValueError(f"格式「{name}」有未知的配置项：{'、'.join(sorted(unknown))}")
    columns = {str(k): tuple(str(a) for a in v) for k, v in entry["columns"].items()}
    required = tuple(str(c) for c in entry["required"])
    for column in required:
        if not columns.get(column):
            raise ValueError(f"格式「{name}」的必需列 {column} 没有声明表头别名")
    date_parts = tuple(entry["date_parts"]) if entry.get("date_parts") else None
    if date_parts is not None and len(date_parts) != 3:
        raise ValueError(f"格式「{name}」的 date_parts 应为 年、月、日 三列")
    direction = DirectionRule(**entry["direction"]) if entry.get("direction") else None
    long_form = None
    if entry.get("long_form"):
        rule = entry["long_form"]
        long_form = LongFormRule(tuple(rule["line_key"]), rule["type_column"], rule["code_column"],
                                 rule["name_column"], {str(k): str(v) for k, v in rule["types"].items()})
    named = [*(date_parts or ()), *([direction.amount, direction.direction] if direction else []),
             *([long_form.type_column, long_form.code_column, long_form.name_column] if long_form else []),
             *entry.get("keep_rows", {})]
    for column in named:
        if column not in columns:
            raise ValueError(f"格式「{name}」的规则用到了未声明的列 {column}")
    return ExportProfile(
        name=name, label=str(entry.get("label", name)), aliases=columns, required=required,
        date_parts=date_parts, direction=direction,
        auxiliaries={str(k): str(v) for k, v in (entry.get("auxiliaries") or {}).items()},
        long_form=long_form,
        keep_rows={str(k): tuple(str(v) for v in values) for k, values in (entry.get("keep_rows") or {}).items()},
        derived=tuple(entry.get("derive_from_budget", ()) or entry.get("derive_from_ledger", ())),
        missing_summary=str(entry.get("missing_summary", "")),
        source_types={str(k): str(v) for k, v in (entry.get("source_types") or {}).items()},
    )
