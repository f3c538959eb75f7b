"""The one place that knows the folder layout of `data/` and `out/`.

    data/<year>/ledger/<unit>/…      a department's own ledger exports (the folder names the unit)
    data/<year>/ledger/<file>        a city-wide export; its 单位编码 column names each row's unit
    data/<year>/budget/…             budget indicator exports (one unit or a 单位编码 column)
    data/<year>/control_totals/…     declared totals (财决01 or a plain table), optionally per unit folder
    data/<year>/payments/…           国库集中支付 exports, optionally per unit folder
    data/<year>/profiles/<unit>.yaml the department's 单位信息
    out/<year>/<unit>/v<N>/          published report versions
    out/<year>/<unit>/checks/<run>/  quality reports of runs that published no version

Reading, watching, fingerprinting and publishing ask this module which file belongs to
which year and unit, so they cannot disagree about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.domain.errors import InputError
from flows.domain.profile import UNIT_CODE_RULE, is_valid_unit_code

EXPORT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")
LEDGER, BUDGET, CONTROL_TOTALS, PAYMENTS, PROFILES = "ledger", "budget", "control_totals", "payments", "profiles"
# Kinds whose files may sit in a <unit>/ subfolder or carry a 单位编码 column.
EXPORT_KINDS = (LEDGER, BUDGET, CONTROL_TOTALS, PAYMENTS)

# Files office programs and editors write while saving; they are not exports.
_TEMPORARY_PREFIXES = ("~$", ".~lock", ".")
_TEMPORARY_SUFFIXES = (".tmp", ".temp", ".swp", ".part", ".crdownload", "~")
_VERSION = re.compile(r"^v(\d+)$")


def is_temporary(name: str) -> bool:
    return name.startswith(_TEMPORARY_PREFIXES) or name.lower().endswith(_TEMPORARY_SUFFIXES)


def is_export(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in EXPORT_SUFFIXES and not is_temporary(path.name)


@dataclass(frozen=True, slots=True)
class YearFolder:
    """data/<year>/ of one fiscal year."""

    data_dir: Path
    year: int

    @property
    def path(self) -> Path:
        return self.data_dir / str(self.year)

    def name(self, path: Path) -> str:
        """How messages and manifests name a file: relative to the data folder, with slashes."""
        return path.relative_to(self.data_dir).as_posix()

    def kind_name(self, kind: str) -> str:
        return f"{self.year}/{kind}"

    def exports(self, kind: str) -> list[Path]:
        """Every export file of one kind, in a stable order."""
        folder = self.path / kind
        return sorted(p for p in folder.rglob("*") if is_export(p)) if folder.is_dir() else []

    def profile_files(self) -> list[Path]:
        return sorted((self.path / PROFILES).glob("*.y*ml"))

    def folder_unit(self, path: Path, kind: str, single_unit: str = "") -> str:
        """A file in <kind>/<unit>/ belongs to that unit; one directly in <kind>/ to `single_unit`."""
        relative = path.relative_to(self.path / kind)
        return relative.parts[0] if len(relative.parts) > 1 else single_unit

    def ledger_files(self, units: Sequence[str] = ()) -> Iterator[tuple[Path, str]]:
        """(ledger export, the unit its folder names or "" for a city-wide file); with `units`,
        only files that may hold their rows.

        Raises:
            InputError: there is no ledger export, or a unit folder's name is no unit code.
        """
        files = self.exports(LEDGER)
        if not files:
            raise InputError("没有找到账簿导出文件（应放在 ledger/<单位编码>/ 目录下）", file=self.kind_name(LEDGER))
        for path in files:
            folder_unit = self.folder_unit(path, LEDGER)
            if folder_unit and not is_valid_unit_code(folder_unit):
                raise InputError(f"目录名「{folder_unit}」不是有效的单位编码：{UNIT_CODE_RULE}", file=self.name(path))
            if units and folder_unit and folder_unit not in units:
                continue
            yield path, folder_unit

    def unit_ledger_folder(self, unit: str) -> str:
        return f"{self.year}/{LEDGER}/{unit}/"

    def unread_files(self) -> list[tuple[str, str]]:
        """Every file of the year that no reader takes, with the reason, so nothing a user put
        here is ignored without a word."""
        unread = []
        for path in sorted(p for p in self.path.rglob("*") if p.is_file()):
            kind = path.relative_to(self.path).parts[0] if len(path.relative_to(self.path).parts) > 1 else ""
            if is_temporary(path.name):
                reason = "Office 或编辑器的临时文件"
            elif kind == PROFILES:
                if path.suffix.lower() in (".yaml", ".yml") and path.parent == self.path / PROFILES:
                    continue
                reason = "单位信息文件应为 profiles/<单位编码>.yaml"
            elif kind in EXPORT_KINDS:
                if is_export(path):
                    continue
                reason = f"不是可读取的导出格式（{'、'.join(s.lstrip('.').upper() for s in EXPORT_SUFFIXES)}）"
            else:
                reason = f"不在 {'、'.join(k + '/' for k in (*EXPORT_KINDS, PROFILES))} 目录中"
            unread.append((self.name(path), reason))
        return unread

    def input_files(self) -> list[Path]:
        """Every export of the year: the files whose dates bound the vouchers' dates."""
        return [path for kind in EXPORT_KINDS for path in self.exports(kind)]


def year_folder(data_dir: Path, year: int) -> YearFolder:
    """data/<year>/, which must exist.

    Raises:
        InputError: the folder is missing.
    """
    folder = YearFolder(data_dir, year)
    if not folder.path.is_dir():
        raise InputError(f"找不到 {year} 年度的数据目录", file=folder.path.as_posix())
    return folder


def affected(relative_paths: Iterable[str]) -> dict[int, list[str]]:
    """Map changed files (relative to the data folder) to {year: units}; [] means every unit.

    ledger/<unit>/… and profiles/<unit>.yaml name their unit; a city-wide ledger export
    (ledger/<file>), a budget, control-total or payments file may concern any unit of its year.
    """
    years: dict[int, set[str] | None] = {}
    for text in relative_paths:
        parts = [part for part in text.split("/") if part]
        if len(parts) < 3 or not parts[0].isdigit() or is_temporary(parts[-1]):
            continue
        year, kind = int(parts[0]), parts[1]
        if kind == PROFILES:
            unit: str | None = parts[-1].rsplit(".", 1)[0]
        elif kind == LEDGER and len(parts) >= 4:
            unit = parts[2]
        elif kind in EXPORT_KINDS:
            unit = None
        else:
            continue
        current = years.get(year, set())
        years[year] = None if unit is None or current is None else current | {unit}
    return {year: sorted(units) if units else [] for year, units in years.items()}


def in_unit_ledger_folder(file: str, unit: str) -> bool:
    """Whether a data-folder file name (as YearFolder.name gives it) lies in ledger/<unit>/."""
    parts = file.split("/")
    return len(parts) > 3 and parts[1] == LEDGER and parts[2] == unit


def year_out_folder(out_dir: Path, year: int) -> Path:
    """out/<year>/: every department's folder of the year, and the run summaries."""
    return out_dir / str(year)


def unit_folder(out_dir: Path, year: int, unit_code: str) -> Path:
    """out/<year>/<unit>/: the department's versions and checks."""
    return year_out_folder(out_dir, year) / unit_code


def version_name(number: int) -> str:
    return f"v{number}"


def version_number(name: str) -> int | None:
    match = _VERSION.match(name)
    return int(match.group(1)) if match else None


def same_content_record(unit_dir: Path) -> Path:
    """Fingerprints of later inputs that rendered the same report as the latest version."""
    return unit_dir / ".same-content.json"


def check_folder(unit_dir: Path, run_label: str) -> Path:
    return unit_dir / "checks" / run_label
