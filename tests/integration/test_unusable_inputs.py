"""Exit-2 entries of the bad-input catalogue, in-process: the run's reading steps refuse the
input with a message naming file and column, before any unit is worked on.

Two of them also run through the CLI in tests/flow/test_bad_inputs.py, which checks the exit
code and that nothing is written; the reading steps here are the same functions the flow's
ingest tasks call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import year_inputs
from flows.domain.errors import InputError
from tests.fixtures.bad_inputs import CATALOGUE

UNUSABLE = [case for case in CATALOGUE if case.exit == 2]


def read_as_the_run_does(data: Path, year: int) -> None:
    reference = year_inputs.load_configuration(year)
    year_inputs.ingest(data, year, reference, [])
    year_inputs.ingest_prior(data, year, [])


@pytest.mark.parametrize("case", UNUSABLE, ids=lambda case: case.name)
def test_unusable_input_is_refused_naming_what_to_fix(case, data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("JIXIAO_STATE_DIR", str(tmp_path / "state"))
    case.breaks(data_copy)
    with pytest.raises(InputError) as raised:
        read_as_the_run_does(data_copy, 2024)
    said = f"输入数据无法使用：{raised.value}"        # as the CLI prints it
    for fragment in case.says:
        assert fragment in said, f"{fragment!r} not in {said!r}"
