"""Benchmark: one department end to end, `jixiao run` on the sample against a bare script.

In one session, alternated in every round so that a drift of the machine's speed touches all
of them alike: a produced run into a fresh output folder, an unchanged rerun of that folder,
and benchmarks/single_department.py (the same department's figures and one render of the
template, without Prefect or GX). Then the produced and unchanged runs again while a local
Prefect server is running, as `jixiao serve` leaves it. Every figure is a whole command's wall
time (what a user waits for); medians of --runs rounds, after one warm-up run of each (the
first start of Prefect migrates its database, which no later run pays).

    python benchmarks/one_department.py [--runs 5] [--no-server]   # writes benchmarks/results/single_department.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"produced_vs_bare": 3.0, "unchanged_seconds": 2.0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _timed(command: list[str], env: dict[str, str], expect: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or expect not in done.stdout:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr[-3000:]}")
    return seconds


class Department:
    """The three commands on one state folder; `out` numbers each produced run's fresh folder."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.work, self.env, self.count = work, env, 0

    def _run(self, out: Path, expect: str) -> float:
        return _timed([sys.executable, "-m", "flows", "run", "--data", str(ROOT / "data"), "--year", "2024",
                       "--out", str(out)], self.env, expect)

    def produced(self) -> float:
        self.count += 1
        return self._run(self.out, "已生成")

    def unchanged(self) -> float:
        return self._run(self.out, "未生成新版本")

    def bare(self) -> float:
        target = self.work / f"bare-{self.count}"
        seconds = _timed([sys.executable, str(ROOT / "benchmarks" / "single_department.py"), "--out", str(target)],
                         self.env, "seconds:")
        shutil.rmtree(target, ignore_errors=True)
        return seconds

    @property
    def out(self) -> Path:
        return self.work / f"out-{self.count}"


def _start_server(home: Path, port: int) -> subprocess.Popen:
    """`prefect server start` on SQLite in `home`, as `jixiao serve` starts it; returns once it answers."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("ab")
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port), "--no-ui"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"prefect server exited; see {home / 'server.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("prefect server did not answer within 180 s")


def _rounds(department: Department, runs: int, names: tuple[str, ...]) -> dict[str, list[float]]:
    for name in names:                      # warm-up, not counted
        getattr(department, name)()
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for n in range(runs):
        for name in names:
            seconds[name].append(getattr(department, name)())
        print(f"[{n + 1}/{runs}] " + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in seconds.items()), flush=True)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-server", action="store_true", help="skip the runs beside a running local Prefect server")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "single_department.json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jixiao-one-department-"))
    env = {**os.environ, "JIXIAO_STATE_DIR": str(work / "state"), "PYTHONWARNINGS": "ignore"}
    env.pop("PREFECT_API_URL", None)
    try:
        # Prefect's temporary server: the configured local port has nobody listening.
        alone = Department(work / "alone", {**env, "JIXIAO_SERVER_PORT": str(_free_port())})
        seconds = _rounds(alone, args.runs, ("produced", "unchanged", "bare"))
        if not args.no_server:
            port = _free_port()
            server = _start_server(work / "server-home", port)
            try:
                served = Department(work / "served", {**env, "JIXIAO_SERVER_PORT": str(port)})
                for name, values in _rounds(served, args.runs, ("produced", "unchanged")).items():
                    seconds[f"{name}_on_running_server"] = values
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    median = {name: statistics.median(values) for name, values in seconds.items()}
    ratios = {f"{name}_vs_bare": median[name] / median["bare"] for name in median if name != "bare"}
    met = {"produced_vs_bare": ratios["produced_vs_bare"] <= TARGETS["produced_vs_bare"],
           "unchanged_seconds": median["unchanged"] <= TARGETS["unchanged_seconds"]}
    if "produced_on_running_server" in median:
        met["produced_on_running_server_vs_bare"] = ratios["produced_on_running_server_vs_bare"] <= TARGETS["produced_vs_bare"]
    result = {
        "what": "data/2024, one department (312001, 2,856 ledger rows): jixiao run into a fresh output folder, "
                "an unchanged rerun, and benchmarks/single_department.py (same figures, one render of the template, "
                "no Prefect, no GX); alternated per round, whole-command wall seconds",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "runs": args.runs,
        "seconds": {name: [round(v, 2) for v in values] for name, values in seconds.items()},
        "median_seconds": {name: round(v, 2) for name, v in median.items()},
        "ratios": {name: round(v, 2) for name, v in ratios.items()},
        "targets": TARGETS,
        "met": met,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("median_seconds", "ratios", "met")}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
