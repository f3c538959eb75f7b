"""A fiscal year's inputs after ingest: canonical ledger and budget, profiles, and the row accounting."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from flows.domain.budget import parse_budget_table
from flows.domain.derivation import derive_columns, fill_project_names
from flows.domain.errors import InputError
from flows.domain.export_profiles import ExportProfile, canonical_ledger, match_profile
from flows.domain.ledger import LedgerRules, ParsedRows, RowIssue, ledger_frame, voucher_balance_frame
from flows.domain.ledger_columns import parse_ledger_table_columnar
from flows.domain.payments import empty_payments
from flows.domain.profile import DepartmentProfile
from flows.domain.reference import Reference
from flows.domain.tables import MappedTable, RawTable


@dataclass(frozen=True, slots=True)
class RowAccounting:
    """Per file: rows read = rows loaded + rows skipped (blank, subtotal, out of scope) + rows rejected."""

    rows_read: Mapping[str, int]     # file -> data rows below the header
    rows_loaded: Mapping[str, int]
    skipped: tuple[RowIssue, ...]
    rejected: tuple[RowIssue, ...]
    formats: Mapping[str, str] = field(default_factory=dict)   # file -> the export profile that read it
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # file -> canonical -> its header words

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(self.rows_read)

    def for_files(self, files: Sequence[str]) -> RowAccounting:
        """The part of the accounting that concerns `files` (one unit's exports)."""
        wanted = set(files)
        return RowAccounting(
            rows_read={f: n for f, n in self.rows_read.items() if f in wanted},
            rows_loaded={f: n for f, n in self.rows_loaded.items() if f in wanted},
            skipped=tuple(i for i in self.skipped if i.file in wanted),
            rejected=tuple(i for i in self.rejected if i.file in wanted),
            formats={f: n for f, n in self.formats.items() if f in wanted},
            headers={f: h for f, h in self.headers.items() if f in wanted},
        )

    def with_rejected(self, rejected: Sequence[RowIssue]) -> RowAccounting:
        """The accounting after rows it counted as loaded were rejected later (derivation)."""
        if not rejected:
            return self
        loaded = dict(self.rows_loaded)
        for issue in rejected:
            loaded[issue.file] = loaded.get(issue.file, 0) - 1
        return RowAccounting(self.rows_read, loaded, self.skipped, (*self.rejected, *rejected), self.formats,
                             self.headers)

    def summary(self) -> dict[str, int]:
        return {
            "rows_read": sum(self.rows_read.values()),
            "rows_loaded": sum(self.rows_loaded.values()),
            "rows_skipped": len(self.skipped),
            "rows_rejected": len(self.rejected),
        }


@dataclass(frozen=True, slots=True)
class YearInputs:
    """Everything one run reads for a fiscal year, already parsed."""

    year: int
    ledger: pd.DataFrame
    budget: pd.DataFrame
    profiles: Mapping[str, DepartmentProfile]
    profile_files: Mapping[str, str]     # unit code -> profile file (relative to the data folder)
    ledger_accounting: RowAccounting
    budget_accounting: RowAccounting
    control_totals: pd.DataFrame         # declared figures (empty when no control file is given)
    file_dates: Mapping[str, pd.Timestamp]  # export file -> when it was written (modification time)
    vouchers: pd.DataFrame = field(default_factory=lambda: voucher_balance_frame(ParsedRows()))  # 预算会计 balance
    payments: pd.DataFrame = field(default_factory=empty_payments)      # 国库集中支付 (cross-check)
    payment_accounting: RowAccounting = field(default_factory=lambda: RowAccounting({}, {}, (), ()))


@dataclass(frozen=True, slots=True)
class ParsedLedger:
    """Ledger tables after parsing: the canonical lines, their accounting, the vouchers."""

    ledger: pd.DataFrame
    accounting: RowAccounting
    vouchers: pd.DataFrame


# How one mapped table is parsed into the shared accumulator (ledger.parse_ledger_table's signature).
TableParser = Callable[[MappedTable, LedgerRules, int, str, ParsedRows, Mapping[str, Sequence[str]]], None]


def parse_ledger_tables(
    tables: Sequence[tuple[RawTable | MappedTable, str]], reference: Reference, year: int,
    parse_table: TableParser = parse_ledger_table_columnar,
) -> ParsedLedger:
    """Map (unless already mapped) and parse every ledger table; the string beside a table
    is the unit its folder names. Each table is read by its export profile, column-wise;
    `parse_table=ledger.parse_ledger_table` reads it row by row (the reference it must equal)."""
    profiles = {profile.name: profile for profile in reference.ledger_profiles}
    parsed = ParsedRows()
    read: dict[str, int] = {}
    loaded: dict[str, int] = {}
    formats: dict[str, str] = {}
    headers: dict[str, dict[str, str]] = {}
    for table, folder_unit in tables:
        mapped = table if isinstance(table, MappedTable) else match_profile(
            table, reference.ledger_profiles, reference.header_search_rows)
        profile = profiles.get(mapped.profile) or reference.ledger_profiles[0]
        canonical = canonical_ledger(mapped, profile)
        before_read, before_loaded = parsed.rows_read, parsed.rows_loaded
        parsed.skipped += [RowIssue(mapped.file, *issue) for issue in canonical.skipped]
        parsed.rejected += [RowIssue(mapped.file, *issue) for issue in canonical.rejected]
        parse_table(canonical.table, reference.ledger_rules, year, folder_unit, parsed, profile.keep_rows)
        _require_filled_classifications(canonical.table, profile, parsed, before_loaded)
        extra = len(canonical.skipped) + len(canonical.rejected)
        read[mapped.file] = read.get(mapped.file, 0) + parsed.rows_read - before_read + extra
        loaded[mapped.file] = loaded.get(mapped.file, 0) + parsed.rows_loaded - before_loaded
        formats[mapped.file] = profile.name
        headers[mapped.file] = dict(canonical.table.headers)
    accounting = RowAccounting(read, loaded, tuple(parsed.skipped), tuple(parsed.rejected), formats, headers)
    return ParsedLedger(ledger_frame(parsed), accounting, voucher_balance_frame(parsed))


# Ledger columns a report cannot do without, and the export column each comes from.
_CLASSIFICATIONS = {"func_code": "func_code", "econ_code": "econ_code", "project_code": "project_code",
                    "expense_type": "project_category", "fund_source": "fund_source"}


def _require_filled_classifications(table: MappedTable, profile: ExportProfile, parsed: ParsedRows, start: int) -> None:
    """A classification column that is empty on every spending line was not exported at all
    (some converters leave 资金性质, 预算项目, 项目分类 empty): say so for the whole file
    rather than rejecting each line for the same reason.

    Raises:
        InputError: names the file, the empty columns in its own words, and what supplies them.
    """
    if parsed.rows_loaded == start:
        return
    empty = [table.label(source) for column, source in _CLASSIFICATIONS.items()
             if source not in profile.derived and not any(parsed.columns[column][start:])]
    if empty:
        raise InputError(
            f"按「{profile.label}」读取时，列 {'、'.join(empty)} 在所有预算支出分录中都为空（导出或转换程序没有填写）；"
            "报告需要这些分类。请从原财务系统重新导出含这些列的凭证，或改用同时含辅助核算的导出（如 凭证辅助明细表、凭证明细）",
            file=table.file, row=table.header_row, column=empty[0])


def parse_budget_tables(
    tables: Sequence[RawTable], reference: Reference, default_unit: str
) -> tuple[pd.DataFrame, RowAccounting]:
    """Map and parse every budget table into one frame, each by its export profile."""
    frames, skipped, rejected = [], [], []
    read: dict[str, int] = {}
    loaded: dict[str, int] = {}
    formats: dict[str, str] = {}
    headers: dict[str, dict[str, str]] = {}
    profiles = {profile.name: profile for profile in reference.budget_profiles}
    for table in tables:
        mapped = match_profile(table, reference.budget_profiles, reference.header_search_rows)
        profile = profiles[mapped.profile]
        frame, table_skipped, table_rejected = parse_budget_table(
            mapped, profile.source_types, reference.ledger_rules.project_categories,
            reference.ledger_rules.subtotal_markers, default_unit,
        )
        read[table.file] = len(mapped.rows)
        loaded[table.file] = len(frame)
        formats[table.file] = profile.name
        headers[table.file] = dict(mapped.headers)
        frames.append(frame)
        skipped += table_skipped
        rejected += table_rejected
    return pd.concat(frames, ignore_index=True), RowAccounting(read, loaded, tuple(skipped), tuple(rejected),
                                                               formats, headers)


def complete_from_each_other(
    ledger: pd.DataFrame, ledger_accounting: RowAccounting, budget: pd.DataFrame,
    budget_accounting: RowAccounting, reference: Reference,
) -> tuple[pd.DataFrame, RowAccounting, pd.DataFrame, RowAccounting]:
    """Columns an export family lacks, filled from the other input by 预算项目 (derivation.py)."""
    def lacking(accounting: RowAccounting, profiles: Sequence[ExportProfile]):
        by_name = {p.name: p for p in profiles}
        found = {file: by_name[name] for file, name in accounting.formats.items() if name in by_name}
        return ({file: p.derived for file, p in found.items() if p.derived},
                {file: p.label for file, p in found.items()})

    ledger_lacking, ledger_labels = lacking(ledger_accounting, reference.ledger_profiles)
    budget_lacking, budget_labels = lacking(budget_accounting, reference.budget_profiles)
    # The budget is completed from the ledger as written, before the ledger borrows from it.
    budget, budget_rejected = derive_columns(budget, ledger, budget_lacking, other_name="账簿",
                                             profile_labels=budget_labels)
    ledger, ledger_rejected = derive_columns(ledger, budget, ledger_lacking, other_name="预算指标",
                                             profile_labels=ledger_labels)
    ledger, budget = fill_project_names(ledger, budget), fill_project_names(budget, ledger)
    return (ledger, ledger_accounting.with_rejected(ledger_rejected),
            budget, budget_accounting.with_rejected(budget_rejected))
