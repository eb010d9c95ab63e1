"""Tests of the standards tables and `attach_limits`.

Known limits are looked up through `attach_limits`, the way the monitoring module will, so
that a test fails if a value, its dates or its class are wrong. Each test's docstring says
where the value is published; the full list of sources is in
``src/ecocluster/data/standards/README.md``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocluster.errors import InputError
from ecocluster.standards import (
    AVERAGING,
    MEDIA,
    OUTPUT_COLUMNS,
    attach_limits,
    match_parameter,
    read_limits,
    read_parameters,
    standard_family,
)

DATA = Path(__file__).parent / "data" / "standards"


@pytest.fixture(scope="module")
def limits() -> pd.DataFrame:
    return read_limits()


def _one(
    limits: pd.DataFrame,
    medium: str,
    parameter: str,
    averaging: str,
    when: str,
    cls: str | None = None,
) -> pd.Series:
    """The row `attach_limits` gives a single sample."""
    sample = pd.DataFrame(
        {
            "medium": [medium],
            "parameter": [parameter],
            "averaging": [averaging],
            "class": [cls],
            "time": pd.to_datetime([when]),
        }
    )
    return attach_limits(sample, limits).iloc[0]


def _check(row: pd.Series, standard: str, upper: float | None, lower: float | None = None) -> None:
    """The limit, its standard, and a citation naming the standard and its table."""
    assert row["standard"] == standard
    assert row["upper"] == upper if upper is not None else np.isnan(row["upper"])
    assert row["lower"] == lower if lower is not None else np.isnan(row["lower"])
    citation = str(row["citation"])
    assert citation.startswith(standard) and "Table 1" in citation
    assert pd.isna(row["limit_note"])


# --------------------------------------------------------------------- one test per table
def test_qcvn_05_2009_ambient_air(limits: pd.DataFrame) -> None:
    """QCVN 05:2009/BTNMT Table 1 (xulykhithai.edu.vn; English copy on hethongphapluat.com).

    TSP annual 140 µg/m³ (row 5), SO2 1-hour 350 (row 1), O3 1-hour 180 (row 4).
    """
    _check(_one(limits, "ambient_air", "tsp", "year", "2012-06-01"), "QCVN 05:2009/BTNMT", 140)
    _check(_one(limits, "ambient_air", "so2", "1h", "2011-03-01"), "QCVN 05:2009/BTNMT", 350)
    _check(_one(limits, "ambient_air", "o3", "1h", "2013-07-01"), "QCVN 05:2009/BTNMT", 180)


def test_qcvn_05_2013_ambient_air(limits: pd.DataFrame) -> None:
    """QCVN 05:2013/BTNMT Table 1 (arc.org.vn; English copy, 123docz document 3552983).

    TSP 24-hour 200 µg/m³ (row 5), SO2 1-hour 350 (row 1), PM2.5 annual 25 (row 7),
    CO 8-hour 10000 (row 2).
    """
    _check(_one(limits, "ambient_air", "tsp", "24h", "2018-05-01"), "QCVN 05:2013/BTNMT", 200)
    _check(_one(limits, "ambient_air", "so2", "1h", "2018-05-01"), "QCVN 05:2013/BTNMT", 350)
    _check(_one(limits, "ambient_air", "pm2_5", "year", "2020-01-01"), "QCVN 05:2013/BTNMT", 25)
    _check(_one(limits, "ambient_air", "co", "8h", "2016-01-01"), "QCVN 05:2013/BTNMT", 10000)


def test_qcvn_08_mt_2015_surface_water(limits: pd.DataFrame) -> None:
    """QCVN 08-MT:2015/BTNMT Table 1, columns A1 and B1 (qcvn.com.vn).

    BOD5 B1 15 mg/L (row 2), dissolved oxygen A1 at least 6 mg/L (row 4), pH B1 5.5-9
    (row 1), ammonium B1 0.9 mg/L (row 6).
    """
    standard = "QCVN 08-MT:2015/BTNMT"
    _check(_one(limits, "surface_water", "bod5", "grab", "2019-04-01", "B1"), standard, 15)
    _check(_one(limits, "surface_water", "do", "grab", "2019-04-01", "A1"), standard, None, 6)
    _check(_one(limits, "surface_water", "ph", "grab", "2019-04-01", "B1"), standard, 9, 5.5)
    _check(_one(limits, "surface_water", "nh4_n", "grab", "2017-01-01", "B1"), standard, 0.9)


def test_qcvn_08_2023_surface_water(limits: pd.DataFrame) -> None:
    """QCVN 08:2023/BTNMT Table 1 (thuvienphapluat.vn; ungphosuco.vn).

    Ammonium 0.3 mg/L (row 2), cadmium 0.005 mg/L (row 7); one column, so any class.
    """
    standard = "QCVN 08:2023/BTNMT"
    _check(_one(limits, "surface_water", "nh4_n", "grab", "2024-03-01"), standard, 0.3)
    _check(_one(limits, "surface_water", "cd", "grab", "2024-03-01", "B1"), standard, 0.005)


def test_qcvn_09_mt_2015_groundwater(limits: pd.DataFrame) -> None:
    """QCVN 09-MT:2015/BTNMT Table 1 (bksky.com.vn; arc.org.vn; bachvietdongnai.com).

    Arsenic 0.05 mg/L (row 12), pH 5.5-8.5 (row 1), coliforms 3 per 100 mL (row 31).
    """
    standard = "QCVN 09-MT:2015/BTNMT"
    _check(_one(limits, "groundwater", "as", "grab", "2020-01-01"), standard, 0.05)
    _check(_one(limits, "groundwater", "ph", "grab", "2020-01-01"), standard, 8.5, 5.5)
    _check(_one(limits, "groundwater", "coliform", "grab", "2020-01-01"), standard, 3)


def test_qcvn_40_2011_industrial_wastewater(limits: pd.DataFrame) -> None:
    """QCVN 40:2011/BTNMT Table 1, values of C (qcvn.com.vn; column B also in an industrial
    zone's limits, scribd document 700244009).

    COD column B 150 mg/L (row 5), BOD5 column A 30 mg/L (row 4), lead column B 0.5 mg/L
    (row 9). The rows hold C: the permitted maximum is C x Kq x Kf.
    """
    standard = "QCVN 40:2011/BTNMT"
    _check(_one(limits, "wastewater", "cod", "grab", "2015-01-01", "B"), standard, 150)
    _check(_one(limits, "wastewater", "bod5", "grab", "2015-01-01", "A"), standard, 30)
    row = _one(limits, "wastewater", "pb", "grab", "2015-01-01", "B")
    _check(row, standard, 0.5)
    note = limits.loc[(limits["standard"] == standard) & (limits["parameter"] == "cod"), "note"]
    assert note.str.contains("Kq").all()


def test_qcvn_26_2010_noise(limits: pd.DataFrame) -> None:
    """QCVN 26:2010/BTNMT Table 1 (English copy, scribd document 680949488).

    Normal area 6h-21h 70 dBA, special area 21h-6h 45 dBA.
    """
    standard = "QCVN 26:2010/BTNMT"
    _check(_one(limits, "noise", "noise_leq", "day_6_21", "2016-01-01", "normal"), standard, 70)
    _check(_one(limits, "noise", "noise_leq", "night_21_6", "2016-01-01", "special"), standard, 45)


def test_qcvn_03_mt_2015_soil(limits: pd.DataFrame) -> None:
    """QCVN 03-MT:2015/BTNMT Table 1 (arc.org.vn; luatvn.net).

    Lead on agricultural land 70 mg/kg (row 3), arsenic on industrial land 25 mg/kg (row 1).
    """
    standard = "QCVN 03-MT:2015/BTNMT"
    _check(_one(limits, "soil", "pb", "grab", "2019-01-01", "agricultural"), standard, 70)
    _check(_one(limits, "soil", "as", "grab", "2019-01-01", "industrial"), standard, 25)


def test_qcvn_03_2023_soil(limits: pd.DataFrame) -> None:
    """QCVN 03:2023/BTNMT limit table (thuvienphapluat.vn, 2023-11-02).

    Cadmium on type 1 land 4 mg/kg (row 1), lead on type 3 land 700 mg/kg (row 5).
    """
    standard = "QCVN 03:2023/BTNMT"
    _check(_one(limits, "soil", "cd", "grab", "2024-01-01", "type_1"), standard, 4)
    _check(_one(limits, "soil", "pb", "grab", "2024-01-01", "type_3"), standard, 700)


def test_who_guidelines(limits: pd.DataFrame) -> None:
    """WHO air quality guidelines: global update 2005 (who.int), global 2021 (airclim.org).

    PM2.5 annual 10 µg/m³ (2005) and 5 (2021); PM10 24-hour 50 (2005) and 45 (2021).
    """
    for when, pm25, pm10, edition in (
        ("2015-01-01", 10, 50, "2005"),
        ("2022-01-01", 5, 45, "2021"),
    ):
        row = _one(limits, "ambient_air", "pm2_5", "year", when)
        assert (row["guideline_standard"], row["guideline_upper"]) == (f"WHO AQG {edition}", pm25)
        assert (
            str(row["guideline_citation"]).startswith("WHO")
            and edition in row["guideline_citation"]
        )
        row = _one(limits, "ambient_air", "pm10", "24h", when)
        assert (row["guideline_standard"], row["guideline_upper"]) == (f"WHO AQG {edition}", pm10)
    assert limits.loc[limits["authority"] == "WHO", "binding"].eq(False).all()


# --------------------------------------------------------------------- editions and classes
def test_edition_switches_on_the_day_the_successor_takes_effect(limits: pd.DataFrame) -> None:
    """QCVN 05:2013 took effect on 2014-01-01: annual TSP 140 (2009) becomes 100 (2013)."""
    samples = pd.DataFrame(
        {
            "medium": "ambient_air",
            "parameter": "tsp",
            "averaging": "year",
            "time": pd.to_datetime(
                ["2012-06-01 00:00", "2013-12-31 23:59", "2014-01-01 00:00", "2014-06-01 00:00"]
            ),
        }
    )
    out = attach_limits(samples, limits)
    assert out["standard"].tolist() == ["QCVN 05:2009/BTNMT"] * 2 + ["QCVN 05:2013/BTNMT"] * 2
    assert out["upper"].tolist() == [140, 140, 100, 100]


def test_time_zone_aware_times_are_read_in_viet_nam(limits: pd.DataFrame) -> None:
    """18:00 UTC on 31 December 2013 is already 2014 in Hanoi."""
    samples = pd.DataFrame(
        {
            "medium": ["ambient_air"],
            "parameter": ["tsp"],
            "averaging": ["year"],
            "time": pd.to_datetime(["2013-12-31 18:00"]).tz_localize("UTC"),
        }
    )
    assert attach_limits(samples, limits)["standard"].iloc[0] == "QCVN 05:2013/BTNMT"


def test_guideline_edition_of_the_samples_day(limits: pd.DataFrame) -> None:
    """None before the 2005 guidelines were published (2006-10-05), then 2005, then 2021."""
    times = ["2006-10-04", "2006-10-05", "2021-09-21", "2021-09-22"]
    samples = pd.DataFrame(
        {
            "medium": "ambient_air",
            "parameter": "pm2_5",
            "averaging": "year",
            "time": pd.to_datetime(times),
        }
    )
    out = attach_limits(samples, limits)
    assert out["guideline_standard"].tolist()[1:] == [
        "WHO AQG 2005",
        "WHO AQG 2005",
        "WHO AQG 2021",
    ]
    assert pd.isna(out["guideline_standard"].iloc[0])
    assert out["guideline_upper"].tolist()[1:] == [10, 10, 5]


def test_a_classed_standard_needs_a_class(limits: pd.DataFrame) -> None:
    """No class: no limit, and a note naming the classes; ``classes`` gives a default."""
    samples = pd.DataFrame(
        {
            "medium": ["surface_water", "surface_water", "surface_water", "wastewater"],
            "parameter": ["bod5", "bod5", "bod5", "cod"],
            "averaging": "grab",
            "class": [None, "b1", "B2", None],
            "time": pd.to_datetime(["2019-01-01"] * 4),
        }
    )
    out = attach_limits(samples, limits)
    assert np.isnan(out["upper"].iloc[0])
    assert "class needed" in out["limit_note"].iloc[0] and "A1, B1" in out["limit_note"].iloc[0]
    assert out["upper"].iloc[1] == 15 and out["limit_class"].iloc[1] == "B1"
    assert "no limit for class 'B2'" in out["limit_note"].iloc[2]
    assert "class needed" in out["limit_note"].iloc[3]
    defaulted = attach_limits(samples, limits, classes={"surface_water": "B1", "wastewater": "B"})
    upper = defaulted["upper"].tolist()
    assert (upper[0], upper[1], upper[3]) == (15, 15, 150)
    assert np.isnan(upper[2])  # an explicit class wins over the default


def test_samples_without_a_limit_say_why(limits: pd.DataFrame) -> None:
    samples = pd.DataFrame(
        {
            "medium": ["ambient_air", "ambient_air", "ambient_air", "sky", "ambient_air"],
            "parameter": ["no2", "dust", "so2", "so2", "tsp"],
            "averaging": ["1h", "1h", "10min", "1h", "year"],
            "time": pd.to_datetime(["2005-01-01", "2015-01-01", "2015-01-01", "2015-01-01", None]),
        }
    )
    notes = attach_limits(samples, limits)["limit_note"].tolist()
    assert notes == [
        "no limit in the table in force at the sample's time",
        "unknown parameter 'dust'",
        "no limit in the table for this medium, parameter and averaging",
        "unknown medium 'sky'",
        "the sample has no time",
    ]


def test_attach_limits_matches_a_row_by_row_reference(limits: pd.DataFrame) -> None:
    """The vectorised lookup agrees with a plain loop over every sample."""
    rng = np.random.default_rng(7)
    keys = limits[["medium", "parameter", "averaging", "class"]].drop_duplicates()
    samples = keys.iloc[rng.integers(0, len(keys), 3000)].reset_index(drop=True)
    samples.loc[rng.random(3000) < 0.2, "class"] = None
    days = rng.integers(0, 20 * 365, 3000)
    samples["time"] = pd.Timestamp("2007-01-01") + pd.to_timedelta(days, unit="D")
    samples = samples.astype({c: "category" for c in ("medium", "parameter", "class")})
    out = attach_limits(samples, limits)
    rows: dict[tuple[str, str, str], list[pd.Series]] = {}
    for _, r in limits[limits["binding"]].iterrows():
        rows.setdefault((r["medium"], r["parameter"], r["averaging"]), []).append(r)
    for i, s in samples.iterrows():
        cls = s["class"] if isinstance(s["class"], str) else ""
        match = [
            r["upper"]
            for r in rows.get((s["medium"], s["parameter"], s["averaging"]), [])
            if r["class"] in ("", cls)
            and r["valid_from"] <= s["time"]
            and (pd.isna(r["valid_to"]) or s["time"] < r["valid_to"])
        ]
        expected = match[0] if len(match) == 1 else np.nan
        got = out.at[i, "upper"]
        assert got == expected or (np.isnan(expected) and np.isnan(got)), (i, s.to_dict())


# --------------------------------------------------------------------- the bundled tables
def test_bundled_tables_are_consistent(limits: pd.DataFrame) -> None:
    params = read_parameters()
    assert set(limits["medium"]) <= set(MEDIA) and set(limits["averaging"]) <= set(AVERAGING)
    assert (limits["citation"].str.len() > 0).all()
    national = limits[limits["binding"]]
    assert (national.apply(lambda r: r["citation"].startswith(r["standard"]), axis=1)).all()
    assert national["citation"].str.contains("Table 1").all()
    for text in (*params["label_vi"], *params["aliases"]):
        assert text == unicodedata.normalize("NFC", text)
    gases = params.loc[["so2", "co", "no2", "o3"], "molar_mass_g_per_mol"]
    assert gases.round(0).tolist() == [64, 28, 46, 48]
    assert params.at["pb", "units"] == {
        "ambient_air": "ug/m^3",
        "surface_water": "mg/L",
        "groundwater": "mg/L",
        "wastewater": "mg/L",
        "soil": "mg/kg",
    }


def test_standard_family() -> None:
    assert standard_family("QCVN 08-MT:2015/BTNMT") == standard_family("QCVN 08:2023/BTNMT")
    assert standard_family("QCVN 05:2013/BTNMT") == "QCVN 05/BTNMT"
    assert standard_family("WHO AQG 2005") == standard_family("WHO AQG 2021") == "WHO AQG"


def test_match_parameter() -> None:
    nfd = unicodedata.normalize("NFD", "Bụi TSP")
    assert {match_parameter(n) for n in ("Bụi TSP", "BUI TSP", nfd, "tsp", "Tổng bụi lơ lửng")} == {
        "tsp"
    }
    assert match_parameter("Amoni (NH4+ tính theo N)") == "nh4_n"
    assert match_parameter("NO2", medium="ambient_air") == "no2"
    assert match_parameter("NO2-", medium="surface_water") == "no2_n"
    with pytest.raises(InputError) as ambiguous:
        match_parameter("NO2")
    assert ambiguous.value.rule == "ambiguous-parameter"
    with pytest.raises(InputError) as unknown:
        match_parameter("unobtainium")
    assert unknown.value.rule == "unknown-parameter"


# --------------------------------------------------------------------- bad input
def test_a_users_table_is_read_and_used() -> None:
    own = read_limits(DATA / "good.csv")
    assert own.loc[4, "lower"] == 5.5  # written with a decimal comma
    sample = pd.DataFrame(
        {
            "medium": ["surface_water"],
            "parameter": ["ph"],
            "averaging": ["grab"],
            "class": ["B1"],
            "time": pd.to_datetime(["2021-01-01"]),
        }
    )
    row = attach_limits(sample, own).iloc[0]
    assert (row["standard"], row["lower"], row["upper"]) == ("Local rule 2020", 5.5, 9)


@pytest.mark.parametrize(
    ("name", "row", "column", "rule"),
    [
        ("bad_no_citation_column.csv", 1, "citation", "missing-column"),
        ("bad_missing_citation.csv", 2, "citation", "missing-citation"),
        ("bad_missing_standard.csv", 2, "standard", "missing-standard"),
        ("bad_missing_authority.csv", 2, "authority", "missing-authority"),
        ("bad_binding.csv", 2, "binding", "binding"),
        ("bad_unknown_medium.csv", 2, "medium", "unknown-medium"),
        ("bad_unknown_parameter.csv", 2, "parameter", "unknown-parameter"),
        ("bad_parameter_medium.csv", 2, "parameter", "parameter-medium"),
        ("bad_unit.csv", 2, "unit", "unit"),
        ("bad_unknown_averaging.csv", 2, "averaging", "unknown-averaging"),
        ("bad_class.csv", 2, "class", "class"),
        ("bad_number.csv", 2, "upper", "upper-number"),
        ("bad_no_limit.csv", 2, "upper", "no-limit"),
        ("bad_lower_above_upper.csv", 2, "lower", "lower-above-upper"),
        ("bad_valid_from.csv", 2, "valid_from", "valid_from-date"),
        ("bad_valid_to.csv", 2, "valid_to", "valid_to-date"),
        ("bad_date_order.csv", 2, "valid_to", "date-order"),
        ("bad_overlap.csv", 3, "valid_from", "overlap"),
    ],
)
def test_read_limits_refuses_bad_rows(name: str, row: int, column: str, rule: str) -> None:
    path = DATA / name
    with pytest.raises(InputError) as caught:
        read_limits(path)
    error = caught.value
    assert (error.file, error.row, error.column, error.rule) == (str(path), row, column, rule)


def test_read_limits_lists_every_problem_at_once() -> None:
    with pytest.raises(InputError) as caught:
        read_limits(DATA / "bad_many.csv")
    message = str(caught.value)
    assert "3 problems" in message
    for rule in ("[missing-citation]", "[unknown-averaging]", "[unknown-medium]"):
        assert rule in message


def test_read_parameters_refuses_a_bad_table() -> None:
    with pytest.raises(InputError) as caught:
        read_parameters(DATA / "parameters_bad.csv")
    message = str(caught.value)
    for rule in (
        "[id]",
        "[duplicate]",
        "[ambiguous-alias]",
        "[unit]",
        "[unknown-medium]",
        "[number]",
    ):
        assert rule in message


def test_attach_limits_refuses_bad_samples(limits: pd.DataFrame) -> None:
    good = pd.DataFrame(
        {
            "medium": ["ambient_air"],
            "parameter": ["tsp"],
            "averaging": ["24h"],
            "time": pd.to_datetime(["2020-01-01"]),
        }
    )
    cases = [
        (good.drop(columns="averaging"), {}, "missing-column"),
        (good.assign(time=["2020-01-01"]), {}, "time-type"),
        (good.assign(upper=1.0), {}, "column-clash"),
        (good, {"classes": {"river": "B1"}}, "classes"),
    ]
    for samples, options, rule in cases:
        with pytest.raises(InputError) as caught:
            attach_limits(samples, limits, **options)
        assert caught.value.rule == rule
    assert set(OUTPUT_COLUMNS) <= set(attach_limits(good, limits).columns)
    assert attach_limits(good.iloc[:0], limits).empty
