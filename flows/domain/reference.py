"""Reference data the pipeline is configured with: export formats, code lists, evaluation settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from flows.domain.attachment_layout import AttachmentLayout
from flows.domain.config_schema import ConfigModel
from flows.domain.evaluation import IndicatorLibrary
from flows.domain.export_profiles import DirectionRule, ExportProfile, LongFormRule
from flows.domain.ledger import LedgerRules
from flows.domain.review import ReviewConfig

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
    public_classes: tuple[EconClassCode, ...] = ("302",)
    public_budget_phase: Literal["initial", "adjusted"] = "initial"
    findings: FindingThresholds
    indicator_library: str = Field(pattern=r"^[\w.-]+$")    # config/indicators/<name>.yaml
    attachment_layout: str = Field(default="hunan", pattern=r"^[\w.-]+$")   # config/attachments/<name>.yaml

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
    attachment_layout: AttachmentLayout    # config/attachments/<name>.yaml
    attachment_layout_file: str = ""       # where it was read, for messages
    public_classes: tuple[str, ...] = ("302",)
    public_budget_phase: str = "initial"


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
    review: ReviewConfig = field(default_factory=ReviewConfig)   # config/review.yaml: drafts wait for approval


ExpenseType = Literal["basic_personnel", "basic_public", "project"]
SourceType = Literal["initial", "addition", "reduction", "carryover"]
Words = tuple[str, ...]


_DEFAULT_DIRECTION = DirectionRule("", "")   # the 借/贷 words most exports write


class DirectionConfig(ConfigModel):
    amount: str          # canonical column holding the amount
    direction: str       # canonical column holding 借 / 贷
    debit_words: Words = _DEFAULT_DIRECTION.debit_words
    credit_words: Words = _DEFAULT_DIRECTION.credit_words


class LongFormConfig(ConfigModel):
    line_key: Words = Field(min_length=1)
    type_column: str
    code_column: str
    name_column: str
    types: dict[str, str] = Field(min_length=1)


class ProfileConfig(ConfigModel):
    """One `profiles:` entry of config/export_formats.yaml: a family of exports."""

    name: str
    label: str = ""
    required: Words = Field(min_length=1)
    columns: dict[str, Words]
    date_parts: tuple[str, str, str] | None = None    # canonical 年, 月, 日 columns
    direction: DirectionConfig | None = None
    auxiliaries: dict[str, str] = Field(default_factory=dict)
    long_form: LongFormConfig | None = None
    keep_rows: dict[str, Words] = Field(default_factory=dict)
    derive_from_budget: Words = ()
    derive_from_ledger: Words = ()
    missing_summary: str = ""
    source_types: dict[str, SourceType] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _columns_it_names_are_declared(self) -> ProfileConfig:
        for column in self.required:
            if not self.columns.get(column):
                raise ValueError(f"格式「{self.name}」的必需列 {column} 没有声明表头别名")
        named = [*(self.date_parts or ()), *([self.direction.amount, self.direction.direction] if self.direction else []),
                 *([self.long_form.type_column, self.long_form.code_column, self.long_form.name_column]
                   if self.long_form else []),
                 *self.keep_rows]
        for column in named:
            if column not in self.columns:
                raise ValueError(f"格式「{self.name}」的规则用到了未声明的列 {column}")
        return self


class TableFormat(ConfigModel):
    required: Words = Field(min_length=1)
    columns: dict[str, Words]


class LedgerFormats(ConfigModel):
    spending_accounts: Words = Field(min_length=1)
    max_line_amount_yuan: Decimal = Field(default=Decimal(1_000_000_000), gt=0)
    budget_accounting_prefixes: Words = ()
    budget_accounts: Words = ()
    project_categories: dict[str, ExpenseType]
    subtotal_markers: Words
    closing_markers: Words = ()
    closing_words: Words = ()
    reversal_words: Words = ()
    profiles: tuple[ProfileConfig, ...] = Field(min_length=1)


class BudgetFormats(ConfigModel):
    profiles: tuple[ProfileConfig, ...] = Field(min_length=1)


class ExportFormatsConfig(ConfigModel):
    """config/export_formats.yaml."""

    header_search_rows: int = Field(default=10, ge=1)
    ledger: LedgerFormats
    budget: BudgetFormats
    control_totals: TableFormat
    payments: TableFormat | None = None


def build_reference(export_formats: ExportFormatsConfig, evaluation: EvaluationConfig, codes: CodeLists,
                    indicator_library: IndicatorLibrary, attachment_layout: AttachmentLayout,
                    final_accounts: FinalAccountsLayout | None = None, review: ReviewConfig | None = None) -> Reference:
    """Assemble the reference from the validated configuration files and the code lists."""
    ledger, payments = export_formats.ledger, export_formats.payments
    control = export_formats.control_totals
    return Reference(
        header_search_rows=export_formats.header_search_rows,
        ledger_profiles=tuple(profile_from_config(entry) for entry in ledger.profiles),
        ledger_rules=LedgerRules(
            spending_accounts=ledger.spending_accounts,
            project_categories=ledger.project_categories,
            subtotal_markers=ledger.subtotal_markers,
            closing_markers=ledger.closing_markers,
            budget_accounting_prefixes=ledger.budget_accounting_prefixes,
            budget_accounts=ledger.budget_accounts,
            closing_words=ledger.closing_words,
            reversal_words=ledger.reversal_words,
        ),
        budget_profiles=tuple(profile_from_config(entry) for entry in export_formats.budget.profiles),
        control_format=ExportProfile("control_totals", "控制数表", control.columns, control.required),
        codes=codes,
        payment_format=(ExportProfile("payments", "国库集中支付凭证", payments.columns, payments.required)
                        if payments else None),
        max_line_amount_fen=int(ledger.max_line_amount_yuan * 100),
        final_accounts=final_accounts,
        review=review or ReviewConfig(),
        evaluation=EvaluationSettings(
            sangong_items=evaluation.sangong_items,
            econ_classes=evaluation.econ_classes,
            personnel_classes=evaluation.personnel_classes,
            findings=evaluation.findings,
            indicator_library=indicator_library,
            attachment_layout=attachment_layout,
            attachment_layout_file=f"config/attachments/{evaluation.attachment_layout}.yaml",
            public_classes=evaluation.public_classes,
            public_budget_phase=evaluation.public_budget_phase,
        ),
    )


def profile_from_config(entry: ProfileConfig) -> ExportProfile:
    """One validated `profiles:` entry as the profile the readers use."""
    long_form = entry.long_form
    return ExportProfile(
        name=entry.name, label=entry.label or entry.name, aliases=entry.columns, required=entry.required,
        date_parts=entry.date_parts,
        direction=(DirectionRule(entry.direction.amount, entry.direction.direction, entry.direction.debit_words,
                                 entry.direction.credit_words) if entry.direction else None),
        auxiliaries=entry.auxiliaries,
        long_form=(LongFormRule(long_form.line_key, long_form.type_column, long_form.code_column, long_form.name_column,
                                long_form.types) if long_form else None),
        keep_rows=entry.keep_rows,
        derived=entry.derive_from_budget or entry.derive_from_ledger,
        missing_summary=entry.missing_summary,
        source_types=entry.source_types,
    )
