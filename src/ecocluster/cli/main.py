"""The main group and the survey commands: forms, checks, imports, waves, models, reports."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from rich.text import Text

from ecocluster import __version__
from ecocluster.cli.console import (
    DB_HELP,
    EXIT_PROBLEMS,
    INPUT_FILE,
    Group,
    err,
    load_analysis,
    out,
    output_option,
    steps,
    wave_options,
)
from ecocluster.cli.symbiosis import load_symbiosis, symbiosis_options

if TYPE_CHECKING:
    from ecocluster.ingest import ImportResult, Progress
    from ecocluster.instrument import Instrument


def _instrument_options(function: Any) -> Any:
    function = click.option(
        "--concepts",
        type=INPUT_FILE,
        help="Concept mapping CSV (concept,question) for a form given with --form.",
    )(function)
    function = click.option(
        "--form",
        "form_path",
        type=click.Path(exists=True, path_type=Path),
        help="Your own XLSForm (.xlsx) instead of a bundled instrument.",
    )(function)
    function = click.option(
        "--instrument",
        default="red-river-2007",
        show_default=True,
        help="Bundled instrument (see 'ecocluster form list').",
    )(function)
    return function


def _instrument(name: str, form_path: Path | None, concepts: Path | None) -> Instrument:
    from ecocluster.instrument import load_instrument, read_instrument

    if form_path is not None:
        return read_instrument(form_path, concepts)
    if concepts is not None:
        raise click.UsageError("--concepts goes with --form")
    return load_instrument(name)


@contextmanager
def _progress(label: str, total: int | None = None) -> Iterator[Progress]:
    """A progress bar on a terminal; one line per chunk in logs and CI."""
    if err.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(label, total=total)
            yield lambda rows: bar.advance(task, rows)
        return
    done = 0

    def report(rows: int) -> None:
        nonlocal done
        done += rows
        print(f"{label}: {done} rows", file=sys.stderr, flush=True)

    yield report


def _count_rows(path: Path) -> int | None:
    """Cheap row estimate for the progress bar (CSV only)."""
    if path.suffix.lower() != ".csv" or path.stat().st_size > 2_000_000_000:
        return None
    with open(path, "rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)


def _report(result: ImportResult, *, as_json: bool, limit: int) -> None:
    from ecocluster.survey.check import summarize_problems

    if as_json:
        payload = {
            "file": result.file,
            "wave": result.wave,
            "rows": result.rows,
            "imported": result.imported,
            "import_id": result.import_id,
            "errors": result.errors,
            "warnings": result.warnings,
            "problems": json.loads(result.problems.to_json(orient="records", force_ascii=False)),
        }
        out.print_json(json.dumps(payload, ensure_ascii=False, default=str))
        return
    if len(result.problems):
        out.print(summarize_problems(result.problems, limit=limit), markup=False)
    else:
        out.print(f"{result.file}: {result.rows} rows, no problems found", markup=False)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecocluster")
def main() -> None:
    """ecocluster: enterprise surveys of industrial clusters and craft villages, from the
    field questionnaire to the database, the indices and the policy brief.

    \b
    Exit codes: 0 ok, 1 problems found in the input (nothing written), 2 usage error.
    """


@main.command()
@click.option("--db", help=DB_HELP)
def init(db: str | None) -> None:
    """Create the database (or bring its schema up to date)."""
    from ecocluster.store import open_store, resolve_url

    open_store(db)
    out.print(f"database ready: {resolve_url(db)}", markup=False)


@main.group()
def form() -> None:
    """The survey instruments (XLSForms) shipped with ecocluster."""


@form.command("list")
def form_list() -> None:
    """List the bundled instruments."""
    from ecocluster.instrument import bundled_instruments, load_instrument

    table = Table("instrument", "version", "questions", "languages", "title")
    for column in table.columns[:4]:
        column.no_wrap = True
    for name in bundled_instruments():
        instrument = load_instrument(name)
        table.add_row(
            name,
            instrument.version,
            str(len(instrument.questions)),
            ", ".join(instrument.languages),
            instrument.title,
        )
    out.print(table)


@form.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "xform"]),
    default="xlsx",
    show_default=True,
    help="xlsx: the XLSForm for KoboToolbox/ODK Central; xform: the ODK XForm XML.",
)
@output_option(
    "Output file (default: <instrument>.xlsx / .xml in the current folder).", required=False
)
@click.option("--validate", is_flag=True, help="Also run ODK Validate (needs Java).")
@_instrument_options
def form_export(
    fmt: str,
    output: Path | None,
    validate: bool,
    instrument: str,
    form_path: Path | None,
    concepts: Path | None,
) -> None:
    """Write an instrument as an XLSForm spreadsheet or as an ODK XForm."""
    chosen = _instrument(instrument, form_path, concepts)
    output = output or Path(f"{chosen.form_id}.{'xlsx' if fmt == 'xlsx' else 'xml'}")
    if fmt == "xlsx":
        chosen.to_xlsx(output)
    else:
        output.write_text(chosen.to_xform(validate=validate), encoding="utf-8")
    out.print(f"wrote {output}", markup=False)


@main.command()
@click.argument("file", type=INPUT_FILE)
@_instrument_options
@click.option("--strict", is_flag=True, help="Treat warnings as problems too (exit 1).")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option(
    "--problems",
    "problems_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every problem to this CSV file.",
)
@click.option("--limit", default=50, show_default=True, help="Problems listed on screen.")
def check(
    file: Path,
    instrument: str,
    form_path: Path | None,
    concepts: Path | None,
    strict: bool,
    as_json: bool,
    problems_out: Path | None,
    limit: int,
) -> None:
    """Check a survey export against its instrument; write nothing to any database.

    FILE is a KoboToolbox/ODK export (CSV or XLSX; XML values or labels; with or
    without group prefixes) or a plain CSV/XLSX with one row per enterprise.
    """
    from ecocluster.ingest import check_file
    from ecocluster.survey.check import has_blocking

    chosen = _instrument(instrument, form_path, concepts)
    with _progress(f"checking {file.name}", _count_rows(file)) as progress:
        result = check_file(file, chosen, progress=progress)
    _report(result, as_json=as_json, limit=limit)
    if problems_out is not None:
        result.problems.to_csv(problems_out, index=False)
    if has_blocking(result.problems, strict=strict):
        sys.exit(EXIT_PROBLEMS)


@main.command("import")
@click.argument("file", type=INPUT_FILE)
@click.option("--wave", required=True, help="Survey wave to import into, e.g. 'bat-trang-2025'.")
@click.option("--db", help=DB_HELP)
@_instrument_options
@click.option("--strict", is_flag=True, help="Refuse the import on warnings too.")
@click.option(
    "--allow-duplicate", is_flag=True, help="Import a file even if it was imported before."
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option("--limit", default=50, show_default=True, help="Problems listed on screen.")
@click.option("--chunksize", default=50_000, show_default=True, hidden=True)
def import_(
    file: Path,
    wave: str,
    db: str | None,
    instrument: str,
    form_path: Path | None,
    concepts: Path | None,
    strict: bool,
    allow_duplicate: bool,
    as_json: bool,
    limit: int,
    chunksize: int,
) -> None:
    """Check a survey file and import it into a wave, whole or not at all.

    Any error (with --strict: any warning) refuses the import: every problem is listed
    and the database is left exactly as it was. Warnings are stored with the data.
    """
    from ecocluster.ingest import import_file
    from ecocluster.store import open_store

    chosen = _instrument(instrument, form_path, concepts)
    engine = open_store(db)
    with _progress(f"importing {file.name}", _count_rows(file)) as progress:
        result = import_file(
            engine,
            file,
            chosen,
            wave=wave,
            strict=strict,
            allow_duplicate=allow_duplicate,
            chunksize=chunksize,
            progress=progress,
        )
    _report(result, as_json=as_json, limit=limit)
    if not result.imported:
        err.print(f"import refused: {file} was not imported; the database is unchanged")
        sys.exit(EXIT_PROBLEMS)
    if not as_json:
        out.print(
            f"imported {result.rows} rows from {file.name} into wave {wave!r} "
            f"({result.warnings} warnings stored)",
            markup=False,
        )


@main.group()
def examples() -> None:
    """Bundled example studies (synthetic data calibrated to published surveys)."""


@examples.command("list")
def examples_list() -> None:
    """List the bundled example studies."""
    from ecocluster.examples import list_examples

    table = Table("name", "instrument", "synthetic", "title")
    for example in list_examples():
        table.add_row(
            example.name, example.instrument, "yes" if example.synthetic else "no", example.title
        )
    out.print(table)


@examples.command("load")
@click.argument("name")
@click.option("--db", help=DB_HELP)
def examples_load(name: str, db: str | None) -> None:
    """Import a bundled example study into the database (wave = the example's name)."""
    from ecocluster.examples import get_example, load_example
    from ecocluster.store import open_store

    example = get_example(name)
    engine = open_store(db)
    with _progress(f"loading {example.name}") as progress:
        result = load_example(engine, example.name, progress=progress)
    if not result.imported:
        _report(result, as_json=False, limit=50)
        sys.exit(EXIT_PROBLEMS)
    out.print(
        f"loaded example {example.name!r}: {result.rows} enterprises into wave {example.wave!r}"
        + (" (synthetic data)" if example.synthetic else ""),
        markup=False,
    )


@main.command()
@click.option("--db", help=DB_HELP)
def waves(db: str | None) -> None:
    """List the survey waves in the database: instrument, firms and imports."""
    from ecocluster.store import list_waves, open_store

    frame = list_waves(open_store(db))
    table = Table(*[str(column) for column in frame.columns])
    for row in frame.itertuples(index=False):
        table.add_row(*[str(value) for value in row])
    out.print(table)


@main.command()
@click.option("--firms", type=click.IntRange(min=1), required=True, help="Number of enterprises.")
@click.option("--clusters", type=click.IntRange(min=1), required=True, help="Number of clusters.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option(
    "--example",
    default="red-river-2007",
    show_default=True,
    help="Calibrated example study to draw firms from.",
)
@output_option("CSV file to write.")
def synth(firms: int, clusters: int, seed: int, example: str, output: Path) -> None:
    """Write national-scale synthetic responses (for scale tests and benchmarks)."""
    from ecocluster.synth import synthesize, to_synthetic_csv

    if output.suffix.lower() != ".csv":
        raise click.BadParameter("the output must be a .csv file", param_hint="--output")
    responses = synthesize(firms, clusters, seed=seed, example=example)
    note = (
        f"SYNTHETIC data: {firms} enterprises in {clusters} clusters drawn by "
        f"'ecocluster synth --seed {seed}' from the calibrated example {example!r}.\n"
        "Not real survey data."
    )
    to_synthetic_csv(responses, output, note=note)
    out.print(
        f"wrote {firms} synthetic enterprises in {clusters} clusters to {output}", markup=False
    )


@main.command()
@click.option(
    "--data",
    "data_path",
    type=INPUT_FILE,
    required=True,
    help="CSV file with one row per observation (comma or semicolon separated).",
)
@click.option("--formula", required=True, help='Model formula, e.g. "y ~ x1 + C(cluster)".')
@click.option(
    "--model",
    type=click.Choice(["ols", "logit", "firth"]),
    default="ols",
    show_default=True,
    help="ols: least squares; logit: maximum-likelihood logit; firth: Firth's penalised logit.",
)
@click.option(
    "--robust", is_flag=True, help="Heteroskedasticity-robust standard errors (HC3 for OLS)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def fit(data_path: Path, formula: str, model: str, robust: bool, as_json: bool) -> None:
    """Fit a regression on any CSV file: OLS, logit or Firth's penalised logit.

    \b
    Example:
      ecocluster fit --data firms.csv --formula "ENVTECH ~ YEARS + C(cluster)" --model firth
    """
    from ecocluster.model_data import fit_csv

    result = fit_csv(data_path, formula, model, robust)  # type: ignore[arg-type]
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    table = Table("term", "estimate", "std. error", "z/t", "p", title=f"{model}: {formula}")
    for row in result.tidy().itertuples(index=False):
        table.add_row(
            Text(str(row.term)),  # term names hold brackets rich would read as markup
            f"{row.estimate:.6g}",
            f"{row.std_error:.6g}",
            f"{row.statistic:.3f}",
            f"{row.p_value:.4f}",
        )
    out.print(table)
    observations = f"observations: {int(result.nobs)}"
    if result.n_dropped:
        observations += f" ({result.n_dropped} rows dropped for missing values)"
    penalised = "penalised " if model == "firth" else ""
    lines = [observations, f"{penalised}log likelihood: {result.llf:.6g}"]
    if model == "ols":
        lines.append(f"R²: {result.rsquared:.4f} (adjusted {result.rsquared_adj:.4f})")
    elif result.prsquared is not None:
        lines.append(
            f"pseudo R² ({'penalised' if penalised else 'McFadden'}): {result.prsquared:.4f}"
        )
    lines.append(f"standard errors: {result.cov_type}")
    if model == "firth":
        lines.append("p-values from the profile penalised likelihood")
    out.print("; ".join(lines), markup=False)
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)


@main.command()
@wave_options
@output_option("Folder for report.html, tables/*.csv and summary.json.", folder=True)
@click.option(
    "--by",
    default=None,
    help="Group every table by cluster, ownership, area (rural/urban) or province "
    "(default: each table as the source paper lays it out).",
)
@click.option(
    "--sdc",
    is_flag=True,
    help="Statistical disclosure control: suppress cells built from fewer than --k firms.",
)
@click.option(
    "--k",
    type=click.IntRange(min=1),
    default=None,
    help="Smallest number of firms a published cell may rest on (implies --sdc; default 3).",
)
@click.option(
    "--pressure",
    type=click.Choice(["max", "sum"]),
    default="max",
    show_default=True,
    help="Pressure indices CP and EMP: the larger weight counts (max) or weights add (sum).",
)
@click.option("--no-models", is_flag=True, help="Leave out the regression models.")
@click.option(
    "--campaign", help="Add a bundled monitoring campaign (see 'ecocluster monitor campaigns')."
)
@click.option(
    "--samples",
    "samples_path",
    type=INPUT_FILE,
    help="Add measurements (CSV or XLSX) judged against the national standards.",
)
@symbiosis_options
def report(
    example: str | None,
    db: str | None,
    wave: str | None,
    output: Path,
    by: str | None,
    sdc: bool,
    k: int | None,
    pressure: str,
    no_models: bool,
    campaign: str | None,
    samples_path: Path | None,
    symbiosis_example: str | None,
    streams_path: Path | None,
    transport_cost: float | None,
    members_path: Path | None,
) -> None:
    """Write the survey report: self-contained HTML, every table as CSV, a JSON summary.

    \b
    Examples:
      ecocluster report --example red-river-2007 -o out/report
      ecocluster report --db survey.sqlite --wave bat-trang-2025 -o out/bt --sdc
      ecocluster report --example red-river-2007 --campaign monitoring-red-river -o out/r
      ecocluster report --example red-river-2007 \\
          --symbiosis-example symbiosis-craft-village -o out/r
    """
    import dataclasses

    from ecocluster.cli.monitor import load_samples
    from ecocluster.report.survey import write_survey_report

    threshold = k if k is not None else (3 if sdc else None)
    with steps("report") as step:
        samples = load_samples(samples_path, campaign, required=False)
        analysis = load_analysis(
            example,
            db,
            wave,
            step,
            by=by,
            k=threshold,
            pressure=pressure,
            fit_models=not no_models,
            samples=samples,
        )
        symbiosis = load_symbiosis(
            symbiosis_example, streams_path, transport_cost, members_path, step
        )
        if symbiosis is not None:
            analysis = dataclasses.replace(analysis, symbiosis=symbiosis)
        step("figures and HTML")
        files = write_survey_report(analysis, output)
    out.print(f"wrote {files.html} ({len(files.tables)} tables as CSV, {files.summary.name})")
