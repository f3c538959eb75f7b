"""The local server `jixiao serve` starts answers with the Prefect UI at the address it prints."""

from __future__ import annotations

import os
import urllib.request

import pytest

from flows.adapters.prefect_server import start_local_server, stop_server
from flows.domain.schedule import Schedule
from tests.deploy.conftest import _free_port

pytestmark = pytest.mark.slow


def test_the_printed_address_opens_the_prefect_ui(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    schedule = Schedule(cron="0 6 15 1 *", timezone="Asia/Shanghai", event="jixiao.ledger.updated",
                        server_host="127.0.0.1", server_port=_free_port())
    server = start_local_server(schedule, tmp_path / "server.log")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{schedule.server_port}/", timeout=10) as page:
            assert page.status == 200 and "text/html" in page.headers["Content-Type"]
            assert "<html" in page.read(2000).decode("utf-8", "replace").lower()
    finally:
        stop_server(server)
    assert server.poll() is not None and os.environ.get("PREFECT_API_URL") is None
