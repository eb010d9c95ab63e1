"""Benchmark: the innovation-network metrics on a synthetic national network.

Each measurement runs in a fresh subprocess, so wall time includes nothing of the driver
and peak memory (VmHWM) is that run's own. Building the network is not timed: the driver
draws it once and the children load it from a pickle.

What is timed, in the same run on the same machine:

* ecocluster: ``compute_node_metrics`` (degree and strength in/out/total, betweenness, and
  core–external brokerage, with the default `PIVOTS`), ``compute_network_summary`` and
  ``rank_outreach``, one after the other, lazy imports (SciPy, igraph) included; once with
  the default threads (the usable CPUs, at most `THREADS`) and once on one thread;
* networkx, the same graph quantities: a ``DiGraph`` built from the ties (parallel ties
  summed with pandas first, then ``add_weighted_edges_from``), its undirected view for
  paths, degree and strength with ``in_degree``/``out_degree``/``degree`` (weighted and not),
  betweenness with ``betweenness_centrality_subset(sources=[p], targets=all nodes)`` and
  brokerage with ``betweenness_centrality_subset(sources=[p], targets=the other side)`` for
  pivots ``p`` taken from the very sources ecocluster sampled (``attrs["pivots"]``).
  networkx's betweenness runs in pure Python at a few seconds per source on this graph,
  so it is timed on ``--nx-pivots`` of those sources, half from each side, and the
  per-source times are multiplied by the number of sources ecocluster used (which is
  what a networkx run with the same sources would cost; networkx's own
  ``betweenness_centrality(k=...)`` does the same work per source). networkx has no
  counterpart of the summary or the outreach ranking, so these are left out of its total.

Checks, printed with the timings (on the same few sources, on the full graph):

* degree and strength: ecocluster against networkx, exactly;
* per-source dependencies summed over those sources (betweenness over all targets;
  brokerage over the other side's targets): networkx against igraph, and ecocluster's own
  search (``_path_sums``) against networkx;
* ecocluster's distance-weighted (linear scaling) sums against a plain-Python
  accumulation over the same breadth-first searches on the networkx graph;

the run fails if any relative difference exceeds `TOLERANCE` (1e-9).

The synthetic network (`synthetic_network`, seed 1), shaped like the survey networks:

* 63 provinces, Zipf-weighted so that a few (the Red River delta) hold most clusters;
  1,000 clusters, each in a province and one of its districts; cluster sizes lognormal
  (at least 8 firms), the firms filling what the external actors leave of `--actors`;
* each cluster's own external actors (similar firms, buyers of unstated origin, domestic
  and foreign buyers by origin, suppliers, other-industry firms, trade association,
  consultants, training, government of unstated level, commune, community, media, bank),
  each present in a given share of the clusters; district governments shared by the
  clusters of a district; provincial actors (DoNRE, universities, banks, associations,
  training) shared by the clusters of a province; 1,521 national actors (ministries,
  universities, banks, media, associations, foreign and domestic buyers, suppliers,
  consultants, foreign partners, training), each cluster dealing with 3 + Poisson(10) of
  them drawn by Zipf popularity, so that a few national hubs join hundreds of clusters
  and the graph is one large component;
* ties: every firm draws Poisson(its activity) ties, activity lognormal; each tie comes
  from its cluster's actors (55 %), its district and province (12 %), the cluster's
  national partners (18 %) or another firm (15 %: of the same cluster, or 15 % of those
  of the same province), an actor drawn with a pull by role (buyers and suppliers pull
  more than consultants); the tie's kind follows the source's kind (banks give finance,
  communities community pressure, governments mostly regulation, buyers market pressure
  and knowledge, ...), directed external → firm or firm → firm; repeated (source, target,
  kind) draws are dropped and exactly `--ties` ties kept. Weights are 1, sometimes 2 or 3
  (answers aggregated); knowledge ties carry an initiator and an importance.

Usage::

    python benchmarks/bench_network.py [--actors 100000] [--ties 1000000] [--nx-pivots 4]
                                       [--accuracy SEEDS]

``--accuracy SEEDS`` also measures the spread of the estimates over SEEDS seeds (minutes),
for the default design and for the previous one (200 uniform sources with networkx's
n/k scaling for betweenness, another 200 core sources for brokerage, by igraph).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Kinds of tie each kind of source gives, with their relative frequency.
TIE_MIX: dict[str, dict[str, float]] = {
    "enterprise": {"knowledge": 0.6, "equipment_recommendation": 0.4},
    "similar_firm": {"knowledge": 0.7, "equipment_recommendation": 0.3},
    "buyer": {"market_pressure": 0.5, "knowledge": 0.5},
    "buyer_domestic": {"market_pressure": 0.4, "knowledge": 0.6},
    "buyer_foreign": {"market_pressure": 0.6, "knowledge": 0.4},
    "supplier": {"knowledge": 0.5, "equipment_recommendation": 0.5},
    "other_industry_firm": {"knowledge": 0.4, "equipment_recommendation": 0.6},
    "foreign_partner": {"knowledge": 0.7, "equipment_recommendation": 0.3},
    "trade_association": {"knowledge": 0.8, "equipment_recommendation": 0.2},
    "university": {"knowledge": 0.7, "equipment_recommendation": 0.3},
    "consultant": {"knowledge": 0.6, "equipment_recommendation": 0.4},
    "training": {"knowledge": 1.0},
    "government": {"regulation": 0.6, "knowledge": 0.4},
    "government_commune": {"regulation": 0.8, "knowledge": 0.2},
    "government_district": {"regulation": 0.7, "knowledge": 0.3},
    "government_province": {"regulation": 0.6, "knowledge": 0.3, "equipment_recommendation": 0.1},
    "government_national": {"regulation": 0.4, "knowledge": 0.5, "equipment_recommendation": 0.1},
    "media": {"knowledge": 1.0},
    "bank": {"finance": 1.0},
    "community": {"community_pressure": 1.0},
}
#: Each cluster's own actors: (role, kind, share of clusters that have one, pull on ties).
LOCAL_ROLES: tuple[tuple[str, str, float, float], ...] = (
    ("similar_firm", "similar_firm", 1.0, 3.0),
    ("buyer", "buyer", 0.9, 2.0),
    ("buyer_domestic", "buyer_domestic", 0.9, 2.5),
    ("buyer_japan", "buyer_foreign", 0.25, 1.5),
    ("buyer_europe", "buyer_foreign", 0.2, 1.5),
    ("buyer_usa", "buyer_foreign", 0.15, 1.0),
    ("buyer_other_asia", "buyer_foreign", 0.3, 1.0),
    ("supplier", "supplier", 1.0, 2.5),
    ("other_industry_firm", "other_industry_firm", 0.6, 1.0),
    ("trade_association", "trade_association", 0.5, 1.0),
    ("consultant", "consultant", 0.3, 0.5),
    ("training", "training", 0.3, 0.5),
    ("government", "government", 0.5, 1.0),
    ("government_commune", "government_commune", 1.0, 2.0),
    ("community", "community", 1.0, 1.5),
    ("media", "media", 0.4, 0.5),
    ("bank", "bank", 0.7, 1.0),
)
#: Each province's actors: (kind, share of provinces that have one, pull on ties).
PROVINCE_ROLES: tuple[tuple[str, float, float], ...] = (
    ("government_province", 1.0, 3.0),
    ("university", 0.6, 1.0),
    ("bank", 1.0, 1.0),
    ("trade_association", 0.7, 1.0),
    ("training", 0.5, 0.5),
)
#: National actors: (kind, how many).
NATIONAL: tuple[tuple[str, int], ...] = (
    ("government_national", 6),
    ("university", 60),
    ("bank", 20),
    ("media", 30),
    ("trade_association", 15),
    ("buyer_foreign", 400),
    ("buyer_domestic", 150),
    ("supplier", 300),
    ("other_industry_firm", 200),
    ("consultant", 150),
    ("foreign_partner", 150),
    ("training", 40),
)
#: Where a firm's ties come from.
SOURCE_MIX: dict[str, float] = {"local": 0.55, "region": 0.12, "national": 0.18, "firm": 0.15}
PROVINCES = 63
DISTRICT_PULL = 2.0
#: Largest relative difference the checks accept.
TOLERANCE = 1e-9


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------- the network
class _Actors:
    """Actor columns collected group by group; positions are node numbers."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []
        self.size = 0

    def add(self, ids: list[str], kind: str | np.ndarray, cluster: Any, labels: list[str]) -> Any:
        count = len(ids)
        self.parts.append(
            {
                "id": np.array(ids, dtype=object),
                "label": np.array(labels, dtype=object),
                "kind": np.broadcast_to(np.asarray(kind, dtype=object), (count,)),
                "cluster": np.broadcast_to(np.asarray(cluster, dtype=object), (count,)),
            }
        )
        self.size += count
        return np.arange(self.size - count, self.size)

    def frame(self) -> pd.DataFrame:
        columns = ("id", "label", "kind", "cluster")
        return pd.DataFrame({c: np.concatenate([p[c] for p in self.parts]) for c in columns})


class _Menu:
    """Candidate sources of each cluster's ties, drawn by weight in one vectorised step.

    Candidates are sorted by cluster; a candidate's key is its cluster plus the running
    share of its cluster's weight, so that ``searchsorted(keys, cluster + u)`` with u
    uniform in [0, 1) picks one of that cluster's candidates in proportion to its weight.
    """

    def __init__(self, cluster: np.ndarray, actor: np.ndarray, weight: np.ndarray) -> None:
        order = np.argsort(cluster, kind="stable")
        cluster, weight = cluster[order], weight[order]
        self.actor = actor[order].astype(np.int64)
        first = np.r_[True, cluster[1:] != cluster[:-1]]
        group = np.cumsum(first) - 1
        running = np.cumsum(weight)
        running -= (running - weight)[first][group]
        self.keys = cluster + running / np.bincount(group, weights=weight)[group]
        last = np.r_[cluster[1:] != cluster[:-1], True]
        self.keys[last] = cluster[last] + 1.0

    def draw(self, cluster: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        pick = np.searchsorted(self.keys, cluster + rng.random(len(cluster)), side="right")
        return np.asarray(self.actor[pick])


def synthetic_network(
    actors: int = 100_000, ties: int = 1_000_000, clusters: int = 1000, seed: int = 1
) -> Any:
    """A national innovation network (module doc), the same for the same arguments."""
    from ecocluster.network import TIE_COLUMNS, TIE_KINDS, Network, actor_kinds

    rng = np.random.default_rng(seed)
    kinds = actor_kinds()
    label = kinds["label"]
    weights = 1.0 / np.arange(1, PROVINCES + 1) ** 0.8
    province = np.sort(rng.choice(PROVINCES, size=clusters, p=weights / weights.sum()))
    district = np.unique(province * 8 + rng.integers(0, 4, clusters), return_inverse=True)[1]
    names = [f"c{c:04d}" for c in range(clusters)]
    table = _Actors()
    menus: dict[str, list[np.ndarray]] = {"local": [], "region": [], "national": []}

    def offer(menu: str, cluster: np.ndarray, actor: np.ndarray, pull: float) -> None:
        menus[menu].append(np.stack([cluster, actor, np.full(len(cluster), pull)]))

    for role, kind, share, pull in LOCAL_ROLES:
        has = np.flatnonzero(rng.random(clusters) < share)
        found = table.add(
            [f"{role}:{names[c]}" for c in has],
            kind,
            np.array(names, dtype=object)[has],
            [f"{label[kind]} ({names[c]})" for c in has],
        )
        offer("local", has, found, pull)
    count = int(district.max()) + 1
    found = table.add(
        [f"government_district:d{d:03d}" for d in range(count)],
        "government_district",
        "",
        [f"{label['government_district']} (district {d:03d})" for d in range(count)],
    )
    offer("region", np.arange(clusters), found[district], DISTRICT_PULL)
    for kind, share, pull in PROVINCE_ROLES:
        has = np.flatnonzero(rng.random(PROVINCES) < share)
        found = table.add(
            [f"{kind}:p{p:02d}" for p in has],
            kind,
            "",
            [f"{label[kind]} (province {p:02d})" for p in has],
        )
        where = np.full(PROVINCES, -1)
        where[has] = found
        mine = np.flatnonzero(where[province] >= 0)
        offer("region", mine, where[province[mine]], pull)
    national = table.add(
        [f"{kind}:national_{i:03d}" for kind, size in NATIONAL for i in range(size)],
        np.concatenate([np.full(size, kind, dtype=object) for kind, size in NATIONAL]),
        "",
        [f"{label[kind]} (national {i:03d})" for kind, size in NATIONAL for i in range(size)],
    )
    popularity = (1.0 / np.arange(1, len(national) + 1))[rng.permutation(len(national))]
    partners = 3 + rng.poisson(10, size=clusters)
    chosen = [
        rng.choice(national, size=k, replace=False, p=popularity / popularity.sum())
        for k in partners
    ]
    offer("national", np.repeat(np.arange(clusters), partners), np.concatenate(chosen), 1.0)
    # Firms fill the rest, by cluster.
    firms = actors - table.size
    size_weight = rng.lognormal(0.0, 0.9, clusters)
    sizes = 8 + np.floor(size_weight / size_weight.sum() * (firms - 8 * clusters)).astype(int)
    sizes[rng.choice(clusters, firms - int(sizes.sum()), replace=False)] += 1
    firm_cluster = np.repeat(np.arange(clusters), sizes)
    first_firm = np.r_[0, np.cumsum(sizes)[:-1]]
    serial = np.arange(firms) - first_firm[firm_cluster]
    firm_ids = [f"{names[c]}-{i:04d}" for c, i in zip(firm_cluster, serial, strict=True)]
    offset = table.size
    table.add(firm_ids, "enterprise", np.array(names, dtype=object)[firm_cluster], firm_ids)
    frame = table.frame()
    drawn = {name: _Menu(*np.concatenate(parts, axis=1)) for name, parts in menus.items()}
    province_of_firm = province[firm_cluster]
    province_span = np.zeros((PROVINCES, 2), dtype=np.int64)
    for p in np.unique(province_of_firm):
        members = np.flatnonzero(province_of_firm == p)
        province_span[p] = members[0], members[-1] + 1
    # The kind of each tie follows its source's kind.
    kind_names, kind_code = np.unique(frame["kind"].to_numpy(dtype=str), return_inverse=True)
    mix = np.array([[TIE_MIX[k].get(t, 0.0) for t in TIE_KINDS] for k in kind_names])
    mix = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
    activity = rng.lognormal(0.0, 0.7, firms)
    activity /= activity.mean()
    keys = np.empty(0, dtype=np.int64)
    rate = 1.15 * ties / firms
    for _ in range(30):
        if len(keys) >= ties:
            break
        target = np.repeat(np.arange(firms), rng.poisson(rate * activity))
        cluster = firm_cluster[target]
        where = rng.choice(len(SOURCE_MIX), size=len(target), p=list(SOURCE_MIX.values()))
        source = np.empty(len(target), dtype=np.int64)
        for j, name in enumerate(SOURCE_MIX):
            sel = np.flatnonzero(where == j)
            if name != "firm":
                source[sel] = drawn[name].draw(cluster[sel], rng)
                continue
            own = rng.random(len(sel)) < 0.85
            c = cluster[sel]
            span = province_span[province[c]]
            low = np.where(own, first_firm[c], span[:, 0])
            high = np.where(own, first_firm[c] + sizes[c], span[:, 1])
            source[sel] = offset + low + (rng.random(len(sel)) * (high - low)).astype(np.int64)
        target += offset
        drawn_kind = (rng.random(len(target))[:, None] > mix[kind_code[source]]).sum(axis=1)
        keep = source != target
        new = (source[keep] * actors + target[keep]) * len(TIE_KINDS) + drawn_kind[keep]
        keys = np.unique(np.concatenate([keys, new]))
        rate *= 0.2  # top up if repeated draws left too few
    else:
        raise ValueError(f"{actors:,} actors in {clusters:,} clusters cannot hold {ties:,} ties")
    keys = np.sort(rng.choice(keys, size=ties, replace=False))
    tie_kind = keys % len(TIE_KINDS)
    source, target = (keys // len(TIE_KINDS)) // actors, (keys // len(TIE_KINDS)) % actors
    # Actor attributes, then tie attributes.
    frame["zone"] = frame["kind"].map(kinds["zone"])
    place = frame["kind"].map(kinds["geography"]).to_numpy(dtype=object)
    unknown = place == "unknown"
    own = (frame["cluster"] != "").to_numpy()
    is_national = frame["id"].str.contains(":national_").to_numpy()
    place[unknown & own] = rng.choice(
        np.array(["village", "province", "vietnam", "unknown"], dtype=object),
        size=int((unknown & own).sum()),
        p=[0.3, 0.3, 0.2, 0.2],
    )
    place[unknown & ~own] = np.where(is_national[unknown & ~own], "vietnam", "province")
    frame["geography"] = place
    size = len(keys)
    knowledge = tie_kind == TIE_KINDS.index("knowledge")
    draw = rng.random(size)
    weight = (1 + (draw < 0.12) + (draw < 0.02)).astype(np.int64)
    initiators = np.array(["source", "target", "both", "unknown"], dtype=object)
    ids = frame["id"].to_numpy(dtype=object)
    tie_frame = pd.DataFrame(
        {
            "source": ids[source],
            "target": ids[target],
            "kind": np.array(TIE_KINDS, dtype=object)[tie_kind],
            "initiator": np.where(
                knowledge, rng.choice(initiators, size, p=[0.35, 0.35, 0.2, 0.1]), "unknown"
            ),
            "importance": np.where(knowledge, rng.integers(1, 11, size).astype(float), np.nan),
            "weight": weight,
            "geography": place[source],
            "year": np.nan,
            "basis": "synthetic",
        }
    )[list(TIE_COLUMNS)]
    mentions = np.bincount(source, weights=weight, minlength=actors)
    mentions += np.bincount(target, weights=weight, minlength=actors)
    frame["mentions"] = mentions.astype(np.int64)
    columns = ["id", "label", "kind", "zone", "geography", "cluster", "mentions"]
    return Network(frame[columns], tie_frame)


# --------------------------------------------------------------------- children
def _load(folder: Path, name: str) -> Any:
    with (folder / name).open("rb") as handle:
        return pickle.load(handle)


def _child_draw(folder: Path, actors: int, ties: int) -> dict[str, Any]:
    from ecocluster.network_metrics import _network_links, _Paths

    start = time.perf_counter()
    network = synthetic_network(actors, ties)
    seconds = time.perf_counter() - start
    with (folder / "network.pickle").open("wb") as handle:
        pickle.dump(network, handle, protocol=pickle.HIGHEST_PROTOCOL)
    _, links = _network_links(network)
    paths = _Paths(links, directed=False)
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    _, labels = connected_components(paths.matrix, directed=False)
    return {
        "draw_seconds": seconds,
        "actors": len(network.actors),
        "enterprises": int((network.actors["kind"] == "enterprise").sum()),
        "core_actors": int((network.actors["zone"] == "core").sum()),
        "ties": len(network.ties),
        "links": len(links.source),
        "undirected_links": int(len(paths.indices) // 2),
        "largest_component": int(np.bincount(labels).max()),
        "largest_degree": int(paths.degree.max()),
    }


def _child_ecocluster(folder: Path, threads: int | None) -> dict[str, Any]:
    network = _load(folder, "network.pickle")
    from ecocluster.network_metrics import (
        _threads,
        compute_network_summary,
        compute_node_metrics,
        rank_outreach,
    )

    steps: dict[str, float] = {}
    cpu = time.process_time()
    start = last = time.perf_counter()
    metrics = compute_node_metrics(network, threads=threads)
    steps["node metrics"], last = time.perf_counter() - last, time.perf_counter()
    summary = compute_network_summary(network)
    steps["summary"], last = time.perf_counter() - last, time.perf_counter()
    outreach = rank_outreach(network)
    steps["outreach"] = time.perf_counter() - last
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    columns = ["node", "in_degree", "out_degree", "degree"]
    columns += ["in_strength", "out_strength", "strength", "betweenness", "brokerage"]
    metrics[columns].to_pickle(folder / "metrics.pickle")
    (folder / "pivots.json").write_text(json.dumps(metrics.attrs["pivots"]))
    top = {
        name: [[str(n), float(v)] for n, v in metrics.nlargest(5, name)[["node", name]].values]
        for name in ("betweenness", "brokerage")
    }
    return {
        "threads": _threads(threads),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "steps": steps,
        "betweenness": metrics.attrs["betweenness"],
        "sources": len(metrics.attrs["pivots"]),
        "top": top,
        "firms_without_knowledge_source": summary["firms_without_knowledge_source"],
        "outreach_share": float(outreach["share"].iloc[-1]),
    }


def _linear_reference(graph: Any, source: Any, other: set[Any]) -> tuple[dict[Any, float], ...]:
    """Distance-weighted dependencies of `source` in plain Python on a networkx graph:
    breadth-first search, then Brandes' accumulation with each target t at depth d(t)
    counted d(v) / d(t) at v; over all targets and over the targets in `other`."""
    depth, sigma, order = {source: 0}, {source: 1.0}, [source]
    parents: dict[Any, list[Any]] = {source: []}
    for node in order:
        for neighbour in graph[node]:
            if neighbour not in depth:
                depth[neighbour], sigma[neighbour], parents[neighbour] = depth[node] + 1, 0.0, []
                order.append(neighbour)
            if depth[neighbour] == depth[node] + 1:
                sigma[neighbour] += sigma[node]
                parents[neighbour].append(node)
    total, across = dict.fromkeys(order, 0.0), dict.fromkeys(order, 0.0)
    for node in reversed(order):
        weight = 1.0 / depth[node] if depth[node] else 0.0
        inside = weight if node in other else 0.0
        for parent in parents[node]:
            total[parent] += sigma[parent] / sigma[node] * (weight + total[node])
            across[parent] += sigma[parent] / sigma[node] * (inside + across[node])
    for values in (total, across):
        for node in values:
            values[node] = 0.0 if node == source else values[node] * depth[node]
    return total, across


def _relative(ours: np.ndarray, reference: np.ndarray) -> float:
    """Largest relative difference where the reference is not zero (inf if a zero is not)."""
    zero = reference == 0
    if np.any(ours[zero] != 0):
        return float("inf")
    if zero.all():
        return 0.0
    return float(np.max(np.abs(ours[~zero] - reference[~zero]) / np.abs(reference[~zero])))


def _child_networkx(folder: Path, nx_pivots: int) -> dict[str, Any]:
    network = _load(folder, "network.pickle")
    metrics = pd.read_pickle(folder / "metrics.pickle")
    pivots = json.loads((folder / "pivots.json").read_text())
    import igraph as ig
    import networkx as nx

    from ecocluster.network_metrics import _network_links, _path_sums, _Paths

    times: dict[str, float] = {}
    start = time.perf_counter()
    ties = network.ties
    pairs = ties.groupby(["source", "target"], sort=False)["weight"].sum().reset_index()
    graph = nx.DiGraph()
    graph.add_nodes_from(network.actors["id"])
    graph.add_weighted_edges_from(pairs.itertuples(index=False, name=None))
    times["build DiGraph"], last = time.perf_counter() - start, time.perf_counter()
    degrees = {
        "in_degree": dict(graph.in_degree()),
        "out_degree": dict(graph.out_degree()),
        "degree": dict(graph.degree()),
        "in_strength": dict(graph.in_degree(weight="weight")),
        "out_strength": dict(graph.out_degree(weight="weight")),
        "strength": dict(graph.degree(weight="weight")),
    }
    times["degree and strength"], last = time.perf_counter() - last, time.perf_counter()
    undirected = graph.to_undirected()
    times["undirected view"] = time.perf_counter() - last
    ids = list(network.actors["id"])
    zone = dict(zip(ids, network.actors["zone"], strict=True))
    core = {a for a in ids if zone[a] == "core"}
    external = set(ids) - core
    per_side = max(1, nx_pivots // 2)
    chosen = [p for p in pivots if p in external][:per_side]
    chosen += [p for p in pivots if p in core][:per_side]
    betweenness: dict[str, dict[Any, float]] = {}
    brokerage: dict[str, dict[Any, float]] = {}
    spent = {"betweenness": 0.0, "brokerage": 0.0}
    for pivot in chosen:
        other = core if pivot in external else external
        last = time.perf_counter()
        betweenness[pivot] = nx.betweenness_centrality_subset(
            undirected, [pivot], ids, normalized=False
        )
        spent["betweenness"] += time.perf_counter() - last
        last = time.perf_counter()
        brokerage[pivot] = nx.betweenness_centrality_subset(
            undirected, [pivot], list(other), normalized=False
        )
        spent["brokerage"] += time.perf_counter() - last
    per_source = {name: value / len(chosen) for name, value in spent.items()}
    sources = len(pivots)
    fixed = times["build DiGraph"] + times["degree and strength"] + times["undirected view"]
    estimated = fixed + sources * (per_source["betweenness"] + per_source["brokerage"])

    # Checks, not timed.
    table = metrics.set_index("node")
    degree_equal = all(
        table[name].to_dict() == {str(k): v for k, v in values.items()}
        for name, values in degrees.items()
    )
    position = {a: i for i, a in enumerate(ids)}
    edges = [(position[a], position[b]) for a, b in undirected.edges()]
    igraph_graph = ig.Graph(n=len(ids), edges=edges, directed=False)
    _, links = _network_links(network)
    paths = _Paths(links, directed=False)
    sides = network.actors["zone"].to_numpy() == "core"
    worst = {"igraph_vs_networkx": 0.0, "ecocluster_vs_networkx": 0.0, "linear_vs_python": 0.0}
    for pivot in chosen:
        other = core if pivot in external else external
        for name, reference_values, targets in (
            ("betweenness", betweenness[pivot], None),
            ("brokerage", brokerage[pivot], other),
        ):
            reference = np.array([reference_values[a] for a in ids])
            target_ids = (
                list(range(len(ids))) if targets is None else [position[a] for a in targets]
            )
            found = igraph_graph.betweenness(
                directed=False, sources=[position[pivot]], targets=target_ids
            )
            worst["igraph_vs_networkx"] = max(
                worst["igraph_vs_networkx"], _relative(np.asarray(found), reference)
            )
            total, across = _path_sums(paths, [position[pivot]], sides=sides)
            ours = 0.5 * (total if name == "betweenness" else across)
            worst["ecocluster_vs_networkx"] = max(
                worst["ecocluster_vs_networkx"], _relative(ours, reference)
            )
        total, across = _path_sums(paths, [position[pivot]], linear=True, sides=sides)
        python_total, python_across = _linear_reference(undirected, pivot, other)
        for ours, plain in ((total, python_total), (across, python_across)):
            reference = np.array([plain.get(a, 0.0) for a in ids])
            worst["linear_vs_python"] = max(worst["linear_vs_python"], _relative(ours, reference))
    return {
        "steps": times,
        "sources_timed": chosen,
        "seconds_per_source": per_source,
        "sources": sources,
        "estimated_seconds": estimated,
        "degree_and_strength_equal": degree_equal,
        "max_relative_difference": worst,
    }


def _child_accuracy(folder: Path, seeds: int) -> dict[str, Any]:
    """Spread of the estimates over seeds: the default design and the previous one."""
    network = _load(folder, "network.pickle")
    import igraph as ig

    from ecocluster.network_metrics import _network_links, _Paths, compute_node_metrics

    _, links = _network_links(network)
    paths = _Paths(links, directed=False)
    n = paths.n
    keep = paths.rows < paths.indices
    graph = ig.Graph(n=n, edges=np.column_stack([paths.rows[keep], paths.indices[keep]]).tolist())
    core = np.flatnonzero(network.actors["zone"].to_numpy() == "core")
    outside = np.flatnonzero(network.actors["zone"].to_numpy() != "core")
    runs: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"default": [], "previous": []}
    seconds = {"default": 0.0, "previous": 0.0}
    for seed in range(seeds):
        start = time.perf_counter()
        table = compute_node_metrics(network, seed=seed)
        seconds["default"] += time.perf_counter() - start
        runs["default"].append((table["betweenness"].to_numpy(), table["brokerage"].to_numpy()))
        start = time.perf_counter()
        # As the previous code drew them: one generator per call, seeded alike.
        chosen = np.sort(np.random.default_rng(seed).choice(n, size=200, replace=False))
        between = graph.betweenness(directed=False, sources=chosen.tolist())
        chosen = np.sort(np.random.default_rng(seed).choice(core, size=200, replace=False))
        broker = graph.betweenness(
            directed=False, sources=chosen.tolist(), targets=outside.tolist()
        )
        runs["previous"].append(
            (n / 200 * np.asarray(between), 2.0 * len(core) / 200 * np.asarray(broker))
        )
        seconds["previous"] += time.perf_counter() - start
    result: dict[str, Any] = {"seeds": seeds, "ids": list(map(str, network.actors["id"]))}
    consensus = {
        name: np.mean([np.mean([run[i] for run in runs[d]], axis=0) for d in runs], axis=0)
        for i, name in enumerate(("betweenness", "brokerage"))
    }
    for design, values in runs.items():
        result[design] = {"seconds_per_seed": seconds[design] / seeds}
        for i, name in enumerate(("betweenness", "brokerage")):
            stack = np.array([run[i] for run in values])
            for top in (10, 50):
                best = np.argsort(-consensus[name])[:top]
                rse = stack[:, best].std(axis=0, ddof=1) / consensus[name][best]
                result[design][f"{name}_top{top}_rse"] = {
                    "median": float(np.median(rse)),
                    "max": float(rse.max()),
                }
            best = np.argsort(-consensus[name])[:10]
            result[design][f"{name}_top10_mean_over_consensus"] = [
                round(float(v), 3) for v in stack[:, best].mean(axis=0) / consensus[name][best]
            ]
    return result


# --------------------------------------------------------------------- driver
def _run(args: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _child(argv: list[str]) -> None:
    kind, folder = argv[0], Path(argv[1])
    if kind == "draw":
        result = _child_draw(folder, int(argv[2]), int(argv[3]))
    elif kind == "ecocluster":
        result = _child_ecocluster(folder, int(argv[2]) if len(argv) > 2 else None)
    elif kind == "networkx":
        result = _child_networkx(folder, int(argv[2]))
    else:
        result = _child_accuracy(folder, int(argv[2]))
    result["peak_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _print_table(results: dict[str, Any]) -> None:
    net, eco, nx_ = results["network"], results["ecocluster"], results["networkx"]
    print(f"machine: {results['machine']}")
    print(
        f"network: {net['actors']:,} actors ({net['enterprises']:,} enterprises), "
        f"{net['ties']:,} ties, {net['undirected_links']:,} undirected links, largest "
        f"component {net['largest_component']:,} actors, largest degree {net['largest_degree']:,}"
    )
    one = results["ecocluster_one_thread"]
    rows = [
        (f"ecocluster, all metrics ({eco['threads']} threads)", eco["seconds"], eco["peak_mb"]),
        *[(f"  {name}", value, None) for name, value in eco["steps"].items()],
        ("ecocluster, all metrics (1 thread)", one["seconds"], one["peak_mb"]),
        *[(f"  {name}", value, None) for name, value in one["steps"].items()],
        (
            f"networkx, same graph quantities, {nx_['sources']} sources (estimated)",
            nx_["estimated_seconds"],
            nx_["peak_mb"],
        ),
        *[(f"  {name}", value, None) for name, value in nx_["steps"].items()],
    ]
    rows += [
        (f"  {name} per source (mean of {len(nx_['sources_timed'])})", value, None)
        for name, value in nx_["seconds_per_source"].items()
    ]
    print(f"{'run':<70} {'wall s':>9} {'peak MB':>9}")
    for name, seconds, peak in rows:
        print(f"{name:<70} {seconds:>9.2f} {'' if peak is None else f'{peak:,.0f}':>9}")
    print(
        f"ecocluster CPU time: {eco['cpu_seconds']:.2f} s ({one['cpu_seconds']:.2f} s on one "
        f"thread); betweenness {eco['betweenness']}"
    )
    print(f"speed-up over networkx: {nx_['estimated_seconds'] / eco['seconds']:.0f}x")
    print(
        f"checks: degree and strength equal networkx's: {nx_['degree_and_strength_equal']}; "
        "largest relative differences on the same sources: "
        + ", ".join(f"{k} {v:.1e}" for k, v in nx_["max_relative_difference"].items())
    )
    if "accuracy" in results:
        accuracy = results["accuracy"]
        print(f"relative standard error over {accuracy['seeds']} seeds (median / max):")
        for design in ("default", "previous"):
            figures = accuracy[design]
            line = ", ".join(
                f"{key.removesuffix('_rse')} {value['median']:.3f} / {value['max']:.3f}"
                for key, value in figures.items()
                if key.endswith("_rse")
            )
            print(f"  {design} ({figures['seconds_per_seed']:.1f} s per seed): {line}")


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=1_000_000)
    parser.add_argument("--nx-pivots", type=int, default=4, help="Sources networkx is timed on.")
    parser.add_argument("--accuracy", type=int, default=0, help="Seeds for the spread study.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ecocluster-bench-network-"))
    try:
        results: dict[str, Any] = {
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}",
            "network": _run(["draw", str(folder), str(args.actors), str(args.ties)]),
            "ecocluster": _run(["ecocluster", str(folder)]),
            "ecocluster_one_thread": _run(["ecocluster", str(folder), "1"]),
        }
        results["networkx"] = _run(["networkx", str(folder), str(args.nx_pivots)])
        if args.accuracy:
            results["accuracy"] = _run(["accuracy", str(folder), str(args.accuracy)])
            results["accuracy"].pop("ids")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _print_table(results)
    print(json.dumps(results, indent=2))
    checks = results["networkx"]
    worst = max(checks["max_relative_difference"].values())
    if not checks["degree_and_strength_equal"] or worst > TOLERANCE:
        raise SystemExit(f"checks failed: largest relative difference {worst:.1e}")


if __name__ == "__main__":
    main()
