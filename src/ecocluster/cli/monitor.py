"""``ecocluster monitor``: measured air, water, noise and soil quality against Viet Nam's
national technical regulations (QCVN), with the WHO guidelines beside them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from rich.text import Text

from ecocluster.cli.console import (
    INPUT_FILE,
    load_analysis,
    out,
    output_option,
    steps,
    wave_options,
)

if TYPE_CHECKING:
    import pandas as pd

PERIODS = ("year", "quarter", "month", "all")


@click.group()
def monitor() -> None:
    """Environmental monitoring: measurements judged against the regulations in force."""


def _classes(values: tuple[str, ...]) -> dict[str, str]:
    from ecocluster.monitoring import MEDIA

    classes: dict[str, str] = {}
    for value in values:
        medium, _, cls = value.partition("=")
        if not cls or medium.strip() not in MEDIA:
            raise click.BadParameter(
                f"{value!r} is not MEDIUM=CLASS with MEDIUM one of {', '.join(MEDIA)}",
                param_hint="--class",
            )
        classes[medium.strip()] = cls.strip()
    return classes


def campaign_options(function: Any, *, required: bool = True) -> Any:
    """``--samples FILE`` or ``--campaign NAME``: the measurements a command works on."""
    need = "" if required else " (optional)"
    function = click.option(
        "--campaign",
        help=f"A bundled campaign{need} (see 'ecocluster monitor campaigns').",
    )(function)
    function = click.option(
        "--samples",
        "samples_path",
        type=INPUT_FILE,
        help=f"Measurements{need} (CSV or XLSX): site, lat, lon, time, medium, parameter, "
        "value, unit, averaging[, cluster, class, method, laboratory].",
    )(function)
    return function


def load_samples(
    samples_path: Path | None, campaign: str | None, *, required: bool = True
) -> pd.DataFrame | None:
    """The samples of a file or of a bundled campaign (None when neither and not required)."""
    if samples_path is not None and campaign is not None:
        raise click.UsageError("give --samples FILE or --campaign NAME, not both")
    if campaign is not None:
        from ecocluster.monitoring_figures import load_example_campaign

        return load_example_campaign(campaign)
    if samples_path is not None:
        from ecocluster.monitoring import read_samples

        return read_samples(samples_path)
    if required:
        raise click.UsageError("give --samples FILE or --campaign NAME")
    return None


def _limits_option(function: Any) -> Any:
    return click.option(
        "--limits",
        "limits_path",
        type=INPUT_FILE,
        help="Your own limits CSV (the bundled limits.csv's columns) instead of the QCVN table.",
    )(function)


@monitor.command("assess")
@campaign_options
@_limits_option
@click.option(
    "--class",
    "class_values",
    multiple=True,
    metavar="MEDIUM=CLASS",
    help="Class for samples without one, e.g. surface_water=B1 or noise=normal. Repeatable.",
)
@click.option(
    "--period",
    type=click.Choice(PERIODS),
    default="year",
    show_default=True,
    help="Period of the summary table.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Worst parameters listed per cluster.",
)
@click.option("--json", "as_json", is_flag=True, help="Print summary, worst and trends as JSON.")
@output_option(
    "Folder for assessed.csv, summary.csv, worst.csv, trends.csv, sites.csv, "
    "sites.geojson and the site map (SVG and PNG).",
    folder=True,
    required=False,
)
def monitor_assess(
    samples_path: Path | None,
    campaign: str | None,
    limits_path: Path | None,
    class_values: tuple[str, ...],
    period: str,
    top: int,
    as_json: bool,
    output: Path | None,
) -> None:
    """Judge every sample against the limit in force on its day, and summarise.

    The ratio is value / limit ("TSP 3.2 × the 24-hour limit"); for minimum limits
    (dissolved oxygen, pH) it is limit / value, so above 1 always fails. A value below
    detection is never claimed to exceed.

    \b
    Examples:
      ecocluster monitor assess --campaign monitoring-red-river
      ecocluster monitor assess --samples lab.xlsx --class surface_water=B1 -o assessed/
    """
    from ecocluster.assessment import (
        assess_samples,
        compute_trends,
        summarise_exceedance,
        worst_parameters,
    )
    from ecocluster.figure_style import write_figure
    from ecocluster.json_data import to_json_data
    from ecocluster.monitoring_figures import draw_site_map, summarise_sites, write_geojson
    from ecocluster.standards import read_limits

    classes = _classes(class_values)
    with steps("monitor") as step:
        step("reading the samples")
        samples = load_samples(samples_path, campaign)
        assert samples is not None
        limits = read_limits(limits_path) if limits_path is not None else None
        step("assessing")
        assessed = assess_samples(samples, limits, classes=classes or None)
        summary = summarise_exceedance(assessed, period=None if period == "all" else period)
        worst = worst_parameters(assessed, "cluster", n=top)
        trends = compute_trends(assessed)
        sites = summarise_sites(assessed)
    if output is not None:
        from ecocluster.output import staged_folder, write_csv

        with staged_folder(output, "assessment") as folder:
            for name, frame in (
                ("assessed", assessed),
                ("summary", summary),
                ("worst", worst),
                ("trends", trends),
                ("sites", sites),
            ):
                write_csv(frame, folder / f"{name}.csv")
            write_geojson(sites, folder / "sites.geojson")
            for suffix in (".svg", ".png"):
                write_figure(lambda: draw_site_map(sites), folder / f"map{suffix}")
    if as_json:
        payload = {
            "file": str(samples_path) if samples_path else None,
            "campaign": campaign,
            "samples": len(assessed),
            "with_limit": int(assessed["compliance"].ne("no-limit").sum()),
            "exceeding": int(assessed["exceeds"].sum()),
            "summary": summary.to_dict(orient="records"),
            "worst": worst.to_dict(orient="records"),
            "trends": trends.to_dict(orient="records"),
        }
        print(json.dumps(to_json_data(payload, "assessment"), ensure_ascii=False))
        return
    _print_assessment(assessed, worst, trends)
    if output is not None:
        out.print(f"wrote {output}", markup=False)


def _print_assessment(assessed: pd.DataFrame, worst: pd.DataFrame, trends: pd.DataFrame) -> None:
    counts = assessed["compliance"].value_counts()
    with_limit = len(assessed) - int(counts.get("no-limit", 0))
    out.print(
        f"{len(assessed):,} samples, {with_limit:,} with a limit in force, "
        f"{int(counts.get('exceeds', 0)):,} exceeding it"
        + (
            f", {int(counts.get('undetermined', 0)):,} undetermined"
            if "undetermined" in counts
            else ""
        ),
        markup=False,
    )
    table = Table("cluster", "rank", "worst parameters", "samples exceeding")
    for row in worst.itertuples(index=False):
        share = f"{row.exceeding} of {row.assessed} ({row.share:.0%})"
        table.add_row(Text(str(row.cluster)), str(row.rank), Text(str(row.description)), share)
    out.print(table)
    moving = trends[trends["direction"].isin(("rising", "falling"))]
    for row in moving.itertuples(index=False):
        out.print(
            f"trend: {row.site} {row.parameter} ({row.averaging}) {row.direction}, "
            f"{row.slope_per_year:+.3g} × the limit per year, {row.first_year}–{row.last_year} "
            f"(p = {row.p_value:.3f})",
            markup=False,
        )


@monitor.command("limits")
@_limits_option
@click.option("--medium", help="Only this medium (ambient_air, surface_water, ...).")
@click.option("--parameter", help="Only this parameter (any name a lab sheet uses: TSP, Bụi).")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only the limits in force on this day (YYYY-MM-DD; default: all editions).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the limits as JSON records.")
def monitor_limits(
    limits_path: Path | None,
    medium: str | None,
    parameter: str | None,
    on: dt.datetime | None,
    as_json: bool,
) -> None:
    """List the limit values of the QCVN editions and WHO guidelines, with their citation.

    \b
    Examples:
      ecocluster monitor limits --parameter TSP --date 2015-06-01
      ecocluster monitor limits --medium surface_water --json
    """
    import pandas as pd

    from ecocluster.standards import match_parameter, read_limits

    table = read_limits(limits_path)
    if medium is not None:
        if medium not in set(table["medium"]):
            known = ", ".join(sorted(set(table["medium"])))
            raise click.BadParameter(f"no medium {medium!r}; media: {known}", param_hint="--medium")
        table = table[table["medium"] == medium]
    if parameter is not None:
        table = table[table["parameter"] == match_parameter(parameter, medium)]
    if on is not None:
        day = pd.Timestamp(on)
        ends = table["valid_to"].fillna(pd.Timestamp.max)
        table = table[(table["valid_from"] <= day) & (day < ends)]
    columns = ["standard", "medium", "parameter", "averaging", "class", "lower", "upper", "unit"]
    if as_json:
        print(
            table[[*columns, "valid_from", "valid_to", "citation"]].to_json(
                orient="records", force_ascii=False, date_format="iso"
            )
        )
        return
    shown = Table(*columns, "citation")
    for cells, citation in zip(
        table[columns].itertuples(index=False, name=None), table["citation"], strict=True
    ):
        shown.add_row(
            *[
                Text("" if pd.isna(v) else f"{v:g}" if isinstance(v, float) else str(v))
                for v in cells
            ],
            Text(str(citation)),
        )
    out.print(shown)
    out.print(f"{len(table)} limits", markup=False)


@monitor.command("campaigns")
def monitor_campaigns() -> None:
    """List the measurement campaigns that ship with ecocluster."""
    from ecocluster.monitoring_figures import example_campaigns

    table = Table("name", "title", "period", "clusters", "synthetic")
    table.columns[0].no_wrap = True  # names are typed back in commands
    for row in example_campaigns().itertuples(index=False):
        table.add_row(
            str(row.name),
            Text(str(row.title)),
            str(row.period),
            Text(str(row.clusters)),
            "yes" if row.synthetic else "no",
        )
    out.print(table)


@monitor.command("map")
@campaign_options
@_limits_option
@click.option(
    "--class", "class_values", multiple=True, metavar="MEDIUM=CLASS", help="As in 'assess'."
)
@output_option("Map file: .svg or .png (a static map, no internet needed), or .geojson.")
@click.option("--title", default="", help="Title above the map.")
def monitor_map(
    samples_path: Path | None,
    campaign: str | None,
    limits_path: Path | None,
    class_values: tuple[str, ...],
    output: Path,
    title: str,
) -> None:
    """Map the sites, coloured by how many times the limit their worst parameter reaches.

    \b
    Examples:
      ecocluster monitor map --campaign monitoring-red-river -o sites.png
      ecocluster monitor map --samples campaign.csv -o sites.geojson
    """
    from ecocluster.assessment import assess_samples
    from ecocluster.figure_style import write_figure
    from ecocluster.monitoring_figures import draw_site_map, summarise_sites, write_geojson
    from ecocluster.standards import read_limits

    suffix = output.suffix.lower()
    if suffix not in (".svg", ".png", ".geojson"):
        raise click.BadParameter("write a .svg, .png or .geojson file", param_hint="--output")
    samples = load_samples(samples_path, campaign)
    assert samples is not None
    limits = read_limits(limits_path) if limits_path is not None else None
    sites = summarise_sites(assess_samples(samples, limits, classes=_classes(class_values) or None))
    if suffix == ".geojson":
        write_geojson(sites, output)
    else:
        write_figure(lambda: draw_site_map(sites, title=title), output)
    out.print(f"wrote {output}: {len(sites)} sites", markup=False)


@monitor.command("series")
@campaign_options
@_limits_option
@click.option("--site", required=True, help="Site code, as in the samples.")
@click.option("--parameter", required=True, help="Parameter (any name a lab sheet uses).")
@click.option("--averaging", help="Averaging period, when the site has several (e.g. 24h).")
@output_option("Figure file: .svg or .png.")
def monitor_series(
    samples_path: Path | None,
    campaign: str | None,
    limits_path: Path | None,
    site: str,
    parameter: str,
    averaging: str | None,
    output: Path,
) -> None:
    """Draw one site's measurements of one parameter over time, with the limit in force.

    \b
    Example:
      ecocluster monitor series --campaign monitoring-red-river --site VP-S2 \\
          --parameter Cr6+ -o cr6.png
    """
    from ecocluster.assessment import assess_samples
    from ecocluster.figure_style import write_figure
    from ecocluster.monitoring_figures import draw_time_series
    from ecocluster.standards import read_limits

    samples = load_samples(samples_path, campaign)
    assert samples is not None
    sites = sorted({str(s) for s in samples["site"]})
    if site not in sites:
        raise click.BadParameter(
            f"no site {site!r}; sites: {', '.join(sites)}", param_hint="--site"
        )
    limits = read_limits(limits_path) if limits_path is not None else None
    assessed = assess_samples(samples, limits)
    write_figure(
        lambda: draw_time_series(assessed, site, parameter, averaging=averaging, limits=limits),
        output,
    )
    out.print(f"wrote {output}", markup=False)


@monitor.command("perception")
@campaign_options
@wave_options
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON records.")
def monitor_perception(
    samples_path: Path | None,
    campaign: str | None,
    example: str | None,
    db: str | None,
    wave: str | None,
    as_json: bool,
) -> None:
    """Set the firms' perceived seriousness of noise, air and water pollution beside the
    measured exceedance, cluster by cluster, with a reading of where they disagree.

    \b
    Example:
      ecocluster monitor perception --campaign monitoring-red-river --example red-river-2007
    """
    from ecocluster.assessment import assess_samples
    from ecocluster.perception import compare_perception

    samples = load_samples(samples_path, campaign)
    assert samples is not None
    with steps("perception") as step:
        analysis = load_analysis(example, db, wave, step, fit_models=False, network=False)
        step("assessing the samples")
        table = compare_perception(analysis.firms, assess_samples(samples))
    if as_json:
        print(table.to_json(orient="records", force_ascii=False))
        return
    for row in table.itertuples(index=False):
        out.print(f"• {row.reading}", markup=False)
