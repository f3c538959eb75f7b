"""The synthetic city (tools/demo_data.py) is read unchanged and every unit passes the quality gate."""

import argparse
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from flows.adapters.data_folder import read_year_inputs
from flows.adapters.export_files import decode_text
from flows.adapters.quality_gx import run_suites
from flows.domain.metrics import compute_department_metrics
from flows.domain.quality import QualityVerdict, describe_failures
from flows.domain.quality_inputs import quality_datasets, quality_parameters
from flows.domain.reconciliation import project_execution_table
from tools.demo_data import LEDGER_HEADERS, add_demo_data_arguments, run_demo_data, write_demo_data

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2024
UNITS = 4
ROWS_PER_UNIT = 2_000


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    summary = write_demo_data(out, YEAR, UNITS, ROWS_PER_UNIT, seed=3)
    return out, summary


@pytest.fixture(scope="module")
def city_inputs(city, reference):
    return read_year_inputs(city[0], YEAR, reference)


def _unit(inputs, unit):
    """The unit's rows and files, as the flow selects them."""
    ledger = inputs.ledger[inputs.ledger["unit_code"] == unit].reset_index(drop=True)
    budget = inputs.budget[inputs.budget["unit_code"] == unit].reset_index(drop=True)
    files = sorted(set(ledger["source_file"]) | set(budget["source_file"]))
    return ledger, budget, files


def test_layout_and_headers_follow_the_sample(city):
    out, summary = city
    assert summary.units == ["430001", "430002", "430003", "430004"]
    assert sorted(summary.files) == sorted(
        [f"{YEAR}/ledger/city_ledger_{YEAR}_{month:02d}.csv" for month in range(1, 13)]
        + [f"{YEAR}/budget/city_budget_{YEAR}.csv"] + [f"{YEAR}/profiles/{unit}.yaml" for unit in summary.units]
    )
    sample = (ROOT / "data/2024/ledger/312001/2024年1-6月记账凭证.csv").read_bytes().decode("gb18030").splitlines()[0]
    header = (out / summary.files[0]).read_bytes().decode("gb18030").splitlines()[0]
    assert header.split(",") == ["单位编码", "单位名称", *sample.split(",")] == list(LEDGER_HEADERS)
    sample_budget = (ROOT / "data/2024/budget/2024年指标.csv").read_bytes()
    budget = (out / f"{YEAR}/budget/city_budget_{YEAR}.csv").read_bytes()
    assert budget.startswith(b"\xef\xbb\xbf") and budget.splitlines()[0] == sample_budget.splitlines()[0]
    with pytest.raises(UnicodeDecodeError):      # GB18030, as the voucher template writes it
        (out / summary.files[0]).read_bytes().decode("utf-8")
    assert "合成演示数据" in (out / f"{YEAR}/profiles/430001.yaml").read_text(encoding="utf-8").splitlines()[0]


def test_every_row_is_read_and_none_rejected(city, city_inputs):
    _, summary = city
    ledger_counts, budget_counts = city_inputs.ledger_accounting.summary(), city_inputs.budget_accounting.summary()
    assert ledger_counts["rows_rejected"] == 0 and budget_counts["rows_rejected"] == 0
    assert ledger_counts["rows_read"] == summary.ledger_rows == UNITS * ROWS_PER_UNIT
    assert ledger_counts["rows_loaded"] == summary.expense_lines
    # What is skipped is exactly the 8001 资金结存 counterpart lines.
    assert {issue.column for issue in city_inputs.ledger_accounting.skipped} == {"会计科目编码"}
    assert {issue.value for issue in city_inputs.ledger_accounting.skipped} == {"8001"}
    assert budget_counts["rows_loaded"] == summary.budget_rows


def test_every_unit_has_profile_budget_and_about_the_requested_rows(city, city_inputs):
    _, summary = city
    assert sorted(city_inputs.profiles) == summary.units
    assert sorted(set(city_inputs.budget["unit_code"])) == summary.units
    for unit in summary.units:
        ledger, _, _ = _unit(city_inputs, unit)
        vouchers = ledger["voucher_no"].nunique()          # each voucher has one 8001 line
        assert len(ledger) + vouchers == ROWS_PER_UNIT
        assert 0.55 * ROWS_PER_UNIT < len(ledger) < 0.8 * ROWS_PER_UNIT
        assert set(ledger["expense_type"]) == {"basic_personnel", "basic_public", "project"}
        assert (ledger["amount_fen"] < 0).any(), "红字 reversals and refunds are part of a realistic ledger"


def test_each_voucher_balances_with_its_8001_line(city):
    out, summary = city
    rows = pd.concat([pd.read_csv(out / f, encoding="gb18030", dtype=str, keep_default_na=False)
                      for f in summary.files if "/ledger/" in f], ignore_index=True)

    def fen(column):
        return pd.to_numeric(rows[column].str.replace(",", "")).fillna(0).mul(100).round().astype("int64")

    rows["signed"] = fen("借方金额") - fen("贷方金额")
    counterpart = rows["会计科目编码"] == "8001"
    by_voucher = rows.groupby(["单位编码", "凭证号"])
    assert (by_voucher["signed"].sum() == 0).all()
    assert (counterpart.groupby([rows["单位编码"], rows["凭证号"]]).sum() == 1).all()
    dates = pd.to_datetime(rows["凭证日期"], format="%Y/%m/%d")
    assert dates.dt.year.eq(YEAR).all() and (dates.dt.day_of_week < 5).all()


def test_each_unit_passes_every_quality_rule(city, city_inputs, reference):
    _, summary = city
    for unit in summary.units:
        ledger, budget, files = _unit(city_inputs, unit)
        metrics = compute_department_metrics(ledger, budget, city_inputs.profiles[unit], reference, YEAR)
        rejected = city_inputs.ledger_accounting.for_files(files).rejected + city_inputs.budget_accounting.rejected
        declared = city_inputs.control_totals[city_inputs.control_totals["unit_code"] == unit]
        export_date = max(city_inputs.file_dates[f] for f in files)
        results = run_suites(ROOT / "expectations", quality_datasets(ledger, budget, metrics, rejected, declared),
                             quality_parameters(reference, YEAR, export_date))
        verdict = QualityVerdict(unit, tuple(results))
        assert not verdict.blocked, describe_failures(verdict.critical_failures)
        assert not [r.rule_id for r in results if not r.success], f"{unit}: warnings or info findings"
        execution = project_execution_table(ledger, budget)
        rates = execution["actual_fen"] / execution["budget_fen"]
        assert execution["budgeted"].all() and execution["spent"].all()
        assert rates.between(0.8, 1.0).all(), execution
        assert 0.85 <= metrics.execution_rate <= 1


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    first = write_demo_data(tmp_path / "a", YEAR, 2, 1_200, seed=5)
    again = write_demo_data(tmp_path / "b", YEAR, 2, 1_200, seed=5)
    other = write_demo_data(tmp_path / "c", YEAR, 2, 1_200, seed=6)
    assert first.files == again.files == other.files
    for file in first.files:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    assert all((tmp_path / "a" / f).read_bytes() != (tmp_path / "c" / f).read_bytes() for f in first.files if "/ledger/" in f)
    # A unit's data do not depend on how many units are generated.
    fewer = write_demo_data(tmp_path / "d", YEAR, 1, 1_200, seed=5)
    january = f"{YEAR}/ledger/city_ledger_{YEAR}_01.csv"
    one_unit = decode_text((tmp_path / "d" / january).read_bytes(), january).splitlines()
    two_units = decode_text((tmp_path / "a" / january).read_bytes(), january).splitlines()
    assert one_unit == [line for line in two_units if not line.startswith("430002,")]
    assert fewer.units == ["430001"]


def _cli_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.demo_data")
    add_demo_data_arguments(parser)
    return parser.parse_args(list(argv))


def test_command_writes_and_refuses_a_non_empty_folder(tmp_path, capsys):
    args = _cli_args("--units", "2", "--rows-per-unit", "1000", "--year", str(YEAR), "--out", str(tmp_path / "demo"))
    assert run_demo_data(args) == 0
    said = capsys.readouterr()
    assert "已生成合成演示数据" in said.out and str(tmp_path / "demo" / str(YEAR)) in said.out
    assert said.err.count("月账簿") == 12
    assert run_demo_data(args) == 2
    assert "已存在且不为空" in capsys.readouterr().err
    assert _cli_args("--out", "x").year == dt.date.today().year - 1


@pytest.mark.parametrize("argv", [["--units", "0"], ["--rows-per-unit", "10"], ["--year", "2999"], ["--seed", "-1"]])
def test_command_rejects_unusable_arguments(tmp_path, capsys, argv):
    args = _cli_args("--year", str(YEAR), "--out", str(tmp_path / "demo"), *argv)
    assert run_demo_data(args) == 2
    assert capsys.readouterr().err.startswith("参数错误：")
    assert not (tmp_path / "demo").exists()


def test_a_province_goes_on_into_other_cities_with_distinct_units():
    from tools.demo_data import UNITS_PER_CITY, _unit_identity

    first_city = {_unit_identity(i)[1] for i in range(UNITS_PER_CITY)}
    beyond = [_unit_identity(i) for i in range(UNITS_PER_CITY, 2_400)]
    names = {identity[1] for identity in beyond}
    assert len(names) == len(beyond) and not names & first_city
    assert beyond[0][1].startswith("长沙市") and len({identity[0] for identity in beyond}) == len(beyond)


def test_small_province_units_of_500_rows_pass_every_quality_rule(tmp_path, reference):
    summary = write_demo_data(tmp_path, YEAR, 2, 500, seed=5)
    inputs = read_year_inputs(tmp_path, YEAR, reference)
    for unit in summary.units:
        ledger, budget, files = _unit(inputs, unit)
        assert len(ledger), unit
        metrics = compute_department_metrics(ledger, budget, inputs.profiles[unit], reference, YEAR)
        rejected = inputs.ledger_accounting.for_files(files).rejected + inputs.budget_accounting.rejected
        declared = inputs.control_totals[inputs.control_totals["unit_code"] == unit]
        results = run_suites(ROOT / "expectations", quality_datasets(ledger, budget, metrics, rejected, declared),
                             quality_parameters(reference, YEAR, max(inputs.file_dates[f] for f in files)))
        assert not QualityVerdict(unit, tuple(results)).blocked, unit
