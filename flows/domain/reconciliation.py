"""Cross-row identities of the report as a small table that the quality gate validates.

One row per identity: expected_fen, actual_fen, difference_fen (exact). The GX suite
expectations/reconciliation.json requires every difference to be zero.
"""

from __future__ import annotations

import pandas as pd

from flows.domain.metrics import DepartmentMetrics

RECONCILIATION_COLUMNS = ("identity", "description", "expected_fen", "actual_fen", "difference_fen")


def reconciliation_table(metrics: DepartmentMetrics) -> pd.DataFrame:
    """The identities of figures.md, each computed from independent sums."""
    m = metrics
    rows = [
        ("econ_parts", "各经济分类之和 = 全年执行数", m.actual_fen, sum(line.amount_fen for line in m.econ_classes)),
        ("basic_project_other", "基本支出 + 项目支出 + 其它资金 = 全年执行数", m.actual_fen,
         m.basic_fen + m.named_projects_fen + m.other_funds_fen),
        ("sangong_parts", "“三公”各项之和 = “三公”经费合计", m.sangong_total_fen, sum(line.amount_fen for line in m.sangong)),
        ("personnel_public", "人员经费 + 公用经费 = 基本支出", m.basic_fen, m.personnel_fen + m.public_fen),
        ("project_list", "项目清单之和 = 项目支出", m.named_projects_fen, sum(p.actual_fen for p in m.projects)),
    ]
    frame = pd.DataFrame(
        [(identity, text, expected, actual, actual - expected) for identity, text, expected, actual in rows],
        columns=list(RECONCILIATION_COLUMNS),
    )
    return frame.astype({"expected_fen": "int64", "actual_fen": "int64", "difference_fen": "int64"})
