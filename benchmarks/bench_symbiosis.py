"""Benchmark: the optimal exchange plan of a national register of supplying and needing firms.

What is timed, each in a fresh subprocess (wall time; peak memory is that process's
VmHWM), on the same synthetic instance:

* ecocluster: ``candidate_exchanges`` (each output's `--k` nearest compatible needs, by
  KD-trees) and ``plan_exchanges`` (costs per arc, the integer transport problem,
  OR-Tools' min-cost flow, then exchanges, benefits per firm, what is left and why),
  lazy imports (SciPy, OR-Tools) included; and, inside that run, the OR-Tools solve alone;
* networkx: ``network_simplex`` on the very integer instance the planner handed to
  OR-Tools (``transport_problem``: same nodes, supplies, arcs, capacities and unit costs),
  the graph built from the arrays first (timed apart).

Both must report the same optimal cost, an integer (the run fails otherwise); the plan's
net saving must be that cost back in money, within the rounding bound the plan reports;
``check_plan`` must find nothing wrong.

The synthetic instance (`synthetic_streams`, seeded, deterministic): `--suppliers`
outputs and `--receivers` needs, one per firm, in 400 zones placed uniformly over Viet
Nam's mainland bounding box (8.6-23.4 °N, 102.1-109.5 °E), firms scattered around their
zone's centre (normal, 8 km); outputs are fly ash, bottom ash, steel slag, ceramic shards,
clay dust, foundry sand or food residue, needs cement additive, brick clay, aggregate or
animal feed, all met at ratio 1 by the bundled rules, whose distance limits are lifted
(a national register: distance is priced by transport alone), so that every output has
exactly `--k` candidates; quantities lognormal (median 300 t a year, whole tonnes);
disposal costs 50,000-400,000 VND/t and virgin prices 100,000-900,000 VND/t (whole
thousands); transport 2,000 VND per t-km.

Usage::

    python benchmarks/bench_symbiosis.py [--suppliers 10000] [--receivers 10000] [--k 20]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

OUTPUTS = (
    "fly_ash", "bottom_ash", "steel_slag", "ceramic_shards", "clay_dust", "foundry_sand",
    "food_residue",
)  # fmt: skip
INPUTS = ("cement_additive", "brick_clay", "aggregate", "animal_feed")
ZONES = 400
TRANSPORT_VND_PER_TKM = 2000.0


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_streams(suppliers: int, receivers: int, seed: int = 1) -> pd.DataFrame:
    """The benchmark's streams (module doc), as `read_streams` returns them."""
    from ecocluster.symbiosis import read_streams

    rng = np.random.default_rng(seed)
    zone_lat = rng.uniform(8.6, 23.4, ZONES)
    zone_lon = rng.uniform(102.1, 109.5, ZONES)
    n = suppliers + receivers
    zone = rng.integers(0, ZONES, n)
    km_per_degree = 111.2
    lat = zone_lat[zone] + rng.normal(0, 8 / km_per_degree, n)
    lon = zone_lon[zone] + rng.normal(0, 8 / km_per_degree, n) / np.cos(np.radians(lat))
    output = np.arange(n) < suppliers
    material = np.where(output, rng.choice(OUTPUTS, n), rng.choice(INPUTS, n))
    quantity = np.maximum(1, np.round(np.exp(rng.normal(np.log(300), 1.0, n))))
    disposal = rng.integers(50, 401, n) * 1000.0
    virgin = rng.integers(100, 901, n) * 1000.0
    frame = pd.DataFrame(
        {
            "firm": [f"F{i:06d}" for i in range(n)],
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
            "direction": np.where(output, "output", "input"),
            "material": material,
            "quantity": quantity,
            "unit": "t",
            "disposal_cost": np.where(output, disposal, np.nan),
            "virgin_price": np.where(output, np.nan, virgin),
        }
    )
    frame.attrs["file"] = "synthetic"
    return read_streams(frame)


def national_rules() -> pd.DataFrame:
    """The bundled rules with their distance limits lifted."""
    from ecocluster.symbiosis import read_rules

    rules = read_rules()
    return rules.assign(max_km=np.inf)


# --------------------------------------------------------------------- children
def _ecocluster(folder: Path, k: int) -> dict[str, Any]:
    start = time.perf_counter()
    from ecocluster.symbiosis import candidate_exchanges
    from ecocluster.symbiosis_match import (
        check_plan,
        plan_exchanges,
        solve_transport_problem,
        transport_problem,
    )

    streams = pd.read_pickle(folder / "streams.pkl")
    rules = pd.read_pickle(folder / "rules.pkl")
    loaded = time.perf_counter()
    candidates = candidate_exchanges(streams, rules, k=k)
    found = time.perf_counter()
    plan = plan_exchanges(streams, candidates, transport_cost_per_tkm=TRANSPORT_VND_PER_TKM)
    planned = time.perf_counter()
    problem = transport_problem(streams, candidates, transport_cost_per_tkm=TRANSPORT_VND_PER_TKM)
    built = time.perf_counter()
    flows, cost, status = solve_transport_problem(problem)
    solved = time.perf_counter()
    np.savez(
        folder / "problem.npz", supplies=problem.supplies, tails=problem.tails,
        heads=problem.heads, capacities=problem.capacities, costs=problem.costs,
    )  # fmt: skip
    problems = check_plan(plan, streams, rules)
    per_supplier = candidates.groupby("supplier").size()
    money = cost * 10.0**problem.money_power
    return {
        "load_s": loaded - start,
        "candidates_s": found - loaded,
        "plan_s": planned - found,
        "total_s": planned - loaded,
        "build_integer_problem_s": built - planned,
        "ortools_solve_s": solved - built,
        "peak_mb": _peak_rss_mb(),
        "candidates": len(candidates),
        "candidates_per_output": [int(per_supplier.min()), int(per_supplier.max())],
        "nodes": len(problem.supplies),
        "arcs": len(problem.tails),
        "exchange_arcs": problem.exchanges,
        "exchanges": len(plan.exchanges),
        "status": status,
        "optimal_cost_int": cost,
        "optimal_cost_money": money,
        "net_saving": plan.totals["net_saving"],
        "rounding_bound": plan.rounding_bound,
        "flow_power": problem.flow_power,
        "money_power": problem.money_power,
        "solver": plan.solver,
        "inputs_unmet": plan.totals["inputs_unmet"],
        "check_plan": problems,
        "flows_checksum": int(flows.sum()),
    }


def _networkx(folder: Path) -> dict[str, Any]:
    start = time.perf_counter()
    import networkx as nx

    data = np.load(folder / "problem.npz")
    graph = nx.DiGraph()
    graph.add_nodes_from(
        (int(node), {"demand": -int(supply)}) for node, supply in enumerate(data["supplies"])
    )
    graph.add_edges_from(
        (int(t), int(h), {"capacity": int(c), "weight": int(w)})
        for t, h, c, w in zip(
            data["tails"], data["heads"], data["capacities"], data["costs"], strict=True
        )
    )
    built = time.perf_counter()
    cost, _ = nx.network_simplex(graph)
    solved = time.perf_counter()
    return {
        "build_s": built - start,
        "network_simplex_s": solved - built,
        "peak_mb": _peak_rss_mb(),
        "optimal_cost_int": int(cost),
    }


def _run_child(kind: str, folder: Path, k: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, "--folder", str(folder), "--k", str(k)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--suppliers", type=int, default=10_000)
    parser.add_argument("--receivers", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--child", choices=("ecocluster", "networkx"))
    parser.add_argument("--folder", type=Path)
    arguments = parser.parse_args()
    if arguments.child:
        kind, folder = arguments.child, arguments.folder
        result = _ecocluster(folder, arguments.k) if kind == "ecocluster" else _networkx(folder)
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        streams = synthetic_streams(arguments.suppliers, arguments.receivers)
        drawn = time.perf_counter() - started
        streams.to_pickle(folder / "streams.pkl")
        national_rules().to_pickle(folder / "rules.pkl")
        ours = _run_child("ecocluster", folder, arguments.k)
        theirs = _run_child("networkx", folder, arguments.k)
    same = ours["optimal_cost_int"] == theirs["optimal_cost_int"]
    import networkx
    import ortools
    import scipy

    results = {
        "machine": {
            "platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "ortools": ortools.__version__,
            "networkx": networkx.__version__, "scipy": scipy.__version__,
            "numpy": np.__version__, "pandas": pd.__version__,
        },
        "instance": {
            "suppliers": arguments.suppliers, "receivers": arguments.receivers,
            "k": arguments.k, "drawn_s": drawn,
        },
        "ecocluster": ours,
        "networkx": theirs,
        "same_optimum": same,
        "speedup_solver": theirs["network_simplex_s"] / ours["ortools_solve_s"],
    }  # fmt: skip
    print(json.dumps(results, indent=2))
    if not same or ours["check_plan"]:
        raise SystemExit("the solvers disagree or the plan breaks an invariant")


if __name__ == "__main__":
    main()
