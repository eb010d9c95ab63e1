"""Technology roadmaps: efficiency measures, cost of conserved energy, conservation supply
curves and adoption over the roadmap's years.

A sector association or ministry asks which measures save energy more cheaply than it is
bought, how much they could save in the sector, and what a plan of adoption would save
year by year. This module answers from a table of measures (``data/benchmarks/
measures.csv``, every row cited, or a file of the same shape) and plain numbers (the
sector's production, its baseline intensity), so it does not depend on plant data.

API:

* ``read_measures(path=None) -> DataFrame``: the bundled measures or a file of the same
  shape, checked (unknown carrier, a saving not in energy per t or not positive, negative
  investment, lifetime ≤ 0, applicability outside 0..1, a missing source ... all refused
  together, naming file, row, column and rule); adds ``saving_gj_per_t`` (electricity at
  3.6 MJ/kWh), ``saving_kwh_per_t`` (electricity measures) and ``currency``. Empty cost
  cells mean "no readable source": such measures have no cost of conserved energy.
* ``compute_cce(measures, discount_rate=0.10, *, utilisation=1.0, prices=None)``: cost of
  conserved energy per measure, per GJ and (electricity) per kWh; with `prices`
  (``{"electricity": money per kWh, "fuel": money per GJ}``) simple payback and whether
  the measure costs less than the energy it saves.
* ``compute_supply_curve(measures, production_t, *, sector=None, carrier=None, ...)``: the
  conservation supply curve: technical potential per measure, cheapest first, cumulative
  ``start``/``end``, ``cost_effective``; totals in ``attrs``.
* ``read_roadmap(path, measures)``, ``compute_adoption(roadmap, measures, production_t,
  years, *, baseline_intensity=None)``, ``adoption_totals(adoption)``: shares adopted and
  savings per year and measure, and per sector-year.
* ``draw_supply_curve(curve, *, price=None, title="")``, ``write_supply_curve(curve, path,
  **kwargs)``: the supply curve in the house style (`ecocluster.figure_style`).

Conventions. CCE = (investment / utilisation × CRF(rate, lifetime) + om_cost) / saving
(Meier 1982; LBNL's supply curves), investment being per t of annual capacity and
`utilisation` the share of capacity used, so that costs are per t produced. The curve of
one carrier is in its own unit (kWh of electricity, GJ of fuel), compared with its own
price; ``final_energy=True`` draws both carriers in GJ of final energy (electricity at
3.6 MJ/kWh), each measure compared with its own carrier's price per GJ. Savings of
measures are added, not combined multiplicatively, as LBNL's supply curves do: where two
measures act on the same energy use the total is an upper bound. The 10% discount rate is
a default, not advice.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.problems import Problem, read_table, refuse
from ecocluster.recp_finance import _rate, capital_recovery_factor, simple_payback

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CARRIERS",
    "GJ_PER_KWH",
    "adoption_totals",
    "compute_adoption",
    "compute_cce",
    "compute_supply_curve",
    "draw_supply_curve",
    "read_measures",
    "read_roadmap",
    "write_supply_curve",
]

CARRIERS: Final = ("electricity", "fuel")
#: Final energy of one kWh of electricity.
GJ_PER_KWH: Final = 0.0036
#: The unit each carrier's curve and price are in.
_UNITS: Final = {"electricity": "kWh", "fuel": "GJ", "final_energy": "GJ"}
_REQUIRED: Final = ("sector", "measure", "carrier", "saving", "saving_unit", "source")
_OPTIONAL: Final = (
    "label", "process", "investment", "investment_unit", "om_cost", "om_cost_unit",
    "lifetime_years", "applicability", "cost_year", "notes",
)  # fmt: skip
# "USD/t", "USD/(t/yr)", "VND/t/a": money per t (of annual capacity, for investment).
_MONEY_PER_T: Final = re.compile(
    r"^\s*([A-Za-z]{3})\s*/\s*\(?\s*(?:t|tonne)\s*(?:/\s*(?:yr|year|a|y))?\s*\)?\s*$"
)


# --------------------------------------------------------------------- reading
def records(frame: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    """(row number, cells) of each row of a table `ecocluster.problems.read_table` read."""
    return list(zip(frame.index.tolist(), frame.to_dict("records"), strict=True))  # type: ignore[arg-type]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _gj_per(unit: str) -> float | None:
    """GJ/t in one `unit` of energy per mass, or None when it is not that."""
    from ecocluster.monitoring import convert

    try:
        return float(convert([1.0], unit, "GJ/t")[0])
    except (ValueError, Exception):
        return None


def read_measures(path: str | Path | None = None) -> pd.DataFrame:
    """The efficiency measures of ``data/benchmarks/measures.csv``, or of a file of that
    shape, checked; every problem refused together."""
    if path is None:
        source = resources.files("ecocluster").joinpath("data", "benchmarks", "measures.csv")
        with resources.as_file(source) as bundled:
            table = read_table(bundled, _REQUIRED, _OPTIONAL)
        table.attrs["file"] = "measures.csv (bundled)"
    else:
        table = read_table(path, _REQUIRED, _OPTIONAL)
    file = str(table.attrs["file"])
    problems: list[Problem] = []

    def add(row: Any, column: str, rule: str, message: str) -> None:
        problems.append(Problem(file, int(row), column, rule, message))

    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for row, cells in records(table):
        record = _measure(cells, lambda *a, row=row: add(row, *a))
        key = (str(cells["sector"]), str(cells["measure"]))
        if key in seen:
            message = f"measure {key[1]!r} of {key[0]!r} is already on row {seen[key]}"
            add(row, "measure", "duplicate", message)
        seen.setdefault(key, row)
        if record is not None:
            out.append(record | {"row": row})
    if problems:
        raise refuse(problems, "the measures file was")
    frame = pd.DataFrame(out, columns=[*_COLUMNS, "row"])
    frame.attrs["file"] = file
    return frame


_COLUMNS: Final = (
    "sector", "measure", "label", "process", "carrier", "saving", "saving_unit",
    "saving_gj_per_t", "saving_kwh_per_t", "investment", "om_cost", "currency",
    "lifetime_years", "applicability", "cost_year", "source", "notes",
)  # fmt: skip


def _measure(cells: dict[str, Any], add: Any) -> dict[str, Any] | None:
    """One checked row, or None (after `add`ing its problems)."""
    found: list[str] = []

    def bad(column: str, rule: str, message: str) -> None:
        found.append(column)
        add(column, rule, message)

    for column in ("sector", "measure"):
        if not cells[column]:
            bad(column, "empty", f"the {column} is empty")
    carrier, saving = str(cells["carrier"]).casefold(), _number(cells["saving"])
    if carrier not in CARRIERS:
        known = ", ".join(CARRIERS)
        bad("carrier", "unknown-carrier", f"carrier {cells['carrier']!r} is not one of {known}")
    if saving is None or saving <= 0:
        rule = "not-a-number" if saving is None else "non-positive"
        bad("saving", rule, f"saving {cells['saving']!r} is not a number above zero")
    per = _gj_per(cells["saving_unit"]) if cells["saving_unit"] else None
    if per is None:
        unit = cells["saving_unit"]
        bad("saving_unit", "unit", f"saving unit {unit!r} is not energy per t (kWh/t, GJ/t)")
    values: dict[str, float] = {}
    defaults = {"investment": math.nan, "om_cost": 0.0, "lifetime_years": math.nan}
    for column, default in (defaults | {"applicability": 1.0}).items():
        value = _number(cells[column]) if cells[column] else default
        if value is None:
            bad(column, "not-a-number", f"{column} {cells[column]!r} is not a number")
        else:
            values[column] = value
    checks = (
        ("investment", "negative", values.get("investment", 0.0) < 0, "is negative"),
        ("lifetime_years", "lifetime", values.get("lifetime_years", 1.0) <= 0, "is not above 0"),
        ("applicability", "applicability", not 0 <= values.get("applicability", 1) <= 1,
         "is not between 0 and 1"),
    )  # fmt: skip
    for column, rule, failed, what in checks:
        if failed:
            bad(column, rule, f"{column} {values[column]:g} {what}")
    currencies = set()
    for column in ("investment", "om_cost"):
        unit = cells[f"{column}_unit"]
        match = _MONEY_PER_T.match(unit)
        if (cells[column] or unit) and match is None:
            bad(f"{column}_unit", "unit", f"unit {unit!r} is not money per t (such as USD/t)")
        elif match is not None:
            currencies.add(match.group(1).upper())
    if len(currencies) > 1:
        message = f"investment and om_cost are in {' and '.join(sorted(currencies))}"
        bad("om_cost_unit", "currency", message)
    year = _number(cells["cost_year"]) if cells["cost_year"] else 0.0
    if year is None or year != int(year) or (year and not 1900 <= year <= 2100):
        bad("cost_year", "year", f"cost year {cells['cost_year']!r} is not a year")
    if not cells["source"]:
        bad("source", "missing-source", "the measure has no source")
    if found or saving is None or per is None:
        return None
    gj = saving * per
    return {
        "sector": cells["sector"], "measure": cells["measure"],
        "label": cells["label"] or cells["measure"], "process": cells["process"],
        "carrier": carrier, "saving": saving, "saving_unit": cells["saving_unit"],
        "saving_gj_per_t": gj,
        "saving_kwh_per_t": gj / GJ_PER_KWH if carrier == "electricity" else math.nan,
        "currency": next(iter(currencies), ""), "cost_year": int(year) if year else pd.NA,
        "source": cells["source"], "notes": cells["notes"],
    } | values  # fmt: skip


# --------------------------------------------------------------------- cost of conserved energy
def _prices(prices: Mapping[str, float] | None) -> dict[str, float]:
    if prices is None:
        return {}
    out: dict[str, float] = {}
    for carrier, value in prices.items():
        if carrier not in CARRIERS:
            message = f"no price can be given for {carrier!r}; use {', '.join(CARRIERS)}"
            raise InputError(message, rule="price")
        price = float(value)
        if not (math.isfinite(price) and price >= 0):
            raise InputError(f"the {carrier} price {value!r} is not a number ≥ 0", rule="price")
        out[carrier] = price
    return out


def compute_cce(
    measures: pd.DataFrame,
    discount_rate: float = 0.10,
    *,
    utilisation: float = 1.0,
    prices: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Cost of conserved energy of each measure (money of its ``currency`` per GJ and, for
    electricity, per kWh; ``cce`` in the carrier's unit, named in ``cce_unit``).

    Investment per t of annual capacity ÷ `utilisation` is per t produced; times the
    capital recovery factor it is an annual cost per t, to which ``om_cost`` is added. NaN
    where the investment or (for a non-zero investment) the lifetime is not known. With
    `prices` (electricity per kWh, fuel per GJ): ``price``, ``energy_cost_saved_per_t``,
    ``payback_years`` (investment ÷ (energy cost saved − om_cost)) and ``cost_effective``
    (CCE below the price; NA where either is unknown).
    """
    rate = _rate(discount_rate)
    if not (math.isfinite(utilisation) and 0 < utilisation <= 1):
        message = f"utilisation {utilisation!r} is not a share of capacity in (0, 1]"
        raise InputError(message, rule="utilisation")
    price = _prices(prices)
    out = measures.copy()
    investment = out["investment"].to_numpy(float) / utilisation
    factor = np.asarray(capital_recovery_factor(rate, out["lifetime_years"].to_numpy(float)))
    annualised = np.where(investment == 0, 0.0, investment * factor)
    annual = annualised + out["om_cost"].to_numpy(float)
    electric = (out["carrier"] == "electricity").to_numpy()
    out["annualised_investment_per_t"] = annualised
    out["annual_cost_per_t"] = annual
    out["cce_per_gj"] = annual / out["saving_gj_per_t"].to_numpy(float)
    out["cce_per_kwh"] = np.where(
        electric, annual / out["saving_kwh_per_t"].to_numpy(float), np.nan
    )
    out["cce"] = np.where(electric, out["cce_per_kwh"], out["cce_per_gj"])
    unit = np.where(electric, "kWh", "GJ")
    out["cce_unit"] = [f"{c or 'money'}/{u}" for c, u in zip(out["currency"], unit, strict=True)]
    if price:
        own = out["carrier"].map(price).to_numpy(float)
        amount = np.where(electric, out["saving_kwh_per_t"], out["saving_gj_per_t"])
        out["price"] = own
        out["energy_cost_saved_per_t"] = amount * own
        net = out["energy_cost_saved_per_t"].to_numpy(float) - out["om_cost"].to_numpy(float)
        out["payback_years"] = simple_payback(investment, net)
        out["cost_effective"] = _below(out["cce"].to_numpy(float), own)
    out.attrs.update(discount_rate=rate, utilisation=float(utilisation), prices=price)
    return out


def _below(cost: np.ndarray, price: np.ndarray) -> pd.Series:
    known = np.isfinite(cost) & np.isfinite(price)
    values = pd.array(np.where(known, cost < price, False), dtype="boolean")
    values[~known] = pd.NA
    return pd.Series(values)


# --------------------------------------------------------------------- the supply curve
def _by_sector(value: Any, sectors: Iterable[str], what: str) -> dict[str, Any]:
    """A number for every sector: one number (one sector) or a mapping sector → number."""
    sectors = sorted(set(sectors))
    if isinstance(value, Mapping):
        missing = [s for s in sectors if s not in value]
        if missing:
            message = f"no {what} for sector {', '.join(missing)}"
            raise InputError(message, rule="missing-production")
        return {s: value[s] for s in sectors}
    if len(sectors) > 1:
        message = f"the measures are of {len(sectors)} sectors; give {what} per sector (a mapping)"
        raise InputError(message, rule="missing-production")
    return dict.fromkeys(sectors, value)


def _tonnes(value: Any, what: str = "production") -> float:
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise InputError(f"{what} {value!r} t is not above zero", rule="zero-production")
    return number


def _shares(adopted: Mapping[str, float] | None, measures: pd.DataFrame) -> np.ndarray:
    """The share of production already using each measure (0 when not given)."""
    if not adopted:
        return np.zeros(len(measures))
    unknown = sorted(set(adopted) - set(measures["measure"]))
    if unknown:
        message = f"adopted names unknown measure {', '.join(unknown)}"
        raise InputError(message, rule="unknown-measure")
    for measure, share in adopted.items():
        if not 0 <= float(share) <= 1:
            raise InputError(f"adopted share {share!r} of {measure!r} is not in 0..1", rule="share")
    return measures["measure"].map(lambda m: float(adopted.get(m, 0.0))).to_numpy(float)


def compute_supply_curve(
    measures: pd.DataFrame,
    production_t: float | Mapping[str, float],
    *,
    sector: str | None = None,
    carrier: str | None = None,
    final_energy: bool = False,
    discount_rate: float = 0.10,
    utilisation: float = 1.0,
    adopted: Mapping[str, float] | None = None,
    prices: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The conservation supply curve of the measures of one `sector` (or all) and one
    `carrier`, cheapest first.

    ``potential`` (per year, in kWh for electricity, GJ for fuel) = saving per t ×
    production × applicability × (1 − share `adopted` already); `production_t` is the
    sector's annual production (a mapping sector → t when several sectors are shown).
    Without `carrier` the measures must all be of one carrier, unless `final_energy` asks
    for both in GJ of final energy. ``cost_effective``: CCE below the carrier's price.
    Measures without a cost come last, with NaN ``cce``. ``attrs``: technical_potential,
    cost_effective_potential (NaN without prices), unit, currency, discount_rate, carrier,
    sector, price (per unit of the curve; per carrier with `final_energy`).
    """
    selected = measures
    if sector is not None:
        selected = selected[selected["sector"] == sector]
        if selected.empty:
            known = ", ".join(sorted(measures["sector"].unique())) or "none"
            message = f"no measures of sector {sector!r} (sectors: {known})"
            raise InputError(message, rule="unknown-sector")
    if final_energy and carrier is not None:
        raise InputError("give a carrier or final_energy=True, not both", rule="carrier")
    if carrier is not None:
        if carrier not in CARRIERS:
            message = f"carrier {carrier!r} is not one of {', '.join(CARRIERS)}"
            raise InputError(message, rule="unknown-carrier")
        selected = selected[selected["carrier"] == carrier]
    present = sorted(set(selected["carrier"]))
    if carrier is None and not final_energy and len(present) > 1:
        message = "the measures save electricity and fuel: name a carrier, or final_energy=True"
        raise InputError(message, rule="carrier")
    kind = "final_energy" if final_energy else carrier or (present[0] if present else "electricity")
    currencies = sorted({c for c in selected["currency"] if c})
    if len(currencies) > 1:
        message = f"the measures' costs are in {', '.join(currencies)}; convert to one"
        raise InputError(message, rule="currency")
    selected = selected.reset_index(drop=True)
    made = _by_sector(production_t, selected["sector"], "production")
    share = _shares(adopted, selected)
    costs = compute_cce(selected, discount_rate, utilisation=utilisation, prices=prices)
    price = costs.attrs["prices"]
    if kind == "electricity":
        per_t, cost = costs["saving_kwh_per_t"], costs["cce_per_kwh"]
    else:
        per_t, cost = costs["saving_gj_per_t"], costs["cce_per_gj"]
    production = selected["sector"].map({s: _tonnes(v) for s, v in made.items()}).to_numpy(float)
    applicability = selected["applicability"].to_numpy(float)
    columns = ["sector", "measure", "label", "process", "carrier", "currency", "source"]
    curve = selected[columns].assign(
        saving_per_t=per_t.to_numpy(float), production_t=production, applicability=applicability,
        adopted_share=share,
        potential=per_t.to_numpy(float) * production * applicability * (1 - share),
        investment=costs["investment"], lifetime_years=costs["lifetime_years"],
        cce=cost.to_numpy(float),
    )  # fmt: skip
    curve["annual_cost"] = curve["cce"] * curve["potential"]
    if kind == "final_energy":
        own = {c: p / GJ_PER_KWH if c == "electricity" else p for c, p in price.items()}
    else:
        own = {kind: price[kind]} if kind in price else {}
    line = curve["carrier"].map(own).to_numpy(float) if own else np.full(len(curve), np.nan)
    curve["cost_effective"] = _below(curve["cce"].to_numpy(float), line)
    order = ["cce", "measure"]
    curve = curve.sort_values(order, na_position="last", kind="stable", ignore_index=True)
    curve["end"] = curve["potential"].cumsum()
    curve["start"] = curve["end"] - curve["potential"]
    chosen = curve["cost_effective"].fillna(False).to_numpy(bool)
    effective = float(curve.loc[chosen, "potential"].sum()) if own else math.nan
    curve.attrs.update(
        technical_potential=float(curve["potential"].sum()), cost_effective_potential=effective,
        unit=_UNITS[kind], currency=currencies[0] if currencies else "", carrier=kind,
        discount_rate=costs.attrs["discount_rate"], sector=sector or "",
        price=own if kind == "final_energy" else own.get(kind, math.nan),
        no_cost=curve.loc[curve["cce"].isna(), "measure"].tolist(),
    )  # fmt: skip
    return curve


# --------------------------------------------------------------------- roadmap and adoption
def read_roadmap(path: str | Path, measures: pd.DataFrame) -> pd.DataFrame:
    """An adoption plan (CSV: measure, start_year, end_year, start_share, end_share, and
    ``sector`` where a measure id is used in several sectors), checked against `measures`.

    A share is of the sector's production and may not exceed the measure's applicability;
    a measure may have several rows (phases) that do not overlap in time.
    """
    required = ("measure", "start_year", "end_year", "start_share", "end_share")
    table = read_table(path, required, ("sector",))
    file = str(table.attrs["file"])
    problems: list[Problem] = []
    known = measures.set_index(["sector", "measure"])["applicability"]
    sectors_of: dict[str, list[str]] = {}
    for s, m in known.index:
        sectors_of.setdefault(m, []).append(s)
    out: list[dict[str, Any]] = []
    for number, cells in records(table):
        before = len(problems)

        def add(column: str, rule: str, message: str, number: int = number) -> None:
            problems.append(Problem(file, number, column, rule, message))

        measure, sector = cells["measure"], cells["sector"]
        options = [sector] if sector else sectors_of.get(measure, [])
        if (sector, measure) not in known.index and (sector or len(options) != 1):
            if len(options) > 1:
                where = f"is in sectors {', '.join(options)}; give a sector"
                add("sector", "ambiguous", f"measure {measure!r} {where}")
            else:
                where = "is not in the measures table"
                add("measure", "unknown-measure", f"measure {measure!r} {where}")
            options = []
        values: dict[str, float] = {}
        for column in required[1:]:
            value = _number(cells[column])
            if value is None:
                add(column, "not-a-number", f"{column} {cells[column]!r} is not a number")
            elif column.endswith("year") and (value != int(value) or not 1900 <= value <= 2200):
                add(column, "year", f"{column} {cells[column]!r} is not a year")
            elif column.endswith("share") and not 0 <= value <= 1:
                add(column, "share", f"{column} {value:g} is not a share in 0..1")
            else:
                values[column] = value
        if len(problems) > before:
            continue
        if values["end_year"] <= values["start_year"]:
            add("end_year", "year", "end_year is not after start_year")
        limit = float(known[(options[0], measure)])
        for column in ("start_share", "end_share"):
            if values[column] > limit + 1e-12:
                message = f"{column} {values[column]:g} exceeds the applicability {limit:g}"
                add(column, "applicability", message)
        if len(problems) == before:
            years = {k: int(v) for k, v in values.items() if k.endswith("year")}
            names = {"sector": options[0], "measure": measure, "row": number}
            out.append(names | values | years)
    plan = pd.DataFrame(out, columns=["sector", "measure", *required[1:], "row"])
    plan = plan.sort_values(["sector", "measure", "start_year"], kind="stable", ignore_index=True)
    for _, phases in plan.groupby(["sector", "measure"]):
        for earlier, later in itertools.pairwise(phases.to_dict("records")):
            if later["start_year"] < earlier["end_year"]:
                message = f"the phase overlaps the one on row {earlier['row']}"
                problems.append(Problem(file, later["row"], "start_year", "overlap", message))
    if problems:
        raise refuse(sorted(problems, key=lambda p: p.row or 0), "the roadmap was")
    plan.attrs["file"] = file
    return plan


def _share(phases: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """Share adopted in each year: linear within a phase (a later phase wins in the year
    where one ends and the next starts), linear across a gap between phases, flat before
    the first and after the last."""
    points: list[tuple[float, float]] = []
    for phase in phases.to_dict("records"):
        points += [(float(phase["start_year"]), float(phase["start_share"]))]
        points += [(float(phase["end_year"]), float(phase["end_share"]))]
    out = np.empty(len(years))
    for index, year in enumerate(years.astype(float)):
        value = points[0][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if x0 <= year <= x1 and x1 > x0:
                value = y0 + (y1 - y0) * (year - x0) / (x1 - x0)
            elif year >= x1:
                value = y1
        out[index] = value
    return out


def _years(years: Iterable[int]) -> np.ndarray:
    values = np.asarray(sorted({int(y) for y in years}), dtype=int)
    if len(values) == 0:
        raise InputError("no years given", rule="year")
    return values


def _production(
    production_t: Any, sectors: Iterable[str], years: np.ndarray
) -> dict[str, np.ndarray]:
    """Production per sector and year: a number, a Series indexed by year, or a mapping
    sector → either."""
    out = {}
    for sector, value in _by_sector(production_t, sectors, "production").items():
        if isinstance(value, pd.Series):
            missing = [int(y) for y in years if y not in value.index]
            if missing:
                message = f"no production of {sector} in {missing[0]}"
                raise InputError(message, rule="missing-production")
            out[sector] = np.array([_tonnes(value.loc[y]) for y in years])
        else:
            out[sector] = np.full(len(years), _tonnes(value))
    return out


def compute_adoption(
    roadmap: pd.DataFrame,
    measures: pd.DataFrame,
    production_t: float | pd.Series | Mapping[str, float | pd.Series],
    years: Iterable[int],
    *,
    baseline_intensity: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Share adopted and annual saving of every measure of the `roadmap` in every year.

    ``saving_gj`` (and ``saving_kwh`` for electricity) is the saving of the share adopted
    that year: share × production × saving per t; ``additional_saving_gj`` that of the share
    adopted since the first of `years` (the baseline year). Savings are added over
    measures, not combined multiplicatively (LBNL's convention; an upper bound where
    measures act on the same energy use). With `baseline_intensity` (GJ/t of final energy
    in the first year, which already contains the shares adopted then)
    ``intensity_gj_per_t`` is the sector's projected intensity: baseline − Σ additional
    saving per t. `production_t`: t per year, a Series indexed by year, or a mapping sector
    → either.
    """
    chosen = _years(years)
    table = {(r["sector"], r["measure"]): r for r in measures.to_dict("records")}
    production = _production(production_t, roadmap["sector"], chosen)
    frames = []
    for (sector, measure), phases in roadmap.groupby(["sector", "measure"], sort=True):
        spec = table[(sector, measure)]
        share = _share(phases, chosen)
        made = production[str(sector)]
        gj = float(spec["saving_gj_per_t"])
        frame = pd.DataFrame({
            "year": chosen, "sector": sector, "measure": measure, "label": spec["label"],
            "carrier": spec["carrier"], "share": share, "production_t": made,
            "saving_gj_per_t": gj, "saving_gj": share * made * gj,
            "saving_kwh": share * made * float(spec["saving_kwh_per_t"]),
            "additional_saving_gj": (share - share[0]) * made * gj,
        })  # fmt: skip
        frames.append(frame)
    columns = ["year", "sector", "measure", "label", "carrier", "share", "production_t",
               "saving_gj_per_t", "saving_gj", "saving_kwh", "additional_saving_gj"]  # fmt: skip
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    if baseline_intensity is not None:
        base = _by_sector(baseline_intensity, roadmap["sector"], "baseline intensity")
        per_t = out["additional_saving_gj"] / out["production_t"]
        saved = per_t.groupby([out["sector"], out["year"]]).transform("sum")
        out["intensity_gj_per_t"] = out["sector"].map(base).astype(float) - saved
    out = out.sort_values(["sector", "year", "measure"], kind="stable", ignore_index=True)
    out.attrs["years"] = [int(y) for y in chosen]
    return out


def adoption_totals(adoption: pd.DataFrame) -> pd.DataFrame:
    """`compute_adoption` summed per sector and year: ``saving_gj`` (final energy),
    ``electricity_kwh``, ``fuel_gj``, ``additional_saving_gj`` and, where it was computed,
    the projected ``intensity_gj_per_t``."""
    electric = adoption["carrier"] == "electricity"
    parts = adoption.assign(
        electricity_kwh=adoption["saving_kwh"].where(electric, 0.0),
        fuel_gj=adoption["saving_gj"].where(~electric, 0.0),
    )
    sums = {c: "sum" for c in ("saving_gj", "electricity_kwh", "fuel_gj", "additional_saving_gj")}
    first = {c: "first" for c in ("production_t", "intensity_gj_per_t") if c in parts.columns}
    return parts.groupby(["sector", "year"]).agg(sums | first).reset_index()


# --------------------------------------------------------------------- the figure
_EFFECTIVE, _COSTLY, _UNPRICED, _NO_COST = "#009E73", "#D55E00", "#0072B2", "#BBBBBB"


def draw_supply_curve(
    curve: pd.DataFrame, *, price: float | Mapping[str, float] | None = None, title: str = ""
) -> Figure:
    """The supply curve as step bars: width the annual potential, height the CCE, green
    below the energy price (a horizontal line; `price` overrides ``attrs["price"]``, per
    carrier with final energy), vermillion above it. Bars are numbered; the key below
    gives each number's measure. Measures without a cost are grey bands on the zero line.
    """
    import matplotlib
    from matplotlib.patches import Patch

    from ecocluster import figure_style as fs

    unit, currency = str(curve.attrs.get("unit", "")), str(curve.attrs.get("currency", ""))
    given = curve.attrs.get("price", math.nan) if price is None else price
    carrier = str(curve.attrs.get("carrier", ""))
    lines = dict(given) if isinstance(given, Mapping) else {carrier: float(given)}
    lines = {c: float(p) for c, p in lines.items() if math.isfinite(float(p))}
    key_rows = math.ceil(len(curve) / 2)
    height = 3.6 + 0.17 * key_rows
    with matplotlib.rc_context(fs.STYLE), fs.new_figure(height, title) as figure:
        grid = figure.add_gridspec(2, 1, height_ratios=[3.4, max(0.25, 0.17 * key_rows)])
        axes = figure.add_subplot(grid[0])
        if curve.empty or not curve["potential"].sum() > 0:
            axes.set_axis_off()
            axes.text(0.5, 0.5, "No measure to show", ha="center", va="center")
            return figure
        costed = curve[curve["cce"].notna()]
        colours = [
            _UNPRICED if pd.isna(e) else _EFFECTIVE if e else _COSTLY
            for e in costed["cost_effective"]
        ]
        axes.bar(costed["start"], costed["cce"], width=costed["potential"], align="edge",
                 color=colours, edgecolor="white", linewidth=0.4)  # fmt: skip
        top = float(np.nanmax(np.abs([*costed["cce"], *lines.values(), 0.0]))) or 1.0
        band = 0.03 * top
        uncosted = curve[curve["cce"].isna()]
        axes.bar(uncosted["start"], band, width=uncosted["potential"], align="edge",
                 color=_NO_COST, hatch="///", edgecolor="white", linewidth=0.4)  # fmt: skip
        rows = curve.to_dict("records")
        for number, row in enumerate(rows, start=1):
            cce = 0.0 if pd.isna(row["cce"]) else float(row["cce"])
            up, middle = cce >= 0, row["start"] + row["potential"] / 2
            axes.annotate(str(number), (middle, cce + (band if up else 0)),
                          xytext=(0, 2 if up else -2), textcoords="offset points",
                          ha="center", va="bottom" if up else "top", fontsize=7.5,
                          bbox=fs.LABEL_BOX)  # fmt: skip
        axes.axhline(0, color="#444444", linewidth=0.8)
        names = {"electricity": "Electricity", "fuel": "Fuel", "": "Energy"}
        for (name, value), style in zip(lines.items(), ("--", ":"), strict=False):
            label = f"{names.get(name, 'Energy')} price {value:,.4g} {currency}/{unit}"
            axes.axhline(value, color=fs.REFERENCE_COLOUR, linestyle=style, linewidth=1.1,
                         label=fs.plain_text(label))  # fmt: skip
        axes.set_xlim(0, float(curve["end"].iloc[-1]))
        axes.set_ylim(min(0.0, float(costed["cce"].min()) if len(costed) else 0.0) * 1.15,
                      top * 1.2)  # fmt: skip
        fs.value_axis(axes.xaxis)
        fs.value_axis(axes.yaxis)
        axes.grid(axis="y", color=fs.GRID_COLOUR, linewidth=0.6)
        what = carrier.replace("final_energy", "final energy")
        axes.set_xlabel(fs.plain_text(f"Cumulative annual saving of {what} ({unit} per year)"))
        axes.set_ylabel(fs.plain_text(f"Cost of conserved energy ({currency or 'money'}/{unit})"))
        patches = [(_EFFECTIVE, "Below the price"), (_COSTLY, "Above the price"),
                   (_UNPRICED, "No price given"), (_NO_COST, "No cost data")]  # fmt: skip
        shown = set(colours) | ({_NO_COST} if len(uncosted) else set())
        handles = [Patch(color=c, label=t) for c, t in patches if c in shown]
        extra, labels = axes.get_legend_handles_labels()
        axes.legend(handles=[*extra, *handles], labels=[*labels, *(h.get_label() for h in handles)],
                    loc="upper left", fontsize=8)  # fmt: skip
        key = figure.add_subplot(grid[1])
        key.set_axis_off()
        for number, row in enumerate(rows, start=1):
            column, line = divmod(number - 1, key_rows)
            text = f"{number}  {fs.plain_text(row['label'])}"
            text = text if len(text) <= 52 else text[:51] + "…"
            key.text(0.5 * column, 1 - (line + 0.5) / key_rows, fs.plain_text(text),
                     transform=key.transAxes, va="center", ha="left", fontsize=7.5)  # fmt: skip
    return figure


def write_supply_curve(curve: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """`draw_supply_curve` written to ``.svg`` or ``.png``, whole or not at all."""
    from ecocluster.figure_style import write_figure

    return write_figure(lambda: draw_supply_curve(curve, **kwargs), path)
