"""``ecocluster network`` on a surveyed wave: map, export, metrics, outreach, interview ties.

The library results these commands print are tested in test_network.py and
test_network_map.py; here the command must give the same numbers, write whole files, and
turn bad input into one clear message and exit code without writing anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from clirun import run
from ecocluster.analysis import SurveyAnalysis, analyse_example
from ecocluster.network import compute_node_metrics, rank_outreach

DATA = Path(__file__).parent / "data" / "network"
EXAMPLE = ["--example", "red-river-2007"]


@pytest.fixture(scope="module")
def analysis() -> SurveyAnalysis:
    return analyse_example("red-river-2007", fit_models=False)


def test_map_writes_svg_and_png(tmp_path: Path) -> None:
    code, stdout, _ = run("network", "map", *EXAMPLE, "-o", str(tmp_path / "map.svg"))
    assert code == 0, stdout
    assert (tmp_path / "map.svg").read_text("utf-8").lstrip().startswith("<")
    assert "<svg" in (tmp_path / "map.svg").read_text("utf-8")
    png = tmp_path / "van_phuc.png"
    code, stdout, _ = run("network", "map", *EXAMPLE, "--cluster", "van_phuc", "-o", str(png))
    assert code == 0, stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.svg", "van_phuc.png"]


def test_map_refuses_unknown_cluster_and_format(tmp_path: Path) -> None:
    code, _, stderr = run("network", "map", *EXAMPLE, "--cluster", "nowhere", "-o", "x.svg")
    assert code == 2
    assert "bat_trang" in stderr and "nowhere" in stderr
    code, _, stderr = run("network", "map", *EXAMPLE, "-o", str(tmp_path / "map.pdf"))
    assert code == 2 and ".svg or .png" in stderr
    assert list(tmp_path.iterdir()) == []


def test_export_round_trips_through_networkx(tmp_path: Path, analysis: SurveyAnalysis) -> None:
    assert analysis.network is not None
    for suffix, read in ((".graphml", nx.read_graphml), (".gexf", nx.read_gexf)):
        target = tmp_path / f"network{suffix}"
        code, stdout, _ = run("network", "export", *EXAMPLE, "-o", str(target))
        assert code == 0, stdout
        graph = read(target)
        assert graph.number_of_nodes() == len(analysis.network.actors)
        assert graph.number_of_edges() == len(analysis.network.ties)
        assert f"{len(analysis.network.ties)} ties" in stdout


def test_metrics_and_outreach_match_the_library(analysis: SurveyAnalysis) -> None:
    assert analysis.network is not None
    code, stdout, _ = run("network", "metrics", *EXAMPLE, "--json")
    assert code == 0
    printed = pd.DataFrame(json.loads(stdout)).set_index("node")
    expected = compute_node_metrics(analysis.network).set_index("node")
    assert printed.index.is_unique and set(printed.index) == set(expected.index)
    for column in ("degree", "strength", "betweenness", "brokerage"):
        pd.testing.assert_series_equal(
            printed[column].astype(float),
            expected.loc[printed.index, column].astype(float),
            check_names=False,
        )
    code, stdout, _ = run("network", "outreach", *EXAMPLE, "--top", "4", "--json")
    assert code == 0
    ranking = rank_outreach(analysis.network, k=4)
    assert [row["id"] for row in json.loads(stdout)] == list(ranking["id"])


def test_metrics_of_one_cluster_only_list_its_actors() -> None:
    code, stdout, _ = run("network", "metrics", *EXAMPLE, "--cluster", "dong_ky", "--json")
    assert code == 0
    records = json.loads(stdout)
    assert records and {row["cluster"] for row in records} == {"dong_ky"}


def test_interview_ties_extend_the_exported_network(
    tmp_path: Path, analysis: SurveyAnalysis
) -> None:
    assert analysis.network is not None
    target = tmp_path / "extended.graphml"
    code, stdout, _ = run(
        "network",
        "export",
        *EXAMPLE,
        "--ties",
        str(DATA / "ties.csv"),
        "--actors",
        str(DATA / "actors.csv"),
        "-o",
        str(target),
    )
    assert code == 0, stdout
    graph = nx.read_graphml(target)
    added = pd.read_csv(DATA / "actors.csv")
    assert graph.number_of_nodes() == len(analysis.network.actors) + len(added)
    assert "vncpc" in graph and graph.nodes["vncpc"]["kind"] == "university"


def test_bad_tie_list_names_the_row_and_writes_nothing(tmp_path: Path) -> None:
    ties = tmp_path / "ties.csv"
    ties.write_text(
        "source,target,kind\nnobody,RR07-BT-01,knowledge\nRR07-BT-01,RR07-BT-01,knowledge\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.gexf"
    code, _, stderr = run("network", "export", *EXAMPLE, "--ties", str(ties), "-o", str(target))
    assert code == 1
    assert "ties.csv" in stderr and "row 2" in stderr and "dangling-endpoint" in stderr
    assert "row 3" in stderr and "self-loop" in stderr
    assert not target.exists()


def test_option_combinations_are_usage_errors(tmp_path: Path) -> None:
    code, _, stderr = run(
        "network", "map", *EXAMPLE, "--actors", str(DATA / "actors.csv"), "-o", "x.svg"
    )
    assert code == 2 and "--actors goes with --ties" in stderr
    code, _, stderr = run("network", "metrics", "--edges", str(DATA / "edges.csv"), *EXAMPLE)
    assert code == 2 and "--edges works alone" in stderr
    code, _, stderr = run("network", "map", "-o", str(tmp_path / "x.svg"))
    assert code == 2 and "--example" in stderr


def test_import_of_the_published_kalundborg_network(tmp_path: Path) -> None:
    from ecocluster.interfirm import compute_network_growth, load_published_network

    folder = tmp_path / "kalundborg"
    code, stdout, _ = run("network", "import", "--published", "kalundborg", "-o", str(folder))
    assert code == 0, stdout
    assert "12 actors, 16 exchanges (1961–2018)" in stdout
    names = {p.name for p in folder.iterdir()}
    for name in ("metrics.csv", "growth.csv", "map.svg", "map.png", "growth.png", "panels.svg"):
        assert name in names
    growth = pd.read_csv(folder / "growth.csv", encoding="utf-8-sig")
    expected = compute_network_growth(load_published_network("kalundborg"))
    assert list(growth["cumulative_ties"]) == list(expected["cumulative_ties"])
    assert growth["cumulative_ties"].iloc[-1] == 16
    graph = nx.read_graphml(folder / "network.graphml")
    assert graph.number_of_edges() == 16 and graph.number_of_nodes() == 12
    code, stdout, _ = run("network", "published")
    assert code == 0 and "kalundborg" in stdout


def test_import_refuses_a_bad_edge_list_and_writes_nothing(tmp_path: Path) -> None:
    edges = tmp_path / "exchanges.csv"
    edges.write_text(
        "supplier,receiver,kind,material,year\n"
        "Gốm Minh Long,Gốm Minh Long,by-product,clay shards,2015\n"
        "Gốm Minh Long,Xưởng gạch,by-product,clay shards,20x5\n",
        encoding="utf-8",
    )
    folder = tmp_path / "out"
    code, _, stderr = run("network", "import", "--edges", str(edges), "-o", str(folder))
    assert code == 1
    assert "exchanges.csv" in stderr and "self-loop" in stderr and "bad-year" in stderr
    assert "row 2" in stderr and "row 3" in stderr
    assert not folder.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exchanges.csv"]
    code, _, stderr = run("network", "import", "-o", str(folder))
    assert code == 2 and "--edges FILE or --published NAME" in stderr
    code, _, stderr = run("network", "import", "--published", "nowhere", "-o", str(folder))
    assert code == 2 and "kalundborg" in stderr
