"""Metrics of innovation networks and of any edge list, and the CSV reader of tie lists.

Degree and strength are counts over the collapsed links. Betweenness and brokerage are
Brandes' shortest-path counts: exact up to `EXACT_LIMIT` nodes, by igraph's C core; above,
estimated from sampled source nodes, each searched once (SciPy's breadth-first search,
then NumPy passes over the shortest-path DAG, level by level) for betweenness and
brokerage together. On small graphs the results equal networkx's, which the tests check;
on the 100,000-actor benchmark network (``benchmarks/bench_network.py``) the sums over the
same sources equal networkx's and igraph's to 1e-14.

The small-table reader (`read_edge_list`, and behind `ecocluster.network.read_ties`) keeps
the spreadsheet row of every record, so that every error names file, row, column and rule,
and all problems of a file are reported in one error.

Conventions, chosen so that the numbers mean the same on any network:

* **Parallel ties collapse.** Ties between the same two actors (of several kinds, or
  repeated rows of an edge list) become one link whose weight is the sum of their weights
  (their number when the edge list has no weight column). Degree counts distinct
  neighbours; strength sums weights.
* **Betweenness counts hops.** A weight is the strength of a tie, not a distance, so
  shortest paths ignore it. Values are raw (not normalised): the number of shortest paths
  through a node, each pair of nodes counted once (ordered pairs on a directed edge list).
  Up to `EXACT_LIMIT` nodes, or when `pivots` reaches the number of nodes, the value is
  exact; above, it is estimated as the next point says. ``attrs["betweenness"]`` says
  which ran and ``attrs["pivots"]`` lists the sampled sources (empty when exact).
* **Estimates are unbiased** and reproducible from `seed`. On a directed edge list: the
  dependencies of `pivots` sources drawn uniformly, scaled by nodes / pivots (the k-sample
  estimator of networkx's ``betweenness_centrality(k=...)``; networkx 3.5 and later scale
  the sampled nodes themselves a little differently). On undirected paths (every survey
  network; undirected edge lists), a source's dependency counts a target t at depth d(t)
  as d(v) / d(t) at node v (linear scaling, Geisberger, Sanders and Schultes 2008): the
  two ends of a pair share it by distance, so the sum over all sources is the exact
  betweenness and the scaled sum over sampled sources is unbiased, with less spread for
  hubs, whose plain dependencies are huge from the few sources next to them. For a
  Network, sources are drawn in two strata, the core and the external actors, in
  proportion to the square root of each side's size (at least one each; all of a side
  smaller than its share): every search counts for betweenness (all targets) and for
  brokerage (the targets on the other side), and each stratum is scaled by its size over
  its sources.
* **`PIVOTS` = 200 sources** on the benchmark's national network of 100,000 actors and
  1,000,000 ties: relative standard error over 20 seeds, for the ten highest values,
  0.10 for betweenness and 0.11 for brokerage (medians; worst 0.13 and 0.16), against
  0.15 and 0.16 (worst 0.20 and 0.27) for the previous design, which used 200 uniform
  sources with n/k scaling for betweenness and 200 more core sources for brokerage,
  twice the searches. All metrics take about 8 s there on two cores, 10 s on one
  (``docs/performance.md``). The error falls as 1 / sqrt(pivots), the time grows with it.
* **Searches share the CPUs.** Sampled sources are searched on `threads` threads (by
  default the usable CPUs, at most `THREADS`): NumPy releases the GIL for much of a
  search (SciPy's breadth-first search does not), about 1.3 times faster on two cores.
  The result is the same, to the last bit, for any number of threads (`_path_sums`).
* **A survey network is read undirected for paths.** Every tie of a survey network ends at
  a firm, so directed paths are one tie long and directed betweenness would be zero
  everywhere; who bridges the cluster and its environment shows on the undirected view.
  Degree and strength keep the direction (in: ties received, out: ties sent).
* **Brokerage** is the number of shortest paths between a core actor (an enterprise or the
  cluster's similar firms) and an external actor that pass through the node, each
  core–external pair counted once and shared among its shortest paths (betweenness
  restricted to core–external pairs). High brokerage marks the gatekeepers through which
  outside knowledge reaches the cluster.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.problems import Problem as _Problem
from ecocluster.problems import read_table as _read_table
from ecocluster.problems import refuse as _refuse

if TYPE_CHECKING:
    from ecocluster.network import Network

__all__ = [
    "EXACT_LIMIT",
    "PIVOTS",
    "THREADS",
    "compute_network_summary",
    "compute_node_metrics",
    "metrics_from_edges",
    "rank_outreach",
    "read_edge_list",
]

#: Largest graph (nodes) whose betweenness is computed exactly.
EXACT_LIMIT: Final = 5000
#: Source nodes sampled to estimate betweenness and brokerage above `EXACT_LIMIT` (module
#: doc: what this buys in accuracy and time on a national network).
PIVOTS: Final = 200
#: Most threads used by default for the searches of sampled sources.
THREADS: Final = 4
#: Sources searched per unit of work (see `_path_sums`).
_CHUNK: Final = 8
#: Problems listed in one error; the rest are counted.
SHOWN_PROBLEMS: Final = 20


# --------------------------------------------------------------------- edge lists
def read_edge_list(
    path: str | Path, source: str = "source", target: str = "target", weight: str | None = None
) -> pd.DataFrame:
    """An edge list from a CSV, every column kept as text (a weight column as numbers).

    Errors name the file, the row (header = row 1), the column and the rule; every bad row
    is reported in one error. The index is the spreadsheet row, so that `metrics_from_edges`
    can name the row of a bad weight too.
    """
    required = [source, target, *([weight] if weight else [])]
    edges = _read_table(path, required, (), keep_all=True)
    file = str(path)
    problems: list[_Problem] = []
    for column in (source, target):
        for row in edges.index[edges[column] == ""]:
            message = f"the edge has no {column}"
            problems.append(_Problem(file, int(row), column, "empty-endpoint", message))
    if weight:
        numbers, bad = _parse_weights(edges, weight)
        problems += bad
        edges[weight] = numbers
    if problems:
        raise _refuse(sorted(problems, key=lambda p: p.row or 0), "the edge list was")
    return edges


def _parse_weights(edges: pd.DataFrame, weight: str) -> tuple[pd.Series, list[_Problem]]:
    """The weight column as numbers, and a problem for each value that is not finite."""
    values = edges[weight]
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype(float)
    else:
        text = values.astype(str).str.strip().str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(text, errors="coerce").astype(float)
    file = str(edges.attrs.get("file", "edges"))
    rows = list(edges.index) if "file" in edges.attrs else list(range(2, len(edges) + 2))
    problems = [
        _Problem(file, int(rows[i]), weight, "weight", f"weight {values.iloc[i]!r} is not a number")
        for i in np.flatnonzero(~np.isfinite(numbers.to_numpy()))
    ]
    return numbers, problems


def _weights(edges: pd.DataFrame, weight: str) -> pd.Series:
    numbers, problems = _parse_weights(edges, weight)
    if problems:
        raise _refuse(problems, "the edge list was")
    return numbers


def _check_columns(edges: pd.DataFrame, columns: Sequence[str]) -> None:
    for column in columns:
        if column not in edges.columns:
            raise InputError(
                f"the edge list has no {column!r} column (columns: {', '.join(map(str, edges))})",
                file=edges.attrs.get("file"),
                row=1,
                column=column,
                rule="missing-column",
            )


# --------------------------------------------------------------------- graphs
def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys: a sort, where NumPy's hash-based `unique` is several times
    slower on millions of keys."""
    ranked = np.sort(keys)
    keep = np.empty(len(ranked), dtype=bool)
    keep[:1] = True
    np.not_equal(ranked[1:], ranked[:-1], out=keep[1:])
    return ranked[keep]


@dataclass(frozen=True)
class _Links:
    """The links of a graph on nodes 0 … n − 1, parallel ties collapsed (module doc).

    Undirected links are stored with the smaller node first.
    """

    n: int
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    directed: bool

    @classmethod
    def collapse(
        cls, source: np.ndarray, target: np.ndarray, weight: np.ndarray, n: int, directed: bool
    ) -> _Links:
        a = np.asarray(source, dtype=np.int64)
        b = np.asarray(target, dtype=np.int64)
        if not directed:
            a, b = np.minimum(a, b), np.maximum(a, b)
        pairs = a * n + b
        keys = _distinct(pairs)
        summed = np.bincount(np.searchsorted(keys, pairs), weights=weight, minlength=len(keys))
        return cls(n, keys // max(n, 1), keys % max(n, 1), summed, directed)

    def degree_columns(self) -> dict[str, np.ndarray]:
        """Degree (distinct neighbours) and strength (summed weights), by direction."""

        def count(nodes: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
            return np.bincount(nodes, weights=weight, minlength=self.n)

        if not self.directed:
            return {
                "degree": (count(self.source) + count(self.target)).astype(np.int64),
                "strength": count(self.source, self.weight) + count(self.target, self.weight),
            }
        into, out = count(self.target).astype(np.int64), count(self.source).astype(np.int64)
        weight_in = count(self.target, self.weight)
        weight_out = count(self.source, self.weight)
        return {
            "in_degree": into,
            "out_degree": out,
            "degree": into + out,
            "in_strength": weight_in,
            "out_strength": weight_out,
            "strength": weight_in + weight_out,
        }


class _Paths:
    """The graph that shortest paths run on, as adjacency arrays (CSR) for breadth-first search.

    Built once and shared by every source, so that the ties are converted once per call.
    Loops are dropped: no shortest path uses them.
    """

    def __init__(self, links: _Links, directed: bool) -> None:
        n = links.n
        a, b = links.source, links.target
        if not directed:
            a, b = np.concatenate([a, b]), np.concatenate([b, a])
        keep = a != b
        keys = _distinct(a[keep] * n + b[keep])
        rows = keys // max(n, 1)
        self.n = n
        self.directed = directed
        self.degree = np.bincount(rows, minlength=n)
        # Native integers: NumPy converts any other index array on every gather.
        self.rows = rows.astype(np.intp)
        self.indices = (keys % max(n, 1)).astype(np.intp)

    @cached_property
    def matrix(self) -> Any:
        """The adjacency as a SciPy CSR matrix, built on first use (exact runs need none)."""
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

        indptr = np.concatenate([[0], np.cumsum(self.degree)]).astype(np.int32)
        # int32 indices and float64 data are what SciPy's search wants: no copy per search.
        data = np.ones(len(self.indices))
        indices = self.indices.astype(np.int32)
        return csr_matrix((data, indices, indptr), shape=(self.n, self.n))


#: Depth of the nodes a search does not reach: no adjacency entry leads one level deeper.
_UNREACHED: Final = -2


def _depths(order: np.ndarray, predecessors: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Hops from a search's source (the first node of its `order`) to every node, and the
    number of levels; nodes the search does not reach are at depth `_UNREACHED`."""
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(len(order))
    parent = position[predecessors[order[1:]]]
    if np.all(parent[1:] >= parent[:-1]):
        # First in, first out: each level ends where the parents of the next one start.
        bounds = [0, 1]
        while bounds[-1] < len(order):
            bounds.append(1 + int(np.searchsorted(parent, bounds[-1])))
        hops = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    else:  # any other breadth-first order: pointer jumping
        up = np.concatenate([[0], parent])
        hops = np.ones(len(order), dtype=np.int64)
        hops[0] = 0
        while up.any():
            hops, up = hops + hops[up], up[up]
    levels = int(hops[-1]) + 1
    # Small depths keep the per-entry passes below short in memory.
    depth = np.full(n, _UNREACHED, dtype=np.int8 if levels < 100 else np.int64)
    depth[order] = hops
    return depth, levels


def _dependencies(
    paths: _Paths, matrix: Any, source: int, *, linear: bool, side: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Brandes' dependencies of `source` on every node: over all targets, and over the
    targets marked 1.0 in `side`.

    One breadth-first search (on `matrix`, the paths' adjacency) serves both. With
    `linear`, a target t at depth d(t) counts d(v) / d(t) at node v (Geisberger, Sanders
    and Schultes's linear scaling).
    """
    from scipy.sparse.csgraph import breadth_first_order  # type: ignore[import-untyped]

    n = paths.n
    order, predecessors = breadth_first_order(
        matrix, source, directed=True, return_predecessors=True
    )
    depth, levels = _depths(order, predecessors, n)
    # The shortest-path DAG: adjacency entries that go one level deeper, grouped by level.
    upper = np.repeat(depth, paths.degree)
    entries = np.flatnonzero(depth[paths.indices] == upper + 1)
    level = upper[entries]
    del upper
    entries = entries[np.argsort(level, kind="stable")]
    cuts = np.concatenate([[0], np.cumsum(np.bincount(level, minlength=levels))])
    tail, head = paths.rows[entries], paths.indices[entries]
    # Forward: the number of shortest paths from the source to each node (sigma).
    sigma = np.zeros(n)
    sigma[source] = 1.0
    for step in range(levels - 1):
        lo, hi = cuts[step], cuts[step + 1]
        sigma += np.bincount(head[lo:hi], weights=sigma[tail[lo:hi]], minlength=n)
    # Backward, deepest level first: a node passes on what its successors carry, each
    # successor's share in proportion to the shortest paths through the node.
    ratio = sigma[tail] / sigma[head]
    total = np.zeros(n)
    across = None if side is None else np.zeros(n)
    for step in range(levels - 2, -1, -1):
        lo, hi = cuts[step], cuts[step + 1]
        u, w, share = tail[lo:hi], head[lo:hi], ratio[lo:hi]
        weight = 1.0 / (step + 1) if linear else 1.0
        total += np.bincount(u, weights=(weight + total[w]) * share, minlength=n)
        if across is not None and side is not None:
            pushed = (weight * side[w] + across[w]) * share
            across += np.bincount(u, weights=pushed, minlength=n)
    for values in (total, across):
        if values is not None:
            if linear:
                values *= np.maximum(depth, 0)
            values[source] = 0.0
    return total, across


def _path_sums(
    paths: _Paths,
    sources: Sequence[int] | np.ndarray,
    *,
    linear: bool = False,
    sides: np.ndarray | None = None,
    threads: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Dependencies summed over `sources`: over all targets, and over the targets on the
    other side of the boolean `sides` from each source (zeros without `sides`).

    Sources are taken in chunks of `_CHUNK`, on `threads` threads (NumPy releases the GIL
    in most of a search); the chunks' sums are added in order, so the result does not
    depend on the number of threads.
    """
    listed = np.asarray(sources, dtype=np.intp)
    inside = None if sides is None else sides.astype(float)
    outside = None if inside is None else 1.0 - inside
    matrix = paths.matrix  # built here, before the threads share it

    def chunk(start: int) -> tuple[np.ndarray, np.ndarray]:
        total, across = np.zeros(paths.n), np.zeros(paths.n)
        for source in listed[start : start + _CHUNK]:
            other = None if inside is None else (outside if inside[source] else inside)
            values, crossing = _dependencies(paths, matrix, int(source), linear=linear, side=other)
            total += values
            if crossing is not None:
                across += crossing
        return total, across

    starts = range(0, len(listed), _CHUNK)
    if threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=min(threads, len(starts))) as pool:
            parts = list(pool.map(chunk, starts))
    else:
        parts = [chunk(start) for start in starts]
    total, across = np.zeros(paths.n), np.zeros(paths.n)
    for values, crossing in parts:
        total += values
        across += crossing
    return total, across


def _threads(threads: int | None) -> int:
    """Threads for the searches: as asked, else the usable CPUs up to `THREADS`."""
    if threads is not None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        return threads
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(THREADS, usable or 1))


@dataclass(frozen=True)
class _Estimate:
    betweenness: np.ndarray
    brokerage: np.ndarray
    method: str
    sources: np.ndarray


def _allocate(pivots: int, smaller: int, larger: int) -> tuple[int, int]:
    """Sources per side, the smaller side first: in proportion to the square root of the
    side's size (between the proportional share that suits betweenness and the equal
    share that suits brokerage), at least one each, never more than the side has."""
    root = math.sqrt(smaller) / (math.sqrt(smaller) + math.sqrt(larger))
    first = min(smaller, max(1, round(pivots * root)))
    second = min(larger, max(1, pivots - first))
    return min(smaller, max(first, pivots - second)), second


def _exact(paths: _Paths, sides: np.ndarray | None) -> _Estimate:
    """Brandes' exact betweenness, and brokerage from every actor of the smaller side, by
    igraph, whose C core is the fastest way when every node is a source."""
    import igraph as ig

    keep = slice(None) if paths.directed else paths.rows < paths.indices
    edges = np.column_stack([paths.rows[keep], paths.indices[keep]]).tolist()
    graph = ig.Graph(n=paths.n, edges=edges, directed=paths.directed)
    betweenness = np.asarray(graph.betweenness(directed=paths.directed), dtype=float)
    brokerage = np.zeros(paths.n)
    if sides is not None and sides.any() and not sides.all():
        smaller, larger = sorted([np.flatnonzero(sides), np.flatnonzero(~sides)], key=len)
        # igraph halves undirected pair counts; brokerage counts each pair once.
        values = graph.betweenness(
            directed=False, sources=smaller.tolist(), targets=larger.tolist()
        )
        brokerage = 2.0 * np.asarray(values, dtype=float)
    return _Estimate(betweenness, brokerage, "exact", np.arange(0))


def _estimate(
    paths: _Paths,
    sides: np.ndarray | None,
    *,
    pivots: int,
    seed: int,
    exact_limit: int,
    threads: int | None,
) -> _Estimate:
    """Betweenness (and brokerage across the boolean `sides`), exact or from sampled
    sources (module doc)."""
    n = paths.n
    if pivots < 1:
        raise ValueError(f"pivots must be at least 1, not {pivots}")
    if n <= exact_limit or n <= pivots:
        return _exact(paths, sides)
    rng = np.random.default_rng(seed)
    workers = _threads(threads)
    method = f"estimated from {{}} sampled sources (seed {seed})"
    if paths.directed or sides is None or sides.all() or not sides.any():
        chosen = np.sort(rng.choice(n, size=pivots, replace=False))
        linear = not paths.directed
        total, _ = _path_sums(paths, chosen, linear=linear, threads=workers)
        method = method.format(pivots) + (", distance-weighted" if linear else "")
        return _Estimate(n / pivots * total, np.zeros(n), method, chosen)
    # Two strata, the two sides: every search counts for betweenness and for brokerage.
    groups = [(np.flatnonzero(~sides), "external"), (np.flatnonzero(sides), "core")]
    groups.sort(key=lambda group: len(group[0]))
    counts = _allocate(pivots, len(groups[0][0]), len(groups[1][0]))
    betweenness, brokerage = np.zeros(n), np.zeros(n)
    picked = []
    for (members, _), count in zip(groups, counts, strict=True):
        chosen = np.sort(rng.choice(members, size=count, replace=False))
        total, across = _path_sums(paths, chosen, linear=True, sides=sides, threads=workers)
        betweenness += len(members) / count * total
        brokerage += len(members) / count * across
        picked.append(chosen)
    strata = [
        f"{count} of the {len(members):,} {name}"
        for (members, name), count in zip(groups, counts, strict=True)
    ]
    method = method.format(sum(counts)) + f": {' and '.join(strata)} actors, distance-weighted"
    return _Estimate(betweenness, brokerage, method, np.concatenate(picked))


def _table(nodes: Sequence[str], links: _Links, estimate: _Estimate) -> pd.DataFrame:
    table = pd.DataFrame({"node": list(nodes), **links.degree_columns()})
    table["betweenness"] = estimate.betweenness
    table.attrs["betweenness"] = estimate.method
    table.attrs["pivots"] = [nodes[i] for i in estimate.sources]
    return table


def metrics_from_edges(
    edges: pd.DataFrame,
    source: str = "source",
    target: str = "target",
    weight: str | None = None,
    directed: bool = True,
    *,
    pivots: int = PIVOTS,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
    threads: int | None = None,
) -> pd.DataFrame:
    """Degree, strength and betweenness of every node of an edge list (module doc).

    Directed: in/out/total degree and strength and directed betweenness; undirected:
    degree, strength and betweenness. Nodes in order of first appearance.

    Above `exact_limit` nodes betweenness is estimated from `pivots` sources drawn with
    `seed` (module doc: the estimator, its accuracy and its time), searched on `threads`
    threads (default: the usable CPUs, at most `THREADS`). ``attrs["betweenness"]`` says
    how betweenness was computed and ``attrs["pivots"]`` lists the sampled sources (empty
    when exact).
    """
    _check_columns(edges, [source, target, *([weight] if weight else [])])
    weights = _weights(edges, weight).to_numpy(dtype=float) if weight else np.ones(len(edges))
    ends = pd.concat([edges[source].astype(str), edges[target].astype(str)], ignore_index=True)
    codes, uniques = pd.factorize(ends)
    size = len(edges)
    links = _Links.collapse(codes[:size], codes[size:], weights, len(uniques), directed)
    nodes = pd.Index(uniques).astype(str).tolist()
    estimate = _estimate(
        _Paths(links, directed),
        None,
        pivots=pivots,
        seed=seed,
        exact_limit=exact_limit,
        threads=threads,
    )
    return _table(nodes, links, estimate)


# --------------------------------------------------------------------- networks
def _network_links(network: Network) -> tuple[list[str], _Links]:
    """The actors' ids and the network's collapsed directed links between them."""
    nodes = network.actors["id"].astype(str).tolist()
    index = pd.Index(nodes)
    ties = network.ties
    ends = [
        index.get_indexer(pd.Index(ties[column].astype(str))) for column in ("source", "target")
    ]
    for column, found in zip(("source", "target"), ends, strict=True):
        if (found < 0).any():
            missing = ties[column].iloc[int(np.flatnonzero(found < 0)[0])]
            raise InputError(
                f"tie {column} {missing!r} is not among the network's actors",
                column=column,
                rule="dangling-endpoint",
            )
    weights = _weights(ties, "weight").to_numpy(dtype=float)
    return nodes, _Links.collapse(ends[0], ends[1], weights, len(nodes), True)


def compute_node_metrics(
    network_or_edges: Network | pd.DataFrame,
    *,
    pivots: int = PIVOTS,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
    threads: int | None = None,
) -> pd.DataFrame:
    """Per node: degree, strength, betweenness and, for a Network, zone and brokerage.

    An edge list is read as `metrics_from_edges` reads it (columns source, target and
    weight when present, directed). For a Network, one breadth-first search per sampled
    source gives both betweenness and brokerage, the sources drawn from the core and the
    external actors as the module doc says; `pivots`, `seed`, `exact_limit`, `threads`
    and ``attrs`` are those of `metrics_from_edges`.
    """
    if isinstance(network_or_edges, pd.DataFrame):
        edges = network_or_edges
        weight = "weight" if "weight" in edges.columns else None
        return metrics_from_edges(
            edges,
            weight=weight,
            pivots=pivots,
            seed=seed,
            exact_limit=exact_limit,
            threads=threads,
        )
    network = network_or_edges
    actors = network.actors
    nodes, links = _network_links(network)
    core = actors["zone"].to_numpy() == "core"
    estimate = _estimate(
        _Paths(links, directed=False),
        core,
        pivots=pivots,
        seed=seed,
        exact_limit=exact_limit,
        threads=threads,
    )
    table = _table(nodes, links, estimate)
    table.insert(1, "label", actors["label"].to_numpy())
    table.insert(2, "kind", actors["kind"].to_numpy())
    table.insert(3, "zone", actors["zone"].to_numpy())
    table.insert(4, "cluster", actors["cluster"].to_numpy())
    table["brokerage"] = estimate.brokerage
    return table


def compute_network_summary(network: Network) -> dict[str, Any]:
    """Key figures of a network: where knowledge comes from and who gets none.

    ``knowledge_from_abroad`` is the share of knowledge ties (by weight) whose geography is
    ``abroad``, over all knowledge ties, ``unknown`` geographies included in the base, so
    it is a lower bound; ``knowledge_geography`` gives the full split.
    """
    actors, ties = network.actors, network.ties
    knowledge = ties[ties["kind"] == "knowledge"]
    total = float(knowledge["weight"].sum())
    by_place = knowledge.groupby("geography")["weight"].sum()
    firms = actors.loc[actors["kind"] == "enterprise", "id"]
    informed = firms.isin(knowledge["target"]).to_numpy()
    isolated = sorted(str(f) for f in firms[~informed])
    zone_of = actors.set_index("id")["zone"]
    source_zone = ties["source"].map(zone_of)
    return {
        "actors": len(actors),
        "enterprises": len(firms),
        "ties": len(ties),
        "actors_by_zone": {str(k): int(v) for k, v in actors["zone"].value_counts().items()},
        "actors_by_kind": {str(k): int(v) for k, v in actors["kind"].value_counts().items()},
        "ties_by_kind": {str(k): int(v) for k, v in ties["kind"].value_counts().items()},
        "ties_by_source_zone": {str(k): int(v) for k, v in source_zone.value_counts().items()},
        "knowledge_ties": int(total),
        "knowledge_from_abroad": float(by_place.get("abroad", 0.0)) / total if total else None,
        "knowledge_geography": {str(k): int(v) for k, v in by_place.items()},
        "firms_without_knowledge_source": len(isolated),
        "firms_without_knowledge_source_ids": isolated,
    }


def rank_outreach(network: Network, k: int = 10) -> pd.DataFrame:
    """The `k` actors through which an information programme would reach most firms.

    Greedy maximum coverage over one step of knowledge ties: each pick is the actor whose
    knowledge ties reach most firms that earlier picks do not (ties broken by more firms
    in all, then by id). Greedy coverage reaches at least 63 % (1 − 1/e) of the best
    possible set of `k` actors. ``reached`` counts the new firms of each pick,
    ``cumulative`` all firms reached so far and ``share`` that over all enterprises.
    Each round counts every actor's new firms in one pass over the knowledge ties.
    """
    actors = network.actors
    ids = np.array(actors["id"].astype(str).tolist(), dtype=object)
    n = len(ids)
    index = pd.Index(ids)
    is_firm = (actors["kind"] == "enterprise").to_numpy()
    ties = network.ties[network.ties["kind"] == "knowledge"]
    source = index.get_indexer(ties["source"].astype(str))
    target = index.get_indexer(ties["target"].astype(str))
    keep = (source >= 0) & (target >= 0)
    keep[keep] = is_firm[target[keep]]
    pairs = _distinct(source[keep].astype(np.int64) * n + target[keep])
    source, target = pairs // max(n, 1), pairs % max(n, 1)
    firms_of = np.bincount(source, minlength=n)
    covered = np.zeros(n, dtype=bool)
    enterprises = int(is_firm.sum())
    rows: list[dict[str, Any]] = []
    for rank in range(1, k + 1):
        new = np.bincount(source[~covered[target]], minlength=n)
        most = int(new.max(initial=0))
        if most == 0:
            break
        best = np.flatnonzero(new == most)
        best = best[firms_of[best] == firms_of[best].max()]
        actor = int(min(best, key=lambda i: ids[i]))
        covered[target[source == actor]] = True
        row = actors.iloc[actor]
        rows.append(
            {
                "rank": rank,
                "id": ids[actor],
                "label": row["label"],
                "kind": row["kind"],
                "zone": row["zone"],
                "cluster": row["cluster"],
                "reached": most,
                "firms": int(firms_of[actor]),
                "cumulative": int(covered.sum()),
                "share": int(covered.sum()) / enterprises if enterprises else np.nan,
            }
        )
    columns = ["rank", "id", "label", "kind", "zone", "cluster", "reached", "firms"]
    return pd.DataFrame(rows, columns=[*columns, "cumulative", "share"])
