"""The served setup with real parts: Prefect server, process worker, deployment from deploy/prefect.yaml,
the `jixiao.ledger.updated` event, and `jixiao serve` with its yearly schedule."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from tests.conftest import ROOT, SAMPLE_UNIT
from tests.deploy.conftest import wait_for
from tests.fixtures.bad_inputs import CSV, add_to_first_debit, edit_csv

pytestmark = pytest.mark.slow


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "data", site / "data", ignore=shutil.ignore_patterns("*.py"))
    return site


def _jixiao(services, site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows", *args], cwd=site, capture_output=True, text=True, timeout=300,
                          env=services.env(JIXIAO_STATE_DIR=str(site / ".jixiao")))


def _review(version: Path) -> dict:
    return json.loads((version / "manifest.json").read_text(encoding="utf-8")).get("review", {})


def _run_logs(services) -> list[str]:
    """Every log line the Prefect API holds (what the run pages of the UI show)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: services.url}), get_client(sync_client=True) as client:
        return [log.message for log in client.read_logs()]


def _flow_runs(services, state_name: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: services.url}), get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(name=FlowRunFilterStateName(any_=[state_name]))))


def _suspended_for_review(services):
    """The run waiting for the reviewer: suspended (its process gone), not paused in a live process."""
    return wait_for(lambda: next(iter(_flow_runs(services, "Suspended")), None), 120, "the run suspended for review",
                    lambda: services.log("worker.log"))


def _decide_in_the_form(services, run, answer: dict) -> None:
    """Fill the suspended run's review form as the Prefect UI does: resume it with the input."""
    from prefect.flow_runs import resume_flow_run
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: services.url}):
        resume_flow_run(run.id, run_input=answer)


def test_schedule_in_prefect_yaml_matches_the_configuration():
    deployment = yaml.safe_load((ROOT / "deploy" / "prefect.yaml").read_text(encoding="utf-8"))["deployments"][0]
    config = yaml.safe_load((ROOT / "config" / "schedule.yaml").read_text(encoding="utf-8"))
    [schedule] = deployment["schedules"]
    assert (schedule["cron"], schedule["timezone"]) == (config["cron"], config["timezone"])
    assert deployment["triggers"][0]["expect"] == [config["event"]]


def test_event_after_a_corrected_export_makes_a_new_version_on_the_worker(prefect_server, tmp_path):
    site = _site(tmp_path)
    created = prefect_server.prefect("work-pool", "create", "jixiao-process", "--type", "process")
    assert created.returncode == 0, created.stdout + created.stderr
    deployed = prefect_server.prefect("--no-prompt", "deploy", "--all", "--prefect-file", "deploy/prefect.yaml", JIXIAO_SITE=str(site))
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    prefect_server.start([sys.executable, "-m", "prefect", "worker", "start", "--pool", "jixiao-process"], "worker.log",
                         JIXIAO_SITE=str(site))
    unit = site / "out" / "2024" / SAMPLE_UNIT

    first = _jixiao(prefect_server, site, "rerun", "--year", "2024", "--unit", SAMPLE_UNIT)
    assert first.returncode == 0 and "jixiao.ledger.updated" in first.stdout, first.stdout + first.stderr
    wait_for(lambda: (unit / "v1" / "manifest.json").exists(), 240, "v1 from the worker", lambda: prefect_server.log("worker.log"))
    # The run waits for the reviewer's form without holding the deployment's one-run limit:
    # a second event meanwhile (nothing changed) runs to completion while the first still waits.
    waiting = _suspended_for_review(prefect_server)
    second = _jixiao(prefect_server, site, "rerun", "--year", "2024", "--unit", SAMPLE_UNIT)
    assert second.returncode == 0, second.stdout + second.stderr
    wait_for(lambda: len(_flow_runs(prefect_server, "Completed")) >= 1, 240, "the second run completed",
             lambda: prefect_server.log("worker.log"))
    assert [r.id for r in _flow_runs(prefect_server, "Suspended")] == [waiting.id], "the first run still waits"
    assert not (unit / "v2").exists()
    # Approving in the form over the API resumes the run, which records the decision and finishes.
    _decide_in_the_form(prefect_server, waiting, {"decision": "通过", "reviewer": "王审核", "comment": "同意",
                                                  "versions": [f"{SAMPLE_UNIT}/v1"]})
    wait_for(lambda: _review(unit / "v1")["state"] == "通过", 120, "v1 approved", lambda: prefect_server.log("worker.log"))
    assert any("数据质量校验 312001" in line for line in _run_logs(prefect_server)), "jixiao's lines reach the run's logs"

    # Finance corrects one export row: the first expense line grows by 1,000.00 yuan.
    edit_csv(site / "data", add_to_first_debit(1000))
    again = _jixiao(prefect_server, site, "rerun", "--year", "2024", "--unit", SAMPLE_UNIT)
    assert again.returncode == 0, again.stdout + again.stderr
    wait_for(lambda: (unit / "v2" / "manifest.json").exists(), 240, "v2 after the event", lambda: prefect_server.log("worker.log"))
    waiting = _suspended_for_review(prefect_server)
    # A return without its reason is refused when the form is sent; the run keeps waiting.
    with pytest.raises(RuntimeError, match="comment"):
        _decide_in_the_form(prefect_server, waiting, {"decision": "退回", "reviewer": "王审核", "comment": " ",
                                                      "versions": [f"{SAMPLE_UNIT}/v2"]})
    assert [r.id for r in _flow_runs(prefect_server, "Suspended")] == [waiting.id]
    _decide_in_the_form(prefect_server, waiting,
                        {"decision": "退回", "reviewer": "王审核", "comment": "请说明追加原因", "versions": [f"{SAMPLE_UNIT}/v2"]})
    wait_for(lambda: _review(unit / "v2")["state"] == "退回", 120, "v2 returned", lambda: prefect_server.log("worker.log"))
    [decision] = _review(unit / "v2")["decisions"]
    assert (decision["by"], decision["comment"]) == ("王审核", "请说明追加原因")

    manifest = json.loads((unit / "v2" / "manifest.json").read_text(encoding="utf-8"))
    changed = {c["figure"]: (c["old"], c["new"]) for c in manifest["revision"]["changed_figures"]}
    assert changed["全年执行数"] == ("648.31", "648.41")
    assert [c["input"] for c in manifest["revision"]["changed_inputs"]] == [f"input:{CSV}"]
    note = (unit / "v2" / "修订说明.txt").read_text(encoding="utf-8")
    assert "全年执行数：648.31 → 648.41" in note
    assert (unit / "v1" / "report.docx").exists(), "the earlier version stays"


def test_served_deployment_runs_next_on_the_configured_date_and_leaves_no_automation(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL, temporary_settings

    site = _site(tmp_path)
    serving = prefect_server.start([sys.executable, "-m", "flows", "serve", "--data", str(site / "data"),
                                    "--out", str(site / "out")], "serve.log", JIXIAO_STATE_DIR=str(site / ".jixiao"))
    config = yaml.safe_load((ROOT / "config" / "schedule.yaml").read_text(encoding="utf-8"))
    assert config["cron"] == "0 6 1 3 *", "this test computes the next 1 March 06:00"
    now = dt.datetime.now(ZoneInfo(config["timezone"]))
    expected = dt.datetime(now.year if (now.month, now.day, now.hour) < (3, 1, 6) else now.year + 1, 3, 1, 6,
                           tzinfo=ZoneInfo(config["timezone"]))

    def scheduled():
        with temporary_settings(updates={PREFECT_API_URL: prefect_server.url}), get_client(sync_client=True) as client:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))))
            return sorted(r.expected_start_time for r in runs), [a.name for a in client.read_automations()]

    def served():
        runs, automations = scheduled()
        return (runs, automations) if runs and automations else None

    runs, automations = wait_for(served, 120, "the served schedule", lambda: prefect_server.log("serve.log"))
    assert runs[0] == expected, f"next run {runs[0]} != {expected}"
    assert automations == ["jixiao-ledger-updated"]

    serving.send_signal(signal.SIGINT)
    serving.wait(timeout=60)
    assert "已停止" in prefect_server.log("serve.log")
    assert scheduled()[1] == [], "Ctrl-C leaves no orphan automation behind"


def test_jixiao_serve_resumes_a_suspended_review_and_records_the_approval(prefect_server, tmp_path):
    site = _site(tmp_path)
    serving = prefect_server.start([sys.executable, "-m", "flows", "serve", "--data", str(site / "data"),
                                    "--out", str(site / "out")], "serve.log", JIXIAO_STATE_DIR=str(site / ".jixiao"))
    wait_for(lambda: "报告任务已就绪" in prefect_server.log("serve.log"), 180, "jixiao serve ready",
             lambda: prefect_server.log("serve.log"))
    unit = site / "out" / "2024" / SAMPLE_UNIT
    sent = _jixiao(prefect_server, site, "rerun", "--year", "2024", "--unit", SAMPLE_UNIT)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    waiting = wait_for(lambda: next(iter(_flow_runs(prefect_server, "Suspended")), None), 240,
                       "the served run suspended for review", lambda: prefect_server.log("serve.log"))
    assert _review(unit / "v1")["state"] == "草稿"
    # The served runner starts the resumed run again; it finds v1 up to date and records the decision on it.
    _decide_in_the_form(prefect_server, waiting, {"decision": "通过", "reviewer": "李审核", "comment": "",
                                                  "versions": [f"{SAMPLE_UNIT}/v1"]})
    wait_for(lambda: _review(unit / "v1")["state"] == "通过", 180, "v1 approved through the served runner",
             lambda: prefect_server.log("serve.log"))
    wait_for(lambda: [r.id for r in _flow_runs(prefect_server, "Completed")] == [waiting.id], 120, "the resumed run completed",
             lambda: prefect_server.log("serve.log"))
    assert not (unit / "v2").exists(), "the rerun after the decision made no new version"
    serving.send_signal(signal.SIGINT)
    serving.wait(timeout=60)
