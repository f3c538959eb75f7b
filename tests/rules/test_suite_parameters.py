"""Locality values reach the suites as parameters from config/, never as literals in expectations/*.json."""

import json
import re

from tests.rules.rulekit import EXPECTATIONS, valid

# A code (three or more digits) or Chinese wording in a pattern, set or condition is a locality value.
LOCALITY_VALUE = re.compile(r"\d{3,}|[\u4e00-\u9fff]")


def _literals(value):
    if isinstance(value, dict):
        return [] if "$PARAMETER" in value else [v for item in value.values() for v in _literals(item)]
    if isinstance(value, list):
        return [v for item in value for v in _literals(item)]
    return [value] if isinstance(value, str) else []


def test_no_suite_hard_codes_a_code_list_account_or_marker_word():
    found = []
    for path in sorted(EXPECTATIONS.glob("*.json")):
        for expectation in json.loads(path.read_text(encoding="utf-8"))["expectations"]:
            for key in ("regex", "value_set", "row_condition"):
                found += [(expectation["meta"]["rule_id"], key, text)
                          for text in _literals(expectation["kwargs"].get(key)) if LOCALITY_VALUE.search(text)]
    assert not found


def test_every_parameter_a_suite_names_is_provided():
    provided = valid().parameters
    named = set()
    for path in EXPECTATIONS.glob("*.json"):
        named |= set(re.findall(r'"\$PARAMETER":\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    assert named <= provided.keys(), named - provided.keys()


def test_a_row_condition_naming_an_unknown_parameter_is_a_configuration_error(tmp_path):
    import pandas as pd
    import pytest

    from flows.adapters.quality_gx import run_suites
    from flows.domain.errors import ConfigError

    suite = {"name": "broken", "meta": {"dataset": "ledger"}, "expectations": [{
        "type": "expect_column_values_to_be_in_set", "severity": "warning",
        "kwargs": {"column": "fund_source", "value_set": ["111"], "row_condition": {"$PARAMETER": "sangong_line"},
                   "condition_parser": "pandas"},
        "meta": {"rule_id": "LED-999"}}]}
    (tmp_path / "broken.json").write_text(json.dumps(suite), encoding="utf-8")
    with pytest.raises(ConfigError, match="规则 LED-999 的 row_condition 引用了未定义的参数「sangong_line」"):
        run_suites(tmp_path, {"ledger": pd.DataFrame({"fund_source": ["111"]})}, valid().parameters)
