"""Read a year's exports once and split them by budget unit.

A city's budget system exports one file for hundreds of units (a 单位编码 column); a
department's own ledger software exports one file per unit (its folder names the unit).
Either way every row lands in the share of the unit it belongs to, and each unit's share
travels alone to whichever process or Dask worker produces its report: no task holds the
whole city.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from flows.adapters.mapped_exports import ArrowRows, read_mapped
from flows.adapters.split_cache import SplitCache, SplitExport, body_digest, rows_digest
from flows.domain.ingest import RowAccounting, YearInputs, complete_from_each_other, parse_ledger_tables
from flows.domain.payments import empty_payments
from flows.domain.profile import DepartmentProfile
from flows.domain.reference import Reference
from flows.domain.tables import MappedTable, split_code_name


def unit_of_cell(text: str, folder_unit: str) -> str:
    """The unit a row belongs to: its unit cell ("312001" or "312001 共青团…") or else its folder."""
    text = text.strip()
    return (split_code_name(text)[0] or text) if text else folder_unit


def split_by_unit(table: MappedTable, folder_unit: str) -> dict[str, MappedTable]:
    """The table's rows by unit. Rows that name no unit (blank, 合计 lines, a missing code)
    go to every unit of the file, so each unit's accounting still sees and judges them."""
    index = table.columns.get("unit_code")
    if isinstance(table.rows, ArrowRows):
        if index is None:
            units = np.full(len(table.rows), folder_unit, dtype=object)
        else:
            column = table.rows.table.column(index + 1).combine_chunks().dictionary_encode()
            named = np.array([unit_of_cell(v, folder_unit) for v in column.dictionary.to_pylist()], dtype=object)
            units = named[column.indices.to_numpy(zero_copy_only=False)] if len(named) else np.array([], dtype=object)
        units = units.astype(str)
        nobody = units == ""
        if nobody.all():
            return {"": table}
        if nobody.any():
            # Rare (blank or 合计 lines): each unit takes its rows plus the unit-less ones.
            groups = pd.Series(units).groupby(units, sort=True).indices
            extra = groups.pop("")
            return {unit: replace(table, rows=table.rows.take(np.sort(np.concatenate([rows, extra]))))
                    for unit, rows in groups.items()}
        # One reordering of the whole file, then a zero-copy slice per unit: a take per
        # unit would copy the file once for every unit.
        order = np.argsort(units, kind="stable")
        ordered = table.rows.take(order)
        names, starts = np.unique(units[order], return_index=True)
        ends = [*starts[1:], len(order)]
        return {str(unit): replace(table, rows=ArrowRows(ordered.table.slice(start, end - start)))
                for unit, start, end in zip(names, starts, ends, strict=True)}
    by_unit: dict[str, list] = {}
    nobody_rows: list = []
    for row_no, cells in table.rows:
        cell = cells[index] if index is not None and index < len(cells) else ""
        unit = unit_of_cell(cell, folder_unit)
        (by_unit.setdefault(unit, []) if unit else nobody_rows).append((row_no, cells))
    if not by_unit:
        return {"": table}
    return {unit: replace(table, rows=sorted([*rows, *nobody_rows], key=lambda r: r[0]) if nobody_rows else rows)
            for unit, rows in sorted(by_unit.items())}


@dataclass(frozen=True, slots=True)
class UnitSources:
    """Everything one unit's report is made from: its share of each export (not yet parsed),
    its budget rows and declared totals (parsed: small), its profile. Picklable, one unit only."""

    year: int
    unit: str
    ledger_tables: tuple[tuple[MappedTable, str], ...]   # (this unit's rows of a file, the file's folder unit)
    ledger_digests: Mapping[str, str]                    # file -> sha256 of this unit's share of it
    budget: pd.DataFrame
    budget_accounting: RowAccounting
    control_totals: pd.DataFrame
    profile: DepartmentProfile
    profile_file: str
    profile_digest: str
    file_dates: Mapping[str, pd.Timestamp]
    payments: pd.DataFrame = field(default_factory=empty_payments)
    payment_accounting: RowAccounting = field(default_factory=lambda: RowAccounting({}, {}, (), ()))

    def input_digests(self) -> dict[str, str]:
        """What the report's fingerprint and 修订说明 list as this unit's inputs, by file."""
        parts = dict(self.ledger_digests)
        for file, rows in self.budget.groupby("source_file", sort=True):
            parts[file] = hashlib.sha256(rows.to_csv(index=False).encode()).hexdigest()
        for frame in (self.control_totals, self.payments):
            for file, rows in frame.groupby("source_file", sort=True):
                parts[file] = hashlib.sha256(rows.to_csv(index=False).encode()).hexdigest()
        parts[self.profile_file] = self.profile_digest
        return parts


@dataclass(frozen=True, slots=True)
class YearSources:
    """A year's exports read and split: each unit's sources, and the rows read per file."""

    year: int
    units: Mapping[str, UnitSources]
    rows_read: Mapping[str, int]
    formats: Mapping[str, str] = field(default_factory=dict)   # file -> the export profile that reads it
    unread: tuple[tuple[str, str], ...] = ()    # (file, why no reader takes it)


def unit_inputs(sources: UnitSources, reference: Reference) -> YearInputs:
    """Parse one unit's share into the same YearInputs a single-unit data folder gives."""
    parsed = parse_ledger_tables(list(sources.ledger_tables), reference, sources.year)
    ledger = parsed.ledger[parsed.ledger["unit_code"] == sources.unit].reset_index(drop=True)
    vouchers = parsed.vouchers[parsed.vouchers["unit_code"] == sources.unit].reset_index(drop=True)
    ledger, accounting, budget, budget_accounting = complete_from_each_other(
        ledger, parsed.accounting, sources.budget, sources.budget_accounting, reference)
    return YearInputs(sources.year, ledger, budget, {sources.unit: sources.profile},
                      {sources.unit: sources.profile_file}, accounting, budget_accounting,
                      sources.control_totals, sources.file_dates, vouchers, sources.payments,
                      sources.payment_accounting)


def split_export(path: Path, data_dir: Path, folder_unit: str, reference: Reference,
                 cache: SplitCache | None = None) -> SplitExport:
    """Read one ledger export and split it by unit, from the cache when its bytes were split before."""
    file = path.relative_to(data_dir).as_posix()
    key = cache.key(path.read_bytes(), reference.ledger_profiles, reference.header_search_rows) if cache else ""
    if cache is not None and (cached := cache.get(key, file)) is not None:
        return cached
    table = read_mapped(path, data_dir, reference.ledger_profiles, reference.header_search_rows)
    shares = split_by_unit(table, folder_unit)
    bodies = {unit: body_digest(share.rows) for unit, share in shares.items()}
    split = SplitExport(file, len(table.rows), shares, {unit: rows_digest(share, bodies[unit]) for unit, share in shares.items()})
    if cache is not None:
        cache.put(key, split, bodies)
        # The memory-mapped copy instead of the one just read: the run then holds no city in
        # its own memory, only pages the system can drop and read back.
        return cache.get(key, file) or split
    return split
