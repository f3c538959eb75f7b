"""`jixiao` end to end, as a user runs it: real Prefect engine, real GX, real .docx read by LibreOffice."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_UNIT, docx_text_via_libreoffice, listing
from tests.fixtures.bad_inputs import add_to_first_debit, edit_csv
from tests.integration.test_sample_figures import PROJECTS, PUBLISHED

pytestmark = pytest.mark.slow

HEADINGS = ["一、部门（单位）基本情况", "二、一般公共预算支出情况", "三、部门整体支出绩效情况",
            "四、存在的问题及原因分析", "五、下一步改进措施", "六、其他需要说明的情况"]
CSV = f"2024/ledger/{SAMPLE_UNIT}/2024年1-6月记账凭证.csv"


def _edit_csv(data: Path, old: str, new: str, count: int = 1) -> None:
    path = data / CSV
    text = path.read_bytes().decode("gb18030")
    assert old in text
    path.write_bytes(text.replace(old, new, count).encode("gb18030"))


def _prior_year_total_and_change() -> tuple[str, str]:
    from flows.adapters.data_folder import read_year_inputs
    from flows.adapters.project_files import load_reference, project_root
    from flows.domain.money import format_percent, format_wan

    totals = {}
    for year in (2023, 2024):
        inputs = read_year_inputs(project_root() / "data", year, load_reference(year))
        totals[year] = int(inputs.ledger["amount_fen"].sum())
    return format_wan(totals[2023]), "+" + format_percent(totals[2024] - totals[2023], totals[2023])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_produces_the_sample_report(run_cli, data_copy, tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", "--year", "2024", "--data", str(data_copy), "--out", str(out))
    assert result.code == 0, result.output
    report = out / "2024" / SAMPLE_UNIT / "v1" / "report.docx"
    assert f"{report.parent}/report.docx" in result.stdout
    assert "自评得分" in result.stdout and "评价等级" in result.stdout
    assert "输出文件：" in result.stdout and "workpaper.xlsx" in result.stdout and "quality.html" in result.stdout
    assert "Traceback" not in result.output and "telemetry" not in result.output.lower()

    text = docx_text_via_libreoffice(report)
    for heading in HEADINGS:
        assert heading in text
    for figure in PUBLISHED.values():
        assert f"{figure}万元" in text or f"\t{figure}" in text or figure in text.split(), figure
    for name, amount in PROJECTS:
        assert name in text and amount in text
    assert "79.17%" in text and "99.61%" in text and "56.30%" in text
    assert "尾差" in text, "the rounding difference is stated, not hidden"
    # 同比: last year's sample (data/2023) is read for the prior-year columns.
    prior_total, change = _prior_year_total_and_change()
    assert f"上年同期支出{prior_total}万元，同比{change}" in text.replace("\n", "")
    assert "“三公”经费变动率" in text
    assert "预算调整幅度较大" in text, "the large adjustment is drafted as a finding"
    folded = re.findall(r"[\u4e00-\u9fff\uff00-\uffef] +[\u4e00-\u9fff\uff00-\uffef]", text)
    assert folded == [], "no space between Chinese characters from YAML folding"

    manifest = json.loads((report.parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "v1" and manifest["files"]["report.docx"] == _sha(report)
    assert manifest["figures"]["全年执行数"] == {"fen": 648310383, "printed": "648.31"}
    rows = manifest["row_accounting"]["ledger"]
    assert rows["rows_read"] == rows["rows_loaded"] + rows["rows_skipped"] + rows["rows_rejected"]

    # Economic code under no 类: blocked with rule, file and row; v1 stays as it was, no v2.
    before = _sha(report)
    _edit_csv(data_copy, ",30201,办公费", ",39498,办公费")
    blocked = run_cli("run", "--data", str(data_copy), "--out", str(out))
    assert blocked.code == 3, blocked.output
    assert "LED-003" in blocked.stderr and "2024年1-6月记账凭证.csv" in blocked.stderr and "第 " in blocked.stderr
    assert "Traceback" not in blocked.output
    assert listing(out / "2024" / SAMPLE_UNIT) == ["checks", "v1"], "no v2"
    assert _sha(report) == before
    [check] = (out / "2024" / SAMPLE_UNIT / "checks").iterdir()
    assert "LED-003" in (check / "quality.html").read_text(encoding="utf-8")


def test_rerun_without_changes_makes_no_new_version_and_a_change_of_amount_does(run_cli, data_copy, tmp_path):
    out = tmp_path / "out"
    assert run_cli("run", "--data", str(data_copy), "--out", str(out)).code == 0
    again = run_cli("run", "--data", str(data_copy), "--out", str(out))
    assert again.code == 0 and "未生成新版本" in again.stdout
    unit = out / "2024" / SAMPLE_UNIT
    assert listing(unit) == ["v1"]
    v1 = _sha(unit / "v1" / "report.docx")

    # A corrected 摘要 is not printed in the report: recipients get no new version for it.
    _edit_csv(data_copy, "发放1月基本工资", "发放1月基本工资（更正）")
    reworded = run_cli("run", "--data", str(data_copy), "--out", str(out))
    assert reworded.code == 0 and "报告内容与 v1 相同" in reworded.stdout, reworded.stdout
    assert listing(unit) == ["v1"]

    edit_csv(data_copy, add_to_first_debit(100))          # 100 yuan more on one line: 0.01 万元 in print
    changed = run_cli("run", "--data", str(data_copy), "--out", str(out))
    assert changed.code == 0, changed.output
    assert listing(unit) == ["v1", "v2"]
    assert _sha(unit / "v1" / "report.docx") == v1


def test_validate_only_checks(run_cli, data_copy, tmp_path):
    result = run_cli("validate", "--data", str(data_copy), cwd=tmp_path)
    assert result.code == 0, result.output
    assert "校验通过" in result.stdout
    unit = tmp_path / "out" / "2024" / SAMPLE_UNIT
    assert listing(unit) == ["checks"], "validate writes a quality report, never a report version"


def test_missing_column_is_exit_2_naming_file_and_column(run_cli, data_copy, tmp_path):
    _edit_csv(data_copy, "借方金额,", "借方发生额,")
    result = run_cli("run", "--data", str(data_copy), "--out", str(tmp_path / "out"))
    assert result.code == 2, result.output
    assert "2024年1-6月记账凭证.csv" in result.stderr and "借方金额" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_undecodable_file_is_exit_2(run_cli, data_copy, tmp_path):
    (data_copy / CSV).write_bytes(b"\x81\x30\xff\xfe\x00garbage" * 20)
    result = run_cli("run", "--data", str(data_copy), "--out", str(tmp_path / "out"))
    assert result.code == 2, result.output
    assert "2024年1-6月记账凭证.csv" in result.stderr and "Traceback" not in result.output


def test_bad_arguments_are_exit_2(run_cli):
    result = run_cli("run", "--year", "二〇二四")
    assert result.code == 2 and "参数错误" in result.stderr


def test_unknown_unit_is_exit_2(run_cli, data_copy, tmp_path):
    result = run_cli("run", "--data", str(data_copy), "--out", str(tmp_path / "out"), "--unit", "999999")
    assert result.code == 2 and "999999" in result.stderr
