"""Maps, GeoJSON and time series of the bundled monitoring campaign.

The PNGs go to ``test-artifacts/`` (monitoring-map.png, monitoring-timeseries.png) so that
a person can look at them; readability is checked the way a reader would notice its
absence: no two labels overlap, every text stays on the page, no glyph is missing.
"""

from __future__ import annotations

import json
import math
import warnings
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ecocluster.assessment import assess_samples
from ecocluster.errors import InputError
from ecocluster.monitoring_figures import (
    CLASSES,
    draw_site_map,
    draw_time_series,
    exceedance_class,
    load_example_campaign,
    summarise_sites,
    to_geojson,
    write_geojson,
    write_site_map,
    write_time_series,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CLUSTERS = ("Bát Tràng", "Vạn Phúc", "Đồng Kỵ", "Bình Yên")
PROPERTIES = (
    "site", "cluster", "worst_parameter", "max_ratio", "mean_ratio", "worst_share", "share",
    "standard", "citation", "exceedance_class",
)  # fmt: skip


@pytest.fixture(scope="module")
def assessed() -> pd.DataFrame:
    return assess_samples(load_example_campaign())


@pytest.fixture(scope="module")
def sites(assessed: pd.DataFrame) -> pd.DataFrame:
    return summarise_sites(assessed)


def _texts(figure: Figure) -> list[tuple[str, Any]]:
    """Every visible text of the figure with its box on the page."""
    renderer = cast(Any, FigureCanvasAgg(figure)).get_renderer()
    texts = [t for t in figure.texts if t.get_text()]
    for axes in figure.axes:
        texts += [t for t in axes.texts if t.get_text()]
        texts += [axes.title, axes._left_title] if axes.get_title(loc="left") else []
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_text()]


def _clashes(figure: Figure) -> list[tuple[str, str]]:
    boxes = _texts(figure)
    width, height = figure.bbox.width, figure.bbox.height
    clashes = [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    clashes += [
        (text, "page edge")
        for text, box in boxes
        if box.x0 < 0 or box.x1 > width or box.y0 < 0 or box.y1 > height
    ]
    return clashes


# --------------------------------------------------------------------- site summary
def test_site_summary_has_one_row_per_site(sites: pd.DataFrame, assessed: pd.DataFrame) -> None:
    assert len(sites) == assessed["site"].nunique() == 24
    assert set(sites["exceedance_class"]) <= {c[0] for c in CLASSES}
    row = sites.set_index("site").loc["BT-K1"]
    assert row["cluster"] == "Bát Tràng"
    assert row["worst_parameter"] == "tsp" and row["worst_averaging"] == "24h"
    assert row["standard"] == "QCVN 05:2013/BTNMT" and row["limit"] == 200
    bt_k1 = assessed[(assessed["site"] == "BT-K1") & (assessed["parameter"] == "tsp")]
    assert row["mean_ratio"] == pytest.approx((bt_k1["value"] / 200).mean())
    assert row["exceedance_class"] == "2-5"
    # ordered by cluster (folded) then site
    assert list(dict.fromkeys(sites["cluster"])) == ["Bát Tràng", "Bình Yên", "Đồng Kỵ", "Vạn Phúc"]


def test_exceedance_classes_have_the_stated_bounds() -> None:
    classes = exceedance_class([0.5, 1.0, 1.01, 2.0, 2.5, 5.0, 5.01, math.nan])
    expected = ["within", "within", "1-2", "1-2", "2-5", "2-5", "over-5", "no-limit"]
    assert list(classes) == expected


def test_max_ratio_measure_picks_the_worst_sample(assessed: pd.DataFrame) -> None:
    worst = summarise_sites(assessed, measure="max_ratio").set_index("site")
    assert worst.loc["VP-S2", "worst_parameter"] == "cr6"  # 24 x under QCVN 08:2023
    assert worst.loc["VP-S2", "exceedance_class"] == "over-5"
    with pytest.raises(ValueError, match="measure"):
        summarise_sites(assessed, measure="median")


# --------------------------------------------------------------------- GeoJSON
def test_geojson_is_a_feature_collection_of_points_in_lon_lat(sites: pd.DataFrame) -> None:
    collection = to_geojson(sites)
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946: WGS 84 only, no crs member
    features = collection["features"]
    assert len(features) == len(sites)
    for feature, (_, row) in zip(features, sites.iterrows(), strict=True):
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon, lat) == (round(row["lon"], 6), round(row["lat"], 6))
        assert 105 < lon < 107 and 20 < lat < 22  # longitude first, then latitude
        properties = feature["properties"]
        assert set(PROPERTIES) <= set(properties)
        assert "lon" not in properties and "lat" not in properties
    first = features[0]["properties"]
    assert first["cluster"] == "Bát Tràng"
    assert isinstance(first["first_time"], str) and first["first_time"].startswith("2014-02")


def test_geojson_round_trips_through_json(sites: pd.DataFrame, tmp_path: Path) -> None:
    collection = to_geojson(sites)
    text = json.dumps(collection, allow_nan=False)  # NaN would not be JSON
    assert json.loads(text) == collection
    path = write_geojson(sites, tmp_path / "sites.geojson")
    written = path.read_text(encoding="utf-8")
    assert json.loads(written) == collection
    assert "Bát Tràng" in written  # names as written, not \\u escapes
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_site_without_a_limit_has_null_ratios(sites: pd.DataFrame) -> None:
    extra = sites.iloc[[0]].assign(site="X-1", max_ratio=np.nan, mean_ratio=np.nan)
    collection = to_geojson(pd.concat([sites, extra], ignore_index=True))
    properties = collection["features"][-1]["properties"]
    assert properties["max_ratio"] is None and properties["mean_ratio"] is None


# --------------------------------------------------------------------- the map
def test_site_map_png_artefact(sites: pd.DataFrame) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "monitoring-map.png"
    path.unlink(missing_ok=True)
    title = "Monitoring sites of the synthetic campaign, 2014-2024"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_site_map(sites, path, title=title)
    assert [
        str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)
    ] == []  # no missing glyph for Vietnamese names
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000


def test_site_map_svg_is_valid_deterministic_and_complete(
    sites: pd.DataFrame, tmp_path: Path
) -> None:
    first = write_site_map(sites, tmp_path / "a.svg").read_text(encoding="utf-8")
    second = write_site_map(sites, tmp_path / "b.svg").read_text(encoding="utf-8")
    assert first == second
    root = ET.fromstring(first)
    assert root.tag.endswith("svg")
    for name in (*CLUSTERS, "All clusters", "N", "500 m", "50 km", *sites["site"]):
        assert f"<!-- {name} -->" in first, name


@pytest.mark.parametrize("clusters", [None, ["bat_trang"], ["BINH YEN", "Vạn Phúc"]])
def test_map_labels_do_not_overlap(sites: pd.DataFrame, clusters: list[str] | None) -> None:
    figure = draw_site_map(sites, clusters=clusters, title="Sites")
    assert _clashes(figure) == []


def test_map_keeps_the_cos_latitude_aspect(sites: pd.DataFrame) -> None:
    figure = draw_site_map(sites, clusters=["Bát Tràng"], inset=False)
    axes = figure.axes[-1]
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    box = axes.get_position()
    width_in, height_in = box.width * figure.get_figwidth(), box.height * figure.get_figheight()
    latitude = math.radians((y0 + y1) / 2)
    km_per_inch_x = (x1 - x0) * 111.320 * math.cos(latitude) / width_in
    km_per_inch_y = (y1 - y0) * 110.574 / height_in
    assert km_per_inch_x == pytest.approx(km_per_inch_y, rel=0.01)


def test_sites_are_coloured_and_shaped_by_class(sites: pd.DataFrame) -> None:
    figure = draw_site_map(sites, clusters=["Bình Yên"], inset=False)
    axes = figure.axes[-1]
    drawn = {
        (to_hex(line.get_markerfacecolor()).upper(), line.get_marker())
        for line in axes.lines
        if line.get_linestyle() == "None"
    }
    classes = sites[sites["cluster"] == "Bình Yên"]["exceedance_class"]
    expected = {(c[2], c[3]) for c in CLASSES if c[0] in set(classes)}
    assert drawn == expected


def test_unknown_cluster_is_refused(sites: pd.DataFrame) -> None:
    with pytest.raises(InputError) as error:
        draw_site_map(sites, clusters=["Phù Lãng"])
    assert error.value.rule == "cluster"
    assert "Bát Tràng" in str(error.value)


# --------------------------------------------------------------------- time series
def _line_at(figure: Figure, level: float) -> list[Line2D]:
    axes = figure.axes[0]
    return [
        line for line in axes.lines if np.isclose(np.asarray(line.get_ydata(), float), level).any()
    ]


def test_time_series_png_artefact(assessed: pd.DataFrame) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "monitoring-timeseries.png"
    path.unlink(missing_ok=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_time_series(assessed, "VP-S2", "Cr6+", path)
    assert [str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)] == []
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000


def test_limit_steps_where_the_edition_changes(assessed: pd.DataFrame) -> None:
    figure = draw_time_series(assessed, "VP-S2", "cr6")
    steps = [line for line in _line_at(figure, 0.04) if np.isclose(line.get_ydata(), 0.01).any()]
    assert len(steps) == 1
    x, y = np.asarray(steps[0].get_xdata()), np.asarray(steps[0].get_ydata(), float)
    assert steps[0].get_linestyle() == "-"
    change = x[np.flatnonzero(np.isclose(y, 0.01))[0]]
    assert pd.Timestamp(change) == pd.Timestamp("2023-09-12")
    assert pd.Timestamp(x[0]) == pd.Timestamp("2016-03-01")  # no limit in the table before
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "QCVN 08-MT:2015/BTNMT B1 limit: 0.04 mg/L" in labels
    assert "QCVN 08:2023/BTNMT limit from 2023-09-12: 0.01 mg/L" in labels
    assert any(label.startswith("no binding limit") for label in labels)


def test_censored_values_are_hollow(assessed: pd.DataFrame) -> None:
    series = assessed[(assessed["site"] == "VP-S2") & (assessed["parameter"] == "cr6")]
    figure = draw_time_series(assessed, "VP-S2", "cr6")
    hollow = [
        line for line in figure.axes[0].lines
        if line.get_marker() == "o" and to_hex(line.get_markerfacecolor()) == "#ffffff"
    ]  # fmt: skip
    assert len(hollow) == 1
    assert len(hollow[0].get_xdata()) == series["censored"].sum() == 3
    assert np.allclose(hollow[0].get_ydata(), 0.005)  # at the detection limit


def test_who_guideline_is_dashed(assessed: pd.DataFrame) -> None:
    figure = draw_time_series(assessed, "BT-K1", "pm10", title="PM10, Bát Tràng kiln yards")
    dashed = [line for line in _line_at(figure, 50) if line.get_linestyle() == "--"]
    assert len(dashed) == 1
    solid = [line for line in _line_at(figure, 150) if line.get_linestyle() == "-"]
    assert len(solid) == 1
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "WHO AQG 2005 guideline: 50 µg/m³" in labels
    assert not any(label.startswith("no binding limit") for label in labels)


def test_noise_has_a_series_and_a_limit_per_period(assessed: pd.DataFrame) -> None:
    figure = draw_time_series(assessed, "VP-L1", "LAeq")
    assert len(_line_at(figure, 70)) == 1 and len(_line_at(figure, 55)) == 1
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "measured (day, 6-21 h)" in labels and "measured (night, 21-6 h)" in labels
    bottom, _ = figure.axes[0].get_ylim()
    assert bottom > 40  # decibels have no meaningful zero


def test_time_series_svg_is_valid_and_deterministic(assessed: pd.DataFrame, tmp_path: Path) -> None:
    first = write_time_series(assessed, "VP-S2", "cr6", tmp_path / "a.svg")
    second = write_time_series(assessed, "VP-S2", "cr6", tmp_path / "b.svg")
    text = first.read_text(encoding="utf-8")
    assert text == second.read_text(encoding="utf-8")
    assert ET.fromstring(text).tag.endswith("svg")
    assert "<!-- Cr6+ at VP-S2 (Vạn Phúc) -->" in text


def test_unknown_site_or_parameter_is_refused(assessed: pd.DataFrame) -> None:
    with pytest.raises(InputError) as error:
        draw_time_series(assessed, "XX-1", "tsp")
    assert error.value.rule == "site"
    with pytest.raises(InputError) as error:
        draw_time_series(assessed, "BT-K1", "Cr6+")
    assert error.value.rule == "parameter"
    assert "tsp" in str(error.value)


def test_other_suffix_is_refused(assessed: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        write_time_series(assessed, "VP-S2", "cr6", tmp_path / "series.pdf")
    assert error.value.rule == "format"
    assert not (tmp_path / "series.pdf").exists()
