"""Benchmark: parsing one unit's ledger at city scale (25,000 rows) row by row and column-wise.

The table is the sample's 1-6月 voucher export repeated (voucher numbers moved on each time,
so every copy holds new vouchers) to --rows rows, kept two ways: as lists of cells (what the
row reader gives for XLSX and small CSV files) and column-wise in Arrow (what the column
reader gives for a large CSV and each unit's share of a city-wide export). Each figure is
parse_ledger_tables (canonical cells, parsing, ledger_frame, voucher balance) with
`parse_table` the row-by-row reference or the column-wise parser, the two alternating in
one run, median of --runs; both results are checked equal first. The three functions that
take most of the row-by-row time are listed from cProfile.

    python benchmarks/parse_per_unit.py [--rows 25000] [--runs 7]   # writes benchmarks/results/parse_per_unit.json
"""

from __future__ import annotations

import argparse
import cProfile
import json
import platform
import pstats
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.adapters.export_files import read_table
from flows.adapters.mapped_exports import ArrowRows
from flows.adapters.project_files import load_reference
from flows.domain.export_profiles import match_profile
from flows.domain.ingest import parse_ledger_tables
from flows.domain.ledger import parse_ledger_table
from flows.domain.ledger_columns import parse_ledger_table_columnar
from flows.domain.tables import MappedTable

UNIT = "312001"
SAMPLE = ROOT / "data" / "2024" / "ledger" / UNIT / "2024年1-6月记账凭证.csv"
PATHS = {"row_by_row": parse_ledger_table, "columnar": parse_ledger_table_columnar}


def city_scale_table(reference, rows: int) -> MappedTable:
    mapped = match_profile(read_table(SAMPLE, ROOT / "data"), reference.ledger_profiles, reference.header_search_rows)
    voucher = mapped.columns["voucher_no"]
    out: list[tuple[int, list[str]]] = []
    copy = 0
    while len(out) < rows:
        for _, cells in mapped.rows:
            line = list(cells)
            if line[voucher].strip().isdigit():
                line[voucher] = str(int(line[voucher]) + 10_000 * copy)
            out.append((mapped.header_row + 1 + len(out), line))
        copy += 1
    return replace(mapped, rows=out[:rows])


def in_arrow(table: MappedTable) -> MappedTable:
    width = len(table.rows[0][1])
    columns = {"row": pa.array([n for n, _ in table.rows], pa.int64())}
    columns |= {f"c{i}": pa.array([cells[i] for _, cells in table.rows], pa.string()) for i in range(width)}
    return replace(table, rows=ArrowRows(pa.table(columns)))


def parse(table: MappedTable, reference, path: str):
    return parse_ledger_tables([(table, UNIT)], reference, 2024, parse_table=PATHS[path])


def top_functions(table: MappedTable, reference, count: int = 3) -> list[dict[str, object]]:
    profiler = cProfile.Profile()
    profiler.runcall(parse, table, reference, "row_by_row")
    stats = pstats.Stats(profiler).stats
    total = sum(entry[2] for entry in stats.values())
    ranked = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:count]
    return [{"function": f"{Path(file).name}:{name}", "own_share": round(entry[2] / total, 3)}
            for (file, _, name), entry in ranked]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=25_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    reference = load_reference(2024)
    listed = city_scale_table(reference, args.rows)
    forms = {"lists of cells": listed, "arrow columns": in_arrow(listed)}
    results = {}
    for form, table in forms.items():
        expected, actual = parse(table, reference, "row_by_row"), parse(table, reference, "columnar")
        pd.testing.assert_frame_equal(actual.ledger, expected.ledger, check_exact=True)
        pd.testing.assert_frame_equal(actual.vouchers, expected.vouchers, check_exact=True)
        assert actual.accounting == expected.accounting
        times: dict[str, list[float]] = {path: [] for path in PATHS}
        for _ in range(args.runs):
            for path in PATHS:                       # alternating, so both see the same machine load
                started = time.perf_counter()
                parse(table, reference, path)
                times[path].append(time.perf_counter() - started)
        medians = {path: statistics.median(values) for path, values in times.items()}
        results[form] = {f"{path}_median_s": round(seconds, 4) for path, seconds in medians.items()}
        results[form]["speedup"] = round(medians["row_by_row"] / medians["columnar"], 2)
        results[form]["rows_loaded"] = len(expected.ledger)
    report = {"what": "parse_ledger_tables (with ledger_frame and the voucher balance) on one unit's ledger",
              "rows": args.rows, "runs": args.runs, "machine": f"{platform.machine()} {platform.python_version()}",
              "results": results, "row_by_row_profile": top_functions(listed, reference)}
    out = ROOT / "benchmarks" / "results" / "parse_per_unit.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
