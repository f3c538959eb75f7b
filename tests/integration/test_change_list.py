"""After finance corrects an export, v2 says exactly what changed: in 修订说明.txt (every printed
figure, every input cell by file, row and the file's own column words) and in 修订对照.docx (the
new report with Word tracked changes against v1's).

The sample department is published twice in-process, as the render and publish tasks do, with
one ledger amount corrected in between.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import docx
import pytest
from lxml import etree

from flows import unit_pipeline
from flows.adapters import output_folder
from flows.adapters.catalog import unit_folder
from flows.adapters.data_folder import read_year_inputs
from flows.adapters.project_files import load_reference, project_root
from flows.domain.input_changes import compare_rows, input_rows
from flows.domain.quality import QualityVerdict
from flows.domain.revision import change_summary, describe_revision, revision_text
from tests.conftest import SAMPLE_UNIT, docx_text_via_libreoffice
from tests.fixtures.bad_inputs import CSV, XLSX, add_to_first_debit, edit_csv, edit_xlsx, first_row, read_rows
from tests.fixtures.tracked_changes import W, accepted, paragraph_texts, rejected, tracked_texts

NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")
FIGURE_LINE = re.compile(r"^\s+\d+\. (.+?)：(.+?) → (.+)$")


def _publish(data: Path, out: Path) -> tuple[Path, unit_pipeline.RenderedReport]:
    reference, prior_reference = load_reference(2024), load_reference(2023)
    books = unit_pipeline.UnitBooks(read_year_inputs(data, 2024, reference), read_year_inputs(data, 2023, prior_reference))
    workspace = unit_pipeline.Workspace(reference, project_root() / "templates" / "report.docx", out,
                                        prior_reference=prior_reference)
    result = unit_pipeline.evaluate(books, workspace)
    check = unit_pipeline.QualityCheck(QualityVerdict(SAMPLE_UNIT, ()), data / "no-data-docs", "test")
    report = unit_pipeline.render(books, workspace, result, check)
    digest = hashlib.sha256((data / CSV).read_bytes()).hexdigest()
    fingerprint = {"fingerprint": digest, f"input:{CSV}": digest}
    previous = output_folder.latest_manifest(unit_folder(out, 2024, SAMPLE_UNIT))
    return unit_pipeline.publish(books, workspace, result, check, report, fingerprint, previous), report


class Corrected:
    """v1 and v2 of the sample department, the first 7101 debit grown by `yuan` in between."""

    def __init__(self, tmp: Path, yuan: int):
        data = tmp / "data"
        shutil.copytree(project_root() / "data", data, ignore=shutil.ignore_patterns("*.py"))
        rows = read_rows(data / CSV)
        self.row = first_row(rows, "会计科目编码", "7101")
        self.old_debit = rows[self.row][rows[0].index("借方金额")]
        self.v1, self.before = _publish(data, tmp / "out")
        edit_csv(data, add_to_first_debit(yuan))
        self.new_debit = read_rows(data / CSV)[self.row][rows[0].index("借方金额")]
        self.v2, self.after = _publish(data, tmp / "out")
        self.note = (self.v2 / "修订说明.txt").read_text(encoding="utf-8")
        self.manifest = json.loads((self.v2 / "manifest.json").read_text(encoding="utf-8"))
        self.redline = (self.v2 / "修订对照.docx").read_bytes()

    def changed_figures(self) -> dict[str, tuple[str | None, str | None]]:
        """label → (old, new) printed text of every figure whose print differs between v1 and v2."""
        old = {f.label: f.printed for f in self.before.figures}
        new = {f.label: f.printed for f in self.after.figures}
        return {label: (old.get(label), new.get(label)) for label in old | new if old.get(label) != new.get(label)}


@pytest.fixture(scope="module", params=[1000, 50], ids=["1000-yuan", "50-yuan"])
def corrected(request, tmp_path_factory) -> Corrected:
    # The Prefect UI listing of the outputs needs a flow run; the files are what is tested here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(unit_pipeline, "publish_outputs", lambda *args, **kwargs: None)
        return Corrected(tmp_path_factory.mktemp(f"change-list-{request.param}"), request.param)


def test_the_revision_note_lists_every_printed_figure_that_changed_and_no_other(corrected):
    changed = corrected.changed_figures()
    assert "全年执行数" in changed
    section = corrected.note.split("一、", 1)[1].split("二、", 1)[0]
    listed = {m[1]: (m[2], m[3]) for line in section.splitlines() if (m := FIGURE_LINE.match(line))}
    assert listed == {label: (old or "—", new or "—") for label, (old, new) in changed.items()}


def test_the_redline_marks_each_changed_figure_inserted_and_its_old_print_deleted_and_nothing_else(corrected):
    changed = corrected.changed_figures()
    inserted = [n for text in tracked_texts(corrected.redline, "ins") for n in NUMBER.findall(text)]
    deleted = [n for text in tracked_texts(corrected.redline, "del") for n in NUMBER.findall(text)]
    assert inserted and deleted
    assert {new for _, new in changed.values() if new} <= set(inserted)
    assert {old for old, _ in changed.values() if old} <= set(deleted)
    # Nothing unchanged is marked: every marked number is the new or old print of a changed figure.
    assert set(inserted) <= {new for _, new in changed.values()}
    assert set(deleted) <= {old for old, _ in changed.values()}


def test_the_revision_note_names_the_corrected_cell_by_file_row_and_the_files_own_column(corrected):
    # rows[n] of the CSV is line n + 1 of the file (line 1 is the header).
    assert f"{CSV} 第 {corrected.row + 1} 行「借方金额」：{corrected.old_debit} → {corrected.new_debit}" in corrected.note
    rows = corrected.manifest["revision"]["changed_rows"]
    assert rows["total"] == 1, "the 8001 counterpart line is not a row the report is built from"
    assert rows["files"] == [{"file": CSV, "status": "修改", "cells": 1, "added": 0, "removed": 0, "total": 1}]
    assert (corrected.v1 / "inputs.parquet").exists() and (corrected.v2 / "inputs.parquet").exists()


def test_a_line_inserted_into_the_xlsx_is_one_added_row_and_a_later_correction_names_its_new_and_old_row(data_copy):
    reference = load_reference(2024)
    before = read_year_inputs(data_copy, 2024, reference)

    def change(book):
        sheet = book.active
        sheet.cell(37, 12).value = 1250.00                 # 借方 of 记-0725, 331.86 before
        sheet.insert_rows(20)                              # a forgotten line of 记-0713, above it
        for column, value in enumerate([c.value for c in sheet[21]], start=1):
            sheet.cell(20, column).value = value
        sheet.cell(20, 3).value, sheet.cell(20, 6).value, sheet.cell(20, 12).value = 2, "补记：缴纳水费", 88.00

    edit_xlsx(data_copy, change)
    after = read_year_inputs(data_copy, 2024, reference)
    headers = {**after.ledger_accounting.headers, **after.budget_accounting.headers}
    changes = compare_rows(input_rows(before.ledger, before.budget), input_rows(after.ledger, after.budget), headers)
    note = revision_text("共青团衡阳市委", 2024, "v2", describe_revision({"version": "v1"}, {}, {}, changes))
    assert changes.total == 2, note
    # Values as the report reads them: the voucher number without its leading zeros.
    assert f"{XLSX} 第 20 行：新增一行（日期 2024-07-04，凭证字号 记-713，摘要 补记：缴纳水费，借方 88.00）" in note
    assert f"{XLSX} 第 38 行（原第 37 行）「借方」：331.86 → 1,250.00" in note


def test_the_terminal_says_in_one_line_how_many_figures_and_input_cells_changed(corrected):
    line = change_summary(corrected.manifest["revision"])
    figures = len(corrected.changed_figures())
    assert line.startswith(f"与 v1 相比变化：{figures} 项数据（例：") and "，输入 1 处" in line
    assert "修订说明.txt" in line and len(line) < 120


def test_accepting_every_change_gives_v2_and_rejecting_every_change_gives_v1(corrected):
    assert accepted(corrected.redline) == paragraph_texts(corrected.after.docx)
    assert rejected(corrected.redline) == paragraph_texts((corrected.v1 / "report.docx").read_bytes())


def test_tracked_changes_are_by_jixiao_with_a_date_and_ids_of_their_own(corrected):
    root = docx.Document(io.BytesIO(corrected.redline)).element
    changes = etree.XPath("//w:ins | //w:del", namespaces=W)(root)
    assert changes
    assert {c.get(f"{{{W['w']}}}author") for c in changes} == {"Jixiao"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c.get(f"{{{W['w']}}}date")) for c in changes)
    ids = [value for value in etree.XPath("//@w:id", namespaces=W)(root)]
    assert len(ids) == len(set(ids))


@pytest.mark.slow
def test_the_redline_opens_in_libreoffice_with_the_old_and_new_figures(corrected):
    changed = corrected.changed_figures()
    text = docx_text_via_libreoffice(corrected.v2 / "修订对照.docx")
    old, new = changed["全年执行数"]
    assert old in text and new in text
    assert "部门整体支出绩效自评报告" in text
