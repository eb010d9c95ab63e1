"""``ecocluster symbiosis``: exchanges of wastes, by-products, water and energy between
firms, the plan that saves most, and shared facilities with their costs shared fairly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from rich.text import Text

from ecocluster.cli.console import INPUT_FILE, out, output_option, steps

if TYPE_CHECKING:
    from ecocluster.symbiosis_analysis import SymbiosisAnalysis


def symbiosis_options(function: Any) -> Any:
    """``--symbiosis-example NAME`` or ``--streams FILE --transport-cost X [--members
    FILE]``: the exchanges a report adds a symbiosis section for."""
    for option in reversed(
        (
            click.option(
                "--symbiosis-example",
                help="Add the symbiosis section of a bundled example "
                "(see 'ecocluster symbiosis examples').",
            ),
            click.option(
                "--streams",
                "streams_path",
                type=INPUT_FILE,
                help="Add a symbiosis section planned from this streams file (CSV/XLSX).",
            ),
            click.option(
                "--transport-cost",
                type=click.FloatRange(min=0),
                help="With --streams: transport cost per tonne-km (m3-km, MWh-km).",
            ),
            click.option(
                "--members",
                "members_path",
                type=INPUT_FILE,
                help="With --streams: members of a shared facility, whose cost shares are added.",
            ),
        )
    ):
        function = option(function)
    return function


def load_symbiosis(
    example: str | None,
    streams_path: Path | None,
    transport_cost: float | None,
    members_path: Path | None,
    step: Callable[[str], None] | None = None,
) -> SymbiosisAnalysis | None:
    """The symbiosis analysis `symbiosis_options` asked for, or None."""
    if example is not None and streams_path is not None:
        raise click.UsageError("give --symbiosis-example or --streams, not both")
    if step is not None and (example is not None or streams_path is not None):
        step("the symbiosis plan")
    if example is not None:
        from ecocluster.symbiosis_analysis import analyse_symbiosis_example

        return analyse_symbiosis_example(example)
    if streams_path is None:
        if transport_cost is not None or members_path is not None:
            raise click.UsageError("--transport-cost and --members go with --streams")
        return None
    if transport_cost is None:
        raise click.UsageError("--streams needs --transport-cost (per tonne-km)")
    from ecocluster.shared_facilities import read_members
    from ecocluster.symbiosis import read_streams
    from ecocluster.symbiosis_analysis import analyse_symbiosis

    members = read_members(members_path) if members_path is not None else None
    return analyse_symbiosis(
        read_streams(streams_path), transport_cost_per_tkm=transport_cost, members=members
    )


@click.group()
def symbiosis() -> None:
    """Industrial symbiosis: exchanges between firms and shared facilities."""


@symbiosis.command("materials")
def symbiosis_materials() -> None:
    """List the material classes a streams file may name (ids, English, Vietnamese)."""
    from ecocluster.symbiosis import read_materials

    table = Table("id", "label", "label_vi", "group", "unit", "ewc")
    table.columns[0].no_wrap = True  # ids are typed into streams files
    for id_, row in read_materials().iterrows():
        table.add_row(
            str(id_),
            Text(str(row["label"])),
            Text(str(row["label_vi"])),
            str(row["group"]),
            str(row["unit"]),
            str(row["ewc"] or ""),
        )
    out.print(table)


@symbiosis.command("examples")
def symbiosis_examples() -> None:
    """List the bundled symbiosis examples (synthetic, labelled) for --example."""
    from ecocluster.symbiosis_examples import example_symbioses

    table = Table("name", "title", "synthetic", "transport cost per t-km")
    table.columns[0].no_wrap = True  # names are typed after --example
    for row in example_symbioses().itertuples(index=False):
        table.add_row(
            str(row.name),
            Text(str(row.title)),
            "yes" if row.synthetic else "no",
            f"{row.transport_cost:,.6g}",
        )
    out.print(table)


@symbiosis.command("facility")
@click.option(
    "--members",
    "members_path",
    type=INPUT_FILE,
    required=True,
    help="Members CSV/XLSX: member_id, facility, load, unit[, name, distance_km, "
    "connection_cost, standalone_cost].",
)
@click.option("--facility", help="Facility type (default: the one the members name).")
@click.option(
    "--rate",
    type=click.FloatRange(min=0, max=1, max_open=True),
    default=0.10,
    show_default=True,
    help="Discount rate for annualising investments.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the allocation as JSON.")
@output_option("CSV file for the allocation.", required=False)
def symbiosis_facility(
    members_path: Path, facility: str | None, rate: float, as_json: bool, output: Path | None
) -> None:
    """Size a shared facility from its members' loads and share its cost, by load and by
    Shapley value, each against going alone; flag members for whom joining does not pay.

    \b
    Example:
      ecocluster symbiosis facility --members dyeing_households.csv
    """
    from ecocluster.shared_facilities import allocate_costs, read_members

    members = read_members(members_path)
    kinds = sorted({str(f) for f in members["facility"]})
    if facility is None:
        if len(kinds) != 1:
            raise click.UsageError(f"the members name several facilities ({', '.join(kinds)}); "
                                   "choose one with --facility")  # fmt: skip
        facility = kinds[0]
    allocation = allocate_costs(members, facility, rate=rate)
    facts = allocation.attrs
    if output is not None:
        from ecocluster.output import write_csv, write_file

        write_file(output, lambda path: write_csv(allocation, path))
    if as_json:
        from ecocluster.json_data import to_json_data

        payload = {"attrs": facts, "members": allocation}
        print(json.dumps(to_json_data(payload, "allocation"), ensure_ascii=False))
        return
    currency = facts.get("currency", "")
    out.print(
        f"{facts['facility']}: {len(allocation)} members, total cost "
        f"{facts['total_cost']:,.0f} {currency} a year (Shapley: {facts['shapley']})",
        markup=False,
    )
    table = Table("member", "load", "alone", "by load", "Shapley", "joining pays")
    for row in allocation.itertuples(index=False):
        table.add_row(
            Text(str(row.name or row.member_id)),
            f"{row.load:,.3g}",
            f"{row.standalone_cost:,.0f}",
            f"{row.proportional_cost:,.0f}",
            f"{row.shapley_cost:,.0f}",
            "yes" if row.joins_pays else "NO",
        )
    out.print(table)
    if output is not None:
        out.print(f"wrote {output}", markup=False)


@symbiosis.command("match")
@click.option("--example", help="A bundled example (see 'ecocluster symbiosis examples').")
@click.option(
    "--streams",
    "streams_path",
    type=INPUT_FILE,
    help="Streams CSV/XLSX: firm, lat, lon, direction (output/input), material, quantity, "
    "unit[, price, disposal_cost, virgin_price, quality, ewc, hs].",
)
@click.option(
    "--rules",
    "rules_path",
    type=INPUT_FILE,
    help="Your own compatibility rules (the bundled rules.csv's columns).",
)
@click.option(
    "--transport-cost",
    type=click.FloatRange(min=0),
    help="Transport cost per tonne-km (m3-km, MWh-km) in the streams' currency "
    "(required with --streams; an example has its own).",
)
@click.option(
    "--k", type=click.IntRange(min=1), default=20, show_default=True,
    help="Candidate partners per output (nearest compatible needs).",
)  # fmt: skip
@click.option("--max-km", type=click.FloatRange(min=0), help="Longest exchange, in km.")
@click.option("--budget", type=click.FloatRange(min=0), help="Cap on total treatment cost.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@output_option(
    "Folder for exchanges.csv, firms.csv, streams.csv, the plan's network (metrics.csv, "
    "map.svg/png, network.graphml).",
    folder=True,
    required=False,
)
def symbiosis_match(
    example: str | None,
    streams_path: Path | None,
    rules_path: Path | None,
    transport_cost: float | None,
    k: int,
    max_km: float | None,
    budget: float | None,
    as_json: bool,
    output: Path | None,
) -> None:
    """Find the exchanges worth making and the plan that saves most: transport and
    treatment against disposal and virgin material avoided, within what each firm has and
    needs. Unmet needs are reported, never an error.

    \b
    Examples:
      ecocluster symbiosis match --streams village.csv --transport-cost 5000 -o plan/
      ecocluster symbiosis match --example symbiosis-industrial-zone
    """
    from ecocluster.symbiosis import read_rules, read_streams
    from ecocluster.symbiosis_match import plan_exchanges

    if (example is None) == (streams_path is None):
        raise click.UsageError("give either --streams FILE or --example NAME")
    if streams_path is not None and transport_cost is None:
        raise click.UsageError("--streams needs --transport-cost (per tonne-km)")
    with steps("symbiosis") as step:
        step("reading the streams")
        if streams_path is not None:
            streams = read_streams(streams_path)
        else:
            from ecocluster.symbiosis_examples import example_settings, load_example_streams

            assert example is not None  # checked above
            streams = load_example_streams(example)
            if transport_cost is None:
                transport_cost = float(example_settings(example)["transport_cost_per_tkm"])
        assert transport_cost is not None  # checked above
        rules = read_rules(rules_path) if rules_path is not None else None
        step("candidates and the optimal plan")
        plan = plan_exchanges(
            streams,
            transport_cost_per_tkm=transport_cost,
            budget=budget,
            rules=rules,
            k=k,
            max_km=max_km,
        )
        if output is not None:
            step("writing the plan and its network")
            _write_plan(plan, output)
    if as_json:
        print(json.dumps(plan.to_json_data(), ensure_ascii=False))
        return
    totals = plan.totals
    out.print(
        f"{int(totals['exchanges'])} exchanges among {int(totals['firms'])} firms "
        f"({plan.solver}, {plan.status}): net saving {totals['net_saving']:,.0f} a year, "
        f"{totals['diverted_t']:,.1f} t kept from disposal, {totals['co2e_avoided_t']:,.1f} "
        f"tCO2e avoided; {int(totals['inputs_unmet'])} needs not fully met",
        markup=False,
    )
    table = Table("from", "to", "material", "quantity", "km", "net saving")
    for row in plan.exchanges.itertuples(index=False):
        table.add_row(
            Text(str(row.supplier_name or row.supplier_firm)),
            Text(str(row.receiver_name or row.receiver_firm)),
            f"{row.output} → {row.input}",
            f"{row.quantity:,.1f} {row.unit}",
            f"{row.distance_km:.1f}",
            f"{row.net_saving:,.0f}",
        )
    out.print(table)
    for warning in plan.warnings:
        out.print(f"warning: {warning}", markup=False)
    if output is not None:
        out.print(f"wrote {output}", markup=False)


def _write_plan(plan: object, output: Path) -> None:
    """The plan's tables, and its exchanges as an inter-firm network with metrics and map."""
    from ecocluster.figure_style import write_figure
    from ecocluster.interfirm_map import draw_interfirm_map
    from ecocluster.network import compute_node_metrics
    from ecocluster.output import staged_folder, write_csv
    from ecocluster.symbiosis_analysis import plan_network
    from ecocluster.symbiosis_match import Plan

    assert isinstance(plan, Plan)
    network = plan_network(plan)
    with staged_folder(output, "symbiosis plan") as folder:
        for name, frame in (
            ("exchanges", plan.exchanges),
            ("firms", plan.firms),
            ("streams", plan.streams),
        ):
            write_csv(frame, folder / f"{name}.csv")
        if network is not None:
            write_csv(compute_node_metrics(network), folder / "metrics.csv")
            network.to_graphml(folder / "network.graphml")
            for suffix in (".svg", ".png"):
                write_figure(lambda: draw_interfirm_map(network), folder / f"map{suffix}")


@symbiosis.command("recall")
@click.option(
    "--published",
    default="kalundborg",
    show_default=True,
    help="A bundled published symbiosis that has streams (see 'ecocluster network import').",
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@output_option("CSV file for the comparison, one row per published exchange.", required=False)
def symbiosis_recall(published: str, as_json: bool, output: Path | None) -> None:
    """Check the matcher against a real symbiosis: plan the exchanges of its firms' streams
    and count how many of the published exchanges the plan proposes, and which it adds.

    The streams' quantities and prices are assumptions (see the data's README); the
    published exchanges are not.

    \b
    Example:
      ecocluster symbiosis recall --published kalundborg
    """
    import pandas as pd

    from ecocluster.interfirm import load_published_network
    from ecocluster.symbiosis_match import plan_exchanges
    from ecocluster.symbiosis_published import compare_with_published, load_published_streams

    with steps("recall") as step:
        step("reading the published exchanges and their firms' streams")
        streams = load_published_streams(published)
        network = load_published_network(streams.name)
        step("the optimal plan")
        plan = plan_exchanges(streams.streams, transport_cost_per_tkm=streams.transport_cost)
        comparison = compare_with_published(plan, network.ties, streams.classes)
        if output is not None:
            from ecocluster.output import write_csv, write_file

            write_file(output, lambda path: write_csv(comparison, path))
    facts = comparison.attrs
    if as_json:
        from ecocluster.json_data import to_json_data

        payload = {"attrs": facts, "exchanges": comparison}
        print(json.dumps(to_json_data(payload, "recall"), ensure_ascii=False))
        return
    out.print(
        f"{streams.name}: the plan proposes {facts['proposed']} of the {facts['expressible']} "
        f"published exchanges the taxonomy can express ({facts['published']} published), "
        f"and {len(facts['extra'])} that were never made",
        markup=False,
    )
    table = Table("year", "from", "to", "material", "proposed")
    for row in comparison.to_dict("records"):
        year = "" if pd.isna(row["year"]) else f"{float(row['year']):.0f}"
        verdict = "yes" if row["proposed"] else f"no: {row['reason']}"
        table.add_row(
            year,
            str(row["supplier"]),
            str(row["receiver"]),
            Text(str(row["material"])),
            Text(verdict),
        )
    out.print(table)
    for extra in facts["extra"].itertuples(index=False):
        out.print(
            f"also proposed: {extra.supplier} → {extra.receiver} ({extra.output} → {extra.input})",
            markup=False,
        )
    if output is not None:
        out.print(f"wrote {output}", markup=False)
