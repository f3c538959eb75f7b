"""Process settings: where Prefect keeps its state, and how quiet it is. The only env reader.

Must run before `prefect` is imported: Prefect reads its settings at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

QUIET_PREFECT = {
    # Telemetry off: offline machines otherwise log failed sends and lock tracebacks.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_SERVER_EPHEMERAL_ENABLED": "true",
    # A fresh state folder runs migrations first; the default 20 s is too short on small machines.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_CLI_COLORS": "false",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
}


def log_file() -> Path:
    """Where Prefect's records (and any traceback) go instead of the terminal."""
    return Path(os.environ["PREFECT_HOME"]) / "jixiao.log"


def state_dir() -> Path:
    """The run-state folder: ./.jixiao in the working folder unless JIXIAO_STATE_DIR says otherwise."""
    return Path(os.environ.get("JIXIAO_STATE_DIR") or Path.cwd() / ".jixiao").resolve()


def configure_prefect_environment() -> Path:
    """Point Prefect at the project's state folder (not the user's home) and quiet it down."""
    home = state_dir() / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_LOGGING_SETTINGS_PATH", str(Path(__file__).with_name("prefect_logging.yml")))
    for name, value in QUIET_PREFECT.items():
        os.environ.setdefault(name, value)
    return home
