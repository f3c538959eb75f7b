"""`jixiao formats FILE …` names the export profile of every real-shape fixture; a dry run."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

EXPECTED = {
    "real_exports/yonyou_voucher_detail/凭证明细.csv": "yonyou_voucher_detail",
    "real_exports/audit_voucher_table/记账凭证表.csv": "audit_voucher_table",
    "real_exports/audit_voucher_table_converter_gaps/记账凭证表.csv": "audit_voucher_table",
    "real_exports/audit_aux_detail/凭证辅助明细表.csv": "audit_aux_detail",
    "real_exports/dat95_voucher/电子记账凭证.csv": "dat95_voucher",
    "real_exports/jiuqi_voucher/凭证.xlsx": "jiuqi_voucher",
    "real_exports/detail_xls/支出明细账.xls": "gov_voucher_template",
    "real_exports/yitihua_categories/记账凭证.csv": "gov_voucher_template",
    "real_exports/budget_yitihua/2024年指标.csv": "yitihua_indicator",
    "real_exports/budget_bgt_info/指标信息.xlsx": "bgt_info",
    "real_exports/payments/国库集中支付凭证.csv": "payments",
    "export_variants/template_gbk_tabs.txt": "gov_voucher_template",
    "export_variants/ledger_detail.xlsx": "gov_voucher_template",
}


def test_formats_names_the_profile_of_every_fixture(run_cli, tmp_path):
    result = run_cli("formats", *(str(FIXTURES / name) for name in EXPECTED), cwd=tmp_path)
    assert result.code == 0, result.output
    blocks, text = {}, "\n" + result.stdout
    for name in EXPECTED:
        start = text.index(f"\n{Path(name).name} ")
        blocks[name] = text[start:start + 400]
    for name, profile in EXPECTED.items():
        assert f"（{profile}）" in blocks[name], (name, blocks[name])
    assert list(tmp_path.iterdir()) == [], "a dry run writes nothing"


def test_formats_reads_the_final_accounts_print_by_row_and_column_numbers(run_cli):
    result = run_cli("formats", str(FIXTURES / "real_exports/final_accounts/财决01.xls"))
    assert result.code == 0 and "财决01" in result.stdout and "行次 58，栏次 6" in result.stdout


def test_formats_on_an_unknown_layout_shows_the_closest_profile_and_exits_2(run_cli, tmp_path):
    odd = tmp_path / "导出.csv"
    odd.write_text("日期,凭证,摘要,金额\n2024-03-05,记-1,办公用品,100.00\n", encoding="utf-8")
    result = run_cli("formats", str(odd))
    assert result.code == 2
    assert "不符合任何已知格式" in result.stdout and "缺少必需的列" in result.stdout
    assert "文件的表头行：日期，凭证，摘要，金额" in result.stdout


def test_formats_without_a_file_lists_every_profile(run_cli):
    result = run_cli("formats")
    assert result.code == 0
    for profile in ("gov_voucher_template", "yonyou_voucher_detail", "audit_voucher_table", "audit_aux_detail",
                    "dat95_voucher", "jiuqi_voucher", "gov_budget_template", "yitihua_indicator", "bgt_info"):
        assert profile in result.stdout

