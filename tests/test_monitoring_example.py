"""The bundled campaign ``monitoring-red-river``: synthetic, reproducible, and true to the
published facts it is calibrated to.

Source of the Bát Tràng ratios: Konstadakopulos (2009), Journal of Current Southeast Asian
Affairs, Section 4 (The State of the Environment in the Industrial Clusters), citing the
Department of Natural Resources and Environment of Ha Noi ('Pollution at Bat Trang: SOS',
2007): "particulates in the form of dust in Bat Trang exceed environmental standards by 3
to 3.5 times, while concentration of carbon dioxide and sulphur dioxide is 1.5 to 2 times
above the limit". The example models carbon monoxide, the gas the ambient standard
regulates (README.md). Vạn Phúc and Đồng Kỵ: Konstadakopulos (2008), Geographical Research
46(1): dye effluent with chromium, zinc and copper, high BOD and COD, in the Vạn Phúc stream
and the Nhuệ river; solvents and varnishes in Đồng Kỵ's water.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from ecocluster.assessment import assess_samples, summarise_exceedance
from ecocluster.errors import InputError
from ecocluster.monitoring_figures import example_campaigns, load_example_campaign
from ecocluster.normalize import fold_key

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "ecocluster" / "data" / "examples" / "monitoring-red-river"
GENERATOR = ROOT / "tools" / "make_monitoring_example.py"
VILLAGE_AIR = ("BT-K1", "BT-K2", "BT-R1", "BT-H1")
#: parameter: (averaging, published range of the mean ratio)
PUBLISHED = {"tsp": ("24h", 3.0, 3.5), "so2": ("24h", 1.5, 2.0), "co": ("8h", 1.5, 2.0)}


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_monitoring_example", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def samples() -> pd.DataFrame:
    return load_example_campaign()


@pytest.fixture(scope="module")
def assessed(samples: pd.DataFrame) -> pd.DataFrame:
    return assess_samples(samples)


def test_generator_reproduces_the_bundled_files(generator: ModuleType) -> None:
    text, _ = generator.render()
    assert text == (EXAMPLE / "samples.csv").read_bytes().decode("utf-8")
    assert generator.manifest() == (EXAMPLE / "campaign.json").read_bytes().decode("utf-8")
    assert generator.main(["--check"]) == 0


def test_the_files_say_they_are_synthetic() -> None:
    lines = (EXAMPLE / "samples.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# SYNTHETIC DATA")
    assert "NOT measurements" in lines[0]
    manifest = json.loads((EXAMPLE / "campaign.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert manifest["name"] == "monitoring-red-river"
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "**These data are synthetic.**" in readme
    assert "approximate" in readme and "invented" in readme


def test_the_campaign_is_registered() -> None:
    campaigns = example_campaigns()
    row = campaigns[campaigns["name"] == "monitoring-red-river"].iloc[0]
    assert bool(row["synthetic"])
    assert Path(row["samples"]) == EXAMPLE / "samples.csv"
    assert "Bát Tràng" in row["clusters"]
    with pytest.raises(InputError) as error:
        load_example_campaign("no-such-campaign")
    assert error.value.rule == "campaign"


def test_the_campaign_reads_without_errors(samples: pd.DataFrame) -> None:
    assert len(samples) == 3164
    assert samples.attrs["campaign"] == "monitoring-red-river"
    assert samples["value"].notna().all()
    # The reader had work to do: laboratory units, gases as mixing ratios, detection limits.
    units = set(samples["original_unit"].astype(str))
    assert {"mg/m3", "µg/m³", "ppm", "ppb", "µg/L", "dB(A)", "Pt-Co"} <= units
    assert samples["censored"].sum() == 31
    co_ppm = samples[(samples["parameter"] == "co") & (samples["original_unit"] == "ppm")]
    first = co_ppm.iloc[0]
    expected = float(first["original_value"]) * 28.010 / 24.465 * 1000
    assert first["value"] == pytest.approx(expected, rel=1e-3)
    assert first["unit"] == "ug/m^3"


def test_every_cluster_is_present_with_its_vietnamese_name(samples: pd.DataFrame) -> None:
    names = set(samples["cluster"].astype(str))
    assert names == {"Bát Tràng", "Vạn Phúc", "Đồng Kỵ", "Bình Yên"}
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert {fold_key(n) for n in names} == {"bat_trang", "van_phuc", "dong_ky", "binh_yen"}
    per_cluster = samples.groupby("cluster", observed=True)["site"].nunique()
    assert (per_cluster == 6).all()
    media = samples.groupby("cluster", observed=True)["medium"].nunique()
    assert (media >= 3).all()


def _bat_trang(assessed: pd.DataFrame) -> pd.DataFrame:
    village = assessed[assessed["site"].isin(VILLAGE_AIR)]
    summary = summarise_exceedance(village, by=("cluster", "parameter", "averaging"), period=None)
    return summary.set_index("parameter")


def test_bat_trang_ratios_lie_in_the_published_ranges(assessed: pd.DataFrame) -> None:
    summary = _bat_trang(assessed)
    for parameter, (averaging, low, high) in PUBLISHED.items():
        row = summary.loc[parameter]
        assert row["averaging"] == averaging
        assert row["worst_standard"] == "QCVN 05:2013/BTNMT"
        assert row["samples"] == row["assessed"] == 96
        assert row["censored"] == 0
        assert low <= row["mean_ratio"] <= high, parameter
        # the mean of per-sample ratios, recomputed by hand
        rows = assessed[assessed["site"].isin(VILLAGE_AIR) & (assessed["parameter"] == parameter)]
        limit = {"tsp": 200.0, "so2": 125.0, "co": 10_000.0}[parameter]
        assert (rows["value"] / limit).mean() == pytest.approx(row["mean_ratio"])


def test_readme_calibration_table_matches_the_file(assessed: pd.DataFrame) -> None:
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    summary = _bat_trang(assessed)
    village = assessed[assessed["site"].isin(VILLAGE_AIR)]
    per_site = summarise_exceedance(village, by=("parameter", "site"), period=None)
    for parameter, label in (("tsp", "TSP"), ("so2", "SO2"), ("co", "CO")):
        line = next(x for x in readme.splitlines() if x.startswith(f"| {label} |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[5] == f"{summary.loc[parameter, 'mean_ratio']:.2f}"
        sites = per_site[per_site["parameter"] == parameter].set_index("site")["mean_ratio"]
        assert cells[6] == ", ".join(f"{sites[s]:.2f}" for s in VILLAGE_AIR)
        assert cells[7] == f"{summary.loc[parameter, 'exceeding']} of 96"


def test_van_phuc_water_exceeds_for_dye_metals_and_organic_load(assessed: pd.DataFrame) -> None:
    b1 = assessed[assessed["standard"] == "QCVN 08-MT:2015/BTNMT"]
    summary = summarise_exceedance(b1, by=("site", "parameter"), period=None)
    summary = summary.set_index(["site", "parameter"])
    for site in ("VP-S2", "VP-N1"):  # the stream below the dye houses, the Nhuệ river
        for parameter in ("cr6", "zn", "cu", "bod5", "cod"):
            row = summary.loc[(site, parameter)]
            assert row["mean_ratio"] > 1 and row["share"] >= 0.5, (site, parameter)
    for parameter in ("cr6", "zn", "cu"):  # the stream above the dye houses stays within
        assert summary.loc[("VP-S1", parameter), "exceeding"] == 0
    outfall = assessed[(assessed["site"] == "VP-D1")]
    assert set(outfall["standard"].astype(str)) == {"QCVN 40:2011/BTNMT"}
    shares = outfall.groupby("parameter", observed=True)["exceeds"].mean()
    assert (shares[["cr6", "zn", "cu", "bod5", "cod"]] > 0.5).all()


def test_dong_ky_water_carries_solvents_and_varnish(assessed: pd.DataFrame) -> None:
    below = assessed[
        (assessed["site"] == "DK-C2") & (assessed["standard"] == "QCVN 08-MT:2015/BTNMT")
    ]
    shares = below.groupby("parameter", observed=True)["exceeds"].mean()
    assert shares["phenol"] == 1 and shares["oil_grease"] > 0.5
    outfall = assessed[assessed["site"] == "DK-D1"].groupby("parameter", observed=True)
    assert outfall["exceeds"].mean()["phenol"] == 1


def test_binh_yen_is_severely_polluted(assessed: pd.DataFrame) -> None:
    soil = assessed[assessed["site"] == "BY-Y1"]
    assert set(soil["standard"].astype(str)) == {"QCVN 03-MT:2015/BTNMT"}
    means = soil.groupby("parameter", observed=True)["ratio"].mean()
    assert (means[["pb", "zn", "cu"]] > 5).all()
    outfall = assessed[assessed["site"] == "BY-D1"]
    assert outfall["exceeds"].all()


def test_editions_change_during_the_water_series(assessed: pd.DataFrame) -> None:
    series = assessed[(assessed["site"] == "VP-S2") & (assessed["parameter"] == "cr6")]
    by_standard = series.groupby(series["standard"].astype(object).fillna("none"))["time"]
    spans = by_standard.agg(["min", "max"])
    assert spans.loc["none", "max"] < pd.Timestamp("2016-03-01")
    assert spans.loc["QCVN 08-MT:2015/BTNMT", "max"] < pd.Timestamp("2023-09-12")
    assert spans.loc["QCVN 08:2023/BTNMT", "min"] >= pd.Timestamp("2023-09-12")
    # no value below detection is ever claimed to exceed
    assert not (assessed["censored"] & assessed["exceeds"]).any()


def test_comment_lines_name_the_generator_and_seed(generator: ModuleType) -> None:
    header = (EXAMPLE / "samples.csv").read_text(encoding="utf-8").split("\nsite,")[0]
    assert f"seed {generator.SEED}" in header
    assert re.search(r"tools/make_monitoring_example\.py", header)
