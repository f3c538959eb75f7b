"""EVA-001: a 一级指标 the profile gives no indicator for is a warning; the self-evaluation is 未评价."""

from __future__ import annotations

from flows.adapters.quality_gx import run_suites
from flows.domain.evaluation import evaluate_performance
from flows.domain.metrics import compute_department_metrics
from flows.domain.quality_inputs import quality_datasets
from tests.rules.rulekit import EXPECTATIONS, PROFILE, REFERENCE, valid


def _results(indicators):
    d = valid()
    metrics = compute_department_metrics(d.ledger, d.budget, PROFILE, REFERENCE, 2024)
    evaluation = evaluate_performance(REFERENCE.evaluation.indicator_library, metrics.rates(), indicators)
    datasets = quality_datasets(d.ledger, d.budget, metrics, d.rejected, d.declared, d.vouchers, evaluation=evaluation)
    return run_suites(EXPECTATIONS, datasets, d.parameters, only_suites=frozenset({"self_evaluation"}))


def test_a_profile_without_output_indicators_is_named_group_by_group():
    [result] = _results([])
    assert not result.success and result.severity == "warning"
    assert {v.column for v in result.violations} == {"产出指标", "效益指标", "满意度指标"}


def test_a_profile_with_an_indicator_in_every_group_passes():
    import yaml

    from flows.domain.profile import parse_profile
    from tests.conftest import ROOT

    sample = parse_profile(yaml.safe_load((ROOT / "data/2024/profiles/312001.yaml").read_text(encoding="utf-8")), "p.yaml")
    [result] = _results(sample.indicators)
    assert result.success
