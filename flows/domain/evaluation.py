"""Self-evaluation scoring with a configured indicator library (config/indicators/*.yaml). Pure.

Budget indicators take values computed from the ledger and budget (DepartmentMetrics.rates);
产出/效益/满意度 indicators come from the department profile. Scores are exact Decimals;
an indicator without data is dropped and the total re-scaled to 100 (domain.md §1.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import Field, model_validator

from flows.domain.config_schema import ConfigModel
from flows.domain.money import Rounding, format_percent, format_ratio_percent
from flows.domain.profile import Indicator

HUNDRED = Decimal(100)

# The values a library's computed indicators may score (DepartmentMetrics.rates names them).
INDICATOR_VALUES = frozenset({"execution_rate", "adjustment_rate", "staff_control_rate", "public_control_rate",
                              "sangong_control_rate", "carryover_rate", "sangong_change_rate"})


Direction = Literal["higher", "lower"]    # higher: more is better (执行率); lower: less is (控制率)


class ScoreBand(ConfigModel):
    max: Decimal          # the band holds values up to and including this
    points: Decimal


class ScoringRule(ConfigModel):
    """How one computed value scores against its target (direction higher: more is better).

    proportional: points × value ÷ target (lower: target ÷ value), capped at the points;
    deduction: `per_point` off for each percentage point off the target;
    stepped: `per_step` off for each `step` (a width of the rate: 0.05 is 5 个百分点) off the target;
    banded: the points of the first band whose `max` the value does not exceed, else `otherwise`.
    `full_from` gives the full points from a threshold short of the target (higher: value ≥ it;
    lower: value ≤ it); short of it the rule scores as written, measured from the target.
    """

    type: Literal["proportional", "deduction", "stepped", "banded"]
    direction: Direction = "higher"
    full_from: Decimal | None = None
    per_point: Decimal | None = None
    step: Decimal | None = Field(default=None, gt=0)
    per_step: Decimal | None = Field(default=None, ge=0)
    # "started" deducts for a step as soon as the value enters it (99.9 % loses the first 2 points of
    # "每低 5 % 扣 2 分"), so full points stay reserved for reaching the target, as the published rule
    # reads, and a locality that forgives a little says so with full_from. "completed" deducts whole
    # steps only (95.01 % loses nothing), for a locality whose rule counts 满 5 个百分点.
    count: Literal["started", "completed"] = "started"
    bands: tuple[ScoreBand, ...] = ()
    otherwise: Decimal = Decimal(0)

    @model_validator(mode="after")
    def _parameters_of_the_type(self) -> ScoringRule:
        if self.type == "deduction" and self.per_point is None:
            raise ValueError("扣分规则（type: deduction）缺少 per_point（每个百分点扣的分）")
        if self.type == "stepped" and self.step is None:
            raise ValueError("分步扣分规则（type: stepped）缺少 step（每步的宽度，如 0.05 即 5 个百分点）")
        if self.type == "stepped" and self.per_step is None:
            raise ValueError("分步扣分规则（type: stepped）缺少 per_step（每步扣的分）")
        if self.type == "banded" and not self.bands:
            raise ValueError("分档规则（type: banded）缺少 bands（各档上限与分值）")
        # A parameter of another type would be ignored without a word; the locality meant something by it.
        for key in sorted(self.model_fields_set):
            types = _RULE_PARAMETERS.get(key)
            if types is not None and self.type not in types:
                raise ValueError(f"{key} 只用于 type: {' 或 '.join(types)} 的规则，不适用于 type: {self.type}")
        return self


# The rule types each parameter belongs to (type and direction belong to all).
_RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "full_from": ("proportional", "deduction", "stepped"), "per_point": ("deduction",),
    "step": ("stepped",), "per_step": ("stepped",), "count": ("stepped",),
    "bands": ("banded",), "otherwise": ("banded",),
}


class ComputedIndicator(ConfigModel):
    """An indicator scored from a value computed from the ledger and budget."""

    name: str
    level2: str = ""
    points: Decimal = Field(ge=0)
    value: str
    target: Decimal | None = None      # None: the rule's bands say what is expected
    rule: ScoringRule

    @model_validator(mode="after")
    def _known_value_and_a_target_to_score_against(self) -> ComputedIndicator:
        if self.value not in INDICATOR_VALUES:
            raise ValueError(f"value 的值「{self.value}」不是可计算的指标（可用：{'、'.join(sorted(INDICATOR_VALUES))}）")
        if self.rule.type != "banded" and self.target is None:
            raise ValueError(f"评分规则 type: {self.rule.type} 缺少 target（目标值，如 1.0 即 100%）")
        full_from, target = self.rule.full_from, self.target
        if full_from is not None and target is not None and not _reaches(target, full_from, self.rule.direction):
            raise ValueError(f"full_from（{full_from}）比 target（{target}）更难达到：达到 target 已得满分，full_from 不起作用")
        return self


class IndicatorGroup(ConfigModel):
    """A level-1 group: computed indicators, or the profile's indicators of `from_profile` kinds sharing `points`."""

    level1: str
    indicators: tuple[ComputedIndicator, ...] = ()
    points: Decimal | None = Field(default=None, ge=0)
    from_profile: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _points_of_profile_indicators(self) -> IndicatorGroup:
        if self.from_profile and self.points is None:
            raise ValueError(f"一级指标「{self.level1}」取自单位概况（from_profile），但缺少 points（该组总分）")
        if not self.from_profile and not self.indicators:
            raise ValueError(f"一级指标「{self.level1}」既没有 indicators，也没有 from_profile")
        return self

    @property
    def declared_points(self) -> Decimal:
        return sum((i.points for i in self.indicators), Decimal(0)) + (self.points or Decimal(0))


class GradeBand(ConfigModel):
    grade: str
    min: Decimal


class RatePrinting(ConfigModel):
    """How a library prints rates: its indicators' 年度指标值 and 实际完成值, the 自评表's 执行率.

    Printing only: scores are computed from the exact value, so a truncated "99.9%" may score full points.
    """

    decimals: int = Field(default=2, ge=0, le=6)
    rounding: Rounding = "half_up"

    def format(self, numerator: int, denominator: int) -> str:
        """numerator ÷ denominator as a percentage; "—" when the denominator is zero."""
        return format_percent(numerator, denominator, self.decimals, self.rounding)

    def format_ratio(self, value: Decimal | None) -> str:
        """An exact ratio (DepartmentMetrics.rates) as a percentage; "—" for None (no data)."""
        return format_ratio_percent(value, self.decimals, self.rounding)


class IndicatorLibrary(ConfigModel):
    """config/indicators/<name>.yaml: the groups, their points (百分制), the grade bands, how rates print."""

    name: str
    rate_printing: RatePrinting = Field(default_factory=RatePrinting)
    grade_bands: tuple[GradeBand, ...] = Field(min_length=1)
    groups: tuple[IndicatorGroup, ...] = Field(min_length=1)
    reference_values: tuple[str, ...] = ()   # computed and shown, not scored

    @model_validator(mode="after")
    def _hundred_points_and_a_grade_for_every_total(self) -> IndicatorLibrary:
        total = sum((g.declared_points for g in self.groups), Decimal(0))
        if total != HUNDRED:
            raise ValueError(f"各指标分值合计为 {total}，应为 100（百分制）")
        if min(band.min for band in self.grade_bands) > 0:
            raise ValueError("grade_bands 中最低一档的 min 应为 0，否则低分没有等级")
        unknown = sorted(set(self.reference_values) - INDICATOR_VALUES)
        if unknown:
            raise ValueError(f"reference_values 中「{'、'.join(unknown)}」不是可计算的指标")
        return self


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
    total: Decimal | None    # None: not evaluated (a scored group has no indicator)
    grade: str
    unscored_groups: tuple[str, ...] = ()    # 一级指标 the profile gives no indicator for

    def groups(self) -> list[tuple[str, Decimal, Decimal]]:
        """(level1, points, score) per group, in library order."""
        order: dict[str, list[Decimal]] = {}
        for s in self.scores:
            if s.score is not None:
                order.setdefault(s.level1, [Decimal(0), Decimal(0)])
                order[s.level1][0] += s.points
                order[s.level1][1] += s.score
        return [(level1, points, score) for level1, (points, score) in order.items()]


def percent(value: Decimal | None, printing: RatePrinting | None = None) -> str:
    """A rate as the library prints it (default: two decimals, half up); "—" for no data."""
    return (printing or RatePrinting()).format_ratio(value)


def score_rule(rule: ScoringRule, value: Decimal, target: Decimal, points: Decimal) -> Decimal:
    """Score one computed value by its rule: proportional, deduction, stepped or banded."""
    if rule.full_from is not None and _reaches(value, rule.full_from, rule.direction):
        return points
    if rule.type == "proportional":
        if rule.direction == "lower":
            share = Decimal(1) if value <= target else target / value
        else:
            share = value / target if target else Decimal(0)
        return points * min(share, Decimal(1))
    shortfall = max(target - value if rule.direction == "higher" else value - target, Decimal(0))
    if rule.type == "deduction":
        return max(Decimal(0), points - shortfall * HUNDRED * (rule.per_point or Decimal(0)))
    if rule.type == "stepped":
        steps = (shortfall / (rule.step or Decimal(1))).to_integral_value(
            rounding=ROUND_CEILING if rule.count == "started" else ROUND_FLOOR)
        return max(Decimal(0), points - steps * (rule.per_step or Decimal(0)))
    for band in rule.bands:
        if value <= band.max:
            return min(points, band.points)
    return rule.otherwise


def _reaches(value: Decimal, threshold: Decimal, direction: Direction) -> bool:
    """Whether `value` is at or on the good side of `threshold`."""
    return value >= threshold if direction == "higher" else value <= threshold


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


def evaluate_performance(library: IndicatorLibrary, values: Mapping[str, Decimal | None],
                         indicators: Sequence[Indicator]) -> Evaluation:
    """Score every indicator of the library, then the total (re-scaled to 100) and the grade.

    A group the profile gives no indicator for is not scored around: the self-evaluation is
    then 未评价 (no total, no grade), since a grade from the budget indicators alone would
    read as the department's performance.
    """
    scores: list[IndicatorScore] = []
    unscored: list[str] = []
    printing = library.rate_printing
    for group in library.groups:
        for item in group.indicators:
            value = values.get(item.value)
            target = item.target if item.target is not None else Decimal(0)
            score = None if value is None else score_rule(item.rule, value, target, item.points)
            target_text = percent(item.target, printing) if item.target is not None else "见评分规则"
            scores.append(IndicatorScore(group.level1, item.level2, item.name, target_text, percent(value, printing), item.points,
                                         score, "" if value is not None else "无数据，不参与评分"))
        if group.from_profile and group.points is not None:
            members = [i for i in indicators if i.level1 in group.from_profile]
            if not members:
                unscored.append(group.level1)
            shares = share_points(group.points, [Decimal(str(i.weight)) for i in members])
            for indicator, points in zip(members, shares, strict=True):
                scores.append(IndicatorScore(group.level1, indicator.level2, indicator.name,
                                             _number(indicator.target, indicator.unit), _number(indicator.actual, indicator.unit),
                                             points, _profile_score(indicator, points), indicator.deviation))
    applicable = [s for s in scores if s.score is not None]
    possible = sum((s.points for s in applicable), Decimal(0))
    earned = sum((s.score for s in applicable), Decimal(0))
    if unscored:
        return Evaluation(library.name, tuple(scores), None, NOT_EVALUATED, tuple(unscored))
    total = earned / possible * HUNDRED if possible else Decimal(0)
    printed_total = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    grade = next(band.grade for band in library.grade_bands if printed_total >= band.min)
    return Evaluation(library.name, tuple(scores), total, grade)


NOT_EVALUATED = "未评价"


def share_points(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` split by `weights` into shares of whole hundredths that add up to it exactly
    (largest remainder), so the printed 分值 column sums to the printed group total: nine
    indicators share 50 as 5.56 × 5 + 5.55 × 4, not 9 × 5.56 = 50.04."""
    if not weights:
        return []
    cents = int((total * HUNDRED).to_integral_value(rounding=ROUND_HALF_UP))
    whole = sum(weights)
    exact = [Decimal(cents) * w / whole for w in weights]
    shares = [int(e) for e in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: cents - sum(shares)]:
        shares[i] += 1
    return [Decimal(share) / HUNDRED for share in shares]


def points_text(value: Decimal | None) -> str:
    """Points and scores print with two decimals, rounded half up."""
    return "—" if value is None else str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
