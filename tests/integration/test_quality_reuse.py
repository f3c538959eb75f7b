"""The GX context and checkpoints are reused by every unit of a process: no unit's results,
parameters or Data Docs reach another unit's."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from flows.adapters import quality_gx
from flows.domain.control_totals import empty_declared
from flows.domain.metrics import compute_department_metrics
from flows.domain.quality_inputs import quality_datasets, quality_parameters

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "expectations"
UNIT = "312001"


@pytest.fixture()
def units(sample_inputs, reference):
    """Two units' inputs: a clean one, and one whose 经济分类 is unknown and whose export date
    precedes its last vouchers (a failure that comes from a parameter, not from the rows)."""
    ledger, budget, profile = sample_inputs.ledger.copy(), sample_inputs.budget.copy(), sample_inputs.profiles[UNIT]

    def unit(ledger: pd.DataFrame, export_date: pd.Timestamp):
        metrics = compute_department_metrics(ledger, budget, profile, reference, 2024)
        return (quality_datasets(ledger, budget, metrics, (), empty_declared()),
                quality_parameters(reference, 2024, export_date))

    broken = ledger.copy()
    broken.loc[10, "econ_code"] = "39498"
    return {"clean": unit(ledger, pd.Timestamp(2025, 1, 10)),
            "broken": unit(broken, ledger["posting_date"].min())}


def _failed(results) -> set[str]:
    return {r.rule_id for r in results if not r.success and r.severity != "info"}


def _run_names(docs: Path) -> set[str]:
    # Data Docs keep a validation page at validations/<suite>/<run name>/<run time>/<batch>.html.
    return {page.relative_to(docs / "validations").parts[1] for page in (docs / "validations").rglob("*.html")}


def test_two_units_in_one_process_see_only_their_own_results(units, tmp_path):
    quality_gx.clear_cache()
    fresh = {name: quality_gx.run_suites(EXPECTATIONS, *units[name], reuse=False) for name in units}
    assert _failed(fresh["clean"]) == set()
    assert {"LED-003", "LED-013"} <= _failed(fresh["broken"])

    seen = {}
    for round_, name in enumerate(("broken", "clean", "broken", "clean")):
        docs = tmp_path / f"{round_}-{name}"
        results = quality_gx.run_suites(EXPECTATIONS, *units[name], docs_dir=docs, run_name=f"run-{round_}-{name}")
        assert results == fresh[name], f"{name} in round {round_} differs from a fresh context's results"
        assert _run_names(docs) == {f"run-{round_}-{name}"}
        pages = len(list((docs / "validations").rglob("*.html")))
        assert pages == len(quality_gx.load_suite_definitions(str(EXPECTATIONS)))
        index = (docs / "index.html").read_text(encoding="utf-8")
        assert set(re.findall(r"run-\d-\w+", index)) == {f"run-{round_}-{name}"}
        seen[name] = index
    assert "ge-failed-icon" in seen["broken"]


def test_one_context_serves_every_unit_and_threads_get_their_own(units, monkeypatch):
    quality_gx.clear_cache()
    built = []
    build = quality_gx._build
    monkeypatch.setattr(quality_gx, "_build", lambda definitions: built.append(1) or build(definitions))
    expected = {name: quality_gx.run_suites(EXPECTATIONS, *units[name]) for name in units}
    assert len(built) == 1

    names = ["broken", "clean"] * 3
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda name: quality_gx.run_suites(EXPECTATIONS, *units[name]), names))
    assert outcomes == [expected[name] for name in names]
    assert len(built) <= 2                               # at most one more, for the second thread
