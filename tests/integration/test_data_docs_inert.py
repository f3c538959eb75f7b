"""GX Data Docs built from hostile data carry no live markup: opened in headless Chromium,
no payload from a file name, 摘要 or project name runs."""

from __future__ import annotations

import shutil

import pytest

from flows.adapters.quality_gx import run_suites
from flows.domain.metrics import compute_department_metrics
from flows.domain.quality_inputs import quality_datasets
from tests.rules.rulekit import EXPECTATIONS, PROFILE, REFERENCE, valid

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAYLOADS = (
    "<img src=x onerror=\"document.title='PWNED'\">",
    "<script>window.__pwned = 1</script>",
    "\"><svg onload=\"window.__pwned=2\">",
    "' onmouseover='window.__pwned=3' x='",
)


def test_hostile_text_in_every_field_stays_text_in_the_data_docs(tmp_path):
    if CHROMIUM is None:
        pytest.fail("Chromium is required: install the Debian package chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    d = valid()
    d.ledger.loc[0, "econ_code"] = "39498"                        # LED-003 lists the row with its file
    d.ledger["source_file"] = f"2024/ledger/900001/{PAYLOADS[0]}{PAYLOADS[2]}.csv"
    d.ledger.loc[0, "summary"] = PAYLOADS[1]
    d.ledger.loc[0, "project_name"] = PAYLOADS[3]
    metrics = compute_department_metrics(d.ledger, d.budget, PROFILE, REFERENCE, 2024)
    datasets = quality_datasets(d.ledger, d.budget, metrics, d.rejected, d.declared, d.vouchers)
    docs = tmp_path / "data_docs"
    results = run_suites(EXPECTATIONS, datasets, d.parameters, docs_dir=docs)
    assert "LED-003" in {r.rule_id for r in results if not r.success}
    pages = sorted(docs.rglob("*.html"))
    assert any("validations" in p.parts for p in pages)
    assert not [p for p in pages if any(payload in p.read_text(encoding="utf-8") for payload in PAYLOADS)]

    ran, shown = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
        page.on("dialog", lambda dialog: (ran.append(dialog.message), dialog.dismiss()))
        for html in pages:
            page.goto(html.as_uri())
            page.mouse.move(200, 300)
            ran += [f"{html.name}: {state}" for state in page.evaluate("[document.title, window.__pwned]")
                    if state in ("PWNED", 1, 2, 3)]
            shown.append(page.content())
        browser.close()
    assert ran == []
    assert any("39498" in text and "＜img src=x" in text for text in shown), "the values are still shown, as text"
