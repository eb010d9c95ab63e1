"""Inter-firm networks from edge lists: reading, every refusal, growth, metrics, files, maps.

The growth table is checked against values worked out by hand on `growth.csv` (written
out below); the metrics of the bundled Kalundborg network against networkx; the bundled
data against what its README states. Map PNGs go to ``test-artifacts/`` so that a person
can look at them.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any, cast

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ecocluster.errors import InputError
from ecocluster.interfirm import (
    EXCHANGE_KINDS,
    GROWTH_COLUMNS,
    InterfirmNetwork,
    compute_network_growth,
    load_published_network,
    published_networks,
    read_interfirm_network,
)
from ecocluster.interfirm_map import (
    draw_growth_panels,
    draw_interfirm_map,
    interfirm_map_svg,
    network_growth_svg,
    write_growth_panels,
    write_interfirm_map,
    write_network_growth,
)
from ecocluster.network import ACTOR_COLUMNS, TIE_COLUMNS
from ecocluster.network_metrics import compute_node_metrics
from graph_files import comparable_attributes as _attributes

DATA = Path(__file__).parent / "data" / "interfirm"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PUBLISHED = Path(__file__).resolve().parents[1] / "src/ecocluster/data/network/published"


@pytest.fixture(scope="module")
def kalundborg() -> InterfirmNetwork:
    return load_published_network("kalundborg")


@pytest.fixture(scope="module")
def small() -> InterfirmNetwork:
    return read_interfirm_network(DATA / "growth.csv", actors=DATA / "growth_actors.csv")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------- reading
def test_edge_list_without_actor_file_makes_enterprises() -> None:
    network = read_interfirm_network(DATA / "growth.csv")
    actors = network.actors
    assert list(actors.columns) == [*ACTOR_COLUMNS, "first_year"]
    assert actors["id"].tolist() == ["A", "B", "C", "D", "E", "F"]  # first appearance
    assert set(actors["kind"]) == {"enterprise"} and set(actors["zone"]) == {"core"}
    assert actors.set_index("id")["mentions"].to_dict() == {
        "A": 3, "B": 4, "C": 2, "D": 2, "E": 2, "F": 1
    }  # fmt: skip
    first = actors.set_index("id")["first_year"]
    assert first["A"] == 2001 and first["D"] == 2003 and math.isnan(first["F"])
    ties = network.ties
    assert list(ties.columns) == [*TIE_COLUMNS, "material"]
    assert ties["weight"].tolist() == [1] * 7 and ties["weight"].dtype == np.int64
    assert ties["source"].tolist() == ["A", "B", "D", "A", "B", "C", "E"]
    assert ties["material"].tolist()[:2] == ["steam", "cooling water"]
    assert math.isnan(ties["year"].iloc[-1]) and ties["year"].iloc[0] == 2001.0
    assert set(ties["initiator"]) == {"unknown"} and set(ties["basis"]) == {"edge_list"}


def test_actor_file_gives_kinds_zones_and_keeps_isolates(small: InterfirmNetwork) -> None:
    actors = small.actors.set_index("id")
    assert len(actors) == 7 and actors.at["G", "mentions"] == 0  # no exchange, still there
    assert (actors.at["B", "kind"], actors.at["B", "zone"]) == ("enterprise", "core")
    assert (actors.at["C", "zone"], actors.at["C", "geography"]) == ("core", "village")
    assert (actors.at["D", "zone"], actors.at["D", "geography"]) == ("customer", "vietnam")
    assert actors.at["E", "zone"] == "knowledge"  # the kind's zone when none is given
    assert actors.at["A", "founded"] == "1983"  # other columns are kept
    assert actors.at["A", "label"] == "Nhà máy nhiệt điện Phả Lại"
    ties = small.ties.set_index(["source", "target", "material"])
    assert ties.at[("A", "B", "steam"), "geography"] == "province"  # the supplier's


def test_text_is_nfc_and_kinds_are_forgiving(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Gốm Bát Tràng")
    edges = _write(
        tmp_path / "edges.csv",
        "Supplier;RECEIVER;Kind;Material;Year\n"
        f"{decomposed};Xi măng;By product;{unicodedata.normalize('NFD', 'tro bay')};1999\n"
        "Xi măng;Thép;BY_PRODUCT;xỉ;2000\n"
        "Thép;Xi măng;byproduct;bụi lò;2000\n",
    )
    network = read_interfirm_network(edges)
    assert network.actors["id"].iloc[0] == "Gốm Bát Tràng"
    assert unicodedata.is_normalized("NFC", network.ties["material"].iloc[0])
    assert set(network.ties["kind"]) == {"by-product"}


def test_weight_column_and_clashing_extra_columns(tmp_path: Path) -> None:
    edges = _write(
        tmp_path / "edges.csv",
        "supplier,receiver,kind,tons,source,notes\n"
        'a,b,by-product,"1,5",Chertow 2007,first\n'
        "b,c,water,20,Jacobsen 2006,\n",
    )
    network = read_interfirm_network(edges, weight="tons")
    ties = network.ties
    assert ties["weight"].tolist() == [1.5, 20.0]
    assert ties["source"].tolist() == ["a", "b"]  # the endpoint, not the citation
    assert ties["file_source"].tolist() == ["Chertow 2007", "Jacobsen 2006"]
    assert ties["notes"].tolist() == ["first", ""]
    assert ties["material"].tolist() == ["", ""]  # no material column: empty, not refused
    assert ties["year"].isna().all()


# --------------------------------------------------------------------- refusals
EDGES = "supplier,receiver,kind,material,year\n"
ACTORS = "id,label,kind,zone,geography\nA,Firm A,,,\nB,Firm B,,,\n"
CASES = [
    ("supplier,receiver,material\nA,B,steam\n", None, {}, ("edges", 1, "kind", "missing-column")),
    (EDGES + ",B,energy,steam,2001\n", None, {}, ("edges", 2, "supplier", "empty-endpoint")),
    (EDGES + "A,,energy,steam,2001\n", None, {}, ("edges", 2, "receiver", "empty-endpoint")),
    (EDGES + "A,A,energy,steam,2001\n", None, {}, ("edges", 2, "receiver", "self-loop")),
    (
        EDGES + "A,B,energy,steam,2001\nA,B,energy,Steam,2001\n",
        None,
        {},
        ("edges", 3, "supplier", "duplicate-exchange"),
    ),
    (EDGES + "A,B,energy,steam,1982.5\n", None, {}, ("edges", 2, "year", "bad-year")),
    (EDGES + "A,B,energy,steam,early\n", None, {}, ("edges", 2, "year", "bad-year")),
    (EDGES + "A,B,energy,steam,19822\n", None, {}, ("edges", 2, "year", "bad-year")),
    (EDGES + "A,B,gift,steam,2001\n", None, {}, ("edges", 2, "kind", "unknown-exchange-kind")),
    (EDGES + "A,B,,steam,2001\n", None, {}, ("edges", 2, "kind", "empty-kind")),
    (
        "supplier,receiver,kind,tons\nA,B,water,-3\n",
        None,
        {"weight": "tons"},
        ("edges", 2, "tons", "bad-weight"),
    ),
    (
        "a,b,kind\nA,B,water\n",
        None,
        {"supplier": "a", "receiver": "c"},
        ("edges", 1, "c", "missing-column"),
    ),
    (EDGES + "A,B,water,,\n", None, {"year": "start"}, ("edges", 1, "start", "missing-column")),
    (EDGES + "A,C,water,,\n", ACTORS, {}, ("edges", 2, "receiver", "dangling-endpoint")),
    (EDGES, "label\nFirm A\n", {}, ("actors", 1, "id", "missing-column")),
    (EDGES, ACTORS + ",Firm C,,,\n", {}, ("actors", 4, "id", "empty-id")),
    (EDGES, ACTORS + "A,Firm A again,,,\n", {}, ("actors", 4, "id", "duplicate-actor")),
    (EDGES, ACTORS + "C,Firm C,mine,,\n", {}, ("actors", 4, "kind", "unknown-actor-kind")),
    (EDGES, ACTORS + "C,Firm C,,orbit,\n", {}, ("actors", 4, "zone", "unknown-zone")),
    (EDGES, ACTORS + "C,Firm C,,,mars\n", {}, ("actors", 4, "geography", "unknown-geography")),
]


@pytest.mark.parametrize(("edges", "actors", "options", "expected"), CASES)
def test_every_rule_names_file_row_column_and_rule(
    tmp_path: Path,
    edges: str,
    actors: str | None,
    options: dict[str, str],
    expected: tuple[str, int, str, str],
) -> None:
    files = {"edges": _write(tmp_path / "exchanges.csv", edges)}
    if actors is not None:
        files["actors"] = _write(tmp_path / "firms.csv", actors)
    with pytest.raises(InputError) as caught:
        read_interfirm_network(files["edges"], actors=files.get("actors"), **options)
    error = caught.value
    which, row, column, rule = expected
    assert (error.file, error.row, error.column, error.rule) == (
        str(files[which]),
        row,
        column,
        rule,
    )
    text = str(error)
    assert str(files[which]) in text and f"row {row}" in text and repr(column) in text
    assert text.endswith(f"[{rule}]")


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    actors = _write(tmp_path / "firms.csv", "id,kind\nasnæs,enterprise\nstatoil,refinery\n")
    edges = _write(
        tmp_path / "exchanges.csv",
        EDGES + "ASNÆS,statoil,steam,steam,1982\nstatoil,statoil,water,cooling water,1987\n",
    )
    with pytest.raises(InputError) as caught:
        read_interfirm_network(edges, actors=actors)
    text = str(caught.value)
    assert "4 problems" in text
    for rule in ("unknown-actor-kind", "dangling-endpoint", "unknown-exchange-kind", "self-loop"):
        assert f"[{rule}]" in text
    assert "did you mean 'asnæs'?" in text  # a near miss by case or spacing is named
    assert caught.value.rule == "unknown-actor-kind"  # the actor file is checked first


# --------------------------------------------------------------------- growth
def test_growth_worked_out_by_hand(small: InterfirmNetwork) -> None:
    growth = compute_network_growth(small)
    assert list(growth.columns) == list(GROWTH_COLUMNS)
    expected = pd.DataFrame(
        {
            "year": [2001, 2002, 2003, 2004],
            "new_ties": [2, 0, 2, 2],
            "cumulative_ties": [2, 2, 4, 6],
            "new_actors": [3, 0, 2, 0],
            "cumulative_actors": [3, 3, 5, 5],
            # linked ordered pairs / n(n-1): A→B, B→C; + D→E (A→B water is parallel);
            # + B→A, C→D
            "density": [2 / 6, 2 / 6, 3 / 20, 5 / 20],
            "components": [1, 1, 2, 1],
            "largest_component_share": [1.0, 1.0, 3 / 5, 1.0],
            "mean_degree": [4 / 3, 4 / 3, 6 / 5, 2.0],
        }
    )
    pd.testing.assert_frame_equal(growth, expected, check_dtype=False)
    assert growth["year"].dtype == np.int64
    assert growth.attrs["undated_ties"] == [
        {"source": "E", "target": "F", "kind": "supply", "material": "parts"}
    ]
    assert growth.attrs["actors_without_year"] == ["F", "G"]


def test_growth_without_dated_exchanges(tmp_path: Path) -> None:
    network = read_interfirm_network(_write(tmp_path / "e.csv", EDGES + "A,B,water,,\n"))
    growth = compute_network_growth(network)
    assert growth.empty and list(growth.columns) == list(GROWTH_COLUMNS)
    assert len(growth.attrs["undated_ties"]) == 1
    assert growth.attrs["actors_without_year"] == ["A", "B"]
    assert network_growth_svg(growth).startswith("<svg")


# --------------------------------------------------------------------- Kalundborg
def test_bundled_network_matches_its_index_and_readme(kalundborg: InterfirmNetwork) -> None:
    index = published_networks().set_index("name")
    row = index.loc["kalundborg"]
    years = kalundborg.ties["year"]
    assert len(kalundborg.ties) == row["exchanges"]
    assert len(kalundborg.actors) == row["actor_count"]
    assert (years.min(), years.max()) == (row["first_year"], row["last_year"])
    assert years.notna().all()  # every bundled row has its start year
    readme = (PUBLISHED / "README.md").read_text(encoding="utf-8")
    stated = f"{row['exchanges']} exchanges among {row['actor_count']} actors, "
    assert stated + f"{row['first_year']}–{row['last_year']}" in readme
    growth = compute_network_growth(kalundborg)
    assert growth["year"].iloc[[0, -1]].tolist() == [row["first_year"], row["last_year"]]
    assert growth["cumulative_ties"].iloc[-1] == row["exchanges"]
    assert growth["cumulative_actors"].iloc[-1] == row["actor_count"]
    assert set(kalundborg.ties["kind"]) <= set(EXCHANGE_KINDS)


def test_every_bundled_row_cites_a_listed_reference(kalundborg: InterfirmNetwork) -> None:
    readme = (PUBLISHED / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\* `([a-z0-9.\-]+)`", readme, flags=re.MULTILINE))
    listed |= set(re.findall(r"`([a-z0-9.\-]+)`, `([a-z0-9.\-]+)`", readme)[0])
    for cited in kalundborg.ties["reference"]:
        keys = [k.strip() for k in str(cited).split(";")]
        assert keys and all(k in listed for k in keys), cited


def test_published_names_match_loosely() -> None:
    assert len(load_published_network(" KALUNDBORG ").ties) > 0
    with pytest.raises(InputError) as caught:
        load_published_network("ulsan")
    assert caught.value.rule == "published-network" and "kalundborg" in str(caught.value)


def test_kalundborg_metrics_equal_networkx(kalundborg: InterfirmNetwork) -> None:
    table = compute_node_metrics(kalundborg).set_index("node")
    graph = nx.DiGraph()
    graph.add_nodes_from(kalundborg.actors["id"])
    for source, target, weight in kalundborg.ties[["source", "target", "weight"]].to_numpy():
        previous = graph.get_edge_data(source, target, {"weight": 0})["weight"]
        graph.add_edge(source, target, weight=previous + weight)
    assert graph["statoil"]["asnaes"]["weight"] == 3  # three water exchanges, one link
    assert table["in_degree"].to_dict() == dict(graph.in_degree())
    assert table["out_degree"].to_dict() == dict(graph.out_degree())
    assert table["strength"].to_dict() == pytest.approx(dict(graph.degree(weight="weight")))
    reference = nx.betweenness_centrality(graph.to_undirected(), normalized=False)
    assert table["betweenness"].to_dict() == pytest.approx(reference)
    assert table["betweenness"].idxmax() == "asnaes"


@pytest.mark.parametrize("name", ["kalundborg", "small"])
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_round_trip_keeps_every_exchange(
    request: pytest.FixtureRequest, tmp_path: Path, fmt: str, name: str
) -> None:
    network: InterfirmNetwork = request.getfixturevalue(name)
    path = tmp_path / f"{name}.{fmt}"
    if fmt == "graphml":
        network.to_graphml(path)
        back = nx.read_graphml(path, force_multigraph=True)
    else:
        network.to_gexf(path)
        back = nx.read_gexf(path)
    graph = network.to_networkx()
    assert back.is_directed() and back.is_multigraph()
    assert back.number_of_edges() == len(network.ties)  # parallel exchanges kept apart
    assert back.number_of_nodes() == len(network.actors)  # isolated actors too
    for node, data in graph.nodes(data=True):
        assert _attributes(back.nodes[node]) == _attributes(data)
    original = {(u, v, k): _attributes(d) for u, v, k, d in graph.edges(keys=True, data=True)}
    read = {(u, v, k): _attributes(d) for u, v, k, d in back.edges(keys=True, data=True)}
    assert read == original


def test_round_trip_keeps_unicode_labels(kalundborg: InterfirmNetwork, tmp_path: Path) -> None:
    kalundborg.to_graphml(tmp_path / "k.graphml")
    back = nx.read_graphml(tmp_path / "k.graphml", force_multigraph=True)
    assert back.nodes["asnaes"]["label"] == "Asnæs power station"
    assert len(back["statoil"]["asnaes"]) == 3  # surface, cooling and treated waste water


# --------------------------------------------------------------------- drawing
def _clashes(figure: Figure) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap, and texts that run off the page."""
    renderer = cast(Any, FigureCanvasAgg(figure)).get_renderer()
    texts = [*figure.axes[0].texts, *figure.texts]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]
    width, height = figure.bbox.width, figure.bbox.height
    found = [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    found += [
        (text, "page edge")
        for text, box in boxes
        if box.x0 < 0 or box.x1 > width or box.y0 < 0 or box.y1 > height
    ]
    return found


def _twenty_firms(tmp_path: Path) -> InterfirmNetwork:
    rows = []
    for i in range(20):
        kind = EXCHANGE_KINDS[i % len(EXCHANGE_KINDS)]
        rows.append(f"firm{i:02d},firm{(i * 7 + 3) % 20:02d},{kind},input {i},{1990 + i}")
        rows.append(f"firm{i:02d},firm{(i + 1) % 20:02d},supply,parts {i},{1990 + i // 2}")
    actors = ["id,label"] + [
        f"firm{i:02d},Công ty cổ phần sản xuất vật liệu số {i}" for i in range(20)
    ]
    edges = _write(tmp_path / "twenty.csv", EDGES + "\n".join(rows) + "\n")
    firms = _write(tmp_path / "firms.csv", "\n".join(actors) + "\n")
    return read_interfirm_network(edges, actors=firms)


def test_maps_have_no_overlapping_labels(kalundborg: InterfirmNetwork, tmp_path: Path) -> None:
    for until in (None, 1982):
        assert _clashes(draw_interfirm_map(kalundborg, until=until, title="Kalundborg")) == []
    twenty = _twenty_firms(tmp_path)
    assert len(twenty.actors) == 20
    assert _clashes(draw_interfirm_map(twenty, title="Twenty firms")) == []


def test_map_svg_is_deterministic_and_labelled(kalundborg: InterfirmNetwork) -> None:
    first = interfirm_map_svg(kalundborg, title="Kalundborg")
    assert first == interfirm_map_svg(kalundborg, title="Kalundborg")
    assert first.startswith("<svg")
    for line in ("Asnæs power station", "since 1961", "Dangødning", "energy", "by-product"):
        assert f"<!-- {line} -->" in first, line  # text is drawn line by line, named
    assert "1993  Asnæs power station → Gyproc plasterboard plant" in first  # the key
    early = interfirm_map_svg(kalundborg, until=1972)
    assert "1993  Asnæs" not in early and "1972  Statoil refinery" in early


def test_pngs_are_written_without_missing_glyphs(kalundborg: InterfirmNetwork) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    growth = compute_network_growth(kalundborg)
    title = "Kalundborg industrial symbiosis, 1961–2018"
    jobs: dict[str, Callable[[Path], Path]] = {
        "interfirm-map-kalundborg.png": lambda p: write_interfirm_map(kalundborg, p, title=title),
        "interfirm-panels-kalundborg.png": lambda p: write_growth_panels(kalundborg, p),
        "interfirm-growth-kalundborg.png": lambda p: write_network_growth(growth, p, title=title),
    }
    for name, write in jobs.items():
        path = ARTIFACTS / name
        path.unlink(missing_ok=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            write(path)
        assert [
            str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)
        ] == [], name
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000, name


def test_svg_files_and_panels(kalundborg: InterfirmNetwork, tmp_path: Path) -> None:
    path = write_interfirm_map(kalundborg, tmp_path / "map.SVG", until=1990)
    assert path.read_text(encoding="utf-8") == interfirm_map_svg(kalundborg, until=1990)
    growth = compute_network_growth(kalundborg)
    chart = write_network_growth(growth, tmp_path / "growth.svg").read_text(encoding="utf-8")
    assert chart == network_growth_svg(growth) and "<!-- 16 -->" in chart
    panels = draw_growth_panels(kalundborg)
    assert len(panels.axes) == 4
    titles = [t.get_text() for axes in panels.axes for t in axes.texts]
    assert titles[0] == "1961: 1 exchange, 2 actors"
    assert titles[-1] == "2018: 16 exchanges, 12 actors"


def test_other_suffix_is_refused(kalundborg: InterfirmNetwork, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        write_interfirm_map(kalundborg, tmp_path / "map.pdf")
    assert caught.value.rule == "format"
    assert not (tmp_path / "map.pdf").exists()


def test_network_from_a_table_of_exchanges() -> None:
    """A plan's exchanges become the same kind of network as a read edge list."""
    from ecocluster.interfirm import interfirm_network

    table = pd.DataFrame(
        {
            "source": ["Xưởng gốm A", "Lò gạch B"],
            "target": ["Lò gạch B", "Xưởng C"],
            "kind": ["by-product", "energy"],
            "material": ["clay shards", "waste heat"],
            "weight": [120.0, 30.0],
        }
    )
    network = interfirm_network(table, weighted=True)
    assert list(network.actors["id"]) == ["Xưởng gốm A", "Lò gạch B", "Xưởng C"]
    assert list(network.ties["weight"]) == [120.0, 30.0]
    assert network.ties["year"].isna().all()
    graph = network.to_networkx()
    assert graph.number_of_edges() == 2
