"""The Word template and the report context agree; rendering escapes what users type."""

import io
from pathlib import Path

import docx
import pytest

from flows.adapters.docx_renderer import TemplateContextError, render_docx, template_variables
from flows.domain.metrics import compute_department_metrics
from flows.domain.quality import QualityVerdict, RuleResult
from flows.domain.report_context import PENDING_EXPLANATION, build_report_context

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "report.docx"
UNIT = "312001"


@pytest.fixture(scope="module")
def context(sample_inputs, reference):
    profile = sample_inputs.profiles[UNIT]
    metrics = compute_department_metrics(sample_inputs.ledger, sample_inputs.budget, profile, reference, 2024)
    warning = RuleResult("LED-010", "ledger_rows", "warning", "completeness", "分录摘要为空", False, 2)
    return build_report_context(metrics, profile, QualityVerdict(UNIT, (warning,)), reference)


def test_template_uses_exactly_the_context(context):
    assert template_variables(TEMPLATE) == set(context)


def test_missing_variable_is_an_error(context):
    partial = {k: v for k, v in context.items() if k != "organization"}
    with pytest.raises(TemplateContextError, match="organization"):
        render_docx(TEMPLATE, partial)


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_special_characters_survive_verbatim(context):
    hostile = {**context, "functions": 'R&D <青年> "引号" \'单引号\' & 更多'}
    assert 'R&D <青年> "引号" \'单引号\' & 更多' in _text(render_docx(TEMPLATE, hostile))


def test_unexplained_warning_is_shown_pending(context):
    text = _text(render_docx(TEMPLATE, context))
    assert "LED-010" in text and PENDING_EXPLANATION in text
