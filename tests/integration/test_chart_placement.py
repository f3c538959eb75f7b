"""Each chart stands right after what it illustrates, with one title (its caption 图n …), and no page that holds a
chart is more than a third blank in the PDF LibreOffice makes."""

from __future__ import annotations

import io
import zipfile

import numpy
import pytest
from lxml import etree
from PIL import Image

from flows.adapters.pdf import pdf_image_pages, pdf_pages_to_png
from flows.domain.report_context import CHART_TITLES

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
PT_PER_MM = 72 / 25.4


def _body(docx: bytes) -> list[etree._Element]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return list(etree.fromstring(archive.read("word/document.xml")).find("w:body", NS))


def _text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{{{W}}}t"))


def _style(element: etree._Element) -> str | None:
    style = element.find("w:pPr/w:pStyle", NS)
    return None if style is None else style.get(f"{{{W}}}val")


def _is_picture(element: etree._Element) -> bool:
    return element.tag == f"{{{W}}}p" and element.find(".//w:drawing", NS) is not None


def _table_with(body: list[etree._Element], *headers: str) -> int:
    for index, element in enumerate(body):
        if element.tag == f"{{{W}}}tbl":
            first_row = element.find("w:tr", NS)
            texts = [_text(cell) for cell in first_row.findall("w:tc", NS)]
            if all(header in texts for header in headers):
                return index
    raise AssertionError(f"no table headed {headers}")


def test_each_chart_follows_what_it_illustrates_with_its_caption_under_it(sample_report_docx: bytes) -> None:
    body = _body(sample_report_docx)
    pictures = [i for i, element in enumerate(body) if _is_picture(element)]
    assert len(pictures) == len(CHART_TITLES) == 3
    illustrated = [
        _table_with(body, "科目名称", "占比"),                      # spending by economic class
        _table_with(body, "项目名称", "年初预算数", "执行率"),        # the projects' budget and actual
        next(i for i, e in enumerate(body) if _text(e).startswith("按《") and "自评" in _text(e)),  # the score text
    ]
    for number, (picture, source, title) in enumerate(zip(pictures, illustrated, CHART_TITLES.values(), strict=True), 1):
        between = body[source + 1:picture]
        # Only the table's own 尾差 note and spacer may stand between the table and its chart.
        assert all(e.tag == f"{{{W}}}p" and _style(e) in ("TableNote", "TableSpacer") for e in between), \
            [(_style(e), _text(e)) for e in between]
        caption = body[picture + 1]
        assert (_style(caption), _text(caption)) == ("ChartCaption", f"图{number} {title}")


def test_each_chart_title_is_printed_once_in_its_caption(sample_report_docx: bytes) -> None:
    texts = [_text(element) for element in _body(sample_report_docx)]
    for title in CHART_TITLES.values():
        assert sum(title in text for text in texts) == 1, title


def _blank_share(png: bytes, dpi: int) -> float:
    """The part of the type area's height taken by empty bands taller than one and a half lines.

    The gaps between lines of text and inside a chart are narrower; what is left is the space a page leaves
    empty: below its last line, or above a picture that did not fit.
    """
    scale = dpi / 72
    pixels = numpy.asarray(Image.open(io.BytesIO(png)).convert("L"))
    top, bottom = round(37 * PT_PER_MM * scale), round((297 - 35) * PT_PER_MM * scale)
    left, right = round(28 * PT_PER_MM * scale), round((210 - 26) * PT_PER_MM * scale)
    inked = (pixels[top:bottom, left:right] < 200).any(axis=1)
    shortest = 1.5 * (225 * PT_PER_MM / 22) * scale
    blank = run = 0
    for has_ink in [*inked, True]:
        if has_ink:
            blank += run if run >= shortest else 0
            run = 0
        else:
            run += 1
    return blank / len(inked)


def test_blank_share_sees_an_empty_page_and_a_full_one() -> None:
    # Guards the measure used below: a white page is all blank, lines of text every 28.95 pt are not.
    dpi, scale = 50, 50 / 72
    white = numpy.full((round(297 * PT_PER_MM * scale), round(210 * PT_PER_MM * scale)), 255, dtype=numpy.uint8)
    lined = white.copy()
    for line in range(22):
        y = round((37 * PT_PER_MM + line * 225 * PT_PER_MM / 22 + 6) * scale)
        lined[y:y + 8, 100:300] = 0
    as_png = []
    for pixels in (white, lined):
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="PNG")
        as_png.append(buffer.getvalue())
    assert _blank_share(as_png[0], dpi) == 1
    assert _blank_share(as_png[1], dpi) < 0.05


@pytest.mark.slow
def test_pdf_no_page_with_a_chart_is_more_than_a_third_blank(sample_report_pdf: bytes) -> None:
    chart_pages = sorted(set(pdf_image_pages(sample_report_pdf)))
    assert len(chart_pages) >= 2, chart_pages  # the three charts, on their pages
    pages = pdf_pages_to_png(sample_report_pdf, dpi=50)
    shares = {number: round(_blank_share(pages[number - 1], 50), 2) for number in chart_pages}
    assert all(share <= 1 / 3 for share in shares.values()), shares
    # Nor the page before a chart, which is left short when the chart does not fit under its table.
    before = {number - 1: round(_blank_share(pages[number - 2], 50), 2) for number in chart_pages if number > 1}
    assert all(share <= 1 / 3 for share in before.values()), before
