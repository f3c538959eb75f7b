"""Self-evaluation scoring with a configured indicator library (config/indicators/*.yaml). Pure.

Budget indicators take values computed from the ledger and budget (DepartmentMetrics.rates);
产出/效益/满意度 indicators come from the department profile. Scores are exact Decimals;
an indicator without data is dropped and the total re-scaled to 100 (domain.md §1.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flows.domain.profile import Indicator

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class IndicatorScore:
    level1: str
    level2: str
    name: str
    target: str          # printed 年度指标值
    actual: str          # printed 实际完成值
    points: Decimal
    score: Decimal | None   # None: not applicable (no data)
    note: str = ""       # 偏差原因分析及改进措施


@dataclass(frozen=True, slots=True)
class Evaluation:
    library: str
    scores: tuple[IndicatorScore, ...]
    total: Decimal
    grade: str

    def groups(self) -> list[tuple[str, Decimal, Decimal]]:
        """(level1, points, score) per group, in library order."""
        order: dict[str, list[Decimal]] = {}
        for s in self.scores:
            if s.score is not None:
                order.setdefault(s.level1, [Decimal(0), Decimal(0)])
                order[s.level1][0] += s.points
                order[s.level1][1] += s.score
        return [(level1, points, score) for level1, (points, score) in order.items()]


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(value * HUNDRED).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def score_rule(rule: Mapping[str, Any], value: Decimal, target: Decimal, points: Decimal) -> Decimal:
    """Score one computed value by its rule: proportional, deduction (per percentage point) or banded."""
    kind = rule["type"]
    if kind == "proportional":
        if rule.get("direction", "higher") == "lower":
            share = Decimal(1) if value <= target else target / value
        else:
            share = value / target if target else Decimal(0)
        return points * min(share, Decimal(1))
    if kind == "deduction":
        gap_points = (value - target) * HUNDRED if rule.get("direction", "higher") == "lower" else (target - value) * HUNDRED
        return max(Decimal(0), points - max(gap_points, Decimal(0)) * Decimal(str(rule["per_point"])))
    if kind == "banded":
        for band in rule["bands"]:
            if value <= Decimal(str(band["max"])):
                return min(points, Decimal(str(band["points"])))
        return Decimal(str(rule.get("otherwise", 0)))
    raise ValueError(f"unknown scoring rule {kind!r}")


def _profile_score(indicator: Indicator, points: Decimal) -> Decimal:
    """正向: actual ÷ target × points; 反向: target ÷ actual × points; both capped at the points."""
    target, actual = Decimal(str(indicator.target)), Decimal(str(indicator.actual))
    if indicator.direction == "higher":
        share = actual / target if target else Decimal(1)
    else:
        share = target / actual if actual else Decimal(1)
    return points * min(share, Decimal(1))


def _number(value: float, unit: str) -> str:
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return f"{text}{unit}"


def evaluate_performance(library: Mapping[str, Any], values: Mapping[str, Decimal | None],
                         indicators: Sequence[Indicator]) -> Evaluation:
    """Score every indicator of the library, then the total (re-scaled to 100) and the grade."""
    scores: list[IndicatorScore] = []
    for group in library["groups"]:
        for item in group.get("indicators", []):
            value = values.get(item["value"])
            points = Decimal(str(item["points"]))
            target = Decimal(str(item.get("target", 0)))
            score = None if value is None else score_rule(item["rule"], value, target, points)
            target_text = percent(target) if "target" in item else "见评分规则"
            scores.append(IndicatorScore(group["level1"], item.get("level2", ""), item["name"], target_text,
                                         percent(value), points, score, "" if value is not None else "无数据，不参与评分"))
        if "from_profile" in group:
            members = [i for i in indicators if i.level1 in group["from_profile"]]
            weights = sum(Decimal(str(i.weight)) for i in members)
            for indicator in members:
                points = Decimal(str(group["points"])) * Decimal(str(indicator.weight)) / weights
                scores.append(IndicatorScore(group["level1"], indicator.level2, indicator.name,
                                             _number(indicator.target, indicator.unit), _number(indicator.actual, indicator.unit),
                                             points, _profile_score(indicator, points), indicator.deviation))
    applicable = [s for s in scores if s.score is not None]
    possible = sum((s.points for s in applicable), Decimal(0))
    earned = sum((s.score for s in applicable), Decimal(0))
    total = earned / possible * HUNDRED if possible else Decimal(0)
    printed_total = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    grade = next(band["grade"] for band in library["grade_bands"] if printed_total >= Decimal(str(band["min"])))
    return Evaluation(library["name"], tuple(scores), total, grade)


def points_text(value: Decimal | None) -> str:
    """Points and scores print with two decimals, rounded half up."""
    return "—" if value is None else str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
