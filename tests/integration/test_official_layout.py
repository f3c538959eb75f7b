"""The report is laid out as GB/T 9704-2012 (党政机关公文格式) asks, in the .docx and in the PDF LibreOffice makes.

Page A4 with a 156 × 225 mm type area (上 37 mm, 左 28 mm), 22 lines of 28 characters of 3号 仿宋, headings in
黑体 and 楷体, the title in 小标宋, page numbers "— N —" in 4号 宋体: odd pages right, even pages left, one
character from the edge of the type area.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from lxml import etree

from flows.adapters.pdf import PdfPage, pdf_words

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
PT_PER_MM = 72 / 25.4
TWIPS_PER_MM = 1440 / 25.4
# The type area (版心) on an A4 page, in points from the top left corner.
LEFT, RIGHT = 28 * PT_PER_MM, (210 - 26) * PT_PER_MM
TOP, BOTTOM = 37 * PT_PER_MM, (297 - 35) * PT_PER_MM
BODY_PT, PAGE_NUMBER_PT = 16, 14  # 3号, 4号


def _part(docx: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return etree.fromstring(archive.read(name))


def _attr(element: etree._Element | None, name: str) -> str | None:
    return None if element is None else element.get(f"{{{W}}}{name}")


def _style(styles: etree._Element, style_id: str) -> etree._Element:
    found = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
    assert found is not None, style_id
    return found


# ---------------------------------------------------------------------------- the .docx


def test_page_is_a4_with_the_standard_type_area_and_a_grid_of_22_lines(sample_report_docx: bytes) -> None:
    section = _part(sample_report_docx, "word/document.xml").find("w:body/w:sectPr", NS)
    size, margins, grid = (section.find(f"w:{tag}", NS) for tag in ("pgSz", "pgMar", "docGrid"))
    width, height = int(_attr(size, "w")), int(_attr(size, "h"))
    assert (round(width / TWIPS_PER_MM), round(height / TWIPS_PER_MM)) == (210, 297)
    top, bottom, left, right = (int(_attr(margins, side)) for side in ("top", "bottom", "left", "right"))
    assert round(top / TWIPS_PER_MM) == 37 and round(left / TWIPS_PER_MM) == 28
    assert abs((width - left - right) / TWIPS_PER_MM - 156) < 0.5
    assert abs((height - top - bottom) / TWIPS_PER_MM - 225) < 0.5
    pitch = int(_attr(grid, "linePitch"))
    assert _attr(grid, "type") == "lines"
    assert 22 * pitch <= height - top - bottom < 23 * pitch, "the line grid holds 22 lines"


def test_body_is_3hao_fangsong_on_the_grid_with_28_characters_a_line(sample_report_docx: bytes) -> None:
    styles = _part(sample_report_docx, "word/styles.xml")
    normal = _style(styles, "Normal")
    pitch = int(_attr(_part(sample_report_docx, "word/document.xml").find("w:body/w:sectPr/w:docGrid", NS), "linePitch"))
    assert _attr(normal.find("w:rPr/w:rFonts", NS), "eastAsia") == "仿宋_GB2312"
    assert _attr(normal.find("w:rPr/w:sz", NS), "val") == str(2 * BODY_PT)
    spacing = normal.find("w:pPr/w:spacing", NS)
    assert (_attr(spacing, "lineRule"), _attr(spacing, "line")) == ("exact", str(pitch))
    text_width_pt = 156 * PT_PER_MM
    character_pt = BODY_PT + int(_attr(normal.find("w:rPr/w:spacing", NS), "val")) / 20
    assert int(text_width_pt // character_pt) == 28


def test_headings_and_title_name_the_official_fonts_and_their_fallbacks(sample_report_docx: bytes) -> None:
    styles = _part(sample_report_docx, "word/styles.xml")
    east_asia = {sid: _attr(_style(styles, sid).find("w:rPr/w:rFonts", NS), "eastAsia")
                 for sid in ("Normal", "Heading1", "Heading2", "Title", "Footer")}
    assert east_asia == {"Normal": "仿宋_GB2312", "Heading1": "黑体", "Heading2": "楷体_GB2312", "Title": "方正小标宋简体",
                         "Footer": "宋体"}
    fonts = _part(sample_report_docx, "word/fontTable.xml")
    alternatives = {_attr(font, "name"): _attr(font.find("w:altName", NS), "val") for font in fonts.findall("w:font", NS)}
    # Word uses the altName when the first font is not installed: 仿宋_GB2312 → 仿宋 → FangSong, and so on.
    assert alternatives["仿宋_GB2312"] == "仿宋" and alternatives["仿宋"] == "FangSong"
    assert alternatives["楷体_GB2312"] == "楷体" and alternatives["楷体"] == "KaiTi"
    assert alternatives["黑体"] == "SimHei" and alternatives["方正小标宋简体"] == "黑体" and alternatives["宋体"] == "SimSun"


def test_odd_pages_number_on_the_right_and_even_pages_on_the_left(sample_report_docx: bytes) -> None:
    assert _part(sample_report_docx, "word/settings.xml").find("w:evenAndOddHeaders", NS) is not None
    document = _part(sample_report_docx, "word/document.xml")
    rels = _part(sample_report_docx, "word/_rels/document.xml.rels")
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    footers = {_attr(ref, "type"): targets[ref.get(R)] for ref in document.findall("w:body/w:sectPr/w:footerReference", NS)}
    assert set(footers) == {"default", "even"}
    for kind, side in (("default", "right"), ("even", "left")):
        paragraph = _part(sample_report_docx, f"word/{footers[kind]}").find("w:p", NS)
        assert _attr(paragraph.find("w:pPr/w:jc", NS), "val") == side
        assert _attr(paragraph.find("w:pPr/w:ind", NS), f"{side}Chars") == "100", "one character from the edge"
        text = "".join(paragraph.itertext())
        assert re.fullmatch(r"— PAGE 1 —", re.sub(r"\s+", " ", text).strip()), text


# ---------------------------------------------------------------------------- the PDF


@pytest.fixture(scope="module")
def pages(sample_report_pdf: bytes) -> list[PdfPage]:
    return pdf_words(sample_report_pdf)


def _page_number(page: PdfPage):
    """The words below the type area: "—", the number, "—"."""
    return sorted((w for w in page.words if w.y_min > BOTTOM), key=lambda w: w.x_min)


@pytest.mark.slow
def test_pdf_page_numbers_alternate_right_and_left_one_character_in(pages: list[PdfPage]) -> None:
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        words = _page_number(page)
        assert [w.text for w in words] == ["—", str(number), "—"], (number, words)
        if number % 2:
            assert abs(words[-1].x_max - (RIGHT - PAGE_NUMBER_PT)) < 2, (number, words[-1])
        else:
            assert abs(words[0].x_min - (LEFT + PAGE_NUMBER_PT)) < 2, (number, words[0])
        # 一字线 7 mm below the type area: the dash's middle (it is a horizontal stroke) at 7 ± 1.5 mm.
        middle = (words[0].y_min + words[0].y_max) / 2
        assert abs((middle - BOTTOM) / PT_PER_MM - 7) < 1.5, (number, (middle - BOTTOM) / PT_PER_MM)


def _body_lines(page: PdfPage) -> dict[float, list]:
    """Lines of 3号 text inside the type area (word boxes about 1.3 × 16 pt high), by their top."""
    lines = defaultdict(list)
    for word in page.words:
        if 19.5 < word.y_max - word.y_min < 22.5 and TOP - 1 <= word.y_min <= BOTTOM:
            lines[round(word.y_min, 1)].append(word)
    return lines


@pytest.mark.slow
def test_pdf_body_lines_are_28_95_pt_apart_so_a_page_holds_22_lines(pages: list[PdfPage]) -> None:
    gaps = Counter()
    for page in pages:
        tops = sorted(_body_lines(page))
        assert len(tops) <= 22
        gaps.update(round(b - a, 1) for a, b in pairwise(tops))
    pitch = (BOTTOM - TOP) / 22
    usual = sum(count for gap, count in gaps.items() if abs(gap - pitch) < 0.2)
    assert usual >= 0.6 * sum(gaps.values()), gaps.most_common(5)


@pytest.mark.slow
def test_pdf_full_body_lines_hold_28_characters(pages: list[PdfPage]) -> None:
    """A line of Chinese text (no digits) that reaches the right edge holds 28 characters, its indent included.

    A few hold fewer: justified lines spread out because the next word (a number) does not fit.
    """
    counts = Counter()
    for page in pages:
        for words in _body_lines(page).values():
            words = sorted(words, key=lambda w: w.x_min)
            text = "".join(w.text for w in words)
            if any(c.isascii() for c in text) or abs(words[-1].x_max - RIGHT) > BODY_PT / 2:
                continue
            indent = round((words[0].x_min - LEFT) / (156 * PT_PER_MM / 28))
            counts[indent + len(text)] += 1
    assert counts and max(counts) <= 29, counts  # 29: closing punctuation hung into the margin
    assert counts[28] >= 5 and counts[28] >= 0.8 * sum(counts.values()), counts


# ---------------------------------------------------------------------------- 附件说明, 落款, 附件 pages


def _paragraphs(docx: bytes) -> list[tuple[str | None, str]]:
    """(style, text) of the body's own paragraphs, in order."""
    body = _part(docx, "word/document.xml").find("w:body", NS)
    return [(_attr(p.find("w:pPr/w:pStyle", NS), "val"), "".join(t.text or "" for t in p.iter(f"{{{W}}}t")))
            for p in body.findall("w:p", NS)]


def test_attachment_list_before_the_signature_names_every_attachment(sample_report_docx: bytes, sample_context) -> None:
    paragraphs = _paragraphs(sample_report_docx)
    listed = [(style, text) for style, text in paragraphs if style in ("AttachmentListFirst", "AttachmentList")]
    attachments = sample_context["attachments"]
    assert len(attachments) >= 2
    assert listed == [("AttachmentListFirst" if i == 0 else "AttachmentList",
                       f"{'附件：' if i == 0 else ''}{a['number']}.{a['title']}") for i, a in enumerate(attachments)]
    styles = [style for style, _ in paragraphs]
    last_listed = max(i for i, style in enumerate(styles) if style == "AttachmentList")
    assert styles[last_listed + 1:last_listed + 3] == ["SignatureFirst", "SignatureBlock"]
    assert paragraphs[last_listed + 1][1] == sample_context["unit"]["name"]
    assert paragraphs[last_listed + 2][1] == sample_context["report_date"]


def test_attachment_labels_are_flush_left_heiti_3hao_each_on_a_new_page(sample_report_docx: bytes, sample_context) -> None:
    paragraphs = _paragraphs(sample_report_docx)
    labels = [text for style, text in paragraphs if style == "AttachmentLabel"]
    assert labels == [f"附件{a['number']}" for a in sample_context["attachments"]]
    assert not [text for style, text in paragraphs if style == "Heading1" and text.startswith("附件")]
    label = _style(_part(sample_report_docx, "word/styles.xml"), "AttachmentLabel")
    assert _attr(label.find("w:rPr/w:rFonts", NS), "eastAsia") == "黑体"
    assert _attr(label.find("w:rPr/w:sz", NS), "val") == str(2 * BODY_PT)
    indent = label.find("w:pPr/w:ind", NS)
    assert (_attr(indent, "firstLine"), _attr(indent, "firstLineChars"), _attr(indent, "left")) == ("0", "0", "0")
    assert label.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert label.find("w:pPr/w:outlineLvl", NS) is None, "a label, not a heading of the report"


def _words_of(pages: list[PdfPage], text: str):
    for number, page in enumerate(pages, start=1):
        for index, word in enumerate(page.words):
            if word.text == text:
                yield number, page, index


@pytest.mark.slow
def test_pdf_attachment_labels_stand_at_the_top_left_of_their_pages(pages: list[PdfPage], sample_context) -> None:
    for attachment in sample_context["attachments"]:
        number = attachment["number"]
        found = [(n, page.words[i], page.words[i + 1]) for n, page, i in _words_of(pages, "附件")
                 if i + 1 < len(page.words) and page.words[i + 1].text == number]
        assert len(found) == 1, (number, found)
        _, label, _ = found[0]
        assert abs(label.x_min - LEFT) < 1.5, label
        assert abs(label.y_min - TOP) < BODY_PT, label  # the first line of the type area


@pytest.mark.slow
def test_pdf_signature_date_stands_four_characters_from_the_right_with_the_name_centred_over_it(
        pages: list[PdfPage], sample_context) -> None:
    name, date = sample_context["unit"]["name"], sample_context["report_date"]
    # The last page of the report itself holds the 落款: the page before the first attachment label.
    signature_page = next(n for n, _, _ in _words_of(pages, "附件")) - 1
    page = pages[signature_page - 1]
    lines = defaultdict(list)
    for word in page.words:
        lines[round(word.y_min)].append(word)
    texts = {y: "".join(w.text for w in sorted(ws, key=lambda w: w.x_min)) for y, ws in lines.items()}
    name_y = next(y for y, t in texts.items() if t == name)
    date_y = next(y for y, t in texts.items() if t == date)
    assert date_y > name_y
    date_left, date_right = min(w.x_min for w in lines[date_y]), max(w.x_max for w in lines[date_y])
    name_left, name_right = min(w.x_min for w in lines[name_y]), max(w.x_max for w in lines[name_y])
    assert abs(date_right - (RIGHT - 4 * BODY_PT)) < 3, "右空四字"
    assert abs((name_left + name_right) / 2 - (date_left + date_right) / 2) < BODY_PT / 2, "name centred over the date"
    listed = [t for t in texts.values() if t.startswith("附件：1.")]
    assert listed, texts
