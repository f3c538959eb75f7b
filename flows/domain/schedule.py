"""Run-time defaults of scheduled and event-triggered runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from pydantic import Field, field_validator

from flows.domain.config_schema import ConfigModel


@dataclass(frozen=True, slots=True)
class Schedule:
    cron: str
    timezone: str
    event: str
    server_host: str
    server_port: int


class ServerConfig(ConfigModel):
    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)


class ScheduleConfig(ConfigModel):
    """config/schedule.yaml."""

    cron: str = Field(pattern=r"^\S+(\s+\S+){4}$")     # five fields: minute hour day month weekday
    timezone: str
    event: str = Field(min_length=1)
    server: ServerConfig

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        if name not in available_timezones():
            raise ValueError(f"「{name}」不是已知的时区名称（例如 Asia/Shanghai）")
        return name

    def schedule(self) -> Schedule:
        return Schedule(cron=self.cron, timezone=self.timezone, event=self.event,
                        server_host=self.server.host, server_port=self.server.port)


class ExecutionConfig(ConfigModel):
    """config/execution.yaml: a Dask scheduler address, or the size of the local pool (0: one per CPU);
    how many units a task takes (0: chosen by the run)."""

    dask_address: str = ""
    local_workers: int = Field(default=0, ge=0)
    units_per_task: int = Field(default=0, ge=0)


def default_fiscal_year(timezone: str, now: dt.datetime | None = None) -> int:
    """A run without a year reports the previous fiscal year, as of today in `timezone`."""
    return (now or dt.datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).year - 1


def requested_units(units: list[str] | str | None) -> list[str]:
    """Unit codes from a list or a comma-separated string; empty means all units."""
    if units is None:
        return []
    items = units.split(",") if isinstance(units, str) else units
    return [item.strip() for item in items if item and item.strip()]
