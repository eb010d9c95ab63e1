"""A zone's or a cluster's symbiosis in one piece: the plan, its network and a shared facility.

The zone and cluster reports, and the command that writes a plan's folder, show the same
things: the optimal exchange plan, the network its exchanges form (with the network
module's metrics), and, when members are given, the cost shares of a common facility.
`analyse_symbiosis` computes them once; renderers only format them.

API:

* ``analyse_symbiosis(streams, *, transport_cost_per_tkm, members=None, facility=None,
  rate=0.10, title="", synthetic=False, source="") -> SymbiosisAnalysis``
* ``analyse_symbiosis_example(name) -> SymbiosisAnalysis``: a bundled example at its
  suggested transport cost, with its facility members when it has them.
* ``plan_network(plan) -> InterfirmNetwork | None``: the plan's exchanges as an inter-firm
  network (kind from the material's group; weight the quantity; firms labelled by name),
  None without exchanges.
* ``draw_plan_map(plan, streams, *, title="") -> Figure``: the firms where they are, and
  an arrow for each exchange from supplier to receiver, coloured by material group and as
  thick as the saving, the six firms that gain most named; ``write_plan_map(plan,
  streams, path)``.

The map is a plain equirectangular projection scaled by the cosine of the mean latitude,
which keeps distances true to within a fraction of a percent over a zone or a district; it
needs no tiles and no internet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ecocluster.interfirm import InterfirmNetwork
    from ecocluster.symbiosis_match import Plan

__all__ = [
    "SymbiosisAnalysis",
    "analyse_symbiosis",
    "analyse_symbiosis_example",
    "draw_plan_map",
    "plan_network",
    "write_plan_map",
]

#: How a material group shows in the inter-firm network of a plan.
GROUP_KINDS: Final = {"solid": "by-product", "liquid": "water", "energy": "energy"}


@dataclass(frozen=True)
class SymbiosisAnalysis:
    """An exchange plan, its network and metrics, and a facility's cost shares."""

    title: str
    synthetic: bool
    source: str
    currency: str
    streams: pd.DataFrame = field(repr=False)
    plan: Plan = field(repr=False)
    network: InterfirmNetwork | None = field(repr=False)
    metrics: pd.DataFrame | None = field(repr=False)
    facility: pd.DataFrame | None = field(repr=False)

    def summary(self) -> dict[str, Any]:
        from ecocluster.json_data import to_json_data

        data: dict[str, Any] = {
            "title": self.title,
            "synthetic": self.synthetic,
            "source": self.source,
            "currency": self.currency,
            "plan": self.plan.to_json_data(),
        }
        if self.facility is not None:
            data["facility"] = {"attrs": self.facility.attrs, "members": self.facility}
        return dict(to_json_data(data, "symbiosis"))


def plan_network(plan: Plan) -> InterfirmNetwork | None:
    """The plan's exchanges as an inter-firm network (see the module)."""
    from ecocluster.interfirm import interfirm_network
    from ecocluster.symbiosis import read_materials

    exchanges = plan.exchanges
    if not len(exchanges):
        return None
    groups = read_materials()["group"]
    table = pd.DataFrame(
        {
            "source": exchanges["supplier_firm"].astype(str),
            "target": exchanges["receiver_firm"].astype(str),
            "kind": exchanges["output"].map(groups).map(GROUP_KINDS).fillna("material"),
            "material": exchanges["output"].astype(str),
            "weight": exchanges["quantity"].astype(float),
        }
    )
    firms = pd.concat(
        [
            exchanges[["supplier_firm", "supplier_name"]].set_axis(["id", "label"], axis=1),
            exchanges[["receiver_firm", "receiver_name"]].set_axis(["id", "label"], axis=1),
        ]
    ).drop_duplicates("id")
    network = interfirm_network(table, weighted=True)
    labels = dict(zip(firms["id"].astype(str), firms["label"].astype(str), strict=True))
    network.actors["label"] = [labels.get(str(i)) or str(i) for i in network.actors["id"]]
    return network


def _projected(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kilometres east and north of the mean position (equirectangular)."""
    km = 6371.0088 * math.pi / 180
    mid = float(np.nanmean(lat))
    x = (lon - float(np.nanmean(lon))) * km * math.cos(math.radians(mid))
    return x, (lat - mid) * km


def draw_plan_map(plan: Plan, streams: pd.DataFrame, *, title: str = "") -> Figure:
    """The firms at their coordinates and the plan's exchanges between them (module doc)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    from ecocluster.figure_style import PALETTE, new_figure, plain_text

    firms = streams.groupby("firm", sort=True).agg(lat=("lat", "first"), lon=("lon", "first"))
    x, y = _projected(firms["lat"].to_numpy(float), firms["lon"].to_numpy(float))
    where = dict(zip(firms.index.astype(str), zip(x, y, strict=True), strict=True))
    exchanges = plan.exchanges
    involved = set(exchanges["supplier_firm"].astype(str)) | set(
        exchanges["receiver_firm"].astype(str)
    )
    colours = {"solid": PALETTE[2], "liquid": PALETTE[0], "energy": PALETTE[3]}
    span = max(float(np.ptp(x)) if len(x) else 0.0, float(np.ptp(y)) if len(y) else 0.0, 1.0)
    with new_figure(5.2, title) as figure:
        axes = figure.add_subplot()
        axes.set_aspect("equal")
        quiet = [firm not in involved for firm in firms.index.astype(str)]
        axes.scatter(x[quiet], y[quiet], s=10, color="#BBBBBB", zorder=2, linewidths=0)
        busy = ~np.asarray(quiet, dtype=bool)
        axes.scatter(x[busy], y[busy], s=18, color="#333333", zorder=3, linewidths=0)
        saving = exchanges["net_saving"].to_numpy(float)
        top = float(saving.max()) if len(saving) else 1.0
        groups = read_materials_groups()
        for row, value in zip(exchanges.itertuples(index=False), saving, strict=True):
            start, end = where[str(row.supplier_firm)], where[str(row.receiver_firm)]
            colour = colours.get(groups.get(str(row.output), ""), PALETTE[7])
            arrow = FancyArrowPatch(
                start, end, arrowstyle="-|>", mutation_scale=6,
                linewidth=0.4 + 2.2 * max(value, 0.0) / (top or 1.0), color=colour, alpha=0.75,
                connectionstyle="arc3,rad=0.12", shrinkA=2, shrinkB=2, zorder=4,
            )  # fmt: skip
            axes.add_patch(arrow)
        gains = plan.firms.sort_values("money_gain", ascending=False, kind="stable").head(6)
        for firm, name in zip(gains["firm"].astype(str), gains["name"].astype(str), strict=True):
            fx, fy = where[firm]
            axes.annotate(
                plain_text(name or firm), (fx, fy), xytext=(4, 4), textcoords="offset points",
                fontsize=7, color="#222222", zorder=5,
            )  # fmt: skip
        axes.set_xlabel(plain_text("km east of the centre"))
        axes.set_ylabel(plain_text("km north of the centre"))
        pad = 0.06 * span
        axes.set_xlim(float(np.min(x)) - pad, float(np.max(x)) + pad)
        axes.set_ylim(float(np.min(y)) - pad, float(np.max(y)) + pad)
        axes.grid(color="#EEEEEE", linewidth=0.5)
        handles = [
            Line2D([], [], color=colours[g], linewidth=1.6, label=plain_text(label))
            for g, label in (
                ("solid", "solid by-product"),
                ("liquid", "water"),
                ("energy", "energy"),
            )
            if any(groups.get(str(o), "") == g for o in exchanges["output"])
        ]
        handles += [
            Line2D([], [], marker="o", linestyle="", color="#333333", markersize=4,
                   label=plain_text("firm in an exchange")),
            Line2D([], [], marker="o", linestyle="", color="#BBBBBB", markersize=4,
                   label=plain_text("firm without one")),
        ]  # fmt: skip
        axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncols=3)
    return figure


def read_materials_groups() -> dict[str, str]:
    """Material class → group (solid, liquid, energy) of the bundled taxonomy."""
    from ecocluster.symbiosis import read_materials

    return {str(k): str(v) for k, v in read_materials()["group"].items()}


def write_plan_map(plan: Plan, streams: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """`draw_plan_map` written to ``.svg`` or ``.png``, whole or not at all."""
    from ecocluster.figure_style import write_figure

    return write_figure(lambda: draw_plan_map(plan, streams, **kwargs), path)


def analyse_symbiosis(
    streams: pd.DataFrame,
    *,
    transport_cost_per_tkm: float | Mapping[str, float],
    members: pd.DataFrame | None = None,
    facility: str | None = None,
    rate: float = 0.10,
    title: str = "",
    synthetic: bool = False,
    source: str = "",
    currency: str = "",
) -> SymbiosisAnalysis:
    """The optimal plan of `streams`, its network, and a facility's cost shares when
    `members` are given (`facility`: the type, when the members name several)."""
    from ecocluster.network import compute_node_metrics
    from ecocluster.shared_facilities import allocate_costs
    from ecocluster.symbiosis_match import plan_exchanges

    plan = plan_exchanges(streams, transport_cost_per_tkm=transport_cost_per_tkm)
    network = plan_network(plan)
    allocation = None
    if members is not None and len(members):
        kinds = sorted({str(f) for f in members["facility"]})
        allocation = allocate_costs(members, facility or kinds[0], rate=rate)
    return SymbiosisAnalysis(
        title=title or "Industrial symbiosis",
        synthetic=synthetic,
        source=source or str(streams.attrs.get("file", "")),
        currency=currency,
        streams=streams,
        plan=plan,
        network=network,
        metrics=compute_node_metrics(network) if network is not None else None,
        facility=allocation,
    )


def analyse_symbiosis_example(name: str) -> SymbiosisAnalysis:
    """A bundled example at its suggested transport cost (see `ecocluster.symbiosis_examples`)."""
    from ecocluster.symbiosis_examples import (
        example_members,
        example_settings,
        example_symbioses,
        load_example_streams,
    )

    streams = load_example_streams(name)
    found = str(streams.attrs["example"])
    meta = example_symbioses().set_index("name").loc[found]
    settings = example_settings(found)
    return analyse_symbiosis(
        streams,
        transport_cost_per_tkm=settings["transport_cost_per_tkm"],
        members=example_members(found),
        facility=settings.get("facility") or None,
        title=str(meta["title"]),
        synthetic=bool(meta["synthetic"]),
        source=f"the bundled example {found}",
        currency=str(settings.get("currency", "")),
    )
