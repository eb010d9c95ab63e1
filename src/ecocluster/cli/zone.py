"""``ecocluster recp`` and ``ecocluster zone``: cleaner-production programmes of industrial
zones, their roll-ups and cost curve, and the zone report with park readiness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from rich.text import Text

from ecocluster.cli.console import INPUT_FILE, out, output_option, steps
from ecocluster.cli.symbiosis import load_symbiosis, symbiosis_options

if TYPE_CHECKING:
    from ecocluster.recp import Programme

BY = ("zone", "sector", "enterprise", "programme")


def _programme_options(function: Any) -> Any:
    function = click.option(
        "--example", help="A bundled programme (see 'ecocluster recp examples')."
    )(function)
    function = click.option(
        "--programme",
        "programme_path",
        type=click.Path(exists=True, path_type=Path),
        help="A folder of enterprises, baselines, options and status tables (CSV or XLSX), "
        "or one workbook with those sheets.",
    )(function)
    return function


def _programme(programme_path: Path | None, example: str | None) -> Programme:
    if (programme_path is None) == (example is None):
        raise click.UsageError("give either --programme PATH or --example NAME")
    if example is not None:
        from ecocluster.recp import load_example_programme

        return load_example_programme(example)
    from ecocluster.recp import read_programme

    return read_programme(programme_path)  # type: ignore[arg-type]


@click.group()
def recp() -> None:
    """Resource-efficient and cleaner production (RECP): audits, options and savings."""


@recp.command("examples")
def recp_examples() -> None:
    """List the bundled programmes."""
    from ecocluster.recp import example_programmes

    table = Table("name", "title", "synthetic")
    table.columns[0].no_wrap = True  # names are typed back in commands
    for row in example_programmes().itertuples(index=False):
        table.add_row(str(row.name), Text(str(row.title)), "yes" if row.synthetic else "no")
    out.print(table)


@recp.command("rollup")
@_programme_options
@click.option("--by", type=click.Choice(BY), default="zone", show_default=True, help="Roll up by.")
@click.option("--json", "as_json", is_flag=True, help="Print the roll-up as JSON records.")
@output_option("CSV file for the roll-up.", required=False)
def recp_rollup(
    programme_path: Path | None,
    example: str | None,
    by: str,
    as_json: bool,
    output: Path | None,
) -> None:
    """Enterprises registered and audited, options recommended, implemented and verified,
    and their savings, by zone, sector, enterprise or for the programme.

    \b
    Examples:
      ecocluster recp rollup --example eip-pilot-zones --by programme
      ecocluster recp rollup --programme audits.xlsx --by sector -o sectors.csv
    """
    from ecocluster.recp_finance import compute_rollups

    table = compute_rollups(_programme(programme_path, example), by)
    if output is not None:
        from ecocluster.output import write_csv, write_file

        write_file(output, lambda path: write_csv(table, path))
        out.print(f"wrote {output}", markup=False)
        return
    if as_json:
        print(table.to_json(orient="records", force_ascii=False))
        return
    columns = [
        by,
        "enterprises_registered",
        "enterprises_audited",
        "options_recommended",
        "options_implemented",
        "options_verified",
        "energy_gj_recommended",
        "co2e_t_recommended",
    ]
    shown = Table(
        by, "registered", "audited", "options", "implemented", "verified", "GJ/yr", "tCO2e/yr"
    )
    for row in table[columns].itertuples(index=False, name=None):
        shown.add_row(Text(str(row[0])), *[f"{v:,.0f}" for v in row[1:]])
    out.print(shown)


@recp.command("cost-curve")
@_programme_options
@click.option(
    "--saving",
    type=click.Choice(["energy_gj", "electricity_kwh", "co2e_t", "water_m3"]),
    default="energy_gj",
    show_default=True,
    help="What the curve measures the options by.",
)
@click.option(
    "--discount-rate",
    type=click.FloatRange(min=0, max=1, max_open=True),
    default=0.10,
    show_default=True,
    help="Discount rate for annualising investments.",
)
@output_option("Figure (.svg, .png) or table (.csv) of the cost curve.")
def recp_cost_curve(
    programme_path: Path | None,
    example: str | None,
    saving: str,
    discount_rate: float,
    output: Path,
) -> None:
    """The options ordered by cost per unit saved: what the zone can save at what cost.

    \b
    Example:
      ecocluster recp cost-curve --example eip-pilot-zones -o curve.png
    """
    from ecocluster.recp_finance import compute_cost_curve, draw_cost_curve

    suffix = output.suffix.lower()
    if suffix not in (".svg", ".png", ".csv"):
        raise click.BadParameter("write a .svg, .png or .csv file", param_hint="--output")
    curve = compute_cost_curve(_programme(programme_path, example), saving, discount_rate)
    if suffix == ".csv":
        from ecocluster.output import write_csv, write_file

        write_file(output, lambda path: write_csv(curve, path))
    else:
        from ecocluster.figure_style import write_figure

        write_figure(lambda: draw_cost_curve(curve), output)
    out.print(f"wrote {output}: {len(curve)} options", markup=False)


@click.group()
def zone() -> None:
    """Industrial zones: the zone report of a programme and its parks."""


@zone.command("report")
@_programme_options
@click.option(
    "--parks",
    "parks_path",
    type=INPUT_FILE,
    help="Filled park templates (see 'ecocluster eip template'); bundled examples have theirs.",
)
@click.option(
    "--criteria",
    default="vn-decree-35-2022",
    show_default=True,
    help="Criteria set for the parks (see 'ecocluster eip criteria') or a .toml file.",
)
@click.option(
    "--discount-rate",
    type=click.FloatRange(min=0, max=1, max_open=True),
    default=0.10,
    show_default=True,
    help="Discount rate for the cost curve.",
)
@symbiosis_options
@click.option("--json", "as_json", is_flag=True, help="Also print the summary as JSON.")
@output_option("Folder for report.html, tables/*.csv and summary.json.", folder=True)
def zone_report(
    programme_path: Path | None,
    example: str | None,
    parks_path: Path | None,
    criteria: str,
    discount_rate: float,
    symbiosis_example: str | None,
    streams_path: Path | None,
    transport_cost: float | None,
    members_path: Path | None,
    as_json: bool,
    output: Path,
) -> None:
    """Write the zone report: programme roll-ups, the cost curve, park readiness and, with
    streams, the exchanges worth making between the zone's firms.

    \b
    Examples:
      ecocluster zone report --example eip-pilot-zones -o out/zone
      ecocluster zone report --programme audits/ --parks parks.xlsx -o out/my-zone
      ecocluster zone report --example eip-pilot-zones \\
          --symbiosis-example symbiosis-industrial-zone -o out/zone
    """
    from ecocluster.eip import read_park
    from ecocluster.report.zone import analyse_zone, write_zone_report

    with steps("zone report") as step:
        step("reading the programme")
        programme = _programme(programme_path, example)
        synthetic, title, parks, context = False, "", None, None
        if example is not None:
            from ecocluster.recp import example_programmes, load_example_parks, national_context

            name = str(programme.enterprises.attrs.get("example", example))
            meta = example_programmes().set_index("name").loc[name]
            synthetic, title = bool(meta["synthetic"]), str(meta["title"])
            parks, context = load_example_parks(name), national_context()
        if parks_path is not None:
            parks = read_park(parks_path)
        symbiosis = load_symbiosis(
            symbiosis_example, streams_path, transport_cost, members_path, step
        )
        step("roll-ups, cost curve and readiness")
        analysis = analyse_zone(
            programme,
            parks=parks,
            criteria=Path(criteria) if criteria.endswith(".toml") else criteria,
            discount_rate=discount_rate,
            title=title,
            synthetic=synthetic,
            context=context,
            symbiosis=symbiosis,
        )
        step("figures and HTML")
        files = write_zone_report(analysis, output)
    if as_json:
        print(json.dumps(analysis.summary(), ensure_ascii=False))
    out.print(f"wrote {files.html} ({len(files.tables)} tables as CSV)", markup=False)
