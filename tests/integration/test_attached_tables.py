"""附件1 and 附件2 as the official Hunan tables: rows, order and headers, and the same figure wherever it is printed.

The official row and column lists below are those of the published Hunan 基础数据表 and 自评表
(the project's reference on real exports, §2); the sample department is rendered with last year's data.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import docx
import docx.oxml.ns
import pytest

from flows import unit_pipeline
from flows.adapters.docx_renderer import render_docx
from flows.adapters.project_files import load_reference, project_root
from flows.domain.attached_tables import DrawnTable
from flows.domain.attachments import report_attachments
from flows.domain.evaluation import evaluate_performance
from flows.domain.figures import build_figures
from flows.domain.profile import Indicator
from flows.domain.quality import QualityVerdict
from flows.domain.report_context import build_report_context
from tests.conftest import SAMPLE_UNIT, render_sample

OFFICIAL_CONTROL_ROWS = ["三公经费", "1、公务用车购置和维护经费", "其中：公车购置", "公车运行维护", "2、出国经费", "3、公务接待",
                         "项目支出", "公用经费", "其中：办公经费", "水费、电费、差旅费", "会议费、培训费", "政府采购金额",
                         "部门基本支出预算调整"]
OFFICIAL_BUILDING_COLUMNS = ["批复规模（㎡）", "实际规模（㎡）", "规模控制率", "预算投资（万元）", "实际投资（万元）", "投资概算控制率"]
OFFICIAL_BUDGET_COLUMNS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "自评得分"]
OFFICIAL_BY_SOURCE = ["合计", "其中：一般公共预算", "政府性基金拨款", "纳入专户管理的非税收入拨款", "其他资金"]
OFFICIAL_BY_KIND = ["合计", "其中：基本支出", "项目支出"]
OFFICIAL_INDICATOR_COLUMNS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "自评得分", "偏差原因分析及改进措施"]


@pytest.fixture(scope="module")
def sample():
    """The sample department rendered with last year's data: (pipeline pieces, drawn tables, report .docx)."""
    books, result, report = render_sample(project_root() / "data")
    reference = load_reference(2024)
    tables = report_attachments(reference.evaluation.attachment_layout, reference.evaluation.attachment_layout_file,
                                books.profile, result.evaluation, result.amounts, report.figures, 2024)
    return books, result, report, tables


def _docx_rows(data: bytes, title_words: str) -> list[list[str]]:
    """The rows of the .docx table that follows the paragraph naming `title_words`, each merged cell once."""
    document = docx.Document(io.BytesIO(data))
    body = list(document.element.body)
    # The last paragraph naming it: the 附件说明 above the 落款 names every attachment too.
    title = max(i for i, e in enumerate(body)
                if e.tag.endswith("}p") and "".join(t.text or "" for t in e.iter(docx.oxml.ns.qn("w:t"))).endswith(title_words))
    element = next(e for e in body[title:] if e.tag.endswith("}tbl"))
    table = next(t for t in document.tables if t._tbl is element)
    rows = []
    for row in table.rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                texts.append(cell.text)
        rows.append(texts)
    return rows


def _row_starting(rows: list[list[str]], first: str) -> list[str]:
    return next(r for r in rows if r and r[0] == first)


def test_attachment_1_has_the_official_rows_in_order_with_the_years_in_its_headers(sample):
    _, _, report, _ = sample
    rows = _docx_rows(report.docx, "部门整体支出绩效评价基础数据表")
    assert rows[0] == ["财政供养人员情况（人）", "编制数", "2024年实际在职人数", "控制率"]       # one row, not a vertical block
    assert _row_starting(rows, "经费控制情况（万元）")[1:] == ["2023年决算数", "2024年预算数", "2024年决算数"]
    labels = [r[0] for r in rows]
    control = labels[labels.index("三公经费"): labels.index("部门基本支出预算调整") + 1]
    projects = [label for label in control if re.match(r"^\d+、", label) and label not in OFFICIAL_CONTROL_ROWS]
    assert [label for label in control if label not in projects] == OFFICIAL_CONTROL_ROWS
    # One line per project, every fund (其它资金 too), between 项目支出 and 公用经费, numbered 1、2、…
    assert control.index("项目支出") < control.index(projects[0]) and control.index(projects[-1]) < control.index("公用经费")
    assert [p.split("、")[0] for p in projects] == [str(n) for n in range(1, len(projects) + 1)]
    assert _row_starting(rows, "楼堂馆所控制情况（2024年完工项目）")
    assert _row_starting(rows, "批复规模（㎡）") == OFFICIAL_BUILDING_COLUMNS
    assert _row_starting(rows, "厉行节约保障措施")
    assert rows[-1][0].startswith("说明：项目支出需要填报基本支出以外的所有项目支出情况，公用经费填报基本支出中的一般商品和服务支出")


def test_attachment_2_has_the_official_blocks_side_by_side_and_its_last_column_is_the_self_score(sample):
    books, _, report, _ = sample
    rows = _docx_rows(report.docx, "部门整体支出绩效自评表")
    assert rows[0] == ["预算部门、单位名称", books.profile.name]
    assert _row_starting(rows, "年度预算申请（万元）")[1:] == OFFICIAL_BUDGET_COLUMNS
    assert _row_starting(rows, "年度资金总额")
    start = rows.index(["按收入性质分", "按支出性质分"])
    block = rows[start + 1: start + 1 + len(OFFICIAL_BY_SOURCE)]
    assert [r[0] for r in block] == OFFICIAL_BY_SOURCE
    assert [r[2] for r in block if len(r) > 2 and r[2]] == OFFICIAL_BY_KIND
    assert _row_starting(rows, "年度总体目标")[1:] == ["预期目标", "实际完成情况"]
    assert _row_starting(rows, "绩效指标")[1:] == OFFICIAL_INDICATOR_COLUMNS
    assert _row_starting(rows, "总分")


def _cell_texts(tables: tuple[DrawnTable, ...], key: str) -> dict[str, str]:
    """figure key → printed text of every numeric cell of one attachment."""
    table = next(t for t in tables if t.key == key)
    return {cell.figure: cell.text for row in table.rows for cell in row if cell.figure}


def test_the_body_and_both_attachments_print_one_figure_for_one_thing(sample):
    _, result, report, tables = sample
    f, m = report.figures, result.metrics
    basic_data, self_evaluation = _cell_texts(tables, "basic_data"), _cell_texts(tables, "self_evaluation")
    # 项目支出: every expenditure outside 基本支出, all funds, in both attachments and as 全年执行数 − 基本支出.
    assert basic_data["amount.项目支出.actual"] == self_evaluation["amount.项目支出.actual"]
    assert f["amount.项目支出.actual"].fen == m.actual_fen - m.basic_fen == m.named_projects_fen + m.other_funds_fen
    # Body figures and their attachment cells.
    pairs = {"amount.三公经费.actual": "sangong_total", "amount.公用经费.actual": "public",
             "amount.年度资金总额.initial": "initial_budget", "amount.年度资金总额.adjusted": "adjusted_budget",
             "amount.年度资金总额.actual": "actual", "amount.基本支出.actual": "basic"}
    printed = {**basic_data, **self_evaluation}
    for cell_key, body_key in pairs.items():
        assert printed[cell_key] == f.text(body_key), cell_key
    # 按收入性质分 adds up to the 合计 (exactly, in fen), and so does 按支出性质分.
    by_source = ["一般公共预算", "政府性基金拨款", "纳入专户管理的非税收入拨款", "其他资金"]
    assert sum(f[f"amount.{name}.actual"].fen for name in by_source) == m.actual_fen
    # The per-project lines of 附件1 add up to its 项目支出 in fen.
    lines = [figure.fen for figure in f if figure.key.startswith("line.项目支出.") and figure.key.endswith(".actual")]
    assert sum(lines) == f["amount.项目支出.actual"].fen


def test_the_printed_points_column_of_attachment_2_adds_up_to_its_printed_total(sample):
    tables = sample[3]
    table = next(t for t in tables if t.key == "self_evaluation")
    points = [Decimal(cell.text) for row in table.rows for cell in row if cell.figure.startswith("score.") and
              cell.figure.endswith(".points")]
    total_row = next(row for row in table.rows if row[0].text == "总分")
    assert sum(points) == Decimal(total_row[1].text) == Decimal("100.00")


def _with_indicators(books, count: int):
    indicators = [Indicator(level1="产出指标", level2="数量指标", name=f"指标{n}", unit="个", target=10, actual=10)
                  for n in range(count)]
    kept = [i for i in books.profile.indicators if i.level1 != "产出指标"]
    return books.profile.model_copy(update={"indicators": [*indicators, *kept] if count else kept})


def _draw(books, result, profile):
    reference = load_reference(2024)
    evaluation = evaluate_performance(reference.evaluation.indicator_library, result.metrics.rates(result.prior),
                                      profile.indicators)
    layout = reference.evaluation.attachment_layout
    figures = build_figures(result.metrics, profile, evaluation, layout, result.amounts, QualityVerdict(SAMPLE_UNIT, ()))
    tables = report_attachments(layout, reference.evaluation.attachment_layout_file, profile, evaluation, result.amounts,
                                figures, 2024)
    return reference, evaluation, figures, tables


def test_thirty_output_indicators_print_points_that_add_up_to_the_printed_total(sample):
    books, result, _, _ = sample
    _, _, figures, tables = _draw(books, result, _with_indicators(books, 30))
    table = next(t for t in tables if t.key == "self_evaluation")
    points = [Decimal(c.text) for row in table.rows for c in row if c.figure.startswith("score.") and c.figure.endswith(".points")]
    assert len(points) > 30
    assert sum(points) == Decimal(figures.text("evaluation_points_total")) == Decimal("100.00")


def test_a_department_without_output_indicators_reads_not_evaluated_instead_of_a_grade(sample):
    books, result, _, _ = sample
    profile = _with_indicators(books, 0)
    reference, evaluation, figures, tables = _draw(books, result, profile)
    context = build_report_context(figures, result.metrics, profile, QualityVerdict(SAMPLE_UNIT, ()), reference, evaluation, tables)
    images = unit_pipeline.report_charts(result.metrics, evaluation)
    document = docx.Document(io.BytesIO(render_docx(Path(project_root() / "templates" / "report.docx"), context, images)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "产出指标没有填报指标，本年度自评为“未评价”" in text
    assert "综合得分—分" not in text and "评价等级为“优”" not in text
    total_row = next(row for row in next(t for t in tables if t.key == "self_evaluation").rows if row[0].text == "总分")
    assert [c.text for c in total_row[2:]] == ["—", "评价等级：未评价"]


def test_the_workpaper_states_every_definition_with_its_source(sample):
    from openpyxl import load_workbook

    _, _, report, _ = sample
    rows = list(load_workbook(io.BytesIO(report.workpaper), read_only=True)["口径"].iter_rows(values_only=True))
    stated = {name: (definition, source) for name, definition, source in rows[1:]}
    assert stated["项目支出"][0].startswith("基本支出以外的全部支出") and "说明" in stated["项目支出"][1]
    assert "302" in stated["公用经费"][0] and "年初预算" in stated["公用经费"][0]
    assert set(stated) == set(load_reference(2024).evaluation.attachment_layout.measures)
