"""`jixiao run` records its run on the local Prefect server that is already running (as `jixiao serve`
leaves it) instead of starting a temporary one, and an unchanged rerun records nothing at all."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT, SAMPLE_UNIT, cli_env

pytestmark = pytest.mark.slow


def _annual_report_runs(url: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["annual-report"])))


def test_a_run_is_recorded_on_the_local_server_that_is_running(prefect_server, data_copy, tmp_path):
    state = tmp_path / "state"
    port = str(urlparse(prefect_server.url).port)
    # A user's shell: PREFECT_API_URL unset; the local server on the configured port answers.
    env = cli_env(state, {"JIXIAO_SERVER_PORT": port})
    out = tmp_path / "out"

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flows", "run", "--data", str(data_copy), "--out", str(out)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    made = run()
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"运行记录写入正在运行的本地 Prefect 服务器（界面 http://127.0.0.1:{port}）" in made.stdout
    assert (out / "2024" / SAMPLE_UNIT / "v1" / "report.docx").exists()
    [recorded] = _annual_report_runs(prefect_server.url)
    assert recorded.state.is_completed()
    assert not (state / "prefect" / "prefect.db").exists(), "no temporary server was started"

    again = run()
    assert again.returncode == 0 and "未生成新版本" in again.stdout, again.stdout + again.stderr
    assert "Prefect 服务器" not in again.stdout, "an unchanged rerun has no use for a server"
    assert len(_annual_report_runs(prefect_server.url)) == 1
