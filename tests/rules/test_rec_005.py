"""REC-005: The project list adds up to 项目支出."""

import dataclasses

from tests.rules.rulekit import assert_fails_alone, assert_passes, tampered, valid

RULE = "REC-005"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    d = valid()
    result = assert_fails_alone(RULE, d, tamper=tampered(projects=lambda m: (dataclasses.replace(m.projects[0], actual_fen=m.projects[0].actual_fen + 1),)))
    v = result.violations[0]
    assert v.column == "project_list"
