"""REC-003: 三公 items add up to the 三公 total."""

import dataclasses  # noqa: F401

import pandas as pd  # noqa: F401

from tests.rules.rulekit import assert_fails_alone, assert_passes, budget_frame, ledger_frame, tampered, valid  # noqa: F401

RULE = "REC-003"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    result = assert_fails_alone(RULE, d, tamper=tampered(sangong_total_fen=lambda m: m.sangong_total_fen - 100))
    v = result.violations[0]
    assert v.column == "sangong_parts"
