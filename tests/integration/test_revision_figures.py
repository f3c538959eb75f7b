"""The 修订说明 lists every printed figure that changed: the manifest's figures are the whole registry.

A corrected ledger amount is rendered twice in-process (as the render task does); every number
whose printed text differs between the two reports must be a changed figure of describe_revision.
"""

from __future__ import annotations

import difflib
import io
import re
from pathlib import Path

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph

from flows import unit_pipeline
from flows.adapters.project_files import project_root
from flows.domain.revision import describe_revision
from tests.conftest import render_sample
from tests.fixtures.bad_inputs import add_to_first_debit, edit_csv

NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")


def _render(data: Path) -> unit_pipeline.RenderedReport:
    return render_sample(data)[2]


def _blocks(data: bytes) -> list[str]:
    """Each paragraph and each table cell of the body, in document order."""
    document = docx.Document(io.BytesIO(data))
    blocks = []
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            blocks.append(Paragraph(element, document).text)
        elif element.tag.endswith("}tbl"):
            blocks += [cell.text for row in Table(element, document).rows for cell in row.cells]
    return blocks


def _changed_numbers(old: bytes, new: bytes) -> tuple[set[tuple[str, str]], set[str], set[str]]:
    """(old, new) of every number that changed in place, and the numbers of paragraphs that
    disappeared or appeared (a 尾差 note comes and goes with the rounding)."""
    old_blocks, new_blocks = _blocks(old), _blocks(new)
    changed, removed, added = set(), set(), set()
    matcher = difflib.SequenceMatcher(a=old_blocks, b=new_blocks, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            continue
        if operation == "replace" and i2 - i1 == j2 - j1:
            for before, after in zip(old_blocks[i1:i2], new_blocks[j1:j2], strict=True):
                old_numbers, new_numbers = NUMBER.findall(before), NUMBER.findall(after)
                assert len(old_numbers) == len(new_numbers), (before, after)
                changed |= {(a, b) for a, b in zip(old_numbers, new_numbers, strict=True) if a != b}
        else:
            removed |= {n for block in old_blocks[i1:i2] for n in NUMBER.findall(block)}
            added |= {n for block in new_blocks[j1:j2] for n in NUMBER.findall(block)}
    return changed, removed, added


@pytest.mark.parametrize("yuan", [1000, 50])
def test_every_number_that_changed_in_the_report_is_in_the_revision(data_copy, yuan):
    before = _render(data_copy)
    edit_csv(data_copy, add_to_first_debit(yuan))
    after = _render(data_copy)

    revision = describe_revision({"figures": before.figures.manifest_figures()}, after.figures.manifest_figures(), {})
    listed = {(c["old"], c["new"]) for c in revision["changed_figures"]}

    changed, removed, added = _changed_numbers(before.docx, after.docx)
    assert changed, "the correction changes no printed figure"
    assert changed <= listed, f"printed but not in the 修订说明: {sorted(changed - listed)}"
    assert removed <= {old for old, _ in listed} and added <= {new for _, new in listed}
    # And the other way round: what the 修订说明 lists is what the report prints.
    new_text = "".join(_blocks(after.docx))
    assert all(c["new"] in new_text for c in revision["changed_figures"])
    assert any(c["figure"] == "全年执行数" for c in revision["changed_figures"])


def test_the_workpaper_lists_every_registry_figure_with_its_source_rows():
    from openpyxl import load_workbook

    report = _render(project_root() / "data")
    book = load_workbook(io.BytesIO(report.workpaper), read_only=True)
    listed = {row[0]: row for row in list(book["报告数据"].iter_rows(values_only=True))[1:]}
    assert list(listed) == [figure.key for figure in report.figures]
    for figure in report.figures:
        _key, label, _kind, fen, printed, _ids = listed[figure.key]
        assert (label, fen, printed) == (figure.label, figure.fen, figure.printed)
    lineage = {row[0]: row for row in list(book["指标"].iter_rows(values_only=True))[1:]}
    # Amounts with source rows (指标 / 来源行 sheets) re-add to exactly what the report prints.
    for key in ("actual", "basic", "public", "named_projects", "initial_budget", "adjusted_budget",
                "amount.公用经费.actual", "amount.公务接待.prior_actual", "amount.年度资金总额.actual"):
        assert listed[key][5], f"{key} has no source rows"
    # Every summed amount of the attached tables too (政府采购金额 is declared in the profile, not summed).
    for figure in report.figures:
        if figure.key.startswith(("amount.", "line.")) and figure.kind == "money" and figure.fen is not None \
                and "政府采购金额" not in figure.key:
            assert listed[figure.key][5], f"{figure.key} has no source rows"
    # And every amount the workpaper explains is one the report prints (no row for last year's ended projects).
    referenced = {i for row in listed.values() if row[5] for i in row[5].split("、")}
    assert set(lineage) <= referenced, sorted(set(lineage) - referenced)[:5]
    joined = [(key, row[5]) for key, row in listed.items() if row[5]]
    assert len(joined) >= 60
    for key, figure_ids in joined:
        assert all(lineage[i][4] == report.figures.text(key) for i in figure_ids.split("、")), key
