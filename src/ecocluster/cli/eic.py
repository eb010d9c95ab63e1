"""``ecocluster eic`` and ``ecocluster policy``: what kind of eco-industrial cluster a
surveyed cluster is, beside the published ones, and which interventions its evidence calls
for."""

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

    from ecocluster.analysis import SurveyAnalysis


def _hand_option(function: Any) -> Any:
    function = click.option(
        "--hand",
        "hand_path",
        type=INPUT_FILE,
        help="Hand profile CSV (cluster, factor, value, source) for what the survey cannot "
        "measure; bundled examples have their own.",
    )(function)
    return function


def _analysis(
    example: str | None,
    db: str | None,
    wave: str | None,
    hand_path: Path | None,
    rules: Path | None = None,
) -> SurveyAnalysis:
    from ecocluster.eic import read_hand_profiles

    options: dict[str, Any] = {"fit_models": False, "rules": rules}
    if hand_path is not None:
        options["hand"] = read_hand_profiles(hand_path)
    with steps("analysis") as step:
        return load_analysis(example, db, wave, step, **options)


def _print_frame(frame: pd.DataFrame, index_name: str) -> None:
    table = Table(index_name, *[str(c) for c in frame.columns], show_lines=True)
    for label, row in frame.iterrows():
        table.add_row(Text(str(label)), *[Text(str(v)) for v in row])
    out.print(table)


def _write_or_print(frame: pd.DataFrame, output: Path | None, as_json: bool, name: str) -> None:
    from ecocluster.output import write_csv, write_file

    if output is not None:
        if output.suffix.lower() != ".csv":
            raise click.BadParameter("write the table to a .csv file", param_hint="--output")
        write_file(output, lambda path: write_csv(frame, path))
        out.print(f"wrote {output}", markup=False)
    elif as_json:
        print(frame.to_json(orient="records", force_ascii=False))
    else:
        _print_frame(frame, name)


@click.group()
def eic() -> None:
    """Eco-industrial cluster profiles: the key factors of a cluster, beside published ones."""


@eic.command("profile")
@wave_options
@_hand_option
@click.option("--json", "as_json", is_flag=True, help="Print the profiles as JSON records.")
@output_option(
    "CSV file for the profiles with provenance and evidence of every factor.", required=False
)
def eic_profile(
    example: str | None,
    db: str | None,
    wave: str | None,
    hand_path: Path | None,
    as_json: bool,
    output: Path | None,
) -> None:
    """Profile each surveyed cluster on the key factors, from the data and by hand.

    \b
    Examples:
      ecocluster eic profile --example red-river-2007
      ecocluster eic profile --wave bt-2025 --hand bt_profile.csv -o profile.csv
    """
    from ecocluster.eic import compare_profiles

    analysis = _analysis(example, db, wave, hand_path)
    profiles = analysis.profiles
    if profiles is None or not len(profiles):
        raise click.UsageError("the wave has no clusters to profile")
    if output is not None or as_json:
        _write_or_print(profiles, output, as_json, "cluster")
        return
    _print_frame(compare_profiles(profiles), "factor")


@eic.command("compare")
@click.option("--example", help="Add the clusters of a bundled example study.")
@click.option("--db", help="Database of --wave (see 'ecocluster report --help').")
@click.option("--wave", help="Add the clusters of a stored wave.")
@_hand_option
@click.option(
    "--profiles",
    "profile_paths",
    multiple=True,
    type=INPUT_FILE,
    help="Add clusters profiled by hand: a CSV in the published layout (id, name, country, "
    "sector, place, the seven factors, source). Repeatable.",
)
@click.option(
    "--clusters",
    help="Comma-separated clusters to show, in order (ids or names; default: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON records.")
@output_option(
    "CSV file for the comparison (factors as rows, clusters as columns).", required=False
)
def eic_compare(
    example: str | None,
    db: str | None,
    wave: str | None,
    hand_path: Path | None,
    profile_paths: tuple[Path, ...],
    clusters: str | None,
    as_json: bool,
    output: Path | None,
) -> None:
    """Put clusters side by side: the four published eco-industrial clusters (sericulture in
    Hosur, wood in Maniwa, rice in Chachoengsao, fish in An Giang), surveyed clusters and
    clusters profiled by hand.

    \b
    Examples:
      ecocluster eic compare
      ecocluster eic compare --example red-river-2007 --clusters "Bat Trang,An Giang"
      ecocluster eic compare --profiles binh_yen.csv -o comparison.csv
    """
    from ecocluster.eic import compare_profiles, published_profiles, read_profiles

    tables = [published_profiles()]
    if example is not None or wave is not None:
        analysis = _analysis(example, db, wave, hand_path)
        if analysis.profiles is not None:
            tables.insert(0, analysis.profiles)
    elif hand_path is not None or db is not None:
        raise click.UsageError("--hand and --db go with --example or --wave")
    tables += [read_profiles(path) for path in profile_paths]
    chosen = [c.strip() for c in clusters.split(",") if c.strip()] if clusters else None
    comparison = compare_profiles(*tables, clusters=chosen)
    if as_json:
        print(
            comparison.T.reset_index(names="cluster").to_json(orient="records", force_ascii=False)
        )
        return
    _write_or_print(comparison, output, False, "factor")


@click.group()
def policy() -> None:
    """Policy recommendations from a cluster's evidence, by editable rules."""


def _rules_option(function: Any) -> Any:
    return click.option(
        "--rules",
        type=INPUT_FILE,
        help="Your own rule file (TOML; start from 'ecocluster policy rules --template').",
    )(function)


@policy.command("recommend")
@wave_options
@_hand_option
@_rules_option
@click.option("--cluster", help="Only this cluster (its id or name).")
@click.option("--json", "as_json", is_flag=True, help="Print the recommendations as JSON.")
@output_option("CSV file for the recommendations with their evidence.", required=False)
def policy_recommend(
    example: str | None,
    db: str | None,
    wave: str | None,
    hand_path: Path | None,
    rules: Path | None,
    cluster: str | None,
    as_json: bool,
    output: Path | None,
) -> None:
    """Recommend interventions from the industrial, environmental and regional-development
    policy streams, each citing the survey evidence that triggered it.

    \b
    Examples:
      ecocluster policy recommend --example red-river-2007
      ecocluster policy recommend --wave bt-2025 --rules my_rules.toml --json
    """
    from ecocluster.normalize import fold_key

    if rules is not None:
        from ecocluster.policy import read_rules

        read_rules(rules)  # refuse a broken rule file before the analysis runs
    analysis = _analysis(example, db, wave, hand_path, rules)
    table, profiles = analysis.recommendations, analysis.profiles
    if table is None or profiles is None:
        raise click.UsageError("the wave has no clusters to recommend for")
    if cluster is not None:
        ids, names = [str(k) for k in profiles["id"]], [str(n) for n in profiles["name"]]
        keys = {fold_key(n): k for k, n in zip(ids, names, strict=True)}
        keys |= {fold_key(k): k for k in ids}
        if fold_key(cluster) not in keys:
            raise click.BadParameter(
                f"no cluster {cluster!r}; clusters: {', '.join(names)}", param_hint="--cluster"
            )
        table = table[table["cluster"] == keys[fold_key(cluster)]]
    if output is not None or as_json:
        _write_or_print(table.reset_index(drop=True), output, as_json, "")
        return
    if not len(table):
        out.print("no rule fired on this evidence", markup=False)
    for _key, rows in table.groupby("cluster", sort=False):
        out.print(f"\n[bold]{rows['cluster_label'].iloc[0]}[/]: {len(rows)} interventions")
        for row in rows.itertuples(index=False):
            out.print(f"• [{row.stream}] {row.intervention}", markup=False)
            out.print(f"    evidence: {row.evidence}", markup=False, style="dim")
            out.print(f"    source: {row.source}", markup=False, style="dim")


@policy.command("rules")
@_rules_option
@click.option("--template", is_flag=True, help="Print the bundled rule file, to edit a copy.")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON records.")
def policy_rules(rules: Path | None, template: bool, as_json: bool) -> None:
    """List the policy rules (bundled or --rules) with their conditions; checks the file.

    \b
    Examples:
      ecocluster policy rules
      ecocluster policy rules --template > my_rules.toml
      ecocluster policy rules --rules my_rules.toml
    """
    from importlib import resources

    from ecocluster.policy import read_rules, rules_table

    if template:
        bundled = resources.files("ecocluster").joinpath("data", "policy", "rules.toml")
        print(bundled.read_text(encoding="utf-8"), end="")
        return
    table = rules_table(read_rules(rules))
    if as_json:
        print(table.to_json(orient="records", force_ascii=False))
        return
    shown = table.set_index("rule")[["stream", "all", "any"]]
    _print_frame(shown, "rule")
