"""City-scale benchmark: a whole city's units through `jixiao run` against a bare script.

Measures, in one session and on the same generated exports (median of --repeats runs):
  (a) full   `jixiao run` into an empty output folder
  (b) bare   benchmarks/bare_baseline.py: pyarrow + pandas + docxtpl, no orchestration, no validation
  (c) rerun  `jixiao run` again with nothing changed
  (d) one    `jixiao run` after one unit's rows changed in one city-wide export
  (e) peak memory (RSS of the whole process tree, sampled) of (a) and (b)
and where (a)'s time goes per task, from the Prefect run records, and (a)'s peak memory on a
city a tenth the size (memory should follow the largest unit, not the number of units). Results go to
benchmarks/results/city_scale.json.

    python benchmarks/city_scale.py                       # 200 units × 25,000 rows
    python benchmarks/city_scale.py --units 4 --rows-per-unit 2000 --repeats 1   # a quick look
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
TARGETS = {"full_vs_bare": 2.0, "rerun_vs_full": 0.05, "one_unit_vs_full": 0.10, "memory_full_vs_bare": 1.5}


# The latest run's peak RSS of one pool process (where a unit's work happens), in bytes.
last_unit_process_peak = 0


def measured(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) summed over the process and its children."""
    global last_unit_process_peak
    started = time.perf_counter()
    process = psutil.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = unit_peak = 0
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read()), daemon=True)
    reader.start()
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            sizes = {p: p.memory_info().rss for p in tree if p.is_running()}
            peak = max(peak, sum(sizes.values()))
            pool = [rss for p, rss in sizes.items() if "spawn_main" in " ".join(p.cmdline())]
            unit_peak = max([unit_peak, *pool])
        except psutil.Error:
            pass
        time.sleep(0.2)
    last_unit_process_peak = unit_peak
    seconds = time.perf_counter() - started
    reader.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{b''.join(output).decode(errors='replace')[-3000:]}")
    return seconds, peak


def change_one_unit(data: Path, month: int, delta_fen: int = 100) -> str:
    """Lower one 7101/7201 line and its voucher's 8001 line by the same amount (the voucher
    still balances, the project stays within budget) in one monthly export; returns the unit."""
    path = data / str(YEAR) / "ledger" / f"city_ledger_{YEAR}_{month:02d}.csv"
    lines = path.read_bytes().decode("gb18030").split("\r\n")
    header = lines[0].split(",")
    unit_col, account_col, voucher_col = header.index("单位编码"), header.index("会计科目编码"), header.index("凭证号")
    debit_col, credit_col = header.index("借方金额"), header.index("贷方金额")

    def cells(line: str) -> list[str]:
        return next(csv.reader([line]))

    for i, line in enumerate(lines[1:], start=1):
        row = cells(line)
        if len(row) > debit_col and row[account_col].startswith("7") and row[debit_col] not in ("", "0.00"):
            amount = round(float(row[debit_col].replace(",", "")) * 100)
            if amount <= delta_fen * 2:
                continue
            unit, voucher = row[unit_col], row[voucher_col]
            for j in range(i + 1, len(lines)):
                other = cells(lines[j]) if lines[j] else []
                if other and other[unit_col] == unit and other[voucher_col] == voucher and other[account_col].startswith("8001"):
                    other_amount = round(float(other[credit_col].replace(",", "")) * 100)
                    row[debit_col] = f"{(amount - delta_fen) / 100:.2f}"
                    other[credit_col] = f"{(other_amount - delta_fen) / 100:.2f}"
                    lines[i], lines[j] = _csv_line(row), _csv_line(other)
                    path.write_bytes("\r\n".join(lines).encode("gb18030"))
                    return unit
    raise SystemExit(f"no changeable line in {path}")


def _csv_line(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    return buffer.getvalue()


def stage_seconds(prefect_db: Path) -> dict[str, float]:
    """Seconds per task (summed over units) of the latest annual-report flow run."""
    with sqlite3.connect(prefect_db) as db:
        [flow_run] = db.execute(
            "select fr.id from flow_run fr join flow f on f.id = fr.flow_id where f.name = 'annual-report' "
            "order by fr.start_time desc limit 1").fetchall()[0:1]
        rows = db.execute("select name, total_run_time from task_run where flow_run_id = ?", flow_run).fetchall()
    stages: dict[str, float] = {}
    for name, run_time in rows:
        stage = re.sub(r"-[0-9a-z]{3}$", "", name)
        seconds = run_time if isinstance(run_time, (int, float)) else _interval_seconds(run_time)
        stages[stage] = round(stages.get(stage, 0.0) + seconds, 2)
    return dict(sorted(stages.items(), key=lambda item: -item[1]))


def _interval_seconds(value) -> float:
    # SQLite stores intervals as timestamps from the epoch ("1970-01-01 00:00:05.123000").
    text = str(value)
    match = re.match(r"1970-01-0(\d) (\d\d):(\d\d):(\d\d(?:\.\d+)?)", text)
    if not match:
        return 0.0
    day, hours, minutes, seconds = match.groups()
    return (int(day) - 1) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rows-per-unit", type=int, default=25_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / ".jixiao" / "benchmark")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "city_scale.json")
    args = parser.parse_args()

    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    state = work / "state"
    env = {**os.environ, "JIXIAO_STATE_DIR": str(state), "PYTHONWARNINGS": "ignore"}
    env.pop("PREFECT_API_URL", None)                     # the product's own temporary server, as `make run`
    jixiao = [sys.executable, "-m", "flows"]
    subprocess.run([sys.executable, "-m", "tools.demo_data", "--units", str(args.units), "--rows-per-unit", str(args.rows_per_unit),
                    "--year", str(YEAR), "--out", str(data)], env=env, check=True, cwd=ROOT, capture_output=True)
    # One warm-up run: Prefect's first start migrates its database, which no later run pays.
    subprocess.run([*jixiao, "validate", "--year", str(YEAR), "--data", str(ROOT / "data"), "--out", str(work / "warm")],
                   env=env, cwd=ROOT, capture_output=True)

    runs: dict[str, list[float]] = {"full": [], "bare": [], "rerun": [], "one_unit": []}
    memory: dict[str, list[int]] = {"full": [], "bare": []}
    stages: list[dict[str, float]] = []
    unit_process_peaks: list[int] = []
    rerun_stages: list[dict[str, float]] = []
    one_unit_stages: list[dict[str, float]] = []
    for repeat in range(args.repeats):
        out, bare_out = work / f"out-{repeat}", work / f"bare-{repeat}"
        seconds, peak = measured([sys.executable, str(ROOT / "benchmarks" / "bare_baseline.py"), "--data", str(data),
                                  "--year", str(YEAR), "--out", str(bare_out)], env)
        runs["bare"].append(seconds), memory["bare"].append(peak)
        print(f"[{repeat + 1}/{args.repeats}] bare {seconds:.1f} s, peak {peak / 2**20:.0f} MiB", flush=True)
        # A full run of a city never seen before: no split kept from an earlier repeat.
        shutil.rmtree(state / "exports", ignore_errors=True)
        seconds, peak = measured([*jixiao, "run", "--year", str(YEAR), "--data", str(data), "--out", str(out)], env)
        runs["full"].append(seconds), memory["full"].append(peak)
        unit_process_peaks.append(last_unit_process_peak)
        stages.append(stage_seconds(state / "prefect" / "prefect.db"))
        print(f"[{repeat + 1}/{args.repeats}] full {seconds:.1f} s, peak {peak / 2**20:.0f} MiB", flush=True)
        seconds, _ = measured([*jixiao, "run", "--year", str(YEAR), "--data", str(data), "--out", str(out)], env)
        runs["rerun"].append(seconds)
        rerun_stages.append(stage_seconds(state / "prefect" / "prefect.db"))
        print(f"[{repeat + 1}/{args.repeats}] rerun, nothing changed {seconds:.1f} s", flush=True)
        unit = change_one_unit(data, month=repeat + 1)
        seconds, _ = measured([*jixiao, "run", "--year", str(YEAR), "--data", str(data), "--out", str(out)], env)
        runs["one_unit"].append(seconds)
        one_unit_stages.append(stage_seconds(state / "prefect" / "prefect.db"))
        versions = sorted(p.name for p in (out / str(YEAR) / unit).iterdir() if p.name.startswith("v"))
        print(f"[{repeat + 1}/{args.repeats}] rerun, unit {unit} changed {seconds:.1f} s ({', '.join(versions)})", flush=True)
        shutil.rmtree(bare_out, ignore_errors=True)

    # Memory against the number of units: a tenth of the city with the same unit size.
    small_data = work / "small-data"
    small_units = max(2, args.units // 10)
    subprocess.run([sys.executable, "-m", "tools.demo_data", "--units", str(small_units), "--rows-per-unit", str(args.rows_per_unit),
                    "--year", str(YEAR), "--out", str(small_data)], env=env, check=True, cwd=ROOT, capture_output=True)
    small_seconds, small_peak = measured([*jixiao, "run", "--year", str(YEAR), "--data", str(small_data),
                                          "--out", str(work / "small-out")], env)
    small_unit_peak = last_unit_process_peak
    print(f"{small_units} units: full {small_seconds:.1f} s, peak {small_peak / 2**20:.0f} MiB", flush=True)

    median = {name: statistics.median(values) for name, values in runs.items()}
    peak = {name: statistics.median(values) for name, values in memory.items()}
    ratios = {
        "full_vs_bare": median["full"] / median["bare"],
        "rerun_vs_full": median["rerun"] / median["full"],
        "one_unit_vs_full": median["one_unit"] / median["full"],
        "memory_full_vs_bare": peak["full"] / peak["bare"],
    }
    results = {
        "what": f"{args.units} units × {args.rows_per_unit} ledger rows ({args.units * args.rows_per_unit:,} rows), "
                f"12 city-wide monthly GB18030 CSV exports, year {YEAR}",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "repeats": args.repeats,
        "seconds": {name: [round(v, 2) for v in values] for name, values in runs.items()},
        "median_seconds": {name: round(v, 2) for name, v in median.items()},
        "peak_rss_mib": {name: round(v / 2**20) for name, v in peak.items()},
        "ratios": {name: round(v, 3) for name, v in ratios.items()},
        "targets": TARGETS,
        "met": {name: ratios[name] <= limit for name, limit in TARGETS.items()},
        "full_run_task_seconds": stages,
        "rerun_task_seconds": rerun_stages,
        "one_unit_task_seconds": one_unit_stages,
        "memory_by_city_size": {"units": [small_units, args.units],
                                "peak_rss_mib": [round(small_peak / 2**20), round(peak["full"] / 2**20)],
                                # One pool process: what a unit's work needs, whatever the city's size.
                                "peak_rss_mib_of_one_unit_process": [round(small_unit_peak / 2**20),
                                                                     round(statistics.median(unit_process_peaks) / 2**20)],
                                "full_seconds": [round(small_seconds, 2), round(median["full"], 2)]},
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: results[k] for k in ("median_seconds", "peak_rss_mib", "ratios", "met")}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
