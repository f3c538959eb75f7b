"""attachments.xlsx holds the report's attached tables as a finance office uploads or pastes them.

The sample department (2024, with 2023) is rendered once, as the render task renders it; each sheet
is read against the .docx table of the same attachment: the same rows, texts and merged cells, the
amounts, rates and points as numbers that print as the report prints them. LibreOffice Calc opens
the workbook, shows those figures and prints each sheet on A4 portrait.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.etree import ElementTree

import docx
import openpyxl
import pytest
from docx.document import Document as WordDocument
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from flows import unit_pipeline
from flows.adapters.attachments_workbook import attachments_xlsx
from flows.adapters.data_folder import read_year_inputs
from flows.adapters.project_files import load_reference
from flows.domain.attached_tables import NO_AMOUNT, DrawnTable, TableCell
from flows.domain.attachments import report_attachments
from flows.domain.figures import FigureKind, FigureRegistry, PrintedFigure
from flows.domain.quality import QualityVerdict
from tests.conftest import ROOT, SAMPLE_UNIT

YEAR = 2024
# One drawn cell as a sheet or the .docx shows it: first grid column (0-based), columns and rows spanned, text.
Shown = tuple[int, int, int, str]


@dataclass(frozen=True)
class Sample:
    tables: tuple[DrawnTable, ...]
    figures: FigureRegistry
    xlsx: bytes
    workbook: openpyxl.Workbook
    document: WordDocument


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Sample:
    """The sample department rendered as the render task renders it, with the tables it drew."""
    work = tmp_path_factory.mktemp("attachments")
    data = ROOT / "data"
    reference, prior_reference = load_reference(YEAR), load_reference(YEAR - 1)
    books = unit_pipeline.UnitBooks(read_year_inputs(data, YEAR, reference), read_year_inputs(data, YEAR - 1, prior_reference))
    workspace = unit_pipeline.Workspace(reference, ROOT / "templates" / "report.docx", work / "out",
                                        prior_reference=prior_reference)
    result = unit_pipeline.evaluate(books, workspace)
    check = unit_pipeline.QualityCheck(QualityVerdict(SAMPLE_UNIT, ()), work / "docs", "test")
    report = unit_pipeline.render(books, workspace, result, check)
    layout = reference.evaluation
    tables = report_attachments(layout.attachment_layout, layout.attachment_layout_file, books.profile, result.evaluation,
                                result.amounts, report.figures, result.metrics.year)
    return Sample(tables, report.figures, report.attachments, openpyxl.load_workbook(io.BytesIO(report.attachments)),
                  docx.Document(io.BytesIO(report.docx)))


# --- reading the two files ------------------------------------------------------------------

def _first_row(table: DrawnTable) -> int:
    """The sheet row of the table's first row: after the title and the unit note."""
    return 3 if table.unit_note else 2


def _docx_table(document: WordDocument, title: str) -> Table:
    """The .docx table printed under the paragraph holding `title`."""
    last = None
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p") and (text := Paragraph(element, document).text.strip()):
            last = text
        elif element.tag.endswith("}tbl") and last == title:
            return Table(element, document)
    raise AssertionError(f"the report has no table under the title {title}")


def _docx_rows(table: Table) -> list[list[Shown]]:
    """Each row's cells as Word shows them: a vertically merged cell once, in the row it starts."""
    rows = []
    for tr in table._tbl.tr_lst:
        column, cells = 0, []
        for tc in tr.tc_lst:
            cells.append((column, tc))
            column += tc.grid_span
        rows.append(cells)
    shown: list[list[Shown]] = []
    for index, row in enumerate(rows):
        shown.append([])
        for column, tc in row:
            if tc.vMerge == "continue":
                continue
            down = 1
            while tc.vMerge == "restart" and index + down < len(rows) and any(
                    c == column and other.vMerge == "continue" for c, other in rows[index + down]):
                down += 1
            shown[-1].append((column, tc.grid_span, down, _Cell(tc, table).text))
    return shown


def _formatted(value: Decimal, number_format: str) -> str:
    """What a spreadsheet prints for `value` in the formats the workbook uses (0.00;-0.00, "+"0.00%…, 0)."""
    sections = number_format.split(";")
    if value < 0 and len(sections) > 1:
        section, value = sections[1], -value
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    else:
        section = sections[0]
    section = section.replace('"+"', "+")
    sign = section[0] if section[0] in "+-" else ""
    body = section.removeprefix(sign)
    percent = body.endswith("%")
    body = body.removesuffix("%")
    assert set(body) <= set("0."), f"unexpected number format {number_format}"
    number = (value * 100 if percent else value).quantize(Decimal(1).scaleb(-len(body.partition(".")[2])), ROUND_HALF_UP)
    return f"{sign}{number}{'%' if percent else ''}"


def _shown(cell: Cell) -> str:
    if cell.value is None:
        return ""
    if cell.data_type == "n":
        return _formatted(Decimal(str(cell.value)), cell.number_format)
    return str(cell.value)


def _sheet_rows(sheet: Worksheet, first: int, grid: int) -> list[list[Shown]]:
    """Each row's cells as the sheet shows them: a merged range once, at its top left cell."""
    ranges = {(r.min_row, r.min_col): r for r in sheet.merged_cells.ranges}
    covered = {cell for r in ranges.values() for cell in r.cells if cell != (r.min_row, r.min_col)}
    rows = []
    for r in range(first, sheet.max_row + 1):
        cells = []
        for c in range(1, grid + 1):
            if (r, c) in covered:
                continue
            merged = ranges.get((r, c))
            span, down = (merged.max_col - c + 1, merged.max_row - r + 1) if merged else (1, 1)
            cells.append((c - 1, span, down, _shown(sheet.cell(r, c))))
        rows.append(cells)
    return rows


def _drawn_cells(sample: Sample) -> Iterator[tuple[Cell, TableCell]]:
    """Every sheet cell a drawn cell starts at (vertical continuations left out), with that drawn cell."""
    for table in sample.tables:
        sheet = sample.workbook[f"附件{table.number}"]
        for index, row in enumerate(table.rows):
            column = 1
            for cell in row:
                if cell.merge != "continue":
                    yield sheet.cell(_first_row(table) + index, column), cell
                column += cell.span


def _figure_cells(sample: Sample) -> Iterator[tuple[Cell, PrintedFigure]]:
    """Every sheet cell drawn from a registered figure, with that figure."""
    return ((cell, sample.figures[drawn.figure]) for cell, drawn in _drawn_cells(sample) if drawn.figure)


def _exact_wan(fen: int) -> Decimal:
    return Decimal(fen) / 1_000_000


# --- sheets, rows, merged cells ------------------------------------------------------------

def test_each_attachment_is_its_own_sheet_headed_by_its_title(sample):
    assert sample.workbook.sheetnames == ["附件1", "附件2"]
    for table in sample.tables:
        sheet = sample.workbook[f"附件{table.number}"]
        assert sheet["A1"].value == table.title
        assert f"A1:{get_column_letter(table.grid)}1" in {str(r) for r in sheet.merged_cells.ranges}
        _docx_table(sample.document, table.title)                      # the report prints the same title


def test_each_sheet_has_the_reports_rows_in_order_with_the_same_texts(sample):
    for table in sample.tables:
        sheet = sample.workbook[f"附件{table.number}"]
        report = [[(column, text) for column, _, _, text in row] for row in _docx_rows(_docx_table(sample.document, table.title))]
        workbook = [[(column, text) for column, _, _, text in row]
                    for row in _sheet_rows(sheet, _first_row(table), table.grid)]
        assert len(workbook) == len(report) == len(table.rows)
        for number, (mine, theirs) in enumerate(zip(workbook, report, strict=True), start=1):
            assert mine == theirs, f"附件{table.number} row {number}"


def test_cells_merged_in_the_report_are_merged_in_the_sheet(sample):
    for table in sample.tables:
        sheet = sample.workbook[f"附件{table.number}"]
        report = _docx_rows(_docx_table(sample.document, table.title))
        assert _sheet_rows(sheet, _first_row(table), table.grid) == report
        taken: set[tuple[int, int]] = set()
        for merged in sheet.merged_cells.ranges:                     # Excel refuses a file with overlapping ranges
            cells = set(merged.cells)
            assert not cells & taken, f"附件{table.number}: {merged} overlaps another merged range"
            taken |= cells


@pytest.mark.parametrize(("number", "label"), [(1, "财政供养人员情况（人）"), (2, "年度总体目标"), (2, "绩效指标"),
                                               (2, "产出指标"), (2, "数量指标"), (2, "效益指标")])
def test_labels_that_run_down_several_rows_are_one_merged_cell(sample, number, label):
    table = sample.tables[number - 1]
    sheet = sample.workbook[f"附件{number}"]
    starts = [cell for row in _sheet_rows(sheet, _first_row(table), table.grid) for cell in row if cell[3] == label]
    assert starts and all(down > 1 for _, _, down, _ in starts), (label, starts)


def _drawn_sides(xlsx: bytes, sheet_number: int) -> dict[str, set[str]]:
    """coordinate → the sides of its border the file draws (read from the XML: openpyxl redraws merged cells on load)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(xlsx)) as package:
        styles = ElementTree.fromstring(package.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(package.read(f"xl/worksheets/sheet{sheet_number}.xml"))
    borders = [{side for side in SIDES if (line := border.find(main + side)) is not None and line.get("style")}
               for border in styles.find(main + "borders")]
    border_of_style = [int(xf.get("borderId", "0")) for xf in styles.find(main + "cellXfs")]
    return {cell.get("r"): borders[border_of_style[int(cell.get("s", "0"))]] for cell in sheet.iter(main + "c")}


SIDES = ("left", "right", "top", "bottom")


def test_every_cell_is_framed_merged_areas_all_round(sample):
    for table in sample.tables:
        drawn = _drawn_sides(sample.xlsx, table.number)
        first = _first_row(table)
        for index, row in enumerate(_sheet_rows(sample.workbook[f"附件{table.number}"], first, table.grid)):
            for column, span, down, _ in row:
                top, left, bottom, right = first + index, column + 1, first + index + down - 1, column + span
                for r in range(top, bottom + 1):
                    for c in range(left, right + 1):
                        outline = {side for side, edge in zip(SIDES, (c == left, c == right, r == top, r == bottom),
                                                              strict=True) if edge}
                        coordinate = f"{get_column_letter(c)}{r}"
                        assert outline <= drawn.get(coordinate, set()), (f"附件{table.number}", coordinate)


# --- numbers -------------------------------------------------------------------------------

def test_amounts_are_exact_numbers_printed_with_the_reports_two_decimals(sample):
    amounts = [(cell, figure) for cell, figure in _figure_cells(sample)
               if figure.kind is FigureKind.MONEY and figure.fen is not None]
    assert {cell.parent.title for cell, _ in amounts} == {"附件1", "附件2"}
    for cell, figure in amounts:
        assert cell.data_type == "n", (figure.label, cell.value)
        assert Decimal(str(cell.value)) == _exact_wan(figure.fen), figure.label
        assert _formatted(Decimal(str(cell.value)), cell.number_format) == figure.printed, figure.label


def test_rates_are_numbers_in_a_percent_format_that_prints_as_the_report(sample):
    rates = [(cell, figure) for cell, figure in _figure_cells(sample)
             if figure.kind is FigureKind.PERCENT and figure.printed.endswith("%")]
    assert {figure.printed for _, figure in rates} >= {sample.figures.text("staff_control_rate")}
    for cell, figure in rates:
        assert cell.data_type == "n" and "%" in cell.number_format, (figure.label, cell.value)
        assert Decimal(str(cell.value)) == Decimal(figure.printed.removesuffix("%")) / 100, figure.label
        assert _formatted(Decimal(str(cell.value)), cell.number_format) == figure.printed, figure.label


def test_points_and_counts_are_numbers_and_dashes_stay_text(sample):
    cells = list(_figure_cells(sample))
    numeric = [(c, f) for c, f in cells if f.kind in (FigureKind.POINTS, FigureKind.COUNT) and f.printed != NO_AMOUNT]
    assert {f.key for _, f in numeric} >= {"evaluation_total", "evaluation_points_total", "staff_in_post"}
    for cell, figure in numeric:
        assert cell.data_type == "n", (figure.label, cell.value)
        assert _formatted(Decimal(str(cell.value)), cell.number_format) == figure.printed, figure.label
    dashes = [cell for cell, drawn in _drawn_cells(sample) if drawn.text == NO_AMOUNT]
    assert len(dashes) > 10
    assert all((cell.value, cell.data_type) == (NO_AMOUNT, "s") for cell in dashes)


def test_the_total_funds_row_has_its_points_and_score_as_numbers(sample):
    cells = {figure.key: cell for cell, figure in _figure_cells(sample)}
    assert cells["se.total.points"].data_type == "n" and cells["se.total.score"].data_type == "n"


def test_every_number_in_the_workbook_is_printed_in_the_report_in_the_same_cell(sample):
    checked = 0
    for table in sample.tables:
        sheet = sample.workbook[f"附件{table.number}"]
        report = {(index, column): text for index, row in enumerate(_docx_rows(_docx_table(sample.document, table.title)))
                  for column, _, _, text in row}
        for r in range(_first_row(table), sheet.max_row + 1):
            for c in range(1, table.grid + 1):
                cell = sheet.cell(r, c)
                if cell.data_type == "n" and cell.value is not None:
                    assert _shown(cell) == report[(r - _first_row(table), c - 1)], cell.coordinate
                    checked += 1
    assert checked >= 50


def test_project_spending_of_attachment_1_is_the_project_spending_of_attachment_2(sample):
    basic, evaluation = sample.workbook["附件1"], sample.workbook["附件2"]
    label_row = next(r for r in range(1, basic.max_row + 1) if basic.cell(r, 1).value == "项目支出")
    actual_column = next(c.column for row in basic.iter_rows() for c in row if c.value == f"{YEAR}年决算数")
    in_basic = basic.cell(label_row, actual_column).value
    label = next(c for row in evaluation.iter_rows() for c in row if c.value == "项目支出")
    width = next((m.max_col - m.min_col + 1 for m in evaluation.merged_cells.ranges if label.coordinate in m), 1)
    in_evaluation = evaluation.cell(label.row, label.column + width).value
    assert Decimal(str(in_basic)) == Decimal(str(in_evaluation)) == _exact_wan(sample.figures["amount.项目支出.actual"].fen)


# --- print setup -----------------------------------------------------------------------------

def test_each_sheet_prints_on_a4_portrait_fit_to_the_page_width_repeating_nothing(sample):
    for sheet in sample.workbook:
        setup = sheet.page_setup
        assert (int(setup.paperSize), setup.orientation) == (int(Worksheet.PAPERSIZE_A4), "portrait")
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows is None and sheet.print_title_cols is None


# --- hand-drawn tables: formulas, control characters, rounding -------------------------------

def _hand_table(labels: list[str], *, title: str = "测试表", unit_note: str = "") -> DrawnTable:
    return DrawnTable("hand", 1, title, unit_note, 4,
                      tuple((TableCell(label, 2, "label"), TableCell("说明", 2, "text")) for label in labels))


LOOKS_LIKE_A_FORMULA = ["=1+1", '=HYPERLINK("http://example.com","点此")', "+1", "-1", "@SUM(A1)"]


def test_a_label_that_looks_like_a_formula_is_stored_as_text():
    xlsx = attachments_xlsx([_hand_table(LOOKS_LIKE_A_FORMULA)], FigureRegistry())
    with zipfile.ZipFile(io.BytesIO(xlsx)) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))["附件1"]
    for row, label in enumerate(LOOKS_LIKE_A_FORMULA, start=2):
        cell = sheet.cell(row, 1)
        assert (cell.value, cell.data_type) == (label, "s")
        assert cell.quotePrefix, "stays text when someone edits the cell"


def test_control_characters_are_shown_as_visible_pictures():
    table = _hand_table(["甲\x07乙", "换行\n保留", "\u202e123", "_x0041_"], title="标题\x1b", unit_note="单位：万元\x00")
    xlsx = attachments_xlsx([table], FigureRegistry())
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))["附件1"]
    assert sheet["A1"].value == "标题␛"
    assert sheet["A2"].value == "单位：万元␀"
    assert [sheet.cell(r, 1).value for r in (3, 4, 5)] == ["甲␇乙", "换行\n保留", "[U+202E]123"]
    with zipfile.ZipFile(io.BytesIO(xlsx)) as package:
        # Excel reads _x0041_ as an escaped "A"; the text is stored with the underscore escaped.
        assert "_x005F_x0041_" in package.read("xl/worksheets/sheet1.xml").decode()


def test_a_rate_printed_minus_zero_stays_the_reports_text():
    registry = FigureRegistry()
    registry.add(PrintedFigure("rate", "降幅", FigureKind.PERCENT, "-0.00%"))
    table = DrawnTable("hand", 1, "T", "", 2, ((TableCell("-0.00%", 2, "number", figure="rate"),),))
    sheet = openpyxl.load_workbook(io.BytesIO(attachments_xlsx([table], registry)))["附件1"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("-0.00%", "s")


# --- LibreOffice -----------------------------------------------------------------------------

def _libreoffice(xlsx: bytes, target: str, work: Path) -> list[Path]:
    """Convert the workbook headless with a profile of its own; the files LibreOffice wrote."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) with Calc is required: install libreoffice-calc-nogui")
    source = work / "attachments.xlsx"
    source.write_bytes(xlsx)
    completed = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--convert-to", target,
         "--outdir", str(work / "converted"), str(source)],
        capture_output=True, text=True, timeout=240,
    )
    written = sorted((work / "converted").glob("attachments*"))
    assert written, f"LibreOffice could not open attachments.xlsx (is Calc installed?): {completed.stderr}"
    return written


# Comma, double quote, UTF-8, from line 1; cells as shown (9th token); every sheet to its own file (-1, LibreOffice 7.2+).
_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def _as_calc_shows(xlsx: bytes, work: Path) -> dict[str, list[list[str]]]:
    """Each sheet's cells as LibreOffice Calc shows them, by sheet name."""
    return {path.stem.removeprefix("attachments-"): list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
            for path in _libreoffice(xlsx, _CSV, work)}


def _trimmed(row: list[str]) -> list[str]:
    """A CSV row without its trailing empty cells (LibreOffice writes only the columns it uses)."""
    while row and not row[-1]:
        row = row[:-1]
    return row


@pytest.mark.slow
def test_libreoffice_opens_the_workbook_and_shows_every_cell_as_the_report(sample, tmp_path):
    shown = _as_calc_shows(sample.xlsx, tmp_path)
    assert sorted(shown) == ["附件1", "附件2"]
    basic = shown["附件1"]
    assert basic[0][0] == sample.tables[0].title
    project_row = next(row for row in basic if row[0] == "项目支出")
    assert sample.figures.text("amount.项目支出.actual") in project_row
    assert any(row[0] == "经费控制情况（万元）" for row in basic)
    for table in sample.tables:
        rows = shown[f"附件{table.number}"][_first_row(table) - 1:]
        report = _docx_rows(_docx_table(sample.document, table.title))
        assert len(rows) == len(report)
        for number, (row, cells) in enumerate(zip(rows, report, strict=True), start=1):
            expected = [""] * table.grid
            for column, _, _, text in cells:
                expected[column] = text
            assert _trimmed(row) == _trimmed(expected), f"附件{table.number} row {number}"


@pytest.mark.slow
def test_amounts_ending_in_half_a_cent_show_rounded_as_the_report_rounds_them(tmp_path):
    registry = FigureRegistry()
    fens = [12_345_000, 5_000, 15_000, -5_000, 1, -1, 10_005_000, 995_000, 123_456_789_125]
    for index, fen in enumerate(fens):
        registry.money(f"m{index}", f"金额{index}", fen)
    for index, printed in enumerate(["+5.00%", "+0.00%", "-12.34%", "99.9%", "0.00%"]):
        registry.add(PrintedFigure(f"p{index}", f"比率{index}", FigureKind.PERCENT, printed))
    keys = [figure.key for figure in registry]
    table = DrawnTable("hand", 1, "舍入", "", 2, tuple((TableCell(registry.text(k), 2, "number", figure=k),) for k in keys))
    shown = _as_calc_shows(attachments_xlsx([table], registry), tmp_path)["附件1"]
    assert [row[0] for row in shown[1:]] == [registry.text(k) for k in keys]


@pytest.mark.slow
def test_libreoffice_shows_formula_lookalikes_and_escapes_as_typed(tmp_path):
    labels = [*LOOKS_LIKE_A_FORMULA, "_x0041_", "甲\x07乙"]
    shown = _as_calc_shows(attachments_xlsx([_hand_table(labels)], FigureRegistry()), tmp_path)["附件1"]
    assert [row[0] for row in shown[1:]] == [*LOOKS_LIKE_A_FORMULA, "_x0041_", "甲␇乙"]


@pytest.mark.slow
def test_each_sheet_prints_on_one_a4_portrait_page_width_with_every_column(sample, tmp_path):
    pdf = _libreoffice(sample.xlsx, "pdf", tmp_path)[0]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)", info), info
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    firsts = [next(i for i, page in enumerate(pages) if t.title in page) for t in sample.tables]
    for table, start in zip(sample.tables, firsts, strict=True):
        page = pages[start]
        last_header = {1: f"{YEAR}年决算数", 2: "偏差原因分析及改进措施"}[table.number]
        assert last_header in page, f"附件{table.number}: the last column did not print beside the first"
    project_line = next(line.split() for line in pages[firsts[0]].splitlines() if line.strip().startswith("项目支出"))
    assert project_line[-1] == sample.figures.text("amount.项目支出.actual")
