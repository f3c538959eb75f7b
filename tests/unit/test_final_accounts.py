"""财决01 收入支出决算总表 as printed → declared control totals: rows by 行次, columns by 栏次."""

import pandas as pd
import pytest

from flows.domain.control_totals import empty_declared
from flows.domain.errors import ConfigError, InputError
from flows.domain.final_accounts import (
    FinalAccountsLayout,
    is_final_accounts_sheet,
    layout_from_config,
    parse_final_accounts,
    sheet_matches,
)
from flows.domain.tables import RawTable

FILE = "2024/control_totals/900001/决算.XLS"
W = 10  # 收入: 项目 行次 年初 全年 决算 | 支出: 项目 行次 年初 全年 决算

TITLE = [
    ["收入支出决算总表", *[""] * (W - 1)],
    [*[""] * (W - 1), "财决01表"],
    ["编制单位：测试单位", *[""] * (W - 2), "金额单位：元"],
]
HEADER = [
    ["收入", "", "", "", "", "支出", "", "", "", ""],
    ["项目", "行 次", "年初预算数", "全年预算数", "决算数", "项目", "行次", "年初预算数", "全年预算数", "决算数"],
    ["栏次", "", "1", "2", "3", "栏次", "", "4", "5", "6"],
]
BODY = [
    ["一、一般公共预算财政拨款收入", "1", "800,000.00", "900,000.00", "870,000.00",
     "一、一般公共服务支出", "32", "600,000.00", "700,000.00", "650,000.00"],
    ["二、政府性基金预算财政拨款收入", "2", "", "—", "",
     "二、教育支出", "33", "200,000.00", "200,000.00", "220,000.00"],
    ["", "", "", "", "",
     "基本支出", "40", "600,000.00", "600,000.00", "650,000.00"],
    ["本年收入合计", "30", "800,000.00", "900,000.00", "870,000.00",
     "本年支出合计", "56", "800,000.00", "900,000.00", "870,000.00"],
]
CONFIG = {
    "sheet_prefix": "Z01",
    "figures": {
        "支出合计": {"行次": 56, "栏次": 6},
        "年初预算数": {"行次": 56, "栏次": 4},
        "全年预算数": {"行次": 56, "栏次": 5},
        "基本支出": {"行次": 40, "栏次": 6},
    },
}


def _table(*, extra_title: int = 0, body=BODY, header=HEADER) -> RawTable:
    lines = [*TITLE, *([["（本表按决算软件打印）", *[""] * (W - 1)]] * extra_title), *header, *body]
    return RawTable(FILE, [(n, list(cells)) for n, cells in enumerate(lines, start=1)])


def _figures(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    return {r.figure: (int(r.amount_fen), int(r.source_row)) for r in frame.itertuples()}


def test_figures_are_found_by_hangci_and_lanci():
    frame = parse_final_accounts(_table(), layout_from_config(CONFIG), "900001")
    assert _figures(frame) == {
        "支出合计": (87_000_000, 10), "年初预算数": (80_000_000, 10), "全年预算数": (90_000_000, 10), "基本支出": (65_000_000, 9),
    }
    assert set(frame["unit_code"]) == {"900001"} and set(frame["source_file"]) == {FILE}


def test_the_frame_is_the_declared_control_totals_frame():
    frame = parse_final_accounts(_table(), layout_from_config(CONFIG), "900001")
    assert list(frame.columns) == list(empty_declared().columns)
    assert frame["amount_fen"].dtype == "int64" and frame["source_row"].dtype == "int64"


def test_an_extra_title_row_does_not_move_a_figure():
    layout = layout_from_config(CONFIG)
    before = _figures(parse_final_accounts(_table(), layout, "900001"))
    after = _figures(parse_final_accounts(_table(extra_title=2), layout, "900001"))
    assert {k: amount for k, (amount, _) in after.items()} == {k: amount for k, (amount, _) in before.items()}
    assert after["支出合计"][1] == before["支出合计"][1] + 2   # the row the user sees in the file


def test_data_rows_in_another_order_are_still_found_by_hangci():
    frame = parse_final_accounts(_table(body=list(reversed(BODY))), layout_from_config(CONFIG), "900001")
    assert _figures(frame)["支出合计"] == (87_000_000, 7)


def test_the_hangci_is_looked_up_on_the_side_that_holds_the_lanci():
    # 栏次 3 is on the 收入 side: 行次 30 is 本年收入合计 there; 行次 56 exists only on the 支出 side.
    income = FinalAccountsLayout({"全年执行数": (30, 3)}, "Z01")
    assert _figures(parse_final_accounts(_table(), income, "900001")) == {"全年执行数": (87_000_000, 10)}
    with pytest.raises(InputError, match="栏次 3 所在一侧没有行次 56"):
        parse_final_accounts(_table(), FinalAccountsLayout({"支出合计": (56, 3)}, "Z01"), "900001")


@pytest.mark.parametrize("blank", ["", "—", "-", " "])
def test_a_blank_amount_is_zero_on_a_final_accounts_form(blank):
    body = [row[:] for row in BODY]
    body[1][2] = blank
    frame = parse_final_accounts(_table(body=body), FinalAccountsLayout({"年初预算数": (2, 1), "全年预算数": (2, 2)}, "Z01"), "1")
    assert _figures(frame) == {"年初预算数": (0, 8), "全年预算数": (0, 8)}


def test_numeric_cells_read_from_a_spreadsheet():
    body = [row[:] for row in BODY]
    body[3][9] = "870000.5"
    body[3][6] = "56.0"   # a numeric 行次 cell
    frame = parse_final_accounts(_table(body=body), FinalAccountsLayout({"支出合计": (56, 6)}, "Z01"), "1")
    assert _figures(frame) == {"支出合计": (87_000_050, 10)}


def test_a_missing_hangci_names_both_numbers_and_the_file():
    layout = FinalAccountsLayout({"支出合计": (99, 6)}, "Z01")
    with pytest.raises(InputError) as caught:
        parse_final_accounts(_table(), layout, "900001")
    message = str(caught.value)
    assert "行次 99" in message and "栏次 6" in message and FILE in message and "支出合计" in message


def test_a_missing_lanci_names_both_numbers_and_lists_the_columns():
    with pytest.raises(InputError) as caught:
        parse_final_accounts(_table(), FinalAccountsLayout({"支出合计": (56, 9)}, "Z01"), "900001")
    message = str(caught.value)
    assert "栏次 9" in message and "行次 56" in message and "1、2、3、4、5、6" in message and FILE in message


def test_an_unreadable_amount_names_the_row_and_the_header_word():
    body = [row[:] for row in BODY]
    body[3][9] = "八十七万"
    with pytest.raises(InputError) as caught:
        parse_final_accounts(_table(body=body), layout_from_config(CONFIG), "900001")
    assert (caught.value.file, caught.value.row, caught.value.column) == (FILE, 10, "决算数")
    assert "八十七万" in str(caught.value)


def test_a_sheet_without_lanci_row_is_refused_in_chinese():
    header = HEADER[:2]
    with pytest.raises(InputError, match="找不到「栏次」行"):
        parse_final_accounts(_table(header=header), layout_from_config(CONFIG), "900001")


def test_a_duplicated_hangci_is_refused():
    body = [*BODY, ["", "", "", "", "", "其他", "56", "1", "1", "1"]]
    with pytest.raises(InputError, match="行次 56 出现了两次"):
        parse_final_accounts(_table(body=body), layout_from_config(CONFIG), "900001")


def test_a_repeated_header_after_a_page_break_is_ignored():
    body = [*BODY[:2], *HEADER, *BODY[2:]]
    frame = parse_final_accounts(_table(body=body), layout_from_config(CONFIG), "900001")
    assert _figures(frame)["支出合计"] == (87_000_000, 13)


def test_a_layout_naming_an_unknown_figure_is_a_config_error():
    with pytest.raises(ValueError, match="口径「本年支出」"):
        parse_final_accounts(_table(), FinalAccountsLayout({"本年支出": (56, 6)}, "Z01"), "900001")


def test_is_final_accounts_sheet():
    assert is_final_accounts_sheet(_table())
    assert not is_final_accounts_sheet(_table(header=HEADER[:2]))
    ledger = RawTable("凭证.csv", [(1, ["凭证日期", "凭证号", "借方金额"]), (2, ["2024-01-01", "1", "10"])])
    assert not is_final_accounts_sheet(ledger)


def test_sheet_matches_by_prefix():
    layout = layout_from_config(CONFIG)
    assert sheet_matches("Z01 收入支出决算总表(财决01表)", layout)
    assert not sheet_matches("Z03 收入决算表(财决03表)", layout)


def test_layout_from_config():
    layout = layout_from_config(CONFIG)
    assert layout.sheet_prefix == "Z01"
    assert layout.figures["支出合计"] == (56, 6)


@pytest.mark.parametrize(
    ("config", "named"),
    [
        (["Z01"], "映射"),
        ({"figures": CONFIG["figures"]}, "sheet_prefix"),
        ({"sheet_prefix": "", "figures": CONFIG["figures"]}, "sheet_prefix"),
        ({"sheet_prefix": "Z01"}, "figures"),
        ({"sheet_prefix": "Z01", "figures": {}}, "figures"),
        ({"sheet_prefix": "Z01", "figures": CONFIG["figures"], "sheet": "Z01"}, "sheet"),
        ({"sheet_prefix": "Z01", "figures": {"本年支出合计": {"行次": 56, "栏次": 6}}}, "本年支出合计"),
        ({"sheet_prefix": "Z01", "figures": {"支出合计": [56, 6]}}, "支出合计"),
        ({"sheet_prefix": "Z01", "figures": {"支出合计": {"行次": "56", "栏次": 6}}}, "支出合计.行次"),
        ({"sheet_prefix": "Z01", "figures": {"支出合计": {"行次": 56}}}, "支出合计.栏次"),
        ({"sheet_prefix": "Z01", "figures": {"支出合计": {"行次": 56, "栏次": True}}}, "支出合计.栏次"),
        ({"sheet_prefix": "Z01", "figures": {"支出合计": {"行次": 0, "栏次": 6}}}, "支出合计.行次"),
        ({"sheet_prefix": "Z01", "figures": {"支出合计": {"行次": 56, "栏次": 6, "列": 3}}}, "列"),
    ],
)
def test_a_malformed_layout_is_a_value_error_naming_the_key(config, named):
    with pytest.raises(ValueError) as caught:
        layout_from_config(config)
    # A config error (exit code 4, "不是输入数据的问题"), never an input error.
    assert isinstance(caught.value, ConfigError) and not isinstance(caught.value, InputError)
    assert named in str(caught.value) and "config/final_accounts.yaml" in str(caught.value)


def test_an_older_three_block_form_with_a_merged_total_row():
    # 2018-style print: 收入 | 支出（按功能分类） | 支出（按支出性质和经济分类）, each with its own 行次; the
    # 本年支出合计 label spans the two 支出 blocks, so only the last block's 行次 is filled on that row.
    lines = [
        ["收入支出决算总表", *[""] * 14],
        ["项目", "行次", "年初预算数", "全年预算数", "决算数"] * 3,
        ["栏次", "", "1", "2", "3", "栏次", "", "4", "5", "6", "栏次", "", "7", "8", "9"],
        ["一、一般公共预算财政拨款", "1", "10.00", "10.00", "10.00", "一、一般公共服务支出", "12", "8.00", "8.00", "7.00",
         "一、基本支出", "40", "6.00", "6.00", "5.00"],
        ["本年收入合计", "11", "10.00", "10.00", "10.00", "本年支出合计", "", "", "", "", "", "60", "8.00", "9.00", "7.50"],
    ]
    table = RawTable(FILE, [(n, cells) for n, cells in enumerate(lines, start=1)])
    layout = FinalAccountsLayout({"支出合计": (60, 9), "年初预算数": (60, 7), "基本支出": (40, 9)}, "Z01")
    assert _figures(parse_final_accounts(table, layout, "1")) == {
        "支出合计": (750, 5), "年初预算数": (800, 5), "基本支出": (500, 4),
    }
