"""``ecocluster network``: maps, metrics and exports of environmental innovation networks.

A command works on the network of a surveyed wave (``--example`` or ``--db``/``--wave``,
optionally extended with interview ties: ``--ties``/``--actors``), or on an edge list
(``metrics --edges``).
"""

from __future__ import annotations

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

    from ecocluster.network import Network


@click.group()
def network() -> None:
    """Environmental innovation networks: who brings clean technology into a cluster."""


def _network_options(function: Any) -> Any:
    function = click.option(
        "--cluster", help="Only this cluster's actors and ties (its code, e.g. bat_trang)."
    )(function)
    function = click.option(
        "--actors",
        "actors_path",
        type=INPUT_FILE,
        help="CSV of new actors the tie list names (id, label, kind[, zone, geography, cluster]).",
    )(function)
    function = click.option(
        "--ties",
        "ties_path",
        type=INPUT_FILE,
        help="CSV of interview ties to add (source, target, kind[, initiator, importance, year]).",
    )(function)
    return wave_options(function)


def _survey_network(
    example: str | None,
    db: str | None,
    wave: str | None,
    ties_path: Path | None,
    actors_path: Path | None,
    cluster: str | None,
) -> Network:
    """The wave's network, extended with interview ties, cut to one cluster when asked."""
    from ecocluster.errors import InputError
    from ecocluster.network import extend_network, read_actors, read_ties

    if actors_path is not None and ties_path is None:
        raise click.UsageError("--actors goes with --ties")
    with steps("network") as step:
        analysis = load_analysis(example, db, wave, step, fit_models=False)
    built = analysis.network
    if built is None:
        raise InputError(
            f"the instrument of wave {analysis.study.wave!r} maps no knowledge sources, "
            "so the survey gives no innovation network",
            rule="no-network",
        )
    if ties_path is not None:
        actors = read_actors(actors_path) if actors_path is not None else None
        built = extend_network(built, read_ties(ties_path), actors)
    if cluster is None:
        return built
    known = sorted({str(c) for c in built.actors["cluster"] if c})
    if cluster not in known:
        raise click.BadParameter(
            f"no cluster {cluster!r} in this network; clusters: {', '.join(known)}",
            param_hint="--cluster",
        )
    return built.subnetwork(cluster)


def _print_table(frame: pd.DataFrame, title: str = "", limit: int | None = None) -> None:
    """A terminal table; JSON output (``--json``) carries every column and row."""
    shown = frame if limit is None else frame.head(limit)
    table = Table(*[str(column) for column in shown.columns], title=title or None)
    for row in shown.itertuples(index=False):
        table.add_row(
            *[Text(f"{value:.4g}" if isinstance(value, float) else str(value)) for value in row]
        )
    out.print(table)
    if len(shown) < len(frame):
        out.print(f"{len(frame) - len(shown)} more rows; --json prints them all", markup=False)


@network.command("metrics")
@click.option(
    "--edges",
    "edges_path",
    type=INPUT_FILE,
    help="CSV edge list, one tie per row (instead of a surveyed wave).",
)
@click.option("--source", default="source", show_default=True, help="Column of the tie's source.")
@click.option("--target", default="target", show_default=True, help="Column of the tie's target.")
@click.option("--weight", default=None, help="Column of tie weights (default: every tie 1).")
@click.option("--undirected", is_flag=True, help="Treat the edge list's ties as undirected.")
@_network_options
@click.option(
    "--top", type=click.IntRange(min=1), default=25, show_default=True, help="Rows shown."
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON records.")
def network_metrics(
    edges_path: Path | None,
    source: str,
    target: str,
    weight: str | None,
    undirected: bool,
    example: str | None,
    db: str | None,
    wave: str | None,
    ties_path: Path | None,
    actors_path: Path | None,
    cluster: str | None,
    top: int,
    as_json: bool,
) -> None:
    """Per-actor degree, strength, betweenness (and brokerage for a surveyed network).

    \b
    Examples:
      ecocluster network metrics --edges ties.csv --source supplier --target receiver --json
      ecocluster network metrics --example red-river-2007 --cluster bat_trang
      ecocluster network metrics --db survey.sqlite --wave bt-2025 --ties interviews.csv
    """
    from ecocluster.network import compute_node_metrics, metrics_from_edges, read_edge_list

    if edges_path is not None:
        if example or db or wave or ties_path or actors_path or cluster:
            raise click.UsageError("--edges works alone; the wave options are for surveys")
        edges = read_edge_list(edges_path, source, target, weight)
        metrics = metrics_from_edges(
            edges, source=source, target=target, weight=weight, directed=not undirected
        )
    else:
        built = _survey_network(example, db, wave, ties_path, actors_path, cluster)
        metrics = compute_node_metrics(built).sort_values(
            ["brokerage", "degree"], ascending=False, kind="stable"
        )
    if as_json:
        print(metrics.to_json(orient="records", force_ascii=False))
        return
    if edges_path is None:
        columns = ["label", "zone", "degree", "strength", "betweenness", "brokerage"]
        _print_table(metrics[columns], title="Actors by brokerage", limit=top)
    else:
        _print_table(metrics, limit=top)
    out.print(f"betweenness: {metrics.attrs['betweenness']}", markup=False)


@network.command("outreach")
@_network_options
@click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True, help="Actors to list."
)
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON records.")
def network_outreach(
    example: str | None,
    db: str | None,
    wave: str | None,
    ties_path: Path | None,
    actors_path: Path | None,
    cluster: str | None,
    top: int,
    as_json: bool,
) -> None:
    """The actors through which an information programme would reach most firms.

    Greedy coverage over the knowledge ties: each actor listed reaches the most firms the
    ones above it do not.

    \b
    Example:
      ecocluster network outreach --example red-river-2007 --top 5
    """
    from ecocluster.network import rank_outreach

    built = _survey_network(example, db, wave, ties_path, actors_path, cluster)
    ranking = rank_outreach(built, k=top)
    if as_json:
        print(ranking.to_json(orient="records", force_ascii=False))
        return
    shown = ranking[["rank", "label", "reached", "firms", "cumulative"]].assign(
        share=[f"{share:.0%}" for share in ranking["share"]]
    )
    _print_table(shown, title="Outreach: firms reached through knowledge ties")


@network.command("map")
@_network_options
@output_option("Map file to write: .svg or .png.")
@click.option("--title", default="", help="Title above the map.")
def network_map(
    example: str | None,
    db: str | None,
    wave: str | None,
    ties_path: Path | None,
    actors_path: Path | None,
    cluster: str | None,
    output: Path,
    title: str,
) -> None:
    """Draw the actor-positioning map: the cluster in the middle, four zones around it.

    Without --cluster all clusters share one map, each external actor kind drawn once.

    \b
    Examples:
      ecocluster network map --example red-river-2007 -o network.svg
      ecocluster network map --example red-river-2007 --cluster van_phuc -o van_phuc.png
    """
    from ecocluster.network_map import write_network_map

    if output.suffix.lower() not in (".svg", ".png"):
        raise click.BadParameter("the map must be a .svg or .png file", param_hint="--output")
    built = _survey_network(example, db, wave, ties_path, actors_path, cluster)
    write_network_map(built, output, cluster=cluster, title=title)
    out.print(f"wrote {output}", markup=False)


@network.command("export")
@_network_options
@output_option("File to write: .graphml (yEd, Gephi, Cytoscape) or .gexf (Gephi).")
def network_export(
    example: str | None,
    db: str | None,
    wave: str | None,
    ties_path: Path | None,
    actors_path: Path | None,
    cluster: str | None,
    output: Path,
) -> None:
    """Export the network with every actor and tie attribute as GraphML or GEXF.

    \b
    Example:
      ecocluster network export --example red-river-2007 -o network.gexf
    """
    from ecocluster.output import write_file

    suffix = output.suffix.lower()
    if suffix not in (".graphml", ".gexf"):
        raise click.BadParameter("export to a .graphml or .gexf file", param_hint="--output")
    built = _survey_network(example, db, wave, ties_path, actors_path, cluster)
    write_file(output, built.to_graphml if suffix == ".graphml" else built.to_gexf)
    out.print(f"wrote {output}: {len(built.actors)} actors, {len(built.ties)} ties", markup=False)


@network.command("published")
def network_published() -> None:
    """List the published inter-firm networks that ship with ecocluster."""
    from ecocluster.interfirm import published_networks

    listing = published_networks()
    table = Table("name", "title", "place", "years", "actors", "exchanges")
    table.columns[0].no_wrap = True  # names are typed back in commands
    for row in listing.itertuples(index=False):
        table.add_row(
            str(row.name),
            Text(str(row.title)),
            Text(str(row.place)),
            f"{row.first_year}–{row.last_year}",
            str(row.actor_count),
            str(row.exchanges),
        )
    out.print(table)
    for row in listing.itertuples(index=False):
        out.print(f"{row.name}: {row.source}", markup=False)


@network.command("import")
@click.option(
    "--edges",
    "edges_path",
    type=INPUT_FILE,
    help="CSV edge list, one exchange per row (supplier, receiver, kind, material, year).",
)
@click.option("--published", help="A bundled published network (see 'network published').")
@click.option("--supplier", default="supplier", show_default=True, help="Supplier column.")
@click.option("--receiver", default="receiver", show_default=True, help="Receiver column.")
@click.option("--kind", default="kind", show_default=True, help="Kind-of-exchange column.")
@click.option("--material", default="material", show_default=True, help="Material column.")
@click.option("--year", default="year", show_default=True, help="Column of the starting year.")
@click.option("--weight", default=None, help="Column of exchange weights (default: 1 each).")
@click.option(
    "--actors",
    "actors_path",
    type=INPUT_FILE,
    help="CSV of the actors (id, label, kind[, zone, geography]); default: all enterprises.",
)
@click.option("--title", default="", help="Title of the map and the growth chart.")
@output_option("Folder for the tables, figures and GraphML/GEXF files.", folder=True)
def network_import(
    edges_path: Path | None,
    published: str | None,
    supplier: str,
    receiver: str,
    kind: str,
    material: str,
    year: str,
    weight: str | None,
    actors_path: Path | None,
    title: str,
    output: Path,
) -> None:
    """Analyse and draw a published inter-firm network, and how it grew year by year.

    Writes actors.csv, ties.csv, metrics.csv (degree, strength, betweenness), growth.csv
    (ties, actors, density and components per year), map and growth figures (SVG and PNG),
    and network.graphml / network.gexf, all at once or nothing.

    \b
    Examples:
      ecocluster network import --published kalundborg -o kalundborg/
      ecocluster network import --edges exchanges.csv --actors firms.csv -o zone/
    """
    from ecocluster.figure_style import write_figure
    from ecocluster.interfirm import (
        compute_network_growth,
        load_published_network,
        published_networks,
        read_interfirm_network,
    )
    from ecocluster.interfirm_map import (
        draw_growth_panels,
        draw_interfirm_map,
        draw_network_growth,
    )
    from ecocluster.network import compute_node_metrics
    from ecocluster.output import staged_folder, write_csv

    if (edges_path is None) == (published is None):
        raise click.UsageError("give either --edges FILE or --published NAME")
    if published is not None:
        names = list(published_networks()["name"])
        if published not in names:
            raise click.BadParameter(
                f"no published network {published!r}; bundled: {', '.join(names)}",
                param_hint="--published",
            )
        built = load_published_network(published)
        if not title:
            row = published_networks().set_index("name").loc[published]
            title = f"{row['title']}, {row['first_year']}–{row['last_year']}"
    else:
        built = read_interfirm_network(
            edges_path,  # type: ignore[arg-type]
            supplier=supplier,
            receiver=receiver,
            kind=kind,
            material=material,
            year=year,
            weight=weight,
            actors=actors_path,
        )
    with steps("network import") as step:
        step("metrics")
        metrics = compute_node_metrics(built)
        growth = compute_network_growth(built)
        with staged_folder(output, "network analysis") as folder:
            step("tables")
            write_csv(built.actors, folder / "actors.csv")
            write_csv(built.ties, folder / "ties.csv")
            write_csv(metrics, folder / "metrics.csv")
            write_csv(growth, folder / "growth.csv")
            step("figures")
            for suffix in (".svg", ".png"):
                write_figure(
                    lambda: draw_interfirm_map(built, title=title), folder / f"map{suffix}"
                )
                write_figure(
                    lambda: draw_network_growth(growth, title=title), folder / f"growth{suffix}"
                )
                write_figure(
                    lambda: draw_growth_panels(built, title=title), folder / f"panels{suffix}"
                )
            step("GraphML and GEXF")
            built.to_graphml(folder / "network.graphml")
            built.to_gexf(folder / "network.gexf")
    undated = len(growth.attrs.get("undated_ties", []))
    span = f"{int(growth['year'].min())}–{int(growth['year'].max())}" if len(growth) else "no years"
    out.print(
        f"wrote {output}: {len(built.actors)} actors, {len(built.ties)} exchanges ({span}"
        + (f"; {undated} without a year" if undated else "")
        + ")",
        markup=False,
    )
