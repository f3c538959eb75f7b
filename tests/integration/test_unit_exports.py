"""City-wide exports split by unit: the column-wise reader loads exactly what the row reader
loads, and a rerun reads only what changed (the split cache)."""

from __future__ import annotations

import pandas as pd
import pytest

from flows.adapters import mapped_exports, unit_exports
from flows.adapters.data_folder import read_year_inputs, read_year_sources
from flows.adapters.mapped_exports import ArrowRows
from flows.adapters.split_cache import SplitCache
from flows.adapters.unit_exports import unit_inputs
from tools.demo_data import write_demo_data

YEAR = 2024


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    write_demo_data(folder, YEAR, units=3, rows_per_unit=1_500, seed=3)
    return folder


@pytest.fixture()
def columnar(monkeypatch):
    """Small test files take the column-wise path that city-sized files take."""
    monkeypatch.setattr(mapped_exports, "COLUMNAR_MIN_BYTES", 0)


def _ledgers(sources, reference) -> dict[str, pd.DataFrame]:
    return {unit: unit_inputs(s, reference).ledger for unit, s in sources.units.items()}


def test_column_wise_reading_loads_what_the_row_reader_loads(city, reference, monkeypatch):
    by_rows = _ledgers(read_year_sources(city, YEAR, reference), reference)
    monkeypatch.setattr(mapped_exports, "COLUMNAR_MIN_BYTES", 0)
    sources = read_year_sources(city, YEAR, reference)
    assert all(isinstance(t.rows, ArrowRows) for s in sources.units.values() for t, _ in s.ledger_tables)
    by_columns = _ledgers(sources, reference)
    assert by_rows.keys() == by_columns.keys() and len(by_rows) == 3
    for unit, frame in by_rows.items():
        pd.testing.assert_frame_equal(frame, by_columns[unit])
    # Every unit's rows, and only them: the units' ledgers add up to the whole city's.
    whole = read_year_inputs(city, YEAR, reference).ledger
    assert sum(len(f) for f in by_columns.values()) == len(whole)
    assert sum(int(f["amount_fen"].sum()) for f in by_columns.values()) == int(whole["amount_fen"].sum())


def test_a_rerun_reads_no_export_again_and_a_correction_changes_only_its_unit(city, reference, columnar, tmp_path, monkeypatch):
    cache_dir = tmp_path / "exports"
    first = read_year_sources(city, YEAR, reference, cache=SplitCache(cache_dir))
    entries = sorted(p.name for p in cache_dir.iterdir())
    assert len(entries) == 12                                   # one per monthly export

    def no_reading(*args, **kwargs):
        raise AssertionError("an unchanged export was read again")

    with monkeypatch.context() as patch:
        patch.setattr(unit_exports, "read_mapped", no_reading)
        again = read_year_sources(city, YEAR, reference, cache=SplitCache(cache_dir))
    assert {u: dict(s.ledger_digests) for u, s in again.units.items()} == \
           {u: dict(s.ledger_digests) for u, s in first.units.items()}
    for unit, frame in _ledgers(first, reference).items():
        pd.testing.assert_frame_equal(frame, _ledgers(again, reference)[unit])

    # Finance corrects one line of one unit in March's export (same length, same voucher balance).
    march = city / str(YEAR) / "ledger" / f"city_ledger_{YEAR}_03.csv"
    original = march.read_bytes()
    text = original.decode("gb18030")
    lines = text.split("\r\n")
    unit_col = lines[0].split(",").index("单位编码")
    target = next(i for i, line in enumerate(lines[1:], start=1) if ",7101," in line or ",7201," in line)
    unit = lines[target].split(",")[unit_col]
    lines[target] = lines[target].replace("购买", "采购", 1) if "购买" in lines[target] else lines[target] + " "
    try:
        march.write_bytes("\r\n".join(lines).encode("gb18030"))
        corrected = read_year_sources(city, YEAR, reference, cache=SplitCache(cache_dir))
    finally:
        march.write_bytes(original)
    changed = {u for u, s in corrected.units.items() if dict(s.ledger_digests) != dict(first.units[u].ledger_digests)}
    assert changed == {unit}
    changed_files = {f for f, d in corrected.units[unit].ledger_digests.items() if d != first.units[unit].ledger_digests[f]}
    assert changed_files == {march.relative_to(city).as_posix()}
    # The superseded split of March is gone; the other months' splits are kept.
    assert len(list(cache_dir.iterdir())) == 12 and len({p.name for p in cache_dir.iterdir()} - set(entries)) == 1


def test_a_ragged_export_falls_back_to_the_row_reader_and_names_the_row(city, reference, columnar, tmp_path):
    import shutil

    copy = tmp_path / "city"
    shutil.copytree(city, copy)
    may = copy / str(YEAR) / "ledger" / f"city_ledger_{YEAR}_05.csv"
    lines = may.read_bytes().decode("gb18030").split("\r\n")
    lines[7] = ",".join(lines[7].split(",")[:5])                 # a truncated line, as a broken export has
    may.write_bytes("\r\n".join(lines).encode("gb18030"))
    sources = read_year_sources(copy, YEAR, reference)
    tables = [t for s in sources.units.values() for t, _ in s.ledger_tables if t.file.endswith("_05.csv")]
    assert tables and not any(isinstance(t.rows, ArrowRows) for t in tables)
    rejected = [issue for s in sources.units.values() for issue in unit_inputs(s, reference).ledger_accounting.rejected]
    assert [(issue.file.rsplit("/", 1)[-1], issue.row) for issue in rejected] == [(may.name, 8)]
