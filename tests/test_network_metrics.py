"""The search behind sampled betweenness and brokerage, checked against networkx and plain
Python on small graphs.

Above `EXACT_LIMIT` nodes, `compute_node_metrics` estimates betweenness and brokerage from
sampled sources with one breadth-first search per source and distance-weighted (linear
scaling) dependencies. Summed over every source, those dependencies are the exact values,
which is what makes the estimator unbiased; these tests check that identity, the scaling
of each stratum, and that the vectorised outreach ranking picks what the plain set-based
greedy picks.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.sparse.csgraph import breadth_first_order  # type: ignore[import-untyped]

from ecocluster.network import Network
from ecocluster.network_metrics import (
    _depths,
    _Links,
    _path_sums,
    _Paths,
    compute_node_metrics,
    metrics_from_edges,
    rank_outreach,
)


def _paths(graph: Any, directed: bool) -> tuple[list[Any], _Paths]:
    nodes = list(graph.nodes)
    position = {node: i for i, node in enumerate(nodes)}
    edges = np.array([(position[a], position[b]) for a, b in graph.edges], dtype=np.int64)
    links = _Links.collapse(edges[:, 0], edges[:, 1], np.ones(len(edges)), len(nodes), directed)
    return nodes, _Paths(links, directed)


def _graphs() -> list[Any]:
    """Small graphs with several components, ties in path counts and a long chain."""
    graphs = [nx.gnm_random_graph(40, 70, seed=seed) for seed in range(3)]
    graphs.append(nx.disjoint_union(nx.karate_club_graph(), nx.path_graph(120)))
    graphs.append(nx.grid_2d_graph(6, 7))
    return graphs


def _brokerage(graph: Any, sides: dict[Any, bool]) -> dict[Any, float]:
    """Shortest paths between the two sides through each node, each pair once."""
    result = dict.fromkeys(graph.nodes, 0.0)
    inside = [n for n in graph if sides[n]]
    outside = [n for n in graph if not sides[n]]
    for s, t in product(inside, outside):
        if not nx.has_path(graph, s, t):
            continue
        paths = list(nx.all_shortest_paths(graph, s, t))
        for path in paths:
            for node in path[1:-1]:
                result[node] += 1 / len(paths)
    return result


@pytest.mark.parametrize("index", range(5))
def test_dependencies_over_every_source_are_exact(index: int) -> None:
    graph = _graphs()[index]
    nodes, paths = _paths(graph, directed=False)
    rng = np.random.default_rng(index)
    sides = rng.random(len(nodes)) < 0.4
    reference = nx.betweenness_centrality(graph, normalized=False)
    expected = np.array([reference[n] for n in nodes])
    brokerage = _brokerage(graph, dict(zip(nodes, sides, strict=True)))
    expected_brokerage = np.array([brokerage[n] for n in nodes])
    # Brandes: every pair counted from both ends.
    total, across = _path_sums(paths, range(len(nodes)), sides=sides)
    np.testing.assert_allclose(total / 2, expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(across / 2, expected_brokerage, rtol=1e-12, atol=1e-9)
    # Linear scaling: the two ends of every pair share it by distance, so no halving.
    total, across = _path_sums(paths, range(len(nodes)), linear=True, sides=sides)
    np.testing.assert_allclose(total, expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(across, expected_brokerage, rtol=1e-12, atol=1e-9)


def test_directed_sampled_betweenness_is_networkx_subset_scaled() -> None:
    graph = nx.gnp_random_graph(60, 0.06, seed=4, directed=True)
    edges = pd.DataFrame(list(graph.edges), columns=["a", "b"]).astype(str)
    table = metrics_from_edges(edges, "a", "b", pivots=12, exact_limit=10).set_index("node")
    pivots = table.attrs["pivots"]
    assert len(pivots) == 12
    assert table.attrs["betweenness"] == "estimated from 12 sampled sources (seed 0)"
    strings = nx.relabel_nodes(graph, str)
    subset = nx.betweenness_centrality_subset(strings, pivots, list(strings), normalized=False)
    scale = len(table) / 12
    for node, value in subset.items():
        assert table.at[node, "betweenness"] == pytest.approx(scale * value, abs=1e-9)


def _linear(graph: Any, source: Any) -> dict[Any, float]:
    """Distance-weighted dependencies of one source, in plain Python."""
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
    g = dict.fromkeys(order, 0.0)
    for node in reversed(order):
        for parent in parents[node]:
            g[parent] += sigma[parent] / sigma[node] * (1 / depth[node] + g[node])
    return {node: 0.0 if node == source else g[node] * depth[node] for node in order}


def test_undirected_sampled_betweenness_is_distance_weighted() -> None:
    karate = nx.karate_club_graph()
    edges = pd.DataFrame(list(karate.edges()), columns=["a", "b"]).astype(str)
    table = metrics_from_edges(edges, "a", "b", directed=False, pivots=10, exact_limit=10)
    assert table.attrs["betweenness"].endswith("distance-weighted")
    graph = nx.relabel_nodes(karate, str)
    expected = dict.fromkeys(graph, 0.0)
    for pivot in table.attrs["pivots"]:
        for node, value in _linear(graph, pivot).items():
            expected[node] += len(graph) / 10 * value
    assert table.set_index("node")["betweenness"].to_dict() == pytest.approx(expected)


def _network(seed: int) -> Network:
    """A two-cluster network with firms, external actors and firm–firm ties."""
    rng = np.random.default_rng(seed)
    firms = [f"f{i:02d}" for i in range(30)]
    outside = [f"x{i:02d}" for i in range(8)]
    actors = pd.DataFrame(
        {
            "id": firms + outside,
            "label": firms + outside,
            "kind": ["enterprise"] * 30 + ["buyer"] * 4 + ["university"] * 4,
            "zone": ["core"] * 30 + ["customer"] * 4 + ["knowledge"] * 4,
            "cluster": ["a"] * 15 + ["b"] * 15 + [""] * 8,
        }
    )
    rows = set()
    while len(rows) < 90:
        source = str(rng.choice(outside if rng.random() < 0.8 else firms))
        target = str(rng.choice(firms))
        if source != target:
            rows.add((source, target, str(rng.choice(["knowledge", "regulation"]))))
    ties = pd.DataFrame(sorted(rows), columns=["source", "target", "kind"])
    ties["weight"] = rng.integers(1, 3, len(ties))
    return Network(actors, ties)


def test_stratified_estimate_scales_each_side() -> None:
    network = _network(1)
    table = compute_node_metrics(network, pivots=9, seed=3, exact_limit=0).set_index("node")
    method = table.attrs["betweenness"]
    assert method.startswith("estimated from 9 sampled sources (seed 3): ")
    assert "of the 8 external and" in method and "of the 30 core actors" in method
    pivots = table.attrs["pivots"]
    assert len(pivots) == 9 and len(set(pivots)) == 9
    graph = nx.Graph()
    graph.add_nodes_from(network.actors["id"])
    graph.add_edges_from(zip(network.ties["source"], network.ties["target"], strict=True))
    core = set(network.actors.loc[network.actors["zone"] == "core", "id"])
    betweenness = dict.fromkeys(graph, 0.0)
    brokerage = dict.fromkeys(graph, 0.0)
    for side in (core, set(graph) - core):
        chosen = [p for p in pivots if p in side]
        assert chosen
        for pivot in chosen:
            other = set(graph) - side
            for node, value in _linear(graph, pivot).items():
                betweenness[node] += len(side) / len(chosen) * value
            # Brokerage: the pivot's targets on the other side only.
            for target in other:
                if not nx.has_path(graph, pivot, target):
                    continue
                paths = list(nx.all_shortest_paths(graph, pivot, target))
                length = len(paths[0]) - 1
                for path in paths:
                    for depth, node in enumerate(path[1:-1], start=1):
                        share = depth / length / len(paths)
                        brokerage[node] += len(side) / len(chosen) * share
    assert table["betweenness"].to_dict() == pytest.approx(betweenness)
    assert table["brokerage"].to_dict() == pytest.approx(brokerage)


def test_exact_metrics_list_no_pivots() -> None:
    table = compute_node_metrics(_network(2))
    assert table.attrs["betweenness"] == "exact"
    assert table.attrs["pivots"] == []


def test_depths_without_first_in_first_out_order() -> None:
    graph = nx.grid_2d_graph(5, 5)
    nodes, paths = _paths(graph, directed=False)
    order, predecessors = breadth_first_order(paths.matrix, 0, return_predecessors=True)
    expected, levels = _depths(order, predecessors, len(nodes))
    # The same levels listed in another order within each level: parents no longer sorted.
    rng = np.random.default_rng(0)
    shuffled = np.concatenate([rng.permutation(order[expected[order] == d]) for d in range(levels)])
    position = np.empty(len(nodes), dtype=np.int64)
    position[shuffled] = np.arange(len(shuffled))
    parent = position[predecessors[shuffled[1:]]]
    assert np.any(parent[1:] < parent[:-1])
    depth, again = _depths(shuffled, predecessors, len(nodes))
    assert again == levels
    np.testing.assert_array_equal(depth, expected)
    distances = nx.single_source_shortest_path_length(graph, nodes[0])
    assert [int(depth[i]) for i in range(len(nodes))] == [distances[n] for n in nodes]


def _first(text: str) -> tuple[int, ...]:
    """A key under which `max` prefers the alphabetically first id."""
    return (*(-ord(c) for c in text), 1)


def _greedy(network: Network, k: int) -> list[tuple[str, int, int]]:
    """Greedy coverage with Python sets, the obvious way."""
    actors = network.actors.set_index("id")
    firms = set(actors.index[actors["kind"] == "enterprise"])
    ties = network.ties
    knowledge = ties[(ties["kind"] == "knowledge") & ties["target"].isin(firms)]
    reach = {str(s): set(t) for s, t in knowledge.groupby("source")["target"]}
    covered: set[str] = set()
    picks = []
    for _ in range(k):
        best = max(
            reach.items(),
            key=lambda item: (len(item[1] - covered), len(item[1]), _first(item[0])),
            default=None,
        )
        if best is None or not best[1] - covered:
            break
        picks.append((best[0], len(best[1] - covered), len(best[1])))
        covered |= best[1]
        del reach[best[0]]
    return picks


@pytest.mark.parametrize("seed", range(4))
def test_outreach_equals_set_based_greedy(seed: int) -> None:
    network = _network(seed)
    ranking = rank_outreach(network, k=12)
    expected = _greedy(network, 12)
    assert list(zip(ranking["id"], ranking["reached"], ranking["firms"], strict=True)) == expected
    assert ranking["cumulative"].tolist() == np.cumsum([r for _, r, _ in expected]).tolist()
