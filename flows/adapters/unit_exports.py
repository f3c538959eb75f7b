"""Read a year's exports once and split them by budget unit.

A city's budget system exports one file for hundreds of units (a 单位编码 column); a
department's own ledger software exports one file per unit (its folder names the unit).
Either way every row lands in the share of the unit it belongs to, and each unit's share
travels alone to whichever process or Dask worker produces its report: no task holds the
whole city. Clean CSV files are read column-wise by pyarrow; anything else (XLSX, ragged
or oddly quoted CSV) goes through the row reader, whose messages name file, row and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from flows.adapters.export_files import decode_text, read_table
from flows.domain.errors import InputError
from flows.domain.export_profiles import ExportProfile, match_profile
from flows.domain.ingest import RowAccounting, YearInputs, complete_from_each_other, parse_ledger_tables
from flows.domain.payments import empty_payments
from flows.domain.profile import DepartmentProfile
from flows.domain.reference import Reference
from flows.domain.tables import MappedTable, RawTable, split_code_name

# Below this size the row reader is as fast as the column reader and keeps the code path
# that every bad-input test exercises.
COLUMNAR_MIN_BYTES = 4 * 1024 * 1024


class ArrowRows(Sequence):
    """(row number, cells) rows kept column-wise in an Arrow table: a few bytes per cell
    instead of a Python string each, and cheap to ship to another process."""

    __slots__ = ("table",)

    def __init__(self, table: pa.Table) -> None:
        self.table = table            # column "row" (int64) then one string column per cell

    def __len__(self) -> int:
        return self.table.num_rows

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        for batch in self.table.to_batches(max_chunksize=65_536):
            numbers = batch.column(0).to_pylist()
            cells = [column.to_pylist() for column in batch.columns[1:]]
            for index, number in enumerate(numbers):
                yield number, [column[index] for column in cells]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        return next(iter(ArrowRows(self.table.slice(index % len(self), 1))))

    def take(self, indices: np.ndarray) -> ArrowRows:
        return ArrowRows(self.table.take(pa.array(indices)))

    def digest(self) -> str:
        """sha256 of the rows as CSV text: the same cells give the same digest however the
        reader happened to chunk the file (another unit's correction can move chunk borders)."""
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(self.table, sink, pa_csv.WriteOptions(include_header=False))
        return hashlib.sha256(sink.getvalue()).hexdigest()


def body_digest(rows: Sequence) -> str:
    if isinstance(rows, ArrowRows):
        return rows.digest()
    return hashlib.sha256(json.dumps(list(rows), ensure_ascii=False).encode()).hexdigest()


def rows_digest(table: MappedTable, body: str | None = None) -> str:
    """sha256 of a unit's share of a file: its name, header and rows (cells and row numbers)."""
    head = json.dumps([table.file, table.header_row, sorted(table.columns.items())], ensure_ascii=False).encode()
    return hashlib.sha256(head + b"\0" + (body or body_digest(table.rows)).encode()).hexdigest()


def _columnar_csv(path: Path, file: str, profiles: Sequence[ExportProfile], search_rows: int) -> MappedTable | None:
    """A clean CSV read by pyarrow, or None when only the row reader can read it faithfully."""
    data = path.read_bytes()
    if len(data) < COLUMNAR_MIN_BYTES:
        return None
    text = decode_text(data, file)
    del data
    lines = text.split("\n", search_rows + 2)
    head_text = "\n".join(lines[: search_rows + 2])
    try:
        delimiter = csv.Sniffer().sniff(head_text[:4096], delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter)
    head = RawTable(file, [(reader.line_num, cells) for cells in reader][: search_rows + 1])
    try:
        mapped = match_profile(head, profiles, search_rows)
    except InputError:
        return None
    header_cells = dict(head.rows)[mapped.header_row]
    if any(row_no != index for index, (row_no, _) in enumerate(head.rows, start=1)):
        return None                 # a quoted line break in the head: line numbers would drift
    body_start = 0
    for _ in range(mapped.header_row):
        body_start = text.index("\n", body_start) + 1
    body = text[body_start:].encode("utf-8")
    del text
    expected_rows = body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
    names = [f"c{i}" for i in range(len(header_cells))]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return None                 # ragged rows, blank lines: the row reader names them
    if table.num_rows != expected_rows or table.num_rows == 0:
        return None                 # quoted line breaks inside cells
    first = mapped.header_row + 1
    numbers = pa.array(np.arange(first, first + table.num_rows, dtype=np.int64))
    table = table.add_column(0, "row", numbers)
    return MappedTable(file, mapped.header_row, mapped.columns, ArrowRows(table), mapped.profile, mapped.headers)


def read_mapped(path: Path, data_dir: Path, profiles: Sequence[ExportProfile], search_rows: int) -> MappedTable:
    """One export with its header mapped by the profile it matches, column-wise when it is a
    large clean CSV."""
    file = path.relative_to(data_dir).as_posix()
    if path.suffix.lower() in (".csv", ".txt"):
        columnar = _columnar_csv(path, file, profiles, search_rows)
        if columnar is not None:
            return columnar
    raw = read_table(path, data_dir, matches_a_profile(profiles, search_rows))
    return match_profile(raw, profiles, search_rows)


def matches_a_profile(profiles: Sequence[ExportProfile], search_rows: int):
    """A sheet is the export when its header matches one of the profiles."""
    def accept(table: RawTable) -> bool:
        try:
            match_profile(table, profiles, search_rows)
        except InputError:
            return False
        return True
    return accept


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


@dataclass(frozen=True, slots=True)
class SplitExport:
    """One export file split by unit."""

    file: str
    rows_read: int
    shares: Mapping[str, MappedTable]
    digests: Mapping[str, str]          # unit -> rows_digest of its share


# Part of every cache key: a change to how files are split must not reuse old splits.
_SPLIT_FORMAT = "jixiao-split-2"


class SplitCache:
    """Exports already read and split in an earlier run, by the sha256 of their bytes (and of
    the header mapping), kept as Arrow files and memory-mapped back.

    A rerun then costs a hash per file instead of decoding and splitting millions of rows,
    and a corrected export is the only file read again. Only column-wise reads are kept:
    the small files of the row reader are quicker to read again than to cache.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def key(self, data: bytes, profiles: Sequence[ExportProfile], search_rows: int) -> str:
        digest = hashlib.sha256(data)
        declared = [(p.name, p.aliases, p.required) for p in profiles]
        digest.update(json.dumps([_SPLIT_FORMAT, declared, search_rows],
                                 ensure_ascii=False, sort_keys=True, default=list).encode())
        return digest.hexdigest()

    def get(self, key: str, file: str) -> SplitExport | None:
        meta_path = self.folder / key / "meta.json"
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        table = pa.ipc.open_file(pa.memory_map(str(self.folder / key / "rows.arrow"))).read_all()
        shares, digests = {}, {}
        for unit, (start, length, body) in meta["units"].items():
            share = MappedTable(file, meta["header_row"], meta["columns"], ArrowRows(table.slice(start, length)),
                                meta["profile"], meta["headers"])
            shares[unit], digests[unit] = share, rows_digest(share, body)
        self.used.add(key)
        return SplitExport(file, meta["rows_read"], shares, digests)

    def put(self, key: str, split: SplitExport, bodies: Mapping[str, str]) -> None:
        tables = list(split.shares.values())
        if not tables or not all(isinstance(t.rows, ArrowRows) for t in tables):
            return
        staging = self.folder / f".{key}.tmp"
        staging.mkdir(parents=True, exist_ok=True)
        spans, start = {}, 0
        schema = tables[0].rows.table.schema
        with pa.OSFile(str(staging / "rows.arrow"), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            for unit, share in split.shares.items():
                writer.write_table(share.rows.table)
                spans[unit] = (start, len(share.rows), bodies[unit])
                start += len(share.rows)
        meta = {"file": split.file, "rows_read": split.rows_read, "header_row": tables[0].header_row,
                "columns": dict(tables[0].columns), "profile": tables[0].profile,
                "headers": dict(tables[0].headers), "units": spans}
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        staging.replace(self.folder / key)          # appears complete or not at all
        self.used.add(key)

    def prune(self, files: set[str]) -> None:
        """Forget earlier splits of the files this run read (superseded by a correction)."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            meta = entry / "meta.json"
            if entry.name in self.used or not meta.exists():
                continue
            if json.loads(meta.read_text(encoding="utf-8")).get("file") in files:
                shutil.rmtree(entry, ignore_errors=True)


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
