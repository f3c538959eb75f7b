"""A real `prefect server start` for the served-setup tests: on SQLite in a temporary folder, or on a
local PostgreSQL server that the test starts from the Debian packages."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Services:
    """Processes a test starts; all are stopped when it ends."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.processes: list[subprocess.Popen] = []
        self.url = ""
        self.database_url = ""

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "DO_NOT_TRACK": "1", "PYTHONWARNINGS": "ignore", **extra}
        if self.url:
            env["PREFECT_API_URL"] = self.url
        else:
            env.pop("PREFECT_API_URL", None)
        return env

    def start(self, args: list[str], log: str, **env: str) -> subprocess.Popen:
        handle = (self.home / log).open("ab")
        process = subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, env=self.env(**env), start_new_session=True)
        self.processes.append(process)
        return process

    def prefect(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "prefect", *args], env=self.env(**env), capture_output=True,
                              text=True, timeout=300, cwd=Path(__file__).resolve().parents[2])

    def log(self, name: str) -> str:
        path = self.home / name
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def _start_prefect_server(services: Services, **env: str) -> None:
    """`prefect server start` on a free port; returns once /api/health answers."""
    port = _free_port()
    # The scheduler normally looks for new schedules every 60 s; a test need not wait that long.
    server = services.start([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port),
                             "--no-ui"], "server.log", PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5", **env)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while not _healthy(url):
        assert server.poll() is None, "prefect server exited\n" + services.log("server.log")
        assert time.monotonic() < deadline, services.log("server.log")
        time.sleep(0.5)
    services.url = url


@pytest.fixture()
def prefect_server(tmp_path):
    services = Services(tmp_path / "prefect-home")
    services.home.mkdir()
    try:
        _start_prefect_server(services)
        yield services
    finally:
        services.stop()


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL server binaries (/usr/lib/postgresql/<major>/bin), if installed."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if p.parent.parent.name.isdigit()]
    return max(found, key=lambda p: int(p.parent.name)) if found else None


class Postgres:
    """A throwaway PostgreSQL cluster in a test's folder, on 127.0.0.1 and a free port (trust auth, superuser `postgres`).

    PostgreSQL refuses to run as root; as root the cluster is owned and run by the `postgres` system user,
    and the test folder's parents are made traversable (not readable) for it until the test ends.
    """

    def __init__(self, bin_dir: Path, folder: Path) -> None:
        self.bin = bin_dir
        self.folder = folder
        self.data = folder / "data"
        self.sockets = folder / "sockets"
        self.logfile = folder / "postgres.log"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self._modes: dict[Path, int] = {}

    def _run(self, *args: str, timeout: float = 120, owner: bool = False) -> subprocess.CompletedProcess:
        """Run a PostgreSQL program; `owner`: as the cluster's owner (initdb, pg_ctl), else as this user (clients)."""
        user = {"user": "postgres", "group": "postgres", "extra_groups": []} if owner and self.as_root else {}
        return subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True, text=True, timeout=timeout,
                              cwd=self.folder if owner else None, env={**os.environ, "LC_ALL": "C.UTF-8"}, check=False,
                              **user)

    def _checked(self, *args: str, timeout: float = 120, owner: bool = False) -> str:
        done = self._run(*args, timeout=timeout, owner=owner)
        assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}{done.stderr}\n{self.log()}"
        return done.stdout

    def _open_for_postgres_user(self) -> None:
        for parent in reversed(self.folder.parents):
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                self._modes[parent] = stat.S_IMODE(mode)
                parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
        shutil.chown(self.folder, "postgres", "postgres")

    def start(self) -> None:
        self.folder.mkdir(parents=True)
        if self.as_root:
            self._open_for_postgres_user()
        self.sockets.mkdir()
        if self.as_root:
            shutil.chown(self.sockets, "postgres", "postgres")
        self._checked("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale",
                      "--no-sync", owner=True)
        self._checked("pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "60",
                      "-o", f"-h 127.0.0.1 -p {self.port} -k {self.sockets} -c fsync=off", "start", owner=True)

    def createdb(self, name: str) -> str:
        """Create database `name`; its SQLAlchemy URL for Prefect (asyncpg driver)."""
        self._checked("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"

    def query(self, database: str, sql: str) -> list[list[str]]:
        """Rows of `sql` as psql prints them unaligned (fields split on '|')."""
        out = self._checked("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                            "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql)
        return [line.split("|") for line in out.splitlines() if line]

    def log(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def stop(self) -> None:
        """Fast shutdown by signalling the postmaster (no pg_ctl: another pytest session may meanwhile have
        closed the base temporary folder to other users again), then harder if it lingers."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            for signal_number, seconds in ((signal.SIGINT, 60), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
                try:
                    os.kill(pid, signal_number)
                except ProcessLookupError:
                    break
                deadline = time.monotonic() + seconds
                while _running(pid) and pid_file.exists() and time.monotonic() < deadline:
                    time.sleep(0.2)
                if not (_running(pid) and pid_file.exists()):
                    break
        for parent, mode in self._modes.items():
            parent.chmod(mode)


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a parent that never reaps it."""
    stat_file = Path(f"/proc/{pid}/stat")
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        state = stat_file.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.fixture()
def postgres(tmp_path):
    """A local PostgreSQL server from the Debian packages; skipped where they are absent, except in CI."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        message = "PostgreSQL server binaries not found (/usr/lib/postgresql/<major>/bin): install the Debian package postgresql"
        if os.environ.get("CI"):
            pytest.fail(message + " (see .ci/run)")
        pytest.skip(message)
    server = Postgres(bin_dir, tmp_path / "postgres")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture()
def postgres_prefect_server(postgres, tmp_path):
    """`prefect server start` on database `prefect` of the local PostgreSQL server."""
    services = Services(tmp_path / "prefect-home")
    services.home.mkdir()
    services.database_url = postgres.createdb("prefect")
    try:
        _start_prefect_server(services, PREFECT_API_DATABASE_CONNECTION_URL=services.database_url)
        yield services
    finally:
        services.stop()


def wait_for(condition, seconds: float, what: str, log=lambda: ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}\n{log()}")
