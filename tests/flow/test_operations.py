"""Reruns in real operation: delivery over a real SMTP server, killed runs, concurrent reruns."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SAMPLE_UNIT, cli_env
from tests.fixtures.bad_inputs import add_to_first_debit, edit_csv, project_missing_from_budget

pytestmark = pytest.mark.slow


@pytest.fixture()
def smtp_server():
    """A real SMTP server on localhost (aiosmtpd) that keeps every message it receives."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.messages: list[tuple[list[str], bytes]] = []

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("refused@"):
                return "550 5.1.1 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


def _add_recipients(data: Path, email_to: list[str], folders: list[str]) -> None:
    path = data / "2024" / "profiles" / f"{SAMPLE_UNIT}.yaml"
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    profile["recipients"] = {"email": email_to, "folders": folders}
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")


def test_report_is_mailed_and_filed_once_per_version(run_cli, data_copy, tmp_path, smtp_server):
    shared = tmp_path / "共享文件夹"
    _add_recipients(data_copy, ["leader@example.org"], [str(shared)])
    smtp = {"JIXIAO_SMTP_HOST": "127.0.0.1", "JIXIAO_SMTP_PORT": str(smtp_server.port),
            "JIXIAO_SMTP_SENDER": "jixiao@example.org", "JIXIAO_SMTP_PASSWORD": "s3cret-should-not-leak"}
    out = tmp_path / "out"
    made = run_cli("run", "--data", str(data_copy), "--out", str(out), env=smtp)
    assert made.code == 0, made.output
    assert "审核状态：草稿" in made.stdout and smtp_server.messages == [], "a draft is not sent"
    result = run_cli("approve", SAMPLE_UNIT, "--by", "王审核", "--data", str(data_copy), "--out", str(out), env=smtp)
    assert result.code == 0, result.output
    assert "已发送邮件给 leader@example.org" in result.stdout

    version = out / "2024" / SAMPLE_UNIT / "v1"
    report = (version / "report.docx").read_bytes()
    [(recipients, raw)] = smtp_server.messages
    assert recipients == ["leader@example.org"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename().endswith("（v1）.docx") and attachment.get_content() == report
    [filed] = list(shared.glob("*.docx"))
    assert filed.read_bytes() == report

    deliveries = json.loads((version / "deliveries.json").read_text(encoding="utf-8"))
    assert {(d["channel"], d["to"]) for d in deliveries} == {("email", "leader@example.org"), ("folder", str(shared))}
    assert all(d["sha256"] == hashlib.sha256(report).hexdigest() and d["version"] == "v1" for d in deliveries)
    written = [p.read_text(encoding="utf-8") for p in [*version.glob("*.json"), version / "quality.html"]]
    assert all("s3cret-should-not-leak" not in text for text in [*written, result.output]), "no credential in outputs"

    again = run_cli("run", "--data", str(data_copy), "--out", str(out), env=smtp)
    assert again.code == 0 and "未生成新版本" in again.stdout
    assert len(smtp_server.messages) == 1, "an unchanged version is not sent again"


def test_a_refused_recipient_or_a_down_server_fails_only_that_delivery_and_is_retried(run_cli, data_copy, tmp_path,
                                                                                     smtp_server):
    shared = tmp_path / "共享文件夹"
    _add_recipients(data_copy, ["refused@example.org", "leader@example.org"], [str(shared)])
    path = data_copy / "2024" / "profiles" / f"{SAMPLE_UNIT}.yaml"
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    profile["name"] = "../../逃逸" + profile["name"]               # a name that must not become a path
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    smtp = {"JIXIAO_SMTP_HOST": "127.0.0.1", "JIXIAO_SMTP_PORT": str(smtp_server.port),
            "JIXIAO_SMTP_SENDER": "jixiao@example.org"}
    out = tmp_path / "out"
    made = run_cli("run", "--data", str(data_copy), "--out", str(out), env=smtp)
    assert made.code == 0, made.output
    assert "已生成" in made.stdout and "未生成报告" not in made.output
    result = run_cli("approve", SAMPLE_UNIT, "--by", "王审核", "--data", str(data_copy), "--out", str(out), env=smtp)
    assert result.code == 1, "an approved report not sent to every recipient says so"
    assert f"发送失败：邮件服务器 127.0.0.1:{smtp_server.port} 拒收收件人 refused@example.org：550" in result.stderr
    assert "已发送邮件给 leader@example.org" in result.stdout
    assert [recipients for recipients, _ in smtp_server.messages] == [["leader@example.org"]]
    [filed] = list(shared.iterdir())                                # inside the shared folder, nowhere above it
    assert filed.name.startswith("_.._逃逸") and filed.suffix == ".docx"
    version = out / "2024" / SAMPLE_UNIT / "v1"
    deliveries = json.loads((version / "deliveries.json").read_text(encoding="utf-8"))
    [failed] = [d for d in deliveries if d["status"] == "failed"]
    assert failed["to"] == "refused@example.org" and "550" in failed["reason"]

    # The next run keeps v1, tries the refused recipient again and nobody else.
    again = run_cli("run", "--data", str(data_copy), "--out", str(out), env=smtp)
    assert again.code == 0 and "未生成新版本" in again.stdout and "拒收收件人 refused@example.org" in again.stderr
    assert len(smtp_server.messages) == 1

    # With the server down, the delivery fails with a message naming it, and the run still ends well.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = run_cli("run", "--data", str(data_copy), "--out", str(out), env={**smtp, "JIXIAO_SMTP_PORT": str(closed_port)})
    assert down.code == 0, down.output
    assert f"发送失败：无法连接邮件服务器 127.0.0.1:{closed_port}（发给 refused@example.org）" in down.stderr
    assert "Traceback" not in down.output


def test_unexplained_warning_keeps_the_report_from_recipients(run_cli, data_copy, tmp_path, smtp_server):
    project_missing_from_budget(data_copy)                    # PRJ-002 warning, no explanation yet
    _add_recipients(data_copy, ["leader@example.org"], [])
    smtp = {"JIXIAO_SMTP_HOST": "127.0.0.1", "JIXIAO_SMTP_PORT": str(smtp_server.port)}
    out = tmp_path / "out"
    made = run_cli("run", "--data", str(data_copy), "--out", str(out), env=smtp)
    assert made.code == 0, made.output
    result = run_cli("approve", SAMPLE_UNIT, "--by", "王审核", "--data", str(data_copy), "--out", str(out), env=smtp)
    assert result.code == 0, result.output
    assert "PRJ-002" in result.stdout and "暂不发送" in result.stdout
    assert smtp_server.messages == []


def _versions(unit: Path) -> list[str]:
    return sorted(p.name for p in unit.iterdir() if p.name.startswith("v")) if unit.exists() else []


def _complete(version: Path) -> bool:
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    return all(hashlib.sha256((version / name).read_bytes()).hexdigest() == sha for name, sha in manifest["files"].items())


def test_a_run_killed_while_writing_leaves_the_previous_state_and_the_next_run_finishes(run_cli, data_copy, tmp_path, state_dir):
    out = tmp_path / "out"
    unit = out / "2024" / SAMPLE_UNIT
    assert run_cli("run", "--data", str(data_copy), "--out", str(out)).code == 0
    v1 = (unit / "v1" / "report.docx").read_bytes()
    edit_csv(data_copy, add_to_first_debit(1000))

    # Slow the writing of output files so the kill lands while v2 is being staged.
    process = subprocess.Popen([sys.executable, "-m", "flows", "run", "--data", str(data_copy), "--out", str(out)],
                               cwd=ROOT, env=cli_env(state_dir, {"JIXIAO_FAULT_DELAY_SECONDS": "3"}),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 180
    while not list(unit.glob(".staging-*/report.docx")):
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it started writing"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert _versions(unit) == ["v1"], "no half-written v2"
    assert (unit / "v1" / "report.docx").read_bytes() == v1 and _complete(unit / "v1")
    assert list(unit.glob(".staging-*")), "the killed run's staging folder is what is left"

    result = run_cli("run", "--data", str(data_copy), "--out", str(out))
    assert result.code == 0, result.output
    assert _versions(unit) == ["v1", "v2"] and _complete(unit / "v2")
    assert not list(unit.glob(".staging-*")), "the next run clears the leftovers"


def test_two_reruns_at_once_make_one_version(data_copy, tmp_path):
    out = tmp_path / "out"
    runs = [
        subprocess.Popen([sys.executable, "-m", "flows", "run", "--data", str(data_copy), "--out", str(out)], cwd=ROOT,
                         env=cli_env(tmp_path / f"state-{n}"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    unit = out / "2024" / SAMPLE_UNIT
    assert _versions(unit) == ["v1"] and _complete(unit / "v1")
    said = "".join(stdout for stdout, _ in outputs)
    assert said.count("已生成") == 1 and said.count("未生成新版本") == 1


def test_watch_reruns_after_an_export_changes_and_ignores_office_temporary_files(data_copy, tmp_path, state_dir):
    out = tmp_path / "out"
    unit = out / "2024" / SAMPLE_UNIT
    log = tmp_path / "watch.log"
    with log.open("w") as handle:
        watcher = subprocess.Popen([sys.executable, "-m", "flows", "watch", "--data", str(data_copy), "--out", str(out)],
                                   cwd=ROOT, env=cli_env(state_dir), stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        time.sleep(5)                                           # let the watcher start
        (data_copy / "2024" / "ledger" / SAMPLE_UNIT / "~$2024年7-12月支出明细账.xlsx").write_bytes(b"lock")
        time.sleep(8)
        assert not out.exists(), "an office lock file is not an export"
        edit_csv(data_copy, add_to_first_debit(1000))
        deadline = time.monotonic() + 240
        while "重新生成结束" not in log.read_text(encoding="utf-8"):   # the run it started has finished
            assert watcher.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(1)
        said = log.read_text(encoding="utf-8")
        assert "检测到 2024 年度数据变化：312001" in said and "重新生成结束（退出码 0）" in said
        assert (unit / "v1" / "manifest.json").exists()
        watcher.send_signal(signal.SIGINT)                              # Ctrl-C while it waits for changes
        assert watcher.wait(timeout=60) == 0 and "已停止监视" in log.read_text(encoding="utf-8")
    finally:
        if watcher.poll() is None:
            os.killpg(watcher.pid, signal.SIGKILL)
            watcher.wait()


def _processes_with(env_entry: str) -> list[str]:
    """Command lines of live processes whose environment holds `env_entry` (ours, by state folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if env_entry.encode() in (entry / "environ").read_bytes().split(b"\0"):
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def test_sigkill_at_random_moments_leaves_no_process_no_scratch_and_no_half_version(run_cli, data_copy, tmp_path):
    import random

    state = tmp_path / "state"                      # this test's own: its processes are recognisable
    out = tmp_path / "out"
    unit = out / "2024" / SAMPLE_UNIT
    assert run_cli("run", "--data", str(data_copy), "--out", str(out), env={"JIXIAO_STATE_DIR": str(state)}).code == 0
    v1 = (unit / "v1" / "report.docx").read_bytes()
    edit_csv(data_copy, add_to_first_debit(1000))
    moments = sorted(random.Random(14).uniform(0.5, 12.0) for _ in range(10))
    for moment in moments:
        process = subprocess.Popen([sys.executable, "-m", "flows", "run", "--data", str(data_copy), "--out", str(out)],
                                   cwd=ROOT, env=cli_env(state), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)          # the run alone: its children are left to the guard
        process.wait()
        time.sleep(5)
        assert _processes_with(f"JIXIAO_STATE_DIR={state}") == [], f"left running after a kill at {moment:.1f} s"
        assert not any((state / "scratch").iterdir()), f"scratch left after a kill at {moment:.1f} s"
        assert (unit / "v1" / "report.docx").read_bytes() == v1
        assert set(_versions(unit)) <= {"v1", "v2"} and all(_complete(unit / v) for v in _versions(unit))
