"""Report charts as PNG bytes, drawn with matplotlib's Agg renderer. The only module that imports matplotlib.

Chinese text is set in Noto Sans SC, which comes from the PyPI package `pylopdf-fonts-zh-cn` (a data-only
wheel holding the upstream notofonts/noto-cjk SubsetOTF/SC files, SIL OFL 1.1). It is installed by the
project's own dependencies, so a machine without any CJK system font (CI) draws the same charts as a
desktop. The font file is located with importlib.resources and registered with
`matplotlib.font_manager.fontManager.addfont` the first time a chart (or `cjk_font_name`) is asked for.

Matplotlib's on-disk font cache is left alone: `addfont` only changes the in-memory font list of this
process, so there is no need to point MPLCONFIGDIR anywhere (matplotlib itself falls back to a temporary
folder when the home cache is not writable).

Inputs are plain values: labels in Chinese, amounts already in 万元 (Decimal or float; plotted as float,
labelled by rounding half up like the report text), scores as numbers.

A chart draws no title: the report prints 图<n> and the title in the caption under the picture, so a reader
sees each title once (`Chart.title` and the alt text still carry it). Charts are drawn at 300 dpi, exactly
15 cm wide (the width the report places them at, so their text prints at its own size), with a constrained
layout that keeps every label inside the picture; long names wrap onto as many lines as they need and are
never shortened. Heights grow with the number of rows up to about two thirds of the type area, so a chart
always leaves room on its page for the text that follows it.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

import matplotlib
import matplotlib.image
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from flows.domain.report_context import CHART_TITLES

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"

DPI = 300
WIDTH_IN = 15 / 2.54  # 15 cm: the report places charts 15 cm wide (the type area is 15.6 cm)
MAX_HEIGHT_IN = 5.9  # 15 cm: two thirds of the 22.5 cm type area, so text always follows a chart on its page

# Office-like colours, so the charts sit well in a Word report.
_BLUE = "#2E75B6"
_LIGHT_BLUE = "#9DC3E6"
_GREY = "#D9D9D9"
_TEXT = "#262626"

# matplotlib's rcParams and font list are process-global: one chart at a time.
_LOCK = threading.RLock()
_registered: tuple[str, Path] | None = None


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt_text: str
    title: str


class ChartDataError(ValueError):
    """The chart was given nothing to draw, or a value that is not a finite number."""


# ---------------------------------------------------------------------------- font


def _packaged_font_path() -> Path:
    """The font file inside the installed font package (a real file: wheels install unzipped)."""
    resource = resources.files(FONT_PACKAGE).joinpath(FONT_FILE)
    if not isinstance(resource, Path) or not resource.is_file():
        raise RuntimeError(f"中文字体文件不可用：{FONT_PACKAGE}/{FONT_FILE}（请重新安装项目依赖）")
    return resource.resolve()


def _register_font() -> tuple[str, Path]:
    global _registered
    with _LOCK:
        if _registered is None:
            path = _packaged_font_path()
            manager = font_manager.fontManager
            manager.addfont(str(path))
            # addfont appends, and findfont keeps the first of equally good matches: move our entry to
            # the front so that a system font of the same family name cannot shadow the packaged one.
            # (addfont has just cleared findfont's cache, and nothing has looked this family up since.)
            ours = [entry for entry in manager.ttflist if Path(entry.fname).resolve() == path]
            manager.ttflist[:] = ours + [entry for entry in manager.ttflist if entry not in ours]
            name = font_manager.get_font(str(path)).family_name
            _registered = (name, path)
        return _registered


def cjk_font_name() -> str:
    """The family name the charts use for all text ("Noto Sans SC"); registers the font on first call."""
    return _register_font()[0]


def cjk_font_path() -> Path:
    """The packaged font file registered with matplotlib."""
    return _register_font()[1]


def _rc() -> dict[str, object]:
    name = cjk_font_name()
    return {
        "font.family": [name],
        "font.size": 10,
        "axes.edgecolor": "#595959",
        "axes.labelcolor": _TEXT,
        "text.color": _TEXT,
        "xtick.color": _TEXT,
        "ytick.color": _TEXT,
        "legend.frameon": False,
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
    }


# ---------------------------------------------------------------------------- formatting


def _decimal(value: float | Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ChartDataError(f"不是数值：{value!r}")
    # repr of a float is the shortest decimal that round-trips, i.e. what was meant (money.py does the same).
    number = value if isinstance(value, Decimal) else Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ChartDataError(f"不是有限数值：{value!r}")
    return number


def _two_places(value: float | Decimal) -> str:
    """Two decimals, rounded half up (as the report prints amounts)."""
    return str(_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _points(value: float | Decimal) -> str:
    """A score without needless zeros: 20 → "20", 18.50 → "18.5", 7.125 → "7.13"."""
    rounded = _decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(rounded, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


# A line should not start with closing punctuation, nor end with opening punctuation.
_NO_LINE_START = set("，。、；：？！）》」』”’】〕…%％·—")
_NO_LINE_END = set("（《「『“‘【〔")


def wrap_label(label: str, width: int = 24, max_lines: int | None = None, balanced: bool = False) -> str:
    """Wrap a Chinese label to lines of `width` display columns (a hanzi is 2).

    `balanced` makes the lines about equally long (the fewest lines of at most `width`, then as even as they
    can be), so that no line holds a lone last character. With `max_lines`, a longer label is cut and ends
    with "…" (the charts never do this: they show every name whole; it is in the chart's alt text anyway).
    """
    text = " ".join(label.split())
    if balanced:
        count = len(_wrap(text, width))
        narrower = width
        while narrower > 2 and len(_wrap(text, narrower - 1)) == count:
            narrower -= 1
        lines = _wrap(text, narrower)
    else:
        lines = _wrap(text, width)
    if max_lines is not None and len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and sum(_width(c) for c in last) + 2 > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current, used = "", 0
    for char in text:
        w = _width(char)
        if used + w > width and current:
            if char in _NO_LINE_START:  # keep "”" or "，" with the text it closes
                current, used = current + char, used + w
                continue
            carry = ""
            while current and current[-1] in _NO_LINE_END:
                carry, current = current[-1] + carry, current[:-1]
            lines.append(current)
            current, used = carry, sum(_width(c) for c in carry)
        current, used = current + char, used + w
    if current:
        lines.append(current)
    return lines


# ---------------------------------------------------------------------------- drawing helpers


def _check_items(items: Sequence[tuple], title: str) -> None:
    if not items:
        raise ChartDataError(f"图表“{title}”没有数据")
    for item in items:
        if not isinstance(item[0], str) or not item[0].strip():
            raise ChartDataError(f"图表“{title}”的项目名称为空：{item!r}")


def _height(rows: int, per_row: float, extra: float = 0.7) -> float:
    return min(MAX_HEIGHT_IN, max(1.8, rows * per_row + extra))


def _new_axes(height_in: float):
    # Constrained layout fits the axes inside the figure with every tick label, bar label and the legend.
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # explicit Agg canvas: no pyplot, no GUI backend, no global figure registry
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="x", color="#E7E6E6", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def _legend_on_top(axes) -> None:
    """The legend in one row above the plot (never over the bars); the caption under the picture is the title."""
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=9, borderaxespad=0.3)


def _value_limits(values: Sequence[float], headroom: float = 0.18) -> tuple[float, float]:
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    return (low - headroom * span if low < 0 else 0.0), high + headroom * span


def _png(figure: Figure) -> bytes:
    """The whole figure as PNG, not a tight crop: the picture is exactly WIDTH_IN wide, so it prints at its own size.

    One draw, then the pixels to PNG. `savefig` draws twice when a layout engine is set (a hidden pass to
    place the constrained layout, then the real one); drawing the canvas places the layout and paints in
    the same pass, and writes the same bytes (tests/integration/test_charts.py) in about a tenth less time.
    """
    canvas = figure.canvas
    canvas.draw()
    buffer = io.BytesIO()
    # What savefig's PNG writer does with the drawn canvas. No "Software" chunk (it carries matplotlib's
    # version): same data → same bytes.
    matplotlib.image.imsave(buffer, canvas.buffer_rgba(), format="png", origin="upper", dpi=figure.dpi,
                            metadata={"Software": None})
    figure.clear()  # the figure is not registered with pyplot, so this and dropping it frees everything
    return buffer.getvalue()


def _render(draw, height_in: float) -> bytes:
    with _LOCK, matplotlib.rc_context(_rc()):
        figure, axes = _new_axes(height_in)
        draw(figure, axes)
        return _png(figure)


# ---------------------------------------------------------------------------- charts


def spending_by_class_chart(items: list[tuple[str, float]], title: str = CHART_TITLES["spending_by_class"]) -> Chart:
    """Horizontal bars of spending per economic class (万元), each labelled with two decimals."""
    _check_items(items, title)
    labels = [wrap_label(name, width=20, balanced=True) for name, _ in items]
    values = [float(_decimal(value)) for _, value in items]
    texts = [_two_places(value) for _, value in items]

    def draw(figure: Figure, axes) -> None:
        positions = range(len(items))
        bars = axes.barh(positions, values, height=0.6, color=_BLUE)
        axes.bar_label(bars, labels=texts, padding=3, fontsize=9)
        axes.set_yticks(list(positions), labels)
        axes.set_ylim(len(items) - 0.5, -0.5)  # first item on top, no empty band above or below
        axes.set_xlim(*_value_limits(values))
        axes.set_xlabel("万元")

    png = _render(draw, _height(len(items), 0.4))
    listed = "；".join(f"{name}{text}万元" for (name, _), text in zip(items, texts, strict=True))
    alt = f"{_plain(title)}图，共{len(items)}类：{listed}。"
    return Chart(png=png, alt_text=alt, title=title)


def budget_vs_actual_chart(items: list[tuple[str, float, float]], title: str = CHART_TITLES["budget_vs_actual"]) -> Chart:
    """Per project, a pair of horizontal bars: full-year budget and actual spending (万元)."""
    _check_items(items, title)
    labels = [wrap_label(name, width=30, balanced=True) for name, _, _ in items]
    lines = max(label.count("\n") + 1 for label in labels)
    budgets = [float(_decimal(budget)) for _, budget, _ in items]
    actuals = [float(_decimal(actual)) for _, _, actual in items]
    budget_texts = [_two_places(budget) for _, budget, _ in items]
    actual_texts = [_two_places(actual) for _, _, actual in items]
    # Room per project for its two bars and its name (one to three lines of 9 pt, 1.3 apart). Past the
    # height limit the rows get narrower, and the text smaller (down to 6 pt) so that names still fit.
    extra = 0.9
    height = _height(len(items), max(0.36, 0.165 * lines + 0.06), extra=extra)
    row = (height - extra) / len(items)
    tick_size = max(6, min(9, int((row - 0.06) * 72 / (1.3 * lines))))
    value_size = max(6, tick_size - 1)

    def draw(figure: Figure, axes) -> None:
        bar = 0.38
        centres = list(range(len(items)))
        budget_bars = axes.barh([c - bar / 2 for c in centres], budgets, height=bar, color=_LIGHT_BLUE, label="全年预算")
        actual_bars = axes.barh([c + bar / 2 for c in centres], actuals, height=bar, color=_BLUE, label="实际执行")
        axes.bar_label(budget_bars, labels=budget_texts, padding=2, fontsize=value_size)
        axes.bar_label(actual_bars, labels=actual_texts, padding=2, fontsize=value_size)
        axes.set_yticks(centres, labels, fontsize=tick_size)
        for tick in axes.get_yticklabels():
            tick.set_linespacing(1.3)  # two-line project names need a little air between lines
        axes.set_ylim(len(items) - 0.5, -0.5)  # first item on top, no empty band above or below
        axes.set_xlim(*_value_limits(budgets + actuals))
        axes.set_xlabel("万元")
        _legend_on_top(axes)

    png = _render(draw, height)
    listed = "；".join(
        f"{name}全年预算{budget}万元、实际执行{actual}万元"
        for (name, _, _), budget, actual in zip(items, budget_texts, actual_texts, strict=True)
    )
    alt = f"{_plain(title)}图，共{len(items)}个项目：{listed}。"
    return Chart(png=png, alt_text=alt, title=title)


def score_by_group_chart(items: list[tuple[str, float, float]], title: str = CHART_TITLES["score_by_group"]) -> Chart:
    """Per indicator group, the score drawn over a bar of the group's maximum points."""
    _check_items(items, title)
    labels = [wrap_label(name, width=16, balanced=True) for name, _, _ in items]
    scores = [float(_decimal(score)) for _, score, _ in items]
    maxima = [float(_decimal(maximum)) for _, _, maximum in items]
    score_texts = [_points(score) for _, score, _ in items]
    max_texts = [_points(maximum) for _, _, maximum in items]

    def draw(figure: Figure, axes) -> None:
        positions = list(range(len(items)))
        axes.barh(positions, maxima, height=0.62, color=_GREY, label="分值")
        axes.barh(positions, scores, height=0.36, color=_BLUE, label="得分")
        ends = [max(score, maximum) for score, maximum in zip(scores, maxima, strict=True)]
        for position, end, score, maximum in zip(positions, ends, score_texts, max_texts, strict=True):
            axes.annotate(
                f"{score}/{maximum}", (end, position), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9
            )
        axes.set_yticks(positions, labels)
        axes.set_ylim(len(items) - 0.5, -0.5)  # first item on top, no empty band above or below
        axes.set_xlim(*_value_limits(ends, headroom=0.2))
        axes.set_xlabel("分")
        _legend_on_top(axes)

    png = _render(draw, _height(len(items), 0.42, extra=0.9))
    listed = "；".join(
        f"{name}得{score}分（分值{maximum}分）"
        for (name, _, _), score, maximum in zip(items, score_texts, max_texts, strict=True)
    )
    total_score = _points(sum((_decimal(score) for _, score, _ in items), Decimal(0)))
    total_max = _points(sum((_decimal(maximum) for _, _, maximum in items), Decimal(0)))
    alt = f"{_plain(title)}图，共{len(items)}组指标：{listed}；合计得{total_score}分（分值{total_max}分）。"
    return Chart(png=png, alt_text=alt, title=title)


def _plain(title: str) -> str:
    """The title without trailing sentence punctuation, to start the alt-text sentence with."""
    return title.strip().rstrip("。.；;：:")
