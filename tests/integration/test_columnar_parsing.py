"""The column-wise ledger parser equals the row-by-row one on every ledger fixture: the sample
data, the export variants, the real export families, and each bad-input case's ledger."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from flows.adapters.catalog import year_folder
from flows.adapters.mapped_exports import read_mapped
from flows.domain.errors import InputError
from tests.fixtures.bad_inputs import CATALOGUE
from tests.fixtures.parse_paths import assert_both_paths_agree, assert_whole_ingest_agrees

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ROOT / "tests" / "fixtures" / "export_variants"
REAL = ROOT / "tests" / "fixtures" / "real_exports"
UNIT = "312001"


def _folder_tables(data: Path, year: int, reference):
    folder = year_folder(data, year)
    return [(read_mapped(path, data, reference.ledger_profiles, reference.header_search_rows), unit)
            for path, unit in folder.ledger_files()]


def _fixture_tables(paths, root: Path, reference):
    tables = []
    for path in paths:
        try:
            tables.append((read_mapped(path, root, reference.ledger_profiles, reference.header_search_rows), UNIT))
        except InputError:
            continue              # not a ledger (budget, payments, 决算 fixtures)
    return tables


@pytest.mark.parametrize("year", [2023, 2024])
def test_sample_ledgers(year, reference):
    tables = _folder_tables(ROOT / "data", year, reference)
    parsed = assert_both_paths_agree(tables, reference, year)
    assert parsed.rows_loaded > 500 and parsed.vouchers and parsed.numbered_lines
    assert_whole_ingest_agrees(tables, reference, year)


def test_export_variants_each_and_together(reference):
    tables = _fixture_tables(sorted(VARIANTS.glob("*.*")), VARIANTS, reference)
    assert len(tables) == 5
    for table in tables:
        assert_both_paths_agree([table], reference, 2024)
    # Read together, the same vouchers collide: numbering and duplicates depend on the order.
    assert_both_paths_agree(tables, reference, 2024)
    assert_whole_ingest_agrees(tables, reference, 2024)


def test_real_export_families_each_and_together(reference):
    tables = _fixture_tables(sorted(REAL.glob("*/*")), REAL, reference)
    assert len(tables) >= 8
    for table in tables:
        assert_both_paths_agree([table], reference, 2024)
        assert_whole_ingest_agrees([table], reference, 2024)
    assert_both_paths_agree(tables, reference, 2024)


def test_an_export_read_twice_and_under_two_names(reference):
    tables = _folder_tables(ROOT / "data", 2024, reference)
    first = tables[0]
    renamed = (replace(first[0], file=first[0].file.replace(".csv", "（副本）.csv")), first[1])
    assert_both_paths_agree([first, first], reference, 2024)
    assert_both_paths_agree([first, renamed, *tables], reference, 2024)
    assert_whole_ingest_agrees([first, renamed], reference, 2024)


LEDGER_CASES = [case for case in CATALOGUE if case.exit in (0, 3)]


@pytest.mark.parametrize("case", LEDGER_CASES, ids=lambda case: case.name)
def test_bad_input_ledgers(case, data_copy, reference):
    case.breaks(data_copy)
    try:
        tables = _folder_tables(data_copy, 2024, reference)
    except InputError:
        pytest.skip("refused before parsing")
    assert_both_paths_agree(tables, reference, 2024)
    assert_whole_ingest_agrees(tables, reference, 2024)
