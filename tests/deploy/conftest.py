"""A real `prefect server start` (SQLite in a temporary folder) for the served-setup tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Services:
    """Processes a test starts; all are stopped when it ends."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.processes: list[subprocess.Popen] = []
        self.url = ""

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "DO_NOT_TRACK": "1", "PYTHONWARNINGS": "ignore", **extra}
        if self.url:
            env["PREFECT_API_URL"] = self.url
        else:
            env.pop("PREFECT_API_URL", None)
        return env

    def start(self, args: list[str], log: str, **env: str) -> subprocess.Popen:
        handle = (self.home / log).open("ab")
        process = subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, env=self.env(**env), start_new_session=True)
        self.processes.append(process)
        return process

    def prefect(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "prefect", *args], env=self.env(**env), capture_output=True,
                              text=True, timeout=300, cwd=Path(__file__).resolve().parents[2])

    def log(self, name: str) -> str:
        path = self.home / name
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture()
def prefect_server(tmp_path):
    services = Services(tmp_path / "prefect-home")
    services.home.mkdir()
    port = _free_port()
    # The scheduler normally looks for new schedules every 60 s; a test need not wait that long.
    services.start([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
                   "server.log", PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5")
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while not _healthy(url):
        assert time.monotonic() < deadline, services.log("server.log")
        time.sleep(0.5)
    services.url = url
    yield services
    services.stop()


def wait_for(condition, seconds: float, what: str, log=lambda: ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}\n{log()}")
