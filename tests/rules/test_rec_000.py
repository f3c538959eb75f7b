"""REC-000: The reconciliation table holds exactly the declared identities."""

import pandas as pd

from tests.rules.rulekit import assert_fails_alone, assert_passes, valid

RULE = "REC-000"


def test_valid_department_passes():
    assert_passes(RULE)


def test_broken_department_fails_with_the_row_located():
    import flows.domain.reconciliation as rec
    from tests.rules import rulekit

    original = rec.reconciliation_table

    def with_extra_row(metrics):
        table = original(metrics)
        extra = table.iloc[[0]].assign(identity="bogus")
        return pd.concat([table, extra], ignore_index=True)

    rulekit.reconciliation_table = with_extra_row
    try:
        result = assert_fails_alone(RULE, valid())
    finally:
        rulekit.reconciliation_table = original
    assert result.failing_count == 1
