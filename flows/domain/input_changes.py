"""What changed in the rows a report was built from: file, row, column (in the file's own words), old → new.

Pure. Each version keeps the canonical ledger and budget rows it was built from (`input_rows`);
the next version compares that snapshot with its own rows (`compare_rows`). Rows are matched
within each file by their content in file order, so a line inserted above others is one added
row, not every later row shifted. Amounts print as yuan with two decimals, exact from fen.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from flows.domain.ledger import COLUMN_LABELS_ZH

ROW_KEY = ("source_file", "source_row")
AMOUNT = "amount_fen"

# The 修订说明 and the manifest list this many changes one by one; the rest are counted per file.
DETAIL_LIMIT = 200

# Past this many differing rows in one stretch of a file the rows are paired by position:
# content alignment is quadratic in the worst case, and such a list is cut at DETAIL_LIMIT anyway.
ALIGN_LIMIT = 20_000

# Canonical column -> the export columns it is read from (where the name differs).
_SOURCE_COLUMNS = {AMOUNT: ("debit", "credit", "amount"), "expense_type": ("project_category",)}

# Canonical codes that mean nothing to a clerk, in the words of the report.
_VALUE_WORDS = {
    "expense_type": {"basic_personnel": "基本支出·人员经费", "basic_public": "基本支出·公用经费", "project": "项目支出"},
    "source_type": {"initial": "年初预算", "addition": "追加", "reduction": "调减", "carryover": "上年结转"},
}

# What tells an added or removed row apart, in this order.
_ROW_WORDS = ("posting_date", "voucher_no", "doc_no", "project_name", "summary")

_LONGEST_VALUE = 60


@dataclass(frozen=True, slots=True)
class CellChange:
    """One cell of a row that is in both versions of a file."""

    file: str
    row: int          # the row in the current file
    old_row: int      # the row in the earlier file (another one when rows were added or removed above it)
    column: str       # the file's own header words
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class RowChange:
    """A row that only one of the two versions of a file holds."""

    file: str
    row: int          # in the current file when added, in the earlier file when removed
    added: bool
    what: str         # a few of its cells, in the file's own words


@dataclass(frozen=True, slots=True)
class FileChanges:
    """How many changes one file has: cells changed, rows added and removed."""

    file: str
    status: str       # 新增 | 删除 | 修改 (a file that is new or gone entirely is not listed row by row)
    cells: int = 0
    added: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.cells + self.added + self.removed


@dataclass(frozen=True, slots=True)
class InputChanges:
    """Every change counted, per file; the first DETAIL_LIMIT of them one by one, in file and row order."""

    files: tuple[FileChanges, ...] = ()
    details: tuple[CellChange | RowChange, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return sum(f.total for f in self.files)


def input_rows(*frames: pd.DataFrame) -> pd.DataFrame:
    """One snapshot of canonical rows (the ledger's and the budget's): the row key, the amount
    in fen, every other column as its text ("" where a frame has no such column)."""
    parts = []
    for frame in frames:
        columns = {name: _as_text(frame[name]) for name in frame.columns if name not in (*ROW_KEY, AMOUNT)}
        parts.append(pd.DataFrame({
            "source_file": frame["source_file"].astype(str), "source_row": frame["source_row"].astype("int64"),
            AMOUNT: frame[AMOUNT].astype("int64"), **columns,
        }))
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"source_file": [], "source_row": [], AMOUNT: []})
    text_columns = [name for name in rows.columns if name not in ("source_row", AMOUNT)]
    rows[text_columns] = rows[text_columns].fillna("")
    return rows.sort_values(list(ROW_KEY), kind="stable").reset_index(drop=True)


def _as_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime("%Y-%m-%d").fillna("")
    return column.map(lambda value: "" if pd.isna(value) else str(value))


def compare_rows(old: pd.DataFrame, new: pd.DataFrame, headers: Mapping[str, Mapping[str, str]]) -> InputChanges:
    """What changed from the `old` snapshot to the `new` one, file by file.

    `headers` is file -> canonical column -> the file's header words. Only columns the file
    itself holds are compared (and the amount): a column filled in by derivation or numbering
    changes only because of another change, which is listed where it was made.
    """
    files: list[FileChanges] = []
    details: list[CellChange | RowChange] = []
    old_files, new_files = _by_file(old), _by_file(new)
    for file in sorted(set(old_files) | set(new_files)):
        if file not in old_files:
            files.append(FileChanges(file, "新增", added=len(new_files[file])))
        elif file not in new_files:
            files.append(FileChanges(file, "删除", removed=len(old_files[file])))
        else:
            own = headers.get(file, {})
            columns = _compared_columns(old_files[file], new_files[file], own)
            changes = _file_changes(file, old_files[file], new_files[file], columns, own)
            counted = FileChanges(file, "修改")
            for change in changes:
                if isinstance(change, CellChange):
                    counted = _add(counted, cells=1)
                else:
                    counted = _add(counted, added=int(change.added), removed=int(not change.added))
                if len(details) < DETAIL_LIMIT:
                    details.append(change)
            if counted.total:
                files.append(counted)
    return InputChanges(tuple(files), tuple(details))


def _add(counted: FileChanges, cells: int = 0, added: int = 0, removed: int = 0) -> FileChanges:
    return FileChanges(counted.file, counted.status, counted.cells + cells, counted.added + added, counted.removed + removed)


def _by_file(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(file): part.reset_index(drop=True) for file, part in rows.groupby("source_file", sort=True)}


def _source_words(own: Mapping[str, str], column: str) -> str:
    for source in _SOURCE_COLUMNS.get(column, (column,)):
        if own.get(source):
            return own[source]
    return own.get(column, "")


def _compared_columns(old: pd.DataFrame, new: pd.DataFrame, own: Mapping[str, str]) -> list[str]:
    shared = [name for name in new.columns if name in old.columns and name not in ROW_KEY]
    if not own:                    # a file whose header words are unknown: compare what both hold
        return shared
    return [name for name in shared if name == AMOUNT or _source_words(own, name)]


def _file_changes(file: str, old: pd.DataFrame, new: pd.DataFrame, columns: list[str],
                  own: Mapping[str, str]) -> Iterator[CellChange | RowChange]:
    old_cells = list(zip(*(old[c].tolist() for c in columns), strict=True)) if columns else [()] * len(old)
    new_cells = list(zip(*(new[c].tolist() for c in columns), strict=True)) if columns else [()] * len(new)
    old_rows, new_rows = old["source_row"].tolist(), new["source_row"].tolist()
    # Rows before the first and after the last difference need no alignment.
    start = 0
    while start < min(len(old_cells), len(new_cells)) and old_cells[start] == new_cells[start]:
        start += 1
    end_old, end_new = len(old_cells), len(new_cells)
    while end_old > start and end_new > start and old_cells[end_old - 1] == new_cells[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    if end_old - start > ALIGN_LIMIT or end_new - start > ALIGN_LIMIT:
        opcodes = [("replace", start, end_old, start, end_new)]
    else:
        matcher = difflib.SequenceMatcher(None, old_cells[start:end_old], new_cells[start:end_new], autojunk=False)
        opcodes = [(tag, i1 + start, i2 + start, j1 + start, j2 + start) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        for i, j in _pair_rows(old_cells, new_cells, range(i1, i2), range(j1, j2)):
            if j is None:
                yield RowChange(file, old_rows[i], False, _row_words(columns, old_cells[i], own))
            elif i is None:
                yield RowChange(file, new_rows[j], True, _row_words(columns, new_cells[j], own))
            else:
                yield from _cell_changes(file, old_rows[i], new_rows[j], columns, old_cells[i], new_cells[j], own)


def _pair_rows(old: Sequence[tuple], new: Sequence[tuple], olds: range, news: range) -> list[tuple[int | None, int | None]]:
    """Rows of a differing stretch that are one row edited, and those only one side has.

    Equal stretches pair by position (a row edited in place); otherwise the most alike rows
    pair first (most cells equal, at least half), as difflib pairs lines of a changed block.
    """
    if len(olds) == len(news) or len(olds) * len(news) > 2_500:
        pairs: list[tuple[int | None, int | None]] = []
        for k in range(max(len(olds), len(news))):
            i, j = (olds[k] if k < len(olds) else None), (news[k] if k < len(news) else None)
            if i is not None and j is not None and not _alike(old[i], new[j]):
                pairs += [(i, None), (None, j)]
            else:
                pairs.append((i, j))
        return pairs
    best, best_score = None, 0
    for i in olds:
        for j in news:
            score = _same_cells(old[i], new[j])
            if score > best_score and _alike(old[i], new[j]):
                best, best_score = (i, j), score
    if best is None:
        return [*((i, None) for i in olds), *((None, j) for j in news)]
    i, j = best
    return [*_pair_rows(old, new, range(olds.start, i), range(news.start, j)), (i, j),
            *_pair_rows(old, new, range(i + 1, olds.stop), range(j + 1, news.stop))]


def _same_cells(a: tuple, b: tuple) -> int:
    return sum(x == y for x, y in zip(a, b, strict=True))


def _alike(a: tuple, b: tuple) -> bool:
    """One row edited rather than one removed and another added: at least half its cells stay."""
    return 2 * _same_cells(a, b) >= len(a)


def _cell_changes(file: str, old_row: int, row: int, columns: Sequence[str], old: tuple, new: tuple,
                  own: Mapping[str, str]) -> Iterator[CellChange]:
    for column, before, after in zip(columns, old, new, strict=True):
        if before == after:
            continue
        if column == AMOUNT:
            words, before, after = _amount_words(own, before, after)
            yield CellChange(file, row, old_row, words, yuan_text(before), yuan_text(after))
        else:
            yield CellChange(file, row, old_row, _words(own, column), _value_text(column, before), _value_text(column, after))


def _amount_words(own: Mapping[str, str], old_fen: int, new_fen: int) -> tuple[str, int, int]:
    """The column an amount change is seen in: a ledger amount is debit − credit, so a line on
    the credit side changed its 贷方 cell (shown as the file shows it, positive)."""
    debit, credit = own.get("debit"), own.get("credit")
    if debit and credit and debit != credit:
        if old_fen <= 0 and new_fen <= 0:
            return credit, -old_fen, -new_fen
        if old_fen < 0 or new_fen < 0:
            return f"{debit}−{credit}", old_fen, new_fen
    return debit or own.get("amount") or COLUMN_LABELS_ZH[AMOUNT], old_fen, new_fen


def _words(own: Mapping[str, str], column: str) -> str:
    return _source_words(own, column) or COLUMN_LABELS_ZH.get(column, column)


def _value_text(column: str, value: str) -> str:
    value = _VALUE_WORDS.get(column, {}).get(value, value)
    if not value:
        return "（空）"
    return value if len(value) <= _LONGEST_VALUE else value[:_LONGEST_VALUE] + "…"


def _row_words(columns: Sequence[str], cells: tuple, own: Mapping[str, str]) -> str:
    values = dict(zip(columns, cells, strict=True))
    said = [f"{_words(own, name)} {_value_text(name, values[name])}" for name in _ROW_WORDS if values.get(name)]
    if AMOUNT in values:
        words, _, fen = _amount_words(own, values[AMOUNT], values[AMOUNT])
        said.append(f"{words} {yuan_text(fen)}")
    return "，".join(said)


def yuan_text(fen: int) -> str:
    """Fen as yuan with two decimals and thousands separators, exactly: 125000 -> 1,250.00."""
    return f"{Decimal(int(fen)) / 100:,.2f}"
