"""Shared fixtures: the project's paths, the sample inputs, a CLI runner, a LibreOffice reader."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_UNIT = "312001"


@pytest.fixture(scope="session")
def reference():
    from flows.adapters.project_files import load_reference

    return load_reference(2024)


@pytest.fixture(scope="session")
def sample_inputs(reference):
    from flows.adapters.data_folder import read_year_inputs

    return read_year_inputs(ROOT / "data", 2024, reference)


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory) -> Path:
    """One Prefect state folder for every CLI run of the session (migrations run once)."""
    return tmp_path_factory.mktemp("jixiao-state")


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("*.py"))
    return target


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture()
def run_cli(state_dir, tmp_path):
    """Run `jixiao …` as a user would: a separate process, exit code and output captured."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> CliResult:
        completed = subprocess.run(
            [sys.executable, "-m", "flows", *args], cwd=cwd or ROOT, env=cli_env(state_dir, env),
            capture_output=True, text=True, timeout=600,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    return run


def _port_nobody_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A run uses the local Prefect server it finds answering (`jixiao serve` on config/schedule.yaml's
# port): the tests' runs look for it where none listens, unless a test starts one and says where.
NO_LOCAL_SERVER_PORT = str(_port_nobody_listens_on())


def cli_env(state_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a user's shell: no Prefect server configured or running, our state folder."""
    env = {**os.environ, "JIXIAO_STATE_DIR": str(state_dir), "PYTHONWARNINGS": "ignore",
           "JIXIAO_SERVER_PORT": NO_LOCAL_SERVER_PORT, **(extra or {})}
    env.pop("PREFECT_API_URL", None)
    return env


def docx_text_via_libreoffice(docx: Path) -> str:
    """Open the .docx in LibreOffice (headless) and return the text it reads."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui (see .ci/run)")
    with tempfile.TemporaryDirectory() as work:
        profile = Path(work) / "profile"
        completed = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "txt:Text (encoded):UTF8",
             "--outdir", work, str(docx)],
            capture_output=True, text=True, timeout=240,
        )
        out = Path(work) / (docx.stem + ".txt")
        assert out.exists(), f"LibreOffice could not open {docx.name}: {completed.stderr}"
        return out.read_text(encoding="utf-8-sig")


def report_parts(inputs, reference, verdict):
    """The sample department's template context and chart images, built as the render task builds them."""
    from flows.domain.attachments import report_attachments
    from flows.domain.figures import build_figures
    from flows.domain.report_context import build_report_context
    from flows.unit_pipeline import UnitBooks, Workspace, evaluate, report_charts

    result = evaluate(UnitBooks(inputs, None), Workspace(reference, ROOT / "templates" / "report.docx", ROOT / "out"))
    profile = inputs.profiles[SAMPLE_UNIT]
    layout = reference.evaluation.attachment_layout
    figures = build_figures(result.metrics, profile, result.evaluation, layout, result.amounts, verdict)
    tables = report_attachments(layout, reference.evaluation.attachment_layout_file, profile, result.evaluation,
                                result.amounts, figures, result.metrics.year)
    context = build_report_context(figures, result.metrics, profile, verdict, reference, result.evaluation, tables)
    return context, report_charts(result.metrics, result.evaluation)


def render_sample(data: Path):
    """The sample department of `data` rendered with last year's data, as the render task does it:
    (books, evaluation result, rendered report)."""
    from flows import unit_pipeline
    from flows.adapters.data_folder import read_year_inputs
    from flows.adapters.project_files import load_reference
    from flows.domain.quality import QualityVerdict

    reference, prior_reference = load_reference(2024), load_reference(2023)
    books = unit_pipeline.UnitBooks(read_year_inputs(data, 2024, reference), read_year_inputs(data, 2023, prior_reference))
    workspace = unit_pipeline.Workspace(reference, ROOT / "templates" / "report.docx", data / "out",
                                        prior_reference=prior_reference)
    result = unit_pipeline.evaluate(books, workspace)
    check = unit_pipeline.QualityCheck(QualityVerdict(SAMPLE_UNIT, ()), data / "docs", "test")
    return books, result, unit_pipeline.render(books, workspace, result, check)


def listing(folder: Path) -> list[str]:
    """What a user sees in an output folder (hidden entries such as the run lock left out)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="session")
def sample_parts(reference, sample_inputs):
    """The sample department's template context and chart images (no quality warnings)."""
    from flows.domain.quality import QualityVerdict

    return report_parts(sample_inputs, reference, QualityVerdict(SAMPLE_UNIT, ()))


@pytest.fixture(scope="session")
def sample_context(sample_parts) -> dict:
    return sample_parts[0]


@pytest.fixture(scope="session")
def sample_report_docx(sample_parts) -> bytes:
    """The sample department's report.docx, rendered from the template as the pipeline renders it."""
    from flows.adapters.docx_renderer import render_docx

    context, images = sample_parts
    return render_docx(ROOT / "templates" / "report.docx", context, images)


@pytest.fixture(scope="session")
def sample_report_pdf(sample_report_docx) -> bytes:
    """The sample report as PDF, made by LibreOffice with the report's font configuration."""
    from flows.adapters.pdf import docx_to_pdf

    return docx_to_pdf(sample_report_docx)
