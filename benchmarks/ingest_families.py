"""Benchmark: reading the sample department's whole 2024 ledger in each real export family.

Each family's file is the sample ledger (2,152 spending lines) converted by the fixture
writers; the baseline is the sample's own export (a GB18030 voucher CSV and a 明细账 XLSX),
read by the same code in the same run. Every figure is the median of N in-process reads of
the data folder (header matching, canonical cells, parsing, voucher balance, derivation),
and the ratio is family ÷ baseline.

    python benchmarks/ingest_families.py [--runs 7]   # writes benchmarks/results/ingest_families.json
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.adapters.data_folder import read_year_inputs
from flows.adapters.project_files import load_reference
from tests.fixtures import make_real_exports as families

UNIT = "312001"
WRITERS = families.LEDGER_WRITERS


def _folder(work: Path, name: str, ledger_files: list[Path]) -> Path:
    data = work / name
    ledger = data / "2024" / "ledger" / UNIT
    ledger.mkdir(parents=True)
    for path in ledger_files:
        shutil.copy(path, ledger / path.name)
    shutil.copytree(ROOT / "data/2024/budget", data / "2024" / "budget")
    shutil.copytree(ROOT / "data/2024/profiles", data / "2024" / "profiles")
    return data


def _median_seconds(data: Path, reference, runs: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(runs + 1):                      # the first read warms the imports and caches
        started = time.perf_counter()
        inputs = read_year_inputs(data, 2024, reference)
        times.append(time.perf_counter() - started)
        rows = sum(inputs.ledger_accounting.rows_read.values())
    return statistics.median(times[1:]), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    reference = load_reference(2024)
    lines = families.lines_from_sample_ledger()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        baseline = _folder(work, "baseline", sorted((ROOT / "data/2024/ledger" / UNIT).iterdir()))
        base_seconds, base_rows = _median_seconds(baseline, reference, args.runs)
        results = {"baseline (sample's own export)": {"median_s": round(base_seconds, 4), "rows_read": base_rows,
                                                      "ratio": 1.0}}
        for family, (write, name) in WRITERS.items():
            exported = work / "exports" / family / name
            exported.parent.mkdir(parents=True)
            write(lines, exported)
            seconds, rows = _median_seconds(_folder(work, family, [exported]), reference, args.runs)
            results[family] = {"median_s": round(seconds, 4), "rows_read": rows,
                               "ratio": round(seconds / base_seconds, 2)}
    report = {"what": "read_year_inputs on the sample ledger converted into each export family",
              "runs": args.runs, "machine": f"{platform.machine()} {platform.python_version()}", "results": results}
    out = ROOT / "benchmarks" / "results" / "ingest_families.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
