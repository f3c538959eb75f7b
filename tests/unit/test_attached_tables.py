"""The attached tables' definitions and drawing on tiny hand-made ledgers: each case says what it checks."""

from __future__ import annotations

import pytest

from flows.domain.attached_tables import (
    DeclaredAmount,
    DrawingInputs,
    IndicatorLine,
    attachment_amounts,
    draw_tables,
    printed_sums,
)
from flows.domain.attachment_layout import AttachmentLayout
from flows.domain.config_schema import validated
from flows.domain.errors import ConfigError
from flows.domain.reconciliation import printed_rounding_table
from tests.unit.test_metrics import budget, ledger

FISCAL = frozenset({"111", "112", "113"})

LAYOUT = {
    "name": "测试版式",
    "measures": {
        "项目支出": {"definition": "基本支出以外的全部支出", "expense": "project"},
        "公用经费": {"definition": "基本支出中的 302", "expense": "basic", "econ": ["302"], "budget_phase": "initial"},
        "公务接待": {"definition": "财政拨款 30217", "funds": "fiscal", "econ": ["30217"]},
        "其他资金": {"definition": "111 以外", "funds_except": ["111"]},
        "全部": {"definition": "全部"},
        "政府采购金额": {"definition": "单位填报", "declared": True},
    },
    "tables": [{
        "key": "basic_data", "title": "{unit}{year}年度测试表", "grid": 4, "label_span": 1,
        "amount_columns": ["prior_actual", "budget", "actual"],
        "sums": [{"name": "项目支出", "total": "项目支出", "projects_of": "项目支出"}],
        "rows": [
            {"cells": [{"text": "经费", "span": 1, "style": "header"}, {"text": "{prior_year}年决算数", "span": 1},
                       {"text": "{year}年预算数", "span": 1}, {"text": "{year}年决算数", "span": 1}]},
            {"label": "项目支出", "measure": "项目支出"},
            {"projects_of": "项目支出"},
            {"label": "公用经费", "measure": "公用经费"},
            {"label": "政府采购金额", "measure": "政府采购金额"},
            {"cells": [{"text": "单位", "span": 2}, {"text": "", "span": 2}]},
            {"cells": [{"text": "", "span": 2, "merge_up": True}, {"amount": "其他资金.actual", "span": 2}]},
        ],
    }, {
        "key": "self_evaluation", "title": "自评", "grid": 3, "label_span": 3,
        "rows": [{"indicators": [{"field": "level1"}, {"field": "level2"}, {"field": "name"}], "merge": ["level1", "level2"]}],
    }],
}


def _layout(changes: dict | None = None) -> AttachmentLayout:
    return validated(AttachmentLayout, {**LAYOUT, **(changes or {})}, "config/attachments/test.yaml")


@pytest.fixture()
def frames():
    spent = ledger(
        ("basic_public", "30201", "GY", "111", 10_00),
        ("basic_public", "30217", "GY", "111", 3_00),
        ("basic_public", "31002", "GY", "111", 50_00),      # 310 in 基本支出: not 公用经费
        ("project", "30299", "P2", "111", 5_000),           # 0.005 万元 each: printed lines round up
        ("project", "30299", "P1", "29", 5_000),            # other funds: still 项目支出
        ("project", "30217", "P1", "111", 5_000),
    )
    planned = budget(
        ("initial", "basic_public", "GY", "30201", "111", 20_00),
        ("addition", "basic_public", "GY", "30201", "111", 7_00),   # 追加: not in 公用经费's 预算数 (年初)
        ("initial", "project", "P1", "30299", "111", 100_00),
    )
    return spent, planned


def test_definitions_select_by_expense_econ_prefix_funds_and_budget_phase(frames):
    amounts = attachment_amounts(_layout(), *frames, FISCAL, {}).current.measures
    assert amounts["项目支出"].actual_fen == 15_000                     # every fund
    assert amounts["公用经费"].actual_fen == 13_00                      # 302 only, 310 left out
    assert (amounts["公用经费"].budget_fen, amounts["公用经费"].adjusted_fen) == (20_00, 27_00)
    assert amounts["公务接待"].actual_fen == 3_00 + 5_000               # fiscal funds, basic and project
    assert amounts["其他资金"].actual_fen == 5_000
    assert amounts["政府采购金额"].actual_fen is None                   # not declared: the table prints —


def test_declared_amounts_come_from_the_profile(frames):
    amounts = attachment_amounts(_layout(), *frames, FISCAL, {"政府采购金额": DeclaredAmount(80_00, 75_00)})
    purchase = amounts.current.measures["政府采购金额"]
    assert (purchase.budget_fen, purchase.actual_fen) == (80_00, 75_00)


def test_project_lines_cover_every_fund_in_budget_order(frames):
    lines = attachment_amounts(_layout(), *frames, FISCAL, {}).current.projects["项目支出"]
    assert [(line.code, line.amounts.actual_fen) for line in lines] == [("P1", 10_000), ("P2", 5_000)]


def _draw(layout, amounts, indicators=()):
    printed = {}
    for table in layout.tables:
        for row in table.rows:
            for cell in getattr(row, "cells", ()):
                if cell.amount:
                    printed[f"amount.{cell.amount}"] = "0.01"
    keys = ["amount.项目支出.prior_actual", "amount.项目支出.budget", "amount.项目支出.actual",
            "amount.公用经费.prior_actual", "amount.公用经费.budget", "amount.公用经费.actual",
            "amount.政府采购金额.prior_actual", "amount.政府采购金额.budget", "amount.政府采购金额.actual",
            *(f"line.项目支出.{code}.{column}" for code in ("P1", "P2", "P3") for column in ("prior_actual", "budget", "actual"))]
    printed |= dict.fromkeys(keys, "1.00")
    inputs = DrawingInputs(printed, {}, tuple(indicators), amounts.current.projects,
                           {"unit": "测试单位", "year": "2024", "prior_year": "2023"}, tuple(printed_sums(layout, amounts)))
    return draw_tables(layout, inputs)


def test_rounded_project_lines_that_miss_their_total_get_the_rounding_note(frames):
    layout = _layout()
    amounts = attachment_amounts(layout, *frames, FISCAL, {})
    [gap] = printed_sums(layout, amounts)
    assert (gap.parts_fen, gap.total_fen, gap.gap_cents) == ((10_000, 5_000), 15_000, 0)
    spent, planned = frames
    spent.loc[spent["project_code"] == "P2", "amount_fen"] = 5_000
    spent.loc[len(spent)] = spent.iloc[-1]                       # P1 gets a third 0.005 万元 line
    spent.loc[len(spent) - 1, ["project_code", "amount_fen"]] = ["P3", 5_000]
    amounts = attachment_amounts(layout, spent, planned, FISCAL, {})
    [gap] = printed_sums(layout, amounts)
    assert gap.gap_cents == -1                                   # 0.01 + 0.01 + 0.01 printed against 0.02
    basic_data = _draw(layout, amounts)[0]
    assert basic_data.rows[-1][0].text == "注：项目支出各项金额由账簿分录按分汇总后分别四舍五入至0.01万元，各项之和比合计多0.01万元，系尾差，未作调整。"
    assert basic_data.rows[-1][0].span == 4
    rounding = printed_rounding_table_with(amounts, layout)
    assert rounding.loc[rounding["printed_table"] == "附件1 项目支出", "gap_cents"].tolist() == [-1]


def printed_rounding_table_with(amounts, layout):
    from flows.domain.metrics import DepartmentMetrics

    blank = DepartmentMetrics("900001", 2024, *([0] * 6), (), (), 0, 0, (), (), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    return printed_rounding_table(blank, [(f"{g.table} {g.name}", g.parts_fen, g.total_fen) for g in printed_sums(layout, amounts)])


def test_titles_and_headers_name_the_years_and_merged_cells_are_marked(frames):
    layout = _layout()
    tables = _draw(layout, attachment_amounts(layout, *frames, FISCAL, {}), [
        IndicatorLine({"level1": "产出", "level2": "数量", "name": "a"}), IndicatorLine({"level1": "产出", "level2": "数量", "name": "b"}),
        IndicatorLine({"level1": "产出", "level2": "质量", "name": "c"}), IndicatorLine({"level1": "效益", "level2": "质量", "name": "d"})])
    basic_data, self_evaluation = tables
    assert basic_data.title == "测试单位2024年度测试表"
    assert [c.text for c in basic_data.rows[0]] == ["经费", "2023年决算数", "2024年预算数", "2024年决算数"]
    assert [r[0].text for r in basic_data.rows[1:6]] == ["项目支出", "1、项目P1", "2、项目P2", "公用经费", "政府采购金额"]
    above, below = basic_data.rows[6][0], basic_data.rows[7][0]
    assert (above.text, above.merge, below.merge) == ("单位", "restart", "continue")
    merges = [[c.merge for c in row[:2]] for row in self_evaluation.rows]
    # 一级 merged while it repeats; 二级 merged only within the same 一级 (质量 under 效益 starts anew).
    assert merges == [["restart", "restart"], ["continue", "continue"], ["continue", "restart"], ["restart", "restart"]]


@pytest.mark.parametrize(("change", "words"), [
    ({"tables": [{**LAYOUT["tables"][0], "rows": [{"cells": [{"text": "x", "span": 3}]}]}]}, "宽度合计为 3，应为 grid 4"),
    ({"tables": [{**LAYOUT["tables"][0], "rows": [{"label": "x", "measure": "不存在"}]}]}, "未定义的口径「不存在」"),
    ({"measures": {**LAYOUT["measures"], "公用经费": {"definition": "x", "econ": ["3020"]}}}, "应为 3 位类或 5 位款"),
    ({"tables": [{**LAYOUT["tables"][0], "rows": [{"cells": [{"amount": "公用经费", "span": 4}]}]}]}, "应写成「口径.列」"),
    ({"measures": {**LAYOUT["measures"], "全部": {"definition": "x", "body": {"prior_actual": "prior_actual"}}}},
     "body 只能对应本年金额列"),
])
def test_a_layout_mistake_is_named_in_chinese_with_its_file(change, words):
    with pytest.raises(ConfigError) as raised:
        _layout(change)
    assert words in str(raised.value) and raised.value.file == "config/attachments/test.yaml"
