"""The year-wide steps before the per-unit line: configuration, reading the exports, fingerprints."""

from __future__ import annotations

import logging
from pathlib import Path

from flows.adapters import project_files
from flows.adapters.catalog import YearFolder
from flows.adapters.data_folder import read_year_sources
from flows.adapters.split_cache import SplitCache
from flows.adapters.unit_exports import YearSources
from flows.domain.errors import InputError
from flows.domain.fingerprint import combine_fingerprints
from flows.domain.reference import Reference
from flows.settings import state_dir

logger = logging.getLogger("jixiao")


def load_configuration(year: int) -> Reference:
    reference = project_files.load_reference(year)
    if reference.codes.fell_back:
        logger.warning("%d 年没有专用代码表，使用最近的较早年度 %s 的代码表", year, reference.codes.folder)
    return reference


def ingest(data_dir: Path, year: int, reference: Reference, units: list[str]) -> YearSources:
    """Read every export once and split it by unit; each unit's rows are parsed by its own task."""
    sources = read_year_sources(data_dir, year, reference, units, SplitCache(state_dir() / "exports"))
    logger.info("读取账簿 %d 个文件，共 %d 行，涉及 %d 个单位",
                len(sources.rows_read), sum(sources.rows_read.values()), len(sources.units))
    labels = {profile.name: profile.label for profile in (*reference.ledger_profiles, *reference.budget_profiles)}
    for file, profile in sorted(sources.formats.items()):
        logger.info("  %s：按「%s」读取", file, labels.get(profile, profile))
    for file, reason in sources.unread:
        logger.warning("  %s：未读取（%s）", file, reason)
    return sources


def ingest_prior(data_dir: Path, year: int, units: list[str]) -> tuple[YearSources, Reference] | None:
    """Last year's inputs and configuration for 同比, when data/<year−1>/ exists; unusable ones
    are reported and left out."""
    if not YearFolder(data_dir, year - 1).path.is_dir():
        return None
    try:
        reference = project_files.load_reference(year - 1)
        return read_year_sources(data_dir, year - 1, reference, units, SplitCache(state_dir() / "exports")), reference
    except InputError as error:
        logger.warning("上年（%d）数据无法使用，报告不显示同比：%s", year - 1, error)
        return None


def units_to_report(sources: YearSources, requested: list[str] | None) -> list[str]:
    """The requested units (all units of the year when none is named), each checked to be in the exports.

    Raises:
        InputError: a requested unit has no ledger rows.
    """
    present = sorted(sources.units)
    for unit in requested or []:
        if unit not in present:
            raise InputError(f"账簿中没有单位 {unit} 的支出分录", file=f"{sources.year}/ledger/{unit}/")
    return list(requested) if requested else present


def fingerprint_units(sources: YearSources, prior: YearSources | None, template: Path) -> dict[str, dict[str, str]]:
    """Per unit, sha256 of everything that shapes its report: its rows of every export (not
    the whole city-wide file, so one unit's correction leaves the others' reports alone),
    its budget, declared totals and profile, last year's (for 同比), the rules, the template, the code."""
    project = project_files.project_fingerprints(template)
    fingerprints = {}
    for unit, unit_sources in sources.units.items():
        parts = {f"input:{file}": digest for file, digest in unit_sources.input_digests().items()}
        last = prior.units.get(unit) if prior else None
        if last is not None:
            parts.update({f"input:{file}": digest for file, digest in last.input_digests().items()})
        parts.update(project)
        fingerprints[unit] = {"fingerprint": combine_fingerprints(parts), **parts}
    return fingerprints
