"""`jixiao serve` as an operator runs it in a terminal: its own local server, an event right after
"ready", and Ctrl-C sent to the whole foreground process group."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.adapters.prefect_server import start_local_server, stop_server
from flows.domain.schedule import Schedule
from tests.conftest import ROOT, SAMPLE_UNIT
from tests.deploy.conftest import _free_port, wait_for

pytestmark = pytest.mark.slow


def _env(site: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return {**env, "JIXIAO_STATE_DIR": str(site / ".jixiao"), "JIXIAO_SERVER_PORT": str(port), "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONWARNINGS": "ignore"}


def _read_until(process: subprocess.Popen, words: str, seconds: float) -> str:
    seen, deadline = "", time.monotonic() + seconds
    while words not in seen:
        assert time.monotonic() < deadline and process.poll() is None, f"no “{words}” from serve:\n{seen}"
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            seen += os.read(process.stdout.fileno(), 65536).decode("utf-8", "replace")
    return seen


def test_an_event_right_after_ready_makes_a_run_and_ctrl_c_leaves_no_automation(tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(ROOT / "data", site / "data", ignore=shutil.ignore_patterns("*.py"))
    port = _free_port()
    env = _env(site, port)
    # A terminal's foreground job: serve leads its own process group, as a shell would start it.
    serving = subprocess.Popen([sys.executable, "-m", "flows", "serve", "--data", str(site / "data"), "--out", str(site / "out")],
                               cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        said = _read_until(serving, "报告任务已就绪", 240)
        rerun = subprocess.run([sys.executable, "-m", "flows", "rerun", "--year", "2024", "--unit", SAMPLE_UNIT, "--pdf"],
                               cwd=site, env=env, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0 and "服务器已开始运行" in rerun.stdout, rerun.stdout + rerun.stderr
        version = site / "out" / "2024" / SAMPLE_UNIT / "v1"
        wait_for(lambda: (version / "manifest.json").exists(), 240, "v1 from the served run", lambda: said)
        assert (version / "report.pdf").exists(), "the pdf option travels with the event"

        os.killpg(serving.pid, signal.SIGINT)          # Ctrl-C: the whole foreground process group
        said += _read_until(serving, "已停止", 120)
        serving.wait(timeout=60)
    finally:
        if serving.poll() is None:
            os.killpg(serving.pid, signal.SIGKILL)

    # The server kept its database: start it again and ask what automations remain.
    monkeypatch.setenv("PREFECT_HOME", str(site / ".jixiao" / "prefect"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    schedule = Schedule(cron="0 6 1 3 *", timezone="Asia/Shanghai", event="jixiao.ledger.updated",
                        server_host="127.0.0.1", server_port=port)
    server = start_local_server(schedule, tmp_path / "server-again.log")
    try:
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: f"http://127.0.0.1:{port}/api"}), \
                get_client(sync_client=True) as client:
            assert client.read_automations() == [], "Ctrl-C leaves no automation behind"
    finally:
        stop_server(server)
