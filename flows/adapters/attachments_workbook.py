"""attachments.xlsx: the attached tables as the report draws them, with numeric cells, for upload or pasting."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from flows.domain.attached_tables import DrawnTable, TableCell
from flows.domain.figures import FigureKind, FigureRegistry, PrintedFigure
from flows.domain.report_context import visible_control_characters

_FORMULA_START = ("=", "+", "-", "@")
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_GRID_WIDTH = 110        # characters across a table, spread over its grid columns


def attachments_xlsx(tables: Sequence[DrawnTable], figures: FigureRegistry) -> bytes:
    """One sheet per attachment (附件1, 附件2 …): the same rows and merged cells as the .docx; amounts,
    rates and points as numbers formatted as printed (万元 with two decimals, 79.17 %)."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        _sheet(book.create_sheet(f"附件{table.number}"), table, figures)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(sheet, table: DrawnTable, figures: FigureRegistry) -> None:
    for column in range(1, table.grid + 1):
        sheet.column_dimensions[get_column_letter(column)].width = _GRID_WIDTH / table.grid
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=table.grid)
    sheet.cell(1, 1, visible_control_characters(table.title)).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    first = 2
    if table.unit_note:
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=table.grid)
        sheet.cell(2, 1, table.unit_note).alignment = Alignment(horizontal="right")
        first = 3
    open_merges: dict[int, tuple[int, int]] = {}     # start column → (first row, span) of a vertical merge
    for offset, row in enumerate(table.rows):
        r, column = first + offset, 1
        for cell in row:
            if cell.merge == "continue" and column in open_merges:
                column += cell.span
                continue
            if column in open_merges:
                _close(sheet, column, open_merges.pop(column), r - 1)
            _write(sheet, r, column, cell, figures)
            if cell.merge == "restart":
                open_merges[column] = (r, cell.span)
            elif cell.span > 1:
                sheet.merge_cells(start_row=r, start_column=column, end_row=r, end_column=column + cell.span - 1)
            for c in range(column, column + cell.span):
                sheet.cell(r, c).border = _BORDER
            column += cell.span
    last = first + len(table.rows) - 1
    for column, opened in open_merges.items():
        _close(sheet, column, opened, last)


def _close(sheet, column: int, opened: tuple[int, int], last_row: int) -> None:
    first_row, span = opened
    for r in range(first_row, last_row + 1):
        for c in range(column, column + span):
            sheet.cell(r, c).border = _BORDER
    if last_row > first_row or span > 1:
        sheet.merge_cells(start_row=first_row, start_column=column, end_row=last_row, end_column=column + span - 1)


def _write(sheet, r: int, column: int, cell: TableCell, figures: FigureRegistry) -> None:
    target = sheet.cell(r, column)
    number = _number(figures[cell.figure]) if cell.figure and cell.figure in figures else None
    if number is not None:
        target.value, target.number_format = number
    else:
        text = visible_control_characters(cell.text)
        target.value = text
        if text.startswith(_FORMULA_START):
            target.data_type = "s"     # text that looks like a formula stays text
    target.alignment = Alignment(horizontal="center" if cell.style in ("header", "number") else "left",
                                 vertical="center", wrap_text=True)
    if cell.style == "header":
        target.font = Font(bold=True)


def _number(figure: PrintedFigure) -> tuple[object, str] | None:
    """The printed figure as a number and the format that prints it the same; None for text (—)."""
    printed = figure.printed
    try:
        if figure.kind is FigureKind.MONEY and figure.fen is not None:
            return Decimal(figure.fen) / 1_000_000, "0.00"
        if figure.kind is FigureKind.PERCENT and printed.endswith("%"):
            digits = printed.rstrip("%").lstrip("+")
            places = len(digits.partition(".")[2])
            return Decimal(printed.rstrip("%")) / 100, "0." + "0" * places + "%" if places else "0%"
        if figure.kind is FigureKind.POINTS:
            return Decimal(printed), "0.00"
        if figure.kind is FigureKind.COUNT:
            return int(printed), "0"
    except (InvalidOperation, ValueError):
        return None
    return None
