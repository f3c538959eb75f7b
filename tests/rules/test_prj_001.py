"""PRJ-001: Every budgeted project has spending lines (warning)."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, budget_frame, valid

RULE = "PRJ-001"



def test_broken_department_fails_with_the_row_located():
    d = valid()
    d.budget = pd.concat([d.budget, budget_frame([("addition", "project", "P2", "30299", "111", 50_000)]).assign(source_row=9)], ignore_index=True)
    result = assert_fails_alone(RULE, d)
    v = result.violations[0]
    assert (v.column, v.row) == ("项目P2", 9)
