"""Messages name columns and values as they stand in the user's file."""

from flows.domain.ingest import parse_ledger_tables
from flows.domain.quality import RuleResult, Violation, in_files_own_words
from flows.domain.tables import RawTable

FILE = "2024/ledger/900001/记账凭证表.csv"


def test_a_violation_names_the_column_by_the_file_s_own_header():
    result = RuleResult("LED-006", "ledger_rows", "critical", "accuracy", "项目类别无法识别", False, 1,
                        (Violation(FILE, 7, "expense_type", "9", "人员类 / 运转类 / 特定目标类"),))
    [relabelled] = in_files_own_words([result], {FILE: {"project_category": "项目分类代码"}})
    assert relabelled.violations[0].column == "项目分类代码"
    assert relabelled.violations[0].value == "9"


def test_a_file_without_its_own_words_keeps_the_canonical_name():
    result = RuleResult("LED-006", "ledger_rows", "critical", "accuracy", "m", False, 1,
                        (Violation("other.csv", 7, "expense_type", "9", ""),))
    assert in_files_own_words([result], {FILE: {"project_category": "项目分类代码"}}) == (result,)


def test_an_unknown_category_code_reaches_the_rules_as_written(reference):
    header = ["凭证日期", "凭证号", "会计科目编码", "借方金额", "贷方金额", "摘要", "支出功能分类编码",
              "部门支出经济分类编码", "预算项目编码", "项目类别编码", "资金性质编码"]
    row = ["2024-03-05", "1", "7101", "10.00", "", "办公用品", "2012901", "30201", "GY1", "9", "111"]
    parsed = parse_ledger_tables([(RawTable(FILE, [(1, header), (2, row)]), "900001")], reference, 2024)
    assert list(parsed.ledger["expense_type"]) == ["9"]
    assert parsed.accounting.headers[FILE]["project_category"] == "项目类别编码"


def test_yaml_folding_puts_no_space_between_chinese_characters():
    import yaml

    from flows.domain.profile import without_folding_spaces

    folded = yaml.safe_load("text: >-\n  领导全市共青团工作；\n  参与制定青少年事业发展规划\n")["text"]
    assert folded == "领导全市共青团工作； 参与制定青少年事业发展规划"
    assert without_folding_spaces(folded) == "领导全市共青团工作；参与制定青少年事业发展规划"
    assert without_folding_spaces("完成 983 名，举办 2000 余场") == "完成 983 名，举办 2000 余场"


def test_an_amount_in_a_budget_file_is_named_by_its_own_amount_header():
    budget_file = "2024/budget/2024年指标.csv"
    result = RuleResult("BUD-003", "budget_rows", "critical", "accuracy", "指标金额无效", False, 1,
                        (Violation(budget_file, 4, "amount_fen", "-5", ""),))
    [relabelled] = in_files_own_words([result], {budget_file: {"amount": "指标金额"}, FILE: {"debit": "借方金额"}})
    assert relabelled.violations[0].column == "指标金额"
