"""A fiscal year's inputs after ingest: canonical ledger and budget, profiles, and the row accounting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from flows.domain.budget import parse_budget_table
from flows.domain.ledger import ParsedRows, RowIssue, ledger_frame, parse_ledger_table
from flows.domain.profile import DepartmentProfile
from flows.domain.reference import Reference
from flows.domain.tables import MappedTable, RawTable, map_headers


@dataclass(frozen=True, slots=True)
class RowAccounting:
    """Per file: rows read = rows loaded + rows skipped (blank, subtotal, out of scope) + rows rejected."""

    rows_read: Mapping[str, int]     # file -> data rows below the header
    rows_loaded: Mapping[str, int]
    skipped: tuple[RowIssue, ...]
    rejected: tuple[RowIssue, ...]

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
        )

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


def parse_ledger_tables(
    tables: Sequence[tuple[RawTable | MappedTable, str]], reference: Reference, year: int
) -> tuple[pd.DataFrame, RowAccounting]:
    """Map (unless already mapped) and parse every ledger table; the string beside a table
    is the unit its folder names."""
    parsed = ParsedRows()
    read: dict[str, int] = {}
    loaded: dict[str, int] = {}
    for table, folder_unit in tables:
        mapped = table if isinstance(table, MappedTable) else map_headers(
            table, reference.ledger_format.aliases, reference.ledger_format.required, reference.header_search_rows)
        before_read, before_loaded = parsed.rows_read, parsed.rows_loaded
        parse_ledger_table(mapped, reference.ledger_rules, year, folder_unit, parsed)
        read[table.file] = parsed.rows_read - before_read
        loaded[table.file] = parsed.rows_loaded - before_loaded
    return ledger_frame(parsed), RowAccounting(read, loaded, tuple(parsed.skipped), tuple(parsed.rejected))


def parse_budget_tables(
    tables: Sequence[RawTable], reference: Reference, default_unit: str
) -> tuple[pd.DataFrame, RowAccounting]:
    """Map and parse every budget table into one frame."""
    frames, skipped, rejected = [], [], []
    read: dict[str, int] = {}
    loaded: dict[str, int] = {}
    for table in tables:
        mapped = map_headers(table, reference.budget_format.aliases, reference.budget_format.required,
                             reference.header_search_rows)
        frame, table_skipped, table_rejected = parse_budget_table(
            mapped, reference.budget_source_types, reference.ledger_rules.project_categories,
            reference.ledger_rules.subtotal_markers, default_unit,
        )
        read[table.file] = len(mapped.rows)
        loaded[table.file] = len(frame)
        frames.append(frame)
        skipped += table_skipped
        rejected += table_rejected
    return pd.concat(frames, ignore_index=True), RowAccounting(read, loaded, tuple(skipped), tuple(rejected))
