"""The actor-positioning map: drawn from the 2007 example, deterministic, readable.

Readability is checked the way a reader would notice its absence: no two labels overlap,
every label stays on the page and no glyph is missing. The PNGs go to ``test-artifacts/``
so that a person can look at them.
"""

from __future__ import annotations

import warnings
from itertools import combinations
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ecocluster.errors import InputError
from ecocluster.examples import get_example
from ecocluster.network import ACTOR_COLUMNS, TIE_COLUMNS, Network, build_network
from ecocluster.network_map import draw_network_map, network_map_svg, write_network_map
from ecocluster.survey.read import read_responses

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CLUSTERS = {"bat_trang": "Bat Trang", "dong_ky": "Dong Ky", "van_phuc": "Van Phuc"}
ZONES = (
    "KNOWLEDGE ZONE",
    "CUSTOMER ZONE",
    "SUPPLIER ZONE",
    "REGULATORY / POLITICAL-CULTURAL ZONE",
)


@pytest.fixture(scope="module")
def network() -> Network:
    example = get_example("red-river-2007")
    instrument = example.load_instrument()
    wide = read_responses(example.responses, instrument).data
    return build_network(wide, instrument)


def _overlaps(figure: Figure) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap, and texts that run off the page."""
    renderer = cast(Any, FigureCanvasAgg(figure)).get_renderer()
    axes = figure.axes[0]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in axes.texts if t.get_text()]
    width = figure.bbox.width
    clashes = [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    clashes += [(text, "page edge") for text, box in boxes if box.x0 < 0 or box.x1 > width]
    return clashes


def test_svg_is_deterministic_and_names_zones_and_clusters(network: Network) -> None:
    first = network_map_svg(network, title="Red River Delta, 2007")
    assert first == network_map_svg(network, title="Red River Delta, 2007")
    assert first.startswith("<svg")
    for name in (*ZONES, *CLUSTERS.values(), "CLUSTER (CORE)", "location not stated"):
        assert name in first, name


@pytest.mark.parametrize("cluster", sorted(CLUSTERS))
def test_one_cluster_map_shows_that_cluster_only(network: Network, cluster: str) -> None:
    svg = network_map_svg(network, cluster=cluster)
    for zone in ZONES:
        assert zone in svg
    assert CLUSTERS[cluster] in svg
    for other, label in CLUSTERS.items():
        if other != cluster:
            assert label not in svg, label


@pytest.mark.parametrize("cluster", [None, *sorted(CLUSTERS)])
def test_labels_do_not_overlap(network: Network, cluster: str | None) -> None:
    figure = draw_network_map(network, cluster=cluster, title="Map")
    assert _overlaps(figure) == []


def test_firms_are_aggregated_per_cluster(network: Network) -> None:
    svg = network_map_svg(network)
    firms = network.actors[network.actors["kind"] == "enterprise"]
    for cluster, count in firms.groupby("cluster").size().items():
        # text is drawn line by line, each line named in an SVG comment
        assert f"<!-- {CLUSTERS[str(cluster)]} -->" in svg
        assert f"<!-- {count} firms -->" in svg
    assert "RR07-BT-01" not in svg


@pytest.mark.parametrize(
    ("cluster", "name"),
    [(None, "network-map-red-river-2007"), ("bat_trang", "network-map-bat-trang")],
)
def test_png_is_written_without_missing_glyphs(
    network: Network, cluster: str | None, name: str
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    path.unlink(missing_ok=True)
    title = "Environmental innovation network, Red River Delta (2007)"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_network_map(network, path, cluster=cluster, title=title)
    assert [str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)] == []
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000


def test_svg_file_matches_svg_string(network: Network, tmp_path: Path) -> None:
    path = write_network_map(network, tmp_path / "map.SVG", cluster="dong_ky")
    assert path.read_text(encoding="utf-8") == network_map_svg(network, cluster="dong_ky")


def test_other_suffix_is_refused(network: Network, tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        write_network_map(network, tmp_path / "map.pdf")
    assert error.value.rule == "format"
    assert not (tmp_path / "map.pdf").exists()


def test_unknown_cluster_is_refused(network: Network) -> None:
    with pytest.raises(InputError) as error:
        draw_network_map(network, cluster="hanoi")
    assert error.value.rule == "cluster"
    assert "bat_trang" in str(error.value)


def _synthetic(firms: int) -> Network:
    """One cluster with Vietnamese names, many firms and a few actors of every zone."""
    ids = [f"F{i:06d}" for i in range(firms)]
    actors = pd.DataFrame(
        {
            "id": ids,
            "label": ids,
            "kind": "enterprise",
            "zone": "core",
            "geography": "village",
            "cluster": "bat_trang",
            "mentions": 1,
        }
    )
    external = pd.DataFrame(
        [
            ("hop_tac_xa", "Hợp tác xã gốm sứ (Bát Tràng)", "trade_association", "knowledge"),
            ("ubnd_xa", "UBND xã Bát Tràng (Bát Tràng)", "government_commune", "regulatory"),
            ("so_tnmt", "Sở TN&MT Hà Nội (Bát Tràng)", "government_province", "regulatory"),
            ("nguoi_mua", "Người mua Nhật Bản (Bát Tràng)", "buyer_foreign", "customer"),
            ("nha_cung_cap", "Nhà cung cấp than (Bát Tràng)", "supplier", "supplier"),
        ],
        columns=["id", "label", "kind", "zone"],
    )
    external["geography"] = ["province", "village", "province", "abroad", "vietnam"]
    external["cluster"] = "bat_trang"
    external["mentions"] = 0
    kinds = ["knowledge", "regulation", "regulation", "market_pressure", "knowledge"]
    rng = np.random.default_rng(7)
    rows = []
    for actor, kind in zip(external["id"], kinds, strict=True):
        for target in rng.choice(ids, size=min(firms, 500), replace=False):
            rows.append((actor, str(target), kind, "unknown", np.nan, 1, "", np.nan, "test"))
    ties = pd.DataFrame(rows, columns=list(TIE_COLUMNS))
    return Network(pd.concat([actors, external], ignore_index=True)[list(ACTOR_COLUMNS)], ties)


def test_vietnamese_names_and_many_firms_draw_cleanly() -> None:
    network = _synthetic(100_000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = draw_network_map(network, cluster="bat_trang", title="Làng gốm Bát Tràng")
        svg = network_map_svg(network)
    assert [str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)] == []
    assert "<!-- Bát Tràng -->" in svg
    assert "<!-- 100,000 firms -->" in svg
    assert "Hợp tác xã gốm sứ (500)" in svg
    assert _overlaps(figure) == []
