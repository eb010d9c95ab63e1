"""The numbers of a RECP programme: energy and CO2e, intensities, roll-ups, money, cost curve.

`ecocluster.recp` reads and checks the tables; this module turns a checked `Programme` into
numbers (and converts the quantities while it is being checked).

API (also importable from `ecocluster.recp` where marked *):

* ``read_factors(calorific_values=None, emission_factors=None, gwp=None) -> Factors`` (*):
  net calorific values, densities, emission factors (IPCC 2006 defaults for fuels, Viet
  Nam's grid factor by year) and GWPs; bundled in ``data/recp/``, every row cited.
* ``compute_intensities(programme) -> DataFrame`` (*): one row per baseline period:
  ``production``, ``production_unit``, the totals of `QUANTITIES` (energy in GJ, electricity
  in kWh, water and wastewater in m³, materials and waste in t, tCO2e) and each per unit of
  production (``energy_gj_per_unit`` is GJ/t when production is in tonnes); NaN where the
  period has no row of that kind.
* ``compute_rollups(programme, by="zone") -> DataFrame`` (*): per zone, sector, enterprise
  or programme: ``enterprises_registered``, ``enterprises_audited``, ``options_{s}`` for
  recommended, accepted, implemented, verified and rejected, and ``{q}_{basis}`` for q in
  investment, money and `QUANTITIES`, basis in `BASES`: recommended (every option: what the
  audits expected), accepted (accepted or further, not rejected: expected), implemented and
  verified (verified options only). A status counts where an option is now: an option
  implemented and then verified counts as accepted, implemented and verified.
* ``simple_payback``, ``npv``, ``irr`` (numpy-financial's conventions: cash flow t
  discounted by (1 + rate)^t, the first at t = 0; of several IRRs the one nearest zero),
  ``capital_recovery_factor``, ``option_npv``, ``option_irr`` (an investment at year 0 and a
  constant annual saving over the lifetime; vectorised).
* ``compute_option_economics(programme, discount_rate=0.10) -> DataFrame``: per option:
  ``payback_years`` (0 without investment, inf without money saved), ``npv``, ``irr``
  (NaN without a lifetime), ``annualised_investment``.
* ``compute_cost_curve(programme, saving="energy_gj", discount_rate=0.10, *, zone=None,
  statuses=None) -> DataFrame``: options ordered by cost per unit saved, cumulative saving
  in ``start`` and ``end``; `SAVINGS` lists what can be saved.
* ``draw_cost_curve(curve, *, title="", ylim=None) -> Figure``, ``write_cost_curve(curve,
  path, **kwargs)``: step bars (width: annual saving, height: cost per unit saved) coloured
  by category, in the house style of `ecocluster.figure_style`.

Energy and CO2e: fuels to GJ by net calorific value (litres through the table's densities),
electricity at 3.6 MJ/kWh (final energy); tCO2e = GJ × (CO2 + GWP·CH4 + GWP·N2O) for fuels
(biogenic CO2 not counted) and kWh × Viet Nam's grid emission factor of the year: a baseline
period's middle; an option's recommendation date, else the audit, else the registration. A
year outside the table takes the nearest published one; ``grid_year`` says which was used
(0 where no electricity is involved).

The cost per unit saved is the cost-of-conserved-energy convention: (investment × capital
recovery factor − annual money saving) / annual saving. Negative costs pay for themselves.
Options that save none of the chosen quantity are listed in ``attrs["excluded"]``; rejected
options are left out unless `statuses` names them. The 10% discount rate is a default, not
advice: pass the rate the programme uses.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import fold_key

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ecocluster.recp import Programme

__all__ = [
    "BASES",
    "QUANTITIES",
    "SAVINGS",
    "Factors",
    "capital_recovery_factor",
    "compute_cost_curve",
    "compute_intensities",
    "compute_option_economics",
    "compute_rollups",
    "draw_cost_curve",
    "irr",
    "npv",
    "option_irr",
    "option_npv",
    "read_factors",
    "simple_payback",
    "write_cost_curve",
]

#: Annual quantities summed over flows: money, then the physical ones.
QUANTITIES: Final = (
    "money", "electricity_kwh", "energy_gj", "water_m3", "wastewater_m3", "materials_t",
    "waste_t", "co2e_t",
)  # fmt: skip
BASES: Final = ("recommended", "accepted", "implemented", "verified")
#: What a cost curve can be drawn for, and the unit printed on its axes.
SAVINGS: Final = {
    "energy_gj": "GJ", "electricity_kwh": "kWh", "co2e_t": "tCO2e", "water_m3": "m³",
    "wastewater_m3": "m³", "materials_t": "t", "waste_t": "t",
}  # fmt: skip
#: Canonical unit of each kind of flow other than energy and production.
KIND_UNITS: Final = {"water": "m**3", "wastewater": "m**3", "material": "t", "waste": "t"} | {
    "co2e": "t"
}
#: Units pint knows whose size differs by trade or country (a 94-lb cement bag, the US
#: barrel of 31.5 gallons, not the oil barrel of 42): refused rather than guessed.
_VARYING: Final = frozenset({"bag", "barrel", "bbl", "gallon", "gal", "cup", "bushel"})
_SUMMED: Final = {"water": "water_m3", "wastewater": "wastewater_m3"} | {
    "material": "materials_t", "waste": "waste_t"
}  # fmt: skip


# --------------------------------------------------------------------- factors
@dataclass(frozen=True)
class Factors:
    """Calorific values, emission factors and GWPs, as the computations use them."""

    carriers: pd.DataFrame  # index carrier: ncv_gj_per_t, litres_per_t, gj_per_m3
    aliases: dict[str, str]  # key of a name → carrier
    t_co2e_per_gj: dict[str, float]  # fuels: CO2 (not biogenic) + GWP-weighted CH4 and N2O
    grid_t_per_mwh: pd.Series  # index year

    def grid(self, years: Any) -> tuple[np.ndarray, np.ndarray]:
        """(year used, tCO2/MWh) for each year: the nearest published year."""
        known = self.grid_t_per_mwh.index.to_numpy(dtype=float)
        wanted = np.asarray(years, dtype=float).reshape(-1)
        nearest = known[np.abs(wanted[:, None] - known[None, :]).argmin(axis=1)].astype(int)
        return nearest, self.grid_t_per_mwh.loc[nearest].to_numpy(float)


def _csv(path: str | Path | None, name: str) -> pd.DataFrame:
    source: Any = resources.files("ecocluster").joinpath("data", "recp", name)
    with (source if path is None else Path(path)).open("rb") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, comment="#")


def read_factors(
    calorific_values: str | Path | None = None,
    emission_factors: str | Path | None = None,
    gwp: str | Path | None = None,
) -> Factors:
    """The factors of ``data/recp/``, or of files of the same shape (see its README)."""
    if calorific_values is None and emission_factors is None and gwp is None:
        return _bundled_factors()
    return _factors(calorific_values, emission_factors, gwp)


@functools.cache
def _bundled_factors() -> Factors:
    return _factors(None, None, None)


def _factors(ncv_path: Any, ef_path: Any, gwp_path: Any) -> Factors:
    from ecocluster.recp import _key

    ncv = _csv(ncv_path, "calorific_values.csv").set_index("carrier")
    numbers = ncv[["ncv_gj_per_t", "litres_per_t", "gj_per_m3"]]
    carriers = numbers.apply(pd.to_numeric, errors="coerce")
    aliases = {_key(a): str(c) for c, spec in ncv["aliases"].items() for a in [c, *spec.split("|")]}
    potentials = _csv(gwp_path, "gwp.csv")
    gwps = dict(zip(potentials["gas"], pd.to_numeric(potentials["gwp100"]), strict=True))
    table = _csv(ef_path, "emission_factors.csv")
    table = table[table["counted"].str.strip().str.lower().isin(("yes", "true", "1"))]
    grid = table[table["carrier"] == "electricity"]
    series = pd.Series(_in(grid, "t/MWh"), index=grid["year"].astype(int).to_numpy())
    fuels = table[table["carrier"] != "electricity"]
    weighted = _in(fuels, "t/GJ") * fuels["gas"].map(gwps).to_numpy(float)
    co2e = pd.Series(weighted, index=fuels["carrier"].to_numpy()).groupby(level=0).sum()
    missing = [str(c) for c in carriers.index if c != "electricity" and c not in co2e.index]
    if missing or series.empty or co2e.isna().any():
        what = ", ".join(missing) or "the grid, or a gas without a GWP"
        raise InputError(f"no emission factor for {what}", rule="emission-factor")
    per_gj = {str(k): float(v) for k, v in co2e.items()}
    return Factors(carriers, aliases, per_gj, series.sort_index())


def _in(table: pd.DataFrame, unit: str) -> np.ndarray:
    """The ``value`` column in `unit`, converted once per distinct unit written."""
    values = table["value"].astype(float).to_numpy()
    scale = table["unit"].map({u: _factor(u, unit) for u in table["unit"].unique()})
    return np.asarray(values * scale.to_numpy(float), dtype=float)


# --------------------------------------------------------------------- units and amounts
def _unit_text(unit: str) -> str:
    from ecocluster.recp import _key, _vocabulary

    return _vocabulary()["unit"].get(_key(unit), unit)


@functools.cache
def _dimension(unit: str) -> str:
    """ "energy", "mass", "volume", another dimensionality, or "" when pint cannot read it."""
    from ecocluster.monitoring import _pint_text, _registry

    try:
        quantity = _registry().Quantity(1.0, _pint_text(_unit_text(unit)))
    except Exception:
        return ""
    for name, dims in (("energy", "[energy]"), ("mass", "[mass]"), ("volume", "[length]**3")):
        if quantity.check(dims):
            return name
    return "dimensionless" if quantity.dimensionless else str(quantity.dimensionality)


def _factor(from_unit: str, to_unit: str) -> float:
    from ecocluster.monitoring import _pint_text, convert

    return float(convert([1.0], _pint_text(_unit_text(from_unit)), to_unit)[0])


def _per_unit(kind: str, carrier: str, unit: str, factors: Factors) -> tuple[float, str]:
    """(canonical amount of one `unit`, "") or (nan, why not): GJ for energy carriers."""
    dimension = _dimension(unit)
    if kind in ("", "production"):
        return 1.0, ""
    if not dimension:
        return math.nan, f"unit {unit!r} is not known"
    if _unit_text(unit).strip().casefold().rstrip("s") in _VARYING:
        return math.nan, f"a {unit!r} is not the same amount in every trade; give kg, t, L or m3"
    if kind != "energy":
        target = KIND_UNITS[kind]
        wanted = "volume" if target == "m**3" else "mass"
        if dimension != wanted:
            return math.nan, f"{kind} is measured in {wanted} (e.g. {target.replace('**', '')})"
        return _factor(unit, target), ""
    if dimension == "energy":
        return _factor(unit, "GJ"), ""
    if carrier == "electricity" or dimension not in ("mass", "volume"):
        other = "" if carrier == "electricity" else ", mass or volume"
        return math.nan, f"{carrier} cannot be given in {unit!r}; use a unit of energy{other}"
    ncv, litres, per_m3 = factors.carriers.loc[carrier].to_numpy(float)
    if dimension == "mass":
        return _factor(unit, "t") * float(ncv), ""
    if math.isfinite(litres):
        return _factor(unit, "L") / float(litres) * float(ncv), ""
    if math.isfinite(per_m3):
        return _factor(unit, "m**3") * float(per_m3), ""
    return math.nan, f"{carrier} has no density in the calorific values; give it by mass or energy"


def _amounts(flows: pd.DataFrame, quantity: Any, factors: Factors) -> tuple[np.ndarray, np.ndarray]:
    """Canonical amounts of rows with kind, carrier and unit, and why not ("" when fine);
    converted once per distinct (kind, carrier, unit)."""
    keys = flows["kind"] + "\t" + flows["carrier"] + "\t" + flows["unit"]
    found = {key: _per_unit(*_split3(key), factors) for key in keys.unique()}
    per_unit = np.array([found[k][0] for k in keys], dtype=float)
    return np.asarray(quantity, float) * per_unit, np.array([found[k][1] for k in keys], object)


def _split3(key: str) -> tuple[str, str, str]:
    kind, carrier, unit = key.split("\t")
    return kind, carrier, unit


def _emissions(flows: pd.DataFrame, years: Any, factors: Factors) -> pd.DataFrame:
    """``kwh``, ``co2e_t`` and ``grid_year`` (0: no electricity) of rows with an amount."""
    amount = flows["amount"].to_numpy(float)
    electric = (flows["carrier"] == "electricity").to_numpy()
    units = flows["unit"][electric].unique()  # others are refused; their kWh are NaN
    to_kwh = {u: _factor(u, "kWh") if _dimension(u) == "energy" else math.nan for u in units}
    kwh = np.where(electric, flows["quantity"] * flows["unit"].map(to_kwh).fillna(0.0), 0.0)
    grid_year, per_mwh = factors.grid(years) if len(flows) else (np.zeros(0, int), np.zeros(0))
    fuel = flows["carrier"].map(factors.t_co2e_per_gj).fillna(0.0).to_numpy(float)
    co2e = np.where(electric, kwh / 1000 * per_mwh, amount * fuel)
    co2e = np.where((flows["kind"] == "co2e").to_numpy(), amount, co2e)
    return flows.assign(kwh=kwh, co2e_t=co2e, grid_year=np.where(electric, grid_year, 0))


def _totals(flows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The physical `QUANTITIES` summed per `keys` over rows with kind, amount, kwh, co2e_t."""
    kind, amount = flows["kind"], flows["amount"]
    columns = {"electricity_kwh": flows["kwh"], "energy_gj": amount.where(kind == "energy", 0.0)}
    columns |= {name: amount.where(kind == k, 0.0) for k, name in _SUMMED.items()}
    frame = flows[keys].assign(**columns, co2e_t=flows["co2e_t"])
    return frame.groupby(keys)[list(QUANTITIES[1:])].sum()


def _convert_savings(
    flows: pd.DataFrame, options: pd.DataFrame, factors: Factors
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Savings (rows with kind, carrier, quantity, unit) in canonical units and tCO2e, and
    their sums per option; the grid factor is that of each option's ``grid_from`` year."""
    amount = _amounts(flows, flows["quantity"], factors)[0]
    years = flows["option_id"].map(options.set_index("option_id")["grid_from"]).to_numpy()
    flows = _emissions(flows.assign(amount=amount), years, factors)
    sums = _totals(flows, ["option_id"]).reindex(options["option_id"]).fillna(0.0)
    out = options.drop(columns="grid_from").join(sums, on="option_id")
    grid = flows[flows["carrier"] == "electricity"].groupby("option_id")["grid_year"].first()
    out["grid_year"] = out["option_id"].map(grid).fillna(0).astype(int)
    columns = ["option_id", "column", "flow", "kind", "carrier", "quantity", "unit", "amount"]
    return flows[[*columns, "kwh", "co2e_t", "grid_year"]], out


# --------------------------------------------------------------------- intensities, roll-ups
def compute_intensities(programme: Programme) -> pd.DataFrame:
    """Totals and intensities per unit of production, one row per baseline period; NaN
    where the period has no row of that kind (not measured is not zero)."""
    base = programme.baselines
    keys = ["enterprise_id", "period_start", "period_end"]
    kind = base["kind"]
    present = {"electricity_kwh": base["carrier"] == "electricity", "energy_gj": kind == "energy"}
    present |= {column: kind == k for k, column in _SUMMED.items()}
    present["co2e_t"] = kind.isin(("energy", "co2e"))
    seen = pd.DataFrame(present).groupby([base[k] for k in keys]).any()
    made = base[kind == "production"].set_index(keys)[["amount", "unit"]]
    totals = _totals(base, keys).where(seen[list(QUANTITIES[1:])])
    out = made.set_axis(["production", "production_unit"], axis=1).join(totals)
    for column in QUANTITIES[1:]:
        out[f"{column}_per_unit"] = out[column] / out["production"]
    grid = base[base["carrier"] == "electricity"].groupby(keys)["grid_year"].first()
    out["grid_year"] = grid.reindex(out.index).fillna(0).astype(int)
    firms = programme.enterprises.set_index("enterprise_id")[["name", "zone", "sector"]]
    return out.reset_index().join(firms, on="enterprise_id").sort_values(keys, ignore_index=True)


def compute_rollups(programme: Programme, by: str = "zone") -> pd.DataFrame:
    """Enterprises, options, investment and savings per zone, sector, enterprise or
    programme (column names in the module doc)."""
    keys = {"zone": ["zone"], "sector": ["sector"], "programme": ["programme"]}
    keys["enterprise"] = ["enterprise_id", "name", "zone", "sector"]
    if by not in keys:
        raise InputError(f"cannot roll up by {by!r}; use {', '.join(keys)}", rule="by")
    key, firms = keys[by], programme.enterprises
    registered = ("enterprise_id", "size")
    out = firms.groupby(key).agg(enterprises_registered=registered, enterprises_audited=("audited",
                                 "count"))  # fmt: skip
    attributes = firms.set_index("enterprise_id")[["name", "zone", "sector", "programme"]]
    options = programme.options.join(attributes, on="enterprise_id")
    status = options["status"]
    chosen = {
        "recommended": pd.Series(True, index=options.index),
        "accepted": status.isin(("accepted", "implemented", "verified")),
        "implemented": status.isin(("implemented", "verified")),
        "verified": status == "verified",
    }
    counts = {f"options_{s}": chosen[s] for s in BASES} | {"options_rejected": status == "rejected"}
    parts = [
        options[key].assign(**{k: v.astype(int) for k, v in counts.items()}).groupby(key).sum()
    ]
    values = options.rename(columns={"saving_money": "money"})
    for basis, mask in chosen.items():
        picked = values.loc[mask, [*key, "investment", *QUANTITIES]].groupby(key).sum()
        parts.append(picked.rename(columns={c: f"{c}_{basis}" for c in picked.columns}))
    for part in parts:
        out = out.join(part)
    out = out.fillna(0)
    counted = [c for c in out.columns if c.startswith(("options_", "enterprises_"))]
    out[counted] = out[counted].astype(int)
    return out.reset_index()


# --------------------------------------------------------------------- finance
def simple_payback(investment: Any, annual_saving: Any) -> Any:
    """Investment over annual money saving, in years (0 without investment, inf without a
    saving to pay it back)."""
    cost, saving = np.asarray(investment, dtype=float), np.asarray(annual_saving, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        years = np.where(saving > 0, cost / saving, np.inf)
    years = np.where(cost == 0, 0.0, years)
    return float(years) if years.ndim == 0 else years


def npv(rate: float, cashflows: Any) -> float:
    """Net present value of cash flows at years 0, 1, 2 ... (numpy-financial's npv)."""
    values = np.asarray(cashflows, dtype=float)
    return float(np.sum(values / (1.0 + rate) ** np.arange(len(values))))


def irr(cashflows: Any) -> float:
    """Internal rate of return of cash flows at years 0, 1, 2 ...; NaN when there is none.

    The real roots of the NPV polynomial in 1 / (1 + r); of several rates the one nearest
    zero, as numpy-financial chooses.
    """
    values = np.trim_zeros(np.asarray(cashflows, dtype=float), "b")
    if len(values) < 2 or not (np.any(values > 0) and np.any(values < 0)):
        return math.nan
    roots = np.roots(values[::-1])
    real = roots[(np.abs(roots.imag) < 1e-10) & (roots.real > 0)].real
    rates = 1.0 / real - 1.0
    return float(rates[np.argmin(np.abs(rates))]) if len(rates) else math.nan


def capital_recovery_factor(rate: Any, years: Any) -> Any:
    """r (1 + r)^n / ((1 + r)^n − 1): the annual payment that repays 1 over n years."""
    r, n = np.broadcast_arrays(np.asarray(rate, dtype=float), np.asarray(years, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = (1.0 + r) ** n
        factor = np.where(np.abs(r) < 1e-12, 1.0 / n, r * growth / (growth - 1.0))
    return float(factor) if factor.ndim == 0 else factor


def option_npv(investment: Any, annual_saving: Any, years: Any, rate: float) -> Any:
    """NPV of an investment at year 0 and a constant saving in years 1 to `years`."""
    factor = np.asarray(capital_recovery_factor(rate, years))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.asarray(annual_saving, float) / factor - np.asarray(investment, dtype=float)
    return float(value) if value.ndim == 0 else value


def option_irr(investment: Any, annual_saving: Any, years: Any) -> Any:
    """IRR of an investment at year 0 and a constant saving over `years`: brentq on the NPV,
    which falls as the rate rises. inf without investment; NaN without a saving, without
    a lifetime, or below −99.99%."""
    from scipy.optimize import brentq  # type: ignore[import-untyped]

    arrays = np.broadcast_arrays(
        *(np.asarray(v, float) for v in (investment, annual_saving, years))
    )
    out = np.full(arrays[0].shape, np.nan)
    for index in np.ndindex(out.shape):
        cost, saving, life = (float(a[index]) for a in arrays)
        if not (saving > 0 and life > 0 and math.isfinite(saving)):
            continue
        if cost == 0:
            out[index] = math.inf
            continue

        def value(
            r: float, cost: float = cost, saving: float = saving, life: float = life
        ) -> float:
            return saving * (life if abs(r) < 1e-12 else (1 - (1 + r) ** -life) / r) - cost

        low, high = -0.9999, 1.0
        with np.errstate(over="ignore"):
            if not (value(low) > 0 and math.isfinite(value(low))):
                continue
        while value(high) > 0:
            high *= 2
        out[index] = brentq(value, low, high, xtol=1e-14, rtol=1e-12, maxiter=500)
    return float(out) if out.ndim == 0 else out


def _rate(discount_rate: float) -> float:
    if not (math.isfinite(discount_rate) and discount_rate > -1):
        message = f"discount rate {discount_rate!r} is not a rate above -1 (0.1 = 10%)"
        raise InputError(message, rule="discount-rate")
    return float(discount_rate)


def _annualised(options: pd.DataFrame, rate: float) -> np.ndarray:
    investment = options["investment"].to_numpy(float)
    factor = np.asarray(capital_recovery_factor(rate, options["lifetime_years"].to_numpy(float)))
    return np.where(investment == 0, 0.0, investment * factor)


def compute_option_economics(programme: Programme, discount_rate: float = 0.10) -> pd.DataFrame:
    """Payback, NPV and IRR of every option over its lifetime at `discount_rate`."""
    rate = _rate(discount_rate)
    columns = ["option_id", "enterprise_id", "title", "category", "status", "investment"]
    out = programme.options[[*columns, "saving_money", "lifetime_years"]].copy()
    cost, money = out["investment"].to_numpy(float), out["saving_money"].to_numpy(float)
    life = out["lifetime_years"].to_numpy(float)
    out["payback_years"] = simple_payback(cost, money)
    out["npv"] = option_npv(cost, money, life, rate)
    out["irr"] = option_irr(cost, money, life)
    out["annualised_investment"] = _annualised(out, rate)
    out.attrs.update(discount_rate=rate, currency=programme.currency)
    return out


# --------------------------------------------------------------------- the cost curve
def compute_cost_curve(
    programme: Programme,
    saving: str = "energy_gj",
    discount_rate: float = 0.10,
    *,
    zone: str | None = None,
    statuses: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Options ordered by cost per unit saved (cheapest first), with cumulative savings."""
    from ecocluster.recp import STATUSES

    if saving not in SAVINGS:
        message = f"cannot draw a cost curve of {saving!r}; use {', '.join(SAVINGS)}"
        raise InputError(message, rule="saving")
    rate = _rate(discount_rate)
    wanted = tuple(s for s in STATUSES if s != "rejected") if statuses is None else statuses
    if set(wanted) - set(STATUSES):
        unknown = ", ".join(sorted(set(wanted) - set(STATUSES)))
        raise InputError(f"unknown status {unknown}; use {', '.join(STATUSES)}", rule="status")
    firms = programme.enterprises.set_index("enterprise_id")[["name", "zone", "sector"]]
    options = programme.options.join(firms, on="enterprise_id")
    if zone is not None:
        if fold_key(zone) not in set(firms["zone"].map(fold_key)):
            known = ", ".join(sorted(firms["zone"].unique()))
            raise InputError(f"zone {zone!r} is not in the programme ({known})", rule="zone")
        options = options[options["zone"].map(fold_key) == fold_key(zone)]
    options = options[options["status"].isin(wanted)]
    saves = options[saving].to_numpy(float) > 0
    excluded = options.loc[~saves, "option_id"].tolist()
    options = options[saves]
    amount, money = options[saving].to_numpy(float), options["saving_money"].to_numpy(float)
    annual = _annualised(options, rate)
    columns = ["option_id", "enterprise_id", "name", "zone", "sector", "title", "category"]
    curve = options[[*columns, "status"]].assign(
        saving=amount,
        annualised_investment=annual,
        saving_money=money,
        net_annual_cost=annual - money,
        cost_per_unit=(annual - money) / amount,
    )
    curve = curve.sort_values(["cost_per_unit", "option_id"], kind="stable", ignore_index=True)
    curve["end"] = curve["saving"].cumsum()
    curve["start"] = curve["end"].shift(fill_value=0.0)
    curve.attrs.update(saving=saving, unit=SAVINGS[saving], currency=programme.currency)
    curve.attrs.update(discount_rate=rate, excluded=excluded, zone=zone or "")
    return curve


def _robust_limits(costs: np.ndarray) -> tuple[float, float] | None:
    """An axis range from the 2nd to the 98th percentile (with zero), so that one extreme
    option does not flatten the curve; None when nothing would be cut."""
    if len(costs) < 20:
        return None
    low, high = np.quantile(costs, [0.02, 0.98])
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    pad = 0.08 * (high - low or 1.0)
    if costs.min() >= low - pad and costs.max() <= high + pad:
        return None
    return low - pad, high + pad


def draw_cost_curve(
    curve: pd.DataFrame, *, title: str = "", ylim: tuple[float, float] | None = None
) -> Figure:
    """The cost curve as step bars: width the annual saving, height the cost per unit saved,
    colour the cleaner-production category; below zero the options that pay for themselves.
    Without `ylim`, a few extreme options may run past a range that shows the rest."""
    import matplotlib
    from matplotlib.patches import Patch

    from ecocluster.figure_style import PALETTE, STYLE, new_figure, plain_text, value_axis
    from ecocluster.recp import CATEGORIES, CATEGORY_LABELS

    unit, currency = str(curve.attrs.get("unit", "")), str(curve.attrs.get("currency", ""))
    colours = dict(zip(CATEGORIES, PALETTE, strict=True))
    with matplotlib.rc_context(STYLE), new_figure(4.2, title) as figure:
        axes = figure.add_subplot()
        if curve.empty:
            axes.set_axis_off()
            axes.text(0.5, 0.5, "No option saves this", ha="center", va="center")
            return figure
        bars = [colours[c] for c in curve["category"]]
        axes.bar(curve["start"], curve["cost_per_unit"], width=curve["saving"], align="edge",
                 color=bars, edgecolor="white", linewidth=0.3)  # fmt: skip
        axes.axhline(0, color="#444444", linewidth=0.8)
        axes.set_xlim(0, float(curve["end"].iloc[-1]))
        ylim = ylim or _robust_limits(curve["cost_per_unit"].to_numpy(dtype=float))
        if ylim is not None:
            axes.set_ylim(*ylim)
            cut = int(
                ((curve["cost_per_unit"] < ylim[0]) | (curve["cost_per_unit"] > ylim[1])).sum()
            )
            if cut:
                axes.text(0.99, 0.02, plain_text(f"{cut} bars run past the axis (see the table)"),
                          transform=axes.transAxes, ha="right", va="bottom", fontsize=8,
                          color="#444444")  # fmt: skip
        value_axis(axes.xaxis)
        value_axis(axes.yaxis)
        axes.grid(axis="y", color="#DDDDDD", linewidth=0.6)
        axes.set_xlabel(plain_text(f"Cumulative annual saving ({unit} per year)"))
        axes.set_ylabel(plain_text(f"Cost per {unit} saved ({currency or 'money'})"))
        present = [c for c in CATEGORIES if c in set(curve["category"])]
        handles = [Patch(color=colours[c], label=plain_text(CATEGORY_LABELS[c])) for c in present]
        axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.16), ncols=2)
    return figure


def write_cost_curve(curve: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """`draw_cost_curve` written to ``.svg`` or ``.png``, whole or not at all."""
    from ecocluster.figure_style import write_figure

    return write_figure(lambda: draw_cost_curve(curve, **kwargs), path)
