"""部门决算 财决01 收入支出决算总表, as the 决算 software prints it → declared control totals.

The printed sheet has a title band, a two-sided header (收入 | 支出, each
`项目, 行次, 年初预算数, 全年预算数, 决算数`) and a 栏次 row numbering the amount columns
across both sides. Cells are found the way the form itself defines them: rows by 行次, columns
by 栏次, so an extra title line or a shifted column does not move a figure. Which (行次, 栏次)
holds which figure is configuration (config/final_accounts.yaml), since the form changes by year.

Pure: an adapter picks the sheet (by `sheet_prefix`) and reads its cells.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

import pandas as pd
from pydantic import Field, StringConstraints, field_validator

from flows.domain.config_schema import ConfigModel, validated
from flows.domain.control_totals import DECLARED_COLUMNS
from flows.domain.errors import AmountError, ConfigError, InputError
from flows.domain.money import parse_yuan_to_fen
from flows.domain.reconciliation import CONTROL_FIGURES
from flows.domain.tables import RawTable, normalise_header

_LANCI = "栏次"
_HANGCI = "行次"
CONFIG_FILE = "config/final_accounts.yaml"
_CONFIG = "决算表配置"


class LayoutError(ConfigError, ValueError):
    """The 决算 layout configuration is malformed: a ConfigError (exit code 4, never read as a
    problem of the user's data), and a ValueError for callers that validate plain mappings."""


@dataclass(frozen=True, slots=True)
class FinalAccountsLayout:
    """Where each declared figure sits: figure name (a CONTROL_FIGURES key) -> (行次, 栏次)."""

    figures: Mapping[str, tuple[int, int]]
    sheet_prefix: str          # the sheet's name starts with it, e.g. "Z01"


PositiveNumber = Annotated[int, Field(strict=True, ge=1)]   # strict: `行次: "56"` or `行次: yes` is a typo, not a row


class FigureCell(ConfigModel):
    row: PositiveNumber = Field(alias=_HANGCI)
    column: PositiveNumber = Field(alias=_LANCI)


class FinalAccountsConfig(ConfigModel):
    """config/final_accounts.yaml."""

    sheet_prefix: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    figures: dict[str, FigureCell] = Field(min_length=1)

    @field_validator("figures")
    @classmethod
    def _comparable_figures(cls, figures: dict[str, FigureCell]) -> dict[str, FigureCell]:
        unknown = [name for name in figures if name not in CONTROL_FIGURES]
        if unknown:
            raise ValueError(f"口径「{'、'.join(unknown)}」无法与账簿核对，可用：{'、'.join(CONTROL_FIGURES)}")
        return figures


def layout_from_config(data: object, source: str = CONFIG_FILE) -> FinalAccountsLayout:
    """Validate the YAML mapping `{sheet_prefix: "Z01", figures: {支出合计: {行次: 56, 栏次: 6}, …}}`.

    Raises:
        LayoutError (a ValueError and a ConfigError): the configuration is malformed, naming the bad key.
    """
    config = validated(FinalAccountsConfig, data, source, error=LayoutError)
    return FinalAccountsLayout(figures={name: (cell.row, cell.column) for name, cell in config.figures.items()},
                               sheet_prefix=config.sheet_prefix)


def _check_figure_name(name: object, source: str) -> None:
    if name not in CONTROL_FIGURES:
        raise LayoutError(f"{_CONFIG} figures 中的口径「{name}」无法与账簿核对，可用：{'、'.join(CONTROL_FIGURES)}", file=source)


def sheet_matches(sheet_name: str, layout: FinalAccountsLayout) -> bool:
    """The sheet the layout describes ("Z01 收入支出决算总表(财决01表)" for prefix "Z01")."""
    return normalise_header(sheet_name).upper().startswith(normalise_header(layout.sheet_prefix).upper())


def is_final_accounts_sheet(table: RawTable) -> bool:
    """A printed 决算 form: a 栏次 row, with at least one 行次 header cell above it."""
    lanci = _find_lanci_row(table.rows)
    return lanci is not None and bool(_hangci_columns(table.rows[:lanci]))


def parse_final_accounts(table: RawTable, layout: FinalAccountsLayout, unit_code: str) -> pd.DataFrame:
    """The layout's figures read from one printed 财决01 sheet, as declared control totals.

    A figure's amount is the cell in the column numbered by its 栏次, on the row whose 行次
    (on the side of the form that holds that 栏次) equals its 行次.

    Returns:
        a frame with DECLARED_COLUMNS (unit_code, figure, amount_fen, source_file, source_row).

    Raises:
        LayoutError (a ValueError and a ConfigError): the layout names a figure we cannot compare.
        InputError: no 栏次 row or 行次 column, a configured 行次/栏次 is not in the sheet, an amount is unreadable.
    """
    for name in layout.figures:
        _check_figure_name(name, CONFIG_FILE)
    rows = list(table.rows)
    lanci_index = _find_lanci_row(rows)
    if lanci_index is None:
        raise InputError("找不到「栏次」行，无法按栏次定位金额列（请确认这是决算软件导出的财决01表）", file=table.file)
    lanci_row_no, lanci_cells = rows[lanci_index]
    header = rows[:lanci_index]
    columns = _lanci_columns(table.file, lanci_row_no, lanci_cells)
    hangci_cols = _hangci_columns(header)
    if not hangci_cols:
        raise InputError("「栏次」行以上的表头中找不到「行次」列，无法按行次定位数据行", file=table.file, row=lanci_row_no)
    data = rows[lanci_index + 1:]
    by_side = {side: _hangci_rows(table.file, side, data) for side in hangci_cols}
    available = "、".join(str(n) for n in sorted(columns))

    out = []
    for figure, (hangci, lanci) in layout.figures.items():
        column = columns.get(lanci)
        if column is None:
            raise InputError(
                f"配置的口径「{figure}」位于行次 {hangci}、栏次 {lanci}，但表中没有栏次 {lanci}（表中栏次：{available}）",
                file=table.file, row=lanci_row_no, column=_LANCI,
            )
        sides = [side for side in hangci_cols if side < column]
        if not sides:
            raise InputError(f"栏次 {lanci} 所在列左侧没有「行次」列，无法确定它属于收入方还是支出方",
                             file=table.file, row=lanci_row_no, column=_LANCI)
        side = sides[-1]       # each side reads 项目, 行次, amounts…: the nearest 行次 to the left owns the column
        found = by_side[side].get(hangci)
        if found is None:
            raise InputError(
                f"配置的口径「{figure}」位于行次 {hangci}、栏次 {lanci}，但栏次 {lanci} 所在一侧没有行次 {hangci}",
                file=table.file, column=_HANGCI,
            )
        row_no, cells = found
        text = cells[column].strip() if column < len(cells) else ""
        try:
            # Blank or a dash counts as 0 here: the 决算 software prints a zero figure (and a cell that
            # does not apply) that way. Elsewhere a blank amount may mean missing data; on this form it does not.
            amount = parse_yuan_to_fen(text)
        except AmountError as error:
            raise InputError(str(error), file=table.file, row=row_no, column=_column_title(header, column, lanci)) from None
        out.append((unit_code, figure, amount, table.file, row_no))
    frame = pd.DataFrame(out, columns=list(DECLARED_COLUMNS))
    return frame.astype({"unit_code": "str", "figure": "str", "amount_fen": "int64", "source_file": "str", "source_row": "int64"})


def _find_lanci_row(rows: Sequence[tuple[int, Sequence[str]]]) -> int | None:
    for index, (_, cells) in enumerate(rows):
        if any(normalise_header(cell) == _LANCI for cell in cells):
            return index
    return None


def _hangci_columns(header: Sequence[tuple[int, Sequence[str]]]) -> list[int]:
    """Indices of header cells named 行次 (one per side of the form), left to right."""
    return sorted({index for _, cells in header for index, cell in enumerate(cells) if normalise_header(cell) == _HANGCI})


def _number(text: str) -> int | None:
    """A printed 行次/栏次 number ("56", "56.0" from a numeric cell, full-width "５６"); None otherwise."""
    cleaned = unicodedata.normalize("NFKC", text).strip().removesuffix(".0")
    return int(cleaned) if cleaned.isdigit() else None


def _lanci_columns(file: str, row_no: int, cells: Sequence[str]) -> dict[int, int]:
    """栏次 number -> column index."""
    columns: dict[int, int] = {}
    for index, cell in enumerate(cells):
        number = _number(cell)
        if number is None:
            continue
        if number in columns:
            raise InputError(f"栏次 {number} 在「栏次」行中出现了两次，无法确定金额列", file=file, row=row_no, column=_LANCI)
        columns[number] = index
    return columns


def _hangci_rows(file: str, side: int, data: Sequence[tuple[int, Sequence[str]]]) -> dict[int, tuple[int, Sequence[str]]]:
    """行次 number in column `side` -> (row number, cells), for the data rows below the 栏次 row."""
    found: dict[int, tuple[int, Sequence[str]]] = {}
    for row_no, cells in data:
        number = _number(cells[side]) if side < len(cells) else None
        if number is None:
            continue
        if number in found:
            raise InputError(f"行次 {number} 出现了两次（第 {found[number][0]} 行与第 {row_no} 行），无法确定数据行",
                             file=file, row=row_no, column=_HANGCI)
        found[number] = (row_no, cells)
    return found


def _column_title(header: Sequence[tuple[int, Sequence[str]]], column: int, lanci: int) -> str:
    """The lowest header text above an amount column (e.g. 决算数), for messages."""
    for _, cells in reversed(header):
        if column < len(cells) and cells[column].strip():
            return cells[column].strip()
    return f"第 {lanci} 栏"
