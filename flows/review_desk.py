"""The reviewer's commands: list the drafts awaiting review, approve one (then it is sent), return one.

Thin: reads version folders through the catalog, decides with flows/domain/review.py, records
the decision in the version's manifest and, on approval, delivers as a run would.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flows.adapters import catalog, output_folder
from flows.adapters.data_folder import read_profiles
from flows.domain.review import DRAFT, RETURNED, ReviewError, decide, review_state


@dataclass(frozen=True, slots=True)
class AwaitingReview:
    unit_code: str
    unit_name: str
    version: Path
    score: str
    grade: str
    warnings: int
    changes: int
    answers_return: str          # the comment of the returned version this draft follows, if any


def awaiting_review(out_dir: Path, year: int, units: list[str] | None = None) -> list[AwaitingReview]:
    """The latest version of each unit when it is a draft, in unit order."""
    found = []
    year_folder = catalog.year_out_folder(out_dir, year)
    for unit_dir in sorted(p for p in year_folder.iterdir() if p.is_dir()) if year_folder.is_dir() else []:
        if units and unit_dir.name not in units:
            continue
        manifest = output_folder.latest_manifest(unit_dir)
        if manifest is None or review_state(manifest) != DRAFT:
            continue
        evaluation = manifest.get("evaluation") or {}
        returned = (manifest.get("review") or {}).get("answers_return") or {}
        found.append(AwaitingReview(
            unit_dir.name, manifest.get("unit_name", ""), unit_dir / manifest["version"], evaluation.get("total", "—"),
            evaluation.get("grade", "—"), len(manifest.get("quality", {}).get("warnings", [])),
            len((manifest.get("revision") or {}).get("changed_figures", [])),
            f"{returned.get('version', '')} 退回意见：{returned.get('comment', '')}" if returned else ""))
    return found


def version_folder(out_dir: Path, year: int, unit: str, version: str | None) -> Path:
    """The version to decide on: the one named, else the unit's latest.

    Raises:
        ReviewError: the unit or the version does not exist.
    """
    unit_dir = catalog.unit_folder(out_dir, year, unit)
    numbers = output_folder.versions(unit_dir)
    if not numbers:
        raise ReviewError(f"{unit_dir} 中没有 {unit} 的报告版本（{year} 年度）")
    name = version or catalog.version_name(numbers[-1])
    if catalog.version_number(name) not in numbers:
        existing = "、".join(catalog.version_name(n) for n in numbers)
        raise ReviewError(f"{unit} 没有版本 {name}（现有：{existing}）")
    return unit_dir / name


def record_decision(folder: Path, decision: Literal["通过", "退回"], by: str, comment: str) -> dict:
    """Decide on one version under its unit's lock (a run cannot publish meanwhile); returns the new manifest.

    Raises:
        ReviewError: the decision cannot be taken (see flows.domain.review.decide).
    """
    with output_folder.unit_lock(folder.parent):
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        latest = output_folder.versions(folder.parent)[-1]
        if decision != RETURNED and catalog.version_number(folder.name) != latest:
            raise ReviewError(f"{folder.name} 不是最新版本（最新为 {catalog.version_name(latest)}），只能审核最新版本")
        decided = decide(manifest, decision, by, comment, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                         output_folder.file_checksums(folder))
        output_folder.rewrite_manifest(folder, decided)
    return decided


def deliver_approved(folder: Path, data_dir: Path, year: int, unit: str) -> tuple[str, ...]:
    """Send an approved version to the recipients its unit's profile names (as a run would)."""
    from flows.unit_pipeline import PLAIN_STAGES, send_safely

    profiles, _ = read_profiles(catalog.year_folder(data_dir, year))
    if unit not in profiles:
        return (f"数据目录中没有 {unit} 的单位信息文件，未发送；下次运行时发送",)
    return send_safely(PLAIN_STAGES, folder, profiles[unit])


def is_draft(folder: Path) -> bool:
    path = folder / "manifest.json"
    return path.exists() and review_state(json.loads(path.read_text(encoding="utf-8"))) == DRAFT
