"""The served setup on PostgreSQL, as a city runs it: `prefect server start` on a local PostgreSQL database,
a process worker, the deployment from deploy/prefect.yaml, and one flow run for several departments."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SAMPLE_UNIT
from tests.deploy.conftest import wait_for

pytestmark = pytest.mark.slow

YEAR = 2024
EXTRA_UNITS = ("312002", "312003")
# Tasks the flow runs once per department (names as in flows/tasks.py).
PER_UNIT_TASKS = ("unit-report", "evaluate", "validate", "render", "deliver", "send")


def _add_unit(year_dir: Path, unit: str) -> None:
    """A second department with the sample department's exports, budget rows and profile under code `unit`."""
    shutil.copytree(year_dir / "ledger" / SAMPLE_UNIT, year_dir / "ledger" / unit)
    profile = yaml.safe_load((year_dir / "profiles" / f"{SAMPLE_UNIT}.yaml").read_text(encoding="utf-8"))
    profile["unit_code"] = unit
    (year_dir / "profiles" / f"{unit}.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False),
                                                         encoding="utf-8")
    for budget in (year_dir / "budget").glob("*.csv"):
        text = budget.read_text(encoding="utf-8-sig")
        rows = [line for line in text.splitlines() if line.startswith(f"{SAMPLE_UNIT},")]
        assert rows, f"no budget rows of {SAMPLE_UNIT} in {budget.name}"
        copies = [unit + line[len(SAMPLE_UNIT):] for line in rows]
        budget.write_text(text.rstrip("\n") + "\n" + "\n".join(copies) + "\n", encoding="utf-8-sig")


def _city_site(tmp_path: Path) -> Path:
    """data/2024 and data/2023 with the sample department and two more."""
    site = tmp_path / "site"
    for year in (YEAR, YEAR - 1):
        year_dir = site / "data" / str(year)
        shutil.copytree(ROOT / "data" / str(year), year_dir)
        for unit in EXTRA_UNITS:
            _add_unit(year_dir, unit)
    return site


def test_multi_unit_run_on_postgres(postgres, postgres_prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    services = postgres_prefect_server
    site = _city_site(tmp_path)
    units = (SAMPLE_UNIT, *EXTRA_UNITS)
    started = time.monotonic()

    created = services.prefect("work-pool", "create", "jixiao-process", "--type", "process")
    assert created.returncode == 0, created.stdout + created.stderr
    deployed = services.prefect("--no-prompt", "deploy", "--all", "--prefect-file", "deploy/prefect.yaml", JIXIAO_SITE=str(site))
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    services.start([sys.executable, "-m", "prefect", "worker", "start", "--pool", "jixiao-process"], "worker.log",
                   JIXIAO_SITE=str(site))

    def logs() -> str:
        return services.log("worker.log") + services.log("server.log")

    with temporary_settings(updates={PREFECT_API_URL: services.url}), get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("annual-report/annual-report")
        # No review pause: this run is about the city's reports landing in PostgreSQL.
        flow_run_id = client.create_flow_run_from_deployment(deployment.id, parameters={"year": YEAR, "await_review": False}).id

        def finished():
            state = client.read_flow_run(flow_run_id).state
            return state if state is not None and state.is_final() else None

        state = wait_for(finished, 600, "the flow run to finish", logs)
    assert state.is_completed(), f"{state.type}: {state.message}\n{logs()}"

    for unit in units:
        assert (site / "out" / str(YEAR) / unit / "v1" / "report.docx").exists(), f"no report for {unit}\n{logs()}"

    # What the server recorded is in PostgreSQL.
    [[flow_state]] = postgres.query("prefect", f"SELECT state_type FROM flow_run WHERE id = '{flow_run_id}'")
    assert flow_state == "COMPLETED"

    def task_runs():
        # Task runs reach the database through the server's event pipeline, shortly after they finish.
        rows = postgres.query("prefect", f"SELECT name, state_type FROM task_run WHERE flow_run_id = '{flow_run_id}'")
        per_unit = [(name, state) for name, state in rows if name.rsplit("-", 1)[0] in PER_UNIT_TASKS]
        return rows if len(per_unit) >= len(units) * len(PER_UNIT_TASKS) else None

    rows = wait_for(task_runs, 60, "the task runs in PostgreSQL",
                    lambda: str(postgres.query("prefect", f"SELECT name, state_type FROM task_run WHERE flow_run_id = '{flow_run_id}'")))
    for task in PER_UNIT_TASKS:
        states = [state for name, state in rows if name.rsplit("-", 1)[0] == task]
        assert states == ["COMPLETED"] * len(units), f"{task}: {states}"
    assert not (services.home / "prefect.db").exists(), "the server used SQLite instead of PostgreSQL"
    print(f"\nPostgreSQL served run for {len(units)} departments: {time.monotonic() - started:.0f} s "
          f"(deploy, worker and flow run), {len(rows)} task runs")
