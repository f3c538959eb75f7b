"""A city batch through the CLI: units split from city-wide exports, each produced on its own;
one unit blocked by a critical rule and one whose task crashes do not stop the others."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tools.demo_data import write_demo_data

pytestmark = pytest.mark.slow

YEAR = "2024"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city") / "data"
    summary = write_demo_data(folder, int(YEAR), units=4, rows_per_unit=1_200, seed=11)
    return folder, summary.units


def _break_one_econ_code(data, unit: str) -> None:
    """An economic code under no 类 of the code list (rule LED-003, critical) on one of `unit`'s lines."""
    path = data / YEAR / "ledger" / f"city_ledger_{YEAR}_06.csv"
    lines = path.read_bytes().decode("gb18030").split("\r\n")
    header = next(csv.reader([lines[0]]))
    unit_col, account_col = header.index("单位编码"), header.index("会计科目编码")
    econ_col = header.index("部门支出经济分类（账务）编码")
    for i, line in enumerate(lines[1:], start=1):
        row = next(csv.reader([line])) if line else []
        if row and row[unit_col] == unit and row[account_col].startswith("7"):
            row[econ_col] = "39499"
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(row)
            lines[i] = buffer.getvalue()
            break
    path.write_bytes("\r\n".join(lines).encode("gb18030"))


# Each unit in a task of its own, and two units a task validated together (the blocked unit with
# a clean one, the crashed unit with another): outcomes and outputs are the same.
@pytest.mark.parametrize("units_per_task", ["1", "2"])
def test_one_blocked_and_one_crashed_unit_do_not_stop_the_city(run_cli, city, tmp_path, units_per_task):
    data, units = city
    produced, blocked, crashed, *_ = units
    _break_one_econ_code(data, blocked)
    out = tmp_path / "out"
    per_task = {"JIXIAO_UNITS_PER_TASK": units_per_task}

    result = run_cli("run", "--year", YEAR, "--data", str(data), "--out", str(out),
                     env={"JIXIAO_FAULT_UNITS": crashed, **per_task})

    assert result.code == 1, result.output                              # a failed unit wins over a blocked one
    assert "共 4 个单位：生成 2，未变化 0，受阻 1，失败 1" in result.stdout, result.output
    assert "Traceback" not in result.output
    assert f"✗ {blocked}" in result.stderr and "LED-003" in result.stderr and "39499" in result.stderr
    assert f"✗ {crashed}" in result.stderr and "处理失败" in result.stderr
    assert "已完成 4/4 个单位" in result.stderr                            # progress, without a terminal
    for unit in (produced, units[3]):
        manifest = json.loads((out / YEAR / unit / "v1" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["unit_code"] == unit and manifest["row_accounting"]["ledger"]["rows_rejected"] == 0
        # Only the unit's own rows: its share of the 12 city-wide files, not the whole city.
        assert manifest["row_accounting"]["ledger"]["rows_read"] == 1_200
    assert not (out / YEAR / blocked / "v1").exists() and list((out / YEAR / blocked / "checks").iterdir())
    assert not (out / YEAR / crashed).exists()

    [summary_file] = (out / YEAR).glob("run-summary-*.csv")
    with summary_file.open(encoding="utf-8-sig") as handle:
        rows = {row["单位编码"]: row for row in csv.DictReader(handle)}
    assert {u: rows[u]["结果"] for u in units} == {produced: "已生成", blocked: "受阻（严重数据问题）",
                                                   crashed: "失败", units[3]: "已生成"}
    assert "JIXIAO_FAULT_UNITS" in rows[crashed]["说明"]

    # The corrected city: only the two units that had no report get one; the others are unchanged.
    again = run_cli("run", "--year", YEAR, "--data", str(data), "--out", str(out), env=per_task)
    assert again.code == 3, again.output                                 # the econ code is still wrong
    assert "共 4 个单位：生成 1，未变化 2，受阻 1，失败 0" in again.stdout, again.output


def test_the_quality_gate_of_a_city_validated_together_blocks_only_the_broken_unit(run_cli, city, tmp_path):
    data, units = city
    blocked = units[1]
    _break_one_econ_code(data, blocked)

    result = run_cli("validate", "--year", YEAR, "--data", str(data), "--out", str(tmp_path / "out"),
                     env={"JIXIAO_UNITS_PER_TASK": "2"})

    assert result.code == 3, result.output
    assert f"✗ {blocked}" in result.stderr and "LED-003" in result.stderr and "39499" in result.stderr
    for unit in set(units) - {blocked}:
        assert f"✓ {unit}" in result.stdout and "数据质量校验通过" in result.stdout, result.output
        assert list((tmp_path / "out" / YEAR / unit / "checks").iterdir())
    assert "Traceback" not in result.output
