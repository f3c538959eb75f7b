"""Which fiscal years and units a set of changed input files concerns. Pure."""

from __future__ import annotations

from collections.abc import Iterable

# Files office programs and editors write while saving; they are not exports.
_TEMPORARY_PREFIXES = ("~$", ".~lock", ".")
_TEMPORARY_SUFFIXES = (".tmp", ".temp", ".swp", ".part", ".crdownload", "~")


def is_temporary(name: str) -> bool:
    return name.startswith(_TEMPORARY_PREFIXES) or name.lower().endswith(_TEMPORARY_SUFFIXES)


def affected(relative_paths: Iterable[str]) -> dict[int, list[str]]:
    """Map changed files (relative to the data folder) to {year: units}; [] means every unit.

    ledger/<unit>/… and profiles/<unit>.yaml name their unit; a budget or control-total
    file may concern any unit of its year.
    """
    years: dict[int, set[str] | None] = {}
    for text in relative_paths:
        parts = [part for part in text.split("/") if part]
        if len(parts) < 3 or not parts[0].isdigit() or is_temporary(parts[-1]):
            continue
        year, kind = int(parts[0]), parts[1]
        if kind == "ledger" and len(parts) >= 4:
            unit: str | None = parts[2]
        elif kind == "profiles":
            unit = parts[-1].rsplit(".", 1)[0]
        elif kind in ("budget", "control_totals"):
            unit = None
        else:
            continue
        current = years.get(year, set())
        years[year] = None if unit is None or current is None else current | {unit}
    return {year: sorted(units) if units else [] for year, units in years.items()}
