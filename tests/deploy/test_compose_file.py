"""deploy/docker-compose.yml holds together: every process that runs the project's code reaches the Prefect
server, the server's database URL matches the PostgreSQL service, and the Dask workers run the worker's image."""

from __future__ import annotations

import re
import shlex
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
PROJECT_DOCKERFILE = "deploy/Dockerfile"


def _defaults(value: object) -> str:
    """A compose value with every `${VAR:-default}` replaced by its default (what runs when nothing is set)."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))


def _command(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


@pytest.fixture(scope="module")
def project_services(services) -> dict[str, dict]:
    """The services built from this project's image."""
    return {name: s for name, s in services.items() if (s.get("build") or {}).get("dockerfile") == PROJECT_DOCKERFILE}


def test_the_city_has_its_services(services, project_services):
    assert {"postgres", "prefect-server", "dask-scheduler", "dask-worker", "worker"} <= set(services)
    assert {"dask-scheduler", "dask-worker", "worker"} <= set(project_services)
    assert services["dask-worker"]["deploy"]["replicas"] == 2


def test_everything_that_runs_project_code_reaches_the_prefect_server(services, project_services):
    command = _command(services["prefect-server"])
    assert command[:3] == ["prefect", "server", "start"] and command[command.index("--host") + 1] == "0.0.0.0"
    port = command[command.index("--port") + 1] if "--port" in command else "4200"
    for name, service in project_services.items():
        assert service["environment"].get("PREFECT_API_URL") == f"http://prefect-server:{port}/api", name


def test_server_database_url_matches_the_postgres_service(services):
    postgres = services["postgres"]
    assert _defaults(postgres["image"]).startswith("postgres:")
    assert postgres["healthcheck"]["test"]
    env = {k: _defaults(v) for k, v in postgres["environment"].items()}
    url = urlsplit(_defaults(services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]))
    assert url.scheme == "postgresql+asyncpg"
    assert (url.username, url.password, url.hostname, url.port, url.path) == (
        env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], "postgres", 5432, "/" + env["POSTGRES_DB"])
    # The same variable sets the password on both sides.
    raw = services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    assert str(postgres["environment"]["POSTGRES_PASSWORD"]) in raw
    assert services["prefect-server"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_dask_workers_run_the_workers_image_and_find_the_scheduler(services):
    worker, dask_worker, scheduler = services["worker"], services["dask-worker"], services["dask-scheduler"]
    for key in ("image", "build"):
        assert dask_worker[key] == worker[key] == scheduler[key], key
    scheduler_command = _command(scheduler)
    address = f"tcp://dask-scheduler:{scheduler_command[scheduler_command.index('--port') + 1]}"
    assert worker["environment"]["JIXIAO_DASK_ADDRESS"] == address
    assert address in _command(dask_worker)
    # Per-unit tasks read data/ and write out/ with the flow's relative paths: same folder, same place.
    for service in (worker, dask_worker):
        site = service["environment"]["JIXIAO_SITE"]
        assert service["working_dir"] == site
        assert any(str(volume).endswith(f":{site}") for volume in service["volumes"])


def test_worker_serves_the_pool_of_the_deployment(services):
    deployment = yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))
    command = _command(services["worker"])
    assert command[:3] == ["prefect", "worker", "start"]
    assert command[command.index("--pool") + 1] == deployment["deployments"][0]["work_pool"]["name"]
    # Server and clients run the Prefect version the deployment file declares.
    version = deployment["prefect-version"]
    assert _defaults(services["prefect-server"]["image"]).startswith(f"prefecthq/prefect:{version}-")
    assert _defaults(services["worker"]["build"]["args"]["PREFECT_VERSION"]) == version


def test_dockerfile_installs_the_project_with_libreoffice_and_cjk_fonts():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert "libreoffice-writer-nogui" in dockerfile and "fonts-noto-cjk" in dockerfile
    assert re.search(r"pip install .*-e \.", dockerfile)
    assert re.search(r"^ENV JIXIAO_SITE=/site$", dockerfile, re.MULTILINE)
