"""Process settings: where Prefect keeps its state, and how quiet it is. The only env reader.

Must run before `prefect` is imported: Prefect reads its settings at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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


def local_server_port(configured: int) -> int:
    """The local Prefect server's port: JIXIAO_SERVER_PORT when set (a second site on one
    machine, tests), else config/schedule.yaml's."""
    return int(os.environ.get("JIXIAO_SERVER_PORT") or configured)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Outgoing mail server. The password never appears in logs, manifests or artifacts (repr hides it)."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False


def smtp_settings() -> SmtpSettings | None:
    """SMTP settings from JIXIAO_SMTP_* variables; None when no server is configured.

    The password comes from JIXIAO_SMTP_PASSWORD or, failing that, from the Prefect Secret
    block named by JIXIAO_SMTP_PASSWORD_BLOCK (read by the delivery adapter).
    """
    host = os.environ.get("JIXIAO_SMTP_HOST", "").strip()
    if not host:
        return None
    return SmtpSettings(
        host=host,
        port=int(os.environ.get("JIXIAO_SMTP_PORT", "25")),
        sender=os.environ.get("JIXIAO_SMTP_SENDER", "jixiao@localhost"),
        user=os.environ.get("JIXIAO_SMTP_USER", ""),
        password=os.environ.get("JIXIAO_SMTP_PASSWORD", ""),
        starttls=os.environ.get("JIXIAO_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
    )


def smtp_password_block() -> str:
    return os.environ.get("JIXIAO_SMTP_PASSWORD_BLOCK", "")


def fault_delay_seconds() -> float:
    """Test knob: pause between output files while a version is staged (kill tests use it)."""
    return float(os.environ.get("JIXIAO_FAULT_DELAY_SECONDS", "0") or 0)


def fault_units() -> frozenset[str]:
    """Test knob: units whose report task fails on purpose (crash-isolation tests use it)."""
    return frozenset(u.strip() for u in os.environ.get("JIXIAO_FAULT_UNITS", "").split(",") if u.strip())


def dask_address(configured: str = "") -> str:
    """The Dask scheduler for per-unit work: JIXIAO_DASK_ADDRESS, else config/execution.yaml."""
    return os.environ.get("JIXIAO_DASK_ADDRESS", "").strip() or configured.strip()


def units_per_task(configured: int = 0) -> int:
    """Units a task takes in a city run (JIXIAO_UNITS_PER_TASK, else config/execution.yaml); 0: chosen by the run.

    Raises:
        ConfigError: the variable is not a whole number of units (0 or more).
    """
    from flows.domain.errors import ConfigError

    value = os.environ.get("JIXIAO_UNITS_PER_TASK", "").strip()
    if not value:
        return configured
    if not value.isascii() or not value.isdigit():
        raise ConfigError(f"环境变量 JIXIAO_UNITS_PER_TASK 的值「{value}」不是 0 或正整数（每个任务处理的单位数，0 表示自动）")
    return int(value)
