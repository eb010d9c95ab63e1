"""Benchmarking of plants against best practice, worked by hand.

The sample (tests/data/benchmarking/) is four electric-arc-furnace plants and a cement
plant reporting for 2022, against test benchmarks with round numbers (not published
values): EAF electricity best practice 350 kWh/t, typical 450 kWh/t; final energy best
practice 1.6 GJ/t and the physical minimum 360.8 kWh/t = 1.29888 GJ/t (heat to melt iron,
as in the bundled file); electrodes 1.5 kg/t; cement kiln fuel 2.9 GJ/t.

Factors, from src/ecocluster/data/recp/: net calorific values (calorific_values.csv) coal
26.7 GJ/t, fuel oil 40.4 GJ/t, natural gas 0.036 GJ/m3; emission factors
(emission_factors.csv, kg/TJ) with GWPs (gwp.csv: CH4 27.9, N2O 273): coal 98 300 CO2 +
10 CH4 + 1.5 N2O = 98 300 + 279 + 409.5 = 98 988.5 kg/TJ = 0.0989885 t/GJ; natural gas
56 100 + 27.9 + 27.3 = 56 155.2 kg/TJ = 0.0561552 t/GJ; Viet Nam's grid in 2022: 0.6766
tCO2/MWh.

Each plant, 2022 (electricity to GJ at 3.6 MJ/kWh):

* P1: 1 000 t; 450 000 kWh (36 000 USD) = 1 620 GJ; coal 30 t (4 005 USD) = 801 GJ;
  final energy 2 421 GJ; electrodes 2.5 t.
* P2: 2 000 t; 800 MWh (60 000 USD) = 800 000 kWh = 2 880 GJ; natural gas 20 000 m3 = 720 GJ
  (no cost given); final energy 3 600 GJ.
* P3 (written in Vietnamese): "sản lượng" 1.5 kt = 1 500 t; "điện" 825 000 kWh = 2 970 GJ;
  "dầu FO" 15 tấn = 606 GJ; final energy 3 576 GJ.
* P4: 500 t; 190 000 kWh = 684 GJ; "than đá" (coal) 10 t = 267 GJ; final energy 951 GJ;
  "điện cực" (electrodes) 1 t.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocluster.benchmarking import (
    PlantData,
    benchmark_plants,
    compute_intensities,
    draw_benchmark_curve,
    read_benchmarks,
    read_plants,
    summarise_sector,
    write_benchmark_curve,
)
from ecocluster.errors import InputError

DATA = Path(__file__).parent / "data" / "benchmarking"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
BUNDLED = Path(__file__).resolve().parents[1] / "src/ecocluster/data/benchmarks/benchmarks.csv"
GRID_2022 = 0.6766  # tCO2/MWh
COAL = 0.0989885  # tCO2e/GJ
GAS = 0.0561552  # tCO2e/GJ


@pytest.fixture(scope="module")
def marks() -> pd.DataFrame:
    return read_benchmarks(DATA / "benchmarks.csv")


@pytest.fixture(scope="module")
def data(marks: pd.DataFrame) -> PlantData:
    return read_plants(DATA / "plants.csv", DATA / "reports.csv", benchmarks=marks)


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    plants = pd.read_csv(DATA / "plants.csv", dtype=str, keep_default_na=False)
    reports = pd.read_csv(DATA / "reports.csv", dtype=str, keep_default_na=False)
    return plants, reports


def _with_p5(marks: pd.DataFrame) -> PlantData:
    """The sample plus P5: 800 t and 200 000 kWh (250 kWh/t) with no fuel, i.e. final energy
    200 000 x 0.0036 / 800 = 0.9 GJ/t, below the 1.29888 GJ/t needed to melt iron."""
    plants, reports = _tables()
    plants.loc[len(plants)] = ["P5", "Too Good Steel", "eaf_steel", "eaf", "Hà Nội"]
    extra = [["P5", "2022", "production", "800", "t", "", "", ""],
             ["P5", "2022", "electricity", "200000", "kWh", "", "", ""]]  # fmt: skip
    reports = pd.concat([reports, pd.DataFrame(extra, columns=reports.columns)])
    return read_plants(plants, reports, benchmarks=marks)


def _row(frame: pd.DataFrame, plant: str, indicator: str) -> pd.Series:
    rows = frame[(frame["plant"] == plant) & (frame["indicator"] == indicator)]
    assert len(rows) == 1
    return rows.iloc[0]


# --------------------------------------------------------------------- benchmarks
def test_benchmarks_in_canonical_units(marks: pd.DataFrame) -> None:
    minimum = marks[(marks["indicator"] == "final_energy") & (marks["level"] == "minimum")]
    # 360.8 kWh/t x 3.6 MJ/kWh = 1 298.88 MJ/t = 1.29888 GJ/t
    assert minimum["value_canonical"].iloc[0] == pytest.approx(1.29888)
    assert minimum["canonical_unit"].iloc[0] == "GJ/t"
    electrode = marks[marks["indicator"] == "electrode"].iloc[0]
    assert (electrode["value_canonical"], electrode["canonical_unit"]) == (1.5, "kg/t")


def test_bad_benchmarks_are_refused_together(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.csv"
    path.write_text(
        "sector,process,product,indicator,level,value,unit,boundary,source,notes\n"
        "eaf_steel,eaf,steel,electricity,best,300,kWh/t,,a source,\n"
        "eaf_steel,eaf,steel,electricity,typical,450,kWh,,a source,\n"
        "eaf_steel,eaf,steel,electrode,typical,two,kg/t,,a source,\n"
        "eaf_steel,eaf,steel,water,typical,2,kWh/t,,a source,\n"
        "eaf_steel,eaf,steel,oxygen,typical,40,m3/t,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_benchmarks(path)
    text = str(caught.value)
    assert "5 problems" in text
    for rule in ("[level]", "[unit]", "[number]", "[source]"):
        assert rule in text
    assert "row 3" in text and "'kWh' is not an amount of energy, mass or volume per tonne" in text
    assert "water is measured in m3/t" in text


def test_bundled_benchmarks_read_and_cite() -> None:
    if not BUNDLED.exists():
        pytest.skip("the bundled benchmarks are not written yet")
    bundled = read_benchmarks()
    assert len(bundled) > 0
    assert (bundled["source"].str.strip() != "").all()
    assert np.isfinite(bundled["value_canonical"]).all()
    assert set(bundled["level"]) <= {"best_practice", "typical", "minimum"}


# --------------------------------------------------------------------- intensities
def test_intensities_by_hand(data: PlantData) -> None:
    table = compute_intensities(data).set_index("plant")
    p1 = table.loc["P1"]
    assert p1["production_t"] == 1000
    assert p1["electricity_kwh_per_t"] == pytest.approx(450)  # 450 000 / 1 000
    assert p1["fuel_gj_per_t"] == pytest.approx(0.801)  # 30 t x 26.7 GJ/t / 1 000 t
    assert p1["final_energy_gj_per_t"] == pytest.approx(2.421)  # (1 620 + 801) / 1 000
    assert p1["electrode_kg_per_t"] == pytest.approx(2.5)  # 2 500 kg / 1 000 t
    # 450 MWh x 0.6766 + 801 GJ x 0.0989885 = 304.47 + 79.2897885 t
    assert p1["co2e_t"] == pytest.approx(450 * GRID_2022 + 801 * COAL)
    assert p1["energy_cost"] == pytest.approx(36_000 + 4_005)
    assert p1["grid_year"] == 2022
    p2 = table.loc["P2"]
    assert p2["electricity_kwh"] == pytest.approx(800_000)  # 800 MWh
    assert p2["final_energy_gj_per_t"] == pytest.approx(1.8)  # (2 880 + 720) / 2 000
    assert p2["co2e_t"] == pytest.approx(800 * GRID_2022 + 720 * GAS)
    assert math.isnan(p2["energy_cost"])  # the gas has no cost: no total
    p3 = table.loc["P3"]  # Vietnamese flows and units: sản lượng 1.5 kt, điện, dầu FO 15 tấn
    assert p3["production_t"] == pytest.approx(1500)
    assert p3["electricity_kwh_per_t"] == pytest.approx(550)  # 825 000 / 1 500
    assert p3["final_energy_gj_per_t"] == pytest.approx(2.384)  # (2 970 + 606) / 1 500
    p4 = table.loc["P4"]
    assert p4["final_energy_gj_per_t"] == pytest.approx(1.902)  # (684 + 267) / 500
    assert p4["electrode_kg_per_t"] == pytest.approx(2.0)  # 1 t = 1 000 kg / 500 t
    assert math.isnan(table.loc["P2", "electrode_kg_per_t"])  # not reported is not zero
    # the cement plant reports coal only: 12 000 t x 26.7 = 320 400 GJ / 100 000 t
    c1 = table.loc["C1"]
    assert c1["fuel_gj_per_t"] == pytest.approx(3.204)
    assert math.isnan(c1["electricity_kwh"]) and math.isnan(c1["final_energy_gj"])
    assert table["plausible"].all() and (table["flags"] == "").all()


# --------------------------------------------------------------------- benchmarking
def test_electricity_against_best_practice_and_peers(data: PlantData) -> None:
    out = benchmark_plants(data, indicators=["electricity"])
    assert set(out["plant"]) == {"P1", "P2", "P3", "P4"}
    # Intensities 450, 400, 550, 380 kWh/t; sorted 380 (P4), 400 (P2), 450 (P1), 550 (P3):
    # the share of the 4 plants at or below each plant's own.
    percentiles = {"P4": 25.0, "P2": 50.0, "P1": 75.0, "P3": 100.0}
    # numpy's linear 25th percentile: position 0.25 x (4 - 1) = 0.75 between 380 and 400,
    # 380 + 0.75 x 20 = 395 kWh/t.
    for plant, intensity, eei, best, quartile in (
        ("P1", 450, 100 * 450 / 350, (450 - 350) * 1000, (450 - 395) * 1000),  # 100 000, 55 000
        ("P2", 400, 100 * 400 / 350, (400 - 350) * 2000, (400 - 395) * 2000),  # 100 000, 10 000
        ("P3", 550, 100 * 550 / 350, (550 - 350) * 1500, (550 - 395) * 1500),  # 300 000, 232 500
        ("P4", 380, 100 * 380 / 350, (380 - 350) * 500, 0),  # 15 000, below the quartile: 0
    ):
        row = _row(out, plant, "electricity")
        assert row["intensity"] == pytest.approx(intensity)
        assert row["eei"] == pytest.approx(eei)  # P1: 128.57
        assert row["percentile"] == percentiles[plant]
        assert row["top_quartile"] == pytest.approx(395)
        assert row["n_plants"] == 4
        assert row["saving_to_best"] == pytest.approx(best)
        assert row["saving_to_top_quartile"] == pytest.approx(quartile)
        assert row["saving_to_best_gj"] == pytest.approx(best * 0.0036)
        assert row["saving_to_best_co2e_t"] == pytest.approx(best / 1000 * GRID_2022)
        assert row["unit"] == "kWh/t" and row["typical"] == 450
        assert row["source"] == "test value A (round number)"
    # Money at the plant's own price: P1 36 000 / 450 000 = 0.08 USD/kWh, P2 60 000 / 800 000
    # = 0.075 USD/kWh; P3 gave no cost.
    assert _row(out, "P1", "electricity")["saving_to_best_money"] == pytest.approx(8_000)
    assert _row(out, "P1", "electricity")["saving_to_top_quartile_money"] == pytest.approx(4_400)
    assert _row(out, "P2", "electricity")["saving_to_best_money"] == pytest.approx(7_500)
    assert math.isnan(_row(out, "P3", "electricity")["saving_to_best_money"])
    assert out.attrs["currency"] == "USD"


def test_final_energy_against_best_practice(data: PlantData) -> None:
    out = benchmark_plants(data, year=2022, indicators=["final_energy"])
    # 1.8 (P2), 1.902 (P4), 2.384 (P3), 2.421 (P1): quartile 1.8 + 0.75 x 0.102 = 1.8765
    p1 = _row(out, "P1", "final_energy")
    assert p1["top_quartile"] == pytest.approx(1.8765)
    assert p1["eei"] == pytest.approx(151.3125)  # 100 x 2.421 / 1.6
    assert p1["percentile"] == 100
    assert p1["saving_to_best"] == pytest.approx(821)  # (2.421 - 1.6) x 1 000 GJ
    assert p1["saving_to_top_quartile"] == pytest.approx(544.5)  # (2.421 - 1.8765) x 1 000
    # money at P1's average price of energy, 40 005 USD / 2 421 GJ; CO2e at its average
    # 383.7597885 t / 2 421 GJ
    assert p1["saving_to_best_money"] == pytest.approx(821 * 40_005 / 2421)
    co2e = 450 * GRID_2022 + 801 * COAL
    assert p1["saving_to_best_co2e_t"] == pytest.approx(821 * co2e / 2421)
    assert _row(out, "P2", "final_energy")["percentile"] == 25
    assert _row(out, "P4", "final_energy")["saving_to_top_quartile"] == pytest.approx(12.75)


def test_sector_summary_sums(data: PlantData) -> None:
    summary = summarise_sector(benchmark_plants(data)).set_index(["sector", "indicator"])
    electricity = summary.loc[("eaf_steel", "electricity")]
    assert electricity["plants"] == 4 and electricity["plants_excluded"] == 0
    assert electricity["production_t"] == pytest.approx(5000)  # 1 000 + 2 000 + 1 500 + 500
    # 450 000 + 800 000 + 825 000 + 190 000 = 2 265 000 kWh over 5 000 t = 453 kWh/t
    assert electricity["quantity"] == pytest.approx(2_265_000)
    assert electricity["intensity"] == pytest.approx(453)
    assert electricity["eei"] == pytest.approx(100 * 453 / 350)
    assert electricity["saving_to_best"] == pytest.approx(515_000)  # 100k+100k+300k+15k
    assert electricity["saving_to_top_quartile"] == pytest.approx(297_500)  # 55k+10k+232.5k
    assert electricity["saving_to_best_co2e_t"] == pytest.approx(515 * GRID_2022)
    # money: only P1 (8 000) and P2 (7 500) are priced
    assert electricity["saving_to_best_money"] == pytest.approx(15_500)
    assert electricity["plants_priced"] == 2
    final = summary.loc[("eaf_steel", "final_energy")]
    # 2 421 + 3 600 + 3 576 + 951 = 10 548 GJ; less 1.6 x 5 000 = 2 548 GJ to best practice
    assert final["quantity"] == pytest.approx(10_548)
    assert final["saving_to_best"] == pytest.approx(2_548)
    assert final["saving_to_top_quartile"] == pytest.approx(544.5 + 761.25 + 12.75)
    cement = summary.loc[("cement", "fuel")]
    # one plant: 3.204 GJ/t against 2.9: (3.204 - 2.9) x 100 000 t = 30 400 GJ
    assert cement["saving_to_best"] == pytest.approx(30_400)
    assert cement["eei"] == pytest.approx(100 * 3.204 / 2.9)


def test_implausible_plant_flagged_and_left_out(marks: pd.DataFrame) -> None:
    data = _with_p5(marks)
    table = compute_intensities(data).set_index("plant")
    assert not table.loc["P5", "plausible"]
    flags = table.loc["P5", "flags"]
    assert "final energy 0.9 GJ/t is below the physical minimum 1.299 GJ/t of eaf_steel" in flags
    assert "NIST-JANAF" in flags
    out = benchmark_plants(data, indicators=["electricity"])
    p5 = _row(out, "P5", "electricity")
    assert p5["intensity"] == pytest.approx(250) and not p5["plausible"]
    assert math.isnan(p5["percentile"])
    # the other four are ranked, counted and quartiled as without P5
    assert (out["n_plants"] == 4).all()
    assert out["top_quartile"].to_numpy() == pytest.approx([395] * 5)
    assert _row(out, "P4", "electricity")["percentile"] == 25
    summary = summarise_sector(out).iloc[0]
    assert (summary["plants"], summary["plants_excluded"]) == (4, 1)
    assert summary["production_t"] == pytest.approx(5000)


# --------------------------------------------------------------------- bad input
def _refusal(plants: pd.DataFrame, reports: pd.DataFrame, marks: pd.DataFrame) -> str:
    with pytest.raises(InputError) as caught:
        read_plants(plants, reports, benchmarks=marks)
    return str(caught.value)


def test_inconsistent_units_refused(marks: pd.DataFrame) -> None:
    plants, reports = _tables()
    reports.loc[1, "unit"] = "t"  # P1 electricity in tonnes
    reports.loc[0, "unit"] = "kWh"  # P1 production in kWh
    reports.loc[3, "unit"] = "kWh"  # P1 electrodes in kWh
    text = _refusal(plants, reports, marks)
    assert "3 problems" in text and text.count("[unit]\n") == 3
    assert "electricity cannot be given in 't'; use a unit of energy" in text
    assert "production is measured in tonnes (t or kt), not 'kWh'" in text
    assert "electrode is measured in mass (e.g. kg), not 'kWh'" in text
    assert "reports table, row 3, column 'unit'" in text  # spreadsheet row of P1 electricity


def test_every_problem_listed_at_once(marks: pd.DataFrame, tmp_path: Path) -> None:
    plants, reports = _tables()
    plants.loc[4, "Sector"] = "shipbuilding"  # C1; the header is capitalised
    reports.loc[4, "quantity"] = "0"  # P2 production
    reports.loc[6, "quantity"] = "-20000"  # P2 natural gas
    reports.loc[12, "flow"] = "unobtainium"  # P4 coal
    reports.loc[13, "year"] = "22"
    extra = [["P9", "2022", "production", "10", "t", "", "", ""],
             ["P1", "2022", "điện", "1", "kWh", "", "", ""],
             ["P4", "2023", "electricity", "1", "kWh", "", "", ""]]  # fmt: skip
    reports = pd.concat([reports, pd.DataFrame(extra, columns=reports.columns)])
    plants.to_csv(tmp_path / "plants.csv", index=False)
    reports.to_csv(tmp_path / "reports.csv", index=False)
    with pytest.raises(InputError) as caught:
        read_plants(tmp_path / "plants.csv", tmp_path / "reports.csv", benchmarks=marks)
    text = str(caught.value)
    for rule in ("unknown-sector", "zero-production", "negative", "unknown-flow", "year",
                 "unknown-plant", "duplicate", "missing-production"):  # fmt: skip
        assert f"[{rule}]" in text, rule
    assert caught.value.file == str(tmp_path / "plants.csv")  # first problem: the plants
    assert "sector 'shipbuilding' has no benchmarks; use one of cement, eaf_steel" in text
    assert "flow 'điện' is given twice for this plant and year (first at row 3)" in text


def test_dataframes_and_xlsx_read_alike(marks: pd.DataFrame, tmp_path: Path) -> None:
    plants, reports = _tables()
    numbers = reports.assign(quantity=pd.to_numeric(reports["quantity"]))
    from_frames = read_plants(plants, numbers, benchmarks=marks)
    numbers.to_excel(tmp_path / "reports.xlsx", index=False)
    from_xlsx = read_plants(DATA / "plants.csv", tmp_path / "reports.xlsx", benchmarks=marks)
    columns = ["plant", "year", "flow", "amount", "co2e_t"]
    pd.testing.assert_frame_equal(from_frames.reports[columns], from_xlsx.reports[columns])
    assert from_xlsx.reports["amount"].sum() == pytest.approx(
        read_plants(DATA / "plants.csv", DATA / "reports.csv", benchmarks=marks)
        .reports["amount"]
        .sum()
    )


# --------------------------------------------------------------------- the curve
def test_benchmark_curve_png(marks: pd.DataFrame) -> None:
    out = benchmark_plants(_with_p5(marks))
    figure = draw_benchmark_curve(out, "eaf_steel", "electricity", title="EAF electricity")
    axes = figure.axes[0]
    # five bars (P5 hatched) spanning 800 + 500 + 2 000 + 1 000 + 1 500 t of production
    assert len(axes.patches) == 5 and axes.get_xlim() == pytest.approx((0, 5800))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "benchmark-curve.png"
    path.unlink(missing_ok=True)
    write_benchmark_curve(out, "eaf_steel", "electricity", path, title="EAF electricity, 2022")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert 20_000 < len(data) < 1_000_000
    with pytest.raises(InputError, match="no benchmarked plant"):
        draw_benchmark_curve(out, "cement", "electricity")
