"""Real export families: each fixture in its real shape reads to the sample's own canonical rows,
and a department whose ledger (or budget) is only in that family reproduces the sample's figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.adapters.data_folder import read_year_inputs
from flows.adapters.export_files import read_table
from flows.domain.errors import InputError
from flows.domain.ingest import parse_ledger_tables
from flows.domain.metrics import compute_department_metrics
from flows.domain.money import format_wan
from tests.fixtures import make_real_exports as families

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "real_exports"
VARIANTS = ROOT / "tests" / "fixtures" / "export_variants"
UNIT = "312001"
CONTENT = ["posting_date", "voucher_no", "account_code", "func_code", "econ_code", "expense_type",
           "project_code", "project_name", "fund_source", "amount_fen", "summary"]

# family folder -> (file, profile, content columns the family does not carry)
LEDGER_FAMILIES = {
    "yonyou_voucher_detail": ("凭证明细.csv", "yonyou_voucher_detail", ()),
    "audit_voucher_table": ("记账凭证表.csv", "audit_voucher_table", ()),
    "audit_aux_detail": ("凭证辅助明细表.csv", "audit_aux_detail", ()),
    "dat95_voucher": ("电子记账凭证.csv", "dat95_voucher", ()),
    # 久其 has no 摘要 and no 凭证字: its 凭证号 reads "12" where the others say 记-12.
    "jiuqi_voucher": ("凭证.xlsx", "jiuqi_voucher", ("summary", "voucher_no")),
    "detail_xls": ("支出明细账.xls", "gov_voucher_template", ()),
}


def _data_folder(tmp_path: Path, ledger_files: list[Path], budget: Path | None = None) -> Path:
    """A data folder with the given ledger files, the sample budget (or `budget`) and profile."""
    data = tmp_path / "data"
    ledger = data / "2024" / "ledger" / UNIT
    ledger.mkdir(parents=True)
    for path in ledger_files:
        shutil.copy(path, ledger / path.name)
    (data / "2024" / "budget").mkdir()
    shutil.copy(budget or ROOT / "data/2024/budget/2024年指标.csv", data / "2024" / "budget")
    shutil.copytree(ROOT / "data/2024/profiles", data / "2024" / "profiles")
    return data


def _reference_rows(reference):
    parsed = parse_ledger_tables([(read_table(VARIANTS / "template_utf8.csv", VARIANTS), UNIT)], reference, 2024)
    return parsed.ledger[CONTENT]


@pytest.mark.parametrize("family", sorted(LEDGER_FAMILIES))
def test_family_reads_to_the_canonical_rows_of_the_sample_export(family, reference, tmp_path):
    file, profile, absent = LEDGER_FAMILIES[family]
    inputs = read_year_inputs(_data_folder(tmp_path, [FIXTURES / family / file]), 2024, reference)
    assert inputs.ledger_accounting.formats == {f"2024/ledger/{UNIT}/{file}": profile}
    assert inputs.ledger_accounting.rejected == ()
    summary = inputs.ledger_accounting.summary()
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_skipped"] + summary["rows_rejected"]
    columns = [c for c in CONTENT if c not in absent]
    expected = _reference_rows(reference)[columns].to_dict("records")
    assert inputs.ledger[columns].to_dict("records") == expected
    assert len(expected) == 6


def test_families_carrying_counterparts_are_checked_voucher_by_voucher(reference, tmp_path):
    inputs = read_year_inputs(_data_folder(tmp_path, [FIXTURES / "audit_voucher_table/记账凭证表.csv"]), 2024, reference)
    assert sorted(inputs.vouchers["voucher_no"]) == ["记-12", "记-13", "记-14", "记-15", "记-16"]
    assert (inputs.vouchers["net_fen"] == 0).all()
    # 财务会计 (会计体系 01) lines are set aside with the file's own words.
    assert {i.column for i in inputs.ledger_accounting.skipped} >= {"会计体系"}


def test_two_level_yitihua_categories_count_other_operations_as_project_spending(reference, tmp_path):
    inputs = read_year_inputs(_data_folder(tmp_path, [FIXTURES / "yitihua_categories/记账凭证.csv"]), 2024, reference)
    by_code = dict(zip(inputs.ledger["project_code"], inputs.ledger["expense_type"], strict=False))
    assert all(len(code) == 21 for code in by_code)
    assert sorted(set(by_code.values())) == ["basic_personnel", "basic_public", "project"]
    meeting = inputs.ledger[inputs.ledger["econ_code"] == "30215"]
    assert list(meeting["expense_type"]) == ["project"]          # 22 其他运转类 is 项目支出


def test_converter_that_left_classifications_empty_is_named_with_the_file_s_columns(reference, tmp_path):
    data = _data_folder(tmp_path, [FIXTURES / "audit_voucher_table_converter_gaps/记账凭证表.csv"])
    with pytest.raises(InputError) as caught:
        read_year_inputs(data, 2024, reference)
    message = str(caught.value)
    assert "记账凭证表.csv" in message
    for words in ("资金性质代码", "预算项目代码", "项目分类代码"):
        assert words in message


def test_jiuqi_without_a_budgeted_project_says_which_columns_are_missing(reference, tmp_path):
    budget = tmp_path / "budget.csv"
    text = (ROOT / "data/2024/budget/2024年指标.csv").read_text(encoding="utf-8-sig")
    budget.write_text("\n".join(line for line in text.splitlines() if "TS2024008" not in line), encoding="utf-8")
    inputs = read_year_inputs(_data_folder(tmp_path, [FIXTURES / "jiuqi_voucher/凭证.xlsx"], budget), 2024, reference)
    [issue] = inputs.ledger_accounting.rejected
    assert issue.value == "TS2024008"
    assert "没有「项目类别」「资金性质」列" in issue.reason and "预算指标中没有预算项目 TS2024008" in issue.reason


def test_file_matching_no_family_names_the_closest_and_its_header(reference, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("年,月,日,凭证号,摘要,科目编码,借方本币,贷方本币\n2024,3,5,记-1,x,7101,1.00,\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_ledger_tables([(read_table(odd, tmp_path), UNIT)], reference, 2024)
    message = str(caught.value)
    assert "用友" in message and "辅助项" in message and "年，月，日，凭证号" in message


WRITERS = families.LEDGER_WRITERS


@pytest.fixture(scope="module")
def sample_lines():
    return families.lines_from_sample_ledger()


def _headline(inputs, reference):
    metrics = compute_department_metrics(inputs.ledger, inputs.budget, inputs.profiles[UNIT], reference, 2024)
    return (format_wan(metrics.actual_fen), format_wan(metrics.basic_fen), format_wan(metrics.named_projects_fen),
            format_wan(metrics.other_funds_fen), format_wan(metrics.sangong_total_fen))


@pytest.mark.parametrize("family", sorted(WRITERS))
def test_department_whose_ledger_is_only_in_this_family_reproduces_the_sample_figures(
        family, sample_lines, reference, tmp_path):
    write, name = WRITERS[family]
    exported = tmp_path / "export" / name
    exported.parent.mkdir()
    write(sample_lines, exported)
    inputs = read_year_inputs(_data_folder(tmp_path, [exported]), 2024, reference)
    assert inputs.ledger_accounting.rejected == ()
    assert _headline(inputs, reference) == ("648.31", "353.86", "267.92", "26.53", "4.07")


@pytest.mark.parametrize("budget_family", ["budget_yitihua/2024年指标.csv", "budget_bgt_info/指标信息.xlsx"])
def test_department_whose_budget_is_a_yitihua_export_reproduces_the_sample_figures(budget_family, reference, tmp_path):
    data = _data_folder(tmp_path, sorted((ROOT / "data/2024/ledger" / UNIT).iterdir()), FIXTURES / budget_family)
    inputs = read_year_inputs(data, 2024, reference)
    assert inputs.budget_accounting.rejected == ()
    assert (inputs.budget["expense_type"] != "").all()             # 项目类别 taken from the ledger
    metrics = compute_department_metrics(inputs.ledger, inputs.budget, inputs.profiles[UNIT], reference, 2024)
    assert format_wan(metrics.initial_budget_fen) == "416.42"
    assert _headline(inputs, reference) == ("648.31", "353.86", "267.92", "26.53", "4.07")


@pytest.mark.parametrize("family", sorted(LEDGER_FAMILIES))
def test_the_run_s_split_and_parse_per_unit_reads_each_family_the_same(family, reference, tmp_path):
    from flows.adapters.data_folder import read_year_sources
    from flows.adapters.split_cache import SplitCache
    from flows.adapters.unit_exports import unit_inputs

    file, profile, _ = LEDGER_FAMILIES[family]
    data = _data_folder(tmp_path, [FIXTURES / family / file])
    whole = read_year_inputs(data, 2024, reference)
    for _ in range(2):     # the second read comes from the split cache when the file was cached
        sources = read_year_sources(data, 2024, reference, cache=SplitCache(tmp_path / "cache"))
        assert sources.formats[f"2024/ledger/{UNIT}/{file}"] == profile
        per_unit = unit_inputs(sources.units[UNIT], reference)
        assert per_unit.ledger[CONTENT].equals(whole.ledger[CONTENT])
        assert per_unit.ledger_accounting.formats == whole.ledger_accounting.formats


@pytest.mark.parametrize("print_file", ["财决01.xls", "财决01.xlsx"])
def test_final_accounts_print_declares_the_totals_the_ledger_reconciles_with(print_file, reference, tmp_path):
    from flows.domain.reconciliation import control_totals_table

    data = _data_folder(tmp_path, sorted((ROOT / "data/2024/ledger" / UNIT).iterdir()))
    (data / "2024" / "control_totals").mkdir()
    shutil.copy(FIXTURES / "final_accounts" / print_file, data / "2024" / "control_totals")
    inputs = read_year_inputs(data, 2024, reference)
    declared = dict(zip(inputs.control_totals["figure"], inputs.control_totals["amount_fen"], strict=True))
    assert declared == {"支出合计": 648_310_383, "年初预算数": 416_420_000, "全年预算数": 650_870_000}
    metrics = compute_department_metrics(inputs.ledger, inputs.budget, inputs.profiles[UNIT], reference, 2024)
    assert (control_totals_table(metrics, inputs.control_totals)["difference_fen"] == 0).all()


def test_treasury_payments_are_compared_with_fiscal_spending_per_project(reference, tmp_path):
    from flows.domain.quality_inputs import quality_datasets

    data = _data_folder(tmp_path, [VARIANTS / "template_utf8.csv"])
    (data / "2024" / "payments").mkdir()
    shutil.copy(FIXTURES / "payments/国库集中支付凭证.csv", data / "2024" / "payments")
    inputs = read_year_inputs(data, 2024, reference)
    assert len(inputs.payments) == 4
    metrics = compute_department_metrics(inputs.ledger, inputs.budget, inputs.profiles[UNIT], reference, 2024)
    table = quality_datasets(inputs.ledger, inputs.budget, metrics, [], inputs.control_totals, None,
                             inputs.payments, reference.codes.fiscal_fund_sources)["payments"]
    by_project = table.set_index("project_code")["difference_fen"].to_dict()
    # The 红字 line and the refund of 300.00 were not treasury payments: they show as differences.
    assert by_project == {"GY2024001": 123450 + 30000, "RY2024001": 0, "TS2024008": 0}


def test_a_truncated_line_of_a_transformed_family_is_rejected_not_loaded_half_empty(reference, tmp_path):
    source = (FIXTURES / "yonyou_voucher_detail/凭证明细.csv").read_text(encoding="utf-8-sig").splitlines()
    source[1] = source[1].split(",【")[0]             # the line stops before its 辅助项
    broken = tmp_path / "凭证明细.csv"
    broken.write_text("\n".join(source) + "\n", encoding="utf-8-sig")
    inputs = read_year_inputs(_data_folder(tmp_path, [broken]), 2024, reference)
    [issue] = inputs.ledger_accounting.rejected
    assert issue.row == 2 and "少于表头" in issue.reason
    assert len(inputs.ledger) == 5


def test_aux_rows_of_one_line_that_disagree_on_the_amount_are_rejected_once(reference, tmp_path):
    path = FIXTURES / "audit_aux_detail/凭证辅助明细表.csv"
    lines = path.read_bytes().decode("gb18030").splitlines()
    lines[2] = lines[2].replace(",1234.50,", ",1243.50,", 1)     # the line's 2nd 辅助 row, amount mistyped
    broken = tmp_path / path.name
    broken.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    inputs = read_year_inputs(_data_folder(tmp_path, [broken]), 2024, reference)
    [issue] = inputs.ledger_accounting.rejected
    assert issue.row == 2 and "金额不一致" in issue.reason and "1243.50" in issue.value
    summary = inputs.ledger_accounting.summary()
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_skipped"] + summary["rows_rejected"]


def test_a_password_protected_workbook_is_named_as_such_not_as_an_old_xls(tmp_path):
    # Encrypted OOXML is an OLE container holding an EncryptionInfo stream (MS-OFFCRYPTO).
    locked = tmp_path / "凭证.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    with pytest.raises(InputError, match="密码"):
        read_table(locked, tmp_path)
