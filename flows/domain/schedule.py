"""Run-time defaults of scheduled and event-triggered runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Schedule:
    cron: str
    timezone: str
    event: str
    server_host: str
    server_port: int


def default_fiscal_year(timezone: str, now: dt.datetime | None = None) -> int:
    """A run without a year reports the previous fiscal year, as of today in `timezone`."""
    return (now or dt.datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).year - 1


def requested_units(units: list[str] | str | None) -> list[str]:
    """Unit codes from a list or a comma-separated string; empty means all units."""
    if units is None:
        return []
    items = units.split(",") if isinstance(units, str) else units
    return [item.strip() for item in items if item and item.strip()]
