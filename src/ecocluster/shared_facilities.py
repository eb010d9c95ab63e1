"""Shared infrastructure: size a common facility from its members' loads and share its cost.

Workshops that each need a wastewater plant, a kiln or a drying chamber can build one
together: the shared unit costs less per unit of load, but each member must reach it and
should see its share against going alone. Van Phuc's twenty or so dyeing households, whose
wastewater goes untreated, are the case of the 2003 Red River Delta survey: "the cost of
building common wastewater facilities could be shared between several household
enterprises" (Konstadakopulos 2008, Geographical Research 46(1), 51–61).

* ``read_facilities(path=None) -> dict[str, Facility]``: facility types and cost curves
  (``data/symbiosis/facilities.csv``; ``facilities.md``: cost model, columns, sources,
  and which numbers are illustrative assumptions). ``read_members(path, facilities=None)
  -> DataFrame``: members and loads (columns in its doc), loads converted with pint.
  Both report every problem of a file in one InputError naming file, row, column, rule.
* ``size_facility(members, facility, *, design_margin=0.2, rate=0.10) -> Sizing``;
  ``coalition_cost(members, facility, subset, *, rate=0.10, design_margin=0.2)``: c(S),
  the facility sized for the subset's load alone, plus its members' connections.
* ``allocate_costs(members, facility, *, rate=0.10, method="both", design_margin=0.2,
  exact_limit=EXACT_LIMIT, samples=SAMPLES, seed=0) -> DataFrame``, a row per member;
  ``shapley_values(players, cost) -> DataFrame``: the same exact Shapley code for any
  cost of a frozenset of players.

`members` is what `read_members` returns or any frame with ``member_id`` and ``load`` (in
the facility's unit unless a ``unit`` column says otherwise); a ``facility`` column selects
the members of `facility` (a `Facility`, or the id or name of a bundled one). Money is
annual, in the facility's currency and price year.

`allocate_costs` columns: ``load``, ``load_share``, ``connection_cost``, ``standalone_cost``
(``standalone_basis``: given, own unit or fee), ``proportional_cost`` (the facility by
share of load, plus the member's own connection), ``shapley_cost`` (the Shapley value of
c: Shapley 1953; for shared water works Young, Okada and Hashimoto 1982, Water Resources
Research 18(3), 463–475), ``shapley_se``, ``saving_<rule>`` (standalone − share),
``joins_pays_<rule>`` (saving ≥ 0) and ``joins_pays`` (saves under every rule computed).
Both rules sum to c(N); connections are an additive game, so Shapley gives each its own.
``attrs``: facility, load_unit, currency, price_year, rate, design_margin, facility_cost
(the plant alone), total_cost (c(N)), shapley and core:

* Shapley is exact up to `exact_limit` members (at most `MAX_EXACT`): the subset formula
  φ_i = Σ_{S ∌ i} |S|! (n − |S| − 1)! / n! · (c(S ∪ {i}) − c(S)) over a table of all 2^n
  coalition costs, each computed once (8 MiB at n = 20). Above, it is the mean marginal
  cost over `samples` random orders drawn with `seed` (each order's marginals add up to
  c(N), so the estimates do too); ``shapley_se`` is each one's standard error (standard
  deviation / √samples). ``attrs["shapley"]`` says which ran.
* ``attrs["core"][rule]``: does no coalition pay more than alone, ĉ(S) = min(c(S), its
  members' standalone costs)? Exact over all 2^n − 1 coalitions up to `exact_limit`;
  above, a screen (singletons, all-but-one, prefixes of the members by load both ways and
  by saving) that can find a violation, not prove there is none (``exact``).
  ``worst_coalition`` is the most overcharged, ``worst_excess`` its overcharge (> 0: outside).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import fold_key, normalize_text
from ecocluster.problems import Problem, read_table, refuse
from ecocluster.recp_finance import capital_recovery_factor

__all__ = [
    "EXACT_LIMIT", "MAX_EXACT", "METHODS", "SAMPLES", "Facility", "Sizing", "allocate_costs",
    "coalition_cost", "read_facilities", "read_members", "shapley_values", "size_facility",
]  # fmt: skip

#: Most members whose Shapley value and core are computed exactly by default.
EXACT_LIMIT: Final = 20
#: Largest `exact_limit` accepted: 2^22 coalitions take a few seconds and some 300 MiB.
MAX_EXACT: Final = 22
#: Random orders drawn to estimate the Shapley value above the exact limit.
SAMPLES: Final = 2000
METHODS: Final = ("proportional", "shapley", "both")
_BATCH: Final = 256  # orders drawn and costed together
_FILE: Final = Path(__file__).parent / "data" / "symbiosis" / "facilities.csv"
_NEEDED: Final = (
    "throughput_per_load", "capex_a", "capex_b", "opex_fixed", "opex_maintenance_share",
    "opex_per_unit", "lifetime_years", "price_year",
)  # fmt: skip
_EXTRA: Final = (
    "min_capacity", "max_capacity", "capacity_step", "connection_cost_per_km",
    "haulage_per_unit_km", "standalone_opex_fixed", "standalone_fee",
)  # fmt: skip
_ABOVE_ZERO: Final = ("throughput_per_load", "capex_a", "capex_b", "lifetime_years", "max_capacity")
_TEXT: Final = ("facility", "load_unit", "throughput_unit", "standalone", "currency")
_WORDS: Final = ("facility", "name", "name_vi", "load_unit", "throughput_unit", "currency")
_WORDS_TOO: Final = ("basis", "source")
_VIETNAMESE_UNITS: Final = (
    (r"ngày\s*đêm|ngđ|ngày", "day"), (r"năm", "year"), (r"tháng", "month"), (r"giờ", "hour"),
    (r"tấn", "t"), (r"lít", "L"), (r"khối", "m3"),
)  # fmt: skip
_MEMBER_OPTIONAL: Final = ("name", "distance_km", "connection_cost", "standalone_cost")


# --------------------------------------------------------------------- facilities
@dataclass(frozen=True)
class Facility:
    """A facility type and its cost curve (columns and model in ``facilities.md``)."""

    id: str
    name: str
    name_vi: str
    load_unit: str
    throughput_unit: str
    throughput_per_load: float
    capex_a: float
    capex_b: float
    min_capacity: float
    max_capacity: float  # inf: one unit of any size
    capacity_step: float  # 0: any size
    opex_fixed: float
    opex_maintenance_share: float
    opex_per_unit: float
    lifetime_years: float
    connection_cost_per_km: float
    haulage_per_unit_km: float
    standalone: str  # "own" or "fee"
    standalone_opex_fixed: float
    standalone_fee: float
    currency: str
    price_year: int
    basis: str = ""
    source: str = ""

    def capacity(self, load: Any, design_margin: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
        """Design capacity and number of units for each load (0 and 0 for no load)."""
        load = np.asarray(load, dtype=float)
        capacity = np.maximum(load * (1.0 + design_margin), self.min_capacity)
        if self.capacity_step > 0:  # the tiny shrink keeps 3.0000000001 steps at 3
            capacity = np.ceil(capacity / self.capacity_step * (1 - 1e-12)) * self.capacity_step
        units = np.maximum(np.ceil(capacity / self.max_capacity * (1 - 1e-12)), 1.0)
        return np.where(load <= 0, 0.0, capacity), np.where(load <= 0, 0.0, units)

    def capex(self, load: Any, design_margin: float = 0.2) -> np.ndarray:
        """Investment for each load: units · a · (capacity / units)^b."""
        capacity, units = self.capacity(load, design_margin)
        return np.asarray(units * self.capex_a * (capacity / np.maximum(units, 1)) ** self.capex_b)

    def crf(self, rate: float) -> float:
        """Capital recovery factor over the facility's lifetime."""
        return float(capital_recovery_factor(rate, self.lifetime_years))

    def annual_cost(
        self, load: Any, rate: float = 0.10, design_margin: float = 0.2, *, own: bool = False
    ) -> np.ndarray:
        """f(L): annualised capex and opex of a facility serving each load; `own` for a
        member's own unit (``standalone_opex_fixed``)."""
        load = np.asarray(load, dtype=float)
        cost = self.capex(load, design_margin) * (self.crf(rate) + self.opex_maintenance_share)
        cost += self.opex_per_unit * load * self.throughput_per_load
        return np.where(
            load > 0, cost + (self.standalone_opex_fixed if own else self.opex_fixed), 0
        )


def read_facilities(path: str | Path | None = None) -> dict[str, Facility]:
    """Facility types by id: the bundled table, or a file of the same shape."""
    return dict(_bundled() if path is None else _facilities(path))


@functools.cache
def _bundled() -> dict[str, Facility]:
    return _facilities(_FILE)


def _facilities(path: str | Path) -> dict[str, Facility]:
    table = read_table(path, [*_TEXT, *_NEEDED], ["name", "name_vi", *_WORDS_TOO, *_EXTRA])
    file, problems, out, first = str(path), list[Problem](), {}, dict[str, int]()
    for row, record in zip(table.index.tolist(), table.to_dict("records"), strict=True):
        found, numbers = len(problems), dict[str, float]()

        def bad(column: str, rule: str, message: str, row: int = row) -> None:
            problems.append(Problem(file, row, column, rule, message))

        for column in (*_NEEDED, *_EXTRA):
            value, why = _number(record[column])
            if not record[column]:
                if column in _NEEDED:
                    bad(column, "missing-value", f"no {column} is given")
            elif why:
                bad(column, "number", why)
            elif value < 0 or (value == 0 and column in _ABOVE_ZERO):
                word = "above" if column in _ABOVE_ZERO else "at least"
                bad(column, "range", f"{column} must be {word} 0, not {value:g}")
            else:
                numbers[column] = value
        for column in (c for c in _TEXT if not record[c]):
            bad(column, "missing-value", f"no {column} is given")
        key, standalone = fold_key(record["facility"]), record["standalone"].casefold()
        if key in first:
            message = f"{record['facility']!r} is also in row {first[key]}"
            bad("facility", "duplicate-facility", message)
        first.setdefault(key, row)
        if standalone not in ("own", "fee", ""):
            bad("standalone", "standalone", f"{standalone!r} is neither 'own' nor 'fee'")
        if standalone == "fee" and "standalone_fee" not in numbers:
            bad("standalone_fee", "standalone-fee", "going alone is a fee, but no fee is given")
        if not _known_unit(record["load_unit"]):
            bad("load_unit", "unit", f"unit {record['load_unit']!r} is not known")
        if numbers.get("opex_maintenance_share", 0.0) > 1:
            bad("opex_maintenance_share", "range", "a yearly share of capex above 1")
        if numbers.get("max_capacity", math.inf) <= numbers.get("min_capacity", 0.0):
            bad("max_capacity", "capacity-range", "max_capacity must be above min_capacity")
        if len(problems) == found:
            out[normalize_text(record["facility"])] = _facility(record, numbers, standalone)
    if problems:
        raise refuse(problems, "the facility table was")
    if not out:
        raise InputError("the file has no facilities", file=file, rule="empty")
    return out


def _facility(record: Mapping[Any, Any], numbers: dict[str, float], standalone: str) -> Facility:
    fields: dict[str, Any] = {c: normalize_text(record[c]) for c in (*_WORDS, *_WORDS_TOO)}
    fields |= {c: numbers.get(c, 0.0) for c in (*_NEEDED, *_EXTRA)} | {"standalone": standalone}
    fields |= {"id": fields.pop("facility"), "price_year": int(numbers["price_year"])}
    fields["name"] = fields["name"] or fields["id"]
    fields["max_capacity"] = numbers.get("max_capacity", math.inf)
    fields["standalone_opex_fixed"] = numbers.get("standalone_opex_fixed", numbers["opex_fixed"])
    return Facility(**fields)


def _resolve(facility: Facility | str) -> Facility:
    if isinstance(facility, Facility):
        return facility
    known = read_facilities()
    found = _keys(known).get(fold_key(facility))
    if found is None:
        message = f"facility {facility!r} is not known (known: {', '.join(known)})"
        raise InputError(message, rule="unknown-facility")
    return known[found]


def _keys(facilities: Mapping[str, Facility]) -> dict[str, str]:
    """Folded id, name and Vietnamese name → id."""
    return {fold_key(t): k for k, f in facilities.items() for t in (f.id, f.name, f.name_vi) if t}


# --------------------------------------------------------------------- values and units
def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return normalize_text(str(value))


def _number(value: Any) -> tuple[float, str]:
    """(value, "") or (nan, why not). A comma is a decimal comma unless it could be a
    thousands separator ("1,500"), which is refused rather than guessed."""
    text = _text(value).replace("\u00a0", "")
    if "," in text and ("." in text or re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", text)):
        return math.nan, f"{text!r} is ambiguous; write the number without thousands separators"
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return math.nan, f"{text!r} is not a number"
    if not math.isfinite(number):
        return math.nan, f"{text!r} is not a finite number"
    return number, ""


def _unit_text(unit: str) -> str:
    """A unit as pint reads it, Vietnamese words of time and mass translated."""
    text = normalize_text(unit)
    for pattern, name in _VIETNAMESE_UNITS:
        text = re.sub(rf"\b(?:{pattern})\b", name, text, flags=re.IGNORECASE)
    return text


def _known_unit(unit: str) -> bool:
    from ecocluster.monitoring import _pint_text, _registry

    try:
        return bool(unit) and _registry().Quantity(1.0, _pint_text(_unit_text(unit))) is not None
    except Exception:
        return False


# --------------------------------------------------------------------- members
def read_members(
    path: str | Path, facilities: Mapping[str, Facility] | None = None
) -> pd.DataFrame:
    """Members of shared facilities from a CSV, loads in their facility's load unit.

    Columns: ``member_id``, ``name``, ``facility`` (id), ``load``, ``unit``, ``load_given``,
    ``unit_given``, ``distance_km`` (0 when blank), ``connection_cost`` and
    ``standalone_cost`` (NaN when blank); the index is the spreadsheet row.
    """
    table = read_table(path, ["member_id", "facility", "load", "unit"], _MEMBER_OPTIONAL)
    known = read_facilities() if facilities is None else dict(facilities)
    members = _check_members(table, known, str(path), table.index.tolist())
    if members.empty:
        raise InputError("the file has no members", file=str(path), rule="empty")
    return members


def _check_members(
    frame: pd.DataFrame, facilities: Mapping[str, Facility], file: str, rows: Sequence[int]
) -> pd.DataFrame:
    """The members, checked and converted; every problem in one InputError."""
    from ecocluster.monitoring import convert

    keys, problems, records, first = _keys(facilities), list[Problem](), [], dict[str, int]()
    for row, record in zip(rows, frame.to_dict("records"), strict=True):

        def bad(column: str, rule: str, message: str, row: int = row) -> None:
            problems.append(Problem(file, row, column, rule, message))

        ident, named = _text(record.get("member_id")), _text(record.get("facility"))
        if not ident:
            bad("member_id", "member-id", "the member has no id")
        elif fold_key(ident) in first:
            message = f"{ident!r} is also in row {first[fold_key(ident)]}"
            bad("member_id", "duplicate-member", message)
        first.setdefault(fold_key(ident), row)
        facility = facilities.get(keys.get(fold_key(named), ""))
        if facility is None:
            known = ", ".join(facilities)
            bad("facility", "unknown-facility", f"facility {named!r} is not known ({known})")
        load, why = _number(record.get("load"))
        if why:
            bad("load", "load", f"the load {why}")
        elif load <= 0:
            bad("load", "load-positive", f"the load must be above zero, not {load:g}")
        unit, converted = _text(record.get("unit")), math.nan
        if not unit:
            bad("unit", "unit", "the load has no unit")
        elif not _known_unit(unit):
            bad("unit", "unit", f"the load's unit {unit!r} is not known")
        elif facility is not None and not why:
            try:
                converted = float(convert([load], _unit_text(unit), facility.load_unit)[0])
            except ValueError:
                message = f"{unit!r} does not convert to {facility.id}'s {facility.load_unit!r}"
                bad("unit", "unit", message)
        amounts = {"distance_km": 0.0, "connection_cost": math.nan, "standalone_cost": math.nan}
        for column in amounts:
            if _text(record.get(column)):
                amounts[column], why = _number(record.get(column))
                if why or amounts[column] < 0:
                    rule = column.removesuffix("_km").replace("_", "-")
                    bad(column, rule, f"{column} {_text(record.get(column))!r} is not a number ≥ 0")
        records.append({"member_id": ident, "name": _text(record.get("name")) or ident,
                        "facility": facility.id if facility else named, "load": converted,
                        "unit": facility.load_unit if facility else unit, "load_given": load,
                        "unit_given": unit, **amounts})  # fmt: skip
    if problems:
        raise refuse(problems, "the members table was")
    members = pd.DataFrame(records, index=pd.Index(list(rows), name="row"))
    members.attrs["file"] = file
    return members


# --------------------------------------------------------------------- the game
@dataclass(frozen=True)
class _Game:
    """A facility's members as vectors: load, annual connection and standalone costs."""

    facility: Facility
    ids: list[str]
    names: list[str]
    load: np.ndarray
    connection: np.ndarray
    standalone: np.ndarray
    basis: list[str]
    rate: float
    margin: float

    def f(self, load: Any) -> np.ndarray:
        return self.facility.annual_cost(load, self.rate, self.margin)


def _prepare(members: pd.DataFrame, facility: Facility | str, rate: float, margin: float) -> _Game:
    chosen = _resolve(facility)
    if not (math.isfinite(rate) and rate > -1):
        raise InputError(f"rate {rate!r} is not a rate above -1 (0.1 = 10%)", rule="rate")
    if not (math.isfinite(margin) and margin >= 0):
        message = f"design margin {margin!r} is not a share of at least 0 (0.2 = 20%)"
        raise InputError(message, rule="design-margin")
    file, frame = str(members.attrs.get("file", "members")), members.reset_index(drop=True)
    rows = members.index.tolist() if "file" in members.attrs else list(range(1, len(frame) + 1))
    if "facility" in frame.columns:
        own = {fold_key(t) for t in (chosen.id, chosen.name, chosen.name_vi) if t}
        keep = [fold_key(_text(v)) in own for v in frame["facility"]]
        frame, rows = frame[keep], [r for r, k in zip(rows, keep, strict=True) if k]
    frame = frame.assign(facility=chosen.id)
    if "unit" not in frame.columns:
        frame = frame.assign(unit=chosen.load_unit)
    checked = _check_members(frame, {chosen.id: chosen}, file, rows)
    if checked.empty:
        raise InputError(f"no members of {chosen.id}", file=file, rule="no-members")
    load, distance = checked["load"].to_numpy(float), checked["distance_km"].to_numpy(float)
    given = checked["connection_cost"].to_numpy(float)
    capex = np.where(np.isnan(given), distance * chosen.connection_cost_per_km, given)
    throughput = load * chosen.throughput_per_load
    connection = capex * chosen.crf(rate) + distance * chosen.haulage_per_unit_km * throughput
    if chosen.standalone == "fee":
        alone, basis = throughput * chosen.standalone_fee, "fee"
    else:
        alone, basis = chosen.annual_cost(load, rate, margin, own=True), "own unit"
    has = np.isfinite(given := checked["standalone_cost"].to_numpy(float))
    return _Game(chosen, checked["member_id"].tolist(), checked["name"].tolist(), load,
                 connection, np.where(has, given, alone), ["given" if h else basis for h in has],
                 rate, margin)  # fmt: skip


@dataclass(frozen=True)
class Sizing:
    """A shared facility sized for its members: capacity, capex and annual costs."""

    facility: Facility
    members: int
    load: float  # the members' summed load, in the facility's load unit
    capacity: float  # design capacity, all units together
    units: int
    capex: float
    annualised_capex: float
    opex: float  # fixed, maintenance and per unit of throughput
    facility_cost: float  # annualised capex and opex
    connection_cost: float  # the members' connections (annualised) and haulage
    total_cost: float
    annual_throughput: float  # in the facility's throughput unit
    cost_per_unit: float  # total cost per unit of annual throughput
    rate: float
    design_margin: float


def size_facility(
    members: pd.DataFrame, facility: Facility | str, *, design_margin: float = 0.2,
    rate: float = 0.10,
) -> Sizing:  # fmt: skip
    """The facility for all its members: capacity from their summed load with a margin,
    capex on the curve, annual cost = capex × CRF(rate, lifetime) + opex."""
    game = _prepare(members, facility, rate, design_margin)
    f, load = game.facility, float(game.load.sum())
    capacity, units = (float(v) for v in f.capacity(load, design_margin))
    capex, throughput = float(f.capex(load, design_margin)), load * f.throughput_per_load
    facility_cost, connection = float(game.f(load)), float(game.connection.sum())
    annualised, total = capex * f.crf(rate), facility_cost + connection
    return Sizing(f, len(game.ids), load, capacity, int(units), capex, annualised,
                  facility_cost - annualised, facility_cost, connection, total, throughput,
                  total / throughput, rate, design_margin)  # fmt: skip


def coalition_cost(
    members: pd.DataFrame, facility: Facility | str, subset: Iterable[str], *,
    rate: float = 0.10, design_margin: float = 0.2,
) -> float:  # fmt: skip
    """c(S): annual cost of the facility sized for the members of `subset` (ids) alone,
    plus their connections; 0 for no member."""
    game = _prepare(members, facility, rate, design_margin)
    where = {fold_key(m): i for i, m in enumerate(game.ids)}
    wanted = [str(m) for m in subset]
    if unknown := [m for m in wanted if fold_key(m) not in where]:
        raise InputError(f"not members of {game.facility.id}: {unknown}", rule="unknown-member")
    chosen = np.array(sorted({where[fold_key(m)] for m in wanted}), dtype=np.intp)
    if not len(chosen):
        return 0.0
    return float(game.f(game.load[chosen].sum())) + float(game.connection[chosen].sum())


# --------------------------------------------------------------------- Shapley values
def _subset_sums(values: np.ndarray) -> np.ndarray:
    """The sum of `values` over every coalition, indexed by bit mask (bit i: member i)."""
    out = np.zeros(1 << len(values))
    for i, value in enumerate(values):
        out[1 << i : 1 << (i + 1)] = out[: 1 << i] + value
    return out


def _exact_shapley(table: np.ndarray, n: int) -> np.ndarray:
    """The subset formula over a table of every coalition's cost, indexed by bit mask."""
    masks = np.arange(1 << n)
    sizes = _subset_sums(np.ones(n)).astype(np.intp)
    weights = np.array([1.0 / (n * math.comb(n - 1, k)) for k in range(n)])  # k!(n-k-1)!/n!
    out = np.empty(n)
    for i in range(n):
        without = masks[((masks >> i) & 1) == 0]
        out[i] = weights[sizes[without]] @ (table[without | (1 << i)] - table[without])
    return out


def _sampled_shapley(
    prefix_costs: Callable[[np.ndarray], np.ndarray], n: int, samples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean marginal cost over `samples` random orders and its standard error; `prefix_costs`
    gives the cost of the first 1, 2, … n members of each order (row) of a batch."""
    rng = np.random.default_rng(seed)
    total, squares, shift = np.zeros(n), np.zeros(n), np.zeros(n)
    for start in range(0, samples, _BATCH):
        orders = rng.permuted(np.tile(np.arange(n), (min(_BATCH, samples - start), 1)), axis=1)
        marginal = np.diff(prefix_costs(orders), axis=1, prepend=0.0)
        values = np.empty_like(marginal)
        np.put_along_axis(values, orders, marginal, axis=1)
        shift = values.mean(axis=0) if start == 0 else shift
        total += (values - shift).sum(axis=0)
        squares += ((values - shift) ** 2).sum(axis=0)
    mean = total / samples
    variance = np.maximum(squares - samples * mean**2, 0.0) / (samples - 1)
    return shift + mean, np.sqrt(variance / samples)


def shapley_values(
    players: Sequence[Hashable], cost: Callable[[frozenset[Any]], float]
) -> pd.DataFrame:
    """The exact Shapley value of the cost game `cost` (of a frozenset of players, 0 for
    none), for up to `MAX_EXACT` players: `cost` is called once per coalition (2^n)."""
    listed, n = list(players), len(players)
    if len(set(listed)) != n or n > MAX_EXACT:
        raise InputError(f"need at most {MAX_EXACT} distinct players: {listed}", rule="players")
    members = [frozenset(p for i, p in enumerate(listed) if s >> i & 1) for s in range(1 << n)]
    table = np.fromiter((cost(s) for s in members), dtype=float, count=1 << n)
    return pd.DataFrame({"player": listed, "value": _exact_shapley(table, n) if n else []})


# --------------------------------------------------------------------- allocation
def allocate_costs(
    members: pd.DataFrame, facility: Facility | str, *, rate: float = 0.10, method: str = "both",
    design_margin: float = 0.2, exact_limit: int = EXACT_LIMIT, samples: int = SAMPLES,
    seed: int = 0,
) -> pd.DataFrame:  # fmt: skip
    """Each member's share of the shared facility, by load and by Shapley value, against
    going alone, with the core check (module doc: columns and attrs)."""
    if method not in METHODS:
        raise InputError(f"method {method!r} is not one of {', '.join(METHODS)}", rule="method")
    if not 0 <= exact_limit <= MAX_EXACT:
        message = f"exact_limit must be between 0 and {MAX_EXACT}, not {exact_limit}"
        raise InputError(message, rule="exact-limit")
    if samples < 2:
        raise InputError(f"samples must be at least 2, not {samples}", rule="samples")
    game = _prepare(members, facility, rate, design_margin)
    n, load, f = len(game.ids), game.load, game.facility
    facility_cost = float(game.f(load.sum()))
    total, tol = facility_cost + float(game.connection.sum()), 1e-9 * max(1.0, facility_cost)
    table = game.f(_subset_sums(load)) + _subset_sums(game.connection) if n <= exact_limit else None
    out = pd.DataFrame({"member_id": game.ids, "name": game.names, "load": load})
    out["load_share"], out["connection_cost"] = load / load.sum(), game.connection
    out["standalone_cost"], out["standalone_basis"] = game.standalone, game.basis
    rules, errors, shapley = dict[str, np.ndarray](), np.zeros(n), ""
    if method in ("proportional", "both"):
        rules["proportional"] = facility_cost * load / load.sum() + game.connection
    if method in ("shapley", "both") and table is not None:
        rules["shapley"], shapley = _exact_shapley(table, n), f"exact over the 2^{n} coalitions"
    elif method in ("shapley", "both"):
        values, errors = _sampled_shapley(
            lambda orders: game.f(np.cumsum(load[orders], axis=1)), n, samples, seed
        )
        rules["shapley"] = values + game.connection
        shapley = f"estimated from {samples} random orders (seed {seed}); see shapley_se"
    out = out.assign(**{f"{rule}_cost": values for rule, values in rules.items()})
    out = out.assign(shapley_se=errors) if shapley else out
    out = out.assign(**{f"saving_{rule}": game.standalone - v for rule, v in rules.items()})
    out = out.assign(**{f"joins_pays_{r}": out[f"saving_{r}"] >= -tol for r in rules})
    out["joins_pays"] = np.logical_and.reduce([out[f"joins_pays_{rule}"] for rule in rules])
    out.attrs.update(facility=f.id, load_unit=f.load_unit, currency=f.currency,
                     price_year=f.price_year, rate=rate, design_margin=design_margin,
                     facility_cost=facility_cost, total_cost=total, shapley=shapley,
                     core={r: _core(v, game, table, tol) for r, v in rules.items()})  # fmt: skip
    return out


def _core(paid: np.ndarray, game: _Game, table: np.ndarray | None, tol: float) -> dict[str, Any]:
    """Whether no coalition pays more than alone (module doc), and the worst coalition."""
    n = len(paid)
    if table is not None:
        excess = _subset_sums(paid) - np.minimum(table, _subset_sums(game.standalone))
        excess[0] = -np.inf
        worst = int(np.argmax(excess))
        most, who, checked = float(excess[worst]), [i for i in range(n) if worst >> i & 1], 2**n - 1
    else:
        most, who, checked = _screen(paid, game)
    return {"in_core": bool(most <= tol), "exact": table is not None,
            "coalitions_checked": checked, "worst_coalition": [game.ids[i] for i in sorted(who)],
            "worst_excess": most}  # fmt: skip


def _screen(paid: np.ndarray, game: _Game) -> tuple[float, list[int], int]:
    """The worst of the singletons, the all-but-ones and the prefixes of three orders."""
    n, vectors = len(paid), np.stack([game.load, game.connection, game.standalone, paid])
    orders = [np.argsort(-game.load), np.argsort(game.load), np.argsort(game.standalone - paid)]
    families = [(vectors, "one", orders[0]), (vectors.sum(1, keepdims=True) - vectors, "rest",
                orders[0])]  # fmt: skip
    families += [(np.cumsum(vectors[:, order], axis=1), "first", order) for order in orders]
    most, who = -math.inf, list[int]()
    for (loads, connections, standalone, share), kind, order in families:
        alone = np.minimum(game.f(loads) + connections, standalone)
        excess = np.where(loads > 0, share - alone, -np.inf)
        k = int(np.argmax(excess))
        if excess[k] > most:
            most = float(excess[k])
            rest = [i for i in range(n) if i != k] if kind == "rest" else order[: k + 1].tolist()
            who = [k] if kind == "one" else rest
    return most, who, 5 * n
