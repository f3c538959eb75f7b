"""Read the project's own configuration files (config/, expectations/, templates/)."""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import yaml

from flows.domain.attachment_layout import AttachmentLayout
from flows.domain.config_schema import validated
from flows.domain.errors import ConfigError
from flows.domain.evaluation import IndicatorLibrary
from flows.domain.final_accounts import layout_from_config
from flows.domain.reference import CodeLists, EvaluationConfig, ExportFormatsConfig, Reference, build_reference
from flows.domain.review import ReviewConfig
from flows.domain.schedule import ExecutionConfig, Schedule, ScheduleConfig


def project_root() -> Path:
    """The checkout that holds config/, expectations/ and templates/ (overridable for installs)."""
    override = os.environ.get("JIXIAO_PROJECT_ROOT")
    return Path(override) if override else Path(__file__).resolve().parents[2]


def default_template() -> Path:
    """templates/report.docx: the Word template every report is rendered from."""
    return project_root() / "templates" / "report.docx"


def _read_csv(path: Path, columns: tuple[str, ...], root: Path) -> list[dict[str, str]]:
    """A code-list CSV of the project; a missing file or column is the project's own fault."""
    shown = path.relative_to(root).as_posix()
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"代码表无法读取：{error}", file=shown) from None
    lacking = [c for c in columns if rows and c not in rows[0]]
    if lacking:
        raise ConfigError(f"代码表缺少列 {'、'.join(lacking)}", file=shown)
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in rows]


def code_list_years(root: Path | None = None) -> list[int]:
    base = (root or project_root()) / "config" / "code_lists"
    return sorted(int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit()) if base.is_dir() else []


def load_code_lists(year: int, root: Path | None = None) -> CodeLists:
    """Code lists of `year`, or of the nearest earlier year that has them (codes change rarely).

    Raises:
        ConfigError: no list for `year` or any earlier year, or a list file is unreadable.
    """
    root = root or project_root()
    years = [y for y in code_list_years(root) if y <= year]
    if not years:
        raise ConfigError(f"没有 {year} 年或更早年度的代码表；请在 config/code_lists/{year}/ 中放入该年度的代码表",
                          file="config/code_lists")
    folder = root / "config" / "code_lists" / str(years[-1])
    economic = _read_csv(folder / "economic.csv", ("code", "name"), root)
    funds = _read_csv(folder / "fund_sources.csv", ("code", "name", "fiscal"), root)
    gov = _read_csv(folder / "gov_economic.csv", ("code", "name"), root) if (folder / "gov_economic.csv").exists() else []
    crosswalk = (_read_csv(folder / "economic_crosswalk.csv", ("dept_code", "gov_code"), root)
                 if (folder / "economic_crosswalk.csv").exists() else [])
    return CodeLists(
        year=years[-1],
        # Ledgers post to 款 (five-digit) codes; the three-digit 类 codes are headings.
        economic={row["code"]: row["name"] for row in economic if len(row["code"]) == 5},
        economic_classes={row["code"]: row["name"] for row in economic if len(row["code"]) == 3},
        functional={row["code"]: row["name"] for row in _read_csv(folder / "functional.csv", ("code", "name"), root)},
        fund_sources={row["code"]: row["name"] for row in funds},
        fiscal_fund_sources=frozenset(row["code"] for row in funds if row["fiscal"].lower() == "true"),
        requested_year=year,
        folder=folder.relative_to(root).as_posix(),
        gov_economic={row["code"]: row["name"] for row in gov},
        crosswalk={row["dept_code"]: row["gov_code"] for row in crosswalk},
    )


def _read_yaml(path: Path, root: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"配置文件无法读取：{error}", file=path.relative_to(root).as_posix()) from None


def load_reference(year: int, root: Path | None = None) -> Reference:
    """All configuration for one fiscal year.

    Raises:
        ConfigError: a configuration file is missing, not valid YAML, or malformed.
    """
    base = root or project_root()

    def read_yaml(path: Path):
        return _read_yaml(path, base)

    formats = validated(ExportFormatsConfig, read_yaml(base / "config" / "export_formats.yaml"),
                        "config/export_formats.yaml")
    evaluation = validated(EvaluationConfig, read_yaml(base / "config" / "evaluation.yaml"), "config/evaluation.yaml")
    library_file = f"config/indicators/{evaluation.indicator_library}.yaml"
    if not (base / library_file).is_file():
        raise ConfigError(f"indicator_library 的值「{evaluation.indicator_library}」没有对应的指标库文件 {library_file}",
                          file="config/evaluation.yaml")
    library = validated(IndicatorLibrary, read_yaml(base / library_file), library_file)
    attachments_file = f"config/attachments/{evaluation.attachment_layout}.yaml"
    if not (base / attachments_file).is_file():
        raise ConfigError(f"attachment_layout 的值「{evaluation.attachment_layout}」没有对应的附件版式文件 {attachments_file}",
                          file="config/evaluation.yaml")
    attachments = validated(AttachmentLayout, read_yaml(base / attachments_file), attachments_file)
    layout_file = base / "config" / "final_accounts.yaml"
    layout = layout_from_config(read_yaml(layout_file)) if layout_file.exists() else None
    return build_reference(formats, evaluation, load_code_lists(year, base), library, attachments, final_accounts=layout,
                           review=load_review_settings(base))


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


def load_review_settings(root: Path | None = None) -> ReviewConfig:
    """config/review.yaml (defaults when absent: review required, a served run waits 72 hours).

    Raises:
        ConfigError: the file is unreadable or malformed.
    """
    base = root or project_root()
    path = base / "config" / "review.yaml"
    return validated(ReviewConfig, _read_yaml(path, base), "config/review.yaml") if path.exists() else ReviewConfig()


def load_schedule(root: Path | None = None) -> Schedule:
    """config/schedule.yaml: cron, timezone, event name and the local server address.

    Raises:
        ConfigError: the file is unreadable or malformed (naming the key and the value).
    """
    base = root or project_root()
    return validated(ScheduleConfig, _read_yaml(base / "config" / "schedule.yaml", base), "config/schedule.yaml").schedule()


def load_execution(root: Path | None = None) -> dict:
    """config/execution.yaml: Dask scheduler address and local pool size (defaults when absent).

    Raises:
        ConfigError: the file is unreadable or malformed (naming the key and the value).
    """
    base = root or project_root()
    path = base / "config" / "execution.yaml"
    data = (_read_yaml(path, base) if path.exists() else None) or {}
    return validated(ExecutionConfig, data, "config/execution.yaml").model_dump()
