"""REC-001: Economic classes add up to total spending."""

import dataclasses

from tests.rules.rulekit import assert_fails_alone, assert_passes, tampered, valid

RULE = "REC-001"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    result = assert_fails_alone(RULE, d, tamper=tampered(econ_classes=lambda m: (dataclasses.replace(m.econ_classes[0], amount_fen=m.econ_classes[0].amount_fen + 1), *m.econ_classes[1:])))
    v = result.violations[0]
    assert v.column == "econ_parts" and v.difference == "0.01元"
