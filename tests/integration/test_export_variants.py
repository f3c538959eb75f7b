"""Every export variant of the same vouchers parses to the same canonical rows."""

from pathlib import Path

import pytest

from flows.adapters.export_files import read_table
from flows.domain.ingest import parse_ledger_tables

VARIANTS = Path(__file__).resolve().parents[1] / "fixtures" / "export_variants"
CONTENT = ["posting_date", "voucher_no", "account_code", "func_code", "econ_code", "expense_type",
           "project_code", "project_name", "fund_source", "amount_fen", "summary"]


def _rows(path: Path, reference):
    parsed = parse_ledger_tables([(read_table(path, VARIANTS), "312001")], reference, 2024)
    assert parsed.accounting.summary()["rows_rejected"] == 0, parsed.accounting.rejected
    return parsed.ledger[CONTENT].to_dict("records")


@pytest.mark.parametrize("path", sorted(VARIANTS.glob("*.*")), ids=lambda p: p.name)
def test_variant_parses_to_the_reference_rows(path, reference):
    expected = _rows(VARIANTS / "template_utf8.csv", reference)
    assert len(expected) == 6
    assert _rows(path, reference) == expected


def test_reference_rows_are_exact(reference):
    rows = _rows(VARIANTS / "template_utf8.csv", reference)
    assert [r["amount_fen"] for r in rows] == [123450, 2032321, 100000000, -123450, -30000, 8800000]
    assert sum(r["amount_fen"] for r in rows) == 110802321
