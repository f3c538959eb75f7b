"""The Word template and the report context agree; rendering escapes what users type."""

import io
from pathlib import Path

import docx
import pytest

from flows.adapters.docx_renderer import TemplateContextError, render_docx, template_variables
from flows.domain.quality import QualityVerdict, RuleResult
from tests.conftest import report_parts

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "report.docx"
UNIT = "312001"


@pytest.fixture(scope="module")
def parts(sample_inputs, reference):
    warning = RuleResult("LED-010", "ledger_rows", "warning", "completeness", "分录摘要为空", False, 2)
    return report_parts(sample_inputs, reference, QualityVerdict(UNIT, (warning,)))


@pytest.fixture(scope="module")
def context(parts):
    return parts[0]


@pytest.fixture(scope="module")
def images(parts):
    return parts[1]


def test_template_uses_exactly_the_context(context):
    assert template_variables(TEMPLATE) == set(context)


def test_missing_variable_is_an_error(context):
    partial = {k: v for k, v in context.items() if k != "organization"}
    with pytest.raises(TemplateContextError, match="organization"):
        render_docx(TEMPLATE, partial, images)


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_special_characters_survive_verbatim(context, images):
    hostile = {**context, "functions": 'R&D <青年> "引号" \'单引号\' & 更多'}
    assert 'R&D <青年> "引号" \'单引号\' & 更多' in _text(render_docx(TEMPLATE, hostile, images))


def test_unexplained_warning_is_shown_pending(context, images):
    text = _text(render_docx(TEMPLATE, context, images))
    assert "LED-010" in text and "分录摘要为空（2处）" in text and "待说明" in text


def test_charts_carry_alt_text(context, images):
    document = docx.Document(io.BytesIO(render_docx(TEMPLATE, context, images)))
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert descriptions == [alt for _, alt in images.values()] and len(descriptions) == 3
    assert all("万元" in d or "分" in d for d in descriptions)


def test_attached_tables_and_score_are_in_the_report(context, images):
    text = _text(render_docx(TEMPLATE, context, images))
    assert "部门整体支出绩效评价基础数据表" in text and "部门整体支出绩效自评表" in text
    assert f"评价等级：{context['evaluation']['grade']}" in text and context["f"]["evaluation_total"] in text


def test_a_changed_template_is_read_again(tmp_path, context, images):
    # Variables and compiled parts are kept per process; a template edited in place must not render as before.
    edited = tmp_path / "report.docx"
    edited.write_bytes(TEMPLATE.read_bytes())
    assert template_variables(edited) == set(context)
    first = _text(render_docx(edited, context, images))
    document = docx.Document(str(edited))
    document.add_paragraph("附注：{{ added_note }}")
    document.save(str(edited))
    assert template_variables(edited) == {*context, "added_note"}
    with pytest.raises(TemplateContextError, match="added_note"):
        render_docx(edited, context, images)
    again = _text(render_docx(edited, {**context, "added_note": "新增说明"}, images))
    assert "附注：新增说明" in again and "新增说明" not in first
