"""LED-001: Canonical ledger columns are exactly the declared ones."""

import dataclasses  # noqa: F401

import pandas as pd  # noqa: F401

from tests.rules.rulekit import assert_fails_alone, assert_passes, budget_frame, ledger_frame, tampered, valid  # noqa: F401

RULE = "LED-001"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.ledger["department"] = "机关"  # a column the canonical ledger does not have
    result = assert_fails_alone(RULE, d)
