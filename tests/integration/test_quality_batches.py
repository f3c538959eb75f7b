"""Units validated together (one GX run per suite over many units' rows) get exactly the rule
results and Data Docs they get when each is validated alone: every rule, message, failing row
and count, and no other unit's rows or results."""

from __future__ import annotations

import re
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
EXPORTED = pd.Timestamp(2025, 1, 10)


@pytest.fixture(scope="module")
def city(sample_inputs, reference):
    """Seven units made from the sample's rows under their own codes: clean ones, and one each
    broken by a row (an unknown 经济分类), a repeated line, no budget at all, an export date that
    precedes the last vouchers (a parameter of its own) and a 摘要 naming a 结转; and one with a
    blank 摘要 (a missing value, which GX counts apart from the rows it checks)."""
    ledger, budget, profile = sample_inputs.ledger, sample_inputs.budget, sample_inputs.profiles[UNIT]

    def unit(code: str, ledger: pd.DataFrame = ledger, budget: pd.DataFrame = budget, exported: pd.Timestamp = EXPORTED):
        ledger, budget = ledger.assign(unit_code=code), budget.assign(unit_code=code)
        metrics = compute_department_metrics(ledger, budget, profile, reference, 2024)
        return quality_datasets(ledger, budget, metrics, (), empty_declared()), quality_parameters(reference, 2024, exported)

    unknown_econ = ledger.copy()
    unknown_econ.loc[unknown_econ.index[10], "econ_code"] = "39498"
    repeated = pd.concat([ledger, ledger.iloc[[3]]], ignore_index=True)
    closing = ledger.copy()
    closing.loc[closing.index[7], "summary"] = "年末结转"
    blank_summary = ledger.copy()
    blank_summary.loc[blank_summary.index[2], "summary"] = None
    return {
        "clean-a": unit("4001"), "unknown-econ": unit("4002", unknown_econ), "clean-b": unit("4003"),
        "no-budget": unit("4004", budget=budget.iloc[0:0]), "repeated-line": unit("4005", repeated),
        "early-export": unit("4006", exported=ledger["posting_date"].min()), "closing": unit("4007", closing),
        "clean-c": unit("4008"), "blank-summary": unit("4009", blank_summary),
    }


def _failed(results) -> set[str]:
    return {r.rule_id for r in results if not r.success}


def _together(city, tmp_path: Path | None = None):
    runs = [quality_gx.UnitValidation(datasets, parameters, tmp_path / f"together-{name}" if tmp_path else None, name)
            for name, (datasets, parameters) in city.items()]
    return dict(zip(city, quality_gx.run_suites_together(EXPECTATIONS, runs), strict=True))


def test_units_validated_together_get_the_rule_results_each_gets_alone(city):
    alone = {name: quality_gx.run_suites(EXPECTATIONS, datasets, parameters) for name, (datasets, parameters) in city.items()}
    # Each broken unit fails its own rule, the clean ones none: the comparison below compares failures.
    assert "LED-003" in _failed(alone["unknown-econ"]) and "LED-008" in _failed(alone["repeated-line"])
    assert "BUD-005" in _failed(alone["no-budget"]) and "LED-013" in _failed(alone["early-export"])
    assert "LED-017" in _failed(alone["closing"])
    clean = _failed(alone["clean-a"])
    assert _failed(alone["clean-b"]) == clean == _failed(alone["clean-c"])
    assert not clean & {"LED-003", "LED-008", "BUD-005", "LED-013"}

    together = _together(city)

    for name in city:
        assert together[name] == alone[name], f"{name}: validated together differs from validated alone"


def test_a_failing_row_is_reported_for_its_own_unit_only(city):
    together = _together(city)

    [econ] = [r for r in together["unknown-econ"] if r.rule_id == "LED-003"]
    assert econ.failing_count == 1 and [v.value for v in econ.violations] == ["39498"]
    for name in ("clean-a", "clean-b", "clean-c", "early-export"):
        assert "LED-003" not in _failed(together[name]) and "LED-008" not in _failed(together[name]), name


# Run times and generated ids differ from one run to the next; everything else on a page must not.
_VOLATILE = re.compile(r"\d{10}\.\d+|\d{8}T\d{6}\.\d+Z|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:\+00:00)?|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def _pages(docs: Path) -> dict[str, str]:
    return {_VOLATILE.sub("…", str(page.relative_to(docs))): _VOLATILE.sub("…", page.read_text(encoding="utf-8"))
            for page in docs.rglob("*.html")}


def test_each_units_data_docs_are_the_pages_it_gets_alone(city, tmp_path):
    _together(city, tmp_path)

    for name in ("clean-a", "unknown-econ", "no-budget", "early-export", "blank-summary"):
        datasets, parameters = city[name]
        quality_gx.run_suites(EXPECTATIONS, datasets, parameters, docs_dir=tmp_path / f"alone-{name}", run_name=name)
        together, alone = _pages(tmp_path / f"together-{name}"), _pages(tmp_path / f"alone-{name}")
        assert together.keys() == alone.keys(), name
        for page, text in alone.items():
            assert together[page] == text, f"{name}: {page} differs"
        assert all(f"/{other}/" not in page for other in city if other != name for page in together)
