"""Departments unlike the sample, through the CLI: another year, standard codes the sample never
uses, a ledger in a real export family; and what happens when the project's own code lists fail."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, docx_text_via_libreoffice
from tests.fixtures import make_real_exports as families

pytestmark = pytest.mark.slow
UNIT = "312001"

# Standard codes outside the sample's own: 2010301 行政运行 (政府办公厅), 2170302 (金融部门其他
# 行政支出), 31005 基础设施建设, 31201 资本金注入 (class 312), 39908.
FUNC_SWAP = {"2012901": ("2010301", "行政运行"), "2012902": ("2170302", "金融部门其他行政支出")}
ECON_SWAP = {"30299": ("39908", "对民间非营利组织和群众性自治组织补贴"), "30227": ("31201", "资本金注入"),
             "30226": ("31005", "基础设施建设")}


def _other_department(data: Path, year: int, func_swap=FUNC_SWAP) -> None:
    """The sample's vouchers moved to `year`, recoded, exported as a 用友 凭证明细."""
    lines = []
    for line in families.lines_from_sample_ledger():
        line = dataclasses.replace(line, date=line.date.replace(year=year))
        line = dataclasses.replace(line, func=func_swap.get(line.func[0], line.func),
                                   econ=ECON_SWAP.get(line.econ[0], line.econ))
        lines.append(line)
    ledger = data / str(year) / "ledger" / UNIT
    ledger.mkdir(parents=True)
    families.write_yonyou_voucher_detail(lines, ledger / "凭证明细.csv", year=year)
    (data / str(year) / "budget").mkdir()
    shutil.copy(ROOT / "data/2024/budget/2024年指标.csv", data / str(year) / "budget" / f"{year}年指标.csv")
    shutil.copytree(ROOT / "data/2024/profiles", data / str(year) / "profiles")


def test_a_2021_department_with_standard_codes_outside_the_sample_gets_its_report(run_cli, tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    _other_department(data, 2021)
    result = run_cli("run", "--year", "2021", "--data", str(data), "--out", str(out))
    assert result.code == 0, result.output
    assert "用友 凭证明细" in result.output
    version = out / "2021" / UNIT / "v1"
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["export_formats"][f"2021/ledger/{UNIT}/凭证明细.csv"] == "yonyou_voucher_detail"
    assert manifest["code_lists"] == "config/code_lists/2021"
    assert manifest["figures"]["全年执行数"]["printed"] == "648.31"
    assert "对企业补助" in json.dumps(manifest["figures"], ensure_ascii=False)   # class 312 is reported
    text = docx_text_via_libreoffice(version / "report.docx")
    assert "648.31" in text and "2021" in text


def test_an_item_code_the_shipped_list_lacks_is_a_warning_whose_remedy_names_the_list(run_cli, tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    _other_department(data, 2021, {**FUNC_SWAP, "2012950": ("2010388", "某地方新增科目")})   # 款 20103 exists
    result = run_cli("run", "--year", "2021", "--data", str(data), "--out", str(out))
    assert result.code == 0, result.output
    manifest = json.loads((out / "2021" / UNIT / "v1" / "manifest.json").read_text(encoding="utf-8"))
    [warning] = [w for w in manifest["quality"]["warnings"] if w["rule_id"] == "LED-022"]
    assert "config/" not in warning["message"], "recipients read the message in section 六; the path is for reviewers"
    html = (out / "2021" / UNIT / "v1" / "quality.html").read_text(encoding="utf-8")
    assert "config/code_lists/&lt;年度&gt;/functional.csv" in html or "config/code_lists/<年度>/functional.csv" in html


def test_a_year_without_code_lists_is_a_configuration_error_not_a_data_error(run_cli, data_copy, tmp_path):
    shutil.copytree(data_copy / "2024", data_copy / "2019")
    result = run_cli("run", "--year", "2019", "--data", str(data_copy), "--out", str(tmp_path / "out"))
    assert result.code == 4, result.output
    assert "配置错误（不是输入数据的问题）" in result.output and "config/code_lists" in result.output
    assert "输入数据无法使用" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_typo_in_the_indicator_library_is_a_configuration_error_naming_file_key_and_value(run_cli, data_copy, tmp_path):
    project = tmp_path / "project"
    for folder in ("config", "expectations", "templates"):
        shutil.copytree(ROOT / folder, project / folder)
    library = project / "config" / "indicators" / "hunan.yaml"
    library.write_text(library.read_text(encoding="utf-8").replace("    points: 50\n", "    points: 五十\n"), encoding="utf-8")
    result = run_cli("run", "--year", "2024", "--data", str(data_copy), "--out", str(tmp_path / "out"),
                     env={"JIXIAO_PROJECT_ROOT": str(project)})
    assert result.code == 4, result.output
    assert "配置文件 config/indicators/hunan.yaml：groups[1].points 的值「五十」不是数字" in result.output
    assert "输入数据无法使用" not in result.output


def test_a_broken_schedule_is_a_configuration_error_for_rerun_too(run_cli, data_copy, tmp_path):
    project = tmp_path / "project"
    for folder in ("config", "expectations", "templates"):
        shutil.copytree(ROOT / folder, project / folder)
    schedule = project / "config" / "schedule.yaml"
    schedule.write_text(schedule.read_text(encoding="utf-8").replace("timezone: Asia/Shanghai", "timezone: Asia/Beijing"),
                        encoding="utf-8")
    result = run_cli("rerun", "--year", "2024", "--data", str(data_copy), "--out", str(tmp_path / "out"),
                     env={"JIXIAO_PROJECT_ROOT": str(project)})
    assert result.code == 4, result.output
    assert "配置文件 config/schedule.yaml：timezone：「Asia/Beijing」不是已知的时区名称" in result.output
