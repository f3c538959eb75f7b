"""A reviewer opens quality.html in headless Chromium, offline, and sees the injected fault located."""

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_UNIT

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CSV = f"2024/ledger/{SAMPLE_UNIT}/2024年1-6月记账凭证.csv"


def _inject_unknown_code(data: Path) -> int:
    """Change the first 办公费 line's code to one under no 类 of the code list; return its row number."""
    path = data / CSV
    lines = path.read_bytes().decode("gb18030").split("\r\n")
    row = next(n for n, line in enumerate(lines, start=1) if line.endswith(",30201,办公费"))
    lines[row - 1] = lines[row - 1].replace(",30201,办公费", ",39498,办公费")
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    return row


def test_reviewer_sees_rule_file_and_row_offline(run_cli, data_copy, tmp_path):
    if CHROMIUM is None:
        pytest.fail("Chromium is required: install the Debian package chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    row = _inject_unknown_code(data_copy)
    result = run_cli("run", "--data", str(data_copy), "--out", str(tmp_path / "out"))
    assert result.code == 3, result.output
    report = Path(re.search(r"数据质量报告：(\S+quality\.html)", result.stderr).group(1))
    assert report.exists()

    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report.resolve().as_uri())
        verdict = page.locator("#verdict").inner_text()
        summary = page.locator("#summary").inner_text()
        section = page.locator("#rule-LED-003").inner_text()
        rules_table = page.locator("#rules").inner_text()
        page.screenshot(path=str(tmp_path / "quality.png"), full_page=True)
        browser.close()
    print(f"screenshot: {tmp_path / 'quality.png'}")

    assert "存在严重问题" in verdict
    assert "严重" in summary and "警告" in summary and "提示" in summary
    assert "LED-003" in section and "2024年1-6月记账凭证.csv" in section and str(row) in section and "39498" in section
    assert rules_table.count("通过") >= 30, "every rule is listed with its status"
    assert all(url.startswith("file://") for url in requests), f"the report must open offline: {requests}"
    assert (report.parent / "violations.csv").read_text(encoding="utf-8-sig").count("LED-003") == 1
    assert (report.parent / "data_docs" / "index.html").exists()
