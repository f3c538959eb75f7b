"""修订对照.docx on small real documents: rows and paragraphs that come and go, numbers as whole
tokens, formatting kept, and accepting or rejecting every change gives back either version."""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.shared import Pt
from lxml import etree

from flows.adapters.redline import redline_docx
from tests.fixtures.tracked_changes import W, accepted, marked_rows, paragraph_texts, rejected, tracked_texts

AT = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)


def _document(rows: list[tuple[str, str]], total: str, notes: list[str] = ()) -> bytes:
    document = docx.Document()
    document.add_paragraph("部门整体支出绩效自评报告", style="Title")
    table = document.add_table(rows=0, cols=2)
    for name, amount in [("项目", "金额"), *rows]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, amount
    paragraph = document.add_paragraph("全年支出合计 ")
    run = paragraph.add_run(total)
    run.bold, run.font.size = True, Pt(15)
    paragraph.add_run(" 万元，预算执行率 99.61%。")
    for note in notes:
        document.add_paragraph(note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


OLD = _document([("甲项目", "1.00"), ("乙项目", "2.00")], "648.31", ["注：尾差 0.01 万元。"])
NEW = _document([("乙项目", "2.50"), ("丙项目", "4.00")], "650.00", ["说明：丙项目为年中追加。"])


def test_every_change_is_marked_and_accepting_or_rejecting_all_gives_either_version():
    redline = redline_docx(OLD, NEW, AT)
    assert accepted(redline) == paragraph_texts(NEW)
    assert rejected(redline) == paragraph_texts(OLD)


def test_a_number_changes_as_one_deletion_and_one_insertion_in_its_own_formatting():
    redline = redline_docx(OLD, NEW, AT)
    assert "648.31" in tracked_texts(redline, "del") and "650.00" in tracked_texts(redline, "ins")
    assert "2.00" in tracked_texts(redline, "del") and "2.50" in tracked_texts(redline, "ins")
    root = docx.Document(io.BytesIO(redline)).element
    [inserted] = etree.XPath("//w:ins[w:r/w:t='650.00']/w:r", namespaces=W)(root)
    [deleted] = etree.XPath("//w:del[w:r/w:delText='648.31']/w:r", namespaces=W)(root)
    for run in (inserted, deleted):
        assert etree.XPath("w:rPr/w:b", namespaces=W)(run) and etree.XPath("w:rPr/w:sz/@w:val", namespaces=W)(run) == ["30"]
    # The unchanged words around the number are not marked.
    assert not any("全年支出合计" in text for text in tracked_texts(redline, "ins") + tracked_texts(redline, "del"))


def test_a_table_row_that_comes_or_goes_is_an_inserted_or_deleted_row():
    redline = redline_docx(OLD, NEW, AT)
    assert marked_rows(redline, "del") == [["甲项目", "1.00"]]
    assert marked_rows(redline, "ins") == [["丙项目", "4.00"]]
    root = docx.Document(io.BytesIO(redline)).element
    first_cells = etree.XPath("//w:tbl/w:tr/w:tc[1]", namespaces=W)(root)
    assert ["".join(etree.XPath(".//w:t/text() | .//w:delText/text()", namespaces=W)(c)) for c in first_cells] == \
        ["项目", "甲项目", "乙项目", "丙项目"], "the deleted row stands where it stood"


def test_a_paragraph_that_comes_or_goes_is_marked_whole():
    redline = redline_docx(OLD, NEW, AT)
    assert "注：尾差 0.01 万元。" in tracked_texts(redline, "del")
    assert "说明：丙项目为年中追加。" in tracked_texts(redline, "ins")


def test_a_cell_whose_words_are_replaced_keeps_both_in_that_cell():
    old = _document([("甲项目", "未评价")], "1.00")
    new = _document([("甲项目", "95.00")], "1.00")
    redline = redline_docx(old, new, AT)
    assert (tracked_texts(redline, "del"), tracked_texts(redline, "ins")) == (["未评价"], ["95.00"])
    cell = etree.XPath("//w:tbl/w:tr[2]/w:tc[2]", namespaces=W)(docx.Document(io.BytesIO(redline)).element)[0]
    assert "".join(etree.XPath(".//w:delText/text()", namespaces=W)(cell)) == "未评价"
    assert rejected(redline) == paragraph_texts(old) and accepted(redline) == paragraph_texts(new)


def test_the_same_report_twice_has_no_change_marked():
    redline = redline_docx(NEW, NEW, AT)
    assert tracked_texts(redline, "ins") == tracked_texts(redline, "del") == []
    assert paragraph_texts(redline) == paragraph_texts(NEW)
