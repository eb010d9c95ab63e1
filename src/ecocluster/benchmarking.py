"""Benchmarking plants against best practice: intensities, the energy-efficiency index,
percentiles, and what a plant and its sector would save at best practice.

Why: an energy-efficiency officer or an industry association (the electric-arc-furnace
plants of the Viet Nam Steel Association, say) wants to see each plant's energy per tonne
beside the published best practice of its sector and beside its peers, how much the sector
could save, and which figures cannot be true. Plants report in their own files; the
benchmarks are published values, every row cited (``data/benchmarks/benchmarks.csv``).

API:

* ``read_benchmarks(path=None) -> DataFrame``: the benchmark table (sector, process,
  product, indicator, level, value, unit, boundary, source, notes, row), checked, with
  ``value_canonical`` in ``canonical_unit`` (`CANONICAL` per tonne: kWh/t, GJ/t, kg/t,
  m3/t). Unknown levels, units that are not an amount per tonne or do not fit the
  indicator, values that are not numbers, missing sources and doubled rows are refused
  together.
* ``read_plants(plants, reports, *, factors=None, benchmarks=None) -> PlantData``: the
  user's plants and their yearly reports (CSV, XLSX or data frames; headers in any case,
  flows in English or Vietnamese), every problem of both tables in one `InputError`.
* ``compute_intensities(data, benchmarks=None) -> DataFrame``: one row per plant-year:
  totals (``production_t``, ``electricity_kwh``, ``fuel_gj``, ``final_energy_gj``,
  ``co2e_t``, ``energy_cost``, materials such as ``electrode_kg``) and intensities
  (``electricity_kwh_per_t``, ``final_energy_gj_per_t``, ...), ``flags`` and ``plausible``.
* ``benchmark_plants(data, benchmarks=None, *, year=None, indicators=None) -> DataFrame``:
  one row per plant, year and indicator with a best-practice benchmark: EEI, percentile,
  top quartile, savings to best practice and to the top quartile (quantity, GJ, money,
  tCO2e).
* ``summarise_sector(benchmarked) -> DataFrame``: sums and weighted means per sector,
  process, year and indicator, plausible plants only.
* ``draw_benchmark_curve(benchmarked, sector, indicator, year=None, *, title="")`` and
  ``write_benchmark_curve(..., path)``: the benchmarking curve.

Conventions: final energy counts electricity at 3.6 MJ/kWh and fuels at net calorific
value; tCO2e from `ecocluster.recp_finance.read_factors` (fuels by IPCC factors, electricity
by Viet Nam's grid factor of the year, the nearest published one outside the table, named
in ``grid_year``). EEI = 100 × intensity / best practice (100 is best practice). Percentile:
share of the plants of the same sector, process and year at or below the plant's intensity.
Top quartile: the 25th percentile of those intensities (numpy's linear interpolation).
Savings to a level: max(0, intensity − level) × production, per year, money at the plant's
own average price of what it saves (only when every row concerned has a cost). A plant-year
with an intensity below the ``minimum`` (physical) benchmark of its sector is flagged and
left out of percentiles, quartiles and sector sums.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.problems import Problem, cell_text, read_records, refuse
from ecocluster.recp import _key, _numbers, _Problems, _vocabulary
from ecocluster.recp_finance import Factors, _dimension, _factor, _per_unit, read_factors

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CANONICAL",
    "LEVELS",
    "PlantData",
    "benchmark_plants",
    "compute_intensities",
    "draw_benchmark_curve",
    "read_benchmarks",
    "read_plants",
    "summarise_sector",
    "write_benchmark_curve",
]

LEVELS: Final = ("best_practice", "typical", "minimum")
#: Canonical quantity per tonne of product of the named indicators; others take GJ, kg or
#: m3 by the dimension of their unit.
CANONICAL: Final = {
    "electricity": "kWh", "fuel": "GJ", "final_energy": "GJ", "electrode": "kg",
    "refractory": "kg", "oxygen": "m3", "water": "m3", "co2e": "t",
}  # fmt: skip
_BY_DIMENSION: Final = {"energy": "GJ", "mass": "kg", "volume": "m3"}
_DIMENSION_OF: Final = {"kWh": "energy", "GJ": "energy", "kg": "mass", "t": "mass", "m3": "volume"}
_PINT: Final = {"m3": "m**3"}
_ENERGY: Final = ("electricity", "fuel", "final_energy")
#: Materials a report may name (English or Vietnamese), beyond the benchmarks' indicators.
_MATERIALS: Final = {
    "electrode": "graphite electrode|điện cực|điện cực graphit",
    "refractory": "refractories|vật liệu chịu lửa|gạch chịu lửa",
    "oxygen": "o2|oxy|ôxy|khí oxy",
    "water": "nước|nước cấp|fresh water",
    "wastewater": "waste water|effluent|nước thải",
    "scrap": "steel scrap|aluminium scrap|phế liệu|thép phế|thép phế liệu|nhôm phế liệu",
    "lime": "vôi",
    "dross": "xỉ nhôm",
}
_UNITS: Final = {"kt": "kilotonne", "nghin_tan": "kilotonne", "ngan_tan": "kilotonne"} | {
    "nm3": "m**3", "nm_3": "m**3"
}  # fmt: skip
_HEADERS: Final = {
    "plant": "plant_id|id|mã|mã nhà máy|nhà máy|enterprise_id|doanh nghiệp",
    "name": "plant name|tên|tên nhà máy",
    "sector": "industry|ngành|ngành nghề",
    "process": "công đoạn|quy trình",
    "province": "tỉnh|tỉnh thành",
    "capacity_t": "capacity|công suất",
    "year": "năm",
    "flow": "carrier|item|dòng|hạng mục|loại",
    "quantity": "amount|value|số lượng|lượng",
    "unit": "units|đơn vị|đơn vị tính",
    "cost": "money|chi phí|tiền",
    "currency": "tiền tệ|đơn vị tiền",
    "note": "notes|comment|ghi chú",
}
_PLANTS: Final = (("plant", "sector"), ("name", "process", "province", "capacity_t", "lat", "lon"))
_REPORTS: Final = (("plant", "year", "flow", "quantity", "unit"), ("cost", "currency", "note"))
_BENCHMARKS: Final = (
    ("sector", "indicator", "level", "value", "unit", "source"),
    ("process", "product", "boundary", "notes"),
)


@dataclass(frozen=True)
class PlantData:
    """Checked plant data. ``plants``: plant, name, sector, process, province, capacity_t,
    lat, lon, row. ``reports``: plant, year, flow (canonical), kind (production, carrier,
    material, co2), carrier, quantity, unit as written, ``amount`` in ``amount_unit`` (t for
    production and co2, GJ for carriers, `CANONICAL` for materials), kwh, gj, mass_kg (fuels),
    co2e_t, grid_year, cost, note, row."""

    plants: pd.DataFrame = field(repr=False)
    reports: pd.DataFrame = field(repr=False)
    currency: str = ""
    factors: Factors | None = field(default=None, repr=False)
    benchmarks: pd.DataFrame | None = field(default=None, repr=False)


# --------------------------------------------------------------------- reading tables
def _table(
    source: str | Path | pd.DataFrame, role: str, columns: tuple[tuple[str, ...], ...],
    problems: list[Problem],
) -> pd.DataFrame:  # fmt: skip
    """A table as text with canonical column names; index: the file's row numbers."""
    if isinstance(source, pd.DataFrame):
        file, header = str(source.attrs.get("file", f"{role} table")), 1
        headers = [str(c) for c in source.columns]
        cells = [[cell_text(v) for v in row] for row in source.itertuples(index=False)]
        numbers = list(range(2, len(cells) + 2))
    else:
        file = str(source)
        records = read_records(Path(source), None, file)
        start = next((i for i, r in enumerate(records) if any(r)), None)
        if start is None:
            raise InputError("the file is empty: no header row", file=file, rule="empty-file")
        header, headers = start + 1, records[start]
        body = [(n, r) for n, r in enumerate(records[start + 1 :], start=start + 2) if any(r)]
        cells = [(r + [""] * len(headers))[: len(headers)] for _, r in body]
        numbers = [n for n, _ in body]
    required, optional = columns
    wanted = (*required, *optional)
    aliases = {_key(a): n for n, spec in _HEADERS.items() for a in spec.split("|") if n in wanted}
    names: dict[int, str] = {}
    for at, text in enumerate(headers):
        name = aliases.get(_key(text), _key(text))
        if name in names.values() and name in wanted:
            message = f"two columns give the {name}"
            problems.append(Problem(file, header, text, "duplicate-column", message))
        elif name in wanted:
            names[at] = name
    for name in required:
        if name not in names.values():
            message = f"the header has no {name!r} column"
            problems.append(Problem(file, header, name, "missing-column", message))
    rows = [[row[at] for at in names] for row in cells]
    frame = pd.DataFrame(rows, columns=list(names.values()), dtype=object)
    frame.index = pd.Index(numbers, name="row")
    for name in wanted:
        if name not in frame.columns:
            frame[name] = ""
    frame.attrs.update(file=file, header_row=header)
    return frame.map(lambda v: str(v).strip())


def _required(p: _Problems, t: pd.DataFrame, *columns: str) -> None:
    for column in columns:
        p.flag(t, t[column] == "", column, "required", f"the {column} is empty")


def _unit(unit: str) -> str:
    """A unit as `ecocluster.recp_finance` reads it (kt is a kilotonne, not a knot)."""
    return _UNITS.get(_key(unit), unit)


@functools.cache
def _per_tonne(unit: str, wanted: str) -> float:
    """How many `wanted` per tonne one `unit` is (NaN when it does not convert)."""
    from ecocluster.monitoring import _pint_text, convert

    text = unit.replace("Nm3", "m3").replace("Nm³", "m3")
    try:
        return float(convert([1.0], _pint_text(text), f"{_PINT.get(wanted, wanted)}/t")[0])
    except ValueError:
        return math.nan


# --------------------------------------------------------------------- benchmarks
def read_benchmarks(path: str | Path | None = None) -> pd.DataFrame:
    """The benchmarks (bundled, or a file of the same shape), checked; see the module doc."""
    if path is None:
        return _bundled_benchmarks().copy()
    return _benchmarks(path)


@functools.cache
def _bundled_benchmarks() -> pd.DataFrame:
    source = resources.files("ecocluster").joinpath("data", "benchmarks", "benchmarks.csv")
    with resources.as_file(source) as path:
        return _benchmarks(path)


def _benchmarks(path: str | Path) -> pd.DataFrame:
    problems: list[Problem] = []
    t = _table(path, "benchmarks", _BENCHMARKS, problems)
    if problems:
        raise refuse(problems, "the benchmarks were")
    p = _Problems()
    _required(p, t, "sector", "indicator", "level", "unit")
    p.flag(t, t["source"] == "", "source", "source", "the benchmark has no source; cite one")
    value = _numbers(p, t, "value", required=True)
    p.flag(t, value < 0, "value", "negative", "value {text} is negative")
    out = t.copy()
    for column in ("sector", "process", "indicator", "level"):
        out[column] = t[column].map(_key)
    message = "level {text!r} is not one of " + ", ".join(LEVELS)
    p.flag(t, ~out["level"].isin(LEVELS) & (t["level"] != ""), "level", "level", message)
    canonical = [_canonical_unit(i, u) for i, u in zip(out["indicator"], t["unit"], strict=True)]
    why = np.array([c[1] for c in canonical], dtype=object)
    p.flag(t, (why != "") & (t["unit"] != ""), "unit", "unit", "{why}", why=why)
    again = out.duplicated(["sector", "process", "indicator", "level"]) & (out["level"] != "")
    message = "this sector, process, indicator and level are given twice; keep one"
    p.flag(t, again, "level", "duplicate", message)
    if p:
        raise refuse(p, "the benchmarks were")
    out["value"] = value
    units = [c[0] for c in canonical]
    per = [_per_tonne(u, c) for u, c in zip(t["unit"], units, strict=True)]
    out["value_canonical"] = value * np.array(per, dtype=float)
    out["canonical_unit"] = [f"{u}/t" for u in units]
    out["row"] = t.index
    columns = ["sector", "process", "product", "indicator", "level", "value", "unit"]
    columns += ["boundary", "source", "notes", "value_canonical", "canonical_unit", "row"]
    return out[columns].reset_index(drop=True)


def _canonical_unit(indicator: str, unit: str) -> tuple[str, str]:
    """(canonical quantity of `indicator`, "") or ("", why `unit` does not fit)."""
    found = next((d for d, u in _BY_DIMENSION.items() if math.isfinite(_per_tonne(unit, u))), "")
    if not found:
        return "", f"unit {unit!r} is not an amount of energy, mass or volume per tonne"
    wanted = CANONICAL.get(indicator, _BY_DIMENSION[found])
    if _DIMENSION_OF[wanted] != found:
        return "", f"{indicator} is measured in {wanted}/t, and {unit!r} is not"
    return wanted, ""


def _indicator_units(marks: pd.DataFrame) -> dict[str, str]:
    """Canonical quantity (kWh, GJ, kg, m3, t) of every indicator known."""
    units = marks["canonical_unit"].str.removesuffix("/t")
    return dict(zip(marks["indicator"], units, strict=True)) | CANONICAL


# --------------------------------------------------------------------- plant data
def read_plants(
    plants: str | Path | pd.DataFrame,
    reports: str | Path | pd.DataFrame,
    *,
    factors: Factors | None = None,
    benchmarks: pd.DataFrame | None = None,
) -> PlantData:
    """The plants and their yearly reports, checked against the factors and benchmarks;
    one `InputError` lists every problem of both tables (file, row, column, rule)."""
    known = factors or read_factors()
    marks = read_benchmarks() if benchmarks is None else benchmarks
    problems: list[Problem] = []
    roles = ((plants, "plants", _PLANTS), (reports, "reports", _REPORTS))
    tables = [_table(source, role, columns, problems) for source, role, columns in roles]
    if problems:
        raise refuse(problems, "the plant data were")
    p = _Problems()
    firms = _plants(p, tables[0], marks)
    rows, currency = _reports(p, tables[1], firms, marks, known)
    if p:
        files = {file: i for i, file in reversed(list(enumerate(q.file for q in p)))}
        raise refuse(sorted(p, key=lambda q: (files[q.file], q.row or 0)), "the plant data were")
    return PlantData(firms, rows, currency, known, marks)


def _plants(p: _Problems, t: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    _required(p, t, "plant", "sector")
    ids = t["plant"]
    first = pd.Series(t.index, index=t.index).groupby(ids.to_numpy()).transform("min")
    message = "plant {text!r} is given twice (first at row {first})"
    p.flag(t, ids.duplicated() & (ids != ""), "plant", "duplicate", message, first=first)
    sector, process = t["sector"].map(_key), t["process"].map(_key)
    sectors = sorted(marks["sector"].unique())
    message = "sector {text!r} has no benchmarks; use one of " + ", ".join(sectors)
    p.flag(t, ~sector.isin(sectors) & (sector != ""), "sector", "unknown-sector", message)
    pairs = set(zip(marks["sector"], marks["process"], strict=True))
    listed = {s: ", ".join(sorted({q for r, q in pairs if r == s and q})) for s in sectors}
    unknown = [bool(q) and s in sectors and (s, q) not in pairs for s, q in zip(sector, process,
               strict=True)]  # fmt: skip
    choices = sector.map(listed).fillna("")
    message = (
        "process {text!r} has no benchmarks in {sector} ({choices}); leave it empty or use one"
    )
    p.flag(t, unknown, "process", "unknown-process", message, sector=sector, choices=choices)
    numbers = {c: _numbers(p, t, c, required=False) for c in ("capacity_t", "lat", "lon")}
    out = t[["plant", "name", "province"]].assign(sector=sector, process=process, **numbers)
    out["name"] = out["name"].where(out["name"] != "", out["plant"])
    out["row"] = t.index
    columns = ["plant", "name", "sector", "process", "province", "capacity_t", "lat", "lon", "row"]
    return out[columns].reset_index(drop=True)


@functools.cache
def _flow_names() -> dict[str, tuple[str, str]]:
    """Key of a flow's spelling → (flow, kind), for production, co2 and materials."""
    names: dict[str, tuple[str, str]] = {"production": ("production", "production")}
    names |= {"co2": ("co2", "co2"), "co2e": ("co2", "co2")}
    for key, kind in _vocabulary()["flow_kind"].items():
        if kind in ("production", "co2e"):
            names[key] = ("production", "production") if kind == "production" else ("co2", "co2")
    for name, spec in _MATERIALS.items():
        names |= {_key(a): (name, "material") for a in [name, *spec.split("|")]}
    return names


def _flow(text: str, factors: Factors, indicators: frozenset[str]) -> tuple[str, str, str]:
    """(flow, kind, carrier) of a flow as written; kind "" when it is not known."""
    key = _key(text)
    carrier = factors.aliases.get(key, "")
    if key in _flow_names() and _flow_names()[key][1] != "material":
        return (*_flow_names()[key], "")
    if carrier:
        return carrier, "carrier", carrier
    if key in _flow_names():
        return (*_flow_names()[key], "")
    return (key, "material", "") if key in indicators else ("", "", "")


def _conversion(kind: str, flow: str, carrier: str, unit: str, wanted: str,
                factors: Factors) -> tuple[float, str]:  # fmt: skip
    """(amount of one `unit` in t, GJ or `wanted`, "") or (NaN, why it does not fit)."""
    text = _unit(unit)
    if kind == "carrier":
        return _per_unit("energy", carrier, text, factors)
    dimension = _dimension(text)
    if not dimension:
        return math.nan, f"unit {unit!r} is not known"
    if kind in ("production", "co2"):
        if dimension != "mass":
            what = "production" if kind == "production" else "reported CO2"
            return math.nan, f"{what} is measured in tonnes (t or kt), not {unit!r}"
        return _factor(text, "t"), ""
    need = _DIMENSION_OF.get(wanted, "")
    if not need:
        return math.nan, f"{flow} cannot be given in {unit!r}; use a unit of mass or volume"
    if dimension != need:
        return math.nan, f"{flow} is measured in {need} (e.g. {wanted}), not {unit!r}"
    return _factor(text, _PINT.get(wanted, wanted)), ""


def _reports(
    p: _Problems, t: pd.DataFrame, firms: pd.DataFrame, marks: pd.DataFrame, factors: Factors
) -> tuple[pd.DataFrame, str]:
    _required(p, t, "plant", "flow", "unit")
    message = "plant {text!r} is not in the plants"
    known_plant = t["plant"].isin(firms["plant"])
    p.flag(t, ~known_plant & (t["plant"] != ""), "plant", "unknown-plant", message)
    years = pd.to_numeric(t["year"].where(t["year"].str.fullmatch(r"\d{4}")), errors="coerce")
    bad_year = years.isna() | (years < 1900) | (years > 2100)
    p.flag(t, bad_year, "year", "year", "{text!r} is not a year (e.g. 2022)")
    quantity = _numbers(p, t, "quantity", required=True)
    cost = _numbers(p, t, "cost", required=False)
    p.flag(t, cost < 0, "cost", "negative", "cost {text} is negative")
    indicators = frozenset(marks["indicator"]) - {*_ENERGY, "co2e", *factors.aliases.values()}
    found = {x: _flow(x, factors, indicators) for x in t["flow"].unique()}
    flows = pd.DataFrame([found[x] for x in t["flow"]], columns=["flow", "kind", "carrier"],
                         index=t.index)  # fmt: skip
    message = "flow {text!r} is not production, co2, an energy carrier of the calorific values "
    message += "or a material (" + ", ".join(sorted({*_MATERIALS, *indicators})) + ")"
    p.flag(t, (flows["kind"] == "") & (t["flow"] != ""), "flow", "unknown-flow", message)
    made = (flows["kind"] == "production").to_numpy()
    message = "production must be more than zero, not {text}"
    p.flag(t, made & (quantity == 0), "quantity", "zero-production", message)
    p.flag(t, quantity < 0, "quantity", "negative", "{text} is negative")
    wanted = _material_units(flows, t["unit"], _indicator_units(marks))
    keys = list(zip(flows["kind"], flows["flow"], flows["carrier"], t["unit"], wanted, strict=True))
    converted = {
        k: _conversion(*k, factors) if k[0] and k[3] else (math.nan, "") for k in set(keys)
    }
    per = np.array([converted[k][0] for k in keys], dtype=float)
    why = np.array([converted[k][1] for k in keys], dtype=object)
    p.flag(t, why != "", "unit", "unit", "{why}", why=why)
    valid = known_plant & ~bad_year & (flows["kind"] != "")
    group = t["plant"] + "\t" + t["year"]
    first = pd.Series(t.index, index=t.index).groupby((group + "\t" + flows["flow"]).to_numpy())
    again = valid & (group + "\t" + flows["flow"]).duplicated()
    message = "flow {text!r} is given twice for this plant and year (first at row {first}); add up"
    p.flag(t, again, "flow", "duplicate", message, first=first.transform("min"))
    has_output = pd.Series(made, index=t.index).groupby(group.to_numpy()).transform("any")
    message = "plant {text} has no production row for {year}"
    p.flag(t, valid & ~group.duplicated() & ~has_output, "plant", "missing-production", message,
           year=t["year"])  # fmt: skip
    given = t["currency"][t["currency"] != ""]
    currency = str(given.iloc[0]) if len(given) else ""
    message = "{text!r} differs from the file's currency " + repr(currency)
    p.flag(t, (t["currency"] != currency) & (t["currency"] != ""), "currency", "currency", message)
    if p:
        return pd.DataFrame(), ""
    out = flows.assign(plant=t["plant"], year=years.astype(int), quantity=quantity, unit=t["unit"])
    out["amount"] = quantity * per
    out["amount_unit"] = np.where(out["kind"] == "carrier", "GJ", wanted)
    carrier = (out["kind"] == "carrier").to_numpy()
    electric = (out["carrier"] == "electricity").to_numpy()
    out["gj"] = np.where(carrier, out["amount"], 0.0)
    out["kwh"] = np.where(electric, out["gj"] / 0.0036, 0.0)
    ncv = out["carrier"].map(factors.carriers["ncv_gj_per_t"]).to_numpy(float)
    out["mass_kg"] = np.where(carrier & ~electric, out["gj"] / ncv * 1000, np.nan)
    grid_year, per_mwh = factors.grid(out["year"]) if len(out) else (np.zeros(0), np.zeros(0))
    fuel = out["carrier"].map(factors.t_co2e_per_gj).fillna(0.0).to_numpy(float)
    out["co2e_t"] = np.where(electric, out["kwh"] / 1000 * per_mwh, out["gj"] * fuel)
    out["grid_year"] = np.where(electric, grid_year, 0).astype(int)
    out["cost"], out["note"], out["row"] = cost, t["note"], t.index
    columns = ["plant", "year", "flow", "kind", "carrier", "quantity", "unit", "amount"]
    columns += ["amount_unit", "kwh", "gj", "mass_kg", "co2e_t", "grid_year", "cost", "note", "row"]
    return out[columns].reset_index(drop=True), currency


def _material_units(flows: pd.DataFrame, units: pd.Series, known: dict[str, str]) -> list[str]:
    """The canonical quantity of each row's material: known, else by its first unit's kind."""
    wanted: dict[str, str] = {}
    for flow, kind, unit in zip(flows["flow"], flows["kind"], units, strict=True):
        if kind == "material" and flow not in wanted:
            guess = _BY_DIMENSION.get(_dimension(_unit(unit)) if unit else "", "")
            wanted[flow] = known.get(flow, guess)
    return [wanted.get(f, "t") if k == "material" else "t" for f, k in zip(flows["flow"],
            flows["kind"], strict=True)]  # fmt: skip


# --------------------------------------------------------------------- intensities
def _quantities(data: PlantData, units: dict[str, str]) -> pd.DataFrame:
    """One row per plant, year and indicator: unit, quantity, energy_gj, cost (NaN unless
    every row concerned has one), co2e_t and production_t."""
    r = data.reports
    carriers, electric = r[r["kind"] == "carrier"], r["carrier"] == "electricity"
    parts = []
    for indicator, mask, quantity in (
        ("electricity", electric, r["kwh"]),
        ("fuel", ~electric, r["gj"]),
        ("final_energy", electric | ~electric, r["gj"]),
    ):
        chosen = mask.loc[carriers.index]
        parts.append(carriers.assign(indicator=indicator, unit=units[indicator],
            quantity=quantity.loc[carriers.index].where(chosen, 0.0),
            energy_gj=carriers["gj"].where(chosen, 0.0), cost=carriers["cost"].where(chosen, 0.0),
            co2e_t=carriers["co2e_t"].where(chosen, 0.0)))  # fmt: skip
    parts.append(carriers.assign(indicator="co2e", unit="t", quantity=carriers["co2e_t"],
                                 energy_gj=np.nan, cost=0.0))  # fmt: skip
    named = carriers[carriers["carrier"].isin(units) & ~electric.loc[carriers.index]]
    if len(named):
        unit = named["carrier"].map(units)
        amount = np.where(unit == "kg", named["mass_kg"], named["gj"].where(unit == "GJ"))
        parts.append(named.assign(indicator=named["carrier"], unit=unit, quantity=amount,
                                  energy_gj=named["gj"]))  # fmt: skip
    materials = r[r["kind"] == "material"]
    parts.append(materials.assign(indicator=materials["flow"], unit=materials["amount_unit"],
        quantity=materials["amount"], energy_gj=np.nan, co2e_t=np.nan))  # fmt: skip
    columns = ["plant", "year", "indicator", "unit", "quantity", "energy_gj", "cost", "co2e_t"]
    long = pd.concat([part[columns] for part in parts], ignore_index=True)
    long["unpriced"] = long["cost"].isna().astype(int)
    keys = ["plant", "year", "indicator", "unit"]
    sums = long.groupby(keys, sort=False).agg(
        quantity=("quantity", "sum"), energy_gj=("energy_gj", lambda s: s.sum(min_count=1)),
        cost=("cost", "sum"), co2e_t=("co2e_t", lambda s: s.sum(min_count=1)),
        unpriced=("unpriced", "sum"))  # fmt: skip
    sums["cost"] = sums["cost"].where(sums["unpriced"] == 0)
    sums.loc[sums.index.get_level_values("indicator") == "co2e", "cost"] = np.nan
    made = r[r["kind"] == "production"].set_index(["plant", "year"])["amount"]
    out = sums.drop(columns="unpriced").reset_index()
    metered = r[r["carrier"] == "electricity"].set_index(["plant", "year"]).index
    unmetered = ~pd.MultiIndex.from_frame(out[["plant", "year"]]).isin(metered)
    incomplete = unmetered & out["indicator"].isin(("electricity", "final_energy", "co2e"))
    out.loc[incomplete, "quantity"] = math.nan
    out["production_t"] = made.reindex(pd.MultiIndex.from_frame(out[["plant", "year"]])).to_numpy()
    out["intensity"] = out["quantity"] / out["production_t"]
    return out


def _applicable(plants: pd.DataFrame, marks: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Per plant and indicator: the benchmark's process and each level's value and source;
    and per plant, why an indicator has none (benchmarks for several processes)."""
    rows, notes = [], {}
    for plant, sector, process in plants[["plant", "sector", "process"]].itertuples(index=False):
        own = marks[(marks["sector"] == sector) & ((marks["process"] == process) | (not process))]
        missing = []
        for indicator, group in own.groupby("indicator", sort=False):
            processes = sorted(group["process"].unique())
            if len(processes) > 1:
                missing.append(f"{indicator} ({', '.join(processes)})")
                continue
            row: dict[str, Any] = {"plant": plant, "indicator": indicator}
            row["benchmark_process"] = processes[0]
            for level in LEVELS:
                at = group[group["level"] == level]
                row[level] = at["value_canonical"].iloc[0] if len(at) else math.nan
                row[f"{level}_source"] = at["source"].iloc[0] if len(at) else ""
            rows.append(row)
        if missing:
            notes[plant] = f"{sector} has benchmarks for several processes of " + "; ".join(
                missing) + ": give the plant's process"  # fmt: skip
    columns = ["plant", "indicator", "benchmark_process"]
    columns += [f"{level}{s}" for level in LEVELS for s in ("", "_source")]
    return pd.DataFrame(rows, columns=columns), notes


def _assessed(data: PlantData, marks: pd.DataFrame) -> pd.DataFrame:
    """The long quantities with the plant's attributes, benchmarks, flags and plausibility."""
    long = _quantities(data, _indicator_units(marks))
    applicable, notes = _applicable(data.plants, marks)
    out = long.merge(applicable, on=["plant", "indicator"], how="left")
    out = out.merge(data.plants[["plant", "name", "sector", "process"]], on="plant", how="left")
    low = (out["intensity"] < out["minimum"]).to_numpy()
    label = out["indicator"].str.replace("_", " ")
    text = [
        f"{what} {v:,.4g} {u}/t is below the physical minimum {m:,.4g} {u}/t of {s} "
        f"(source: {src})" if bad else ""
        for bad, what, v, u, m, s, src in zip(low, label, out["intensity"], out["unit"],
            out["minimum"], out["sector"], out["minimum_source"], strict=True)
    ]  # fmt: skip
    out["flag"] = text
    keys = ["plant", "year"]
    flags = out.groupby(keys)["flag"].agg(lambda s: "; ".join(x for x in s if x))
    out = out.drop(columns="flag").join(flags.rename("flags"), on=keys)
    out["plausible"] = out["flags"] == ""
    extra = [notes.get(plant, "") for plant in out["plant"]]
    out["flags"] = [("; ".join(x for x in (f, e) if x)) for f, e in zip(out["flags"], extra,
                    strict=True)]  # fmt: skip
    return out


def _column(indicator: str, unit: str) -> str:
    return f"{indicator}_{unit.lower()}"


def compute_intensities(data: PlantData, benchmarks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Totals and intensities per plant-year, flags and plausibility (see the module doc).

    Not measured is not zero: without an electricity row, electricity, final energy and
    CO2e are NaN (fuel is zero without a fuel row: an EAF may burn none); materials are
    NaN where not reported."""
    marks = _marks(data, benchmarks)
    long = _assessed(data, marks)
    keys = ["plant", "year"]
    names = long.assign(name=[_column(i, u) for i, u in zip(long["indicator"], long["unit"],
                              strict=True)])  # fmt: skip
    order = sorted(names["name"].unique(), key=lambda n: (_rank(n), n))
    totals = names.pivot(index=keys, columns="name", values="quantity").reindex(columns=order)
    rates = names.pivot(index=keys, columns="name", values="intensity").reindex(columns=order)
    for column in ("electricity_kwh", "fuel_gj", "final_energy_gj", "co2e_t"):
        if column not in totals.columns:
            totals[column], rates[column] = math.nan, math.nan
    energy = long[long["indicator"] == "final_energy"].set_index(keys)["cost"]
    r = data.reports
    grid = r[r["carrier"] == "electricity"].groupby(keys)["grid_year"].first()
    reported = r[r["kind"] == "co2"].groupby(keys)["amount"].sum()
    made = r[r["kind"] == "production"].set_index(keys)["amount"].rename("production_t")
    out = made.to_frame().join(totals).join(rates.add_suffix("_per_t"))
    out["energy_cost"] = energy.reindex(out.index)
    out["reported_co2_t"] = reported.reindex(out.index)
    out["grid_year"] = grid.reindex(out.index).fillna(0).astype(int)
    state = long.groupby(keys)[["flags", "plausible"]].first().reindex(out.index)
    out["flags"] = state["flags"].fillna("")
    out["plausible"] = state["plausible"].fillna(True).astype(bool)
    attributes = data.plants.set_index("plant")[["name", "sector", "process"]]
    out = out.reset_index().join(attributes, on="plant")
    first = ["plant", "name", "sector", "process", "year", "production_t"]
    columns = first + [c for c in out.columns if c not in first]
    out = out[columns].sort_values(keys, ignore_index=True)
    out.attrs["currency"] = data.currency
    return out


def _rank(name: str) -> int:
    fixed = ("electricity_kwh", "fuel_gj", "final_energy_gj", "co2e_t")
    return fixed.index(name) if name in fixed else len(fixed)


def _marks(data: PlantData, benchmarks: pd.DataFrame | None) -> pd.DataFrame:
    if benchmarks is not None:
        return benchmarks
    return data.benchmarks if data.benchmarks is not None else read_benchmarks()


# --------------------------------------------------------------------- benchmarking
def benchmark_plants(
    data: PlantData,
    benchmarks: pd.DataFrame | None = None,
    *,
    year: int | None = None,
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each plant-year against the best practice of its sector and its peers (module doc).

    Implausible plant-years keep their intensity, EEI and savings, with ``plausible``
    False and their ``flags``, but have no percentile and do not count in ``n_plants`` or
    the top quartile. ``attrs``: currency, quartile (how the top quartile is computed)."""
    marks = _marks(data, benchmarks)
    out = _assessed(data, marks)
    out = out[out["best_practice"].notna() & out["intensity"].notna()]
    if year is not None:
        out = out[out["year"] == int(year)]
    if indicators is not None:
        wanted = [_key(i) for i in indicators]
        unknown = sorted(set(wanted) - set(_indicator_units(marks)))
        if unknown:
            known = ", ".join(sorted(_indicator_units(marks)))
            raise InputError(f"unknown indicator {', '.join(unknown)}; use {known}",
                             rule="indicator")  # fmt: skip
        out = out[out["indicator"].isin(wanted)]
    out = out.rename(columns={"process": "plant_process", "benchmark_process": "process"})
    out = out.reset_index(drop=True)
    out["percentile"], out["top_quartile"], out["n_plants"] = math.nan, math.nan, 0
    sample = ["sector", "process", "year", "indicator"]
    for _, group in out.groupby(sample):
        counted = group[group["plausible"]]
        values = counted["intensity"].to_numpy(float)
        if not len(values):
            continue
        below = (values[None, :] <= values[:, None]).sum(axis=1)
        out.loc[counted.index, "percentile"] = 100.0 * below / len(values)
        out.loc[group.index, "top_quartile"] = float(np.percentile(values, 25))
        out.loc[group.index, "n_plants"] = len(values)
    production, intensity = out["production_t"], out["intensity"]
    out["eei"] = 100.0 * intensity / out["best_practice"]
    with np.errstate(divide="ignore", invalid="ignore"):
        gj = np.where(out["unit"] == "kWh", 0.0036, out["energy_gj"] / out["quantity"])
        gj = np.where(out["unit"] == "GJ", 1.0, gj)
        price = out["cost"] / out["quantity"]
        co2e = np.where(out["indicator"] == "co2e", 1.0, out["co2e_t"] / out["quantity"])
    out["quantity_gj"] = out["quantity"] * gj
    for name, level in (("best", "best_practice"), ("top_quartile", "top_quartile")):
        saving = (intensity - out[level]).clip(lower=0) * production
        out[f"saving_to_{name}"] = saving
        out[f"saving_to_{name}_gj"] = saving * gj
        out[f"saving_to_{name}_money"] = np.where(saving == 0, 0.0, saving * price)
        out[f"saving_to_{name}_co2e_t"] = saving * co2e
        concerned = [c for c in out.columns if c.startswith(f"saving_to_{name}")]
        out.loc[out[level].isna(), concerned] = math.nan
    out["n_plants"] = out["n_plants"].astype(int)
    out["source"] = out["best_practice_source"]
    columns = ["plant", "name", "sector", "process", "year", "indicator", "unit", "production_t"]
    columns += ["quantity", "quantity_gj", "intensity", "best_practice", "typical", "minimum"]
    columns += ["eei", "percentile", "top_quartile", "n_plants"]
    columns += [f"saving_to_{n}{s}" for n in ("best", "top_quartile")
                for s in ("", "_gj", "_money", "_co2e_t")]  # fmt: skip
    columns += ["plausible", "flags", "source"]
    out = out[columns].sort_values(["sector", "process", "indicator", "year", "plant"],
                                   ignore_index=True)  # fmt: skip
    out["unit"] = out["unit"] + "/t"
    out.attrs.update(currency=data.currency, quartile="25th percentile, numpy linear")
    return out


def summarise_sector(benchmarked: pd.DataFrame) -> pd.DataFrame:
    """Per sector, process, year and indicator, plausible plants only: ``plants``,
    ``plants_excluded``, ``production_t``, ``quantity`` (per year, in the unit's quantity),
    ``quantity_gj``, ``intensity`` (production-weighted), ``best_practice``,
    ``top_quartile``, ``eei`` (of the weighted intensity), the sums of the savings, and
    ``plants_priced`` (plants whose money saving is known and summed)."""
    keys = ["sector", "process", "year", "indicator", "unit"]
    frame = benchmarked.assign(excluded=~benchmarked["plausible"].astype(bool))
    frame["priced"] = frame["saving_to_best_money"].notna() & ~frame["excluded"]
    counted = frame[~frame["excluded"]]
    savings = [c for c in benchmarked.columns if c.startswith("saving_to_")]
    sums = counted.groupby(keys).agg(
        plants=("plant", "count"), production_t=("production_t", "sum"),
        quantity=("quantity", "sum"), quantity_gj=("quantity_gj", lambda s: s.sum(min_count=1)),
        best_practice=("best_practice", "first"), top_quartile=("top_quartile", "first"),
        **{c: (c, lambda s: s.sum(min_count=1)) for c in savings})  # fmt: skip
    out = frame.groupby(keys)[["excluded", "priced"]].sum().astype(int).join(sums, how="left")
    out = out.rename(columns={"excluded": "plants_excluded", "priced": "plants_priced"})
    out["plants"] = out["plants"].fillna(0).astype(int)
    out["intensity"] = out["quantity"] / out["production_t"]
    out["eei"] = 100.0 * out["intensity"] / out["best_practice"]
    first = ["plants", "plants_excluded", "production_t", "quantity", "quantity_gj", "intensity"]
    first += ["best_practice", "top_quartile", "eei"]
    out = out[[*first, *savings, "plants_priced"]].reset_index()
    out.attrs.update(benchmarked.attrs)
    return out


# --------------------------------------------------------------------- the benchmarking curve
def _curve_rows(benchmarked: pd.DataFrame, sector: str, indicator: str,
                year: int | None) -> pd.DataFrame:  # fmt: skip
    rows = benchmarked[(benchmarked["sector"] == _key(sector))
                       & (benchmarked["indicator"] == _key(indicator))]  # fmt: skip
    if year is None and len(rows):
        year = int(rows["year"].max())
    rows = rows[rows["year"] == year]
    if rows.empty:
        message = f"no benchmarked plant of {sector} for {indicator}" + (
            f" in {year}" if year is not None else "")  # fmt: skip
        raise InputError(message, rule="no-data")
    return rows.sort_values(["intensity", "plant"], ignore_index=True)


def draw_benchmark_curve(
    benchmarked: pd.DataFrame,
    sector: str,
    indicator: str,
    year: int | None = None,
    *,
    title: str = "",
) -> Figure:
    """Plants of one sector and year sorted by intensity, each a bar as wide as its
    production; best practice, the top quartile and (where published) the typical level as
    lines. Implausible plants are hatched and do not count in the quartile. Without `year`,
    the latest year benchmarked."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from ecocluster import figure_style as fs

    rows = _curve_rows(benchmarked, sector, indicator, year)
    unit = str(rows["unit"].iloc[0]).replace("m3", "m³")
    end = rows["production_t"].cumsum().to_numpy(float)
    start = end - rows["production_t"].to_numpy(float)
    good = rows["plausible"].astype(bool).to_numpy()
    with matplotlib.rc_context(fs.STYLE), fs.new_figure(4.2, title) as figure:
        axes = figure.add_subplot()
        axes.bar(start[good], rows["intensity"][good], width=rows["production_t"][good],
                 align="edge", color=fs.PALETTE[0], edgecolor="white", linewidth=0.5)  # fmt: skip
        if not good.all():
            axes.bar(start[~good], rows["intensity"][~good], width=rows["production_t"][~good],
                     align="edge", color="white", edgecolor=fs.PALETTE[3], hatch="///",
                     linewidth=0.8)  # fmt: skip
        handles: list[Any] = [Patch(color=fs.PALETTE[0], label="Plant (width: its production)")]
        if not good.all():
            handles.append(Patch(facecolor="white", edgecolor=fs.PALETTE[3], hatch="///",
                                 label="Implausible, not counted"))  # fmt: skip
        lines: list[tuple[str, str, str, Any]] = [
            ("best_practice", "Best practice", fs.PALETTE[2], "-"),
            ("top_quartile", "Top quartile", fs.PALETTE[1], "--"),
            ("typical", "Typical", fs.REFERENCE_COLOUR, ":"),
        ]
        for column, label, colour, style in lines:
            value = float(rows[column].iloc[0])
            if math.isfinite(value):
                axes.axhline(value, color=colour, linestyle=style, linewidth=1.4)
                text = fs.plain_text(f"{label} {value:,.4g} {unit}")
                handles.append(Line2D([], [], color=colour, linestyle=style, label=text))
        top = float(np.nanmax([rows[c].max() for c in ("intensity", "typical", "best_practice")]))
        axes.set_xlim(0, float(end[-1]))
        axes.set_ylim(0, top * 1.15)
        for x, width, height, name, ok in zip(start, rows["production_t"], rows["intensity"],
                                              rows["name"], good, strict=True):  # fmt: skip
            inside = ok and height > 0.45 * top  # a name fits in a tall bar, else above it
            at = height * 0.97 if inside else height + 0.01 * top
            axes.text(x + width / 2, at, fs.plain_text(name), rotation=90, ha="center",
                      va="top" if inside else "bottom", color="white" if inside else "black",
                      fontsize=7, clip_on=True, bbox=None if inside else fs.LABEL_BOX)  # fmt: skip
        fs.value_axis(axes.xaxis)
        fs.value_axis(axes.yaxis)
        axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        axes.set_xlabel("Cumulative production (t per year)")
        label = str(rows["indicator"].iloc[0]).replace("_", " ")
        axes.set_ylabel(fs.plain_text(f"{label.capitalize()} ({unit})"))
        axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.16), ncols=2)
    return figure


def write_benchmark_curve(
    benchmarked: pd.DataFrame, sector: str, indicator: str, path: str | Path,
    year: int | None = None, **kwargs: Any,
) -> Path:  # fmt: skip
    """`draw_benchmark_curve` written to ``.svg`` or ``.png``, whole or not at all."""
    from ecocluster.figure_style import write_figure

    _curve_rows(benchmarked, sector, indicator, year)
    return write_figure(
        lambda: draw_benchmark_curve(benchmarked, sector, indicator, year, **kwargs), path
    )
