"""workpaper.xlsx: every printed figure; the amounts also with formula, exact fen and source rows."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from flows.domain.figures import FigureKind, FigureRegistry
from flows.domain.lineage import Figure, Rate
from flows.domain.report_context import visible_control_characters

_FORMULA_START = ("=", "+", "-", "@")
_KIND_NAMES = {FigureKind.MONEY: "金额（万元）", FigureKind.PERCENT: "比率", FigureKind.COUNT: "数量",
               FigureKind.POINTS: "分值", FigureKind.MEASURE: "指标值"}


def _append(sheet, values: Sequence[object]) -> None:
    # Text from the ledger that looks like a formula stays text (no formula injection).
    cells = []
    for value in values:
        if isinstance(value, str):
            value = visible_control_characters(value)    # XML cannot hold them; show them as ␇ …
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)


def source_rows(figures: Sequence[Figure]) -> list[tuple[str, str, int, int]]:
    """Each source row once, with every figure it feeds ("F01、F03"): a ledger row feeds many
    figures (全年执行数, 基本支出, 公用经费, …), and one line per row keeps a unit's workpaper
    a few thousand lines instead of a hundred thousand (filter the 指标编号 column for one figure)."""
    frames = [f.sources.assign(figure_id=f.figure_id) for f in figures if len(f.sources)]
    if not frames:
        return []
    merged = (pd.concat(frames, ignore_index=True)
              .groupby(["source_file", "source_row", "amount_fen"], sort=True)["figure_id"].agg("、".join)
              .reset_index())
    # Whole columns to Python at once: row-by-row access to Arrow-backed frames is slow.
    return list(zip(merged["figure_id"].tolist(), merged["source_file"].tolist(),
                    merged["source_row"].astype("int64").tolist(), merged["amount_fen"].astype("int64").tolist(), strict=True))


def workpaper_xlsx(registry: FigureRegistry, figures: Sequence[Figure], rates: Sequence[Rate],
                   definitions: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """Sheets 报告数据 (every printed figure of the registry, with the 指标编号 of its source rows
    where lineage knows them), 指标 (figure, formula, exact fen, printed), 比率, 来源行
    (the rows behind each figure) and 口径 (each definition of the attached tables, with its source)."""
    book = Workbook(write_only=True)
    printed = book.create_sheet("报告数据")
    _append(printed, ["键", "名称", "类型", "精确值（分）", "报告值", "指标编号"])
    lineage_ids: dict[str, list[str]] = {}
    for f in figures:
        for key in f.keys:
            lineage_ids.setdefault(key, []).append(f.figure_id)
    for figure in registry:
        _append(printed, [figure.key, figure.label, _KIND_NAMES[figure.kind], figure.fen, figure.printed,
                          "、".join(lineage_ids.get(figure.key, []))])
    summary = book.create_sheet("指标")
    _append(summary, ["指标编号", "名称", "计算公式", "精确值（分）", "报告值（万元）", "来源行数"])
    for f in figures:
        _append(summary, [f.figure_id, f.name, f.formula, f.fen, f.printed, len(f.sources)])
    ratio_sheet = book.create_sheet("比率")
    _append(ratio_sheet, ["名称", "分子", "分母", "报告值"])
    for r in rates:
        _append(ratio_sheet, [r.name, r.numerator, r.denominator, r.printed])
    rows = book.create_sheet("来源行")
    _append(rows, ["指标编号", "文件", "行号", "金额（分）"])
    for figure_ids, source_file, source_row, amount in source_rows(figures):
        _append(rows, [figure_ids, source_file, source_row, amount])
    if definitions:
        sheet = book.create_sheet("口径")
        _append(sheet, ["口径", "定义", "依据"])
        for row in definitions:
            _append(sheet, list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
