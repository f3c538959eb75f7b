"""The annual-report flow on the real Prefect engine: every stage is a recorded task run."""

import asyncio
import os

import pytest

from tests.conftest import ROOT, SAMPLE_UNIT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prefect_engine(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-home")
    saved = {k: os.environ.get(k) for k in ("PREFECT_HOME", "PREFECT_API_URL")}
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.pop("PREFECT_API_URL", None)
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _task_runs(flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def read():
        async with get_client() as client:
            return await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))

    return asyncio.run(read())


def test_flow_runs_every_stage_as_a_task(prefect_engine, tmp_path):
    from flows.annual_report import annual_report

    state = annual_report(year=2024, data_dir=str(ROOT / "data"), out_dir=str(tmp_path / "out"), return_state=True)
    assert state.is_completed(), state.message
    [outcome] = state.result()
    assert (outcome.unit_code, outcome.status) == (SAMPLE_UNIT, "produced")
    assert (tmp_path / "out" / "2024" / SAMPLE_UNIT / "v1" / "report.docx").exists()

    runs = _task_runs(state.state_details.flow_run_id)
    names = {run.name.rsplit("-", 1)[0] for run in runs}
    assert {"ingest", "validate", "evaluate", "render", "deliver"} <= names
    assert all(run.state.is_completed() for run in runs)


def test_artifacts_speak_chinese_per_year_and_unit_with_relative_paths(prefect_engine, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.annual_report import annual_report

    out = tmp_path / "out"
    state = annual_report(year=2024, data_dir=str(ROOT / "data"), out_dir=str(out), return_state=True)
    assert state.is_completed(), state.message

    async def read(key):
        async with get_client() as client:
            [artifact] = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                                     limit=1)
            return artifact

    quality = asyncio.run(read(f"quality-2024-{SAMPLE_UNIT}"))
    rows = quality.data if isinstance(quality.data, list) else __import__("json").loads(quality.data)
    assert set(rows[0]) == {"规则", "严重程度", "结果", "问题数", "说明"}
    assert {row["结果"] for row in rows} <= {"通过", "未通过"} and "2024" in quality.description
    outputs = asyncio.run(read(f"outputs-2024-{SAMPLE_UNIT}"))
    assert f"`2024/{SAMPLE_UNIT}/v1/report.docx`" in outputs.data and str(tmp_path) not in outputs.data
