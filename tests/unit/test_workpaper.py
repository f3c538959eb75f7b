"""workpaper.xlsx as a reader gets it: source rows once each, numbers as numbers, ledger text as text."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from openpyxl import load_workbook

from flows.adapters.workpaper import source_rows, workpaper_xlsx
from flows.domain.figures import FigureRegistry
from flows.domain.lineage import Figure, Rate


def _figure(figure_id: str, rows: list[tuple[str, int, int]], name: str = "全年执行数") -> Figure:
    sources = pd.DataFrame(rows, columns=["source_file", "source_row", "amount_fen"])
    fen = int(sources["amount_fen"].sum())
    return Figure(figure_id, (f"key.{figure_id}",), name, "借方合计", fen, f"{fen / 1_000_000:.2f}", sources)


def test_each_source_row_once_with_every_figure_it_feeds_in_figure_order():
    figures = [
        _figure("F001", [("b.csv", 3, 100), ("a.csv", 7, 250), ("a.csv", 2, 50)]),
        _figure("F002", []),
        _figure("F003", [("a.csv", 7, 250), ("b.csv", 3, 100)]),
        _figure("F004", [("a.csv", 7, 250), ("a.csv", 7, 90)]),      # same row, another amount: its own line
    ]
    assert source_rows(figures) == [
        ("F001", "a.csv", 2, 50), ("F004", "a.csv", 7, 90), ("F001、F003、F004", "a.csv", 7, 250),
        ("F001、F003", "b.csv", 3, 100),
    ]
    assert source_rows([_figure("F001", [])]) == []


def test_numbers_stay_numbers_and_ledger_text_stays_text():
    registry = FigureRegistry()
    registry.money("actual", "全年执行数", 1_234_567)
    registry.money("missing", "未知金额", None)
    formula = '=HYPERLINK("http://example.com","x")'
    figures = [_figure("F001", [("2024/ledger/1.csv", 2, 1_234_567)], name=formula + "\x07")]
    book_bytes = workpaper_xlsx(registry, figures, [Rate("执行率", "F001", "F002", "-3.00%")],
                                [("项目支出", "+基本支出以外", "说明")])
    book = load_workbook(io.BytesIO(book_bytes), read_only=True)
    assert book.sheetnames == ["报告数据", "指标", "比率", "来源行", "口径"]
    printed = list(book["报告数据"].iter_rows(values_only=True))
    assert printed[1][:5] == ("actual", "全年执行数", "金额（万元）", 1_234_567, registry.text("actual"))
    assert printed[2][3] is None                                       # no exact amount: an empty cell
    assert list(book["指标"].iter_rows(values_only=True))[1][1] == formula + "␇"   # shown, not dropped
    assert list(book["来源行"].iter_rows(values_only=True))[1] == ("F001", "2024/ledger/1.csv", 2, 1_234_567)
    assert list(book["比率"].iter_rows(values_only=True))[1][3] == "-3.00%"
    # No cell is a formula: text that looks like one is a string cell.
    with zipfile.ZipFile(io.BytesIO(book_bytes)) as package:
        sheets = [package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and all(b"<f>" not in xml and b"<f " not in xml for xml in sheets)
