"""Metrics of innovation networks and of any edge list, and the CSV reader of tie lists.

igraph computes degree, strength and betweenness (its C core handles national networks of
100,000 firms); on small graphs its results equal networkx's, which the tests check.

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
  Up to `EXACT_LIMIT` nodes the value is exact (Brandes); above, it is estimated from
  `pivots` source nodes drawn with `seed` and scaled by nodes / pivots, networkx's
  ``betweenness_centrality(k=...)`` estimator. ``attrs["betweenness"]`` says which ran.
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

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import read_utf8_text

if TYPE_CHECKING:
    from ecocluster.network import Network

__all__ = [
    "EXACT_LIMIT",
    "PIVOTS",
    "compute_network_summary",
    "compute_node_metrics",
    "metrics_from_edges",
    "rank_outreach",
    "read_edge_list",
]

#: Largest graph (nodes) whose betweenness is computed exactly.
EXACT_LIMIT: Final = 5000
#: Source nodes sampled to estimate betweenness above `EXACT_LIMIT`.
PIVOTS: Final = 200
#: Problems listed in one error; the rest are counted.
SHOWN_PROBLEMS: Final = 20


# --------------------------------------------------------------------- reading tables
@dataclass(frozen=True)
class _Problem:
    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message} [{self.rule}]"


def _refuse(problems: Sequence[_Problem], what: str) -> InputError:
    """One error listing the first problems and counting the rest.

    The error's file, row, column and rule are those of the first problem, and its message
    ends with that problem, so that the rule printed after it belongs to it.
    """
    first = problems[0]
    if len(problems) == 1:
        message = f"{first.message} ({what} refused, nothing was applied)"
    else:
        shown = "\n".join(f"  {p}" for p in problems[:SHOWN_PROBLEMS])
        hidden = len(problems) - SHOWN_PROBLEMS
        more = f"\n  and {hidden} more" if hidden > 0 else ""
        message = (
            f"{what} refused, nothing was applied; {len(problems)} problems:\n{shown}{more}\n"
            f"first problem: {first.message}"
        )
    return InputError(message, file=first.file, row=first.row, column=first.column, rule=first.rule)


def _read_table(
    path: str | Path, required: Sequence[str], optional: Sequence[str], *, keep_all: bool = False
) -> pd.DataFrame:
    """A small CSV as text: UTF-8 (BOM or not), comma, semicolon or tab.

    Column names match case-insensitively and take the spelling asked for; the index is
    the spreadsheet row (header = 1) and ``attrs["file"]`` the file's name, so that later
    checks can say where a value is. Missing optional columns are added empty; other
    columns are dropped unless `keep_all`.
    """
    file = str(path)
    text = read_utf8_text(path)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(f"the CSV is malformed: {error}", file=file, rule="csv") from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise InputError("the file has no header row", file=file, row=1, rule="empty")
    names = [n.strip() for n in records[0]]
    where = {n.lower(): i for i, n in reversed(list(enumerate(names)))}
    problems = [
        _Problem(file, 1, name, "missing-column", f"the header has no {name!r} column")
        for name in required
        if name.lower() not in where
    ]
    if problems:
        raise _refuse(problems, "the file was")
    asked = [*required, *[c for c in optional if c.lower() in where]]
    positions = [where[c.lower()] for c in asked]
    if keep_all:
        extra = [i for i in range(len(names)) if i not in positions and names[i]]
        asked += [names[i] for i in extra]
        positions += extra
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = [c.strip() for c in record] + [""] * max(0, len(names) - len(record))
        rows.append([cells[i] for i in positions])
        numbers.append(number)
    frame = pd.DataFrame(rows, columns=asked, index=pd.Index(numbers, name="row"), dtype=object)
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    frame.attrs["file"] = file
    return frame


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


def _collapse(
    edges: pd.DataFrame, source: str, target: str, weight: str | None, directed: bool
) -> pd.DataFrame:
    """One row per linked pair (unordered when undirected) with the summed weight."""
    for column in (source, target, *([weight] if weight else [])):
        if column not in edges.columns:
            raise InputError(
                f"the edge list has no {column!r} column (columns: {', '.join(map(str, edges))})",
                file=edges.attrs.get("file"),
                row=1,
                column=column,
                rule="missing-column",
            )
    a = edges[source].astype(str).to_numpy(dtype=object)
    b = edges[target].astype(str).to_numpy(dtype=object)
    if not directed:
        swap = a > b
        a, b = np.where(swap, b, a), np.where(swap, a, b)
    w = _weights(edges, weight).to_numpy() if weight else np.ones(len(edges))
    frame = pd.DataFrame({"source": a, "target": b, "weight": w})
    summed = frame.groupby(["source", "target"], sort=False)["weight"].sum()
    return summed.reset_index()


def _betweenness(
    graph: Any,
    directed: bool,
    *,
    sources: Sequence[int] | None = None,
    targets: Sequence[int] | None = None,
    pivots: int,
    seed: int,
    exact_limit: int,
) -> tuple[np.ndarray, str]:
    """Betweenness over the (sources × targets) pairs, exact or from sampled sources."""
    pool = np.arange(graph.vcount()) if sources is None else np.asarray(sources, dtype=np.int64)
    if graph.vcount() <= exact_limit or len(pool) <= pivots:
        chosen, scale, method = pool, 1.0, "exact"
    else:
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(pool, size=pivots, replace=False))
        scale = len(pool) / pivots
        method = f"estimated from {pivots} sampled sources (seed {seed})"
    if sources is None and len(chosen) == graph.vcount():
        values = graph.betweenness(directed=directed)
    else:
        values = graph.betweenness(
            directed=directed,
            sources=chosen.tolist(),
            targets=None if targets is None else list(targets),
        )
    return scale * np.asarray(values, dtype=float), method


def _metrics(
    pairs: pd.DataFrame,
    nodes: Sequence[str],
    directed: bool,
    path_directed: bool,
    *,
    pivots: int,
    seed: int,
    exact_limit: int,
) -> tuple[pd.DataFrame, Any, str]:
    import igraph as ig

    index = pd.Index(nodes)
    a = index.get_indexer(pd.Index(pairs["source"])).tolist()
    b = index.get_indexer(pd.Index(pairs["target"])).tolist()
    graph = ig.Graph(n=len(nodes), edges=list(zip(a, b, strict=True)), directed=directed)
    weights = pairs["weight"].to_numpy(dtype=float).tolist()
    graph.es["weight"] = weights
    columns: dict[str, Any] = {"node": list(nodes)}
    if directed:
        columns["in_degree"] = graph.indegree()
        columns["out_degree"] = graph.outdegree()
        columns["degree"] = graph.degree()
        columns["in_strength"] = graph.strength(mode="in", weights="weight")
        columns["out_strength"] = graph.strength(mode="out", weights="weight")
        columns["strength"] = graph.strength(mode="all", weights="weight")
    else:
        columns["degree"] = graph.degree()
        columns["strength"] = graph.strength(weights="weight")
    paths = graph if path_directed or not directed else graph.as_undirected(mode="collapse")
    values, method = _betweenness(
        paths, path_directed, pivots=pivots, seed=seed, exact_limit=exact_limit
    )
    columns["betweenness"] = values
    table = pd.DataFrame(columns)
    for name in ("in_degree", "out_degree", "degree"):
        if name in table:
            table[name] = table[name].astype(np.int64)
    return table, paths, method


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
) -> pd.DataFrame:
    """Degree, strength and betweenness of every node of an edge list (module doc).

    Directed: in/out/total degree and strength and directed betweenness; undirected:
    degree, strength and betweenness. Nodes in order of first appearance.
    """
    pairs = _collapse(edges, source, target, weight, directed)
    ends = pd.concat([edges[source].astype(str), edges[target].astype(str)])
    nodes = [str(n) for n in pd.unique(ends)]
    table, _, method = _metrics(
        pairs, nodes, directed, directed, pivots=pivots, seed=seed, exact_limit=exact_limit
    )
    table.attrs["betweenness"] = method
    return table


# --------------------------------------------------------------------- networks
def _network_pairs(network: Network) -> pd.DataFrame:
    return _collapse(network.ties, "source", "target", "weight", True)


def compute_node_metrics(
    network_or_edges: Network | pd.DataFrame,
    *,
    pivots: int = PIVOTS,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
) -> pd.DataFrame:
    """Per node: degree, strength, betweenness and, for a Network, zone and brokerage.

    An edge list is read as `metrics_from_edges` reads it (columns source, target and
    weight when present, directed).
    """
    if isinstance(network_or_edges, pd.DataFrame):
        edges = network_or_edges
        weight = "weight" if "weight" in edges.columns else None
        return metrics_from_edges(
            edges, weight=weight, pivots=pivots, seed=seed, exact_limit=exact_limit
        )
    network = network_or_edges
    actors = network.actors
    nodes = [str(n) for n in actors["id"]]
    table, paths, method = _metrics(
        _network_pairs(network),
        nodes,
        True,
        False,
        pivots=pivots,
        seed=seed,
        exact_limit=exact_limit,
    )
    core = np.flatnonzero(actors["zone"].to_numpy() == "core")
    outside = np.flatnonzero(actors["zone"].to_numpy() != "core")
    if len(core) and len(outside):
        # igraph halves undirected pair counts; brokerage counts each core–external pair once.
        values, _ = _betweenness(
            paths,
            False,
            sources=core.tolist(),
            targets=outside.tolist(),
            pivots=pivots,
            seed=seed,
            exact_limit=exact_limit,
        )
        brokerage = 2.0 * values
    else:
        brokerage = np.zeros(len(nodes))
    table.insert(1, "label", actors["label"].to_numpy())
    table.insert(2, "kind", actors["kind"].to_numpy())
    table.insert(3, "zone", actors["zone"].to_numpy())
    table.insert(4, "cluster", actors["cluster"].to_numpy())
    table["brokerage"] = brokerage
    table.attrs["betweenness"] = method
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
    firms = actors[actors["kind"] == "enterprise"]["id"]
    informed = set(knowledge["target"])
    isolated = sorted(str(f) for f in firms if f not in informed)
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
    """
    actors = network.actors.set_index("id")
    firms = set(actors.index[actors["kind"] == "enterprise"])
    knowledge = network.ties[
        (network.ties["kind"] == "knowledge") & network.ties["target"].isin(firms)
    ]
    reach = {str(s): set(t) for s, t in knowledge.groupby("source")["target"]}
    covered: set[str] = set()
    rows: list[dict[str, Any]] = []
    for rank in range(1, k + 1):
        best = max(
            reach.items(),
            key=lambda item: (len(item[1] - covered), len(item[1]), _reverse(item[0])),
            default=None,
        )
        if best is None or not best[1] - covered:
            break
        actor, targets = best
        new = targets - covered
        covered |= new
        rows.append(
            {
                "rank": rank,
                "id": actor,
                "label": actors.at[actor, "label"],
                "kind": actors.at[actor, "kind"],
                "zone": actors.at[actor, "zone"],
                "cluster": actors.at[actor, "cluster"],
                "reached": len(new),
                "firms": len(targets),
                "cumulative": len(covered),
                "share": len(covered) / len(firms) if firms else np.nan,
            }
        )
        del reach[actor]
    columns = ["rank", "id", "label", "kind", "zone", "cluster", "reached", "firms"]
    return pd.DataFrame(rows, columns=[*columns, "cumulative", "share"])


def _reverse(text: str) -> tuple[int, ...]:
    """A key under which `max` prefers the alphabetically first id."""
    return (*tuple(-ord(c) for c in text), 1)
