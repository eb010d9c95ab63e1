"""``ecocluster eip``: how far an industrial park is from eco-industrial park recognition
(Viet Nam's criteria and the International EIP Framework), and what to do next."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ecocluster.cli.console import INPUT_FILE, out, output_option


@click.group()
def eip() -> None:
    """Eco-industrial parks: readiness against versioned criteria sets."""


@eip.command("criteria")
def eip_criteria() -> None:
    """List the bundled criteria sets with the dates they apply."""
    from ecocluster.eip import criteria_sets

    table = Table("name", "title", "in force", "criteria")
    table.columns[0].no_wrap = True  # names are typed back in commands
    for row in criteria_sets().itertuples(index=False):
        until = f" to {row.valid_to!s}" if row.valid_to else ""
        table.add_row(
            str(row.name), Text(str(row.title)), f"{row.valid_from!s}{until}", str(row.criteria)
        )
    out.print(table)


def _criteria_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--criteria",
        required=True,
        help="A bundled criteria set (see 'ecocluster eip criteria') or your own .toml file.",
    )(function)


@eip.command("template")
@_criteria_option
@output_option("The template to fill: .csv or .xlsx.")
def eip_template(criteria: str, output: Path) -> None:
    """Write the empty park data template for a criteria set, one row per indicator.

    \b
    Example:
      ecocluster eip template --criteria vn-decree-35-2022 -o park.xlsx
    """
    from ecocluster.eip import park_template, read_criteria
    from ecocluster.output import write_csv, write_file

    suffix = output.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise click.BadParameter("write a .csv or .xlsx file", param_hint="--output")
    template = park_template(read_criteria(criteria))
    if suffix == ".csv":
        write_file(output, lambda path: write_csv(template, path))
    else:
        write_file(output, lambda path: template.to_excel(path, index=False, sheet_name="park"))
    out.print(f"wrote {output}: {len(template)} indicators to fill", markup=False)


@eip.command("assess")
@click.option(
    "--park",
    "park_path",
    type=INPUT_FILE,
    required=True,
    help="The filled park template (CSV or XLSX; 'ecocluster eip template' writes one).",
)
@_criteria_option
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
@output_option(
    "Folder for results.csv, readiness.csv and actions.csv.", folder=True, required=False
)
def eip_assess(park_path: Path, criteria: str, as_json: bool, output: Path | None) -> None:
    """Judge a park criterion by criterion: met, not met or not enough data, with the gap,
    the readiness of each category and the actions to take first.

    \b
    Examples:
      ecocluster eip assess --park park.xlsx --criteria vn-decree-35-2022
      ecocluster eip assess --park parks.csv --criteria intl-eip-framework-2.0 --json
    """
    from ecocluster.eip import assess_parks, read_criteria, read_park

    chosen = read_criteria(Path(criteria) if criteria.endswith(".toml") else criteria)
    assessments = assess_parks(read_park(park_path), chosen)
    if output is not None:
        import pandas as pd

        from ecocluster.output import staged_folder, write_csv

        with staged_folder(output, "assessment") as folder:
            for name in ("results", "readiness", "actions"):
                frame = pd.concat(
                    [getattr(a, name).assign(park=p) for p, a in assessments.items()],
                    ignore_index=True,
                )
                write_csv(frame, folder / f"{name}.csv")
    if as_json:
        payload = [a.to_json_data() for a in assessments.values()]
        print(json.dumps(payload if len(payload) > 1 else payload[0], ensure_ascii=False))
        return
    for park, assessment in assessments.items():
        verdict = "meets every criterion" if assessment.ready else "not yet ready"
        out.print(f"\n[bold]{park}[/]: {verdict} ({chosen.title})")
        table = Table("category", "met", "not met", "no data", "prerequisites", "ready")
        for row in assessment.readiness.itertuples(index=False):
            table.add_row(
                str(row.category),
                f"{row.met} of {row.criteria}",
                str(row.not_met),
                str(row.not_enough_data),
                ("all met" if row.prerequisites_met else "not all met")
                if row.prerequisites
                else "none",
                "yes" if row.ready else "no",
            )
        out.print(table)
        for number, row in enumerate(assessment.actions.itertuples(index=False), start=1):
            out.print(f"{number}. {row.action}", markup=False)
    if output is not None:
        out.print(f"wrote {output}", markup=False)
