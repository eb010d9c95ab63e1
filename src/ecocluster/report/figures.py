"""Charts for the report, drawn with matplotlib and returned as SVG markup.

Each function takes plain pandas objects and returns an ``<svg>`` element ready to be
inlined in HTML (no XML prolog), in the house style of `ecocluster.figure_style` (fonts
drawn as paths, byte-identical output, colour-blind-safe palette, 160 mm wide). Missing
values are skipped; when nothing is left to draw the chart says "No data" instead of
raising, so a report on a small or partial survey still renders.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import ticker

from ecocluster.figure_style import (
    GRID_COLOUR,
    LABEL_BOX,
    MARKERS,
    PALETTE,
    REFERENCE_COLOUR,
    fit_axis_label,
    label_room,
    legend_above,
    new_figure,
    plain_log_axis,
    plain_text,
    svg_text,
    value_axis,
    wrapped_text,
)

_LIGHT_FILLS = frozenset({"#E69F00", "#56B4E9", "#F0E442", "#CC79A7"})


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
    with new_figure(1.2, title) as figure:
        axes = figure.add_subplot()
        axes.set_axis_off()
        axes.text(0.5, 0.5, message, ha="center", va="center", color=REFERENCE_COLOUR)
        return svg_text(figure)


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
    with new_figure(height, title) as figure:
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
                label=plain_text(column),
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
                    bbox=LABEL_BOX,
                )
        axes.set_xticks(positions, [wrapped_text(label, 18) for label in data.index])
        axes.tick_params(axis="x", length=0)
        axes.set_ylabel(plain_text(ylabel))
        fit_axis_label(figure, axes.yaxis.label, label_room(height))
        value_axis(axes.yaxis, integers=places == 0)
        axes.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
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
                color=REFERENCE_COLOUR,
                linestyle="--",
                linewidth=1,
                zorder=3,
                label=plain_text(reference_label) if reference_label else "_nolegend_",
            )
            entries += 1 if reference_label else 0
        if entries > 1:
            legend_above(axes, entries)
        return svg_text(figure)


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
    with new_figure(height or max(1.4, 0.28 * count + 0.7), title) as figure:
        axes = figure.add_subplot()
        rows = np.arange(count)
        bars = axes.barh(rows, values.to_numpy(), height=0.7, color=PALETTE[0], zorder=2)
        axes.bar_label(bars, labels=[_format(v, places) for v in values], padding=3, fontsize=7.5)
        axes.set_yticks(rows, [wrapped_text(label, 40) for label in values.index])
        axes.invert_yaxis()
        axes.tick_params(axis="y", length=0)
        axes.set_xlabel(plain_text(xlabel))
        value_axis(axes.xaxis, integers=places == 0)
        axes.xaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
        axes.margins(x=0.08)
        axes.axvline(0, color="#444444", linewidth=0.8)
        axes.spines["left"].set_visible(False)
        return svg_text(figure)


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
    with new_figure(height or max(1.5, 0.36 * len(shares) + 1.0), title) as figure:
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
                label=plain_text(column),
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
                axes.text(1, row, "no data", va="center", fontsize=7.5, color=REFERENCE_COLOUR)
        axes.set_yticks(rows, [wrapped_text(label, 30) for label in shares.index])
        axes.invert_yaxis()
        axes.tick_params(axis="y", length=0)
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_locator(ticker.MultipleLocator(25))
        axes.set_xlabel(plain_text(xlabel))
        axes.spines["left"].set_visible(False)
        legend_above(axes, len(shares.columns))
        return svg_text(figure)


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
    with new_figure(size, title) as figure:
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
                label=plain_text(specification),
                zorder=3,
            )
        if logx:
            plain_log_axis(axes, "x")
        else:
            value_axis(axes.xaxis)
        axes.axvline(reference, color=REFERENCE_COLOUR, linestyle="--", linewidth=1, zorder=1)
        axes.set_yticks(np.arange(len(terms)), [wrapped_text(term, 36) for term in terms])
        axes.set_ylim(len(terms) - 0.5, -0.5)
        axes.tick_params(axis="y", length=0)
        axes.xaxis.grid(True, color=GRID_COLOUR, linewidth=0.6)
        axes.set_xlabel(plain_text(xlabel))
        axes.spines["left"].set_visible(False)
        if len(specifications) > 1:
            legend_above(axes, len(specifications))
        return svg_text(figure)


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
    labels = data["group"].map(lambda value: plain_text(value) or "(no group)")
    names: list[str] = list(dict.fromkeys(labels))
    with new_figure(height, title) as figure:
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
            plain_log_axis(axes, "x")
        if logy:
            plain_log_axis(axes, "y")
        for axis, log in ((axes.xaxis, logx), (axes.yaxis, logy)):
            if not log:
                value_axis(axis)
        axes.grid(True, color=GRID_COLOUR, linewidth=0.6)
        note = ""
        if hidden:
            plural = "s" if hidden > 1 else ""
            note = f"\n({hidden} point{plural} at zero or below not shown on the log scale)"
        axes.set_xlabel(plain_text(xlabel) + note)
        axes.set_ylabel(plain_text(ylabel))
        fit_axis_label(figure, axes.yaxis.label, label_room(height))
        if groups is not None and len(names) > 0:
            legend_above(axes, len(names))
        return svg_text(figure)
