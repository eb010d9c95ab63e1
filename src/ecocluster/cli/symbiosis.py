"""``ecocluster symbiosis``: exchanges of wastes, by-products, water and energy between
firms, the plan that saves most, and shared facilities with their costs shared fairly."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ecocluster.cli.console import out, output_option


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


@symbiosis.command("facility")
@click.option(
    "--members",
    "members_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
