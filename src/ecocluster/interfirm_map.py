"""Maps of inter-firm networks, firm by firm, and of how they grew year by year.

The survey map (`ecocluster.network_map`) gathers a cluster's firms into one node, which
says nothing about a network whose story is which firm supplies which. Here every actor is
a node. Decisions:

* **A circle in the order actors joined**: clockwise from the top, by the year of each
  actor's first dated exchange (then id; actors without a dated exchange last). The layout
  is computed, never random, and comes from the whole network, so the maps of different
  years put every actor in the same place and can be compared side by side.
* **No overlapping labels by construction**: labels stand in two columns beside the circle
  (actors on its right half to the right), each at its actor's height unless the label
  above pushes it down, and a thin leader line joins label and node. A label names the
  actor and the year it joined.
* **Edges** are arcs from supplier to receiver with the arrow at the receiver, coloured by
  the kind of exchange (`KIND_COLOURS`); parallel exchanges bend apart and an exchange and
  its reverse curve to opposite sides. Exchanges without a year are dashed.
* **Materials** are listed under the map, one line per exchange (year, supplier → receiver:
  material), for networks of up to `KEY_LIMIT` exchanges; the legend names the kinds.
* **Year by year**: ``until`` draws the network as it was at the end of a year: later and
  undated exchanges are left out, actors that had not joined are hollow grey rings, and the
  actors that joined that year are drawn in orange. `draw_growth_panels` sets such maps side
  by side; `draw_network_growth` charts the cumulative exchanges and actors.

The drawing follows the report's house style (`ecocluster.figure_style`): matplotlib
without pyplot, DejaVu Sans, Okabe-Ito colours, text as paths and deterministic SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

import matplotlib
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ecocluster.figure_style import (
    PALETTE,
    STYLE,
    WIDTH_INCHES,
    legend_above,
    plain_text,
    svg_text,
    value_axis,
    wrapped_text,
    write_figure,
)
from ecocluster.interfirm import EXCHANGE_KINDS, compute_network_growth
from ecocluster.network import Network

__all__ = [
    "KEY_LIMIT",
    "KIND_COLOURS",
    "draw_growth_panels",
    "draw_interfirm_map",
    "draw_network_growth",
    "interfirm_map_svg",
    "network_growth_svg",
    "write_growth_panels",
    "write_interfirm_map",
    "write_network_growth",
]

#: Edge colour of each exchange kind (Okabe-Ito; yellow left out, too pale on white).
KIND_COLOURS: Final = dict(
    zip(
        EXCHANGE_KINDS,
        (PALETTE[1], PALETTE[3], PALETTE[0], PALETTE[2], PALETTE[4], PALETTE[5], PALETTE[7]),
        strict=True,
    )
)
#: Most exchanges listed one by one under a map.
KEY_LIMIT: Final = 40
_HALF: Final = WIDTH_INCHES / 2  # data units are inches: the layout is in print size
_RADIUS: Final = 1.45
_COLUMN: Final = _RADIUS + 0.32  # distance of the label columns from the centre
_LABEL_CHARS: Final = 26
_FONT: Final = 6.5
_LINE: Final = _FONT * 1.18 / 72  # inches per label line
_GAP: Final = 0.05
_INK: Final = "#333333"
_FADED: Final = "#A6A6A6"
_NEW: Final = PALETTE[1]
_KEY_ROW: Final = 0.15
_LEGEND_COLUMNS: Final = 5
_ONE_COLUMN: Final = 20  # up to this many exchanges the key is one column, lines uncut


@dataclass
class _Node:
    id: str
    label: str
    joined: float  # year of the first dated exchange, NaN without one
    x: float
    y: float
    degree: int = 0


def _joined(network: Network) -> dict[str, float]:
    """Year each actor joined: its first dated exchange (NaN without one)."""
    ties = network.ties
    years = pd.to_numeric(ties["year"], errors="coerce").astype(float)
    ends = pd.concat([ties["source"], ties["target"]], ignore_index=True).astype(str)
    first = pd.concat([years, years], ignore_index=True).groupby(ends).min()
    return {str(k): float(v) for k, v in first.items()}


def _layout(network: Network) -> list[_Node]:
    """Nodes on a circle, clockwise from the top in the order they joined."""
    joined = _joined(network)
    actors = network.actors
    entries = [
        (str(a), str(label) if str(label).strip() else str(a), joined.get(str(a), math.nan))
        for a, label in zip(actors["id"], actors["label"].fillna(""), strict=True)
    ]
    entries.sort(key=lambda e: (math.isnan(e[2]), 0.0 if math.isnan(e[2]) else e[2], e[0]))
    count = len(entries)
    nodes: list[_Node] = []
    for i, (actor, label, year) in enumerate(entries):
        angle = math.pi / 2 - 2 * math.pi * i / max(count, 1)
        radius = _RADIUS if count > 1 else 0.0
        nodes.append(_Node(actor, label, year, radius * math.cos(angle), radius * math.sin(angle)))
    ends = pd.concat([network.ties["source"], network.ties["target"]]).astype(str)
    degree = ends.value_counts()
    for node in nodes:
        node.degree = int(degree.get(node.id, 0))
    return nodes


def _label_text(node: _Node) -> str:
    when = f"since {node.joined:.0f}" if not math.isnan(node.joined) else "no dated exchange"
    return f"{wrapped_text(node.label, _LABEL_CHARS)}\n{when}"


def _columns(nodes: list[_Node]) -> dict[str, tuple[float, float, str]]:
    """Label position (x, y, alignment) of every node: two columns, no overlaps."""
    places: dict[str, tuple[float, float, str]] = {}
    for side in (1.0, -1.0):
        members = [
            n
            for i, n in enumerate(nodes)
            if (n.x > 1e-9 or (i == 0 and abs(n.x) <= 1e-9)) == (side > 0)
        ]
        members.sort(key=lambda n: -n.y)
        previous_bottom = math.inf
        for node in members:
            height = _label_text(node).count("\n") * _LINE + _LINE
            top = min(node.y + height / 2, previous_bottom - _GAP)
            places[node.id] = (side * _COLUMN, top - height / 2, "left" if side > 0 else "right")
            previous_bottom = top - height
    return places


def _area(degree: int, most: int) -> float:
    """Marker area (pt²): grows with the actor's exchanges, with a floor so all show."""
    return 36.0 + 220.0 * degree / max(most, 1)


def _shown_ties(network: Network, until: int | None) -> pd.DataFrame:
    ties = network.ties
    years = pd.to_numeric(ties["year"], errors="coerce").astype(float)
    if until is None:
        return ties.assign(_year=years)
    keep = years.notna() & (years <= until)
    return ties[keep].assign(_year=years[keep])


def _draw_edges(axes: Axes, ties: pd.DataFrame, where: dict[str, _Node], most: int) -> None:
    count: dict[tuple[str, str], int] = {}
    rows = zip(ties["source"], ties["target"], ties["kind"], ties["_year"], strict=True)
    for source, target, kind, year in rows:
        start, end = where[str(source)], where[str(target)]
        pair = (start.id, end.id)
        k = count.get(pair, 0)
        count[pair] = k + 1
        shrink = [math.sqrt(_area(n.degree, most) / math.pi) + 1.0 for n in (start, end)]
        dashed = math.isnan(float(year))
        axes.add_patch(
            FancyArrowPatch(
                (start.x, start.y),
                (end.x, end.y),
                arrowstyle="-|>",
                mutation_scale=7,
                connectionstyle=f"arc3,rad={0.16 + 0.12 * k:.2f}",
                shrinkA=shrink[0],
                shrinkB=shrink[1],
                color=KIND_COLOURS.get(str(kind), _INK),
                lw=1.2,
                alpha=0.9,
                linestyle=(0, (3, 2)) if dashed else "-",
                zorder=2,
            )
        )


def _draw_nodes(
    axes: Axes,
    nodes: list[_Node],
    until: int | None,
    most: int,
    *,
    labels: bool = True,
    since: float | None = None,
    scale: float = 1.0,
) -> None:
    """Nodes (and labels): hollow before they joined, orange in the year (or the years
    after `since`) they joined."""
    places = _columns(nodes) if labels else {}
    for node in nodes:
        present = until is None or (not math.isnan(node.joined) and node.joined <= until)
        low = float(until) - 1 if since is None and until is not None else since
        new = until is not None and low is not None and low < node.joined <= until
        fill = _NEW if new else (_INK if present else "white")
        edge = "white" if present else _FADED
        area = _area(node.degree, most) * scale
        axes.scatter([node.x], [node.y], s=area, c=fill, edgecolors=edge, lw=0.9, zorder=4)
        if not labels:
            continue
        x, y, align = places[node.id]
        anchor = x - 0.04 if align == "left" else x + 0.04
        axes.plot([node.x, anchor], [node.y, y], color=_FADED, lw=0.5, zorder=1)
        look: dict[str, Any] = {"fontsize": _FONT, "linespacing": 1.0, "zorder": 5}
        look |= {"color": _INK if present else _FADED, "fontweight": "bold" if new else "normal"}
        axes.text(x, y, _label_text(node), ha=align, va="center", **look)


def _cut(text: str, width: int) -> str:
    """At most `width` characters, cut in the middle: names often differ at their end."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head].rstrip() + "…" + text[len(text) - (width - 1 - head) :].lstrip()


def _key_lines(network: Network, ties: pd.DataFrame) -> list[tuple[str, str]]:
    """One line per exchange, in year order; names are shortened when the key needs two
    columns, so that each line keeps its supplier, receiver and material."""
    labels = dict(
        zip(network.actors["id"].astype(str), network.actors["label"].astype(str), strict=True)
    )
    order = ties.sort_values("_year", kind="stable", na_position="last")
    materials = order["material"] if "material" in order.columns else order["kind"]
    width = 200 if len(order) <= _ONE_COLUMN else 16
    lines: list[tuple[str, str]] = []
    rows = zip(
        order["source"], order["target"], order["kind"], materials, order["_year"], strict=True
    )
    for source, target, kind, material, year in rows:
        when = "----" if math.isnan(float(year)) else f"{year:.0f}"
        supplier = _cut(labels.get(str(source), str(source)), width)
        receiver = _cut(labels.get(str(target), str(target)), width)
        text = f"{when}  {supplier} → {receiver}: {_cut(str(material or kind), width + 2)}"
        lines.append((str(kind), plain_text(text)))
    return lines


def _keep_inside(figure: Figure, axes: Axes) -> None:
    """Shift texts that would run off the page back inside it."""
    renderer = cast(Any, FigureCanvasAgg(figure)).get_renderer()
    width = figure.bbox.width
    for text in axes.texts:
        box = text.get_window_extent(renderer)
        shift = max(2 - box.x0, 0.0) + min(width - 2 - box.x1, 0.0)
        if shift:
            text.set_x(text.get_position()[0] + shift / axes.transData.get_matrix()[0, 0])


def draw_interfirm_map(network: Network, *, until: int | None = None, title: str = "") -> Figure:
    """Every actor and exchange of `network`, as it stood at the end of `until` (a year) or
    with all exchanges (``until=None``, undated ones dashed). See the module doc.

    Returns a matplotlib `Figure` (no pyplot) 160 mm wide.
    """
    nodes = _layout(network)
    where = {n.id: n for n in nodes}
    ties = _shown_ties(network, until)
    most = max([n.degree for n in nodes] + [1])
    lines = _key_lines(network, ties) if len(ties) <= KEY_LIMIT else []
    with matplotlib.rc_context(STYLE):
        places = _columns(nodes)
        low = min([-_RADIUS - 0.25] + [y - 0.2 for _, y, _ in places.values()])
        high = max([_RADIUS + 0.25] + [y + 0.2 for _, y, _ in places.values()])
        head = 0.4 if title else 0.1
        kinds = [k for k in EXCHANGE_KINDS if (ties["kind"] == k).any()]
        undated = bool(ties["_year"].isna().any())
        entries = len(kinds) + undated + (2 if until is not None else 0)
        legend = 0.3 + 0.17 * math.ceil(entries / _LEGEND_COLUMNS)
        per_column = len(lines) if len(lines) <= _ONE_COLUMN else math.ceil(len(lines) / 2)
        key = (per_column * _KEY_ROW + 0.15) if lines else 0.0
        plot = high - low
        height = head + plot + legend + key
        figure = Figure(figsize=(WIDTH_INCHES, height))
        axes = figure.add_axes((0.0, (legend + key) / height, 1.0, plot / height))
        axes.set_xlim(-_HALF, _HALF)
        axes.set_ylim(low, high)
        axes.set_aspect("equal")
        axes.set_axis_off()
        if title:
            figure.suptitle(
                plain_text(title), y=1 - 0.08 / height, va="top", fontsize=10, fontweight="bold"
            )
        _draw_edges(axes, ties, where, most)
        _draw_nodes(axes, nodes, until, most, labels=True)
        if ties.empty:
            axes.text(0, 0, "No exchanges to draw", ha="center", va="center", color=_FADED)
        new = f"joined in {until}" if until is not None else ""
        _kind_legend(figure, kinds, (legend + key - 0.05) / height, undated, new)
        for i, (kind, text) in enumerate(lines):
            column, row = divmod(i, per_column)
            y = (key - 0.1 - row * _KEY_ROW) / height
            x = 0.02 + 0.5 * column
            figure.add_artist(
                Line2D([x, x + 0.025], [y, y], color=KIND_COLOURS.get(kind, _INK), lw=1.6)
            )
            figure.text(x + 0.032, y, text, fontsize=5.8, va="center", color=_INK)
        _keep_inside(figure, axes)
    return figure


def _kind_legend(
    figure: Figure, kinds: list[str], top: float, undated: bool, new: str = ""
) -> None:
    """Edge colours, the dashes of undated exchanges and, for a map of one year (`new`
    names its orange actors), the node fills."""
    handles = [Line2D([], [], color=KIND_COLOURS[k], lw=2.2, label=k) for k in kinds]
    if undated:
        handles.append(Line2D([], [], color=_INK, lw=1.2, ls=(0, (3, 2)), label="year unknown"))
    if new:
        dot: dict[str, Any] = {"ls": "none", "marker": "o", "ms": 6}
        handles.append(Line2D([], [], mfc=_NEW, mec="white", label=new, **dot))
        handles.append(Line2D([], [], mfc="white", mec=_FADED, label="not yet joined", **dot))
    if not handles:
        return
    figure.legend(
        handles=handles,
        title="Kind of exchange (edge colour; arrow at the receiver)",
        loc="upper left",
        bbox_to_anchor=(0.01, top),
        ncols=min(len(handles), _LEGEND_COLUMNS),
        fontsize=7,
        title_fontsize=7.5,
        frameon=False,
        handlelength=1.6,
        alignment="left",
    )


def _panel_years(network: Network, count: int = 4) -> list[int]:
    years = sorted({int(y) for y in pd.to_numeric(network.ties["year"], errors="coerce").dropna()})
    if len(years) <= count:
        return years
    picks = [years[round(i * (len(years) - 1) / (count - 1))] for i in range(count)]
    return sorted(set(picks))


def draw_growth_panels(
    network: Network, years: Sequence[int] | None = None, *, title: str = ""
) -> Figure:
    """Small maps of `network` at the end of each of `years` (default: four years spread
    over its history), in one layout, so that a reader sees it grow. Labels are left to
    the full map; each panel says its year and counts, and orange marks the actors that
    joined since the panel before."""
    chosen = list(years) if years is not None else _panel_years(network)
    nodes = _layout(network)
    where = {n.id: n for n in nodes}
    most = max([n.degree for n in nodes] + [1])
    growth = compute_network_growth(network)
    counts = {
        int(y): (int(t), int(a))
        for y, t, a in zip(
            growth["year"].tolist(),
            growth["cumulative_ties"].tolist(),
            growth["cumulative_actors"].tolist(),
            strict=True,
        )
    }
    columns = min(max(len(chosen), 1), 2)
    rows = max(math.ceil(len(chosen) / columns), 1)
    side = WIDTH_INCHES / columns
    head = 0.35 if title else 0.05
    kinds = [k for k in EXCHANGE_KINDS if (network.ties["kind"] == k).any()]
    legend = 0.3 + 0.17 * math.ceil((len(kinds) + 2) / _LEGEND_COLUMNS)
    height = rows * side + head + legend
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, height))
        if title:
            figure.suptitle(
                plain_text(title), y=1 - 0.05 / height, va="top", fontsize=10, fontweight="bold"
            )
        previous: float = -math.inf
        for i, year in enumerate(chosen):
            row, column = divmod(i, columns)
            bottom = height - head - (row + 1) * side
            axes = figure.add_axes(
                (column * side / WIDTH_INCHES, bottom / height, side / WIDTH_INCHES, side / height)
            )
            reach = _RADIUS + 0.3
            axes.set_xlim(-reach, reach)
            axes.set_ylim(-reach, reach + 0.25)
            axes.set_aspect("equal")
            axes.set_axis_off()
            _draw_edges(axes, _shown_ties(network, year), where, most)
            _draw_nodes(axes, nodes, year, most, labels=False, since=previous, scale=0.6)
            ties, actors = counts.get(year, (0, 0))
            axes.text(
                0,
                reach + 0.2,
                f"{year}: {_count(ties, 'exchange')}, {_count(actors, 'actor')}",
                ha="center",
                va="top",
                fontsize=8,
                fontweight="bold",
            )
            previous = float(year)
        _kind_legend(figure, kinds, (legend - 0.03) / height, False, "joined since last panel")
    return figure


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def draw_network_growth(growth: pd.DataFrame, *, title: str = "") -> Figure:
    """Cumulative exchanges and actors per year (steps) over the new exchanges of each year
    (bars), from `compute_network_growth`; undated exchanges are counted in a note."""
    undated = len(growth.attrs.get("undated_ties", []))
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_INCHES, 2.8), layout="constrained")
        if title:
            figure.suptitle(plain_text(title), fontsize=10, fontweight="bold")
        axes = figure.add_subplot()
        if growth.empty:
            axes.set_axis_off()
            axes.text(0.5, 0.5, "No dated exchanges", ha="center", va="center", color=_FADED)
            return figure
        years = growth["year"].to_numpy(dtype=float)
        bars: dict[str, Any] = {"width": 0.8, "alpha": 0.35, "zorder": 2}
        axes.bar(years, growth["new_ties"], color=PALETTE[0], label="New exchanges", **bars)
        for column, colour, dashes, name in (
            ("cumulative_ties", PALETTE[0], "-", "Exchanges (cumulative)"),
            ("cumulative_actors", PALETTE[3], (0, (4, 2)), "Actors (cumulative)"),
        ):
            values = growth[column].to_numpy(dtype=float)
            axes.step(years, values, where="mid", color=colour, lw=1.8, ls=dashes, label=name)
            note: dict[str, Any] = {"textcoords": "offset points", "va": "center", "fontsize": 7.5}
            note["color"] = colour
            axes.annotate(f"{values[-1]:,.0f}", (years[-1], values[-1]), xytext=(4, 0), **note)
        axes.set_xlim(years[0] - 0.8, years[-1] + 0.8 + 0.04 * (years[-1] - years[0] + 1))
        axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:.0f}"))
        value_axis(axes.yaxis, integers=True)
        axes.set_ylabel("Count")
        axes.yaxis.grid(True, color="#DDDDDD", linewidth=0.6)
        legend_above(axes, 3)
        if undated:
            figure.text(
                0.01,
                0.01,
                f"{_count(undated, 'exchange')} without a year not shown.",
                fontsize=6.5,
                fontstyle="italic",
                color=_INK,
            )
    return figure


# --------------------------------------------------------------------- files
def _svg_of(figure: Figure) -> str:
    with matplotlib.rc_context(STYLE):
        return svg_text(figure)


def interfirm_map_svg(network: Network, **kwargs: Any) -> str:
    """The map as an ``<svg>`` element: same network, same bytes (`draw_interfirm_map`)."""
    return _svg_of(draw_interfirm_map(network, **kwargs))


def network_growth_svg(growth: pd.DataFrame, **kwargs: Any) -> str:
    """The growth chart as an ``<svg>`` element (`draw_network_growth`)."""
    return _svg_of(draw_network_growth(growth, **kwargs))


def write_interfirm_map(network: Network, path: str | Path, **kwargs: Any) -> Path:
    """Write the map to ``.svg`` or ``.png`` (150 dpi), by the suffix of `path`."""
    return write_figure(lambda: draw_interfirm_map(network, **kwargs), path)


def write_growth_panels(network: Network, path: str | Path, **kwargs: Any) -> Path:
    """Write the year-by-year panels to ``.svg`` or ``.png``, by the suffix of `path`."""
    return write_figure(lambda: draw_growth_panels(network, **kwargs), path)


def write_network_growth(growth: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """Write the growth chart to ``.svg`` or ``.png``, by the suffix of `path`."""
    return write_figure(lambda: draw_network_growth(growth, **kwargs), path)
