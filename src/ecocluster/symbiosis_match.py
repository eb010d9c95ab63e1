"""The optimal exchange plan among candidate exchanges, and what each firm gains.

API (also importable from `ecocluster.symbiosis`, which finds the candidates):

* ``plan_exchanges(streams, candidates=None, *, transport_cost_per_tkm, budget=None,
  capacities=None, method="auto", transport_t_co2e_per_tkm=None, rules=None,
  materials=None, k=20, max_km=None) -> Plan`` (candidates found when not given).
* ``Plan``: ``exchanges`` (one row per exchange: quantities, km, t-km, cost items, net
  saving, each side's gain, tonnes diverted, tCO2e avoided by part), ``firms`` (benefits
  per firm), ``streams`` (every stream: quantity, used, left, why), ``unmet`` and
  ``unused`` (the inputs and outputs left), ``totals``, ``solver``, ``status``,
  ``rounding_bound``, ``warnings``, ``parameters``; ``to_json_data()``.
* ``check_plan(plan, streams, rules) -> list[str]``: every broken invariant, in words.
* ``transport_problem(streams, candidates, *, transport_cost_per_tkm)`` and
  ``solve_transport_problem(problem)``: the integer min-cost-flow instance handed to
  OR-Tools and its solution, for benchmarks and tests.

An exchange's cost per unit of output shipped, in the streams' one currency: transport
(``transport_cost_per_tkm`` × great-circle km: one number, or a mapping by class id or
group; per t-km for solids, m3-km for liquids, unit-km for energy) + treatment (the
rule's; unknown counts as 0 and the exchange says so) − disposal avoided (the supplier's
``disposal_cost``) − virgin material avoided (ratio × the receiver's ``virgin_price``);
missing prices count as 0. Only exchanges with a negative cost are worth making; the plan
maximises the net saving within what each output has and each input needs. The price
between the firms moves money between them without changing the optimum: the supplier
gains disposal avoided + price, the receiver (who collects) the rest; ``supplier_gain``
and ``receiver_gain`` show when one side loses at the asked price.

Solvers: without a budget or capacities, and when the ratios factor as one number per
output times one per input (always so when they are 1), the plan is a pure transport
problem: a min-cost flow by OR-Tools' ``SimpleMinCostFlow``, in integers. Otherwise HiGHS
solves the linear programme (``scipy.optimize.linprog``). Demand is an upper bound, so
no plan is infeasible: what is not met is reported with its reason.

Integer scaling: quantities in quanta q = 10^a (the finest, down to 10^-6 of a unit, that
keeps the total flow within 10^10 quanta) and costs per quantum in units m = 10^b (the
finest that keeps flow × largest cost within 10^18 and largest cost × nodes within 10^17;
int64 holds 9.2 × 10^18, and OR-Tools' cost scaling multiplies costs by the number of
nodes). Capacities round down, so nobody ships more than it has or receives more than
it needs; costs round to the nearest m. Whole-number quantities and money are then
exact, and ``rounding_bound`` is 0. In general it bounds how far the plan's net saving may
fall short of the exact optimum: the capacity each node lost × the largest saving per
unit on its arcs (a bound on its dual price), plus the largest cost rounding × twice the
largest possible flow. Reported figures come from the flows in floating point.

tCO2e avoided = the output's disposal factor × quantity (not when the supplier now sells
it: a negative ``disposal_cost``) + the input's virgin factor × quantity received −
``transport_t_co2e_per_tkm`` × t-km of trucked solids when given; ``co2e_basis`` says
which parts have a cited factor, never a guessed zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.symbiosis import candidate_exchanges, haversine_km, read_materials, read_rules

__all__ = [
    "Plan",
    "TransportProblem",
    "candidate_exchanges",
    "check_plan",
    "haversine_km",
    "plan_exchanges",
    "solve_transport_problem",
    "transport_problem",
]


# --------------------------------------------------------------------- the plan
MIN_COST_FLOW: Final = "ortools-min-cost-flow"
LINEAR_PROGRAMME: Final = "highs-lp"
#: What is left of a stream below this share of it counts as nothing.
TOLERANCE: Final = 1e-9
#: What is left of a stream below this share of it is rounding (quanta of the integer
#: problem divided through a rule's ratio), not an unmet need or an unused output.
LEFT_TOLERANCE: Final = 1e-6
_TOTAL_LIMIT: Final = 1e18
_NODE_LIMIT: Final = 1e17
_FLOW_QUANTA: Final = 1e10
_FINEST: Final = -6


@dataclass(frozen=True)
class Plan:
    """An exchange plan: what moves, what each firm gains, what is left, how it was solved."""

    exchanges: pd.DataFrame
    firms: pd.DataFrame
    streams: pd.DataFrame
    totals: dict[str, float]
    solver: str
    status: str
    rounding_bound: float
    warnings: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def unmet(self) -> pd.DataFrame:
        """Inputs not fully met, with how much is missing and why."""
        left = self.streams
        return left[(left["direction"] == "input") & (left["left"] > 0)].reset_index(drop=True)

    @property
    def unused(self) -> pd.DataFrame:
        """Outputs not fully used, with how much is left and why."""
        left = self.streams
        return left[(left["direction"] == "output") & (left["left"] > 0)].reset_index(drop=True)

    def to_json_data(self) -> dict[str, Any]:
        """The plan as plain JSON data (NaN as null)."""
        from ecocluster.json_data import to_json_data

        value = {
            "solver": self.solver, "status": self.status, "rounding_bound": self.rounding_bound,
            "totals": self.totals, "warnings": list(self.warnings), "parameters": self.parameters,
            "exchanges": self.exchanges, "firms": self.firms, "unmet": self.unmet,
            "unused": self.unused,
        }  # fmt: skip
        data: dict[str, Any] = to_json_data(value, "plan")
        return data


@dataclass(frozen=True)
class TransportProblem:
    """A pure transport problem in integers, as handed to OR-Tools. Nodes: suppliers,
    receivers, one sink taking all supply. Arcs: the exchanges (first; `scale` is flow
    units per output unit), receiver → sink (its need), supplier → sink (not shipping)."""

    supplies: np.ndarray
    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    costs: np.ndarray
    exchanges: int
    flow_power: int
    money_power: int
    scale: np.ndarray
    bound: float


@dataclass(frozen=True)
class _Arcs:
    """The exchanges worth making and their economics per unit of output."""

    candidate: np.ndarray
    s: np.ndarray
    r: np.ndarray
    ratio: np.ndarray
    km: np.ndarray
    transport: np.ndarray
    treatment: np.ndarray
    known: np.ndarray
    disposal: np.ndarray
    virgin: np.ndarray
    cost: np.ndarray
    upper: np.ndarray
    names: np.ndarray


def _rates(
    streams: pd.DataFrame, positions: np.ndarray, rate: float | Mapping[str, float]
) -> np.ndarray:
    """Transport cost per unit-km of each output at `positions`: by class id, then group."""
    if not isinstance(rate, Mapping):
        return np.full(len(positions), float(rate))
    material = streams["material"].to_numpy(dtype=str)[positions]
    group = streams["group"].to_numpy(dtype=str)[positions]
    found = pd.Series(material).map(rate).fillna(pd.Series(group).map(rate)).to_numpy(dtype=float)
    if np.isnan(found).any():
        missing = ", ".join(sorted(set(material[np.isnan(found)])))
        raise ValueError(f"transport_cost_per_tkm gives no rate for {missing} (class or group)")
    return found


def _economics(
    streams: pd.DataFrame, candidates: pd.DataFrame, rate: float | Mapping[str, float]
) -> tuple[_Arcs, np.ndarray]:
    """Every candidate's cost per unit of output; the ones worth making as arcs."""
    s = candidates["supplier_pos"].to_numpy(dtype=np.int64)
    r = candidates["receiver_pos"].to_numpy(dtype=np.int64)
    quantity = streams["quantity"].to_numpy(dtype=float)
    ratio = candidates["ratio"].to_numpy(dtype=float)
    km = candidates["distance_km"].to_numpy(dtype=float)
    transport = _rates(streams, s, rate) * km
    raw = candidates["treatment_cost"].to_numpy(dtype=float)
    treatment = np.nan_to_num(raw)
    disposal = np.nan_to_num(streams["disposal_cost"].to_numpy(dtype=float)[s])
    virgin = ratio * np.nan_to_num(streams["virgin_price"].to_numpy(dtype=float)[r])
    cost = transport + treatment - disposal - virgin
    upper = np.minimum(quantity[s], quantity[r] / ratio)
    worth = (cost < 0) & (upper > 0)
    pick = np.flatnonzero(worth)
    arcs = _Arcs(
        pick, s[pick], r[pick], ratio[pick], km[pick], transport[pick], treatment[pick],
        ~np.isnan(raw[pick]), disposal[pick], virgin[pick], cost[pick], upper[pick],
        candidates["treatment"].to_numpy(dtype=str)[pick],
    )  # fmt: skip
    return arcs, cost


def _factor_ratios(
    s: np.ndarray, r: np.ndarray, ratio: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """(α per arc, β per arc) with ratio = α(supplier) × β(receiver), or None when none exist."""
    if len(s) == 0 or np.all(ratio == 1.0):
        return np.ones(len(s)), np.ones(len(s))
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped, unused-ignore]
    from scipy.sparse.csgraph import breadth_first_order, connected_components  # type: ignore[import-untyped, unused-ignore]

    tails, supplier = np.unique(s, return_inverse=True)
    _, receiver = np.unique(r, return_inverse=True)
    n_s = len(tails)
    n = n_s + int(receiver.max()) + 1
    heads = receiver + n_s
    weight = np.log(ratio)
    graph = coo_matrix((np.ones(len(s)), (supplier, heads)), shape=(n, n)).tocsr()
    graph = graph + graph.T
    _, labels = connected_components(graph, directed=False)
    roots = np.unique(labels, return_index=True)[1]
    parent = np.full(n, -1, dtype=np.int64)
    sequence: list[np.ndarray] = []
    for root in roots:
        order, predecessors = breadth_first_order(
            graph, int(root), directed=False, return_predecessors=True
        )
        parent[order[1:]] = predecessors[order[1:]]
        sequence.append(order[1:])
    keys = supplier * n + heads
    by_key = np.argsort(keys)
    child = np.concatenate([np.empty(0, dtype=np.int64), *sequence])
    low, high = np.minimum(child, parent[child]), np.maximum(child, parent[child])
    edge_weight = weight[by_key[np.searchsorted(keys[by_key], low * n + high)]]
    potential = np.zeros(n)
    for v, u, w in zip(child.tolist(), parent[child].tolist(), edge_weight.tolist(), strict=True):
        potential[v] = w - potential[u]
    alpha, beta = potential[supplier], potential[heads]
    if np.max(np.abs(alpha + beta - weight)) > 1e-9:
        return None
    return np.exp(alpha), np.exp(beta)


def _power_of_ten_at_least(value: float) -> int:
    return math.ceil(math.log10(value)) if value > 0 else _FINEST


def _times_ten(values: np.ndarray, power: int) -> np.ndarray:
    """values × 10**power, correctly rounded (an exact power of ten multiplies or divides)."""
    return values * float(10**power) if power >= 0 else values / float(10**-power)


def _to_int(scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(integers, what rounding dropped): down, or to the nearest when within 1e-9 of it."""
    nearest = np.rint(scaled)
    close = np.abs(scaled - nearest) <= 1e-9 * np.maximum(1.0, np.abs(scaled))
    whole = np.where(close, nearest, np.floor(scaled))
    return whole.astype(np.int64), np.maximum(scaled - whole, 0.0)


def transport_problem(
    streams: pd.DataFrame,
    candidates: pd.DataFrame,
    *,
    transport_cost_per_tkm: float | Mapping[str, float],
) -> TransportProblem:
    """The integer min-cost-flow instance of a pure transport problem (ValueError if the
    ratios do not factor; see the module doc for the scaling)."""
    arcs, _ = _economics(streams, candidates, transport_cost_per_tkm)
    return _transport(streams, arcs)


def _transport(streams: pd.DataFrame, arcs: _Arcs) -> TransportProblem:
    factors = _factor_ratios(arcs.s, arcs.r, arcs.ratio)
    if factors is None:
        raise ValueError("the ratios do not factor by supplier and receiver: use the LP")
    alpha, beta = factors
    quantity = streams["quantity"].to_numpy(dtype=float)
    suppliers, s_node = np.unique(arcs.s, return_inverse=True)
    receivers, r_node = np.unique(arcs.r, return_inverse=True)
    n_s, n_r = len(suppliers), len(receivers)
    supply = np.zeros(n_s)
    supply[s_node] = alpha * quantity[arcs.s]
    need = np.zeros(n_r)
    need[r_node] = quantity[arcs.r] / beta
    kappa = arcs.cost / alpha
    total = max(supply.sum(), need.sum(), 0.0)
    flow_power = max(_FINEST, _power_of_ten_at_least(total / _FLOW_QUANTA))
    quantum = 10.0**flow_power
    most = float(np.abs(kappa).max()) * quantum if len(kappa) else 1.0
    flows = min(supply.sum(), need.sum()) / quantum
    limit = min(_TOTAL_LIMIT / max(flows, 1.0), _NODE_LIMIT / (n_s + n_r + 2))
    money_power = _power_of_ten_at_least(most / limit)
    supply_int, supply_lost = _to_int(_times_ten(supply, -flow_power))
    need_int, need_lost = _to_int(_times_ten(need, -flow_power))
    cost_int = np.rint(_times_ten(kappa, flow_power - money_power)).astype(np.int64)
    error = np.abs(kappa - _times_ten(cost_int.astype(float), money_power - flow_power))
    gain = np.maximum(-kappa, 0.0)
    dual_s, dual_r = np.zeros(n_s), np.zeros(n_r)
    np.maximum.at(dual_s, s_node, gain)
    np.maximum.at(dual_r, r_node, gain)
    lost = (supply_lost @ dual_s + need_lost @ dual_r) * quantum
    bound = float(lost + (error.max() if len(error) else 0.0) * 2 * min(supply.sum(), need.sum()))
    sink = n_s + n_r
    all_s, all_r = np.arange(n_s), np.arange(n_s, sink)
    tails = np.concatenate([s_node, all_r, all_s])
    heads = np.concatenate([r_node + n_s, np.full(n_r, sink), np.full(n_s, sink)])
    capacities = np.concatenate(
        [np.minimum(supply_int[s_node], need_int[r_node]), need_int, supply_int]
    )
    costs = np.concatenate([cost_int, np.zeros(n_r + n_s, dtype=np.int64)])
    supplies = np.concatenate([supply_int, np.zeros(n_r, dtype=np.int64), [-supply_int.sum()]])
    return TransportProblem(
        supplies.astype(np.int64), tails.astype(np.int64), heads.astype(np.int64),
        capacities.astype(np.int64), costs, len(arcs.s), flow_power, money_power, alpha, bound,
    )  # fmt: skip


def solve_transport_problem(problem: TransportProblem) -> tuple[np.ndarray, int, str]:
    """OR-Tools' min-cost flow: (flow on every arc, optimal cost in integers, status)."""
    from ortools.graph.python import min_cost_flow

    solver = min_cost_flow.SimpleMinCostFlow()
    if len(problem.tails):
        arcs = solver.add_arcs_with_capacity_and_unit_cost(
            problem.tails, problem.heads, problem.capacities, problem.costs
        )
        solver.set_nodes_supplies(np.arange(len(problem.supplies)), problem.supplies)
    else:
        arcs = np.empty(0, dtype=np.int64)
    status = solver.solve()
    if status != solver.OPTIMAL:
        return np.zeros(len(problem.tails), dtype=np.int64), 0, str(status.name).lower()
    return np.asarray(solver.flows(arcs), dtype=np.int64), int(solver.optimal_cost()), "optimal"


def _solve_lp(
    streams: pd.DataFrame,
    arcs: _Arcs,
    outlay: np.ndarray,
    budget: float | None,
    capacities: Mapping[str, float],
) -> tuple[np.ndarray, str]:
    """HiGHS on the linear programme with the side constraints; (flows, status)."""
    from scipy.optimize import linprog  # type: ignore[import-untyped, unused-ignore]
    from scipy.sparse import coo_matrix, vstack  # type: ignore[import-untyped, unused-ignore]

    n = len(arcs.s)
    if n == 0:
        return np.zeros(0), "optimal"
    quantity = streams["quantity"].to_numpy(dtype=float)
    suppliers, s_row = np.unique(arcs.s, return_inverse=True)
    receivers, r_row = np.unique(arcs.r, return_inverse=True)
    columns = np.arange(n)
    blocks = [
        coo_matrix((np.ones(n), (s_row, columns)), shape=(len(suppliers), n)),
        coo_matrix((arcs.ratio, (r_row, columns)), shape=(len(receivers), n)),
    ]
    bounds = [quantity[suppliers], quantity[receivers]]
    if budget is not None:
        blocks.append(coo_matrix(outlay.reshape(1, n)))
        bounds.append(np.array([float(budget)]))
    for name, limit in capacities.items():
        uses = (arcs.names == name).astype(float)
        blocks.append(coo_matrix(uses.reshape(1, n)))
        bounds.append(np.array([float(limit)]))
    result = linprog(
        arcs.cost, A_ub=vstack(blocks).tocsr(), b_ub=np.concatenate(bounds),
        bounds=np.column_stack([np.zeros(n), arcs.upper]), method="highs",
    )  # fmt: skip
    if result.status != 0 or result.x is None:
        return np.zeros(n), f"not solved: {result.message}"
    flows = np.asarray(result.x, dtype=float)
    return np.where(flows > TOLERANCE * arcs.upper, flows, 0.0), "optimal"


def plan_exchanges(
    streams: pd.DataFrame,
    candidates: pd.DataFrame | None = None,
    *,
    transport_cost_per_tkm: float | Mapping[str, float],
    budget: float | None = None,
    capacities: Mapping[str, float] | None = None,
    method: str = "auto",
    transport_t_co2e_per_tkm: float | None = None,
    rules: pd.DataFrame | None = None,
    materials: pd.DataFrame | None = None,
    k: int = 20,
    max_km: float | None = None,
) -> Plan:
    """The exchange plan with the largest net saving (module doc: costs, solvers, rounding).

    `budget`: the most the plan may spend a year on transport and treatment together.
    `capacities`: the most output units a year each named treatment (as in the rules'
    ``treatment``) can process. `method`: "auto", "min_cost_flow" or "lp".
    """
    if method not in ("auto", "min_cost_flow", "lp"):
        raise ValueError(f"method must be 'auto', 'min_cost_flow' or 'lp', not {method!r}")
    materials = read_materials() if materials is None else materials
    if candidates is None:
        rules = read_rules(materials=materials) if rules is None else rules
        candidates = candidate_exchanges(streams, rules, k=k, max_km=max_km)
    capacities = dict(capacities or {})
    arcs, all_costs = _economics(streams, candidates, transport_cost_per_tkm)
    known = set(candidates["treatment"])
    unknown = sorted(set(capacities) - known)
    if unknown:
        raise ValueError(f"capacities name treatments no candidate uses: {', '.join(unknown)}")
    side = budget is not None or bool(capacities)
    factors = None if side else _factor_ratios(arcs.s, arcs.r, arcs.ratio)
    if method == "min_cost_flow" and (side or factors is None):
        why = "a budget or capacities" if side else "ratios that do not factor"
        raise ValueError(f"this is not a pure transport problem ({why}): use method='lp'")
    outlay = arcs.transport + arcs.treatment
    warnings: list[str] = []
    bound = 0.0
    if method == "lp" or side or factors is None:
        flows, status = _solve_lp(streams, arcs, outlay, budget, capacities)
        solver = LINEAR_PROGRAMME
    else:
        problem = _transport(streams, arcs)
        integer_flows, _, status = solve_transport_problem(problem)
        solver, bound = MIN_COST_FLOW, problem.bound
        flows = _times_ten(integer_flows[: problem.exchanges].astype(float), problem.flow_power)
        flows = flows / problem.scale
        if status != "optimal":
            warnings.append(
                f"the min-cost flow was not solved ({status}); HiGHS solved the LP instead"
            )
            flows, status = _solve_lp(streams, arcs, outlay, None, {})
            solver, bound = LINEAR_PROGRAMME, 0.0
    parameters = {
        "transport_cost_per_tkm": transport_cost_per_tkm, "budget": budget,
        "capacities": capacities, "transport_t_co2e_per_tkm": transport_t_co2e_per_tkm,
        "method": method, "k": k, "max_km": max_km,
    }  # fmt: skip
    return _assemble(
        streams,
        candidates,
        arcs,
        all_costs,
        flows,
        materials,
        solver,
        status,
        bound,
        warnings,
        parameters,
    )


def _assemble(
    streams: pd.DataFrame,
    candidates: pd.DataFrame,
    arcs: _Arcs,
    all_costs: np.ndarray,
    flows: np.ndarray,
    materials: pd.DataFrame,
    solver: str,
    status: str,
    bound: float,
    warnings: list[str],
    parameters: dict[str, Any],
) -> Plan:
    """The exchanges with their figures, benefits per firm, what is left and why, totals."""
    pick = np.flatnonzero(flows > 0)
    x, s, r = flows[pick], arcs.s[pick], arcs.r[pick]
    column = {n: streams[n].to_numpy() for n in ("stream", "firm", "name", "material", "unit")}
    column["group"] = streams["group"].to_numpy()
    trucked = (column["group"][s] == "solid") & (column["unit"][s] == "t")
    received = arcs.ratio[pick] * x
    sold_now = streams["disposal_cost"].to_numpy(dtype=float)[s] < 0
    disposal_ef = materials["disposal_t_co2e"].reindex(column["material"][s]).to_numpy(dtype=float)
    virgin_ef = materials["virgin_t_co2e"].reindex(column["material"][r]).to_numpy(dtype=float)
    per_tkm = parameters["transport_t_co2e_per_tkm"]
    rate = math.nan if per_tkm is None else -float(per_tkm)
    tkm = x * arcs.km[pick]
    co2e = {
        "co2e_disposal_t": np.where(sold_now, np.nan, disposal_ef * x),
        "co2e_virgin_t": virgin_ef * received,
        "co2e_transport_t": np.where(trucked, rate * tkm, np.nan),
    }
    counted = np.column_stack(list(co2e.values())) if len(x) else np.zeros((0, 3))
    basis = [
        "+".join(n[5:-2] for n, v in zip(co2e, row, strict=True) if not np.isnan(v))
        for row in counted
    ]
    price = np.nan_to_num(streams["price"].to_numpy(dtype=float)[s]) * x
    exchange = {
        "supplier": column["stream"][s], "receiver": column["stream"][r],
        "supplier_firm": column["firm"][s], "receiver_firm": column["firm"][r],
        "supplier_name": column["name"][s], "receiver_name": column["name"][r],
        "output": column["material"][s], "input": column["material"][r], "quantity": x,
        "unit": column["unit"][s], "received": received, "received_unit": column["unit"][r],
        "distance_km": arcs.km[pick], "tkm": tkm, "transport_cost": arcs.transport[pick] * x,
        "treatment": arcs.names[pick], "treatment_cost": arcs.treatment[pick] * x,
        "treatment_cost_known": arcs.known[pick], "disposal_avoided": arcs.disposal[pick] * x,
        "virgin_avoided": arcs.virgin[pick] * x, "net_saving": -arcs.cost[pick] * x, "price": price,
        "diverted_t": np.where(trucked & ~sold_now, x, 0.0),
        "co2e_avoided_t": np.nansum(counted, axis=1), "co2e_basis": basis, **co2e,
    }  # fmt: skip
    exchanges = pd.DataFrame(exchange)
    exchanges["supplier_gain"] = exchanges["disposal_avoided"] + price
    exchanges["receiver_gain"] = exchanges["net_saving"] - exchanges["supplier_gain"]
    exchanges = exchanges.sort_values(
        ["net_saving", "supplier", "receiver"], ascending=[False, True, True], ignore_index=True
    )
    left = _left(streams, candidates, all_costs, flows, arcs)
    firms = _firms(streams, exchanges)
    sums = exchanges[[c for c in _SUMMED if c in exchanges]].sum()
    totals = {"exchanges": float(len(exchanges)), "firms": float(len(firms))}
    totals |= {str(name): float(value) for name, value in sums.items()}
    unmet = (left["direction"] == "input") & (left["left"] > 0)
    totals["inputs_unmet"] = float(unmet.sum())
    totals["outputs_unused"] = float(((left["direction"] == "output") & (left["left"] > 0)).sum())
    for unit, amount in exchanges.groupby("unit")["quantity"].sum().items():
        totals[f"shipped_{unit}"] = float(amount)
    warnings += _warnings(streams, exchanges)
    return Plan(exchanges, firms, left, totals, solver, status, bound, tuple(warnings), parameters)


_SUMMED: Final = (
    "net_saving", "transport_cost", "treatment_cost", "disposal_avoided", "virgin_avoided",
    "diverted_t", "co2e_avoided_t",
)  # fmt: skip


def _left(
    streams: pd.DataFrame,
    candidates: pd.DataFrame,
    all_costs: np.ndarray,
    flows: np.ndarray,
    arcs: _Arcs,
) -> pd.DataFrame:
    """Every stream: quantity, used (shipped or met), left and why."""
    quantity = streams["quantity"].to_numpy(dtype=float)
    used = np.zeros(len(streams))
    np.add.at(used, arcs.s, flows)
    np.add.at(used, arcs.r, flows * arcs.ratio)
    left = quantity - used
    left = np.where(left > LEFT_TOLERANCE * np.maximum(quantity, 1.0), left, 0.0)
    reach = np.zeros(len(streams), dtype=bool)
    worth = np.zeros(len(streams), dtype=bool)
    for name in ("supplier_pos", "receiver_pos"):
        at = candidates[name].to_numpy(dtype=np.int64)
        reach[at] = True
        worth[at[all_costs < 0]] = True
    output = (streams["direction"] == "output").to_numpy()
    far = np.where(output, "no compatible need within reach", "no compatible output within reach")
    bound = np.where(
        output,
        "the compatible needs are met, or a budget or capacity binds",
        "the compatible outputs are used, or a budget or capacity binds",
    )
    dear = "no exchange worth making at these prices and distances"
    why = np.select([left == 0, ~reach, ~worth], ["", far, dear], bound)
    columns = ["stream", "firm", "name", "direction", "material", "unit", "quantity"]
    return streams[columns].assign(used=used, left=left, reason=why).reset_index(drop=True)


def _firms(streams: pd.DataFrame, exchanges: pd.DataFrame) -> pd.DataFrame:
    """Per firm: money gained as supplier and as receiver, tonnes diverted, CO2e avoided.

    The supplier is credited with the disposal part of the CO2e; the receiver with the
    virgin part, and charged with the transport part (it collects)."""
    supplier = pd.DataFrame(
        {
            "firm": exchanges["supplier_firm"], "as_supplier": exchanges["supplier_gain"],
            "as_receiver": 0.0, "diverted_t": exchanges["diverted_t"],
            "co2e_avoided_t": exchanges["co2e_disposal_t"].fillna(0.0),
        }
    )  # fmt: skip
    receiver = pd.DataFrame(
        {
            "firm": exchanges["receiver_firm"], "as_supplier": 0.0,
            "as_receiver": exchanges["receiver_gain"], "diverted_t": 0.0,
            "co2e_avoided_t": exchanges["co2e_virgin_t"].fillna(0.0)
            + exchanges["co2e_transport_t"].fillna(0.0),
        }
    )  # fmt: skip
    both = pd.concat([supplier, receiver], ignore_index=True)
    grouped = both.groupby("firm", sort=True)
    firms = grouped[["as_supplier", "as_receiver", "diverted_t", "co2e_avoided_t"]].sum()
    firms.insert(0, "exchanges", grouped.size())
    firms.insert(1, "money_gain", firms["as_supplier"] + firms["as_receiver"])
    names = streams.drop_duplicates("firm").set_index("firm")["name"]
    firms.insert(0, "name", names.reindex(firms.index).to_numpy())
    firms = firms.rename_axis("firm").reset_index()
    return firms.sort_values(["money_gain", "firm"], ascending=[False, True], ignore_index=True)


def _warnings(streams: pd.DataFrame, exchanges: pd.DataFrame) -> list[str]:
    """What the reader should know before trusting the figures."""
    notes = []
    unknown = exchanges.loc[~exchanges["treatment_cost_known"], "treatment"].unique()
    if len(unknown):
        count = int((~exchanges["treatment_cost_known"]).sum())
        notes.append(
            f"{count} exchanges need a treatment whose cost is not known and is counted as 0 "
            f"({', '.join(sorted(map(str, unknown)))}): give treatment_cost in the rules"
        )
    outputs = streams["direction"] == "output"
    no_disposal = int((outputs & streams["disposal_cost"].isna()).sum())
    no_virgin = int((~outputs & streams["virgin_price"].isna()).sum())
    if no_disposal or no_virgin:
        notes.append(
            f"{no_disposal} outputs without a disposal cost and {no_virgin} inputs without a "
            "virgin price count them as 0, so exchanges they could make may look less worth it"
        )
    return notes


# --------------------------------------------------------------------- invariants
def check_plan(
    plan: Plan, streams: pd.DataFrame, rules: pd.DataFrame, *, tolerance: float = 1e-6
) -> list[str]:
    """Every broken invariant of `plan`, in words (empty when sound): an output goes to an
    input of another firm under a rule, at its ratio and distance; each exchange saves and
    adds up; nothing ships or receives more than it has or needs; budget and capacities
    hold; totals, firms and streams agree with the exchanges."""
    found: list[str] = []
    ex = plan.exchanges
    info = streams.set_index("stream")

    def fail(mask: Any, what: str) -> None:
        bad = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(bad):
            pairs = [f"{ex['supplier'].iloc[i]} → {ex['receiver'].iloc[i]}" for i in bad[:5]]
            found.append(f"{what}: {', '.join(pairs)}{' ...' if len(bad) > 5 else ''}")

    def close(a: Any, b: Any) -> np.ndarray:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return np.asarray(np.abs(a - b) <= tolerance * np.maximum(1.0, np.abs(b)))

    sup, rec = info.reindex(ex["supplier"]), info.reindex(ex["receiver"])
    fail(
        sup["direction"].ne("output").to_numpy() | rec["direction"].ne("input").to_numpy(),
        "not an output to an input",
    )
    fail(
        (ex["output"].to_numpy() != sup["material"].to_numpy())
        | (ex["input"].to_numpy() != rec["material"].to_numpy()),
        "material differs from the stream's",
    )
    fail(sup["firm"].to_numpy() == rec["firm"].to_numpy(), "a firm trades with itself")
    rule = rules.drop_duplicates(["output", "input"]).set_index(["output", "input"])
    allowed = rule.reindex(pd.MultiIndex.from_arrays([ex["output"], ex["input"]]))
    fail(allowed["ratio"].isna().to_numpy(), "no rule lets this output meet this input")
    fail(
        ~close(ex["received"], allowed["ratio"].to_numpy() * ex["quantity"].to_numpy()),
        "received is not ratio × quantity",
    )
    km = haversine_km(sup["lat"], sup["lon"], rec["lat"], rec["lon"])
    fail(~close(ex["distance_km"], km), "distance differs from the streams' coordinates")
    fail(km > allowed["max_km"].to_numpy() * (1 + tolerance), "farther than the rule allows")
    fail(ex["quantity"].to_numpy() <= 0, "quantity is not positive")
    fail(ex["net_saving"].to_numpy() <= 0, "the exchange saves nothing")
    parts = (
        ex["disposal_avoided"] + ex["virgin_avoided"] - ex["transport_cost"] - ex["treatment_cost"]
    )
    fail(~close(ex["net_saving"], parts), "net saving is not the sum of its parts")
    fail(
        ~close(ex["supplier_gain"] + ex["receiver_gain"], ex["net_saving"]),
        "the firms' gains do not add up",
    )
    quantity = info["quantity"]
    shipped = ex.groupby("supplier")["quantity"].sum()
    over = shipped > quantity.reindex(shipped.index) * (1 + tolerance) + tolerance
    found += [
        f"output {s} ships {shipped[s]:g}, more than its {quantity[s]:g}"
        for s in shipped.index[over]
    ]
    met = ex.groupby("receiver")["received"].sum()
    over = met > quantity.reindex(met.index) * (1 + tolerance) + tolerance
    found += [
        f"input {r} receives {met[r]:g}, more than its {quantity[r]:g}" for r in met.index[over]
    ]
    budget = plan.parameters.get("budget")
    outlay = float((ex["transport_cost"] + ex["treatment_cost"]).sum())
    if budget is not None and outlay > float(budget) * (1 + tolerance) + tolerance:
        found.append(f"transport and treatment cost {outlay:g}, over the budget of {budget:g}")
    for name, limit in (plan.parameters.get("capacities") or {}).items():
        load = float(ex.loc[ex["treatment"] == name, "quantity"].sum())
        if load > float(limit) * (1 + tolerance) + tolerance:
            found.append(f"treatment {name!r} processes {load:g}, over its capacity of {limit:g}")
    totals = plan.totals
    for name in _SUMMED:
        if not close(totals.get(name, math.nan), ex[name].sum()):
            found.append(
                f"total {name} {totals.get(name)} is not the sum over exchanges {ex[name].sum()}"
            )
    if not close(plan.firms["money_gain"].sum(), totals["net_saving"]):
        found.append("the firms' gains do not add up to the net saving")
    left = plan.streams
    if not np.all(close(left["used"] + left["left"], left["quantity"])) or (left["left"] < 0).any():
        found.append("the streams table's used and left do not add up to the quantities")
    return found
