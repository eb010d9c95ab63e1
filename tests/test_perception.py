"""Perceived seriousness (2007 survey) beside measured exceedance (bundled campaign).

The seriousness scale is the 2007 instrument's question 1: 1 ("not serious at all") to 10
("very serious"), as its XLSForm constraint says and as Konstadakopulos (2009), Figure 1,
reports the means (noise 8.5 and water 9.15 in Van Phuc, water 6.0 in Dong Ky). Means are
recomputed here by hand from the responses file, without the library's readers.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from ecocluster import load_instrument
from ecocluster.assessment import assess_samples
from ecocluster.errors import InputError
from ecocluster.examples import get_example
from ecocluster.indices import compute_firm_indices
from ecocluster.monitoring_figures import load_example_campaign
from ecocluster.perception import COLUMNS, MEDIUM_MAP, compare_perception
from ecocluster.survey.read import read_responses

DATA = Path(__file__).parent / "data" / "perception"
SURVEY = (
    Path(__file__)
    .resolve()
    .parents[1]
    .joinpath("src", "ecocluster", "data", "instruments", "red-river-2007", "survey.csv")
)
FORMS = ("noise", "air", "water")


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    example = get_example("red-river-2007")
    instrument = example.load_instrument()
    return compute_firm_indices(read_responses(example.responses, instrument).data, instrument)


@pytest.fixture(scope="module")
def assessed() -> pd.DataFrame:
    return assess_samples(load_example_campaign())


@pytest.fixture(scope="module")
def table(firms: pd.DataFrame, assessed: pd.DataFrame) -> pd.DataFrame:
    return compare_perception(firms, assessed).set_index(["cluster_key", "pollution"])


def _by_hand() -> dict[tuple[str, str], list[int]]:
    """Scores per (cluster code, form), read from responses.csv with the csv module."""
    text = get_example("red-river-2007").responses.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    for record in csv.DictReader(io.StringIO("\n".join(lines))):
        for form in FORMS:
            if record[f"q01_{form}"]:
                scores[(record["cluster"], form)].append(int(record[f"q01_{form}"]))
    return scores


def test_the_scale_is_the_instruments() -> None:
    instrument = load_instrument("red-river-2007")
    for form in FORMS:
        assert instrument.questions[f"q01_{form}"].constraint == ". >= 1 and . <= 10"
    survey = SURVEY.read_text(encoding="utf-8")
    assert "(1 = not serious at all, 10 = very serious)" in survey


def test_every_cluster_and_form_has_a_row(firms: pd.DataFrame, assessed: pd.DataFrame) -> None:
    assert tuple(compare_perception(firms, assessed).columns) == COLUMNS
    table = compare_perception(firms, assessed).set_index(["cluster_key", "pollution"])
    clusters = {"bat_trang", "binh_yen", "dong_ky", "van_phuc"}
    assert set(table.index) == {(c, f) for c in clusters for f in FORMS}
    names = table["cluster"].groupby(level=0).first()
    assert names["bat_trang"] == "Bát Tràng"  # the campaign's spelling, with diacritics
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_means_and_shares_match_a_hand_count(table: pd.DataFrame) -> None:
    for (code, form), scores in _by_hand().items():
        row = table.loc[(code, form)]
        assert row["firms"] == len(scores)
        assert row["mean_score"] == pytest.approx(sum(scores) / len(scores))
        serious = sum(score >= 7 for score in scores) / len(scores)
        assert row["serious_share"] == pytest.approx(serious)


def test_means_reproduce_figure_1(table: pd.DataFrame) -> None:
    assert table.loc[("van_phuc", "noise"), "mean_score"] == pytest.approx(8.5)
    assert table.loc[("van_phuc", "water"), "mean_score"] == pytest.approx(9.15)
    assert table.loc[("dong_ky", "water"), "mean_score"] == pytest.approx(6.0)
    assert table.loc[("bat_trang", "noise"), "mean_score"] == pytest.approx(6.0)
    assert table.loc[("bat_trang", "air"), "mean_score"] == pytest.approx(6.2)


def test_measured_side_counts_the_mapped_media(table: pd.DataFrame, assessed: pd.DataFrame) -> None:
    bat_trang = assessed[assessed["cluster"] == "Bát Tràng"]
    water = bat_trang[bat_trang["medium"].isin(["surface_water", "wastewater"])]
    row = table.loc[("bat_trang", "water")]
    assert row["samples"] == len(water)
    assert row["assessed"] == (water["compliance"] != "no-limit").sum()
    assert row["exceeding"] == water["exceeds"].sum()
    assert row["share_exceeding"] == pytest.approx(row["exceeding"] / row["assessed"])
    assert row["media"] == "surface_water, wastewater"
    assert row["years"] == "2014–2024"
    air = table.loc[("bat_trang", "air")]
    assert air["worst_parameter"] == "tsp"
    assert air["worst_ratio"] == pytest.approx(
        bat_trang.loc[bat_trang["parameter"] == "tsp", "ratio"].max()
    )
    assert air["standards"] == "QCVN 05:2013/BTNMT"


def test_readings_say_where_perception_and_measurement_differ(table: pd.DataFrame) -> None:
    air = table.loc[("bat_trang", "air")]
    assert air["perceived_level"] == "moderate" and air["measured_level"] == "high"
    assert air["agreement"] == "measured worse"
    share = f"{air['share_exceeding']:.0%}"
    assert air["reading"].startswith("Firms rate air pollution moderately serious, the most")
    assert f"yet {share} of 432 air samples (2014–2019) exceed" in air["reading"]
    water = table.loc[("bat_trang", "water")]
    assert "the least serious of noise, air and water (mean 5.2 of 10" in water["reading"]
    van_phuc = table.loc[("van_phuc", "water")]
    assert van_phuc["agreement"] == "agree"
    assert van_phuc["reading"].endswith("perception and measurement agree.")


def test_a_cluster_without_survey_is_kept(table: pd.DataFrame) -> None:
    rows = table.loc["binh_yen"]
    assert (rows["firms"] == 0).all() and rows["mean_score"].isna().all()
    assert (rows["samples"] > 0).all()
    assert (rows["agreement"] == "no survey").all()
    assert rows.loc["water", "reading"].startswith("No firm of Bình Yên answered")


def test_a_cluster_without_samples_is_kept(firms: pd.DataFrame, assessed: pd.DataFrame) -> None:
    others = assessed[assessed["cluster"] != "Vạn Phúc"]
    rows = compare_perception(firms, others).set_index(["cluster_key", "pollution"])
    van_phuc = rows.loc["van_phuc"]
    assert (van_phuc["samples"] == 0).all() and (van_phuc["firms"] == 20).all()
    assert (van_phuc["agreement"] == "no measurement").all()
    assert van_phuc.loc["noise", "cluster"] == "Van Phuc"  # the survey's label
    assert "no noise samples to compare (none was taken)" in van_phuc.loc["noise", "reading"]


def test_names_match_across_spellings_and_normal_forms(assessed: pd.DataFrame) -> None:
    firms = pd.read_csv(DATA / "firms.csv", comment="#", dtype={"cluster": str})
    firms["cluster"] = firms["cluster"].map(lambda name: unicodedata.normalize("NFD", name))
    samples = assessed.assign(cluster=assessed["cluster"].astype(str).str.upper())
    rows = compare_perception(firms, samples).set_index(["cluster_key", "pollution"])
    bat_trang = rows.loc["bat_trang"]
    assert bat_trang["firms"].to_dict() == {"noise": 2, "air": 3, "water": 2}
    assert bat_trang["mean_score"].to_dict() == {"noise": 4.0, "air": 9.0, "water": 3.0}
    assert bat_trang["serious_share"].to_dict() == {"noise": 0.0, "air": 1.0, "water": 0.0}
    assert (bat_trang["samples"] > 0).all()
    assert bat_trang.loc["water", "agreement"] == "measured worse"
    assert bat_trang.loc["air", "agreement"] == "agree"
    phu_lang = rows.loc["phu_lang"]
    assert phu_lang["mean_score"].to_dict() == {"noise": 7.0, "air": 5.0, "water": 6.5}
    assert phu_lang["serious_share"].to_dict() == {"noise": 0.5, "air": 0.0, "water": 0.5}
    assert (phu_lang["agreement"] == "no measurement").all()
    assert phu_lang["cluster"].iloc[0] == unicodedata.normalize("NFC", "Phù Lãng")


def test_groundwater_can_count_as_water(firms: pd.DataFrame, assessed: pd.DataFrame) -> None:
    media = {**MEDIUM_MAP, "water": ("surface_water", "wastewater", "groundwater")}
    wider = compare_perception(firms, assessed, medium_map=media).set_index(
        ["cluster_key", "pollution"]
    )
    narrow = compare_perception(firms, assessed).set_index(["cluster_key", "pollution"])
    wells = assessed[(assessed["cluster"] == "Đồng Kỵ") & (assessed["medium"] == "groundwater")]
    gained = (
        wider.loc[("dong_ky", "water"), "samples"] - narrow.loc[("dong_ky", "water"), "samples"]
    )
    assert gained == len(wells) > 0


def test_bad_input_is_refused(firms: pd.DataFrame, assessed: pd.DataFrame) -> None:
    with pytest.raises(InputError) as error:
        compare_perception(firms.assign(seriousness_air=11.0), assessed)
    assert error.value.rule == "scale"
    with pytest.raises(InputError, match="mapped to"):
        compare_perception(firms, assessed, medium_map={"air": ("noise",), "noise": ("noise",)})
    with pytest.raises(InputError, match="cluster"):
        compare_perception(firms.drop(columns="cluster"), assessed)
