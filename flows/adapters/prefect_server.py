"""The Prefect server a scheduled setup needs: find it, or start one locally (SQLite in the state folder)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flows.domain.schedule import Schedule
from flows.settings import local_server_port


def api_url(schedule: Schedule) -> str:
    """PREFECT_API_URL when set, else the local server address of config/schedule.yaml."""
    return os.environ.get("PREFECT_API_URL") or f"http://{schedule.server_host}:{local_server_port(schedule.server_port)}/api"


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def start_local_server(schedule: Schedule, log_file: Path, wait_seconds: float = 180) -> subprocess.Popen:
    """`prefect server start` on the configured address, with its UI (the address `serve` prints
    opens it); returns once it answers /api/health.

    Raises:
        RuntimeError: the server did not come up (its log file says why).
    """
    log = log_file.open("ab")
    port = local_server_port(schedule.server_port)
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", schedule.server_host, "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PREFECT_API_URL": ""},
        # Its own session: Ctrl-C in the terminal reaches `serve`, which deletes the trigger
        # while the server still answers, then stops it (a shared SIGINT killed it first).
        start_new_session=True,
    )
    url = f"http://{schedule.server_host}:{port}/api"
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Prefect 服务器启动失败，详见 {log_file}")
        if is_healthy(url):
            return process
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"Prefect 服务器 {wait_seconds:.0f} 秒内未就绪，详见 {log_file}")


class TemporaryServer:
    """The API server of one `jixiao run`, booting while the run's code loads.

    Prefect starts the same server itself (uvicorn on its API app, no UI, SQLite under
    PREFECT_HOME) the first time a flow needs an API, and waits for it: about 4 s of a one-unit
    run on this kind of machine. Started here before Prefect, pandas and Great Expectations are
    imported, it boots on the other CPU meanwhile. Its process carries the run's marker, so the
    run's guard stops it whatever ends the run.
    """

    def __init__(self, log_file: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/api"
        self._log = log_file.open("ab")
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        # What Prefect's own temporary server sets: no UI, and the server knows it is ephemeral.
        env.update(PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)

    def ready(self, wait_seconds: float = 120) -> bool:
        """Whether it answers (waiting for it to); False: it died or is too slow, and is stopped."""
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline and self._process.poll() is None:
            if is_healthy(self.url, timeout=1.0):
                return True
            time.sleep(0.05)
        self.stop()
        return False

    def stop(self) -> None:
        if self._process.poll() is None:
            stop_server(self._process)
        self._log.close()


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()              # reaped: no zombie left behind


def emit_ledger_updated(event: str, year: int, units: list[str], pdf: bool = False) -> dt.datetime:
    """Tell the server that a year's ledger changed; its trigger reruns the annual report (with
    report.pdf when `pdf`). Returns when it was sent, to confirm the run it starts."""
    from prefect.events import emit_event

    sent_at = dt.datetime.now(dt.UTC)
    emit_event(
        event=event,
        resource={"prefect.resource.id": f"jixiao.ledger.{year}", "prefect.resource.name": f"{year} 年度账簿"},
        payload={"year": year, "units": ",".join(units), "pdf": pdf},
    )
    return sent_at


def run_started_since(moment: dt.datetime, wait_seconds: float, flow_name: str = "annual-report") -> str | None:
    """The name of a run of `flow_name` created after `moment` (within `wait_seconds`), or None."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterExpectedStartTime

    deadline = time.monotonic() + wait_seconds
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
                flow_run_filter=FlowRunFilter(expected_start_time=FlowRunFilterExpectedStartTime(after_=moment)))
            created = [r for r in runs if r.created and r.created >= moment]
            if created:
                return created[0].name
            if time.monotonic() > deadline:
                return None
            time.sleep(1)
