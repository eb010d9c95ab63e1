"""A sector's or a city's green-industry picture in one piece, for the benchmarking report.

A ministry energy-efficiency officer or an industry association looks at the same things
each year: where each plant stands against best practice, what closing the gap would save,
which measures close it at what cost, and whether the plants and goals of an agreement or
action plan are on track. `analyse_benchmarking` computes them once from whatever parts are
given (plants, measures, a roadmap, an agreement, goals); renderers only format them.

API:

* ``analyse_benchmarking(*, plants=None, measures=None, roadmap=None, agreement=None,
  goals=None, progress=None, prices=None, discount_rate=0.10, roadmap_years=None,
  tolerance=0.0, title="", synthetic=False, source="", currency="")
  -> BenchmarkingAnalysis``
* ``analyse_benchmarking_example(name) -> BenchmarkingAnalysis``: a bundled example;
  ``example_inputs(name)``: its keyword arguments, for callers that replace some parts.
* ``agreement_intensities(agreement, intensities) -> DataFrame``: the agreement's
  indicator per plant and year (plant, year, value in the agreement's unit, production),
  from `ecocluster.benchmarking.compute_intensities`, plausible plant-years of its sector.

Connections: the supply curve and the roadmap's adoption take the sector's production of
the latest year the plants report (plausible plant-years only); the agreement is tracked
on the plants' own intensities in its unit. A part that is not given is None, and the
report leaves its section out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ecocluster.errors import InputError

if TYPE_CHECKING:
    from ecocluster.benchmarking import PlantData
    from ecocluster.targets import Agreement

__all__ = [
    "BenchmarkingAnalysis",
    "agreement_intensities",
    "analyse_benchmarking",
    "analyse_benchmarking_example",
    "example_inputs",
]


#: The unit of an intensity column as `compute_intensities` names it, in pint's spelling.
_UNITS = {"kwh": "kWh", "gj": "GJ", "kg": "kg", "m3": "m**3", "t": "t"}


@dataclass(frozen=True)
class BenchmarkingAnalysis:
    """Plants against benchmarks, the measures' supply curves, and progress on targets."""

    title: str
    synthetic: bool
    source: str
    currency: str
    discount_rate: float
    prices: Mapping[str, float]
    intensities: pd.DataFrame | None = field(repr=False)
    benchmarked: pd.DataFrame | None = field(repr=False)
    sector: pd.DataFrame | None = field(repr=False)
    production: Mapping[str, float] = field(repr=False)
    costs: pd.DataFrame | None = field(repr=False)
    curves: Mapping[str, pd.DataFrame] = field(repr=False)
    adoption: pd.DataFrame | None = field(repr=False)
    agreement: Agreement | None = field(repr=False)
    agreement_tracked: pd.DataFrame | None = field(repr=False)
    agreement_series: pd.DataFrame | None = field(repr=False)
    goals_tracked: pd.DataFrame | None = field(repr=False)
    goals_series: pd.DataFrame | None = field(repr=False)

    def summary(self) -> dict[str, Any]:
        from ecocluster.json_data import to_json_data

        data: dict[str, Any] = {
            "title": self.title,
            "synthetic": self.synthetic,
            "source": self.source,
            "currency": self.currency,
            "discount_rate": self.discount_rate,
            "prices": dict(self.prices),
            "sector": self.sector,
            "supply_curves": {
                carrier: {k: v for k, v in curve.attrs.items() if k != "no_cost"}
                for carrier, curve in self.curves.items()
            },
            "agreement": _statuses(self.agreement_tracked),
            "goals": _statuses(self.goals_tracked),
        }
        return dict(to_json_data(data, "benchmarking"))


def _statuses(tracked: pd.DataFrame | None) -> dict[str, int] | None:
    if tracked is None:
        return None
    return {str(k): int(v) for k, v in tracked["status"].value_counts().items()}


def _intensity_column(intensities: pd.DataFrame, indicator: str) -> str:
    found = [
        c for c in intensities.columns if c.startswith(f"{indicator}_") and c.endswith("_per_t")
    ]
    if not found:
        known = sorted(c[: c.index("_per_t")] for c in intensities.columns if "_per_t" in c)
        message = f"the plants report no {indicator!r} intensity (they have {', '.join(known)})"
        raise InputError(message, rule="indicator")
    return found[0]


def agreement_intensities(agreement: Agreement, intensities: pd.DataFrame) -> pd.DataFrame:
    """The agreement's indicator per plant and year, in its unit (see the module)."""
    from ecocluster.monitoring import convert

    column = _intensity_column(intensities, agreement.indicator)
    written = column[len(agreement.indicator) + 1 : -len("_per_t")]
    canonical = _UNITS.get(written, written) + "/t"
    rows = intensities[
        (intensities["sector"] == agreement.sector) & intensities["plausible"].astype(bool)
    ]
    try:
        values = convert(rows[column].to_numpy(float), canonical, agreement.unit)
    except Exception:
        message = f"the agreement's unit {agreement.unit!r} is not one of {canonical}"
        raise InputError(message, file=agreement.file, rule="unit") from None
    return pd.DataFrame(
        {
            "plant": rows["plant"].astype(str).to_numpy(),
            "year": rows["year"].astype(int).to_numpy(),
            "value": np.asarray(values, dtype=float),
            "production": rows["production_t"].to_numpy(float),
        }
    )


def _latest_production(intensities: pd.DataFrame) -> dict[str, float]:
    """Each sector's production in the latest year its plants report (plausible only)."""
    plausible = intensities[intensities["plausible"].astype(bool)]
    out: dict[str, float] = {}
    for sector, rows in plausible.groupby("sector"):
        latest = rows[rows["year"] == rows["year"].max()]
        out[str(sector)] = float(latest["production_t"].sum())
    return out


def analyse_benchmarking(
    *,
    plants: PlantData | None = None,
    measures: pd.DataFrame | None = None,
    roadmap: pd.DataFrame | None = None,
    agreement: Agreement | None = None,
    goals: pd.DataFrame | None = None,
    progress: pd.DataFrame | None = None,
    prices: Mapping[str, float] | None = None,
    discount_rate: float = 0.10,
    roadmap_years: tuple[int, int] | None = None,
    tolerance: float = 0.0,
    title: str = "",
    synthetic: bool = False,
    source: str = "",
    currency: str = "",
) -> BenchmarkingAnalysis:
    """Everything the benchmarking report shows, from the parts given (module doc)."""
    from ecocluster.benchmarking import benchmark_plants, compute_intensities, summarise_sector
    from ecocluster.roadmap import (
        adoption_totals,
        compute_adoption,
        compute_cce,
        compute_supply_curve,
    )
    from ecocluster.targets import agreement_series, track_agreement, track_progress

    prices = dict(prices or {})
    intensities = benchmarked = summary = None
    production: dict[str, float] = {}
    if plants is not None:
        intensities = compute_intensities(plants)
        benchmarked = benchmark_plants(plants)
        summary = summarise_sector(benchmarked)
        production = _latest_production(intensities)
    costs, curves, adoption = None, {}, None
    if measures is not None and len(measures):
        if agreement is not None or production:
            sectors = set(production) or {agreement.sector}  # type: ignore[union-attr]
            measures = measures[measures["sector"].isin(sectors)]
        costs = compute_cce(measures, discount_rate, prices=prices or None)
        if production:
            for carrier in sorted(set(measures["carrier"])):
                curves[str(carrier)] = compute_supply_curve(
                    measures, production, carrier=str(carrier), discount_rate=discount_rate,
                    prices=prices or None,
                )  # fmt: skip
            if roadmap is not None and len(roadmap):
                first = int(roadmap["start_year"].min())
                last = int(roadmap["end_year"].max())
                start, end = roadmap_years or (first, last)
                years = range(start, end + 1)
                adoption = adoption_totals(compute_adoption(roadmap, measures, production, years))
    tracked = series = None
    if agreement is not None and intensities is not None:
        values = agreement_intensities(agreement, intensities)
        tracked = track_agreement(agreement, values, tolerance=tolerance)
        series = agreement_series(agreement, values)
    goals_tracked = goals_series = None
    if goals is not None:
        reported = progress if progress is not None else pd.DataFrame(
            {"goal": pd.Series(dtype=str), "year": pd.Series(dtype=int),
             "value": pd.Series(dtype=float)}
        )  # fmt: skip
        goals_tracked = track_progress(goals, reported, tolerance=tolerance)
        goals_series = reported
    return BenchmarkingAnalysis(
        title=title or "Green-industry benchmarking",
        synthetic=synthetic,
        source=source,
        currency=currency or (plants.currency if plants is not None else ""),
        discount_rate=discount_rate,
        prices=prices,
        intensities=intensities,
        benchmarked=benchmarked,
        sector=summary,
        production=production,
        costs=costs,
        curves=curves,
        adoption=adoption,
        agreement=agreement,
        agreement_tracked=tracked,
        agreement_series=series,
        goals_tracked=goals_tracked,
        goals_series=goals_series,
    )


def example_inputs(name: str) -> dict[str, Any]:
    """The keyword arguments of `analyse_benchmarking` for a bundled example (see
    `ecocluster.benchmarking_examples`): its parts, prices, rate and labels."""
    from ecocluster.benchmarking_examples import load_benchmarking_example

    example = load_benchmarking_example(name)
    return {
        "plants": example.plants,
        "measures": example.measures,
        "roadmap": example.roadmap,
        "agreement": example.agreement,
        "goals": example.goals,
        "progress": example.progress,
        "prices": dict(example.prices),
        "discount_rate": example.discount_rate,
        "roadmap_years": example.roadmap_years,
        "title": example.title,
        "synthetic": example.synthetic,
        "source": f"the bundled example {example.name}",
        "currency": example.currency,
    }


def analyse_benchmarking_example(name: str) -> BenchmarkingAnalysis:
    """A bundled example, all its parts analysed."""
    return analyse_benchmarking(**example_inputs(name))
