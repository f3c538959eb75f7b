"""A new version reaches recipients only when what they read changes."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ROOT, SAMPLE_UNIT, listing

pytestmark = pytest.mark.slow


def _release_with_a_new_help_text(tmp_path):
    """The project as the next release ships it: a reworded CLI help string, a changed tool."""
    release = tmp_path / "release"
    for part in ("flows", "config", "expectations", "templates", "tools"):
        shutil.copytree(ROOT / part, release / part, ignore=shutil.ignore_patterns("__pycache__"))
    cli = release / "flows" / "cli.py"
    text = cli.read_text(encoding="utf-8")
    assert "会计年度（默认 2024）" in text
    cli.write_text(text.replace("会计年度（默认 2024）", "会计年度（不填时为 2024 年）"), encoding="utf-8")
    demo = release / "tools" / "demo_data.py"
    demo.write_text(demo.read_text(encoding="utf-8") + "\n# another release\n", encoding="utf-8")
    return release


def test_a_release_that_changes_nothing_in_the_report_issues_no_new_version(run_cli, data_copy, tmp_path):
    out = tmp_path / "out"
    assert run_cli("run", "--data", str(data_copy), "--out", str(out)).code == 0
    unit = out / "2024" / SAMPLE_UNIT
    first = json.loads((unit / "v1" / "manifest.json").read_text(encoding="utf-8"))

    release = _release_with_a_new_help_text(tmp_path)
    again = run_cli("run", "--data", str(data_copy), "--out", str(out), env={"JIXIAO_PROJECT_ROOT": str(release)})
    assert again.code == 0, again.stderr
    assert listing(unit) == ["v1"], "the same report must not be issued as a new version"
    assert "报告内容未变化" in again.stdout and "报告内容与 v1 相同" in again.stdout
    assert json.loads((unit / "v1" / "manifest.json").read_text(encoding="utf-8")) == first

    # The next run with the same release has nothing to compute at all.
    third = run_cli("run", "--data", str(data_copy), "--out", str(out), env={"JIXIAO_PROJECT_ROOT": str(release)})
    assert third.code == 0 and listing(unit) == ["v1"]
    assert "报告内容与 v1 相同" not in third.stdout and "数据质量校验" not in third.stderr
