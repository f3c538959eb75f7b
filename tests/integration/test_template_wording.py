"""The Word template is the source of the wording: an office edits a sentence in Word, the report follows."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest

from flows.adapters.docx_renderer import render_docx
from flows.domain.quality import QualityVerdict
from tests.conftest import SAMPLE_UNIT, report_parts

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "report.docx"


@pytest.fixture(scope="module")
def parts(sample_inputs, reference):
    return report_parts(sample_inputs, reference, QualityVerdict(SAMPLE_UNIT, ()))


def _report_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _edit_paragraph(path: Path, containing: str, old: str, new: str, run_length: int | None = None) -> None:
    """Change fixed words of one paragraph as Word saves them: in the runs, here optionally cut
    into runs of `run_length` characters, so tags and words straddle run boundaries."""
    document = docx.Document(str(path))
    paragraph = next(p for p in document.paragraphs if containing in p.text)
    text = paragraph.text.replace(old, new)
    assert text != paragraph.text
    first = paragraph.runs[0]
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    pieces = [text] if run_length is None else [text[i:i + run_length] for i in range(0, len(text), run_length)]
    first.text = pieces[0]
    for piece in pieces[1:]:
        paragraph.add_run(piece, first.style).font.bold = first.font.bold
    document.save(str(path))


def test_the_sample_wording_comes_from_the_template(parts):
    context, images = parts
    text = _report_text(render_docx(TEMPLATE, context, images))
    f = context["f"]
    assert (f"{context['year']}年{context['unit']['short_name']}年初预算{f['initial_budget']}万元，"
            f"年中追加调整后全年预算{f['adjusted_budget']}万元；") in text


@pytest.mark.parametrize("run_length", [None, 5], ids=["one-run", "split-runs"])
def test_a_sentence_edited_in_word_appears_in_the_report_with_its_figures(parts, tmp_path, run_length):
    context, images = parts
    template = tmp_path / "report.docx"
    shutil.copyfile(TEMPLATE, template)
    _edit_paragraph(template, "年中追加调整后全年预算", "年中追加调整后全年预算", "经年中追加、调整，全年预算为", run_length)
    _edit_paragraph(template, "“三公”经费支出", "，其中：", "。分项为：", run_length)

    text = _report_text(render_docx(template, context, images))

    f = context["f"]
    assert f"年初预算{f['initial_budget']}万元，经年中追加、调整，全年预算为{f['adjusted_budget']}万元；" in text
    assert "年中追加调整后全年预算" not in text
    # The conditional and the loop in the same paragraph still work on the edited wording.
    assert f"上年同期支出{f['prior_actual']}万元" not in text          # no last year in this context
    first = context["sangong"]["items"][0]
    assert f"“三公”经费支出{f['sangong_total']}万元。分项为：{first['name']}{first['amount']}万元，" in text
    assert "{{" not in text and "{%" not in text


def test_a_reviewer_keeps_drops_or_rewrites_a_drafted_finding_in_the_profile(sample_inputs, reference):
    import dataclasses

    profile = sample_inputs.profiles[SAMPLE_UNIT]

    def rendered(decisions: dict[str, str], marks: bool) -> str:
        decided = profile.model_copy(update={"drafted_findings": decisions})
        inputs = dataclasses.replace(sample_inputs, profiles={**sample_inputs.profiles, SAMPLE_UNIT: decided})
        context, images = report_parts(inputs, reference, QualityVerdict(SAMPLE_UNIT, ()))
        return _report_text(render_docx(TEMPLATE, {**context, "review_marks": marks}, images))

    undecided = rendered({}, True)          # the sample's budget grew far above its initial budget
    assert "【系统起草】预算调整幅度较大" in undecided and "请核实后保留或删除" in undecided
    kept = rendered({"budget_adjusted": "保留"}, True)
    assert "预算调整幅度较大" in kept and "【系统起草】预算调整幅度较大" not in kept, "a kept finding is no longer a draft"
    assert "预算调整幅度较大" not in rendered({"budget_adjusted": "删除"}, True)
    sentence = "年中追加主要用于第三届湖南旅游发展大会志愿服务，已按规定履行预算调整程序。"
    rewritten = rendered({"budget_adjusted": sentence}, False)
    assert sentence in rewritten and "预算调整幅度较大" not in rewritten
