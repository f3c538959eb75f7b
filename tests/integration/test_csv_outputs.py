"""CSV outputs (violations.csv, run-summary.csv) never carry a live spreadsheet formula."""


def test_csv_outputs_keep_formula_starts_as_text():
    from flows.adapters.quality_report import csv_safe_text

    for payload in ("=HYPERLINK(\"x\")", "+1+1", "@SUM(A1)", "-A1", "\t=1", "\r=1"):
        assert csv_safe_text(payload).startswith("'")
    assert csv_safe_text("-123.45") == "-123.45" and csv_safe_text("办公费") == "办公费"
