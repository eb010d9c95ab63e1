"""Charts for the report, drawn with matplotlib and returned as SVG markup.

Each function takes plain pandas objects and returns an ``<svg>`` element ready to be
inlined in HTML (no XML prolog). The output is meant to be stable and portable:

- text is drawn as paths (``svg.fonttype = "path"``) in DejaVu Sans, which ships with
  matplotlib and covers Vietnamese, so a chart looks the same in every browser and printer,
  with or without fonts installed;
- ids are derived from a fixed hash salt and no date or creator is written, so the same data
  give byte-identical SVG (reports can be diffed and tested);
- colours come from the Okabe-Ito palette, which stays distinguishable with the common
  colour-vision deficiencies, and series also differ by marker where points are drawn;
- figures are 160 mm wide, the text column of an A4 page with 18-25 mm margins.

Only the object-oriented API is used (``matplotlib.figure.Figure``, no ``pyplot``): the
process-wide backend is left alone, which matters when the library runs inside a notebook
or a web server. Missing values are skipped; when nothing is left to draw the chart says
"No data" instead of raising, so a report on a small or partial survey still renders.
"""

from __future__ import annotations

import io
import math
import textwrap
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.text import Text

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe & Ito (2008), "Color Universal Design", ordered for contrast between neighbours.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
# Segment labels on these fills read better in black than in white.
_LIGHT_FILLS = frozenset({"#E69F00", "#56B4E9", "#F0E442", "#CC79A7"})
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
WIDTH_INCHES = 160 / 25.4
_REFERENCE_COLOUR = "#555555"
_GRID_COLOUR = "#DDDDDD"
# Behind value labels, so that a reference line or grid line does not run through them.
_LABEL_BOX: dict[str, Any] = {
    "boxstyle": "square,pad=0.15",
    "facecolor": "white",
    "edgecolor": "none",
    "alpha": 0.85,
}
_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "ecocluster",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.8,
    "axes.axisbelow": True,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
}
# None removes the entry: no date (reproducible output), no creator or format boilerplate.
_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}


@contextmanager
def _figure(height: float, title: str = "") -> Iterator[Figure]:
    """A figure of the report's width, drawn and saved under the report's style."""
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, height), layout="constrained")
        if title:
            figure.suptitle(_text(title), fontsize=10, fontweight="bold")
        yield figure


def _svg(figure: Figure) -> str:
    """The figure as an ``<svg>`` element (call inside `_figure`, which sets the style)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=_METADATA)
    text = buffer.getvalue()
    return text[text.index("<svg") :].strip() + "\n"


def figure_svg(draw: Callable[[], Figure]) -> str:
    """``draw()`` under the report's style, as an ``<svg>`` element for a `FigureBlock`."""
    with matplotlib.rc_context(_STYLE):
        return _svg(draw())


def write_figure(draw: Callable[[], Figure], path: str | Path) -> Path:
    """Write ``draw()`` to ``.svg`` or ``.png`` (150 dpi) by the suffix of `path`, whole or
    not at all; any other suffix is refused before anything is drawn."""
    from ecocluster.errors import InputError
    from ecocluster.output import write_file

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise InputError(
            f"cannot write a figure as {suffix or 'a file without suffix'!r}; use .svg or .png",
            file=str(target),
            rule="format",
        )
    with matplotlib.rc_context(_STYLE):
        figure = draw()
        if suffix == ".svg":
            text = _svg(figure)

            def save(temporary: Path) -> None:
                temporary.write_text(text, encoding="utf-8")

        else:

            def save(temporary: Path) -> None:
                with matplotlib.rc_context(_STYLE):
                    figure.savefig(temporary, format="png", dpi=150, metadata={"Software": None})

        return write_file(target, save)


def _text(value: object) -> str:
    """A label as matplotlib should draw it: NFC (composed letters place their marks
    correctly when drawn as glyph paths) and with ``$`` shown literally, not as math."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return unicodedata.normalize("NFC", str(value)).replace("$", r"\$")


def _wrapped(value: object, width: int) -> str:
    return "\n".join(textwrap.wrap(_text(value), width=width, break_long_words=False)) or " "


def _numbers(values: pd.Series | pd.DataFrame) -> Any:
    """Values as floats; anything that is not a number becomes NaN."""
    if isinstance(values, pd.DataFrame):
        return values.apply(pd.to_numeric, errors="coerce").astype(float)
    return pd.to_numeric(values, errors="coerce").astype(float)


def _decimals(values: np.ndarray[Any, Any], decimals: int | None) -> int:
    if decimals is not None:
        return decimals
    finite = values[np.isfinite(values)]
    return 0 if np.all(np.equal(np.round(finite), finite)) else 1


def _format(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}" if math.isfinite(value) else ""


def _empty(message: str = "No data", title: str = "") -> str:
    """A short figure that says there is nothing to show."""
    with _figure(1.2, title) as figure:
        axes = figure.add_subplot()
        axes.set_axis_off()
        axes.text(0.5, 0.5, message, ha="center", va="center", color=_REFERENCE_COLOUR)
        return _svg(figure)


def _legend_above(axes: Axes, count: int) -> None:
    axes.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncols=min(count, 4),
        handlelength=1.2,
        columnspacing=1.2,
        borderaxespad=0.2,
    )


def _value_axis(axis: Axis, integers: bool = False) -> None:
    """Plain tick labels with thousands separators (no offset or 1e6 notation); whole
    numbers only when the data are counts."""
    if integers:
        axis.set_major_locator(ticker.MaxNLocator(integer=True))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.10g}"))


class _PlainLogLocator(ticker.Locator):
    """Ticks for a log axis that always leave a few labels to read.

    Decades (1, 10, 100) over a wide range; over a narrow one the multiples 1, 2, 5 of a
    decade, then 1, 2, 3, 5, then every digit; over a range too narrow for those (150 to
    190, say), evenly spaced round numbers as on a linear axis.
    """

    _SUBS = ((1.0,), (1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 5.0), tuple(float(d) for d in range(1, 10)))

    def __call__(self) -> Any:
        if self.axis is None:
            return []
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float) -> Any:
        low, high = sorted((float(vmin), float(vmax)))
        if not (math.isfinite(low) and math.isfinite(high)) or high <= 0:
            return np.array([])
        low = low if low > 0 else high / 10
        slack = 1e-9
        decades = np.arange(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for subs in self._SUBS:
            ticks = np.array([sub * 10.0**k for k in decades for sub in subs])
            inside = ticks[(ticks >= low * (1 - slack)) & (ticks <= high * (1 + slack))]
            if len(inside) >= 3:
                # No more than about eight labels: every second (third, ...) decade.
                return inside[:: math.ceil(len(inside) / 8)] if len(subs) == 1 else inside
        steps = [1, 2, 2.5, 5, 10]
        linear = np.asarray(ticker.MaxNLocator(nbins=5, steps=steps).tick_values(low, high))
        return linear[(linear > 0) & (linear >= low * (1 - slack)) & (linear <= high * (1 + slack))]


def _plain_log_axis(axes: Axes, axis: str = "x") -> None:
    """Log scale with plain tick labels (1,000 rather than 10³), easier for most readers,
    and at least two or three of them however narrow the range (`_PlainLogLocator`)."""
    target = axes.xaxis if axis == "x" else axes.yaxis
    if axis == "x":
        axes.set_xscale("log")
    else:
        axes.set_yscale("log")
    target.set_major_locator(_PlainLogLocator())
    _value_axis(target)
    target.set_minor_formatter(ticker.NullFormatter())


def _label_room(height: float) -> float:
    """Inches a vertical axis label may take in a figure `height` inches tall: the height
    less the title, legend and tick labels' share, which it must not run into."""
    return max(0.8, 0.85 * height - 0.2)


def _fit_axis_label(figure: Figure, label: Text, room: float) -> None:
    """Wrap an axis label (at most 40 characters a line) and, if it is still longer than
    `room` (its axis's length in the figure, in inches), wrap it narrower and then shrink
    it, so that it is never cut off at the figure's edges."""
    text = label.get_text()
    if not text.strip():
        return
    vertical = label.get_rotation() % 180 == 90
    length = 0.0
    for width in (40, 32, 26, 20):
        label.set_text(_wrapped(text, width))
        extent = label.get_window_extent()
        length = (extent.height if vertical else extent.width) / figure.dpi
        if length <= room:
            return
    label.set_fontsize(float(label.get_fontsize()) * max(0.6, room / length))


def grouped_bar_svg(
    frame: pd.DataFrame,
    *,
    ylabel: str,
    ylim: tuple[float, float] | None = None,
    reference_line: float | None = None,
    reference_label: str = "",
    value_labels: bool = True,
    decimals: int | None = None,
    title: str = "",
    height: float = 3.2,
) -> str:
    """Vertical bars: one group per row of `frame` along the x axis, one bar per column.

    The orientation follows ``DataFrame.plot.bar``: for the mean seriousness of noise, air
    and water pollution by cluster, give rows = forms of pollution and columns = clusters
    (the legend names the clusters). `reference_line` draws a dashed horizontal line, such
    as the midpoint 5.5 of a 1-10 scale, named in the legend by `reference_label`. Missing
    cells leave a gap.
    """
    data = _numbers(frame)
    if data.empty or not np.isfinite(data.to_numpy()).any():
        return _empty(title=title)
    groups, series = data.shape
    slot = 0.8 / series
    positions = np.arange(groups, dtype=float)
    places = _decimals(data.to_numpy(), decimals)
    with _figure(height, title) as figure:
        axes = figure.add_subplot()
        for index, column in enumerate(data.columns):
            values = data[column].to_numpy()
            shown = np.isfinite(values)
            left = positions - 0.4 + slot * (index + 0.5)
            bars = axes.bar(
                left[shown],
                values[shown],
                width=slot * 0.9,
                color=PALETTE[index % len(PALETTE)],
                label=_text(column),
                zorder=2,
            )
            if value_labels:
                # On a white box above the reference line, which they may sit on.
                axes.bar_label(
                    bars,
                    labels=[_format(v, places) for v in values[shown]],
                    padding=2,
                    fontsize=7.5,
                    zorder=4,
                    bbox=_LABEL_BOX,
                )
        axes.set_xticks(positions, [_wrapped(label, 18) for label in data.index])
        axes.tick_params(axis="x", length=0)
        axes.set_ylabel(_text(ylabel))
        _fit_axis_label(figure, axes.yaxis.label, _label_room(height))
        _value_axis(axes.yaxis, integers=places == 0)
        axes.yaxis.grid(True, color=_GRID_COLOUR, linewidth=0.6)
        axes.set_xlim(-0.6, groups - 0.4)
        if ylim is not None:
            axes.set_ylim(*ylim)
        else:
            axes.margins(y=0.12)
        entries = series
        if reference_line is not None and math.isfinite(reference_line):
            # Labelled in the legend, not on the plot, where it would collide with bars.
            axes.axhline(
                reference_line,
                color=_REFERENCE_COLOUR,
                linestyle="--",
                linewidth=1,
                zorder=3,
                label=_text(reference_label) if reference_label else "_nolegend_",
            )
            entries += 1 if reference_label else 0
        if entries > 1:
            _legend_above(axes, entries)
        return _svg(figure)


def ranked_bar_svg(
    series: pd.Series,
    *,
    xlabel: str,
    decimals: int | None = None,
    title: str = "",
    height: float | None = None,
) -> str:
    """Horizontal bars, largest on top: counts of mentions, shares citing a source.

    Ties keep the order of `series`, so a caller can break them deliberately.
    """
    values = _numbers(series).dropna()
    if values.empty:
        return _empty(title=title)
    values = values.sort_values(ascending=False, kind="stable")
    count = len(values)
    places = _decimals(values.to_numpy(), decimals)
    with _figure(height or max(1.4, 0.28 * count + 0.7), title) as figure:
        axes = figure.add_subplot()
        rows = np.arange(count)
        bars = axes.barh(rows, values.to_numpy(), height=0.7, color=PALETTE[0], zorder=2)
        axes.bar_label(bars, labels=[_format(v, places) for v in values], padding=3, fontsize=7.5)
        axes.set_yticks(rows, [_wrapped(label, 40) for label in values.index])
        axes.invert_yaxis()
        axes.tick_params(axis="y", length=0)
        axes.set_xlabel(_text(xlabel))
        _value_axis(axes.xaxis, integers=places == 0)
        axes.xaxis.grid(True, color=_GRID_COLOUR, linewidth=0.6)
        axes.margins(x=0.08)
        axes.axvline(0, color="#444444", linewidth=0.8)
        axes.spines["left"].set_visible(False)
        return _svg(figure)


def stacked_share_svg(
    frame: pd.DataFrame,
    *,
    xlabel: str,
    decimals: int = 0,
    title: str = "",
    height: float | None = None,
) -> str:
    """One horizontal bar per row of `frame`, split into its columns' shares of 100.

    Rows are scaled to sum to 100, so counts and rounded percentages both work (adoption
    yes / no by cluster). Missing cells count as zero; a row with nothing in it is labelled
    "no data". Segments of 7 % or more carry their percentage.
    """
    data = _numbers(frame).fillna(0.0).clip(lower=0.0)
    if data.empty or not (data.sum(axis=1) > 0).any():
        return _empty(title=title)
    totals = data.sum(axis=1)
    shares = data.div(totals.where(totals > 0), axis=0).fillna(0.0) * 100
    rows = np.arange(len(shares))
    with _figure(height or max(1.5, 0.36 * len(shares) + 1.0), title) as figure:
        axes = figure.add_subplot()
        left = np.zeros(len(shares))
        for index, column in enumerate(shares.columns):
            colour = PALETTE[index % len(PALETTE)]
            widths = shares[column].to_numpy()
            axes.barh(
                rows,
                widths,
                left=left,
                height=0.65,
                color=colour,
                edgecolor="white",
                linewidth=0.6,
                label=_text(column),
                zorder=2,
            )
            ink = "black" if colour in _LIGHT_FILLS else "white"
            for row, (start, width) in enumerate(zip(left, widths, strict=True)):
                if width >= 7:
                    axes.text(
                        start + width / 2,
                        row,
                        _format(width, decimals),
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color=ink,
                        zorder=3,
                    )
            left = left + widths
        for row, total in enumerate(totals):
            if total <= 0:
                axes.text(1, row, "no data", va="center", fontsize=7.5, color=_REFERENCE_COLOUR)
        axes.set_yticks(rows, [_wrapped(label, 30) for label in shares.index])
        axes.invert_yaxis()
        axes.tick_params(axis="y", length=0)
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_locator(ticker.MultipleLocator(25))
        axes.set_xlabel(_text(xlabel))
        axes.spines["left"].set_visible(False)
        _legend_above(axes, len(shares.columns))
        return _svg(figure)


COEFFICIENT_COLUMNS = ("term", "estimate", "conf_low", "conf_high", "specification")


def coefficient_plot_svg(
    frame: pd.DataFrame,
    *,
    xlabel: str = "Estimate with 95% confidence interval",
    reference: float = 0.0,
    logx: bool = False,
    title: str = "",
    height: float | None = None,
) -> str:
    """Point estimates with 95 % intervals, one row per term, specifications side by side.

    `frame` has the columns term, estimate, conf_low, conf_high and specification (one row
    per term and specification). Terms are listed top to bottom in order of first
    appearance; each specification has its own colour and marker, offset a little so the
    intervals do not overlap. A vertical line marks `reference` (0 for coefficients; pass
    1 with ``logx=True`` for odds ratios). An interval with a missing or infinite bound
    (separation in a logit) is not drawn; its point still is.
    """
    missing = [column for column in COEFFICIENT_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"coefficient frame lacks the columns: {', '.join(missing)}")
    data = frame.loc[:, list(COEFFICIENT_COLUMNS)].copy()
    for column in ("estimate", "conf_low", "conf_high"):
        data[column] = _numbers(data[column])
    data = data[np.isfinite(data["estimate"].to_numpy())]
    if logx:
        data = data[data["estimate"] > 0]
    if data.empty:
        return _empty(title=title)
    terms = list(dict.fromkeys(data["term"]))
    specifications = list(dict.fromkeys(data["specification"]))
    step = 0.7 / len(specifications)
    size = height or max(1.6, len(terms) * (0.24 + 0.12 * len(specifications)) + 0.9)
    with _figure(size, title) as figure:
        axes = figure.add_subplot()
        row_of = {term: row for row, term in enumerate(terms)}
        for index, specification in enumerate(specifications):
            part = data[data["specification"] == specification]
            rows = part["term"].map(row_of).to_numpy(dtype=float)
            rows = rows - 0.35 + step * (index + 0.5)
            colour = PALETTE[index % len(PALETTE)]
            low = part["conf_low"].to_numpy()
            high = part["conf_high"].to_numpy()
            ok = np.isfinite(low) & np.isfinite(high)
            if logx:
                ok &= (low > 0) & (high > 0)
            axes.hlines(rows[ok], low[ok], high[ok], color=colour, linewidth=1.4, zorder=2)
            axes.plot(
                part["estimate"].to_numpy(),
                rows,
                linestyle="none",
                marker=MARKERS[index % len(MARKERS)],
                markersize=5,
                color=colour,
                markeredgecolor="white",
                markeredgewidth=0.5,
                label=_text(specification),
                zorder=3,
            )
        if logx:
            _plain_log_axis(axes, "x")
        else:
            _value_axis(axes.xaxis)
        axes.axvline(reference, color=_REFERENCE_COLOUR, linestyle="--", linewidth=1, zorder=1)
        axes.set_yticks(np.arange(len(terms)), [_wrapped(term, 36) for term in terms])
        axes.set_ylim(len(terms) - 0.5, -0.5)
        axes.tick_params(axis="y", length=0)
        axes.xaxis.grid(True, color=_GRID_COLOUR, linewidth=0.6)
        axes.set_xlabel(_text(xlabel))
        axes.spines["left"].set_visible(False)
        if len(specifications) > 1:
            _legend_above(axes, len(specifications))
        return _svg(figure)


def scatter_svg(
    x: pd.Series,
    y: pd.Series,
    *,
    groups: pd.Series | None,
    xlabel: str,
    ylabel: str,
    logx: bool = False,
    logy: bool = False,
    title: str = "",
    height: float = 3.4,
) -> str:
    """Points of `y` against `x` (aligned on their index), coloured and shaped by group.

    Groups appear in the legend in order of first appearance. Pairs with a missing value
    are skipped; on a log axis, zero and negative values cannot be placed, so they are left
    out and the chart says how many.
    """
    data = pd.DataFrame({"x": _numbers(x), "y": _numbers(y)})
    if groups is not None:
        data["group"] = groups.reindex(data.index)
    else:
        data["group"] = ""
    data = data[np.isfinite(data["x"].to_numpy()) & np.isfinite(data["y"].to_numpy())]
    visible = pd.Series(True, index=data.index)
    if logx:
        visible &= data["x"] > 0
    if logy:
        visible &= data["y"] > 0
    hidden = int((~visible).sum())
    data = data[visible]
    if data.empty:
        return _empty(title=title)
    labels = data["group"].map(lambda value: _text(value) or "(no group)")
    names: list[str] = list(dict.fromkeys(labels))
    with _figure(height, title) as figure:
        axes = figure.add_subplot()
        for index, name in enumerate(names):
            part = data[labels == name]
            axes.scatter(
                part["x"].to_numpy(),
                part["y"].to_numpy(),
                s=24,
                marker=MARKERS[index % len(MARKERS)],
                color=PALETTE[index % len(PALETTE)],
                edgecolors="white",
                linewidths=0.5,
                alpha=0.9,
                label=name,
                zorder=2,
            )
        if logx:
            _plain_log_axis(axes, "x")
        if logy:
            _plain_log_axis(axes, "y")
        for axis, log in ((axes.xaxis, logx), (axes.yaxis, logy)):
            if not log:
                _value_axis(axis)
        axes.grid(True, color=_GRID_COLOUR, linewidth=0.6)
        note = ""
        if hidden:
            plural = "s" if hidden > 1 else ""
            note = f"\n({hidden} point{plural} at zero or below not shown on the log scale)"
        axes.set_xlabel(_text(xlabel) + note)
        axes.set_ylabel(_text(ylabel))
        _fit_axis_label(figure, axes.yaxis.label, _label_room(height))
        if groups is not None and len(names) > 0:
            _legend_above(axes, len(names))
        return _svg(figure)
