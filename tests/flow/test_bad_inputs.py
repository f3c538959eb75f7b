"""Every entry of the bad-input catalogue: documented exit code, a clear Chinese message,
no traceback, and no partial output (exit 2 writes nothing; exit 3 writes no report version)."""

import pytest

from tests.conftest import listing
from tests.fixtures.bad_inputs import CATALOGUE, UNIT

pytestmark = pytest.mark.slow

# Exit-2 cases are refused while reading; tests/integration/test_unusable_inputs.py runs them
# all in-process. These two go through the CLI for the exit code and "nothing written".
THROUGH_THE_CLI = {"missing_column", "profile_unit_code_escapes"}
CLI_CASES = [case for case in CATALOGUE if case.exit != 2 or case.name in THROUGH_THE_CLI]


def test_catalogue_is_complete():
    assert len(CATALOGUE) >= 20 and len({case.name for case in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda case: case.name)
def test_bad_input(case, run_cli, data_copy, tmp_path):
    case.breaks(data_copy)
    out = tmp_path / "out"
    result = run_cli("run", "--data", str(data_copy), "--out", str(out))
    assert result.code == case.exit, result.output
    assert "Traceback" not in result.output
    for fragment in case.says:
        assert fragment in result.output, f"{fragment!r} not in output:\n{result.output}"
    unit = out / "2024" / UNIT
    if case.exit == 2:
        assert not out.exists(), "unusable input writes nothing"
    elif case.exit == 3:
        assert listing(unit) == ["checks"], "a blocked unit gets no report version"
        [check] = (unit / "checks").iterdir()
        assert (check / "quality.html").exists() and (check / "violations.csv").exists()
    else:
        assert (unit / "v1" / "report.docx").exists()
    if case.then:
        case.then(out)
