"""The column-wise ledger parser against the row-by-row one on hand-made hostile rows: every
spelling of amounts, dates, codes and voucher numbers, subtotal and blank rows, line breaks
in cells, short and long rows, in fixed lists and in seeded random mixtures."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from flows.domain.ledger import ParsedRows, parse_ledger_table
from flows.domain.ledger_columns import parse_ledger_table_columnar
from flows.domain.tables import RawTable, map_headers
from tests.fixtures.parse_paths import as_arrow, assert_same_parse

HEADER = ["单位编码", "凭证日期", "凭证类型", "凭证号", "分录号", "会计科目编码", "借方金额", "贷方金额", "摘要",
          "支出功能分类编码", "部门支出经济分类（账务）编码", "预算项目编码", "预算项目名称", "项目类别编码", "资金性质编码"]
BASE = ["312001", "2024-03-05", "记", "12", "", "7101", "617.56", "", "购买办公用品",
        "2012901", "30201", "GY2024001", "日常公用经费", "2", "111"]
COUNTERPART = ["312001", "2024-03-05", "记", "12", "", "8001", "", "617.56", "购买办公用品", "", "", "", "", "", ""]

VARIANTS = {
    "借方金额": ["1,234.50", "(1,234.50)", "-1,234.50", "（１２３．４５）", "１２３．４５", "", "—", "-", "--", "－",
             "1,23,4.50", "123.456", "一百元", "①", "1e5", "12.", ".5", "+5", "(5", "5)", "-(5)", "(-5)", "1 234.00",
             "0", "-0.00", "(0.00)", "9999999999999.99", "10000000000000", "000000000000012.5", "1,234,567,890.12",
             "1,234,567,890,123.45", "999999999999.99", "NaN", "Infinity", "1_000.00", "٣٤٥.٠٠", "12,5", "1,2345",
             "123.4", "007.10", "(12)", "+1,234.00", "１,２３４.５０"],
    "凭证日期": ["2024-3-5", "2024-03-05 00:00:00", "2024-03-05T00:00", "2024/3/5", "2024/3/5 0:00", "2024/03/05 00:00:00",
             "2024.03.05", "2024年3月5日", "20240305", "2024-02-30", "2024/2/30", "2024/13/01", "", "２０２４－０３－０５",
             "2024-03-05 10:00", "05/03/2024", "2024-2-29", "2023-2-29", "2024年02月05日", "2024.3.5", "0000-01-01"],
    "会计科目编码": ["7101 行政支出", "7201-事业支出", "720101", "8001", "8001 资金结存", "7707", "1001", "行政支出", "",
               "5001", "6001", "6999", "71", "7101.01"],
    "部门支出经济分类（账务）编码": ["30201 办公费", "办公费 30201", "办公费", "30201-办公费", "30201－办公费", "30201|办公费",
                        "30201_办公费", "\u300030201\u3000办公费", "", " 30201 "],
    "项目类别编码": ["21", "9", "2 运转类项目", "运转类项目", "", "3-特定目标类"],
    "凭证号": ["0012", "记-12", "记－0012", "", "１２", "A-3", "12.0", "-5"],
    "凭证类型": ["", "收", "记 "],
    "单位编码": ["", "312001 共青团衡阳市委", "共青团衡阳市委", "  312001  "],
    "分录号": ["1", "2.0", "x", "３", " 4 ", "1e3"],
    "摘要": ["年终结转", "期末结转本年支出", "冲销上月", "", "合计"],
    "预算项目编码": ["GY2024001 日常公用经费", "日常公用经费", ""],
    "预算项目名称": [""],
}

ODD_ROWS = [
    ["合计", *[""] * 14],
    ["", "", "", "本月合计", *[""] * 11],
    [" 合 计 ", *BASE[1:]],
    ["本年累计", *BASE[1:]],
    [*BASE[:8], "本期合计", *BASE[9:]],        # a 摘要 saying 合计 is not in the first cells
    ["", "合\u3000计", *BASE[2:]],
    [""] * 15,
    ["  "] * 15,
    ["\u3000", *[""] * 14],
    ["\x1f", *[""] * 14],
    [""] * 20,
    BASE[:6],
    BASE[:1],
    [],
    [*BASE, "多出的一格"],
    [*BASE[:8], "第一行\n第二行", *BASE[9:]],
    [*BASE[:6], "617.56\r", *BASE[7:]],
    ["\n", *[""] * 14],
    [*BASE[:8], "摘要\n\n三行", *BASE[9:]],
]


def _mapped(rows, file="t.csv", first_row=2, header=HEADER):
    table = RawTable(file, [(1, header), *((n, r) for n, r in enumerate(rows, start=first_row))])
    return map_headers(table, ALIASES, REQUIRED, 5)


ALIASES = {
    "unit_code": ["单位编码"], "posting_date": ["凭证日期"], "voucher_type": ["凭证类型"], "voucher_no": ["凭证号"],
    "line_no": ["分录号"], "account_code": ["会计科目编码"], "debit": ["借方金额"], "credit": ["贷方金额"],
    "summary": ["摘要"], "func_code": ["支出功能分类编码"], "econ_code": ["部门支出经济分类（账务）编码"],
    "project_code": ["预算项目编码"], "project_name": ["预算项目名称"], "project_category": ["项目类别编码"],
    "fund_source": ["资金性质编码"],
}
REQUIRED = ["posting_date", "voucher_no", "account_code", "debit", "credit"]


def _agree(tables, rules, keep_rows=None) -> ParsedRows:
    expected, actual, arrow = ParsedRows(), ParsedRows(), ParsedRows()
    for table in tables:
        parse_ledger_table(table, rules, 2024, "312001", expected, keep_rows)
        parse_ledger_table_columnar(table, rules, 2024, "312001", actual, keep_rows)
    assert_same_parse(expected, actual)
    in_arrow = [as_arrow(table) for table in tables]
    if all(table is not None for table in in_arrow):
        for table in in_arrow:
            parse_ledger_table_columnar(table, rules, 2024, "312001", arrow, keep_rows)
        assert_same_parse(expected, arrow)
    return expected


def _variant_rows():
    rows = []
    for column, values in VARIANTS.items():
        index = HEADER.index(column)
        for value in values:
            for base in (BASE, COUNTERPART):
                row = list(base)
                row[index] = value
                rows.append(row)
    return rows


@pytest.fixture(params=["configured", "no_budget_accounting"])
def rules(request, reference):
    configured = reference.ledger_rules
    if request.param == "configured":
        return configured
    return replace(configured, budget_accounting_prefixes=(), budget_accounts=(), closing_markers=())


def test_each_hostile_spelling(rules):
    parsed = _agree([_mapped(_variant_rows())], rules)
    assert parsed.rejected and parsed.skipped and parsed.rows_loaded


def test_odd_rows_between_ordinary_ones(rules):
    rows = [row for odd in ODD_ROWS for row in (BASE, odd, COUNTERPART)]
    parsed = _agree([_mapped(rows)], rules)
    assert any("被读成了一条记录" in issue.reason for issue in parsed.rejected)
    assert any("少于表头" in issue.reason for issue in parsed.rejected)
    assert any(issue.reason == "空行" for issue in parsed.skipped)


def test_only_odd_rows(rules):
    _agree([_mapped(ODD_ROWS)], rules)
    _agree([_mapped([BASE[:3], BASE[:4]])], rules)     # every row shorter than the header


def test_keep_rows_filter(rules):
    rows = _variant_rows()
    _agree([_mapped(rows)], rules, keep_rows={"voucher_type": ("记", ""), "unit_code": ("312001", "")})
    _agree([_mapped(rows)], rules, keep_rows={"void": ("", "0")})     # a column the file lacks


@pytest.mark.parametrize("seed", range(6))
def test_random_mixtures_over_several_files(seed, rules):
    """Lines of few vouchers, unnumbered and numbered, spread over files that meet again:
    line numbering and voucher balances depend on the order of everything before."""
    chance = random.Random(seed)
    pool = _variant_rows() + ODD_ROWS + [BASE, COUNTERPART] * 40
    tables = []
    for part in range(3):
        rows = []
        for _ in range(chance.randint(50, 400)):
            row = list(chance.choice(pool))
            if len(row) == len(HEADER):
                row[HEADER.index("凭证号")] = str(chance.randint(1, 6))
                if chance.random() < 0.3:
                    row[HEADER.index("凭证日期")] = chance.choice(["2024-03-05", "2024/3/5", "2024-04-01", "20240305"])
                if chance.random() < 0.5:
                    row[HEADER.index("分录号")] = ""
            rows.append(row)
        file = chance.choice(["a.csv", "b.csv"]) if part else "a.csv"
        tables.append(_mapped(rows, file=file, first_row=chance.randint(2, 9)))
    _agree(tables, rules)


def test_without_line_or_unit_columns(rules):
    header = [h for h in HEADER if h not in ("分录号", "单位编码")]
    keep = [HEADER.index(h) for h in header]
    rows = [[row[i] for i in keep] if len(row) == len(HEADER) else row for row in _variant_rows() + ODD_ROWS]
    _agree([_mapped(rows, header=header), _mapped(rows, file="again.csv", header=header)], rules)


def test_empty_table(rules):
    _agree([_mapped([])], rules)
