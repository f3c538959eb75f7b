"""A city batch on a real Dask cluster (scheduler + two workers on localhost) against a real
Prefect server: the reports must be the ones a local run produces, and the per-unit work
must really run on the Dask workers, recorded on the server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document

from tests.deploy.conftest import _free_port
from tools.demo_data import write_demo_data

pytestmark = pytest.mark.slow

UNITS = 3


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += ["|".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)


def _jixiao(services, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows", *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=services.env(JIXIAO_STATE_DIR=str(cwd / ".jixiao")))


def _start_dask(services, folder: Path, workers: int = 2) -> str:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    services.start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                    "--dashboard-address", ":0"], "dask-scheduler.log")
    for n in range(1, workers + 1):
        # Workers record their task runs on the server: they need its PREFECT_API_URL (services.env sets it).
        services.start([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                        "--name", f"worker-{n}", "--local-directory", str(folder / f"worker-{n}"), "--dashboard-address", ":0"],
                       f"dask-worker-{n}.log")
    from distributed import Client

    deadline = time.monotonic() + 120
    while True:
        try:
            with Client(address, timeout=5) as client:
                if len(client.scheduler_info(n_workers=-1)["workers"]) == workers:
                    return address
        except OSError:
            pass
        assert time.monotonic() < deadline, services.log("dask-scheduler.log") + services.log("dask-worker-1.log")
        time.sleep(1)


def _executed_per_worker(address: str) -> dict[str, int]:
    from distributed import Client

    with Client(address, timeout=10) as client:
        return client.run(lambda dask_worker: dask_worker.state.executed_count)


# A task per unit, and two units a task validated together: the same reports either way.
@pytest.mark.parametrize("units_per_task", [1, 2])
def test_city_batch_on_dask_matches_a_local_run(prefect_server, tmp_path, monkeypatch, units_per_task):
    monkeypatch.setenv("JIXIAO_UNITS_PER_TASK", str(units_per_task))
    site = tmp_path / "site"
    write_demo_data(site / "data", 2024, units=UNITS, rows_per_unit=1_500, seed=7)
    address = _start_dask(prefect_server, tmp_path)

    on_dask = _jixiao(prefect_server, site, "run", "--year", "2024", "--data", "data", "--out", "out-dask",
                      "--dask-address", address)
    assert on_dask.returncode == 0, on_dask.stdout + on_dask.stderr + prefect_server.log("dask-worker-1.log")
    assert f"共 {UNITS} 个单位：生成 {UNITS}" in on_dask.stdout, on_dask.stdout
    executed = _executed_per_worker(address)
    # The units' tasks ran on the cluster (how the scheduler spread them is its business).
    assert sum(executed.values()) >= UNITS // units_per_task, executed

    monkeypatch.setenv("JIXIAO_UNITS_PER_TASK", "1")                      # against each unit validated alone
    local = _jixiao(prefect_server, site, "run", "--year", "2024", "--data", "data", "--out", "out-local")
    assert local.returncode == 0, local.stdout + local.stderr

    units = sorted(p.name for p in (site / "out-local" / "2024").iterdir() if p.is_dir())
    assert len(units) == UNITS
    for unit in units:
        dask_version, local_version = site / "out-dask" / "2024" / unit / "v1", site / "out-local" / "2024" / unit / "v1"
        assert _docx_text(dask_version / "report.docx") == _docx_text(local_version / "report.docx")
        dask_manifest = json.loads((dask_version / "manifest.json").read_text(encoding="utf-8"))
        local_manifest = json.loads((local_version / "manifest.json").read_text(encoding="utf-8"))
        assert dask_manifest["figures"] == local_manifest["figures"]
        assert dask_manifest["fingerprint"] == local_manifest["fingerprint"]

    # The per-unit task runs were recorded on the server the client used.
    listed = prefect_server.prefect("task-run", "ls", "--limit", "200")
    task_name = "unit-report" if units_per_task == 1 else "units-report"
    assert listed.stdout.count(task_name) >= 2 * UNITS // units_per_task, listed.stdout


def _live_objects_per_worker(address: str) -> dict[str, int]:
    """Objects the garbage collector tracks in each worker, after a collection."""
    from distributed import Client

    def count() -> int:
        import gc

        gc.collect()
        return len(gc.get_objects())

    with Client(address, timeout=10) as client:
        return client.run(count)


def test_a_dask_worker_keeps_nothing_that_grows_with_the_units_it_ran(prefect_server, tmp_path):
    # One worker, so the first run warms up the worker that runs the second (imports, the
    # Great Expectations context); two units, since a lone unit runs in the flow process.
    address = _start_dask(prefect_server, tmp_path, workers=1)
    before = {}
    for run, units in (("warm-up", 2), ("measured", 6)):
        site = tmp_path / run
        write_demo_data(site / "data", 2024, units=units, rows_per_unit=500, seed=11)
        done = _jixiao(prefect_server, site, "run", "--year", "2024", "--data", "data", "--out", "out",
                       "--dask-address", address)
        assert done.returncode == 0, done.stdout + done.stderr + prefect_server.log("dask-worker-1.log")
        assert f"共 {units} 个单位：生成 {units}" in done.stdout, done.stdout
        if not before:
            before = _live_objects_per_worker(address)
    after = _live_objects_per_worker(address)
    # Distributed's profiler kept about 6,000 objects per unit (call trees of the unit's stacks);
    # what a unit legitimately leaves behind (log records, Prefect's client caches) is well
    # under a thousand.
    [(worker, grown)] = [(worker, after[worker] - before[worker]) for worker in after]
    assert grown < 6 * 1_000, f"{worker} holds {grown} more objects after 6 more units"


def _unit_sources_on_scheduler(address: str) -> int:
    """Units' sources (the unit tasks' arguments) still alive in the scheduler, after a collection."""
    from distributed import Client

    def count() -> int:
        import gc

        from flows.adapters.unit_exports import UnitSources

        gc.collect()
        return sum(1 for o in gc.get_objects() if type(o) is UnitSources)

    with Client(address, timeout=10) as client:
        return client.run_on_scheduler(count)


def test_the_scheduler_keeps_no_units_sources_after_the_run(prefect_server, tmp_path):
    # Distributed's scheduler logs the last 1,000 batches it sent to each worker, and a unit's
    # compute-task message carries the unit's sources: every unit of this run stayed in the
    # scheduler after its task was forgotten.
    units = 4
    address = _start_dask(prefect_server, tmp_path)
    site = tmp_path / "site"
    write_demo_data(site / "data", 2024, units=units, rows_per_unit=500, seed=13)
    done = _jixiao(prefect_server, site, "run", "--year", "2024", "--data", "data", "--out", "out", "--dask-address", address)
    assert done.returncode == 0, done.stdout + done.stderr + prefect_server.log("dask-worker-1.log")
    assert f"共 {units} 个单位：生成 {units}" in done.stdout, done.stdout
    assert _unit_sources_on_scheduler(address) == 0
