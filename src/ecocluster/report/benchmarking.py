"""The benchmarking report: plants against best practice, the measures that close the gap,
and progress on an agreement's or an action plan's targets.

What a ministry energy-efficiency officer or an industry association reads each year.
Everything shown is computed by `ecocluster.benchmarking_analysis` (from
`ecocluster.benchmarking`, `ecocluster.roadmap` and `ecocluster.targets`); this module lays
it out.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ecocluster import __version__
from ecocluster.figure_style import figure_svg
from ecocluster.report.document import (
    Block,
    Bullets,
    Callout,
    FigureBlock,
    KeyFigures,
    Paragraph,
    Report,
    Section,
    TableBlock,
    collect_table,
    slug,
)
from ecocluster.report.html import ReportFiles, write_report

if TYPE_CHECKING:
    from ecocluster.benchmarking_analysis import BenchmarkingAnalysis

Tables = dict[str, pd.DataFrame]
#: Benchmark curves drawn at most (the largest sector-indicator pairs by energy first).
CURVES = 4


def _n(value: object, decimals: int = 0) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    return f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]


def _with(values: pd.Series, units: pd.Series, decimals: int = 0) -> list[str]:
    """ "12.3 kWh/t": each value with its unit."""
    return [f"{_n(v, decimals)} {u}" for v, u in zip(values, units, strict=True)]


def _at(values: pd.Series, years: pd.Series) -> list[str]:
    """ "2.31 (2024)": each value with its year; empty where there is no value."""
    return [
        f"{_n(v, 2)} ({int(y)})" if pd.notna(v) and pd.notna(y) else ""
        for v, y in zip(values, years, strict=True)
    ]


def _names(names: pd.Series, ids: pd.Series) -> list[str]:
    return [str(n or i) for n, i in zip(names, ids, strict=True)]


def _latest(benchmarked: pd.DataFrame) -> pd.DataFrame:
    """Each sector's latest year."""
    last = benchmarked.groupby("sector")["year"].transform("max")
    return benchmarked[benchmarked["year"] == last]


def _glance(analysis: BenchmarkingAnalysis) -> list[Block]:
    sector = analysis.sector
    if sector is None or not len(sector):
        return []
    latest = _latest(sector)
    energy = latest[latest["quantity_gj"].notna()]
    best, quartile = energy["saving_to_best_gj"].sum(), energy["saving_to_top_quartile_gj"].sum()
    co2e = energy["saving_to_best_co2e_t"].sum()
    intensities = analysis.intensities
    assert intensities is not None
    flagged = int((~intensities["plausible"].astype(bool)).sum())
    return [
        KeyFigures(
            (
                ("Plants", _n(intensities["plant"].nunique())),
                ("Sectors", _n(latest["sector"].nunique())),
                ("Energy saving at best practice", f"{_n(best)} GJ/yr"),
                ("Energy saving at the top quartile", f"{_n(quartile)} GJ/yr"),
                ("tCO2e avoided at best practice", _n(co2e)),
                ("Plant-years flagged implausible", _n(flagged)),
            )
        )
    ]


def _plant_table(rows: pd.DataFrame) -> pd.DataFrame:
    amounts = rows["unit"].astype(str).str.split("/").str[0]  # kWh/t -> kWh a year
    return pd.DataFrame(
        {
            "Intensity": _with(rows["intensity"], rows["unit"], 1),
            "EEI": [_n(v) for v in rows["eei"]],
            "Percentile": [_n(v) for v in rows["percentile"]],
            "Saving to best practice per year": _with(rows["saving_to_best"], amounts),
            "To the top quartile": _with(rows["saving_to_top_quartile"], amounts),
            "Flag": ["" if ok else "implausible" for ok in rows["plausible"].astype(bool)],
        },
        index=pd.Index(_names(rows["name"], rows["plant"]), name="Plant"),
    )


def _plants_section(analysis: BenchmarkingAnalysis, tables: Tables) -> list[Section]:
    from ecocluster.benchmarking import draw_benchmark_curve

    benchmarked = analysis.benchmarked
    if benchmarked is None or not len(benchmarked):
        return []
    blocks: list[Block] = [
        *_glance(analysis),
        Paragraph(
            "Each plant's intensity on the benchmark's boundary, against the best practice "
            "cited for its sector. EEI, the energy-efficiency index, is 100 × the plant's "
            "intensity over best practice: 100 is best practice, 130 uses 30% more. The "
            "percentile is the share of the sector's plants at or below the plant's "
            "intensity; the top quartile is the 25th percentile of the sample. Savings are "
            "per year, in the indicator's unit times tonnes."
        ),
    ]
    latest = _latest(benchmarked)
    pairs = (
        latest.groupby(["sector", "indicator"])["quantity_gj"].sum(min_count=1).fillna(0)
        .sort_values(ascending=False, kind="stable").index[:CURVES]
    )  # fmt: skip
    for sector, indicator in pairs:
        year = int(latest.loc[latest["sector"] == sector, "year"].max())
        blocks.append(
            FigureBlock(
                f"figure-benchmark-{slug(str(sector))}-{slug(str(indicator))}",
                f"{sector}: {indicator} per tonne, plant by plant ({year})",
                figure_svg(
                    partial(draw_benchmark_curve, benchmarked, str(sector), str(indicator), year)
                ),
                alt=f"Bars of the plants' {indicator} intensity in {sector}, as wide as their "
                "production, with best practice and the top quartile as lines.",
                caption="A bar's width is the plant's production; hatched bars are "
                "implausible data, left out of the percentiles and sums.",
            )
        )  # fmt: skip
    for key, rows in latest.groupby("sector", sort=True):
        sector = str(key)
        title = f"{sector}: plants against best practice ({int(rows['year'].max())})"
        shown = rows.sort_values(["indicator", "intensity"], kind="stable")
        name = f"plants_{slug(sector).replace('-', '_')}"
        note = "Sources of the benchmarks are in the CSV (source column)."
        blocks.append(collect_table(tables, name, title, _plant_table(shown), rows, note=note))
    intensities = analysis.intensities
    assert intensities is not None
    implausible = intensities[~intensities["plausible"].astype(bool)]
    if len(implausible):
        blocks.append(
            Callout(
                "Implausible data, left out of the percentiles, quartiles and sums: "
                + "; ".join(
                    f"{n or p} ({y}): {f}"
                    for n, p, y, f in zip(implausible["name"], implausible["plant"],
                                          implausible["year"], implausible["flags"], strict=True)
                ),
                "warning",
            )
        )  # fmt: skip
    sector = analysis.sector
    assert sector is not None
    tables["sector_summary"] = sector
    latest_sector = _latest(sector)
    display = pd.DataFrame(
        {
            "Plants": [_n(v) for v in latest_sector["plants"]],
            "Production (t)": [_n(v) for v in latest_sector["production_t"]],
            "Intensity": _with(latest_sector["intensity"], latest_sector["unit"], 2),
            "Best practice": [_n(v, 2) for v in latest_sector["best_practice"]],
            "Sector EEI": [_n(v) for v in latest_sector["eei"]],
            "Saving at best practice (GJ/yr)": [_n(v) for v in latest_sector["saving_to_best_gj"]],
            "At the top quartile (GJ/yr)": [
                _n(v) for v in latest_sector["saving_to_top_quartile_gj"]
            ],
        },
        index=pd.MultiIndex.from_arrays(
            [latest_sector["sector"].astype(str), latest_sector["indicator"].astype(str)],
            names=["Sector", "Indicator"],
        ),
    )  # fmt: skip
    blocks.append(
        TableBlock(
            "sector_summary",
            "The sector: what reaching best practice or the top quartile would save",
            display,
            notes=(
                "Production-weighted intensity; GJ only for energy indicators. Money and "
                "tCO2e are in the CSV, at each plant's own prices and factors.",
            ),
        )
    )
    return [Section("plants", "Plants against best practice", tuple(blocks))]


def _roadmap_section(analysis: BenchmarkingAnalysis, tables: Tables) -> list[Section]:
    from ecocluster.roadmap import draw_supply_curve

    costs = analysis.costs
    if costs is None or not len(costs):
        return []
    tables["measures"] = costs
    money = str(costs["currency"].dropna().iloc[0]) if costs["currency"].notna().any() else ""
    rate = f"{100 * analysis.discount_rate:g}%"
    display = pd.DataFrame(
        {
            "Saving per t": _with(costs["saving"], costs["saving_unit"], 2),
            f"Investment ({money}/t)": [_n(v, 1) for v in costs["investment"]],
            "Life (years)": [_n(v) for v in costs["lifetime_years"]],
            "Cost of conserved energy": [
                f"{_n(v, 3)} {u}" if pd.notna(v) else "no cost data"
                for v, u in zip(costs["cce"], costs["cce_unit"], strict=True)
            ],
        },
        index=pd.Index(costs["label"].astype(str), name="Measure"),
    )  # fmt: skip
    blocks: list[Block] = [
        Paragraph(
            "The cost of conserved energy is the measure's annualised investment (at a "
            f"discount rate of {rate} over its lifetime) plus any change in operating cost, "
            "per unit of energy it saves. A measure pays for itself when that is below the "
            "price of the energy it saves."
        ),
        TableBlock("measures", "The measures and their cost of conserved energy", display),
    ]
    for carrier, curve in analysis.curves.items():
        tables[f"supply_curve_{carrier}"] = curve
        facts = curve.attrs
        unit = str(facts.get("unit", ""))
        blocks.append(
            Paragraph(
                f"{carrier.capitalize()}: a technical potential of "
                f"{_n(facts.get('technical_potential'))} {unit} a year at the sector's "
                f"production, of which {_n(facts.get('cost_effective_potential'))} {unit} "
                "costs less than the energy it saves."
            )
        )
        blocks.append(
            FigureBlock(
                f"figure-supply-curve-{slug(carrier)}",
                f"Conservation supply curve: {carrier}",
                figure_svg(partial(draw_supply_curve, curve)),
                alt=f"Step chart of the {carrier} measures ordered by cost of conserved "
                "energy, each as wide as its annual saving, with the energy price as a line.",
                caption="Savings of measures are added, so the total is an upper bound where "
                "measures act on the same energy use.",
            )
        )
    adoption = analysis.adoption
    if adoption is not None and len(adoption):
        tables["adoption"] = adoption
        display = pd.DataFrame(
            {
                "Saving (GJ/yr)": [_n(v) for v in adoption["saving_gj"]],
                "Of it electricity (kWh/yr)": [_n(v) for v in adoption["electricity_kwh"]],
                "Of it fuel (GJ/yr)": [_n(v) for v in adoption["fuel_gj"]],
            },
            index=pd.MultiIndex.from_arrays(
                [adoption["sector"].astype(str), adoption["year"].astype(int)],
                names=["Sector", "Year"],
            ),
        )
        blocks.append(
            TableBlock(
                "adoption",
                "The roadmap: savings as the measures are adopted",
                display,
                notes=("At the latest year's production; shares between the roadmap's "
                       "years are linear.",),
            )
        )  # fmt: skip
    return [Section("roadmap", "Technology roadmap", tuple(blocks))]


def _tracked_table(tracked: pd.DataFrame, key: str) -> pd.DataFrame:
    unit = tracked["unit"] if "unit" in tracked.columns else pd.Series("", index=tracked.index)
    return pd.DataFrame(
        {
            "Baseline": _at(tracked["baseline_value"], tracked["baseline_year"]),
            "Target": _at(tracked["target_value"], tracked["target_year"]),
            "Latest": _at(tracked["latest_value"], tracked["latest_year"]),
            "On the line": [_n(v, 2) for v in tracked["trajectory_value"]],
            "Unit": unit.astype(str).to_numpy(),
            "Status": tracked["status"].to_numpy(),
        },
        index=pd.Index(tracked[key].astype(str), name=key.capitalize()),
    )


def _plant_names(analysis: BenchmarkingAnalysis) -> dict[str, str]:
    """Plant id → name, for tables and panels a reader scans by name."""
    plants = analysis.intensities
    if plants is None:
        return {}
    return {str(p): str(n or p) for p, n in zip(plants["plant"], plants["name"], strict=True)}


def _targets_sections(analysis: BenchmarkingAnalysis, tables: Tables) -> list[Section]:
    from ecocluster.targets import draw_progress

    sections: list[Section] = []
    agreement, tracked, series = (
        analysis.agreement,
        analysis.agreement_tracked,
        analysis.agreement_series,
    )
    if agreement is not None and tracked is not None and series is not None:
        tables["agreement"] = tracked
        names = _plant_names(analysis)
        tracked = tracked.assign(plant=tracked["plant"].map(lambda p: names.get(p, p)))
        series = series.assign(plant=series["plant"].map(lambda p: names.get(p, p)))
        counts = tracked["status"].value_counts()
        blocks: list[Block] = [
            Paragraph(
                f"{agreement.name}: {agreement.indicator} per tonne "
                f"{100 * agreement.reduction:g}% below {agreement.baseline_year} by "
                f"{agreement.target_year} ({agreement.source}). Each plant is judged by its "
                "latest reported intensity against the straight line from its baseline to "
                "its target: " + ", ".join(f"{int(n)} {s}" for s, n in counts.items()) + "."
            ),
            FigureBlock(
                "figure-agreement-progress",
                "Progress of the plants and the sector",
                figure_svg(partial(draw_progress, tracked, series)),
                alt="Small panels, one per plant and one for the sector, with the reported "
                "intensity, the straight line to the target and the status.",
                caption="Dashed: the trajectory from baseline to target; star: the target.",
            ),
            TableBlock(
                "agreement", "The agreement, plant by plant", _tracked_table(tracked, "plant")
            ),
        ]
        sections.append(Section("agreement", "Voluntary agreement", tuple(blocks)))
    goals, reported = analysis.goals_tracked, analysis.goals_series
    if goals is not None and reported is not None:
        tables["goals"] = goals
        off = goals[goals["status"] == "off track"]
        items = [
            f"{row['goal']}: {_n(row['latest_value'], 2)} {row['unit']} in "
            f"{_n(row['latest_year']).replace(',', '')}, {_n(row['trajectory_value'], 2)} on "
            f"the line; {_n(row['required_annual_change'], 3)} a year still needed"
            for row in off.to_dict("records")
        ]
        blocks = [
            Paragraph(
                "Each goal's latest reported value against the straight line from its "
                "baseline to its target. Off track: "
                + (", ".join(off["goal"].astype(str)) or "none")
                + "."
            ),
            FigureBlock(
                "figure-goals-progress",
                "Progress on the goals",
                figure_svg(partial(draw_progress, goals, reported)),
                alt="Small panels, one per goal, with the reported values, the straight line "
                "to the target and the status.",
                caption="Dashed: the trajectory from baseline to target; star: the target.",
            ),
            TableBlock("goals", "The goals", _tracked_table(goals, "goal")),
        ]
        if items:
            blocks.append(Bullets(tuple(items)))
        sections.append(Section("goals", "Goals of the action plan", tuple(blocks)))
    return sections


def build_benchmarking_report(analysis: BenchmarkingAnalysis) -> tuple[Report, Tables]:
    """The report document of a benchmarking analysis and the CSV tables that go with it."""
    tables: Tables = {}
    sections = [
        *_plants_section(analysis, tables),
        *_roadmap_section(analysis, tables),
        *_targets_sections(analysis, tables),
    ]
    intensities = analysis.intensities
    prices = ", ".join(f"{k} {v:g}" for k, v in analysis.prices.items())
    meta = {
        "Source": analysis.source,
        "Plants": _n(intensities["plant"].nunique()) if intensities is not None else "none",
        "Discount rate": f"{100 * analysis.discount_rate:g}%",
        "Energy prices": prices or "none given",
        "ecocluster": __version__,
    }
    report = Report(
        title=analysis.title,
        subtitle="Benchmarking report: plants against best practice, the measures that "
        "close the gap, and progress on targets",
        meta=meta,
        sections=tuple(sections),
        synthetic=analysis.synthetic,
        synthetic_note=f"The plants, reports and targets of {analysis.source} are invented to "
        "show the method; the benchmarks they are compared with are published values, each "
        "cited. Use it to try the methods, not to learn about real plants.",
    )
    return report, tables


def write_benchmarking_report(analysis: BenchmarkingAnalysis, out_dir: str | Path) -> ReportFiles:
    """Write report.html, tables/*.csv and summary.json, all or nothing."""
    report, tables = build_benchmarking_report(analysis)
    return write_report(report, Path(out_dir), tables=tables, summary=analysis.summary())
