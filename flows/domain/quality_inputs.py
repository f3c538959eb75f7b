"""The datasets and parameters the GX suites validate, for one department. Pure."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence

import pandas as pd

from flows.domain.evaluation import Evaluation
from flows.domain.ledger import ParsedRows, RowIssue, voucher_balance_frame
from flows.domain.metrics import DepartmentMetrics
from flows.domain.payments import empty_payments, payment_comparison_table
from flows.domain.reconciliation import (
    control_totals_table,
    printed_rounding_table,
    project_execution_table,
    reconciliation_table,
)
from flows.domain.reference import Reference

REJECTED_COLUMNS = ("file", "row", "column", "value", "reason")


def rejected_rows_table(rejected: Sequence[RowIssue]) -> pd.DataFrame:
    frame = pd.DataFrame([(r.file, r.row, r.column, r.value, r.reason) for r in rejected], columns=list(REJECTED_COLUMNS))
    return frame.astype({"file": "str", "row": "int64", "column": "str", "value": "str", "reason": "str"})


def quality_datasets(
    ledger: pd.DataFrame, budget: pd.DataFrame, metrics: DepartmentMetrics,
    rejected: Sequence[RowIssue], declared: pd.DataFrame, vouchers: pd.DataFrame | None = None,
    payments: pd.DataFrame | None = None, fiscal_funds: frozenset[str] = frozenset(),
    evaluation: Evaluation | None = None, prior_metrics: DepartmentMetrics | None = None,
    prior_declared: pd.DataFrame | None = None,
    attachment_sums: Sequence[tuple[str, Sequence[int], int]] = (),
) -> dict[str, pd.DataFrame]:
    """Every dataset a suite declares (suite meta `dataset`), keyed by that name.

    Last year's declared totals are compared with last year's figures as this report prints
    them (上年决算数, 上年数), when both exist.

    Payments are compared with the 财政拨款 spending only: 国库集中支付 pays nothing else.
    """
    paid_through_treasury = ledger[ledger["fund_source"].isin(fiscal_funds)] if fiscal_funds else ledger
    return {
        "payments": payment_comparison_table(empty_payments() if payments is None else payments,
                                             paid_through_treasury),
        "vouchers": (vouchers if vouchers is not None else voucher_balance_frame(ParsedRows())).reset_index(drop=True),
        "ledger": ledger.reset_index(drop=True),
        "budget": budget.reset_index(drop=True),
        "rejected_rows": rejected_rows_table(rejected),
        "reconciliation": reconciliation_table(metrics),
        "projects": project_execution_table(ledger, budget),
        "control_totals": control_totals_table(metrics, declared),
        "printed_rounding": printed_rounding_table(metrics, attachment_sums),
        "self_evaluation": self_evaluation_groups(evaluation),
        "prior_control_totals": control_totals_table(
            prior_metrics or metrics,
            prior_declared if prior_metrics is not None and prior_declared is not None else declared.iloc[0:0]),
    }


def self_evaluation_groups(evaluation: Evaluation | None) -> pd.DataFrame:
    """One row per 一级指标 of the self-evaluation with the number of indicators scored in it."""
    counts: dict[str, int] = {}
    if evaluation is not None:
        for score in evaluation.scores:
            counts[score.level1] = counts.get(score.level1, 0) + (score.score is not None)
        counts |= dict.fromkeys(evaluation.unscored_groups, 0)
    frame = pd.DataFrame(list(counts.items()), columns=["group", "indicators"])
    return frame.astype({"group": "str", "indicators": "int64"})


def quality_parameters(reference: Reference, year: int, export_date: pd.Timestamp) -> dict[str, object]:
    """Suite parameters: year-versioned code lists, the fiscal year, the export date.

    Codes are checked at their depth: the patterns accept a well-formed code (five-digit 经济
    分类 款, seven-digit 功能分类 项) under a listed 类, which the critical rules require; the
    sets hold the listed codes themselves, which the warning rules ask for (a code the shipped
    list lacks). The 类 are complete in every shipped year; the lists of 款 and 项 may not be,
    so a code missing there is the list's gap to report, not a reason to block the report.
    """
    codes = reference.codes
    rules = reference.ledger_rules
    sangong_codes = sorted({code for item in reference.evaluation.sangong_items for code in item.econ_codes})
    return {
        "econ_codes": sorted(codes.economic),
        "func_codes": sorted(codes.functional_items),
        "econ_pattern": _code_pattern(codes.economic_classes, 2),
        "max_line_fen": reference.max_line_amount_fen,
        "min_line_fen": -reference.max_line_amount_fen,
        "func_pattern": _code_pattern(codes.functional_classes, 4),
        "fund_sources": sorted(reference.codes.fund_sources),
        "fiscal_funds": sorted(reference.codes.fiscal_fund_sources),
        "year_start": pd.Timestamp(dt.datetime(year, 1, 1)),
        "year_end": pd.Timestamp(dt.datetime(year, 12, 31, 23, 59, 59)),
        "export_date": export_date,
        # Locality wording and accounts (config/export_formats.yaml → ledger, config/evaluation.yaml):
        # a second province changes them there, never in expectations/*.json.
        "spending_account_pattern": f"^{_any_of(rules.spending_accounts)}",
        "subtotal_pattern": f"^\\s*{_any_of(rules.subtotal_markers)}\\s*$",
        "closing_pattern": _any_of(rules.closing_words),
        "reversal_pattern": _any_of(rules.reversal_words),
        # A row condition (GX takes these as pandas query text, not as a parameter; the GX
        # adapter substitutes it): the 三公 lines, whose fund must be 财政拨款.
        "sangong_lines": f"econ_code in {json.dumps(sangong_codes, ensure_ascii=False)}",
    }


def _any_of(words) -> str:
    """A regex group matching any of `words` literally; one that never matches when there are none."""
    alternatives = "|".join(sorted(re.escape(w) for w in words)) or "(?!)"
    return f"(?:{alternatives})"


def _code_pattern(prefixes, digits: int) -> str:
    """A regex for a code that is one of `prefixes` followed by exactly `digits` digits."""
    return f"^{_any_of(prefixes)}\\d{{{digits}}}$"
