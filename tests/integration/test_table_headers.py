"""Table headers and figures do not wrap: each fits its cell in the .docx, and prints on one line in the PDF.

Covers the report's own tables (经济分类, 三公, projects, 构成, 主要预算指标, 产出指标) and the attached
tables drawn from config/attachments/hunan.yaml on its 24-column grid.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections import Counter, defaultdict

import pytest
from lxml import etree

from flows.adapters.pdf import pdf_words

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
HEADER_STYLES = {"TableHeader", "TableHeaderSmall", "AttachedHeader"}
NUMBER_STYLES = {"TableNumber", "TableNumberSmall", "AttachedNumber"}
# Advance widths in em of the Latin characters that tables print (Times New Roman / Liberation Serif).
LATIN_EM = {**dict.fromkeys("0123456789", 0.5), ".": 0.25, ",": 0.25, "%": 0.833, "-": 0.333, "÷": 0.564, "×": 0.564,
            " ": 0.25}
AUTOSPACE_EM = 0.25  # the gap LibreOffice and Word put between Chinese text and a number
DEFAULT_CELL_MARGIN = 108  # twips each side (the Table Grid style)


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


class _Styles:
    def __init__(self, root: etree._Element) -> None:
        self.by_id = {s.get(_q("styleId")): s for s in root.findall("w:style", NS)}

    def _find(self, style_id: str, path: str) -> etree._Element | None:
        style = self.by_id.get(style_id)
        while style is not None:
            found = style.find(path, NS)
            if found is not None:
                return found
            based = style.find("w:basedOn", NS)
            style = self.by_id.get(based.get(_q("val"))) if based is not None else None
        return None

    def size_pt(self, style_id: str) -> float:
        return int(self._find(style_id, "w:rPr/w:sz").get(_q("val"))) / 2

    def scale(self, style_id: str) -> float:
        found = self._find(style_id, "w:rPr/w:w")
        return 1.0 if found is None else int(found.get(_q("val"))) / 100


def text_width_pt(text: str, size_pt: float, scale: float = 1.0) -> float:
    """The printed width of `text`: Chinese and full-width characters one em, Latin ones their own width."""
    width, previous_wide = 0.0, None
    for char in text:
        wide = not char.isascii() and unicodedata.east_asian_width(char) in "WFA" or char in "—“”"
        width += 1.0 if wide else LATIN_EM.get(char, 0.55)
        if previous_wide is not None and wide != previous_wide and char not in "（）“”%" and char != " ":
            width += AUTOSPACE_EM
        previous_wide = wide
    return width * size_pt * scale


def _cells(docx: bytes):
    """(style, text, available width in pt) for every paragraph in every table cell."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
        styles = _Styles(etree.fromstring(archive.read("word/styles.xml")))
    for table in document.iter(_q("tbl")):
        grid = [int(col.get(_q("w"))) for col in table.find("w:tblGrid", NS)]
        margins = table.find("w:tblPr/w:tblCellMar", NS)
        sides = [margins.find(f"w:{side}", NS) if margins is not None else None for side in ("left", "right")]
        padding = sum(int(s.get(_q("w"))) if s is not None else DEFAULT_CELL_MARGIN for s in sides)
        for row in table.findall("w:tr", NS):
            column = 0
            for cell in row.findall("w:tc", NS):
                span = cell.find("w:tcPr/w:gridSpan", NS)
                span = int(span.get(_q("val"))) if span is not None else 1
                room = (sum(grid[column:column + span]) - padding) / 20
                column += span
                for paragraph in cell.findall("w:p", NS):
                    style = paragraph.find("w:pPr/w:pStyle", NS)
                    style = style.get(_q("val")) if style is not None else "Normal"
                    text = "".join(t.text or "" for t in paragraph.iter(_q("t")))
                    if text.strip():
                        yield style, text, room, styles


def _must_fit(docx: bytes) -> list[tuple[str, str, float]]:
    """Header cells, figures, and the 主要预算指标 table's indicator names: what must stay on one line."""
    found = []
    for style, text, room, styles in _cells(docx):
        if style in HEADER_STYLES or style in NUMBER_STYLES or text.endswith("率") and len(text) <= 10:
            found.append((text, style, room, text_width_pt(text, styles.size_pt(style), styles.scale(style))))
    return found


def test_the_width_estimate_is_not_optimistic() -> None:
    assert text_width_pt("在职人员控制率", 12) == 7 * 12
    assert text_width_pt("100.00", 10) == pytest.approx(27.5)
    assert text_width_pt("2024年决算数", 9) > 4 * 9 + 4 * 4.5


def test_no_table_header_or_figure_is_wider_than_its_cell(sample_report_docx: bytes) -> None:
    checked = _must_fit(sample_report_docx)
    texts = {text for text, *_ in checked}
    # the ones a reader noticed breaking, in the report's tables and in 附件1/附件2
    for expected in ("在职人员控制率", "年初预算数", "100.00", "100.00%", "2024年实际在职人数", "偏差原因分析及改进措施",
                     "预算投资（万元）", "“三公”经费控制率"):
        assert expected in texts, expected
    too_wide = [(text, style, round(room, 1), round(need, 1)) for text, style, room, need in checked if need > room]
    assert not too_wide, too_wide


@pytest.mark.slow
def test_pdf_prints_every_table_header_and_figure_on_one_line(sample_report_docx: bytes, sample_report_pdf: bytes) -> None:
    wanted = Counter(text for text, *_ in _must_fit(sample_report_docx) if text != "—")
    found = Counter()
    for page in pdf_words(sample_report_pdf):
        lines = defaultdict(list)
        for word in page.words:
            if word.y_max - word.y_min < 17:  # table text (body text and headings are 3号)
                lines[round(word.y_min / 2)].append(word)
        for words in lines.values():
            line = "".join(w.text for w in sorted(words, key=lambda w: w.x_min))
            for text in wanted:
                found[text] += line.count(text.replace(" ", ""))
    missing = {text: (count, found[text]) for text, count in wanted.items() if found[text] < count}
    assert not missing, f"printed on fewer lines than the tables hold them (wanted, found): {missing}"
