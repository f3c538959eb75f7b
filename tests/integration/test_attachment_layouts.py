"""A locality's attached tables are a layout file: choosing another one changes 附件1 and 附件2 with no
code change, and a mistake in a layout is a Chinese configuration error naming the file."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from flows.adapters.docx_renderer import render_docx
from flows.adapters.project_files import load_reference
from flows.domain.errors import ConfigError, ReportError
from flows.domain.quality import QualityVerdict
from tests.conftest import ROOT, SAMPLE_UNIT, docx_text_via_libreoffice, report_parts

LAYOUT = "hunan-2018"
LAYOUT_FILE = f"config/attachments/{LAYOUT}.yaml"
UNIT_NAME = "共青团衡阳市委"
BASIC_TITLE = f"{UNIT_NAME}2024年度部门整体支出绩效评价基础数据表"
INDICATOR_TITLE = f"{UNIT_NAME}2024年度部门整体支出绩效评价指标表"

# 附件1 of the FY2018 layout, top to bottom: the one-row staff line, the 经费控制情况 header with its
# year columns, the rows and the note.
BASIC_LINES = [
    "财政供养人员情况（人）", "编制数", "实际在职人数", "控制率",
    "经费控制情况", "2023年决算数", "2024年预算数", "2024年决算数",
    "“三公”经费合计", "1.因公出国（境）经费", "2.公务用车购置及运行维护费", "（1）公务用车购置", "（2）公务用车运行维护",
    "3.公务接待费", "公用经费", "项目支出",
]
INDICATOR_HEADERS = ["部门（单位）名称", "一级指标", "二级指标", "三级指标", "分值", "目标值", "实际值", "得分", "备注"]
# Rows only the official 2021+ tables (hunan.yaml) have.
HUNAN_ONLY = ["政府性基金拨款", "纳入专户管理的非税收入拨款", "楼堂馆所控制情况", "厉行节约保障措施", "政府采购金额",
              "部门基本支出预算调整", "按收入性质分", "年度预算申请（万元）", "年度总体目标", "部门整体支出绩效自评表",
              "其中：办公经费"]


def _project(root: Path, layout: str = LAYOUT, library: str | None = None,
             edit: Callable[[dict], None] | None = None) -> Path:
    """A project root with a copy of config/: `attachment_layout` (and optionally the indicator
    library) switched, and the hunan-2018 layout optionally edited."""
    shutil.copytree(ROOT / "config", root / "config")
    settings = root / "config" / "evaluation.yaml"
    evaluation = yaml.safe_load(settings.read_text(encoding="utf-8"))
    evaluation["attachment_layout"] = layout
    if library is not None:
        evaluation["indicator_library"] = library
    settings.write_text(yaml.safe_dump(evaluation, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if edit is not None:
        path = root / LAYOUT_FILE
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def _verdict() -> QualityVerdict:
    return QualityVerdict(SAMPLE_UNIT, ())


@pytest.fixture(scope="module")
def parts(sample_inputs, tmp_path_factory):
    """The sample report's context and charts with the FY2018 layout and an indicator library of the
    same scheme (投入 / 过程 / 产出及效果), the reference loaded from the edited project root."""
    reference = load_reference(2024, root=_project(tmp_path_factory.mktemp("hunan-2018"), library="hunan-2017"))
    return report_parts(sample_inputs, reference, _verdict())


@pytest.fixture(scope="module")
def attachments_text(parts, tmp_path_factory) -> str:
    """What LibreOffice reads of the rendered report, from 附件1 to the end."""
    context, images = parts
    docx = tmp_path_factory.mktemp("report") / "report.docx"
    docx.write_bytes(render_docx(ROOT / "templates" / "report.docx", context, images))
    text = docx_text_via_libreoffice(docx)
    return text[text.index(f"附件1\n{BASIC_TITLE}"):]


def _in_order(lines: list[str], wanted: list[str], start: int = 0) -> int:
    """Index of the last wanted line, each found as a whole line after the one before it."""
    for line in wanted:
        assert line in lines[start:], f"{line!r} missing (or out of order) in the attached tables"
        start = lines.index(line, start) + 1
    return start - 1


@pytest.mark.slow
def test_choosing_the_hunan_2018_layout_prints_its_tables_in_the_report_without_code_changes(parts, attachments_text):
    lines = [line.strip() for line in attachments_text.splitlines()]
    f = parts[0]["f"]

    at = _in_order(lines, ["附件1", BASIC_TITLE, "金额单位：万元", *BASIC_LINES])
    assert lines[at + 1:at + 4] == ["—", f["amount.项目支出.budget"], f["amount.项目支出.actual"]]
    public = lines.index("公用经费")
    assert lines[public + 1:public + 4] == ["—", f["amount.公用经费.budget"], f["public"]], "公用经费 as in the body"
    staff = lines.index("编制数")
    assert lines[staff + 1] == f["staff_authorized"] and lines[staff + 3] == f["staff_in_post"]
    assert any(line.startswith("说明：“三公”经费为财政拨款资金口径") for line in lines[at:])

    at = _in_order(lines, ["附件2", INDICATOR_TITLE, *INDICATOR_HEADERS], at)
    at = _in_order(lines, ["投入", "在职人员控制率", "过程", "预算完成率", "产出及效果", "总分"], at)
    assert lines[at + 1:at + 4] == [f["evaluation_points_total"], f["evaluation_grade"], f["evaluation_total"]]

    for label in HUNAN_ONLY:
        assert label not in attachments_text, f"{label} belongs to hunan.yaml, not to the FY2018 layout"
    project = parts[0]["projects"][0]["name"]
    assert project not in attachments_text, "项目支出 is one line: no line per project"


def test_the_hunan_2018_indicator_table_merges_repeated_first_and_second_level_cells(parts):
    indicator_table = parts[0]["attachments"][1]
    rows = [row["cells"] for row in indicator_table["rows"][2:-1]]     # between the header and the 总分 row
    first_levels = [(row[0]["text"], row[0]["merge"]) for row in rows]
    # A cell merged into the one above holds no text of its own.
    assert first_levels[:4] == [("投入", "restart"), ("", "continue"), ("", "continue"), ("过程", "restart")]
    assert [row[1]["merge"] for row in rows[:3]] == ["restart", "continue", "restart"]   # 预算配置 ×2, then 预算执行
    assert all(sum(cell["span"] for cell in row) == 20 for row in (r["cells"] for r in indicator_table["rows"]))


def _config_error(root: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_reference(2024, root=root)
    assert not isinstance(caught.value, ReportError), "a layout mistake must not read as the user's data"
    return caught.value


def test_a_row_whose_cells_do_not_fill_the_grid_is_refused_naming_the_layout_file_and_the_row(tmp_path):
    def narrower(layout: dict) -> None:
        layout["tables"][0]["rows"][0]["cells"][0]["span"] = 4

    error = _config_error(_project(tmp_path, edit=narrower))
    assert error.file == LAYOUT_FILE and str(error).startswith(f"配置错误（不是输入数据的问题）：配置文件 {LAYOUT_FILE}：")
    assert "表「basic_data」第 1 行各单元格宽度合计为 19，应为 grid 20" in str(error)


def test_a_row_of_an_undefined_measure_is_refused_naming_the_measure_and_the_defined_ones(tmp_path):
    def undefined(layout: dict) -> None:
        layout["tables"][0]["rows"].insert(3, {"label": "政府性基金拨款", "measure": "政府性基金拨款"})

    error = _config_error(_project(tmp_path, edit=undefined))
    assert error.file == LAYOUT_FILE
    assert "表「basic_data」用到了未定义的口径「政府性基金拨款」" in str(error) and "公用经费" in str(error)


def test_an_attachment_layout_without_its_file_is_refused_naming_the_missing_file(tmp_path):
    error = _config_error(_project(tmp_path, layout="hunan-2019"))
    assert error.file == "config/evaluation.yaml"
    assert "attachment_layout 的值「hunan-2019」没有对应的附件版式文件 config/attachments/hunan-2019.yaml" in str(error)


def test_a_cell_naming_an_unknown_figure_is_refused_when_the_tables_are_drawn(sample_inputs, tmp_path):
    def unknown_figure(layout: dict) -> None:
        layout["tables"][0]["rows"][0]["cells"][2]["figure"] = "staff_total"

    reference = load_reference(2024, root=_project(tmp_path, edit=unknown_figure))   # a figure key is not known at load
    with pytest.raises(ConfigError) as caught:
        report_parts(sample_inputs, reference, _verdict())
    assert caught.value.file == LAYOUT_FILE
    assert "附件版式的单元格引用了不存在的数字「staff_total」" in str(caught.value)


def test_a_layout_defining_public_spending_otherwise_than_the_body_is_refused_naming_both_figures(sample_inputs, parts,
                                                                                                    tmp_path):
    def only_office_costs(layout: dict) -> None:
        layout["measures"]["公用经费"]["econ"] = ["30201"]          # 办公费 only, still tied to the body's 公用经费

    reference = load_reference(2024, root=_project(tmp_path, edit=only_office_costs))
    with pytest.raises(ConfigError) as caught:
        report_parts(sample_inputs, reference, _verdict())
    message = str(caught.value)
    assert caught.value.file == LAYOUT_FILE
    body = parts[0]["f"]["public"]
    found = re.search(r"附件「公用经费」的执行数为 ([\d,.]+) 万元，正文「公用经费」为 ([\d,.]+) 万元", message)
    assert found, message
    assert found[2] == body and found[1] != body
    assert "config/evaluation.yaml" in message
