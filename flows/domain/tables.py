"""Raw tables as read from export files, and the declared header mapping applied to them.

Pure: an adapter reads the bytes; this module only looks at cells (all strings).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flows.domain.errors import InputError


@dataclass(frozen=True, slots=True)
class RawTable:
    """Cells of one sheet or CSV file, as strings, with the row numbers a user sees."""

    file: str                      # file name as shown to users (relative to the data folder)
    rows: Sequence[tuple[int, Sequence[str]]]   # (1-based row number, cells)
    sheet: str = ""                # the workbook sheet it came from (empty for CSV)
    hidden: bool = False           # a hidden (or very hidden) workbook sheet


@dataclass(frozen=True, slots=True)
class MappedTable:
    """A table whose header row was found and mapped to canonical column names."""

    file: str
    header_row: int
    columns: Mapping[str, int]     # canonical name -> cell index
    rows: Sequence[tuple[int, Sequence[str]]]   # data rows below the header
    profile: str = ""              # the export profile that mapped it
    headers: Mapping[str, str] = field(default_factory=dict)   # canonical name -> the file's own header words

    def label(self, name: str, default: str = "") -> str:
        """The file's own words for canonical column `name` (for messages)."""
        return self.headers.get(name) or default or name


def normalise_header(text: str) -> str:
    """Header cells vary in spacing and bracket width; compare them without either."""
    return (
        text.strip()
        .replace(" ", "")
        .replace("\u3000", "")
        .replace("(", "（")
        .replace(")", "）")
        .replace("*", "")
    )


def map_headers(
    table: RawTable,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    search_rows: int,
) -> MappedTable:
    """Find the header row and map it to canonical columns by the declared aliases.

    The header row is the first of the first `search_rows` rows that carries every
    required column; exports often put a title or unit line above it.

    Raises:
        InputError: no row carries every required column, or a column is ambiguous.
    """
    if not table.rows:
        raise InputError("文件为空，没有表头和数据", file=table.file)
    lookup = {normalise_header(alias): name for name, names in aliases.items() for alias in names}
    row_no, cells, columns, missing = find_header(table, aliases, required, search_rows)
    if not missing:
        seen: dict[str, int] = {}
        for index, cell in enumerate(cells):
            name = lookup.get(normalise_header(cell))
            if name is not None and name in seen:
                raise InputError(
                    f"表头中有两列都对应「{name}」（{cells[seen[name]]} 与 {cell}），无法确定使用哪一列",
                    file=table.file, row=row_no, column=cell,
                )
            if name is not None:
                seen[name] = index
        data = [(n, c) for n, c in table.rows if n > row_no]
        headers = {name: cells[index].strip() for name, index in columns.items()}
        return MappedTable(file=table.file, header_row=row_no, columns=columns, rows=data, headers=headers)
    expected = "、".join(f"{name}（{' / '.join(aliases[name])}）" for name in missing)
    raise InputError(f"缺少必需的列：{expected}", file=table.file, column=missing[0])


def find_header(
    table: RawTable, aliases: Mapping[str, Sequence[str]], required: Sequence[str], search_rows: int,
) -> tuple[int, Sequence[str], dict[str, int], list[str]]:
    """The candidate header row that maps best: (row number, its cells, canonical name ->
    index, required names it lacks). The first row lacking nothing wins; otherwise the
    one lacking least."""
    rank = {normalise_header(alias): (name, order) for name, names in aliases.items()
            for order, alias in enumerate(names)}
    best: tuple[int, Sequence[str], dict[str, int], list[str]] | None = None
    for row_no, cells in _header_candidates(table.rows[:search_rows]):
        columns: dict[str, int] = {}
        chosen: dict[str, int] = {}
        for index, cell in enumerate(cells):
            name, order = rank.get(normalise_header(cell), (None, 0))
            # Two headers for one column: the alias declared first wins (辅助全称 over 辅助名称).
            if name is not None and order < chosen.get(name, len(aliases[name])):
                columns[name], chosen[name] = index, order
        missing = [name for name in required if name not in columns]
        if not missing:
            return row_no, cells, columns, missing
        if best is None or (len(missing), -len(columns)) < (len(best[3]), -len(best[2])):
            best = (row_no, cells, columns, missing)
    return best if best is not None else (0, [], {}, list(required))


def _header_candidates(rows: Sequence[tuple[int, Sequence[str]]]):
    """Each row as a header, and each pair of rows as one header (a merged cell such as
    「金额」 above 「借方 | 贷方」: the lower cell names the column where it is filled)."""
    for index, (row_no, cells) in enumerate(rows):
        yield row_no, cells
        if index + 1 < len(rows):
            lower_no, lower = rows[index + 1]
            width = max(len(cells), len(lower))
            merged = [
                (lower[i] if i < len(lower) and lower[i].strip() else (cells[i] if i < len(cells) else ""))
                for i in range(width)
            ]
            yield lower_no, merged


def split_code_name(cell: str) -> tuple[str, str]:
    """Split a cell that holds code and name together ("30201 办公费", "30201-办公费").

    A cell with only a code returns an empty name; a cell with only a name returns it as
    the name with an empty code.
    """
    text = cell.strip().replace("\u3000", " ")
    if not text:
        return "", ""
    for separator in (" ", "-", "－", "|", "_"):
        head, sep, tail = text.partition(separator)
        if sep and head and _looks_like_code(head):
            return head, tail.strip(" -－|_")
    if _looks_like_code(text):
        return text, ""
    return "", text


def _looks_like_code(text: str) -> bool:
    return text.isascii() and text.replace(".", "").isalnum() and any(ch.isdigit() for ch in text)
