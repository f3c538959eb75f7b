"""An unchanged rerun answers without Prefect, and still sends an approved version to whoever has not had it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SAMPLE_UNIT

pytestmark = pytest.mark.slow


@pytest.fixture()
def without_prefect(tmp_path) -> dict[str, str]:
    """An environment in which any import of Prefect fails: a run that starts it cannot end well."""
    blocker = tmp_path / "no-prefect"
    (blocker / "prefect").mkdir(parents=True)
    (blocker / "prefect" / "__init__.py").write_text(
        'raise ImportError("an unchanged rerun must not start Prefect")\n', encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(blocker), str(ROOT), os.environ.get("PYTHONPATH", "")]))}


def _add_folder_recipient(data: Path, folder: Path) -> None:
    path = data / "2024" / "profiles" / f"{SAMPLE_UNIT}.yaml"
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    profile["recipients"] = {"email": [], "folders": [str(folder)]}
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")


def _without_timing(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("用时 ")]


def test_an_unchanged_rerun_says_the_same_lines_without_prefect_and_still_sends_an_approved_version(
        run_cli, data_copy, tmp_path, without_prefect):
    shared = tmp_path / "共享文件夹"
    _add_folder_recipient(data_copy, shared)
    out = tmp_path / "out"
    common = ("--data", str(data_copy), "--out", str(out))
    made = run_cli("run", *common)
    assert made.code == 0, made.output
    version = out / "2024" / SAMPLE_UNIT / "v1"
    unchanged_line = f"= {SAMPLE_UNIT} 共青团衡阳市委：报告内容未变化，沿用 {version}，未生成新版本"

    # A draft: nobody is to get it yet, so there is nothing to do.
    draft = run_cli("run", *common, env=without_prefect)
    assert draft.code == 0, draft.output
    assert _without_timing(draft.stdout) == [
        f"jixiao run：2024 年度，数据目录 {data_copy}", unchanged_line,
        f"    v1 为草稿，待审核通过后发送（jixiao approve {SAMPLE_UNIT} --by 审核人）"]
    assert "读取账簿 2 个文件，共 2856 行，涉及 1 个单位" in draft.stderr
    assert not shared.exists()

    # Approved without being sent (the reviewer decided in the UI, the share was away): the
    # next run is the flow's, unchanged, and sends it.
    from flows import review_desk

    review_desk.record_decision(version, "通过", "王审核", "")
    sending = run_cli("run", *common)
    assert sending.code == 0, sending.output
    assert _without_timing(sending.stdout) == [
        f"jixiao run：2024 年度，数据目录 {data_copy}", unchanged_line, f"    已复制到 {shared}"]
    [filed] = shared.glob("*.docx")
    assert filed.read_bytes() == (version / "report.docx").read_bytes()
    deliveries = (version / "deliveries.json").read_text(encoding="utf-8")

    # Everybody has it: the same lines as the flow's, in about a second, without Prefect.
    again = run_cli("run", *common, env=without_prefect)
    assert again.code == 0, again.output
    assert _without_timing(again.stdout) == _without_timing(sending.stdout)[:-1]
    assert again.stderr == sending.stderr, "the same reading of the exports is reported"
    assert (version / "deliveries.json").read_text(encoding="utf-8") == deliveries
    assert len(json.loads(deliveries)) == 1 and list(shared.glob("*.docx")) == [filed]
    assert sorted(p.name for p in version.parent.iterdir() if not p.name.startswith(".")) == ["v1"]
