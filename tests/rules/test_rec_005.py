"""REC-005: The project list adds up to 项目支出."""

import dataclasses  # noqa: F401

import pandas as pd  # noqa: F401

from tests.rules.rulekit import assert_fails_alone, assert_passes, budget_frame, ledger_frame, tampered, valid  # noqa: F401

RULE = "REC-005"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    result = assert_fails_alone(RULE, d, tamper=tampered(projects=lambda m: (dataclasses.replace(m.projects[0], actual_fen=m.projects[0].actual_fen + 1),)))
    v = result.violations[0]
    assert v.column == "project_list"
