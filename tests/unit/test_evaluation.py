"""Self-evaluation scoring: rules, re-scaling, grades, and libraries swapped as configuration."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from flows.domain.evaluation import (
    INDICATOR_VALUES,
    NOT_EVALUATED,
    IndicatorLibrary,
    ScoringRule,
    evaluate_performance,
    points_text,
    score_rule,
    share_points,
)
from flows.domain.profile import Indicator

LIBRARIES = Path(__file__).resolve().parents[2] / "config" / "indicators"
D = Decimal


@pytest.mark.parametrize(
    ("rule", "value", "target", "expected"),
    [
        ({"type": "proportional"}, D("0.9961"), D(1), D("9.961")),          # 预算执行率 × 10
        ({"type": "proportional"}, D("1.2"), D(1), D(10)),                  # capped at the points
        ({"type": "proportional", "direction": "lower"}, D("1.25"), D(1), D(8)),  # 反向: target ÷ value
        ({"type": "deduction", "per_point": 0.5, "direction": "lower"}, D("1.04"), D(1), D(8)),   # 4 pp over → −2
        ({"type": "deduction", "per_point": 0.5, "direction": "lower"}, D("0.79"), D(1), D(10)),  # under the cap: full
        ({"type": "deduction", "per_point": 0.4, "direction": "higher"}, D("0.95"), D(1), D(8)),  # 5 % below → −2
        ({"type": "deduction", "per_point": 5, "direction": "lower"}, D("1.5"), D(1), D(0)),      # never below zero
        ({"type": "banded", "bands": [{"max": 0, "points": 5}, {"max": 0.1, "points": 4}], "otherwise": 0}, D("0.05"), D(0), D(4)),
        ({"type": "banded", "bands": [{"max": 0, "points": 5}, {"max": 0.1, "points": 4}], "otherwise": 0}, D("0.563"), D(0), D(0)),
        # full_from: full points from a threshold short of the target; short of it, the rule as written.
        ({"type": "proportional", "full_from": D("0.995")}, D("0.995"), D(1), D(10)),
        ({"type": "proportional", "full_from": D("0.995")}, D("0.9949"), D(1), D("9.949")),
        ({"type": "proportional", "direction": "lower", "full_from": D("1.05")}, D("1.05"), D(1), D(10)),
        ({"type": "proportional", "direction": "lower", "full_from": D("1.05")}, D("1.25"), D(1), D(8)),
        ({"type": "deduction", "per_point": 0.4, "full_from": D("0.98")}, D("0.98"), D(1), D(10)),
        ({"type": "deduction", "per_point": 0.4, "full_from": D("0.98")}, D("0.95"), D(1), D(8)),       # measured from 100 %
        ({"type": "deduction", "per_point": 0.5, "direction": "lower", "full_from": D("1.02")}, D("1.02"), D(1), D(10)),
        ({"type": "deduction", "per_point": 0.5, "direction": "lower", "full_from": D("1.02")}, D("1.04"), D(1), D(8)),
        # stepped: per_step off for each step (started by default) off the target.
        ({"type": "stepped", "step": 0.05, "per_step": 2}, D(1), D(1), D(10)),
        ({"type": "stepped", "step": 0.05, "per_step": 2}, D("1.3"), D(1), D(10)),
        ({"type": "stepped", "step": 0.05, "per_step": 2}, D("0.9999"), D(1), D(8)),     # a step started
        ({"type": "stepped", "step": 0.05, "per_step": 2}, D("0.95"), D(1), D(8)),       # exactly one step
        ({"type": "stepped", "step": 0.05, "per_step": 2}, D("0.9499"), D(1), D(6)),
        ({"type": "stepped", "step": 0.05, "per_step": 2, "count": "completed"}, D("0.9501"), D(1), D(10)),
        ({"type": "stepped", "step": 0.05, "per_step": 2, "count": "completed"}, D("0.95"), D(1), D(8)),
        ({"type": "stepped", "step": 0.05, "per_step": 2, "count": "completed"}, D("0.8999"), D(1), D(6)),
        ({"type": "stepped", "step": 0.05, "per_step": 2}, D("0.1"), D(1), D(0)),        # never below zero
        ({"type": "stepped", "step": 0.05, "per_step": 2, "direction": "lower"}, D("1.07"), D(1), D(6)),
        ({"type": "stepped", "step": 0.05, "per_step": 2, "direction": "lower"}, D("0.7"), D(1), D(10)),
        ({"type": "stepped", "step": 0.05, "per_step": 2, "full_from": D("0.99")}, D("0.991"), D(1), D(10)),
        ({"type": "stepped", "step": 0.05, "per_step": 2, "full_from": D("0.99")}, D("0.989"), D(1), D(8)),
    ],
)
def test_scoring_rules(rule, value, target, expected):
    assert score_rule(ScoringRule.model_validate(rule), value, target, D(10)) == expected


def _indicator(level1, actual, target=100, direction="higher", weight=1):
    return Indicator(level1=level1, level2="数量指标", name=f"{level1}{actual}", unit="个", target=target, actual=actual,
                     direction=direction, weight=weight)


def _library():
    return IndicatorLibrary.model_validate(yaml.safe_load((LIBRARIES / "hunan.yaml").read_text(encoding="utf-8")))


def test_total_grade_and_group_points():
    indicators = [_indicator("产出指标", 100), _indicator("产出指标", 50), _indicator("效益指标", 120),
                  _indicator("满意度指标", 90, direction="lower")]           # 反向: 100 target, 90 actual → full
    evaluation = evaluate_performance(_library(), {"execution_rate": D("0.8")}, indicators)
    groups = {g: (points_text(p), points_text(s)) for g, p, s in evaluation.groups()}
    assert groups == {"预算执行": ("10.00", "8.00"), "产出指标": ("50.00", "37.50"), "效益指标": ("30.00", "30.00"),
                      "满意度指标": ("10.00", "10.00")}
    assert points_text(evaluation.total) == "85.50" and evaluation.grade == "良"


@pytest.mark.parametrize(("output", "total", "grade"), [(100, "90.00", "优"), (80, "80.00", "良"), (50, "65.00", "中"), (10, "45.00", "差")])
def test_grade_bands(output, total, grade):
    indicators = [_indicator("产出指标", output), _indicator("效益指标", 100), _indicator("满意度指标", 100)]
    evaluation = evaluate_performance(_library(), {"execution_rate": D(0)}, indicators)
    assert (points_text(evaluation.total), evaluation.grade) == (total, grade)


def test_missing_data_drops_the_indicator_and_rescales():
    indicators = [_indicator("产出指标", 100), _indicator("效益指标", 100), _indicator("满意度指标", 100)]
    evaluation = evaluate_performance(_library(), {"execution_rate": None}, indicators)
    assert points_text(evaluation.total) == "100.00"
    [budget] = [s for s in evaluation.scores if s.name == "预算执行率"]
    assert budget.score is None and "无数据" in budget.note


def test_another_locality_is_a_configuration_file(sample_inputs, reference):
    from flows.domain.metrics import compute_department_metrics

    profile = sample_inputs.profiles["312001"]
    metrics = compute_department_metrics(sample_inputs.ledger, sample_inputs.budget, profile, reference, 2024)
    scored = {}
    for path in sorted(LIBRARIES.glob("*.yaml")):
        library = IndicatorLibrary.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        evaluation = evaluate_performance(library, metrics.rates(), profile.indicators)
        assert sum(g.declared_points for g in library.groups) == 100, path.name
        scored[path.stem] = (points_text(evaluation.total), evaluation.grade)
    assert scored["hunan"] == ("99.96", "优")
    assert scored["hunan-2017"][0] != scored["hunan"][0], "different weights give a different score"


def test_the_library_names_only_values_the_metrics_compute(sample_inputs, reference):
    from flows.domain.evaluation import INDICATOR_VALUES
    from flows.domain.metrics import compute_department_metrics

    profile = sample_inputs.profiles["312001"]
    metrics = compute_department_metrics(sample_inputs.ledger, sample_inputs.budget, profile, reference, 2024)
    assert set(metrics.rates()) == INDICATOR_VALUES


def test_thirty_output_indicators_print_points_that_add_up_to_the_group_exactly():
    from decimal import Decimal

    from flows.domain.evaluation import points_text, share_points

    shares = share_points(Decimal(50), [Decimal(1)] * 30)
    assert sum(Decimal(points_text(s)) for s in shares) == Decimal("50.00")
    assert {points_text(s) for s in shares} == {"1.67", "1.66"}


def test_no_output_indicators_is_not_evaluated_rather_than_rescaled(reference):
    from flows.domain.evaluation import NOT_EVALUATED, evaluate_performance, points_text

    evaluation = evaluate_performance(reference.evaluation.indicator_library, {"execution_rate": Decimal("0.99")}, [])
    assert evaluation.grade == NOT_EVALUATED and evaluation.total is None and points_text(evaluation.total) == "—"
    assert set(evaluation.unscored_groups) == {"产出指标", "效益指标", "满意度指标"}


def _hunan(**changes):
    data = yaml.safe_load((LIBRARIES / "hunan.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return IndicatorLibrary.model_validate(data)


def _profile(outputs, benefits=3, satisfaction=2, weights=None):
    weights = weights or [1] * outputs
    return ([_indicator("产出指标", 100, weight=w) for w in weights] + [_indicator("效益指标", 100)] * benefits
            + [_indicator("满意度指标", 100)] * satisfaction)


@pytest.mark.parametrize(("value", "points"), [(D(1), "15.00"), (D("0.9961"), "13.00"), (D("0.95"), "13.00"),
                                               (D("0.9499"), "11.00"), (D("0.6"), "0.00")])
def test_the_2017_library_deducts_2_of_its_points_for_each_started_5_percent_below_full_execution(value, points):
    library = IndicatorLibrary.model_validate(yaml.safe_load((LIBRARIES / "hunan-2017.yaml").read_text(encoding="utf-8")))
    [rule] = [i for g in library.groups for i in g.indicators if i.name == "预算完成率"]
    assert (rule.rule.type, rule.rule.step, rule.rule.per_step, rule.points) == ("stepped", D("0.05"), D(2), D(15))
    assert points_text(score_rule(rule.rule, value, rule.target, rule.points)) == points


def test_the_shipped_library_prints_rates_with_two_decimals_half_up():
    library = _library()
    assert (library.rate_printing.decimals, library.rate_printing.rounding) == (2, "half_up")
    assert library.rate_printing == _hunan(rate_printing={}).rate_printing, "the file states the default"
    evaluation = evaluate_performance(library, {"execution_rate": D("0.99966")}, _profile(1))
    [budget] = [s for s in evaluation.scores if s.name == "预算执行率"]
    assert (budget.target, budget.actual) == ("100.00%", "99.97%")


def test_truncated_rates_print_under_100_percent_and_score_from_the_exact_value():
    library = _hunan(rate_printing={"decimals": 1, "rounding": "truncate"})
    evaluation = evaluate_performance(library, {"execution_rate": D("0.9997")}, _profile(1))
    [budget] = [s for s in evaluation.scores if s.name == "预算执行率"]
    assert (budget.target, budget.actual) == ("100.0%", "99.9%")
    assert budget.score == D("9.997") and points_text(budget.score) == "10.00"
    assert library.rate_printing.format(99_999, 100_000) == "99.9%"
    assert _library().rate_printing.format(99_999, 100_000) == "100.00%"
    assert library.rate_printing.format_ratio(None) == library.rate_printing.format(1, 0) == "—"


def test_a_threshold_gives_full_points_to_a_rate_that_prints_below_it():
    groups = yaml.safe_load((LIBRARIES / "hunan.yaml").read_text(encoding="utf-8"))["groups"]
    groups[0]["indicators"][0]["rule"] = {"type": "proportional", "full_from": 0.9995}
    library = _hunan(rate_printing={"decimals": 1, "rounding": "truncate"}, groups=groups)
    [budget] = [s for s in evaluate_performance(library, {"execution_rate": D("0.99951")}, _profile(1)).scores
                if s.name == "预算执行率"]
    assert budget.actual == "99.9%" and budget.score == D(10)


def _printed_points(evaluation):
    return sum((D(points_text(s.points)) for s in evaluation.scores), D(0))


def test_thirty_equal_output_indicators_print_points_that_add_up_to_50_in_the_self_evaluation():
    evaluation = evaluate_performance(_library(), {"execution_rate": D(1)}, _profile(30))
    outputs = [points_text(s.points) for s in evaluation.scores if s.level1 == "产出指标"]
    assert len(outputs) == 30 and sum(map(D, outputs)) == D("50.00")


@pytest.mark.parametrize("outputs", [9, 30])
@pytest.mark.parametrize("library", ["hunan", "hunan-2017"])
def test_every_printed_points_value_of_a_library_adds_up_to_100(outputs, library):
    loaded = IndicatorLibrary.model_validate(yaml.safe_load((LIBRARIES / f"{library}.yaml").read_text(encoding="utf-8")))
    values = dict.fromkeys(INDICATOR_VALUES, D(1)) | {"sangong_change_rate": D(0)}
    evaluation = evaluate_performance(loaded, values, _profile(outputs, benefits=7, satisfaction=3))
    assert all(s.score is not None for s in evaluation.scores)
    assert _printed_points(evaluation) == D("100.00")
    assert sum((points for _, points, _ in evaluation.groups()), D(0)) == D(100)


def test_unequal_weights_share_50_in_printed_parts_that_add_up_to_it():
    shares = share_points(D(50), [D(w) for w in (1, 1, 1, 1, 1, 1, 3)])
    assert [points_text(s) for s in shares] == ["5.56", "5.56", "5.56", "5.55", "5.55", "5.55", "16.67"]
    assert sum(D(points_text(s)) for s in shares) == D("50.00")
    evaluation = evaluate_performance(_library(), {"execution_rate": D(1)}, _profile(7, weights=[1, 1, 1, 1, 1, 1, 3]))
    assert sum(D(points_text(s.points)) for s in evaluation.scores if s.level1 == "产出指标") == D("50.00")


def test_a_profile_without_output_indicators_is_not_evaluated():
    evaluation = evaluate_performance(_library(), {"execution_rate": D(1)}, _profile(0))
    assert evaluation.total is None and evaluation.grade == NOT_EVALUATED
    assert evaluation.unscored_groups == ("产出指标",)
