"""One export read and its header mapped by the profile it matches; large clean CSV column-wise.

Clean CSV files are read column-wise by pyarrow; anything else (XLSX, ragged or oddly quoted
CSV) goes through the row reader, whose messages name file, row and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from flows.adapters.export_files import EXPORT_MAX_BYTES, decode_text, read_table, require_readable_size
from flows.domain.errors import InputError
from flows.domain.export_profiles import ExportProfile, match_profile
from flows.domain.tables import MappedTable, RawTable

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


def _columnar_csv(path: Path, file: str, profiles: Sequence[ExportProfile], search_rows: int) -> MappedTable | None:
    """A clean CSV read by pyarrow, or None when only the row reader can read it faithfully."""
    size = path.stat().st_size
    if size < COLUMNAR_MIN_BYTES:
        return None
    require_readable_size(path, file, EXPORT_MAX_BYTES)
    data = path.read_bytes()
    text = decode_text(data, file)
    del data
    lines = text.split("\n", search_rows + 2)
    head_text = "\n".join(lines[: search_rows + 2])
    try:
        delimiter = csv.Sniffer().sniff(head_text[:4096], delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter)
    try:
        head = RawTable(file, [(reader.line_num, cells) for cells in reader][: search_rows + 1])
    except csv.Error:
        return None                 # the row reader names the line
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
