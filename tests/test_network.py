"""Innovation networks: built from the 2007 example, extended from tie lists, measured.

The survey counts are the published figures the bundled example reproduces (Table 4 and
the text of Section 4 of the 2007 study, as listed in its ``published.csv``). Metrics are
checked against networkx on small graphs, and on Zachary's karate club against the exact
betweenness that networkx and igraph agree on (unnormalised: node 0 231.0714..., node 33
160.5515...; normalised: 0.4376 and 0.3041).
"""

from __future__ import annotations

import math
from itertools import product
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest

from ecocluster.errors import InputError
from ecocluster.examples import get_example
from ecocluster.indices import compute_firm_indices
from ecocluster.instrument import Instrument
from ecocluster.network import (
    GEOGRAPHIES,
    TIE_KINDS,
    ZONES,
    Network,
    actor_kinds,
    build_network,
    extend_network,
    read_actors,
    read_ties,
)
from ecocluster.network_metrics import (
    compute_network_summary,
    compute_node_metrics,
    metrics_from_edges,
    rank_outreach,
    read_edge_list,
)
from ecocluster.survey.read import read_responses
from graph_files import comparable_attributes as _attributes

DATA = Path(__file__).parent / "data" / "network"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return get_example("red-river-2007").load_instrument()


@pytest.fixture(scope="module")
def wide(instrument: Instrument) -> pd.DataFrame:
    return read_responses(get_example("red-river-2007").responses, instrument).data


@pytest.fixture(scope="module")
def network(wide: pd.DataFrame, instrument: Instrument) -> Network:
    return build_network(wide, instrument)


def _published(name: str) -> int:
    table = get_example("red-river-2007").read_published().set_index("id")
    return int(str(table.at[name, "value"]))


def _source_kinds(network: Network, kind: str) -> pd.Series:
    ties = network.ties[network.ties["kind"] == kind]
    kinds = network.actors.set_index("id")["kind"]
    return ties.groupby(ties["source"].map(kinds))["weight"].sum()


# --------------------------------------------------------------------- survey
def test_actor_kinds_are_valid_data() -> None:
    kinds = actor_kinds()
    assert set(kinds["zone"]) <= set(ZONES)
    assert set(kinds["geography"]) <= set(GEOGRAPHIES)
    assert kinds.at["bank", "zone"] == "regulatory"
    assert kinds.at["media", "zone"] == "regulatory"


def test_knowledge_ties_per_source_equal_table_4(network: Network) -> None:
    counts = _source_kinds(network, "knowledge")
    expected = {
        "buyer": _published("source_buyers"),
        "media": _published("source_other"),
        "trade_association": _published("source_trade_association"),
        "government": _published("source_government"),
        "supplier": _published("source_suppliers"),
        "similar_firm": _published("source_similar_firms"),
        "foreign_partner": _published("source_foreign_partners"),
        "university": _published("source_research"),
        "consultant": _published("source_consultants"),
        "training": _published("source_training"),
        "other_industry_firm": _published("source_other_industries"),
    }
    assert expected == {
        "buyer": 14,
        "media": 9,
        "trade_association": 8,
        "government": 7,
        "supplier": 7,
        "similar_firm": 5,
        "foreign_partner": 5,
        "university": 3,
        "consultant": 2,
        "training": 1,
        "other_industry_firm": 0,
    }
    assert {k: int(counts.get(k, 0)) for k in expected} == expected


def test_firms_without_knowledge_source(network: Network) -> None:
    summary = compute_network_summary(network)
    assert summary["firms_without_knowledge_source"] == 11
    assert len(summary["firms_without_knowledge_source_ids"]) == 11
    assert summary["enterprises"] == _published("firms_total") == 51
    assert summary["knowledge_ties"] == 61
    assert summary["ties_by_kind"]["knowledge"] == 61
    assert 0 < summary["knowledge_from_abroad"] < 1


def test_equipment_recommendations(network: Network) -> None:
    counts = _source_kinds(network, "equipment_recommendation")
    assert counts.to_dict() == {
        "university": _published("introducer_university"),
        "similar_firm": _published("introducer_cluster_firm"),
        "government": _published("introducer_government"),
    }
    assert counts.sum() == 7  # the ten firms acting on their own initiative give no tie


def test_regulation_finance_and_pressure(network: Network) -> None:
    ties = network.ties
    kinds = network.actors.set_index("id")["kind"]
    finance = ties[ties["kind"] == "finance"]
    assert len(finance) == _published("loan") == 4
    assert set(finance["source"].map(kinds)) == {"bank"}
    letters = ties[ties["basis"].str.contains("warning_letters")]
    assert len(letters) == _published("warning_letters") == 4
    by_level = letters["source"].map(kinds).value_counts().to_dict()
    assert by_level == {
        "government_province": _published("warning_letter_donre"),
        "government_commune": _published("warning_letter_commune"),
    }
    inspected = ties[ties["basis"].str.contains("inspections")]
    assert len(inspected) == _published("inspected") == 14
    assert set(inspected["source"].map(kinds)) == {"government_province"}
    complaints = ties[ties["kind"] == "community_pressure"]
    assert len(complaints) == _published("complaint_own") == 5
    pressed = ties[ties["basis"].str.contains("market_pressure_own")]
    assert pressed["target"].nunique() == _published("buyers_own") == 16


def test_actors_are_per_cluster_and_in_zones(network: Network) -> None:
    actors = network.actors.set_index("id")
    assert actors.at["RR07-BT-01", "zone"] == "core"
    assert actors.at["RR07-BT-01", "cluster"] == "bat_trang"
    assert actors.at["buyer_japan:bat_trang", "zone"] == "customer"
    assert actors.at["buyer_japan:bat_trang", "geography"] == "abroad"
    assert actors.at["government_commune:dong_ky", "zone"] == "regulatory"
    assert set(network.actors["zone"]) <= set(ZONES)
    assert set(network.actors["geography"]) <= set(GEOGRAPHIES)
    assert set(network.ties["kind"]) <= set(TIE_KINDS)
    assert set(network.ties["source"]) | set(network.ties["target"]) <= set(actors.index)
    mentions = network.ties.groupby("source")["weight"].sum()
    assert actors.loc[mentions.index, "mentions"].tolist() == mentions.tolist()
    one = network.subnetwork("van_phuc")
    assert set(one.actors["cluster"]) == {"van_phuc"}
    assert len(one.ties) > 0


def test_firm_attributes_join(wide: pd.DataFrame, instrument: Instrument) -> None:
    firms = compute_firm_indices(wide, instrument)[["ENVTECH", "EMPL"]]
    network = build_network(wide, instrument, firms)
    actors = network.actors.set_index("id")
    assert actors.loc[firms.index, "ENVTECH"].tolist() == firms["ENVTECH"].tolist()
    assert math.isnan(float(str(actors.loc["bank:bat_trang", "ENVTECH"])))


def test_concepts_are_optional(wide: pd.DataFrame, instrument: Instrument) -> None:
    kept = wide.drop(columns=[instrument.concept("knowledge_sources"), "q14_loan"])
    network = build_network(kept, instrument)
    assert "knowledge" not in set(network.ties["kind"])
    assert "finance" not in set(network.ties["kind"])
    assert len(network.actors[network.actors["kind"] == "enterprise"]) == 51


def test_synthetic_national_network_builds() -> None:
    from ecocluster.synth import synthesize

    responses = synthesize(100_000, 40, seed=1)
    instrument = get_example("red-river-2007").load_instrument()
    network = build_network(responses.data, instrument)
    firms = network.actors[network.actors["kind"] == "enterprise"]
    assert len(firms) == 100_000
    assert firms["cluster"].nunique() == 40
    assert len(network.ties) > 100_000
    assert set(network.ties["target"]) <= set(firms["id"])


# --------------------------------------------------------------------- files
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_round_trip(network: Network, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"network.{fmt}"
    if fmt == "graphml":
        network.to_graphml(path)
        back = nx.read_graphml(path, force_multigraph=True)
    else:
        network.to_gexf(path)
        back = nx.read_gexf(path)
    graph = network.to_networkx()
    assert back.is_directed() and back.is_multigraph()
    assert set(back.nodes) == set(graph.nodes)
    for node, data in graph.nodes(data=True):
        assert _attributes(back.nodes[node]) == _attributes(data)
    original = {(u, v, k): _attributes(d) for u, v, k, d in graph.edges(keys=True, data=True)}
    read = {(u, v, k): _attributes(d) for u, v, k, d in back.edges(keys=True, data=True)}
    assert read == original
    assert len(original) == len(network.ties)


# --------------------------------------------------------------------- tie lists
def _tie(network: Network, source: str, target: str, kind: str) -> pd.Series:
    ties = network.ties
    found = ties[(ties["source"] == source) & (ties["target"] == target) & (ties["kind"] == kind)]
    assert len(found) == 1
    return found.iloc[0]


def test_extend_network(network: Network) -> None:
    before_ties, before_actors = network.ties.copy(), network.actors.copy()
    extended = extend_network(
        network, read_ties(DATA / "ties.csv"), read_actors(DATA / "actors.csv")
    )
    actors = extended.actors.set_index("id")
    assert actors.at["monre", "zone"] == "regulatory"
    assert actors.at["monre", "geography"] == "vietnam"
    assert actors.at["bt_ceramics_association", "geography"] == "village"
    assert len(extended.actors) == len(network.actors) + 3
    loan = _tie(extended, "bank:bat_trang", "RR07-BT-01", "finance")
    assert loan["weight"] == 2
    assert loan["basis"] == "loan interview"
    new = _tie(extended, "vncpc", "RR07-BT-02", "equipment_recommendation")
    assert (new["initiator"], new["importance"], new["geography"]) == ("both", 9.0, "vietnam")
    assert len(extended.ties) == len(network.ties) + 4
    pd.testing.assert_frame_equal(network.ties, before_ties)
    pd.testing.assert_frame_equal(network.actors, before_actors)


BAD_TIES = {
    "dangling-endpoint": ("vncpc,RR07-BT-01,knowledge,,,", 4, "source", "nobody"),
    "self-loop": ("RR07-BT-01,RR07-BT-01,knowledge,,,", 4, "target", None),
    "unknown-tie-kind": ("monre,RR07-BT-01,gossip,,,", 4, "kind", None),
    "importance-range": ("monre,RR07-BT-01,regulation,,11,", 4, "importance", None),
    "unknown-initiator": ("monre,RR07-BT-01,regulation,them,,", 4, "initiator", None),
}


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _refused(network: Network, ties: Path, actors: Path | None = None) -> InputError:
    before = (network.ties.copy(), network.actors.copy())
    with pytest.raises(InputError) as caught:
        extend_network(network, read_ties(ties), read_actors(actors) if actors else None)
    pd.testing.assert_frame_equal(network.ties, before[0])
    pd.testing.assert_frame_equal(network.actors, before[1])
    return caught.value


@pytest.mark.parametrize("rule", sorted(BAD_TIES))
def test_bad_tie_refused(network: Network, tmp_path: Path, rule: str) -> None:
    line, row, column, replace = BAD_TIES[rule]
    if replace:
        line = line.replace("vncpc", replace)
    lines = [
        "source,target,kind,initiator,importance,year",
        "monre,RR07-BT-02,regulation,source,5,2008",
        "vncpc,RR07-BT-03,knowledge,,,",
        line,
    ]
    path = _write(tmp_path, "bad_ties.csv", lines)
    error = _refused(network, path, DATA / "actors.csv")
    assert (error.file, error.row, error.column, error.rule) == (str(path), row, column, rule)
    text = str(error)
    assert str(path) in text and f"row {row}" in text and repr(column) in text and rule in text
    assert "nothing was applied" in text


def test_duplicate_tie_names_both_rows(network: Network, tmp_path: Path) -> None:
    lines = [
        "source,target,kind",
        "monre,RR07-BT-02,regulation",
        "vncpc,RR07-BT-03,knowledge",
        "monre,RR07-BT-02,regulation",
    ]
    path = _write(tmp_path, "dup.csv", lines)
    error = _refused(network, path, DATA / "actors.csv")
    assert (error.row, error.column, error.rule) == (4, "source", "duplicate-tie")
    assert "rows 2 and 4" in str(error)


@pytest.mark.parametrize(
    ("rule", "line", "column"),
    [
        ("unknown-actor-kind", "ngo,Green Fund,charity,,,", "kind"),
        ("unknown-zone", "ngo,Green Fund,consultant,outer_space,,", "zone"),
        ("unknown-geography", "ngo,Green Fund,consultant,,mars,", "geography"),
    ],
)
def test_bad_actor_refused(
    network: Network, tmp_path: Path, rule: str, line: str, column: str
) -> None:
    actors = _write(tmp_path, "bad_actors.csv", ["id,label,kind,zone,geography,cluster", line])
    ties = _write(tmp_path, "ties.csv", ["source,target,kind", "ngo,RR07-BT-01,knowledge"])
    error = _refused(network, ties, actors)
    assert (error.file, error.row, error.column, error.rule) == (str(actors), 2, column, rule)
    assert str(actors) in str(error) and "row 2" in str(error) and rule in str(error)


def test_missing_column_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "ties.csv", ["source,kind", "a,knowledge"])
    with pytest.raises(InputError) as caught:
        read_ties(path)
    error = caught.value
    assert (error.file, error.row, error.column, error.rule) == (
        str(path),
        1,
        "target",
        "missing-column",
    )
    assert "row 1" in str(error) and "'target'" in str(error)


def test_all_problems_in_one_error(network: Network, tmp_path: Path) -> None:
    lines = ["source,target,kind,importance"] + [f"x{i},RR07-BT-01,knowledge,0" for i in range(30)]
    error = _refused(network, _write(tmp_path, "many.csv", lines))
    text = str(error)
    assert "60 problems" in text
    assert "and 40 more" in text


# --------------------------------------------------------------------- metrics
def _nx_reference(graph: Any, directed: bool) -> dict[str, dict[Any, float]]:
    return {
        "degree": dict(graph.degree()),
        "strength": dict(graph.degree(weight="weight")),
        "betweenness": nx.betweenness_centrality(graph, normalized=False),
    }


def test_karate_club_betweenness() -> None:
    karate = nx.karate_club_graph()
    edges = pd.DataFrame(list(karate.edges()), columns=["a", "b"]).astype(str)
    table = metrics_from_edges(edges, "a", "b", directed=False).set_index("node")
    reference = nx.betweenness_centrality(karate, normalized=False)
    for node, value in reference.items():
        assert table.at[str(node), "betweenness"] == pytest.approx(value, abs=1e-9)
        assert table.at[str(node), "degree"] == karate.degree(node)
    assert table.at["0", "betweenness"] == pytest.approx(231.0714285714, rel=1e-9)
    assert table.at["33", "betweenness"] == pytest.approx(160.5515873016, rel=1e-9)
    assert table.attrs["betweenness"] == "exact"


def test_sampled_betweenness_is_seeded_and_close() -> None:
    karate = nx.karate_club_graph()
    edges = pd.DataFrame(list(karate.edges()), columns=["a", "b"]).astype(str)
    first = metrics_from_edges(edges, "a", "b", directed=False, pivots=20, exact_limit=10)
    again = metrics_from_edges(edges, "a", "b", directed=False, pivots=20, exact_limit=10)
    assert first["betweenness"].tolist() == again["betweenness"].tolist()
    assert "20 sampled sources (seed 0)" in first.attrs["betweenness"]
    estimate = first.set_index("node")["betweenness"]
    assert estimate.idxmax() == "0"


def test_edge_list_metrics_equal_networkx() -> None:
    edges = read_edge_list(DATA / "edges.csv", "from", "to", weight="strength")
    table = metrics_from_edges(edges, "from", "to", weight="strength").set_index("node")
    graph = nx.DiGraph()
    for a, b, w in edges[["from", "to", "strength"]].itertuples(index=False):
        previous = graph.get_edge_data(a, b, {"weight": 0.0})["weight"]
        graph.add_edge(a, b, weight=previous + w)
    assert graph["b"]["c"]["weight"] == 3.0
    assert table["in_degree"].to_dict() == dict(graph.in_degree())
    assert table["out_degree"].to_dict() == dict(graph.out_degree())
    assert table["in_strength"].to_dict() == dict(graph.in_degree(weight="weight"))
    assert table["strength"].to_dict() == dict(graph.degree(weight="weight"))
    reference = nx.betweenness_centrality(graph, normalized=False)
    assert table["betweenness"].to_dict() == pytest.approx(reference)


def test_network_metrics_equal_networkx(network: Network) -> None:
    table = compute_node_metrics(network).set_index("node")
    graph = nx.DiGraph()
    graph.add_nodes_from(network.actors["id"])
    for row in network.ties.itertuples(index=False):
        previous = graph.get_edge_data(row.source, row.target, {"weight": 0})["weight"]
        graph.add_edge(row.source, row.target, weight=previous + row.weight)
    assert table["in_degree"].to_dict() == dict(graph.in_degree())
    assert table["out_degree"].to_dict() == dict(graph.out_degree())
    assert table["strength"].to_dict() == pytest.approx(dict(graph.degree(weight="weight")))
    undirected = graph.to_undirected()
    reference = nx.betweenness_centrality(undirected, normalized=False)
    assert table["betweenness"].to_dict() == pytest.approx(reference)
    core = network.actors.loc[network.actors["zone"] == "core", "id"].tolist()
    outside = [n for n in network.actors["id"] if n not in set(core)]
    brokerage = dict.fromkeys(undirected.nodes, 0.0)
    for s, t in product(core, outside):
        if not nx.has_path(undirected, s, t):
            continue
        paths = list(nx.all_shortest_paths(undirected, s, t))
        for path in paths:
            for node in path[1:-1]:
                brokerage[node] += 1 / len(paths)
    assert table["brokerage"].to_dict() == pytest.approx(brokerage)


def test_rank_outreach_is_greedy_coverage(network: Network) -> None:
    ranking = rank_outreach(network, k=5)
    assert ranking["rank"].tolist() == [1, 2, 3, 4, 5]
    assert ranking.iloc[0]["id"] == "buyer:bat_trang"
    assert ranking["reached"].tolist() == sorted(ranking["reached"], reverse=True)
    assert ranking["cumulative"].tolist() == ranking["reached"].cumsum().tolist()
    whole = rank_outreach(network, k=100)
    assert whole["cumulative"].iloc[-1] == 51 - 11


def test_edge_list_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "edges.csv", ["from,to,w", "a,b,1", ",c,2", "c,d,heavy"])
    with pytest.raises(InputError) as caught:
        read_edge_list(path, "from", "to", weight="w")
    error = caught.value
    assert (error.file, error.row, error.column, error.rule) == (
        str(path),
        3,
        "from",
        "empty-endpoint",
    )
    assert "row 4" in str(error) and "'w'" in str(error)
    with pytest.raises(InputError) as missing:
        read_edge_list(path, "source", "to")
    assert missing.value.rule == "missing-column"
    assert missing.value.column == "source"
