"""``ecocluster benchmark``: plants against best practice, the measures that close the gap,
and progress on an agreement's or an action plan's targets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from rich.text import Text

from ecocluster.cli.console import INPUT_FILE, out, output_option, steps

if TYPE_CHECKING:
    from ecocluster.benchmarking_analysis import BenchmarkingAnalysis


def _price(_: Any, __: Any, values: tuple[str, ...]) -> dict[str, float]:
    prices: dict[str, float] = {}
    for text in values:
        carrier, _sep, value = text.partition("=")
        try:
            prices[carrier.strip()] = float(value)
        except ValueError:
            raise click.BadParameter(f"{text!r} is not CARRIER=PRICE (electricity=0.08)") from None
    return prices


def inputs(function: Any) -> Any:
    """The parts a benchmarking command works on: a bundled example, or files."""
    options = (
        click.option("--example", help="A bundled example (see 'ecocluster benchmark examples')."),
        click.option(
            "--plants",
            "plants_path",
            type=INPUT_FILE,
            help="Plants CSV/XLSX: plant, name, sector[, process, province, capacity_t].",
        ),
        click.option(
            "--reports",
            "reports_path",
            type=INPUT_FILE,
            help="Reports CSV/XLSX (long): plant, year, flow, quantity, unit[, cost].",
        ),
        click.option(
            "--measures",
            "measures_path",
            type=INPUT_FILE,
            help="Efficiency measures CSV/XLSX (the bundled measures.csv's columns).",
        ),
        click.option(
            "--roadmap",
            "roadmap_path",
            type=INPUT_FILE,
            help="Adoption plan CSV/XLSX: measure, start_year, end_year, start_share, end_share.",
        ),
        click.option(
            "--agreement",
            "agreement_path",
            type=INPUT_FILE,
            help="Voluntary agreement (TOML: [agreement] and [[commitment]]).",
        ),
        click.option(
            "--goals",
            "goals_path",
            type=INPUT_FILE,
            help="Goals CSV/XLSX: goal, indicator, unit, baseline and target year and value, "
            "direction.",
        ),
        click.option(
            "--progress",
            "progress_path",
            type=INPUT_FILE,
            help="Reported values of the goals (CSV/XLSX): goal, year, value.",
        ),
        click.option(
            "--price",
            "prices",
            multiple=True,
            callback=_price,
            metavar="CARRIER=PRICE",
            help="Energy price per kWh (electricity) or GJ (fuel), in the measures' "
            "currency; repeat.",
        ),
        click.option(
            "--rate",
            type=click.FloatRange(min=0, max=1, max_open=True),
            default=None,
            help="Discount rate for the cost of conserved energy [default: 0.10 or the example's].",
        ),
        click.option(
            "--tolerance",
            type=click.FloatRange(min=0),
            default=0.0,
            show_default=True,
            help="Share worse than the trajectory still counted on track.",
        ),
    )
    for option in reversed(options):
        function = option(function)
    return function


def load(step: Any, **given: Any) -> BenchmarkingAnalysis:
    """The analysis of `inputs`' options: the example's parts, replaced by any file given."""
    from ecocluster.benchmarking_analysis import analyse_benchmarking

    example, paths = given.pop("example"), {k: v for k, v in given.items() if k.endswith("_path")}
    if example is None and not any(paths.values()):
        raise click.UsageError("give --example NAME or the files to benchmark (see --help)")
    if (paths["plants_path"] is None) != (paths["reports_path"] is None):
        raise click.UsageError("--plants and --reports go together")
    if paths["progress_path"] is not None and paths["goals_path"] is None and example is None:
        raise click.UsageError("--progress needs --goals")
    parts: dict[str, Any] = {"prices": {}, "discount_rate": 0.10}
    if example is not None:
        from ecocluster.benchmarking_analysis import example_inputs

        step(f"reading the example {example}")
        parts.update(example_inputs(example))
    _read_files(step, parts, paths)
    parts["prices"] = {**parts["prices"], **given["prices"]}
    if given["rate"] is not None:
        parts["discount_rate"] = given["rate"]
    step("intensities, supply curves and progress")
    return analyse_benchmarking(tolerance=given["tolerance"], **parts)


def _read_files(step: Any, parts: dict[str, Any], paths: dict[str, Path | None]) -> None:
    from ecocluster.benchmarking import read_plants
    from ecocluster.roadmap import read_measures, read_roadmap
    from ecocluster.targets import read_agreement, read_goals, read_progress

    if any(paths.values()):
        step("reading the files")
    if paths["plants_path"] is not None and paths["reports_path"] is not None:
        parts["plants"] = read_plants(paths["plants_path"], paths["reports_path"])
        parts.setdefault("source", str(paths["plants_path"]))
    if paths["measures_path"] is not None:
        parts["measures"] = read_measures(paths["measures_path"])
    if paths["roadmap_path"] is not None:
        if parts.get("measures") is None:
            raise click.UsageError("--roadmap needs --measures (or an example that has them)")
        parts["roadmap"] = read_roadmap(paths["roadmap_path"], parts["measures"])
    if paths["agreement_path"] is not None:
        parts["agreement"] = read_agreement(paths["agreement_path"])
    if paths["goals_path"] is not None:
        parts["goals"] = read_goals(paths["goals_path"])
    if paths["progress_path"] is not None:
        parts["progress"] = read_progress(paths["progress_path"], parts["goals"])


def _n(value: Any, decimals: int = 0) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if number != number else f"{number:,.{decimals}f}"


def _json(analysis: BenchmarkingAnalysis, **frames: Any) -> None:
    from ecocluster.json_data import to_json_data

    payload = {"summary": analysis.summary(), **frames}
    print(json.dumps(to_json_data(payload, "benchmark"), ensure_ascii=False))


@click.group()
def benchmark() -> None:
    """Green-industry benchmarking: plants against best practice, measures, targets."""


@benchmark.command("benchmarks")
@click.option("--sector", help="Only this sector (eaf_steel, cement, aluminium_remelting ...).")
def benchmark_benchmarks(sector: str | None) -> None:
    """List the bundled benchmark values, each with its source."""
    from ecocluster.benchmarking import read_benchmarks

    table = read_benchmarks()
    if sector is not None:
        if sector not in set(table["sector"]):
            known = ", ".join(sorted(set(table["sector"])))
            raise click.BadParameter(
                f"no sector {sector!r}; sectors: {known}", param_hint="--sector"
            )
        table = table[table["sector"] == sector]
    shown = Table("sector", "process", "indicator", "level", "value", "source")
    for row in table.itertuples(index=False):
        shown.add_row(
            str(row.sector),
            str(row.process),
            str(row.indicator),
            str(row.level),
            f"{row.value:g} {row.unit}",
            Text(str(row.source)),
        )
    out.print(shown)


@benchmark.command("examples")
def benchmark_examples() -> None:
    """List the bundled benchmarking examples (synthetic, labelled) for --example."""
    from ecocluster.benchmarking_examples import example_benchmarkings

    table = Table("name", "kind", "title", "synthetic")
    table.columns[0].no_wrap = True  # typed after --example
    for row in example_benchmarkings().itertuples(index=False):
        table.add_row(
            str(row.name), str(row.kind), Text(str(row.title)), "yes" if row.synthetic else "no"
        )
    out.print(table)


@benchmark.command("plants")
@inputs
@click.option("--sector", help="The sector of the figure (default: the largest by energy).")
@click.option(
    "--indicator", help="The indicator of the figure (default: electricity or final_energy)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the benchmarks as JSON.")
@output_option(
    "CSV of every plant, year and indicator, or a .png/.svg benchmark curve.", required=False
)
def benchmark_plants(
    sector: str | None, indicator: str | None, as_json: bool, output: Path | None, **given: Any
) -> None:
    """Each plant's intensity against best practice: EEI (100 = best practice), percentile
    in its sector, and the savings at best practice and at the top quartile; implausible
    data (below the physical minimum) flagged and left out of the rankings.

    \b
    Examples:
      ecocluster benchmark plants --example eaf-steel-sector
      ecocluster benchmark plants --plants plants.csv --reports reports.csv -o curve.png
    """
    with steps("benchmark") as step:
        analysis = load(step, **given)
        benchmarked = analysis.benchmarked
        if benchmarked is None:
            raise click.UsageError("give plants: --example with plants, or --plants and --reports")
        if output is not None:
            _write_plants(benchmarked, output, sector, indicator)
    if as_json:
        _json(analysis, plants=benchmarked)
        return
    table = Table("plant", "year", "indicator", "intensity", "EEI", "percentile", "to best", "flag")
    for row in benchmarked.itertuples(index=False):
        table.add_row(
            Text(str(row.name or row.plant)),
            str(row.year),
            str(row.indicator),
            f"{_n(row.intensity, 2)} {row.unit}",
            _n(row.eei),
            _n(row.percentile),
            _n(row.saving_to_best),
            "" if row.plausible else "IMPLAUSIBLE",
        )
    out.print(table)
    assert analysis.intensities is not None
    flagged = analysis.intensities[~analysis.intensities["plausible"].astype(bool)]
    for record in flagged.to_dict("records"):
        who = str(record["name"] or record["plant"])
        out.print(f"flagged: {who} {record['year']}: {record['flags']}", markup=False)
    if output is not None:
        out.print(f"wrote {output}", markup=False)


def _write_plants(
    benchmarked: Any, output: Path, sector: str | None, indicator: str | None
) -> None:
    from ecocluster.benchmarking import write_benchmark_curve
    from ecocluster.output import write_csv, write_file

    if output.suffix.lower() == ".csv":
        write_file(output, lambda path: write_csv(benchmarked, path))
        return
    chosen = benchmarked
    if sector is not None:
        chosen = chosen[chosen["sector"] == sector]
    if indicator is not None:
        chosen = chosen[chosen["indicator"] == indicator]
    if chosen.empty:
        pairs = sorted(
            {
                f"{s}/{i}"
                for s, i in zip(benchmarked["sector"], benchmarked["indicator"], strict=True)
            }
        )
        raise click.UsageError(f"no benchmarks for that; sector/indicator: {', '.join(pairs)}")
    energy = chosen.groupby(["sector", "indicator"])["quantity_gj"].sum(min_count=1).fillna(0)
    sector, indicator = (str(part) for part in energy.idxmax())
    write_benchmark_curve(benchmarked, sector, indicator, output)


@benchmark.command("measures")
@inputs
@click.option(
    "--carrier",
    type=click.Choice(["electricity", "fuel"]),
    help="The supply curve drawn (default: the first).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the measures and curves as JSON.")
@output_option(
    "CSV of the measures' costs, or a .png/.svg conservation supply curve.", required=False
)
def benchmark_measures(
    carrier: str | None, as_json: bool, output: Path | None, **given: Any
) -> None:
    """The cost of conserved energy of each measure and the sector's conservation supply
    curve: how much energy the measures save at what cost, against the energy price.

    \b
    Examples:
      ecocluster benchmark measures --example eaf-steel-sector -o supply-curve.png
      ecocluster benchmark measures --example eaf-steel-sector --price electricity=0.09
    """
    import pandas as pd

    with steps("benchmark") as step:
        analysis = load(step, **given)
        costs = analysis.costs
        if costs is None:
            raise click.UsageError("give measures: --measures FILE or an example that has them")
        if output is not None:
            _write_curve(analysis, output, carrier)
    if as_json:
        _json(analysis, measures=costs, curves=dict(analysis.curves))
        return
    table = Table("measure", "carrier", "saving per t", "CCE", "cost-effective")
    for row in costs.to_dict("records"):
        effective = row.get("cost_effective")
        verdict = "" if effective is None or pd.isna(effective) else ("yes" if effective else "no")
        cce = _n(row["cce"], 4)
        cce = f"{cce} {row['currency']}/{row['cce_unit']}" if cce else "no cost data"
        saving = f"{_n(row['saving'], 2)} {row['saving_unit']}"
        table.add_row(Text(str(row["label"])), str(row["carrier"]), saving, cce, verdict)
    out.print(table)
    for name, curve in analysis.curves.items():
        facts = curve.attrs
        out.print(
            f"{name}: technical potential {_n(facts['technical_potential'])} {facts['unit']}/yr, "
            f"cost-effective {_n(facts['cost_effective_potential'])}",
            markup=False,
        )
    if output is not None:
        out.print(f"wrote {output}", markup=False)


def _write_curve(analysis: BenchmarkingAnalysis, output: Path, carrier: str | None) -> None:
    from ecocluster.output import write_csv, write_file
    from ecocluster.roadmap import write_supply_curve

    costs = analysis.costs
    if output.suffix.lower() == ".csv" and costs is not None:
        write_file(output, lambda path: write_csv(costs, path))
        return
    if not analysis.curves:
        raise click.UsageError("a supply curve needs the sector's production: give plants too")
    chosen = carrier or next(iter(analysis.curves))
    if chosen not in analysis.curves:
        raise click.UsageError(f"no {chosen} measures; curves: {', '.join(analysis.curves)}")
    write_supply_curve(analysis.curves[chosen], output)


@benchmark.command("progress")
@inputs
@click.option("--json", "as_json", is_flag=True, help="Print the tracked targets as JSON.")
@output_option("CSV of the tracked targets, or a .png/.svg of the progress panels.", required=False)
def benchmark_progress(as_json: bool, output: Path | None, **given: Any) -> None:
    """Progress on a voluntary agreement (plants and sector) and on an action plan's goals:
    each target's latest value against the straight line from baseline to target, and its
    status (met, on track, off track, no data).

    \b
    Examples:
      ecocluster benchmark progress --example hoi-an-green-industry-2030 -o progress.png
      ecocluster benchmark progress --goals goals.csv --progress progress.csv
    """
    import pandas as pd

    with steps("benchmark") as step:
        analysis = load(step, **given)
        parts = [
            (tracked, series, key)
            for tracked, series, key in (
                (analysis.agreement_tracked, analysis.agreement_series, "plant"),
                (analysis.goals_tracked, analysis.goals_series, "goal"),
            )
            if tracked is not None and series is not None
        ]
        if not parts:
            raise click.UsageError("give targets: --agreement with plants, or --goals")
        if output is not None:
            _write_progress(parts, output)
    if as_json:
        _json(analysis, targets=pd.concat([t for t, _, _ in parts], ignore_index=True))
        return
    for tracked, _, key in parts:
        table = Table(key, "latest", "on the line", "target", "status")
        for row in tracked.to_dict("records"):
            table.add_row(
                Text(str(row[key])),
                f"{_n(row['latest_value'], 2)} ({_n(row['latest_year'])})",
                _n(row["trajectory_value"], 2),
                f"{_n(row['target_value'], 2)} ({_n(row['target_year'])})",
                str(row["status"]),
            )
        out.print(table)
    if output is not None:
        out.print(f"wrote {output}", markup=False)


def _write_progress(parts: list[tuple[Any, Any, str]], output: Path) -> None:
    import pandas as pd

    from ecocluster.output import write_csv, write_file
    from ecocluster.targets import write_progress

    if output.suffix.lower() == ".csv":
        table = pd.concat([t for t, _, _ in parts], ignore_index=True)
        write_file(output, lambda path: write_csv(table, path))
        return
    tracked, series, _ = parts[0]  # the agreement's when there is one, else the goals'
    write_progress(tracked, series, output)


@benchmark.command("report")
@inputs
@click.option("--json", "as_json", is_flag=True, help="Also print the summary as JSON.")
@output_option("Folder for report.html, tables/*.csv and summary.json.", folder=True)
def benchmark_report(as_json: bool, output: Path, **given: Any) -> None:
    """Write the benchmarking report: plants against best practice, the sector's savings,
    the measures and their supply curves, and progress on targets (HTML, CSV, JSON).

    \b
    Examples:
      ecocluster benchmark report --example eaf-steel-sector -o out/eaf
      ecocluster benchmark report --plants plants.csv --reports reports.csv \\
          --measures measures.csv --agreement agreement.toml -o out/sector
    """
    from ecocluster.report.benchmarking import write_benchmarking_report

    with steps("benchmark report") as step:
        analysis = load(step, **given)
        step("figures and HTML")
        files = write_benchmarking_report(analysis, output)
    if as_json:
        print(json.dumps(analysis.summary(), ensure_ascii=False))
    out.print(f"wrote {files.html} ({len(files.tables)} tables as CSV)", markup=False)
