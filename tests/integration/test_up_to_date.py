"""A run whose units are all up to date is answered before Prefect starts, with the outcomes the
flow would give; anything else (new inputs, a recipient still waiting) is left to the flow."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import yaml

from tests.conftest import SAMPLE_UNIT

DRAFT_LINE = f"v1 为草稿，待审核通过后发送（jixiao approve {SAMPLE_UNIT} --by 审核人）"


@pytest.fixture(autouse=True)
def _no_run_to_log_to():
    """Outside a run, as in the command line before the flow: no handler that sends to Prefect runs
    (another test's import of flows.tasks adds one)."""
    logger = logging.getLogger("jixiao")
    handlers, logger.handlers = logger.handlers, []
    yield
    logger.handlers = handlers


def _fingerprint(data: Path) -> str:
    """The sample unit's fingerprint as the flow's fingerprint task computes it."""
    from flows import year_inputs
    from flows.adapters.project_files import default_template

    reference = year_inputs.load_configuration(2024)
    sources = year_inputs.ingest(data, 2024, reference, [])
    prior = year_inputs.ingest_prior(data, 2024, [])
    return year_inputs.fingerprint_units(sources, prior[0] if prior else None, default_template())[SAMPLE_UNIT]["fingerprint"]


def _version(out: Path, fingerprint: str, state: str = "草稿") -> Path:
    """out/2024/<unit>/v1 as a run publishes it, as far as deciding and sending look at it."""
    version = out / "2024" / SAMPLE_UNIT / "v1"
    version.mkdir(parents=True)
    (version / "report.docx").write_bytes(b"report")
    manifest = {"version": "v1", "unit_code": SAMPLE_UNIT, "fiscal_year": 2024, "fingerprint": fingerprint,
                "quality": {"warnings": []}, "review": {"required": True, "state": state, "decisions": []}}
    (version / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return version


def _add_folder_recipient(data: Path, folder: Path) -> None:
    path = data / "2024" / "profiles" / f"{SAMPLE_UNIT}.yaml"
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    profile["recipients"] = {"email": [], "folders": [str(folder)]}
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")


def _settled(data: Path, out: Path, units: list[str] | None = None):
    from flows.up_to_date import settled_outcomes

    return settled_outcomes(data, out, 2024, units)


def test_a_unit_whose_version_these_inputs_made_is_answered_unchanged(data_copy, tmp_path):
    out = tmp_path / "out"
    version = _version(out, _fingerprint(data_copy))
    [outcome] = _settled(data_copy, out)
    assert (outcome.unit_code, outcome.status, outcome.folder, outcome.details) == (SAMPLE_UNIT, "unchanged", str(version), ())
    assert outcome.name == "共青团衡阳市委"
    assert _settled(data_copy, out, [SAMPLE_UNIT]) == [outcome]


def test_a_draft_is_answered_with_why_it_is_not_sent(data_copy, tmp_path):
    _add_folder_recipient(data_copy, tmp_path / "共享")
    out = tmp_path / "out"
    _version(out, _fingerprint(data_copy), state="草稿")
    [outcome] = _settled(data_copy, out)
    assert outcome.status == "unchanged" and outcome.details == (DRAFT_LINE,)
    assert not (tmp_path / "共享").exists()


def test_an_approved_version_a_recipient_has_not_had_is_left_to_the_flow_which_sends_it(data_copy, tmp_path):
    shared = tmp_path / "共享"
    _add_folder_recipient(data_copy, shared)
    out = tmp_path / "out"
    version = _version(out, _fingerprint(data_copy), state="通过")
    assert _settled(data_copy, out) is None
    assert not shared.exists(), "the check itself sends nothing"

    sent = {"channel": "folder", "to": str(shared), "version": "v1", "status": "sent"}
    (version / "deliveries.json").write_text(json.dumps([sent]), encoding="utf-8")
    [outcome] = _settled(data_copy, out)
    assert outcome.status == "unchanged" and outcome.details == ()


@pytest.mark.parametrize("case", ["other inputs", "no version yet", "unknown unit", "unreadable data folder"])
def test_anything_but_up_to_date_units_is_left_to_the_flow(data_copy, tmp_path, case):
    out = tmp_path / "out"
    _version(out, "another fingerprint" if case == "other inputs" else _fingerprint(data_copy))
    if case == "no version yet":
        out = tmp_path / "elsewhere"
    units = ["999999"] if case == "unknown unit" else None
    data = tmp_path / "no data" if case == "unreadable data folder" else data_copy
    assert _settled(data, out, units) is None


def test_lines_logged_while_checking_are_said_only_with_an_answer(data_copy, tmp_path):
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    logger = logging.getLogger("jixiao")
    handler = Collect()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        out = tmp_path / "out"
        assert _settled(data_copy, out) is None
        assert said == [], "the flow says them when it runs"
        _version(out, _fingerprint(data_copy))
        said.clear()
        assert _settled(data_copy, out) is not None
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert said and said[0] == "读取账簿 2 个文件，共 2856 行，涉及 1 个单位"
