"""The attachments of one report: the layout drawn with the registry's figures, checked against the body. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from flows.domain.attached_tables import (
    AttachmentAmounts,
    DrawingInputs,
    DrawnTable,
    IndicatorLine,
    UnknownFigureError,
    draw_tables,
    printed_sums,
)
from flows.domain.attachment_layout import SOURCE_NAMES, AttachmentLayout
from flows.domain.errors import ConfigError
from flows.domain.evaluation import Evaluation
from flows.domain.figures import FigureRegistry, score_key
from flows.domain.money import format_wan
from flows.domain.profile import DepartmentProfile


def report_attachments(layout: AttachmentLayout, layout_file: str, profile: DepartmentProfile, evaluation: Evaluation,
                       amounts: AttachmentAmounts, figures: FigureRegistry, year: int) -> tuple[DrawnTable, ...]:
    """附件1, 附件2 … as the locality's layout draws them, once they agree with the body.

    Raises:
        ConfigError: a layout cell names an unknown figure, or a measure the layout ties to a body
            figure sums to another amount (two definitions of one thing in the configuration).
    """
    disagreements = body_disagreements(layout, amounts, figures)
    if disagreements:
        raise ConfigError("附件与正文的同一数字口径不一致：" + "；".join(disagreements)
                          + "。请核对附件版式的 measures 与 config/evaluation.yaml 的口径", file=layout_file)
    try:
        return draw_tables(layout, drawing_inputs(layout, profile, evaluation, amounts, figures, year))
    except UnknownFigureError as unknown:
        raise ConfigError(f"附件版式的单元格引用了不存在的数字「{unknown.args[0]}」（可用的数字见 templates/README.md）",
                          file=layout_file) from None


def body_disagreements(layout: AttachmentLayout, amounts: AttachmentAmounts, figures: FigureRegistry) -> list[str]:
    """Each measure the layout ties to a body figure (`body:`) whose exact amount differs from it."""
    found = []
    for name, measure in layout.measures.items():
        current = amounts.current.measures[name]
        for source, key in measure.body.items():
            if key not in figures:
                found.append(f"「{name}」对应的正文数字「{key}」不存在")
                continue
            body = figures[key]
            mine = current.column(source)
            if mine is not None and body.fen is not None and mine != body.fen:
                found.append(f"附件「{name}」的{SOURCE_NAMES[source]}为 {format_wan(mine)} 万元，"
                             f"正文「{body.label}」为 {format_wan(body.fen)} 万元")
    return found


def drawing_inputs(layout: AttachmentLayout, profile: DepartmentProfile, evaluation: Evaluation, amounts: AttachmentAmounts,
                   figures: FigureRegistry, year: int) -> DrawingInputs:
    text = figures.text
    indicators = tuple(
        IndicatorLine(
            {"level1": s.level1, "level2": s.level2, "name": s.name, "note": s.note or "",
             **{column: text(score_key(index, column)) for column in ("target", "actual", "points", "score")}},
            {column: score_key(index, column) for column in ("target", "actual", "points", "score")},
        )
        for index, s in enumerate(evaluation.scores)
    )
    texts: Mapping[str, str] = {"annual_goals.expected": profile.annual_goals.expected,
                                "annual_goals.achieved": profile.annual_goals.achieved, "frugality": profile.frugality}
    return DrawingInputs(figures.printed(), texts, indicators, amounts.current.projects,
                         {"unit": profile.name, "year": str(year), "prior_year": str(year - 1)},
                         tuple(printed_sums(layout, amounts)))
