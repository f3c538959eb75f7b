"""The manifest written beside each report version: what went in, what came out, what was printed."""

from __future__ import annotations

from collections.abc import Mapping

from flows.domain.figures import FigureRegistry
from flows.domain.metrics import DepartmentMetrics
from flows.domain.quality import QualityVerdict


def build_manifest(
    metrics: DepartmentMetrics, figures: FigureRegistry, unit_name: str, year: int, verdict: QualityVerdict,
    fingerprint: Mapping[str, str], row_accounting: Mapping[str, Mapping[str, int]], files: Mapping[str, str],
    created_at: str,
) -> dict[str, object]:
    """Input fingerprints, row accounting, quality summary, printed figures and output checksums.

    `figures` holds every figure the report printed (label → fen and printed text), so the
    修订说明 built from two manifests lists every printed figure that changed.
    """
    return {
        "unit_code": metrics.unit_code,
        "unit_name": unit_name,
        "fiscal_year": year,
        "created_at": created_at,
        "fingerprint": fingerprint["fingerprint"],
        "inputs": {k: v for k, v in fingerprint.items() if k != "fingerprint"},
        "row_accounting": dict(row_accounting),
        "quality": {
            **verdict.summary(),
            "warnings": [{"rule_id": r.rule_id, "message": r.message, "count": r.failing_count} for r in verdict.warnings],
        },
        "figures": figures.manifest_figures(),
        "files": dict(files),
    }
