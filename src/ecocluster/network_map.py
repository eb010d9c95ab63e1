"""The actor-positioning map of an environmental innovation network (Figure 2 of the 2007
study, after Steward and Conway's template).

The cluster's internal environment is the ellipse in the middle; the four external zones of
relevance to environmental innovation surround it: **knowledge** above, **customer** on the
right, **regulatory / political-cultural** below and **supplier** on the left. Decisions:

* **Firms are aggregated**: one node per cluster ("Bat Trang firms (15)"), sized by its
  number of firms, even on a one-cluster map. A node per firm would be unreadable with a few
  hundred firms and undrawable with 100,000; the map is about who the cluster deals with.
  Actors of the core zone other than the firms (similar firms of the cluster) sit in the
  ellipse beside their cluster.
* **Distance tells geography**: inside each zone an actor lies on the guide line of its
  geography, village nearest the ellipse, then province, elsewhere in Viet Nam, abroad, and
  outermost the actors whose location the survey does not state. Guides are labelled.
* **No overlapping labels by construction**: every actor of the knowledge and regulatory
  zones has a column of its own and every actor of the supplier and customer zones a row of
  its own (ordered by geography, then label), so a label shares its column or row with
  nothing. The layout is computed, never random, so the same network gives the same map.
* **All clusters together** (``cluster=None``): external actors of the same kind, geography
  and label are drawn as one node with an edge to each cluster that deals with it. The
  network keeps them apart (a Bat Trang government is not the Van Phuc one); drawn apart,
  three clusters give some 40 labels and no reader would see the pattern.
* Node area grows with the firms tied to the actor (firms of a cluster node), on one scale
  for both, so an actor can be compared with the cluster it serves; edge width grows with
  the number of ties (summed weight) and edge colour says the kind of tie.

The drawing follows the report's house style (`ecocluster.figure_style`): matplotlib
without pyplot, DejaVu Sans, Okabe-Ito colours, text as paths and deterministic SVG.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast

import matplotlib
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle

from ecocluster.errors import InputError
from ecocluster.figure_style import (
    PALETTE,
    STYLE,
    WIDTH_INCHES,
    plain_text,
    svg_text,
    wrapped_text,
    write_figure,
)
from ecocluster.network import TIE_KINDS, Network

__all__ = ["TIE_COLOURS", "draw_network_map", "network_map_svg", "write_network_map"]

#: Edge colour of each tie kind (Okabe-Ito, distinguishable with colour-vision deficiencies).
TIE_COLOURS: Final = dict(zip(TIE_KINDS, (*PALETTE[:5], PALETTE[6]), strict=True))
TIE_COLOURS["community_pressure"] = "#CC79A7"
TIE_COLOURS["regulation"] = "#000000"
_TIE_NAMES: Final = {
    "knowledge": "Knowledge",
    "equipment_recommendation": "Equipment recommendation",
    "finance": "Finance",
    "market_pressure": "Market pressure",
    "community_pressure": "Community pressure",
    "regulation": "Regulation",
}
_GEOGRAPHIES: Final = ("village", "province", "vietnam", "abroad", "unknown")
_GEOGRAPHY_NAMES: Final = {
    "village": "village",
    "province": "province",
    "vietnam": "elsewhere in Viet Nam",
    "abroad": "abroad",
    "unknown": "location not stated",
}
_ZONE_NAMES: Final = {
    "knowledge": "KNOWLEDGE ZONE",
    "customer": "CUSTOMER ZONE",
    "regulatory": "REGULATORY / POLITICAL-CULTURAL ZONE",
    "supplier": "SUPPLIER ZONE",
}
_HALF_WIDTH: Final = WIDTH_INCHES / 2  # data units are inches: the layout is in print size
_CORE_A: Final = 1.32  # semi-axes of the ellipse
_CORE_B: Final = 0.92
_SIDE_INNER: Final = _CORE_A + 0.28  # where the supplier and customer zones begin
_BAND_STEP: Final = 0.4  # distance between geography guides in the top and bottom zones
_BAND_INNER: Final = 0.3  # from the middle section to the nearest guide of a band
_TITLE_ROOM: Final = 0.2  # strip for a zone's name
_ROW_STEP: Final = 0.55  # distance between actors in the side zones
_LEVEL_ROOM: Final = 0.5  # bottom strip of the side zones that names their guides
_GUIDE_ROOM: Final = 0.62  # the right end of the top and bottom zones names the guides
_ZONE_FILL: Final = "#F3F3F3"
_CORE_FILL: Final = "#E2E2E2"
_INK: Final = "#333333"
_GUIDE: Final = "#8A8A8A"
_NODE_FILL: Final = "#7F7F7F"
_FONT: Final = 6.5
LABEL_BOX: Final = {"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85}


@dataclass
class _Node:
    key: str
    label: str
    zone: str
    geography: str
    cluster: str
    firms: int
    is_cluster: bool
    x: float = 0.0
    y: float = 0.0


# --------------------------------------------------------------------- what to draw
def _cluster_labels(actors: pd.DataFrame) -> dict[str, str]:
    """Cluster display names: `build_network` labels actors "Banks (Bat Trang)", so the
    commonest parenthesis of a cluster's actors is its name; else the key, readable."""
    labels: dict[str, str] = {}
    for cluster, part in actors.groupby("cluster", sort=True):
        key = str(cluster)
        found = Counter(
            m.group(1)
            for m in (re.search(r" \(([^()]+)\)$", str(label)) for label in part["label"])
            if m
        )
        fallback = key.replace("_", " ").title() if key else "No cluster"
        labels[key] = found.most_common(1)[0][0] if found else fallback
    return labels


def _short_label(label: str, cluster_label: str) -> str:
    suffix = f" ({cluster_label})"
    return label[: -len(suffix)] if label.endswith(suffix) and label != suffix else label


def _gather(network: Network, cluster: str | None) -> tuple[list[_Node], dict[Any, float]]:
    """Nodes (firms aggregated per cluster) and edges {(actor, cluster node, kind): ties}."""
    actors = network.actors.assign(
        cluster=network.actors["cluster"].fillna("").astype(str),
        label=network.actors["label"].fillna("").astype(str),
    )
    names = _cluster_labels(actors)
    firms = actors[actors["kind"] == "enterprise"]
    if cluster is not None:
        known = sorted(set(firms["cluster"]) - {""})
        if cluster not in known:
            raise InputError(
                f"no enterprises in cluster {cluster!r}; clusters: {', '.join(known)}",
                column="cluster",
                rule="cluster",
            )
        firms = firms[firms["cluster"] == cluster]
    firm_cluster = dict(zip(firms["id"].astype(str), firms["cluster"], strict=True))
    ties = network.ties
    source, target = ties["source"].astype(str), ties["target"].astype(str)
    touching = source.isin(firm_cluster.keys()) | target.isin(firm_cluster.keys())
    ties = ties[touching]
    involved = set(ties["source"].astype(str)) | set(ties["target"].astype(str))
    others = actors[(actors["kind"] != "enterprise") & actors["id"].astype(str).isin(involved)]

    nodes: dict[str, _Node] = {}
    key_of: dict[str, str] = {}
    for name, part in firms.groupby("cluster", sort=True):
        key = f"cluster:{name}"
        nodes[key] = _Node(
            key, names.get(str(name), str(name)), "core", "village", str(name), len(part), True
        )
    key_of.update({firm: f"cluster:{c}" for firm, c in firm_cluster.items()})
    for row in others.itertuples(index=False):
        zone = str(row.zone) if row.zone in _ZONE_NAMES else "core"
        place = str(row.geography) if row.geography in _GEOGRAPHIES else "unknown"
        label = _short_label(str(row.label), names.get(str(row.cluster), "\0"))
        merge = cluster is None and zone != "core"
        key = f"{zone}|{place}|{label}" if merge else str(row.id)
        key_of[str(row.id)] = key
        nodes.setdefault(key, _Node(key, label, zone, place, str(row.cluster), 0, False))

    edges: dict[tuple[str, str, str], float] = {}
    tied: dict[str, set[str]] = {}
    weights = pd.to_numeric(ties["weight"], errors="coerce").fillna(1.0).astype(float)
    ends = zip(source[touching], target[touching], ties["kind"].astype(str), weights, strict=True)
    for start, end, kind, weight in ends:
        a, b = key_of.get(start), key_of.get(end)
        if a is None or b is None or a == b:
            continue
        if nodes[a].is_cluster and not nodes[b].is_cluster:
            a, b = b, a
        edges[(a, b, kind)] = edges.get((a, b, kind), 0.0) + weight
        for firm, other in ((start, b), (end, a)):
            if firm in firm_cluster:
                tied.setdefault(other, set()).add(firm)
    for key, node in nodes.items():
        if not node.is_cluster:
            node.firms = len(tied.get(key, ()))
    return list(nodes.values()), edges


# --------------------------------------------------------------------- layout
@dataclass(frozen=True)
class _Frame:
    """Where things go: the levels in use and the extent of each part of the map."""

    levels: tuple[str, ...]
    middle: float  # half-height of the middle section (ellipse, supplier, customer)
    top: float  # y of the upper edge of the knowledge zone
    bottom: float  # y of the lower edge of the regulatory zone


def _order(nodes: list[_Node]) -> list[_Node]:
    return sorted(nodes, key=lambda n: (_GEOGRAPHIES.index(n.geography), n.label.casefold()))


def _layout(nodes: list[_Node]) -> _Frame:
    """Place every node (sets x, y) and return the frame the zones are drawn in."""
    outside = [n for n in nodes if n.zone in _ZONE_NAMES]
    levels = tuple(g for g in _GEOGRAPHIES if any(n.geography == g for n in outside))
    levels = levels or ("village",)
    by_zone = {zone: _order([n for n in outside if n.zone == zone]) for zone in _ZONE_NAMES}
    rows = max(len(by_zone["supplier"]), len(by_zone["customer"]), 1)
    middle = max(_CORE_B + 0.32, rows * _ROW_STEP / 2 + _LEVEL_ROOM / 2 + 0.15)
    # labels point away from the ellipse: up in the knowledge zone, down in the regulatory
    band = _BAND_INNER + (len(levels) - 1) * _BAND_STEP + 0.5 + _TITLE_ROOM
    frame = _Frame(levels, middle, middle + band, -middle - band)

    for zone, sign in (("knowledge", 1.0), ("regulatory", -1.0)):
        members = by_zone[zone]
        left, right = -_HALF_WIDTH + 0.05, _HALF_WIDTH - _GUIDE_ROOM
        slot = (right - left) / max(len(members), 1)
        for i, node in enumerate(members):
            node.x = left + slot * (i + 0.5)
            node.y = sign * (middle + _BAND_INNER + _BAND_STEP * levels.index(node.geography))
    inner, outer = _SIDE_INNER + 0.3, _HALF_WIDTH - 0.42
    step = (outer - inner) / max(len(levels) - 1, 1)
    for zone, sign in (("customer", 1.0), ("supplier", -1.0)):
        members = by_zone[zone]
        for i, node in enumerate(members):
            node.x = sign * (inner + step * levels.index(node.geography))
            node.y = (len(members) - 1) * _ROW_STEP / 2 - i * _ROW_STEP + _LEVEL_ROOM / 2

    core = sorted((n for n in nodes if n.is_cluster), key=lambda n: n.label.casefold())
    centre = {n.cluster: _core_position(i, len(core)) for i, n in enumerate(core)}
    for node in core:
        node.x, node.y = centre[node.cluster]
    inside = sorted(
        (n for n in nodes if n.zone == "core" and not n.is_cluster), key=lambda n: n.key
    )
    for node in inside:
        x, y = centre.get(node.cluster, (0.0, 0.0))
        node.x, node.y = x, y - 0.47 if len(core) <= 4 else y * 0.4
    return frame


def _core_position(index: int, count: int) -> tuple[float, float]:
    """Cluster nodes: a row across the ellipse, or a ring inside it beyond four."""
    if count <= 4:
        spread = _CORE_A * (0.62 if count > 1 else 0.0)
        x = -spread + 2 * spread * index / max(count - 1, 1)
        return x, 0.02
    angle = math.pi / 2 - 2 * math.pi * index / count
    return 0.72 * _CORE_A * math.cos(angle), 0.6 * _CORE_B * math.sin(angle)


# --------------------------------------------------------------------- drawing
def _area(firms: int, reference: int) -> float:
    """Marker area (pt²) proportional to firms, with a floor so every actor is visible."""
    return 28.0 + 620.0 * min(firms / max(reference, 1), 1.0)


def _width(ties: float, most: float) -> float:
    return 0.6 + 4.4 * math.sqrt(ties / max(most, 1.0))


def _draw_zones(axes: Axes, frame: _Frame) -> None:
    middle, gap = frame.middle, 0.04
    side, full = _HALF_WIDTH - _SIDE_INNER, 2 * _HALF_WIDTH
    for x0, y0, x1, y1 in (
        (-_HALF_WIDTH, middle + gap, full, frame.top - middle - gap),
        (-_HALF_WIDTH, frame.bottom, full, -middle - gap - frame.bottom),
        (_SIDE_INNER, -middle + gap, side, 2 * (middle - gap)),
        (-_HALF_WIDTH, -middle + gap, side, 2 * (middle - gap)),
    ):
        axes.add_patch(Rectangle((x0, y0), x1, y1, fc=_ZONE_FILL, ec="none", zorder=0))
    axes.add_patch(
        Ellipse((0, 0), 2 * _CORE_A, 2 * _CORE_B, fc=_CORE_FILL, ec=_INK, lw=1.0, zorder=0.5)
    )
    style: dict[str, Any] = {"fontsize": 7.5, "fontweight": "bold", "color": _INK, "zorder": 6}
    edge = _HALF_WIDTH - 0.08
    for x, y, zone, ha, va in (
        (-edge, frame.top - 0.08, "knowledge", "left", "top"),
        (-edge, frame.bottom + 0.08, "regulatory", "left", "bottom"),
        (-edge, middle - 0.08, "supplier", "left", "top"),
        (edge, middle - 0.08, "customer", "right", "top"),
    ):
        axes.text(x, y, _ZONE_NAMES[zone], ha=ha, va=va, **style)
    axes.text(0, _CORE_B - 0.09, "CLUSTER (CORE)", ha="center", va="top", **style)

    guide: dict[str, Any] = {"color": _GUIDE, "lw": 0.6, "ls": (0, (1, 2)), "zorder": 0.6}
    text: dict[str, Any] = {"fontsize": 5.5, "color": _GUIDE, "fontstyle": "italic", "zorder": 6}
    inner, outer = _SIDE_INNER + 0.3, _HALF_WIDTH - 0.42
    step = (outer - inner) / max(len(frame.levels) - 1, 1)
    for k, level in enumerate(frame.levels):
        name = _GEOGRAPHY_NAMES[level]
        for sign in (1.0, -1.0):
            y = sign * (middle + _BAND_INNER + _BAND_STEP * k)
            axes.plot([-_HALF_WIDTH + 0.05, _HALF_WIDTH - 0.05], [y, y], **guide)
            axes.text(
                _HALF_WIDTH - 0.06,
                y + 0.03,
                name.replace(" ", "\n", 1) if k > 1 else name,
                ha="right",
                va="bottom",
                linespacing=0.95,
                **text,
            )
            x = sign * (inner + step * k)
            axes.plot([x, x], [-middle + _LEVEL_ROOM, middle - 0.3], **guide)
            short = {"vietnam": "Viet Nam", "unknown": "not stated"}.get(level, level)
            axes.text(x, -middle + 0.08, short, ha="center", va="bottom", rotation=90, **text)


def _draw_edges(axes: Axes, nodes: dict[str, _Node], edges: dict[Any, float], scale: int) -> None:
    most = max(edges.values(), default=1.0)
    pairs: dict[tuple[str, str], list[str]] = {}
    for a, b, kind in edges:
        pairs.setdefault((a, b), []).append(kind)
    for (a, b), kinds in pairs.items():
        kinds.sort(key=lambda k: TIE_KINDS.index(k) if k in TIE_KINDS else len(TIE_KINDS))
        start, end = nodes[a], nodes[b]
        for i, kind in enumerate(kinds):
            bend = 0.0 if len(kinds) == 1 else 0.16 * (i - (len(kinds) - 1) / 2)
            shrink = [math.sqrt(_area(n.firms, scale) / math.pi) for n in (start, end)]
            look: dict[str, Any] = {
                "color": TIE_COLOURS.get(kind, _GUIDE),
                "alpha": 0.8,
                "capstyle": "butt",
            }
            arrow = FancyArrowPatch(
                (start.x, start.y),
                (end.x, end.y),
                arrowstyle="-",
                connectionstyle=f"arc3,rad={bend:.3f}",
                shrinkA=shrink[0],
                shrinkB=shrink[1],
                lw=_width(edges[(a, b, kind)], most),
                zorder=2,
                **look,
            )
            axes.add_patch(arrow)


def _draw_nodes(axes: Axes, nodes: list[_Node], scale: int, slot: dict[str, int]) -> None:
    for node in nodes:
        area = _area(node.firms, scale)
        dashed = node.geography == "unknown" and not node.is_cluster
        fill = _INK if node.is_cluster else _NODE_FILL
        axes.scatter([node.x], [node.y], s=area, c=fill, edgecolors="white", lw=0.8, zorder=4)
        if dashed:  # location not stated: an open ring around the marker says so
            ring: dict[str, Any] = {
                "facecolors": "none",
                "edgecolors": _NODE_FILL,
                "linestyles": (0, (2, 1.5)),
            }
            axes.scatter([node.x], [node.y], s=area * 1.7, lw=0.7, zorder=3, **ring)
        radius = math.sqrt(area * (1.7 if dashed else 1.0) / math.pi) / 72
        if node.is_cluster:
            count = f"{node.firms:,} firm" + ("s" if node.firms != 1 else "")
            text = f"{wrapped_text(node.label, 16)}\n{count}"
            weight, size = "bold", 7.0
        else:
            text = f"{wrapped_text(node.label, slot.get(node.zone, 16))} ({node.firms})"
            weight, size = "normal", _FONT
        above = node.zone == "knowledge" or node.is_cluster
        y = node.y + (radius + 0.03 if above else -radius - 0.03)
        look: dict[str, Any] = {
            "fontsize": size,
            "fontweight": weight,
            "linespacing": 1.0,
            "bbox": LABEL_BOX,
        }
        axes.text(node.x, y, text, ha="center", va="bottom" if above else "top", zorder=5, **look)


def _keep_inside(figure: Figure, axes: Axes) -> None:
    """Shift labels that would run off the page back inside it (side zones, outer guides)."""
    renderer = cast(Any, FigureCanvasAgg(figure)).get_renderer()
    left, right = axes.transData.transform([(-_HALF_WIDTH, 0), (_HALF_WIDTH, 0)])[:, 0]
    for text in axes.texts:
        box = text.get_window_extent(renderer)
        shift = max(left + 2 - box.x0, 0.0) + min(right - 2 - box.x1, 0.0)
        if shift:
            x = text.get_position()[0]
            text.set_x(x + shift / axes.transData.get_matrix()[0, 0])


def _legend(
    figure: Figure, kinds: list[str], edges: dict[Any, float], scale: int, top: float
) -> None:
    most = max(edges.values(), default=1.0)
    handles = [Line2D([], [], color=TIE_COLOURS[k], lw=2.5, label=_TIE_NAMES[k]) for k in kinds]
    steps = sorted({1.0, round(most / 2), most}) if most > 1 else [1.0]
    widths = [Line2D([], [], color=_INK, lw=_width(w, most), label=f"{w:,.0f}") for w in steps]
    sizes = sorted({1, max(round(scale / 4), 1), scale})
    dot: dict[str, Any] = {"ls": "none", "marker": "o", "color": _NODE_FILL, "mec": "white"}
    nodes = [Line2D([], [], ms=math.sqrt(_area(n, scale)), label=f"{n:,}", **dot) for n in sizes]
    common: dict[str, Any] = {"loc": "upper left", "fontsize": 7, "frameon": False}
    common["title_fontsize"] = 7.5
    at: dict[str, Any] = {"bbox_to_anchor": (0.01, top), "handlelength": 1.6, "ncols": 2}
    figure.legend(handles=handles, title="Kind of tie (edge colour)", **at, **common)
    at = {"bbox_to_anchor": (0.54, top), "handlelength": 2.0}
    figure.legend(handles=widths, title="Ties (edge width)", **at, **common)
    # the largest marker is taller than a legend row: the title goes above it, by hand
    figure.text(0.71, top - 0.005, "Firms tied (node area)", va="top", fontsize=7.5)
    common.pop("title_fontsize")
    spacing: dict[str, Any] = {"columnspacing": 1.2, "handletextpad": 0.4, "handleheight": 3.8}
    figure.legend(
        handles=nodes, bbox_to_anchor=(0.7, top - 0.035), ncols=len(nodes), **spacing, **common
    )


def draw_network_map(network: Network, *, cluster: str | None = None, title: str = "") -> Figure:
    """The actor-positioning map of `network` (one cluster, or all with ``cluster=None``).

    Returns a matplotlib `Figure` (no pyplot) 160 mm wide; see the module doc for the
    layout. An unknown `cluster` is an `InputError` (rule ``cluster``).
    """
    nodes, edges = _gather(network, cluster)
    with matplotlib.rc_context(STYLE):
        frame = _layout(nodes)
        legend, head = 1.15, 0.35 if title else 0.08
        plot = frame.top - frame.bottom + 0.1
        height = plot + legend + head
        figure = Figure(figsize=(WIDTH_INCHES, height))
        axes = figure.add_axes((0.0, legend / height, 1.0, plot / height))
        axes.set_xlim(-_HALF_WIDTH, _HALF_WIDTH)
        axes.set_ylim(frame.bottom - 0.05, frame.top + 0.05)
        axes.set_aspect("equal")
        axes.set_axis_off()
        if title:
            figure.suptitle(
                plain_text(title), y=1 - 0.06 / height, va="top", fontsize=10, fontweight="bold"
            )
        scale = max([n.firms for n in nodes] + [1])
        by_key = {n.key: n for n in nodes}
        _draw_zones(axes, frame)
        _draw_edges(axes, by_key, edges, scale)
        slot = _label_widths(nodes)
        _draw_nodes(axes, nodes, scale, slot)
        if not edges:
            axes.text(0, -_CORE_B - 0.15, "No ties to draw", ha="center", va="top", color=_GUIDE)
        kinds = [k for k in TIE_KINDS if any(e[2] == k for e in edges)]
        _legend(figure, kinds, edges, scale, (legend - 0.02) / height)
        note = (
            "Distance from the ellipse tells geography: village, province, elsewhere in "
            "Viet Nam, abroad; dashed ring: location not stated."
        )
        figure.text(0.01, 0.06 / height, note, fontsize=6.5, color=_INK, fontstyle="italic")
        _keep_inside(figure, axes)
    return figure


def _label_widths(nodes: list[_Node]) -> dict[str, int]:
    """Characters per label line: a top or bottom zone label fits its column."""
    widths = {"customer": 18, "supplier": 18, "core": 13}
    usable = 2 * _HALF_WIDTH - 0.05 - _GUIDE_ROOM
    for zone in ("knowledge", "regulatory"):
        count = max(sum(n.zone == zone for n in nodes), 1)
        widths[zone] = max(8, min(22, int(usable / count / 0.06)))
    return widths


def network_map_svg(network: Network, **kwargs: Any) -> str:
    """The map as an ``<svg>`` element: same network, same bytes (see `draw_network_map`)."""
    figure = draw_network_map(network, **kwargs)
    with matplotlib.rc_context(STYLE):
        return svg_text(figure)


def write_network_map(network: Network, path: str | Path, **kwargs: Any) -> Path:
    """Write the map to ``.svg`` or ``.png`` (150 dpi), by the suffix of `path`, whole or
    not at all."""
    return write_figure(lambda: draw_network_map(network, **kwargs), path)
