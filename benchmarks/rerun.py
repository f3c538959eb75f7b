"""Benchmark: a full `jixiao run` on the sample data vs a rerun with unchanged inputs.

Both are measured in the same session as whole commands (what a user waits for),
median of N runs each, on a fresh output folder for every full run. The Prefect state
folder is warmed up first so that the one-off database migration is not counted.

    python benchmarks/rerun.py [--runs 5]      # writes benchmarks/results/rerun.json
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _jixiao(out: Path, state: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flows", "run", "--data", str(ROOT / "data"), "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "JIXIAO_STATE_DIR": str(state), "HOME": str(state)})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    state = work / "state"
    _jixiao(work / "warm-up", state)
    full, unchanged = [], []
    for n in range(args.runs):
        out = work / f"out-{n}"
        full.append(_jixiao(out, state))
        unchanged.append(_jixiao(out, state))
    shutil.rmtree(work, ignore_errors=True)
    result = {
        "what": "jixiao run on data/2024 (2,856 ledger rows): full run vs rerun with unchanged inputs",
        "runs": args.runs,
        "full_run_seconds": {"median": round(statistics.median(full), 2), "all": [round(t, 2) for t in full]},
        "unchanged_rerun_seconds": {"median": round(statistics.median(unchanged), 2), "all": [round(t, 2) for t in unchanged]},
        "ratio_unchanged_to_full": round(statistics.median(unchanged) / statistics.median(full), 3),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": __import__("os").cpu_count()},
    }
    target = ROOT / "benchmarks" / "results" / "rerun.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
