"""The real GX suites of expectations/ on the sample data, and on deliberately broken copies."""

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from flows.adapters.quality_gx import run_suites
from flows.domain.control_totals import empty_declared
from flows.domain.ledger import LEDGER_COLUMNS, RowIssue
from flows.domain.metrics import compute_department_metrics
from flows.domain.quality import QualityVerdict, describe_failures
from flows.domain.quality_inputs import quality_datasets, quality_parameters

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "expectations"
UNIT = "312001"


def _validate(ledger, budget, reference, profile, rejected=(), metrics=None):
    metrics = metrics or compute_department_metrics(ledger, budget, profile, reference, 2024)
    results = run_suites(
        EXPECTATIONS,
        quality_datasets(ledger, budget, metrics, rejected, empty_declared()),
        quality_parameters(reference, 2024, pd.Timestamp(2025, 1, 10)),
    )
    return QualityVerdict(UNIT, tuple(results))


@pytest.fixture()
def sample(sample_inputs):
    return sample_inputs.ledger.copy(), sample_inputs.budget.copy(), sample_inputs.profiles[UNIT]


def test_every_rule_has_id_severity_category_and_message():
    ids = []
    for path in EXPECTATIONS.glob("*.json"):
        suite = json.loads(path.read_text(encoding="utf-8"))
        assert suite["meta"]["dataset"] in {"ledger", "budget", "reconciliation", "rejected_rows", "projects",
                                            "control_totals", "printed_rounding", "vouchers", "payments", "self_evaluation",
                                            "prior_control_totals"}
        for expectation in suite["expectations"]:
            meta = expectation["meta"]
            assert expectation["severity"] in {"critical", "warning", "info"}
            assert meta["rule_id"] and meta["category"] and meta["message_zh"]
            ids.append(meta["rule_id"])
    assert len(ids) == len(set(ids)), "rule IDs are unique"


def test_ledger_suite_columns_are_the_canonical_columns():
    suite = json.loads((EXPECTATIONS / "ledger_rows.json").read_text(encoding="utf-8"))
    referenced = {e["kwargs"]["column"] for e in suite["expectations"] if "column" in e["kwargs"]}
    assert referenced <= set(LEDGER_COLUMNS)
    [columns_rule] = [e for e in suite["expectations"] if e["type"] == "expect_table_columns_to_match_set"]
    assert columns_rule["kwargs"]["column_set"] == list(LEDGER_COLUMNS)


def test_sample_passes_every_rule(sample, reference):
    verdict = _validate(*sample[:2], reference, sample[2])
    assert not verdict.blocked, describe_failures(verdict.critical_failures)
    assert verdict.summary()["rules"] >= 25 and not verdict.warnings
    # The only finding on the sample is the published report's own 尾差, reported as info.
    assert {r.rule_id for r in verdict.results if not r.success} == {"RND-001"}


def _failed(verdict):
    """Failed rules beyond the sample's own info-level 尾差 (RND-001)."""
    return {r.rule_id for r in verdict.results if not r.success and r.severity != "info"}


def test_unknown_economic_class_is_critical_and_located(sample, reference):
    ledger, budget, profile = sample
    ledger.loc[10, "econ_code"] = "39498"     # no class 394
    verdict = _validate(ledger, budget, reference, profile)
    assert verdict.blocked and _failed(verdict) == {"LED-003", "LED-021"}
    [violation] = next(r for r in verdict.results if r.rule_id == "LED-003").violations
    assert (violation.file, violation.row, violation.value) == (ledger.loc[10, "source_file"], ledger.loc[10, "source_row"], "39498")
    assert "部门支出经济分类" in "\n".join(describe_failures(verdict.critical_failures))


def test_unlisted_section_of_a_known_class_is_only_a_warning(sample, reference):
    ledger, budget, profile = sample
    ledger.loc[10, "econ_code"] = "30298"
    verdict = _validate(ledger, budget, reference, profile)
    assert not verdict.blocked and _failed(verdict) == {"LED-021"}


def test_date_outside_the_fiscal_year(sample, reference):
    ledger, budget, profile = sample
    ledger.loc[3, "posting_date"] = pd.Timestamp(dt.datetime(2025, 1, 2))
    assert _failed(_validate(ledger, budget, reference, profile)) == {"LED-007"}


def test_duplicate_voucher_line(sample, reference):
    ledger, budget, profile = sample
    duplicated = pd.concat([ledger, ledger.iloc[[5]]], ignore_index=True)
    assert "LED-008" in _failed(_validate(duplicated, budget, reference, profile))


def test_totals_that_do_not_reconcile_are_critical(sample, reference):
    ledger, budget, profile = sample
    metrics = compute_department_metrics(ledger, budget, profile, reference, 2024)
    broken = metrics.__class__(**{**{f: getattr(metrics, f) for f in metrics.__dataclass_fields__}, "basic_fen": metrics.basic_fen + 1})
    verdict = _validate(ledger, budget, reference, profile, metrics=broken)
    assert "REC-002" in _failed(verdict)
    rec = next(r for r in verdict.results if r.rule_id == "REC-002")
    assert rec.violations[0].difference == "0.01元"


def test_rejected_rows_block_with_their_reasons(sample, reference):
    ledger, budget, profile = sample
    rejected = [RowIssue("2024/ledger/x.csv", 7, "借方金额", "12.345", "金额超过两位小数")]
    verdict = _validate(ledger, budget, reference, profile, rejected=rejected)
    assert _failed(verdict) == {"ING-001"}
    [violation] = verdict.critical_failures[0].violations
    assert (violation.file, violation.row, violation.column) == ("2024/ledger/x.csv", 7, "借方金额")


def test_empty_summary_is_only_a_warning(sample, reference):
    ledger, budget, profile = sample
    ledger.loc[0, "summary"] = ""
    verdict = _validate(ledger, budget, reference, profile)
    assert not verdict.blocked and [w.rule_id for w in verdict.warnings] == ["LED-010"]
