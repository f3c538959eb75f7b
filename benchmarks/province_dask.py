"""Province-scale benchmark: many small units through `jixiao run` on a local Dask cluster.

A Prefect server, a Dask scheduler and two one-thread workers on this machine; generated
exports of --units units × --rows-per-unit rows; one `jixiao run --dask-address` into an empty
output folder. Recorded (benchmarks/results/province_dask.json):
  - wall seconds, seconds until the first unit task started (ingest and split), and per unit:
    the unit task's own run time, and the wall seconds per unit and worker around it, whose
    difference is the orchestration overhead a unit pays;
  - resident memory over the run of the scheduler, each worker and the flow process (with its
    children): peak, and the median in the first and the last fifth of the unit phase, so a
    memory that grows with the number of units shows as a last fifth above the first.
With --compare-units N a second, smaller province runs first on the same cluster, so the two
sizes can be set side by side.

    python benchmarks/province_dask.py                            # 2,000 units × 500 rows
    python benchmarks/province_dask.py --units 40 --compare-units 0   # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from flows.adapters.prefect_server import is_healthy

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.5)


class Cluster:
    """The Prefect server, the Dask scheduler and its workers, stopped together."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.processes: dict[str, psutil.Popen] = {}
        port = _free_port()
        self.api = f"http://127.0.0.1:{port}/api"
        self.env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_API_URL": self.api,
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PYTHONWARNINGS": "ignore",
                    "JIXIAO_STATE_DIR": str(work / "state")}
        self._start("server", [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port), "--no-ui"])
        _wait(lambda: is_healthy(self.api), 180, "the Prefect server")
        scheduler_port = _free_port()
        self.address = f"tcp://127.0.0.1:{scheduler_port}"
        self._start("scheduler", [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(scheduler_port), "--dashboard-address", ":0"])
        for n in range(1, WORKERS + 1):
            self._start(f"worker-{n}", [sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--nthreads", "1",
                                        "--nworkers", "1", "--name", f"worker-{n}", "--local-directory",
                                        str(work / f"worker-{n}"), "--dashboard-address", ":0"])
        _wait(self._workers_ready, 180, "the Dask workers")

    def _start(self, name: str, args: list[str]) -> None:
        log = (self.work / f"{name}.log").open("ab")
        self.processes[name] = psutil.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT,
                                            start_new_session=True)

    def _workers_ready(self) -> bool:
        from distributed import Client

        try:
            with Client(self.address, timeout=5) as client:
                return len(client.scheduler_info(n_workers=-1)["workers"]) == WORKERS
        except OSError:
            return False

    def rss(self, name: str) -> int:
        """Resident bytes of a cluster process and its children (a worker runs under a nanny)."""
        process = self.processes[name]
        try:
            return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
        except psutil.Error:
            return 0

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except (subprocess.TimeoutExpired, psutil.TimeoutExpired):
                    process.kill()


def run_province(cluster: Cluster, data: Path, out: Path) -> dict:
    """One `jixiao run` on the cluster, with memory sampled every half second."""
    roles = ["scheduler", *(f"worker-{n}" for n in range(1, WORKERS + 1))]
    samples: list[tuple[float, dict[str, int]]] = []
    started_at = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    flow = psutil.Popen([sys.executable, "-m", "flows", "run", "--year", str(YEAR), "--data", str(data), "--out", str(out),
                         "--dask-address", cluster.address], env=cluster.env, cwd=ROOT,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.append(flow.stdout.read()), daemon=True)
    reader.start()
    while flow.poll() is None:
        try:
            flow_rss = sum(p.memory_info().rss for p in [flow, *flow.children(recursive=True)])
        except psutil.Error:
            flow_rss = 0
        samples.append((time.perf_counter() - started, {"flow": flow_rss, **{r: cluster.rss(r) for r in roles}}))
        time.sleep(0.5)
    wall = time.perf_counter() - started
    reader.join()
    if flow.returncode != 0:
        raise SystemExit(f"jixiao run exited {flow.returncode}:\n{b''.join(output).decode(errors='replace')[-3000:]}")
    tasks = _unit_tasks(cluster, started_at)
    first_start = min(start for start, _, _ in tasks)
    last_end = max(end for _, end, _ in tasks)
    unit_phase = ((first_start - started_at).total_seconds(), (last_end - started_at).total_seconds())
    task_seconds = [run for _, _, run in tasks]
    # A task may take several units (units_per_task): per-unit figures divide by the units produced.
    units = sum(1 for version in (out / str(YEAR)).glob("*/v1") if version.is_dir())
    per_unit_wall = (unit_phase[1] - unit_phase[0]) * WORKERS / units
    return {
        "units": units,
        "tasks": len(tasks),
        "wall_seconds": round(wall, 2),
        "seconds_before_first_unit": round(unit_phase[0], 2),
        "unit_phase_seconds": round(unit_phase[1] - unit_phase[0], 2),
        "per_unit": {
            "task_seconds": round(sum(task_seconds) / units, 3),
            "wall_seconds_per_worker": round(per_unit_wall, 3),
            "overhead_seconds": round(per_unit_wall - sum(task_seconds) / units, 3),
        },
        "memory_mib": _memory(samples, unit_phase, ["flow", *roles]),
    }


def _unit_tasks(cluster: Cluster, since: dt.datetime) -> list[tuple[dt.datetime, dt.datetime, float]]:
    """(start, end, run seconds) of each task of units (unit-report, units-report) in the run that started after `since`."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime, TaskRunFilter, TaskRunFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    async def read() -> list:
        async with get_client() as client:
            runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since)))
            found, offset = [], 0
            while True:
                page = await client.read_task_runs(flow_run_filter=FlowRunFilter(id={"any_": [r.id for r in runs]}),
                                                   task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="-report")),
                                                   limit=200, offset=offset)
                found += page
                offset += len(page)
                if len(page) < 200:
                    return found

    with temporary_settings(updates={PREFECT_API_URL: cluster.api}):
        task_runs = asyncio.run(read())
    return [(t.start_time, t.end_time, t.total_run_time.total_seconds()) for t in task_runs if t.start_time and t.end_time]


def _memory(samples: list[tuple[float, dict[str, int]]], unit_phase: tuple[float, float], roles: list[str]) -> dict:
    start, end = unit_phase
    fifth = (end - start) / 5
    first = [s for t, s in samples if start <= t < start + fifth]
    last = [s for t, s in samples if end - fifth <= t <= end]

    def mib(values: list[int]) -> int:
        return round(statistics.median(values) / 2**20) if values else 0

    return {role: {"peak": round(max(s[role] for _, s in samples) / 2**20),
                   "first_fifth_of_units": mib([s[role] for s in first]),
                   "last_fifth_of_units": mib([s[role] for s in last])} for role in roles}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--rows-per-unit", type=int, default=500)
    parser.add_argument("--compare-units", type=int, default=200, help="a smaller province run first (0: none)")
    parser.add_argument("--work", type=Path, default=ROOT / ".jixiao" / "benchmark-province")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "province_dask.json")
    parser.add_argument("--label", default="runs", help="the key these runs are kept under; other keys of the file stay")
    args = parser.parse_args()

    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sizes = [n for n in (args.compare_units, args.units) if n]
    for n in sizes:
        subprocess.run([sys.executable, "-m", "tools.demo_data", "--units", str(n), "--rows-per-unit", str(args.rows_per_unit),
                        "--year", str(YEAR), "--out", str(work / f"data-{n}")], check=True, cwd=ROOT, capture_output=True)
    cluster = Cluster(work)
    try:
        runs = []
        for n in sizes:
            result = run_province(cluster, work / f"data-{n}", work / f"out-{n}")
            print(json.dumps(result, ensure_ascii=False), flush=True)
            runs.append(result)
    finally:
        cluster.stop()
    results = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}
    results |= {
        "what": f"units × {args.rows_per_unit} ledger rows on a local Dask cluster (scheduler + {WORKERS} one-thread "
                "workers) with a Prefect server, one `jixiao run --dask-address` each, year {YEAR}".replace("{YEAR}", str(YEAR)),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        args.label: runs,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
