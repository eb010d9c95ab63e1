"""``ecocluster monitor``: assessment and limits from the command line.

The numbers are the library's (test_assessment.py, test_standards.py); here the command
must print them unchanged, write its folder whole, and refuse bad files with one clear
message. TSP in tests/data/monitoring/campaign.csv: 0.64 mg/m³ over 24 hours is 640 µg/m³,
3.2 times the 200 µg/m³ of QCVN 05:2013/BTNMT, Table 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from clirun import run
from ecocluster.assessment import assess_samples
from ecocluster.monitoring import read_samples

DATA = Path(__file__).parent / "data" / "monitoring"


def test_assess_prints_the_library_numbers(tmp_path: Path) -> None:
    campaign = DATA / "campaign.csv"
    code, stdout, _ = run("monitor", "assess", "--samples", str(campaign), "--json")
    assert code == 0, stdout
    payload = json.loads(stdout)
    assessed = assess_samples(read_samples(campaign))
    assert payload["samples"] == len(assessed)
    assert payload["exceeding"] == int(assessed["exceeds"].sum())
    tsp = [
        row for row in payload["worst"] if row["parameter"] == "tsp" and row["averaging"] == "24h"
    ]
    assert tsp and abs(tsp[0]["max_ratio"] - 3.2) < 1e-9
    assert "QCVN 05:2013/BTNMT" in tsp[0]["description"]
    folder = tmp_path / "assessed"
    code, stdout, _ = run("monitor", "assess", "--samples", str(campaign), "-o", str(folder))
    assert code == 0, stdout
    assert "3.2 × the 24-hour limit" in stdout
    names = {p.name for p in folder.iterdir()}
    assert {"assessed.csv", "summary.csv", "worst.csv", "trends.csv"} <= names
    written = pd.read_csv(folder / "assessed.csv", encoding="utf-8-sig")
    assert len(written) == len(assessed)


def test_bad_samples_are_refused_with_rows(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, _, stderr = run(
        "monitor", "assess", "--samples", str(DATA / "bad.csv"), "-o", str(folder)
    )
    assert code == 1
    assert "bad.csv" in stderr and "row 2" in stderr and "unknown-medium" in stderr
    assert not folder.exists()
    code, _, stderr = run(
        "monitor", "assess", "--samples", str(DATA / "campaign.csv"), "--class", "river"
    )
    assert code == 2 and "MEDIUM=CLASS" in stderr


def test_limits_in_force_on_a_day() -> None:
    code, stdout, _ = run(
        "monitor", "limits", "--parameter", "Bụi TSP", "--date", "2015-06-01", "--json"
    )
    assert code == 0
    rows = json.loads(stdout)
    assert {(r["averaging"], r["upper"]) for r in rows} == {
        ("1h", 300.0),
        ("24h", 200.0),
        ("year", 100.0),
    }
    assert {r["standard"] for r in rows} == {"QCVN 05:2013/BTNMT"}
    code, _, stderr = run("monitor", "limits", "--medium", "sky")
    assert code == 2 and "ambient_air" in stderr


def test_bundled_campaign_map_series_and_perception(tmp_path: Path) -> None:
    code, stdout, _ = run("monitor", "campaigns")
    assert code == 0 and "monitoring-red-river" in stdout
    geojson = tmp_path / "sites.geojson"
    code, stdout, _ = run(
        "monitor", "map", "--campaign", "monitoring-red-river", "-o", str(geojson)
    )
    assert code == 0, stdout
    features = json.loads(geojson.read_text("utf-8"))["features"]
    assert len(features) == 24 and "24 sites" in stdout
    lon, lat = features[0]["geometry"]["coordinates"]
    assert 105 < lon < 107 and 20 < lat < 22  # RFC 7946: longitude first
    png = tmp_path / "cr6.png"
    code, stdout, _ = run(
        "monitor", "series", "--campaign", "monitoring-red-river", "--site", "VP-S2",
        "--parameter", "Cr6+", "-o", str(png),
    )  # fmt: skip
    assert code == 0, stdout
    assert png.read_bytes()[:4] == b"\x89PNG"
    code, _, stderr = run(
        "monitor", "series", "--campaign", "monitoring-red-river", "--site", "XX",
        "--parameter", "Cr6+", "-o", str(png),
    )  # fmt: skip
    assert code == 2 and "VP-S2" in stderr
    code, stdout, _ = run(
        "monitor", "perception", "--campaign", "monitoring-red-river",
        "--example", "red-river-2007", "--json",
    )  # fmt: skip
    assert code == 0
    rows = json.loads(stdout)
    clusters = {row["cluster"] for row in rows}
    assert {"Bát Tràng", "Vạn Phúc", "Đồng Kỵ", "Bình Yên"} <= clusters
    binh_yen = [row for row in rows if row["cluster"] == "Bình Yên"]
    assert {row["agreement"] for row in binh_yen} == {"no survey"}


def test_samples_and_campaign_together_is_a_usage_error() -> None:
    code, _, stderr = run(
        "monitor", "assess", "--samples", str(DATA / "campaign.csv"),
        "--campaign", "monitoring-red-river",
    )  # fmt: skip
    assert code == 2 and "not both" in stderr
    code, _, stderr = run("monitor", "assess")
    assert code == 2 and "--campaign NAME" in stderr
