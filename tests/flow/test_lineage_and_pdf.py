"""Every figure the report prints can be re-added from the workpaper's source rows; --pdf adds a PDF."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest
from openpyxl import load_workbook

from flows.adapters.pdf import pdf_fonts, pdf_page_count
from flows.domain.money import format_wan
from tests.conftest import SAMPLE_UNIT, docx_text_via_libreoffice

pytestmark = pytest.mark.slow


MONEY_HEADERS = ("金额", "预算数", "执行数", "决算数", "上年数")


def _table_amounts(path) -> set[str]:
    """Amounts in the report's money columns (headers naming 金额/预算数/执行数/决算数/上年数)."""
    import docx

    amounts = set()
    for table in docx.Document(str(path)).tables:
        header = [cell.text for cell in table.rows[0].cells]
        columns = [i for i, text in enumerate(header) if text.endswith(MONEY_HEADERS)]
        for row in table.rows[1:]:
            for i in columns:
                text = row.cells[i].text.strip()
                if text and text != "—":
                    amounts.add(text)
    return amounts


def test_workpaper_recomputes_every_printed_figure(run_cli, data_copy, tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", "--data", str(data_copy), "--out", str(out), "--pdf")
    assert result.code == 0, result.output
    version = out / "2024" / SAMPLE_UNIT / "v1"
    text = docx_text_via_libreoffice(version / "report.docx")
    flat = "".join(text.split())

    book = load_workbook(io.BytesIO((version / "workpaper.xlsx").read_bytes()), read_only=True)
    sums: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for figure_ids, source_file, source_row, amount in list(book["来源行"].iter_rows(values_only=True))[1:]:
        assert (data_copy / source_file).exists() and source_row >= 2
        for figure_id in figure_ids.split("、"):
            sums[figure_id] += amount
            counts[figure_id] += 1
    figures = list(book["指标"].iter_rows(values_only=True))[1:]
    assert len(figures) >= 30
    for figure_id, name, _formula, fen, printed, rows in figures:
        assert sums[figure_id] == fen and counts[figure_id] == rows, name      # re-added from source rows
        assert format_wan(fen) == printed, name                               # printed = rounded half up
        assert printed in flat, f"{name} {printed} is not printed in the report"
    for name, _numerator, _denominator, printed in list(book["比率"].iter_rows(values_only=True))[1:]:
        assert printed in flat, name

    # The other direction: every amount in the report's tables has a figure in the workpaper.
    printed_amounts = {str(row[4]) for row in figures}
    for amount in _table_amounts(version / "report.docx"):
        assert amount in printed_amounts, f"{amount} is printed but has no lineage"

    pdf = (version / "report.pdf").read_bytes()
    assert 5 <= pdf_page_count(pdf) <= 30
    fonts = pdf_fonts(pdf)
    assert any("CJK" in line or "SC" in line for line in fonts) and all(" yes " in line for line in fonts)
