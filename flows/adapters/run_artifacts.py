"""What a run shows operators in the Prefect UI: per-unit quality tables and output listings.

In Chinese, failures first (严重 → 警告 → 提示), keyed by year and unit so years never mix,
with paths relative to the output folder (the server's own folders say nothing to a reader).
"""

from __future__ import annotations

from pathlib import Path

from flows.domain.quality import QualityVerdict
from flows.domain.quality_report import SEVERITY_ZH

_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def artifact_slug(unit: str) -> str:
    """A Prefect artifact key part (lowercase letters, digits, dashes) for a validated unit code."""
    return unit.lower().replace("_", "-")


def artifact_key(kind: str, year: int, unit: str) -> str:
    return f"{kind}-{year}-{artifact_slug(unit)}"


def publish_quality_table(unit: str, unit_name: str, year: int, verdict: QualityVerdict) -> None:
    # Imported here: a run that finds nothing to do never starts Prefect (flows.up_to_date).
    from prefect.artifacts import create_table_artifact

    ordered = sorted(verdict.results, key=lambda r: (r.success, _SEVERITY_ORDER.get(r.severity, 9), r.rule_id))
    create_table_artifact(
        key=artifact_key("quality", year, unit),
        table=[{"规则": r.rule_id, "严重程度": SEVERITY_ZH.get(r.severity, r.severity),
                "结果": "通过" if r.success else "未通过", "问题数": r.failing_count, "说明": r.message} for r in ordered],
        description=f"{unit_name}（{unit}）{year} 年度数据质量规则结果",
    )


def publish_outputs(unit: str, unit_name: str, year: int, folder: Path, out_dir: Path, what: str) -> None:
    from prefect.artifacts import create_markdown_artifact

    shown = folder.relative_to(out_dir) if folder.is_relative_to(out_dir) else Path(folder.name)
    files = "\n".join(f"- `{(shown / p.name).as_posix()}`" for p in sorted(folder.iterdir()) if p.is_file())
    create_markdown_artifact(
        key=artifact_key("outputs", year, unit),
        markdown=f"### {unit_name}（{unit}）{year} 年度：{what}\n\n输出目录下的文件：\n\n{files}",
        description=f"{unit_name} {year} 年度输出文件",
    )
