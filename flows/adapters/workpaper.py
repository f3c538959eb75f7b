"""workpaper.xlsx: every printed figure; the amounts also with formula, exact fen and source rows.

Written with XlsxWriter: a large unit's 来源行 sheet holds tens of thousands of cells, and XlsxWriter
writes them at about twice the speed of openpyxl's write-only mode (benchmarks/render_per_unit.py).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from flows.domain.figures import FigureKind, FigureRegistry
from flows.domain.lineage import Figure, Rate
from flows.domain.report_context import visible_control_characters

_KIND_NAMES = {FigureKind.MONEY: "金额（万元）", FigureKind.PERCENT: "比率", FigureKind.COUNT: "数量",
               FigureKind.POINTS: "分值", FigureKind.MEASURE: "指标值"}


class _Sheet:
    """A worksheet filled row by row, each value with its own type: numbers stay numbers, text stays text."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, header: Sequence[str]) -> None:
        self._sheet: Worksheet = book.add_worksheet(name)
        self._row = 0
        # The same file names and figure IDs recur on thousands of source rows: translate each once.
        self._shown: dict[str, str] = {}
        self.append(header)

    def append(self, values: Sequence[object]) -> None:
        sheet, row = self._sheet, self._row
        for column, value in enumerate(values):
            if value is None:
                continue                                  # an empty cell, as openpyxl leaves it
            if isinstance(value, str):
                shown = self._shown.get(value)
                if shown is None:
                    shown = self._shown[value] = visible_control_characters(value)   # XML cannot hold them: ␇ …
                # Always write_string, never write(): write() would turn ledger text such as "=1+1" into a
                # formula (formula injection) and "http…" into a link; a string cell shows the text as typed.
                sheet.write_string(row, column, shown)
            elif isinstance(value, bool):
                sheet.write_boolean(row, column, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, column, value)
            else:
                raise TypeError(f"workpaper cell of unexpected type {type(value).__name__}: {value!r}")
        self._row = row + 1


def source_rows(figures: Sequence[Figure]) -> list[tuple[str, str, int, int]]:
    """Each source row once, with every figure it feeds ("F01、F03"): a ledger row feeds many
    figures (全年执行数, 基本支出, 公用经费, …), and one line per row keeps a unit's workpaper
    a few thousand lines instead of a hundred thousand (filter the 指标编号 column for one figure).
    Sorted by file, row and amount; the figures of a row in their own order."""
    fed = [f for f in figures if len(f.sources)]
    if not fed:
        return []
    # Whole columns at once (a groupby joining strings per group took most of the time at 25,000 rows):
    # sort the (file, row, amount, figure) lines, cut them where the row changes, join each cut's figure IDs.
    files = pd.concat([f.sources["source_file"] for f in fed], ignore_index=True)
    rows = np.concatenate([f.sources["source_row"].to_numpy(dtype="int64") for f in fed])
    amounts = np.concatenate([f.sources["amount_fen"].to_numpy(dtype="int64") for f in fed])
    feeding = np.repeat(np.arange(len(fed)), [len(f.sources) for f in fed])
    file_codes, file_names = pd.factorize(files, sort=True)
    order = np.lexsort((feeding, amounts, rows, file_codes))      # the last key sorts first
    file_codes, rows, amounts, feeding = file_codes[order], rows[order], amounts[order], feeding[order]
    starts = np.flatnonzero(np.concatenate(([True], (file_codes[1:] != file_codes[:-1]) | (rows[1:] != rows[:-1])
                                            | (amounts[1:] != amounts[:-1]))))
    ids = pa.array([f.figure_id for f in fed], pa.string()).take(pa.array(feeding))
    per_row = pa.ListArray.from_arrays(pa.array(np.append(starts, len(order)), pa.int32()), ids)
    joined = pc.binary_join(per_row, "、")
    return list(zip(joined.to_pylist(), np.asarray(file_names, dtype=object)[file_codes[starts]].tolist(),
                    rows[starts].tolist(), amounts[starts].tolist(), strict=True))


def workpaper_xlsx(registry: FigureRegistry, figures: Sequence[Figure], rates: Sequence[Rate],
                   definitions: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """Sheets 报告数据 (every printed figure of the registry, with the 指标编号 of its source rows
    where lineage knows them), 指标 (figure, formula, exact fen, printed), 比率, 来源行
    (the rows behind each figure) and 口径 (each definition of the attached tables, with its source)."""
    buffer = io.BytesIO()
    # in_memory: no temporary files; the whole workbook is a few MB at most.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    printed = _Sheet(book, "报告数据", ["键", "名称", "类型", "精确值（分）", "报告值", "指标编号"])
    lineage_ids: dict[str, list[str]] = {}
    for f in figures:
        for key in f.keys:
            lineage_ids.setdefault(key, []).append(f.figure_id)
    for figure in registry:
        printed.append([figure.key, figure.label, _KIND_NAMES[figure.kind], figure.fen, figure.printed,
                        "、".join(lineage_ids.get(figure.key, []))])
    summary = _Sheet(book, "指标", ["指标编号", "名称", "计算公式", "精确值（分）", "报告值（万元）", "来源行数"])
    for f in figures:
        summary.append([f.figure_id, f.name, f.formula, f.fen, f.printed, len(f.sources)])
    ratio_sheet = _Sheet(book, "比率", ["名称", "分子", "分母", "报告值"])
    for r in rates:
        ratio_sheet.append([r.name, r.numerator, r.denominator, r.printed])
    rows = _Sheet(book, "来源行", ["指标编号", "文件", "行号", "金额（分）"])
    for line in source_rows(figures):
        rows.append(line)
    if definitions:
        sheet = _Sheet(book, "口径", ["口径", "定义", "依据"])
        for definition in definitions:
            sheet.append(definition)
    book.close()
    return buffer.getvalue()
