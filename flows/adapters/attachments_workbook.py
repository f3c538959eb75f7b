"""attachments.xlsx: the attached tables as the report draws them, with numeric cells, for upload or pasting."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from flows.domain.attached_tables import DrawnTable, TableCell
from flows.domain.figures import FigureKind, FigureRegistry, PrintedFigure
from flows.domain.report_context import visible_control_characters

_FORMULA_START = ("=", "+", "-", "@")
# Excel reads _x0041_ in a cell's text as an escaped "A"; its own escape for the underscore keeps the text as typed.
_ESCAPE_LOOKALIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_GRID_WIDTH = 110        # characters across a table, spread over its grid columns
_LINE_HEIGHT = 15.0      # points per line of wrapped text
_TITLE_HEIGHT = 24.0
_MAX_ROW_HEIGHT = 409.0  # the most a spreadsheet row can be, in points


def attachments_xlsx(tables: Sequence[DrawnTable], figures: FigureRegistry) -> bytes:
    """One sheet per attachment (附件1, 附件2 …): the same rows and merged cells as the .docx; amounts,
    rates and points as numbers formatted as printed (万元 with two decimals, 79.17 %); A4 portrait, fit to width."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(f"附件{table.number}")
        _sheet(sheet, table, figures)
        _print_setup(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(slots=True)
class _Placed:
    """A drawn cell that shows, on the table's grid (0-based): vertical continuations folded into it."""

    cell: TableCell
    row: int
    column: int
    rows: int = 1


def _placed_cells(table: DrawnTable) -> list[_Placed]:
    """Every cell that shows, with the rows it spans. A cell drawn over a vertical merge ends that merge."""
    placed: list[_Placed] = []
    open_merges: dict[int, _Placed] = {}         # start column → the vertical merge still open there
    for r, row in enumerate(table.rows):
        column = 0
        for cell in row:
            above = open_merges.get(column)
            if cell.merge == "continue" and above is not None and above.cell.span == cell.span:
                above.rows += 1
            else:
                for start in [s for s, m in open_merges.items() if s < column + cell.span and column < s + m.cell.span]:
                    del open_merges[start]
                placed.append(_Placed(cell, r, column))
                if cell.merge == "restart":
                    open_merges[column] = placed[-1]
            column += cell.span
    return placed


def _sheet(sheet: Worksheet, table: DrawnTable, figures: FigureRegistry) -> None:
    width = _GRID_WIDTH / table.grid
    for column in range(1, table.grid + 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    _banner(sheet, 1, table.grid, table.title, Font(bold=True, size=14), "center")
    sheet.row_dimensions[1].height = _TITLE_HEIGHT
    first = 2
    if table.unit_note:
        _banner(sheet, 2, table.grid, table.unit_note, Font(), "right")
        first = 3
    lines: dict[int, int] = {}
    for p in _placed_cells(table):
        r, c = first + p.row, 1 + p.column
        _write(sheet.cell(r, c), p.cell, figures)
        if p.rows > 1 or p.cell.span > 1:
            sheet.merge_cells(start_row=r, start_column=c, end_row=r + p.rows - 1, end_column=c + p.cell.span - 1)
        if p.rows == 1:
            lines[r] = max(lines.get(r, 1), _lines(p.cell.text, p.cell.span * width))
    for r in range(first, first + len(table.rows)):
        for c in range(1, table.grid + 1):
            sheet.cell(r, c).border = _BORDER     # every cell of a merged area, so Excel frames the whole area
        if lines.get(r, 1) > 1:
            sheet.row_dimensions[r].height = min(lines[r] * _LINE_HEIGHT, _MAX_ROW_HEIGHT)


def _banner(sheet: Worksheet, r: int, grid: int, text: str, font: Font, horizontal: str) -> None:
    sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=grid)
    target = sheet.cell(r, 1)
    _set_text(target, text)
    target.font = font
    target.alignment = Alignment(horizontal=horizontal, vertical="center")


def _print_setup(sheet: Worksheet) -> None:
    """A4 portrait, every column on the page's width, as many pages down as it takes; no repeated rows."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = Worksheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)


def _lines(text: str, width: float) -> int:
    """Lines the text wraps to in a cell `width` characters wide (CJK characters count two)."""
    room = max(width - 1, 1)
    return sum(max(1, math.ceil(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) / room))
               for line in text.split("\n"))


def _write(target: Cell, cell: TableCell, figures: FigureRegistry) -> None:
    number = _number(figures[cell.figure]) if cell.figure and cell.figure in figures else None
    if number is not None:
        target.value, target.number_format = number
    else:
        _set_text(target, cell.text)
    target.alignment = Alignment(horizontal="center" if cell.style in ("header", "number") else "left",
                                 vertical="center", wrap_text=True)
    if cell.style == "header":
        target.font = Font(bold=True)


def _set_text(target: Cell, text: str) -> None:
    """Text as typed: control characters shown, never a formula, never read as an escape."""
    shown = _ESCAPE_LOOKALIKE.sub("_x005F_", visible_control_characters(text))
    target.value = shown
    if shown.startswith(_FORMULA_START):
        target.data_type = "s"         # text that looks like a formula stays text
        target.quotePrefix = True      # and stays text when someone edits the cell


def _number(figure: PrintedFigure) -> tuple[Decimal | int, str] | None:
    """The printed figure as a number and the format that prints it the same; None for text (—)."""
    printed = figure.printed
    try:
        if figure.kind is FigureKind.MONEY and figure.fen is not None:
            # The exact amount; a negative one that rounds to zero prints -0.00, as the report does.
            return Decimal(figure.fen) / 1_000_000, "0.00;-0.00"
        if figure.kind is FigureKind.PERCENT and printed.endswith("%"):
            digits = printed.removesuffix("%")
            value = Decimal(digits) / 100
            if value == 0 and digits.startswith("-"):
                return None            # -0.00%: no number prints a sign on zero
            places, plus = _places(digits), '"+"' if digits.startswith("+") else ""
            return value, f"{plus}{places}%;-{places}%;{plus}{places}%"
        if figure.kind is FigureKind.POINTS:
            return Decimal(printed), _places(printed)
        if figure.kind is FigureKind.COUNT:
            return int(printed), "0"
    except (InvalidOperation, ValueError):
        return None
    return None


def _places(digits: str) -> str:
    """The number format that prints as many decimals as `digits` has: 0.00 for 79.17."""
    decimals = len(digits.partition(".")[2])
    return "0." + "0" * decimals if decimals else "0"
