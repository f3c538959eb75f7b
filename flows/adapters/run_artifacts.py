"""What a run shows operators in the Prefect UI: per-unit quality tables and output listings."""

from __future__ import annotations

from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.domain.quality import QualityVerdict


def artifact_slug(unit: str) -> str:
    """A Prefect artifact key part (lowercase letters, digits, dashes) for a validated unit code."""
    return unit.lower().replace("_", "-")


def publish_quality_table(unit: str, unit_name: str, year: int, verdict: QualityVerdict) -> None:
    create_table_artifact(
        key=f"quality-{artifact_slug(unit)}",
        table=[{"rule": r.rule_id, "severity": r.severity, "status": "passed" if r.success else "failed",
                "failing": r.failing_count, "message": r.message} for r in verdict.results],
        description=f"{unit_name} {year} 数据质量规则结果",
    )


def publish_outputs(unit: str, unit_name: str, folder: Path, what: str) -> None:
    create_markdown_artifact(
        key=f"outputs-{artifact_slug(unit)}",
        markdown=f"### {unit_name}（{unit}）{what}\n\n" + "\n".join(f"- `{p}`" for p in sorted(folder.iterdir()) if p.is_file()),
        description=f"{unit_name} outputs",
    )
