"""Exceedance of limits: ratios, the censored rule, summaries, worst parameters and trends.

The limits here are small tables built in the tests (values of QCVN 05:2009/BTNMT,
QCVN 05:2013/BTNMT and QCVN 08-MT:2015/BTNMT as bundled, WHO's 2005 guideline for PM10),
so that every expected ratio is a hand division: 640 / 200 = 3.2, 4 / 2 = 2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ecocluster.assessment import (
    COMPLIANCE,
    assess_samples,
    compute_trends,
    describe_exceedance,
    summarise_exceedance,
    worst_parameters,
)
from ecocluster.monitoring import read_samples
from ecocluster.standards import read_limits

DATA = Path(__file__).parent / "data" / "monitoring"
NAN = math.nan
Q05_09, Q05_13, Q08 = "QCVN 05:2009/BTNMT", "QCVN 05:2013/BTNMT", "QCVN 08-MT:2015/BTNMT"
LIMITS = [  # standard, binding, medium, parameter, averaging, class, lower, upper, unit, from, to
    (Q05_09, True, "ambient_air", "tsp", "24h", "", NAN, 200, "ug/m^3", "2010-01-01", "2014-01-01"),
    (
        Q05_09,
        True,
        "ambient_air",
        "tsp",
        "year",
        "",
        NAN,
        140,
        "ug/m^3",
        "2010-01-01",
        "2014-01-01",
    ),
    (Q05_13, True, "ambient_air", "tsp", "24h", "", NAN, 200, "ug/m^3", "2014-01-01", None),
    (Q05_13, True, "ambient_air", "tsp", "year", "", NAN, 100, "ug/m^3", "2014-01-01", None),
    (Q05_13, True, "ambient_air", "pm10", "24h", "", NAN, 150, "ug/m^3", "2014-01-01", None),
    (
        "WHO AQG 2005",
        False,
        "ambient_air",
        "pm10",
        "24h",
        "",
        NAN,
        50,
        "ug/m^3",
        "2006-10-05",
        None,
    ),
    (Q08, True, "surface_water", "do", "grab", "B1", 4, NAN, "mg/L", "2016-03-01", None),
    (Q08, True, "surface_water", "do", "grab", "A1", 6, NAN, "mg/L", "2016-03-01", None),
    (Q08, True, "surface_water", "ph", "grab", "B1", 5.5, 9, "pH", "2016-03-01", None),
]


@pytest.fixture(scope="module")
def limits() -> pd.DataFrame:
    columns = ["standard", "binding", "medium", "parameter", "averaging", "class", "lower"]
    columns += ["upper", "unit", "valid_from", "valid_to"]
    table = pd.DataFrame(LIMITS, columns=columns)
    table["authority"] = np.where(table["binding"], "MONRE Viet Nam", "WHO")
    table["citation"] = table["standard"] + ", Table 1"
    table["valid_from"] = pd.to_datetime(table["valid_from"])
    table["valid_to"] = pd.to_datetime(table["valid_to"])
    return table


UNITS = {"tsp": "ug/m^3", "pm10": "ug/m^3", "do": "mg/L", "ph": "pH"}
MEDIUM = {"tsp": "ambient_air", "pm10": "ambient_air", "do": "surface_water", "ph": "surface_water"}


def _samples(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """(parameter, averaging, time, value[, qualifier[, site[, class]]]) per sample."""
    records = []
    for parameter, averaging, time, value, *rest in rows:
        qualifier = rest[0] if rest else ""
        site = rest[1] if len(rest) > 1 else "S1"
        cls = rest[2] if len(rest) > 2 else ("B1" if MEDIUM[parameter] == "surface_water" else None)
        records.append(
            {
                "cluster": "Bát Tràng",
                "site": site,
                "medium": MEDIUM[parameter],
                "parameter": parameter,
                "averaging": averaging,
                "class": cls,
                "time": pd.Timestamp(time),
                "value": float(value),
                "unit": UNITS[parameter],
                "qualifier": qualifier,
                "censored": qualifier == "<",
            }
        )
    return pd.DataFrame.from_records(records)


def _one(limits: pd.DataFrame, *row: Any, **options: Any) -> pd.Series:
    return assess_samples(_samples(row), limits, **options).iloc[0]


# --------------------------------------------------------------------- per sample
def test_ratio_against_an_upper_limit(limits: pd.DataFrame) -> None:
    row = _one(limits, "tsp", "24h", "2019-03-05", 640)
    assert row["ratio"] == pytest.approx(3.2)
    assert (row["exceeds"], row["compliance"], row["bound"]) == (True, "exceeds", "upper")
    assert (row["standard"], row["upper"], row["limit_unit"]) == (Q05_13, 200, "ug/m^3")
    assert row["citation"] == f"{Q05_13}, Table 1"
    assert (
        describe_exceedance(row) == "TSP 3.2 × the 24-hour limit of QCVN 05:2013/BTNMT (200 µg/m³)"
    )


def test_the_limit_in_force_at_the_sample_time(limits: pd.DataFrame) -> None:
    samples = _samples(
        ("tsp", "year", "2012-06-30", 120),  # QCVN 05:2009: 140
        ("tsp", "year", "2013-12-31 23:00", 120),  # still 2009 (valid_to is exclusive)
        ("tsp", "year", "2014-01-01", 120),  # QCVN 05:2013: 100
        ("tsp", "year", "2009-06-30", 120),  # before any edition
        ("tsp", "1h", "2019-06-30", 120),  # no 1-hour limit in this table
    )
    assessed = assess_samples(samples, limits)
    assert assessed["standard"].tolist()[:3] == [Q05_09, Q05_09, Q05_13]
    assert assessed["ratio"].tolist()[:3] == pytest.approx([120 / 140, 120 / 140, 1.2])
    assert assessed["exceeds"].tolist() == [False, False, True, False, False]
    assert assessed["compliance"].tolist()[3:] == ["no-limit", "no-limit"]
    assert assessed["ratio"].iloc[3:].isna().all()
    assert describe_exceedance(assessed.iloc[3]) == "TSP: no limit in force"


def test_a_value_equal_to_its_limit_complies(limits: pd.DataFrame) -> None:
    row = _one(limits, "tsp", "24h", "2019-03-05", 200)
    assert (row["ratio"], row["exceeds"], row["compliance"]) == (1.0, False, "complies")


def test_lower_limits_and_ph(limits: pd.DataFrame) -> None:
    samples = _samples(
        ("do", "grab", "2019-05-01", 2),  # 4 / 2: half the minimum
        ("do", "grab", "2019-05-01", 5),
        ("ph", "grab", "2019-05-01", 9.9),  # 9.9 / 9
        ("ph", "grab", "2019-05-01", 4.4),  # 5.5 / 4.4
        ("ph", "grab", "2019-05-01", 7.0),  # max(7 / 9, 5.5 / 7)
    )
    assessed = assess_samples(samples, limits)
    expected = [2.0, 0.8, 1.1, 1.25, 5.5 / 7]
    assert assessed["ratio"].tolist() == pytest.approx(expected)
    assert assessed["bound"].tolist() == ["lower", "lower", "upper", "lower", "lower"]
    assert assessed["exceeds"].tolist() == [True, False, True, True, False]
    assert describe_exceedance(assessed.iloc[0]) == (
        "DO below the minimum of QCVN 08-MT:2015/BTNMT (4 mg/L) by a factor of 2.0"
    )
    assert describe_exceedance(assessed.iloc[1]) == (
        "DO at or above the minimum of QCVN 08-MT:2015/BTNMT (4 mg/L)"
    )
    assert (
        describe_exceedance(assessed.iloc[2]) == "pH 1.1 × the limit of QCVN 08-MT:2015/BTNMT (9)"
    )


def test_censored_values_are_never_claimed_to_exceed_an_upper_limit(limits: pd.DataFrame) -> None:
    samples = _samples(
        ("tsp", "24h", "2019-03-05", 300, "<"),  # true value anywhere below 300
        ("tsp", "24h", "2019-03-05", 100, "<"),  # certainly below 200
        ("tsp", "24h", "2019-03-05", 200, "<"),
        ("tsp", "24h", "2019-03-05", 250, ">"),  # certainly above 200
        ("tsp", "24h", "2019-03-05", 200, ">"),
        ("tsp", "24h", "2019-03-05", 150, ">"),  # could be either
    )
    assessed = assess_samples(samples, limits)
    assert assessed["compliance"].tolist() == [
        "undetermined",
        "complies",
        "complies",
        "exceeds",
        "exceeds",
        "undetermined",
    ]
    assert assessed["exceeds"].tolist() == [False, False, False, True, True, False]
    assert assessed["ratio_qualifier"].tolist() == ["<", "<", "<", ">", ">", ">"]
    assert describe_exceedance(assessed.iloc[0]) == (
        "TSP 1.5 × the 24-hour limit of QCVN 05:2013/BTNMT (200 µg/m³), at most (below detection)"
    )


def test_below_detection_under_a_minimum_is_a_certain_failure(limits: pd.DataFrame) -> None:
    samples = _samples(
        ("do", "grab", "2019-05-01", 0.5, "<"),  # DO below 0.5, minimum 4: fails
        ("do", "grab", "2019-05-01", 5, "<"),  # could be either
        ("do", "grab", "2019-05-01", 5, ">"),  # certainly above 4
    )
    assessed = assess_samples(samples, limits)
    assert assessed["compliance"].tolist() == ["exceeds", "undetermined", "complies"]
    assert assessed["ratio"].iloc[0] == pytest.approx(8.0)
    assert assessed["ratio_qualifier"].tolist() == [">", ">", "<"]


def test_censored_flag_without_a_qualifier_column(limits: pd.DataFrame) -> None:
    samples = _samples(("tsp", "24h", "2019-03-05", 300, "<")).drop(columns="qualifier")
    row = assess_samples(samples, limits).iloc[0]
    assert (row["exceeds"], row["compliance"]) == (False, "undetermined")


def test_guideline_beside_the_binding_limit(limits: pd.DataFrame) -> None:
    row = _one(limits, "pm10", "24h", "2019-03-05", 60)
    assert row["ratio"] == pytest.approx(0.4)
    assert not row["exceeds"]
    assert row["guideline_standard"] == "WHO AQG 2005"
    assert row["guideline_ratio"] == pytest.approx(1.2)
    assert row["guideline_exceeds"]


def test_class_of_the_water(limits: pd.DataFrame) -> None:
    samples = _samples(("do", "grab", "2019-05-01", 5, "", "W1", None))
    row = assess_samples(samples, limits).iloc[0]
    assert row["compliance"] == "no-limit" and "class" in str(row["limit_note"])
    row = assess_samples(samples, limits, classes={"surface_water": "A1"}).iloc[0]
    assert (row["lower"], row["ratio"], row["exceeds"]) == (6, 1.2, True)


def test_limits_in_another_unit_are_converted(limits: pd.DataFrame) -> None:
    samples = _samples(("tsp", "24h", "2019-03-05", 0.64)).assign(unit="mg/m3")
    row = assess_samples(samples, limits).iloc[0]
    assert row["ratio"] == pytest.approx(3.2)
    assert (row["upper"], row["limit_unit"]) == (pytest.approx(0.2), "mg/m3")


def test_missing_columns_are_named(limits: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="'value'"):
        assess_samples(_samples(("tsp", "24h", "2019-03-05", 1)).drop(columns="value"), limits)


def test_vectorised_equals_a_plain_loop() -> None:
    """Random samples against the bundled limits, checked one by one in plain Python."""
    limits = read_limits()
    binding = limits[limits["binding"]]
    keys = binding[["medium", "parameter", "averaging", "class"]].drop_duplicates()
    keys = keys[keys["class"] == ""].reset_index(drop=True)
    generator = np.random.default_rng(7)
    pick = generator.integers(0, len(keys), 500)
    samples = keys.iloc[pick].reset_index(drop=True).drop(columns="class")
    days = generator.integers(0, 16 * 365, 500)
    samples["time"] = pd.Timestamp("2009-01-01") + pd.to_timedelta(days, unit="D")
    samples["value"] = generator.lognormal(3, 1.5, 500)
    assessed = assess_samples(samples, limits)
    for position, sample in samples.iterrows():
        rows = binding[
            (binding["medium"] == sample["medium"])
            & (binding["parameter"] == sample["parameter"])
            & (binding["averaging"] == sample["averaging"])
            & (binding["valid_from"] <= sample["time"])
            & (binding["valid_to"].isna() | (sample["time"] < binding["valid_to"]))
            & (binding["class"] == "")  # a sample without a class: classed limits need one
        ]
        got = assessed.loc[position]
        if len(rows) != 1:
            assert got["compliance"] == "no-limit"
            continue
        lower, upper = rows.iloc[0]["lower"], rows.iloc[0]["upper"]
        value = sample["value"]
        ratios = [r for r in (value / upper, lower / value) if not math.isnan(r)]
        assert got["ratio"] == pytest.approx(max(ratios))
        assert got["exceeds"] == (value > upper or value < lower)


def test_bundled_limits_on_a_campaign() -> None:
    assessed = assess_samples(read_samples(DATA / "campaign.csv")).set_index("parameter")
    assert assessed.at["tsp", "ratio"] == pytest.approx(3.2)
    assert assessed.at["tsp", "standard"] == Q05_13
    assert assessed.at["do", "compliance"] == "exceeds"  # "<0.5" under the B1 minimum of 4
    assert assessed.at["pm2_5", "compliance"] == "complies"  # "<5" under 50
    assert assessed.at["cod", "compliance"] == "exceeds"  # ">400" over column B's 150
    assert assessed.at["pb", "ratio"] == pytest.approx(120 / 70)
    assert set(assessed["compliance"]) <= set(COMPLIANCE)


# --------------------------------------------------------------------- summaries
def _campaign() -> pd.DataFrame:
    return _samples(
        ("tsp", "24h", "2019-03-05", 640),  # 3.2, exceeds
        ("tsp", "24h", "2019-04-05", 300, "<"),  # undetermined, ratio at most 1.5
        ("tsp", "24h", "2019-05-05", 100),  # 0.5
        ("tsp", "24h", "2019-06-05", 200),  # 1.0
        ("tsp", "24h", "2020-03-05", 300),  # 1.5, exceeds
        ("pm10", "24h", "2019-03-05", 300),  # 2.0, exceeds
        ("pm10", "24h", "2019-03-05", 30),  # 0.2
        ("do", "grab", "2019-05-01", 2),  # 2.0, exceeds
    )


def test_summary_shares_and_ratios(limits: pd.DataFrame) -> None:
    assessed = assess_samples(_campaign(), limits)
    summary = summarise_exceedance(assessed, period="year")
    tsp = summary[(summary["parameter"] == "tsp") & (summary["period"] == "2019")].iloc[0]
    assert (tsp["samples"], tsp["assessed"], tsp["exceeding"], tsp["undetermined"]) == (4, 4, 1, 1)
    assert tsp["share"] == pytest.approx(0.25)
    assert tsp["censored"] == 1
    assert tsp["max_ratio"] == pytest.approx(3.2)
    # The censored ratio (at most 1.5) is left out of the mean: (3.2 + 0.5 + 1.0) / 3.
    assert tsp["mean_ratio"] == pytest.approx((3.2 + 0.5 + 1.0) / 3)
    assert (tsp["worst_standard"], tsp["worst_limit"], tsp["worst_bound"]) == (Q05_13, 200, "upper")
    assert (
        describe_exceedance(tsp) == "TSP 3.2 × the 24-hour limit of QCVN 05:2013/BTNMT (200 µg/m³)"
    )
    later = summary[(summary["parameter"] == "tsp") & (summary["period"] == "2020")].iloc[0]
    assert (later["samples"], later["exceeding"], later["share"]) == (1, 1, 1.0)
    pm10 = summary[summary["parameter"] == "pm10"].iloc[0]
    assert pm10["share"] == pytest.approx(0.5)
    assert pm10["guideline_exceeding"] == 1 and pm10["guideline_share"] == pytest.approx(0.5)


def test_summary_over_all_time_and_by_quarter(limits: pd.DataFrame) -> None:
    assessed = assess_samples(_campaign(), limits)
    whole = summarise_exceedance(assessed, ("cluster", "medium"), period=None)
    assert whole["samples"].tolist() == [7, 1]
    assert whole["exceeding"].tolist() == [3, 1]
    assert whole["share"].tolist() == pytest.approx([3 / 7, 1.0])
    quarters = summarise_exceedance(assessed, "parameter", period="quarter")
    assert quarters[quarters["parameter"] == "tsp"]["period"].tolist() == [
        "2019-Q1",
        "2019-Q2",
        "2020-Q1",
    ]
    with pytest.raises(ValueError, match="'nowhere'"):
        summarise_exceedance(assessed, ("nowhere",))


def test_worst_parameters(limits: pd.DataFrame) -> None:
    assessed = assess_samples(_campaign(), limits)
    worst = worst_parameters(assessed, by="cluster", n=2)
    # PM10 and DO both reach 2.0; DO exceeds in a larger share of its samples.
    assert worst["parameter"].tolist() == ["tsp", "do"]
    assert worst["rank"].tolist() == [1, 2]
    assert worst["description"].iloc[0].startswith("TSP 3.2 × the 24-hour limit")
    assert len(worst_parameters(assessed, by=None, n=5)) == 3


# --------------------------------------------------------------------- trends
def test_trend_signs_on_constructed_series(limits: pd.DataFrame) -> None:
    rows = []
    for year in range(2015, 2023):
        for month in (3, 6, 9):
            step = year - 2015
            rows.append(("tsp", "24h", f"{year}-{month:02d}-01", 100 + 20 * step, "", "rising"))
            rows.append(("tsp", "24h", f"{year}-{month:02d}-01", 400 - 30 * step, "", "falling"))
            rows.append(("tsp", "24h", f"{year}-{month:02d}-01", 150, "", "flat"))
            if year >= 2021:
                rows.append(("tsp", "24h", f"{year}-{month:02d}-01", 150, "", "short"))
    assessed = assess_samples(_samples(*rows), limits)
    trends = compute_trends(assessed).set_index("site")
    assert trends.at["rising", "slope_per_year"] == pytest.approx(20 / 200)
    assert trends.at["rising", "direction"] == "rising"
    assert trends.at["rising", "p_value"] < 0.01 and trends.at["rising", "tau"] == pytest.approx(
        1.0
    )
    assert trends.at["falling", "slope_per_year"] == pytest.approx(-30 / 200)
    assert trends.at["falling", "direction"] == "falling"
    assert trends.at["flat", "slope_per_year"] == 0.0
    assert trends.at["flat", "direction"] == "no trend"
    assert trends.at["short", "years"] == 2 and math.isnan(trends.at["short", "slope_per_year"])
    assert trends.at["rising", "years"] == 8
    values = compute_trends(assessed, measure="value").set_index("site")
    assert values.at["rising", "slope_per_year"] == pytest.approx(20.0)
