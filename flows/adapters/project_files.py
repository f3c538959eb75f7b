"""Read the project's own configuration files (config/, expectations/, templates/)."""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import yaml

from flows.domain.errors import InputError
from flows.domain.reference import CodeLists, Reference, build_reference
from flows.domain.schedule import Schedule


def project_root() -> Path:
    """The checkout that holds config/, expectations/ and templates/ (overridable for installs)."""
    override = os.environ.get("JIXIAO_PROJECT_ROOT")
    return Path(override) if override else Path(__file__).resolve().parents[2]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_code_lists(year: int, root: Path | None = None) -> CodeLists:
    """Code lists of `year`, or of the latest earlier year that has them (codes change rarely)."""
    base = (root or project_root()) / "config" / "code_lists"
    years = sorted(int(p.name) for p in base.iterdir() if p.name.isdigit() and int(p.name) <= year)
    if not years:
        raise InputError(f"没有 {year} 年或更早年度的代码表", file=str(base.relative_to(base.parents[1])))
    folder = base / str(years[-1])
    economic = _read_csv(folder / "economic.csv")
    funds = _read_csv(folder / "fund_sources.csv")
    return CodeLists(
        year=years[-1],
        # Ledgers post to 款 (five-digit) codes; the three-digit 类 codes are headings.
        economic={row["code"]: row["name"] for row in economic if len(row["code"]) == 5},
        economic_classes={row["code"]: row["name"] for row in economic if len(row["code"]) == 3},
        functional={row["code"]: row["name"] for row in _read_csv(folder / "functional.csv")},
        fund_sources={row["code"]: row["name"] for row in funds},
        fiscal_fund_sources=frozenset(row["code"] for row in funds if row["fiscal"].strip().lower() == "true"),
    )


def load_reference(year: int, root: Path | None = None) -> Reference:
    """All configuration for one fiscal year."""
    base = root or project_root()
    formats = yaml.safe_load((base / "config" / "export_formats.yaml").read_text(encoding="utf-8"))
    evaluation = yaml.safe_load((base / "config" / "evaluation.yaml").read_text(encoding="utf-8"))
    library_file = base / "config" / "indicators" / f"{evaluation['indicator_library']}.yaml"
    library = yaml.safe_load(library_file.read_text(encoding="utf-8"))
    return build_reference(formats, evaluation, load_code_lists(year, base), library)


def _tree_sha(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def project_fingerprints(template: Path) -> dict[str, str]:
    """Fingerprints of what the project itself contributes to a report: rules, config, template, code."""
    root = project_root()
    return {
        "rules": _tree_sha(list((root / "expectations").glob("*.json")), root),
        "config": _tree_sha([p for p in (root / "config").rglob("*") if p.is_file()], root),
        "template": hashlib.sha256(template.read_bytes()).hexdigest(),
        "code": _tree_sha(list((root / "flows").rglob("*.py")), root),
    }


def load_schedule(root: Path | None = None) -> Schedule:
    """config/schedule.yaml: cron, timezone, event name and the local server address."""
    data = yaml.safe_load(((root or project_root()) / "config" / "schedule.yaml").read_text(encoding="utf-8"))
    return Schedule(cron=data["cron"], timezone=data["timezone"], event=data["event"],
                    server_host=data["server"]["host"], server_port=int(data["server"]["port"]))


def load_execution(root: Path | None = None) -> dict:
    """config/execution.yaml: Dask scheduler address and local pool size."""
    path = (root or project_root()) / "config" / "execution.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    return {"dask_address": "", "local_workers": 0, **(data or {})}
