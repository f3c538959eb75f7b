"""The valid department of rulekit passes every rule of every suite, each suite run once.

Each rule's module then only breaks one thing and shows that exactly its rule fails.
"""

from __future__ import annotations

import json

import pytest

from flows.adapters.quality_gx import run_suites
from flows.domain.metrics import compute_department_metrics
from flows.domain.quality_inputs import quality_datasets
from tests.rules.rulekit import EXPECTATIONS, PROFILE, REFERENCE, valid

SUITES = {json.loads(p.read_text(encoding="utf-8"))["name"]: p for p in sorted(EXPECTATIONS.glob("*.json"))}


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_the_valid_department_passes_every_rule_of_the_suite(suite):
    d = valid()
    metrics = compute_department_metrics(d.ledger, d.budget, PROFILE, REFERENCE, 2024)
    datasets = quality_datasets(d.ledger, d.budget, metrics, d.rejected, d.declared, d.vouchers)
    results = run_suites(EXPECTATIONS, datasets, d.parameters, only_suites=frozenset({suite}))
    declared = {e["meta"]["rule_id"] for e in json.loads(SUITES[suite].read_text(encoding="utf-8"))["expectations"]}
    assert {r.rule_id for r in results} == declared, "every rule of the suite ran"
    assert [(r.rule_id, r.violations) for r in results if not r.success] == []
