"""The bare baseline (benchmarks/bare_baseline.py) computes the product's figures on the same files.

The benchmark compares the product's run time with the baseline's; that comparison only
means something if the baseline does the same raw work and gets the same numbers.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from flows.adapters.data_folder import read_year_sources
from flows.adapters.unit_exports import unit_inputs
from flows.domain.metrics import compute_department_metrics
from flows.domain.money import format_wan
from tools.demo_data import write_demo_data

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bare_baseline.py"
YEAR = 2024


def _load_baseline():
    # benchmarks/ is not a package: load the script as a module to call its functions.
    spec = importlib.util.spec_from_file_location("bare_baseline", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module        # dataclasses resolve their module while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def baseline():
    return _load_baseline()


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("city")
    write_demo_data(data, YEAR, units=2, rows_per_unit=2000, seed=1)
    return data


@pytest.fixture(scope="module")
def baseline_figures(baseline, city):
    settings = baseline.load_settings(YEAR)
    folder = city / str(YEAR)
    ledger = baseline.read_ledger(folder / "ledger", settings)
    budget = baseline.read_budget(folder / "budget", settings)
    return baseline.compute_figures(ledger, budget, settings)


@pytest.fixture(scope="module")
def product_metrics(city, reference):
    sources = read_year_sources(city, YEAR, reference)
    metrics = {}
    for unit, unit_sources in sources.units.items():
        inputs = unit_inputs(unit_sources, reference)
        metrics[unit] = compute_department_metrics(inputs.ledger, inputs.budget, inputs.profiles[unit], reference, YEAR)
    return metrics


def test_same_units(baseline_figures, product_metrics):
    assert len(product_metrics) == 2
    assert sorted(baseline_figures) == sorted(product_metrics)


def test_headline_figures_match_in_fen(baseline_figures, product_metrics):
    for unit, m in product_metrics.items():
        f = baseline_figures[unit]
        assert m.actual_fen != 0
        assert {
            "年初预算数": f.initial_budget_fen, "全年预算数": f.adjusted_budget_fen, "全年执行数": f.actual_fen,
            "基本支出": f.basic_fen, "人员经费": f.personnel_fen, "公用经费": f.public_fen,
            "项目支出": f.project_fen, "其它资金": f.other_funds_fen, "三公经费": f.sangong_total_fen,
        } == {
            "年初预算数": m.initial_budget_fen, "全年预算数": m.adjusted_budget_fen, "全年执行数": m.actual_fen,
            "基本支出": m.basic_fen, "人员经费": m.personnel_fen, "公用经费": m.public_fen,
            "项目支出": m.named_projects_fen, "其它资金": m.other_funds_fen, "三公经费": m.sangong_total_fen,
        }, unit
        assert f.execution_rate == m.execution_rate


def test_breakdowns_match(baseline_figures, product_metrics):
    for unit, m in product_metrics.items():
        f = baseline_figures[unit]
        assert f.econ_classes == {line.code: line.amount_fen for line in m.econ_classes}, unit
        assert list(f.sangong) == [(line.name, line.amount_fen) for line in m.sangong], unit
        assert [(p.code, p.name, p.initial_fen, p.adjusted_fen, p.actual_fen) for p in f.projects] == [
            (p.code, p.name, p.initial_fen, p.adjusted_fen, p.actual_fen) for p in m.projects], unit


def test_cli_writes_one_report_per_unit(city, tmp_path, product_metrics):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, str(SCRIPT), "--data", str(city), "--year", str(YEAR), "--out", str(out)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "units: 2" in result.stdout and "seconds:" in result.stdout
    for unit, m in product_metrics.items():
        report = docx.Document(str(out / str(YEAR) / unit / "report.docx"))
        text = "\n".join(p.text for p in report.paragraphs)
        assert f"全年实际支出{format_wan(m.actual_fen)}万元" in text
        assert "{{" not in text and "{%" not in text
