"""Report section on industrial symbiosis, shared by the zone and the cluster reports: the
optimal exchange plan, the network it forms, what each firm gains, the needs left unmet,
and the cost shares of a common facility. Everything shown is read from a
`SymbiosisAnalysis`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ecocluster.figure_style import figure_svg
from ecocluster.report.document import (
    Block,
    Bullets,
    Callout,
    FigureBlock,
    KeyFigures,
    Paragraph,
    Section,
)
from ecocluster.report.policy import AddTable

if TYPE_CHECKING:
    from ecocluster.symbiosis_analysis import SymbiosisAnalysis

#: Rows shown in the exchange and firm tables; the CSVs hold them all.
SHOWN = 15


def _n(value: float, decimals: int = 0) -> str:
    return "" if pd.isna(value) else f"{value:,.{decimals}f}"


def _large(value: float) -> str:
    """A key figure short enough for its box: 517.0 billion rather than 517,023,933,045."""
    for scale, word in ((1e9, "billion"), (1e6, "million")):
        if abs(value) >= scale:
            return f"{value / scale:,.1f} {word}"
    return _n(value)


def _names(names: pd.Series, ids: pd.Series) -> list[str]:
    return [str(n or i) for n, i in zip(names, ids, strict=True)]


def _pairs(first: pd.Series, second: pd.Series, form: str) -> list[str]:
    return [form.format(a, b) for a, b in zip(first, second, strict=True)]


def _plan_blocks(symbiosis: SymbiosisAnalysis, add_table: AddTable) -> list[Block]:
    plan, money = symbiosis.plan, symbiosis.currency or "money"
    totals = plan.totals
    streams = plan.streams
    blocks: list[Block] = [
        KeyFigures(
            (
                ("Exchanges", _n(totals["exchanges"])),
                ("Firms taking part", _n(totals["firms"])),
                (f"Net saving ({money}/yr)", _large(totals["net_saving"])),
                ("Kept from disposal (t/yr)", _n(totals["diverted_t"])),
                ("tCO2e avoided per year", _n(totals["co2e_avoided_t"])),
                ("Needs not fully met", _n(totals["inputs_unmet"])),
            )
        ),
        Paragraph(
            f"{len(streams):,} streams of {streams['firm'].nunique():,} firms. The plan "
            "chooses, among the compatible partners within reach, the exchanges that save "
            "most in all: transport and treatment against the disposal and the virgin "
            "material they avoid, within what each firm puts out and needs "
            f"(solved by {plan.solver}, {plan.status}). Unmet needs are listed, not forced."
        ),
    ]
    if len(plan.exchanges):
        from ecocluster.symbiosis_analysis import draw_plan_map

        blocks.append(
            FigureBlock(
                "figure-symbiosis-map",
                "The exchanges of the plan, where the firms are",
                figure_svg(lambda: draw_plan_map(plan, symbiosis.streams)),
                alt="Map of the firms by their coordinates, with an arrow from supplier to "
                "receiver for each exchange, coloured by kind of material.",
                caption="Arrows go the way the material flows, as thick as the exchange's net "
                "saving; grey points are firms the plan leaves out. Distances in km from "
                "the firms' mean position (great circle, not road).",
            )
        )
    exchanges = plan.exchanges.sort_values("net_saving", ascending=False, kind="stable")
    shown = exchanges.head(SHOWN)
    quantities = shown["quantity"].map(lambda q: _n(q, 1))
    display = pd.DataFrame(
        {
            "To": _names(shown["receiver_name"], shown["receiver_firm"]),
            "Material → need": _pairs(shown["output"], shown["input"], "{} → {}"),
            "Quantity per year": _pairs(quantities, shown["unit"], "{} {}"),
            "km": [_n(v, 1) for v in shown["distance_km"]],
            f"Net saving ({money}/yr)": [_n(v) for v in shown["net_saving"]],
        },
        index=pd.Index(_names(shown["supplier_name"], shown["supplier_firm"]), name="From"),
    )
    more = f" The {len(exchanges) - SHOWN} others are in the CSV." if len(exchanges) > SHOWN else ""
    blocks.append(
        add_table(
            "symbiosis_exchanges",
            "The exchanges, largest saving first",
            display,
            plan.exchanges,
            note="Net saving: disposal and virgin material avoided less transport and "
            "treatment; a treatment whose cost is not known counts as 0 (see the warnings)." + more,
        )
    )
    firms = plan.firms.sort_values("money_gain", ascending=False, kind="stable").head(SHOWN)
    blocks.append(
        add_table(
            "symbiosis_firms",
            "What the firms gain",
            pd.DataFrame(
                {
                    "Exchanges": [_n(v) for v in firms["exchanges"]],
                    f"Gain ({money}/yr)": [_n(v) for v in firms["money_gain"]],
                    "Kept from disposal (t/yr)": [_n(v, 1) for v in firms["diverted_t"]],
                    "tCO2e avoided": [_n(v, 1) for v in firms["co2e_avoided_t"]],
                },
                index=pd.Index(
                    [str(n or f) for n, f in zip(firms["name"], firms["firm"], strict=True)],
                    name="Firm",
                ),
            ),
            plan.firms,
            note="A firm's gain is its share of the saving at the prices asked in the "
            "streams file; the price between two firms moves money between them without "
            "changing the plan.",
        )
    )
    unmet = plan.unmet
    if len(unmet):
        left = (
            unmet.groupby(["material", "unit"], sort=True)
            .agg(needs=("stream", "size"), left=("left", "sum"), quantity=("quantity", "sum"))
            .reset_index()
        )
        blocks.append(
            add_table(
                "symbiosis_unmet",
                "Needs the plan does not fully meet",
                pd.DataFrame(
                    {
                        "Needs": [_n(v) for v in left["needs"]],
                        "Left unmet per year": _pairs(left["left"].map(_n), left["unit"], "{} {}"),
                        "Of needed": _pairs(left["quantity"].map(_n), left["unit"], "{} {}"),
                    },
                    index=pd.Index(left["material"].astype(str), name="Material"),
                ),
                unmet,
                note="Each need's reason (no compatible output within reach, not worth the "
                "transport, outputs taken by better uses) is in the CSV.",
            )
        )
    metrics = symbiosis.metrics
    if metrics is not None and len(metrics):
        hubs = metrics.sort_values(["degree", "strength"], ascending=False, kind="stable").head(5)
        blocks.append(
            add_table(
                "symbiosis_network_metrics",
                "The firms at the centre of the exchange network",
                pd.DataFrame(
                    {
                        "Partners supplied": [_n(v) for v in hubs["out_degree"]],
                        "Partners supplying it": [_n(v) for v in hubs["in_degree"]],
                        "Betweenness": [_n(v, 3) for v in hubs["betweenness"]],
                    },
                    index=pd.Index([str(v) for v in hubs["label"]], name="Firm"),
                ),
                metrics,
                note="Betweenness: how many shortest paths between other firms run through "
                "it; a firm with a high value links exchanges that would otherwise part. "
                "Every firm is in the CSV.",
            )
        )
    if plan.warnings:
        blocks.append(Bullets(tuple(plan.warnings)))
    return blocks


def _facility_name(facility: str) -> str:
    from ecocluster.shared_facilities import read_facilities

    known = read_facilities()
    return known[facility].name.lower() if facility in known else f"shared {facility}"


def _facility_blocks(symbiosis: SymbiosisAnalysis, add_table: AddTable) -> list[Block]:
    allocation = symbiosis.facility
    if allocation is None or not len(allocation):
        return []
    facts = allocation.attrs
    currency = str(facts.get("currency", ""))
    display = pd.DataFrame(
        {
            "Load": [f"{_n(v, 1)} {facts.get('load_unit', '')}" for v in allocation["load"]],
            "Alone": [_n(v) for v in allocation["standalone_cost"]],
            "By load": [_n(v) for v in allocation["proportional_cost"]],
            "Shapley": [_n(v) for v in allocation["shapley_cost"]],
            "Joining pays": ["yes" if v else "NO" for v in allocation["joins_pays"]],
        },
        index=pd.Index(
            _names(allocation["name"], allocation["member_id"]),
            name="Member",
        ),
    )
    blocks: list[Block] = [
        Paragraph(
            f"A {_facility_name(str(facts.get('facility', '')))} for {len(allocation)} members: "
            f"{_n(facts.get('total_cost', float('nan')))} {currency} a year in all "
            "(annualised investment, operation and connections). Each member's share, by "
            "load and by Shapley value (the average of what it adds to every coalition), "
            f"against what going alone would cost it; Shapley value {facts.get('shapley', '')}."
        ),
        add_table(
            "symbiosis_facility",
            f"Cost shares of the shared facility ({currency} per year)",
            display,
            allocation,
            note="Every cost figure of the bundled facility types is an illustrative "
            "assumption (data/symbiosis/facilities.md); set them from quotations.",
        ),
    ]
    flagged = allocation.loc[~allocation["joins_pays"].astype(bool)]
    if len(flagged):
        names = ", ".join(
            str(n or m) for n, m in zip(flagged["name"], flagged["member_id"], strict=True)
        )
        blocks.append(
            Callout(
                f"Joining does not pay for {names}: its share costs more than going alone "
                "under both rules. A connection subsidy, or leaving it out, keeps the others' "
                "gain.",
                "warning",
            )
        )  # fmt: skip
    return blocks


def symbiosis_section(symbiosis: SymbiosisAnalysis | None, add_table: AddTable) -> Section | None:
    """Exchanges worth making between firms, and a shared facility's cost shares."""
    if symbiosis is None:
        return None
    blocks: list[Block] = []
    if symbiosis.synthetic:
        blocks.append(
            Callout(
                f"Synthetic streams: {symbiosis.source} is invented to show the method; its "
                "firms, quantities and prices are not measured data.",
                "warning",
            )
        )
    blocks += _plan_blocks(symbiosis, add_table)
    blocks += _facility_blocks(symbiosis, add_table)
    return Section("symbiosis", f"Industrial symbiosis: {symbiosis.title}", tuple(blocks))
