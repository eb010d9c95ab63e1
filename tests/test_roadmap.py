"""Efficiency measures, cost of conserved energy, supply curves and adoption (roadmap.py).

Numbers are worked by hand from ``tests/data/roadmap/measures.csv`` (made-up test values,
not published data). Capital recovery factors at 10%:
CRF(20 y) = 0.1 × 1.1^20 / (1.1^20 − 1) = 0.1 × 6.727500 / 5.727500 = 0.117460;
CRF(10 y) = 0.162745; CRF(15 y) = 0.131474.

The supply-curve PNG goes to ``test-artifacts/supply-curve.png`` for a person to look at.
"""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from ecocluster.errors import InputError
from ecocluster.roadmap import (
    adoption_totals,
    compute_adoption,
    compute_cce,
    compute_supply_curve,
    draw_supply_curve,
    read_measures,
    read_roadmap,
    write_supply_curve,
)

DATA = Path(__file__).parent / "data" / "roadmap"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
HEADER = (
    "sector,measure,label,process,carrier,saving,saving_unit,investment,investment_unit,"
    "om_cost,om_cost_unit,lifetime_years,applicability,cost_year,source,notes\n"
)


@pytest.fixture(scope="module")
def measures() -> pd.DataFrame:
    return read_measures(DATA / "measures.csv")


def _cce(measures: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    return compute_cce(measures, **kwargs).set_index("measure")  # type: ignore[arg-type]


# --------------------------------------------------------------------- reading
def test_measures_are_read_with_canonical_savings(measures: pd.DataFrame) -> None:
    table = measures.set_index("measure")
    assert list(table.index) == ["preheat", "vsd", "transformer", "oxyfuel", "ladle_cover"]
    # 50 kWh/t × 3.6 MJ/kWh = 0.18 GJ/t; 0.5 GJ/t = 138.889 kWh/t
    assert table.loc["preheat", "saving_gj_per_t"] == pytest.approx(0.18)
    assert table.loc["transformer", "saving_kwh_per_t"] == pytest.approx(500 / 3.6)
    assert pd.isna(table.loc["oxyfuel", "saving_kwh_per_t"])
    # empty om_cost = 0, empty applicability = 1, empty investment = unknown
    assert table.loc["preheat", "om_cost"] == 0.0
    assert table.loc["oxyfuel", "applicability"] == 1.0
    assert pd.isna(table.loc["ladle_cover", "investment"])
    assert table.loc["vsd", "currency"] == "USD"
    assert table.loc["vsd", "row"] == 4  # the comment line and the header come first


def test_bad_measures_are_refused_together(tmp_path: Path) -> None:
    rows = [
        "s,a,,,steam,1,GJ/t,1,USD/t,,,10,1,,src,",  # unknown carrier
        "s,b,,,fuel,1,kWh,1,USD/t,,,10,1,,src,",  # saving unit not per t
        "s,c,,,fuel,0,GJ/t,1,USD/t,,,10,1,,src,",  # non-positive saving
        "s,d,,,fuel,1,GJ/t,-5,USD/t,,,10,1,,src,",  # negative investment
        "s,e,,,fuel,1,GJ/t,1,USD/t,,,0,1,,src,",  # lifetime 0
        "s,f,,,fuel,1,GJ/t,1,USD/t,,,10,1.2,,src,",  # applicability above 1
        "s,g,,,fuel,1,GJ/t,1,USD/t,,,10,1,,,",  # no source
        "s,h,,,fuel,1,GJ/t,1,USD,,,10,1,,src,",  # investment unit not per t
        "s,i,,,fuel,1,GJ/t,1,USD/t,1,VND/t,10,1,,src,",  # two currencies
        "s,j,,,fuel,x,GJ/t,1,USD/t,,,10,1,,src,",  # not a number
        "s,a,,,fuel,1,GJ/t,1,USD/t,,,10,1,,src,",  # duplicate of row 2
        "s,k,,,fuel,1,GJ/t,1,USD/t,,,10,1,20x5,src,",  # cost year
    ]
    path = tmp_path / "measures.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_measures(path)
    text = str(caught.value)
    expected = [
        ("row 2", "carrier", "unknown-carrier"), ("row 3", "saving_unit", "unit"),
        ("row 4", "saving", "non-positive"), ("row 5", "investment", "negative"),
        ("row 6", "lifetime_years", "lifetime"), ("row 7", "applicability", "applicability"),
        ("row 8", "source", "missing-source"), ("row 9", "investment_unit", "unit"),
        ("row 10", "om_cost_unit", "currency"), ("row 11", "saving", "not-a-number"),
        ("row 12", "measure", "duplicate"), ("row 13", "cost_year", "year"),
    ]  # fmt: skip
    for row, column, rule in expected:
        assert f"{path}, {row}, column {column!r}: " in text and f"[{rule}]" in text, row
    assert caught.value.rule == "unknown-carrier" and caught.value.row == 2
    assert "12 problems" in text


def test_missing_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "measures.csv"
    path.write_text("sector,measure,carrier,saving,saving_unit\ns,a,fuel,1,GJ/t\n", "utf-8")
    with pytest.raises(InputError, match="source") as caught:
        read_measures(path)
    assert caught.value.rule == "missing-column"


def test_bundled_measures_are_read_and_cited() -> None:
    bundled = resources.files("ecocluster").joinpath("data", "benchmarks", "measures.csv")
    if not bundled.is_file():
        pytest.skip("the bundled measures.csv is not there yet")
    table = read_measures()
    assert len(table) > 0
    assert table["source"].str.strip().str.len().gt(0).all()
    assert (table["saving_gj_per_t"] > 0).all()


# --------------------------------------------------------------------- cost of conserved energy
def test_cost_of_conserved_energy(measures: pd.DataFrame) -> None:
    cce = _cce(measures)
    # preheat: 20 USD/t × 0.117460 = 2.349192 USD/t·a; ÷ 50 kWh/t = 0.0469838 USD/kWh;
    # ÷ 0.18 GJ/t = 13.05107 USD/GJ
    assert cce.loc["preheat", "annualised_investment_per_t"] == pytest.approx(2.349192, rel=1e-6)
    assert cce.loc["preheat", "cce_per_kwh"] == pytest.approx(0.0469838, rel=1e-5)
    assert cce.loc["preheat", "cce_per_gj"] == pytest.approx(13.05107, rel=1e-5)
    assert cce.loc["preheat", "cce_unit"] == "USD/kWh"
    # vsd: 2 × 0.162745 + 0.1 O&M = 0.425491 USD/t; ÷ 10 kWh/t = 0.0425491 USD/kWh
    assert cce.loc["vsd", "cce_per_kwh"] == pytest.approx(0.0425491, rel=1e-5)
    # transformer: 2.349192 ÷ 0.5 GJ/t = 4.698385 USD/GJ = 0.0169142 USD/kWh
    assert cce.loc["transformer", "cce_per_gj"] == pytest.approx(4.698385, rel=1e-6)
    assert cce.loc["transformer", "cce"] == pytest.approx(0.0169142, rel=1e-5)
    # oxyfuel: 5 × 0.131474 − 0.1 = 0.557369 USD/t; ÷ 0.2 GJ/t = 2.786844 USD/GJ
    assert cce.loc["oxyfuel", "cce"] == pytest.approx(2.786844, rel=1e-6)
    assert pd.isna(cce.loc["oxyfuel", "cce_per_kwh"])
    assert pd.isna(cce.loc["ladle_cover", "cce"])  # no investment known
    assert "payback_years" not in cce.columns


def test_cce_with_utilisation_and_prices(measures: pd.DataFrame) -> None:
    cce = _cce(measures, utilisation=0.8, prices={"electricity": 0.05, "fuel": 2.0})
    # investment per t produced = 20 ÷ 0.8 = 25 USD/t: CCE 0.0469838 ÷ 0.8 = 0.0587298
    assert cce.loc["preheat", "cce_per_kwh"] == pytest.approx(0.0587298, rel=1e-5)
    assert bool(cce.loc["preheat", "cost_effective"]) is False  # 0.0587 > 0.05
    # vsd: (2.5 × 0.162745 + 0.1) ÷ 10 = 0.050686 > 0.05; transformer 0.0211428 < 0.05
    assert cce.loc["vsd", "cce"] == pytest.approx(0.050686, rel=1e-4)
    assert bool(cce.loc["vsd", "cost_effective"]) is False
    assert bool(cce.loc["transformer", "cost_effective"]) is True
    # payback: 25 USD/t ÷ (50 kWh/t × 0.05) = 10 years
    assert cce.loc["preheat", "payback_years"] == pytest.approx(10.0)
    # oxyfuel: 6.25 ÷ (0.2 GJ × 2 + 0.1 O&M saved) = 12.5 years; CCE 3.62 > 2 USD/GJ
    assert cce.loc["oxyfuel", "payback_years"] == pytest.approx(12.5)
    assert bool(cce.loc["oxyfuel", "cost_effective"]) is False
    assert pd.isna(cce.loc["ladle_cover", "cost_effective"])


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"discount_rate": -2.0}, "discount-rate"),
        ({"utilisation": 0.0}, "utilisation"),
        ({"utilisation": 1.5}, "utilisation"),
        ({"prices": {"steam": 1.0}}, "price"),
        ({"prices": {"electricity": -1.0}}, "price"),
    ],
)
def test_bad_cce_parameters(measures: pd.DataFrame, kwargs: dict[str, object], rule: str) -> None:
    with pytest.raises(InputError) as caught:
        compute_cce(measures, **kwargs)  # type: ignore[arg-type]
    assert caught.value.rule == rule


# --------------------------------------------------------------------- supply curve
def test_electricity_supply_curve(measures: pd.DataFrame) -> None:
    curve = compute_supply_curve(
        measures, 1_000_000, carrier="electricity", prices={"electricity": 0.045},
        adopted={"vsd": 0.5},
    )  # fmt: skip
    # cheapest first; the measure without cost last
    assert list(curve["measure"]) == ["transformer", "vsd", "preheat", "ladle_cover"]
    # potentials (kWh/a): transformer 138.889 × 1e6 × 0.5 = 69,444,444; vsd 10 × 1e6 × (1 −
    # 0.5) = 5,000,000; preheat 50 × 1e6 × 0.8 = 40,000,000; ladle cover 8 × 1e6 = 8,000,000
    assert curve["potential"].tolist() == pytest.approx([69_444_444.44, 5e6, 4e7, 8e6])
    assert curve["end"].tolist() == pytest.approx([69_444_444.44, 74_444_444.44,
                                                   114_444_444.44, 122_444_444.44])  # fmt: skip
    assert curve["start"].iloc[0] == 0 and curve["start"].iloc[2] == pytest.approx(74_444_444.44)
    # 0.0169 and 0.0425 < 0.045 USD/kWh < 0.0470: the first two are cost-effective
    assert curve["cost_effective"].tolist()[:3] == [True, True, False]
    assert pd.isna(curve["cost_effective"].iloc[3])
    assert curve.attrs["cost_effective_potential"] == pytest.approx(74_444_444.44)
    assert curve.attrs["technical_potential"] == pytest.approx(122_444_444.44)
    assert curve.attrs["unit"] == "kWh" and curve.attrs["currency"] == "USD"
    assert curve.attrs["price"] == 0.045 and curve.attrs["discount_rate"] == 0.1
    assert curve.attrs["no_cost"] == ["ladle_cover"]
    # annual cost = CCE × potential: 0.0169142 × 69,444,444 = 1,174,596 USD
    assert curve["annual_cost"].iloc[0] == pytest.approx(1_174_596, rel=1e-5)


def test_fuel_curve_and_final_energy_curve(measures: pd.DataFrame) -> None:
    fuel = compute_supply_curve(measures, 1_000_000, carrier="fuel")
    assert list(fuel["measure"]) == ["oxyfuel"] and fuel.attrs["unit"] == "GJ"
    assert fuel["potential"].iloc[0] == pytest.approx(200_000)  # 0.2 GJ/t × 1e6 t
    assert pd.isna(fuel.attrs["cost_effective_potential"])  # no price given
    both = compute_supply_curve(
        measures, 1_000_000, final_energy=True, prices={"electricity": 0.05, "fuel": 2.0}
    )
    # USD/GJ: oxyfuel 2.79, transformer 4.70, vsd 11.82, preheat 13.05; electricity at
    # 0.05 USD/kWh = 13.89 USD/GJ, fuel 2 USD/GJ: oxyfuel is not cost-effective, the rest are
    assert list(both["measure"]) == ["oxyfuel", "transformer", "vsd", "preheat", "ladle_cover"]
    assert both["cost_effective"].tolist()[:4] == [False, True, True, True]
    # GJ/a: 0.5 × 1e6 × 0.5 + 0.036 × 1e6 + 0.18 × 1e6 × 0.8 = 250,000 + 36,000 + 144,000
    assert both.attrs["cost_effective_potential"] == pytest.approx(430_000)
    assert both.attrs["price"]["electricity"] == pytest.approx(0.05 / 0.0036)


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({}, "carrier"),  # electricity and fuel mixed
        ({"carrier": "steam"}, "unknown-carrier"),
        ({"carrier": "fuel", "final_energy": True}, "carrier"),
        ({"carrier": "fuel", "sector": "cement"}, "unknown-sector"),
        ({"carrier": "fuel", "adopted": {"nothing": 0.5}}, "unknown-measure"),
        ({"carrier": "fuel", "adopted": {"oxyfuel": 1.5}}, "share"),
    ],
)
def test_bad_supply_curve_arguments(
    measures: pd.DataFrame, kwargs: dict[str, object], rule: str
) -> None:
    with pytest.raises(InputError) as caught:
        compute_supply_curve(measures, 1_000_000, **kwargs)  # type: ignore[arg-type]
    assert caught.value.rule == rule


def test_production_is_checked(measures: pd.DataFrame) -> None:
    with pytest.raises(InputError) as caught:
        compute_supply_curve(measures, 0, carrier="fuel")
    assert caught.value.rule == "zero-production"
    two = pd.concat([measures, measures.assign(sector="cement")], ignore_index=True)
    with pytest.raises(InputError) as caught:
        compute_supply_curve(two, 1e6, carrier="fuel")
    assert caught.value.rule == "missing-production"
    curve = compute_supply_curve(two, {"eaf_steel": 1e6, "cement": 2e6}, carrier="fuel")
    assert curve["potential"].sum() == pytest.approx(0.2 * 3e6)


# --------------------------------------------------------------------- roadmap and adoption
def test_adoption_shares_and_savings(measures: pd.DataFrame) -> None:
    plan = read_roadmap(DATA / "roadmap.csv", measures)
    adoption = compute_adoption(plan, measures, 1_000_000, range(2023, 2032),
                                baseline_intensity=2.0)  # fmt: skip
    share = adoption.pivot(index="year", columns="measure", values="share")
    # preheat 0.1 → 0.6 over 2025–2030: 0.1 before, 0.1 + 0.5 × 2/5 = 0.3 in 2027, flat after
    assert share["preheat"].tolist() == pytest.approx([0.1, 0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6,
                                                       0.6])  # fmt: skip
    # vsd 0 → 0.5 over 2024–2026, flat 0.5 until 2028, then 0.5 → 1 by 2030
    assert share["vsd"].tolist() == pytest.approx([0, 0, 0.25, 0.5, 0.5, 0.5, 0.75, 1, 1])
    row = adoption.set_index(["year", "measure"]).loc[(2027, "preheat")]
    # 0.3 × 1e6 t × 0.18 GJ/t = 54,000 GJ = 15,000,000 kWh; since 2023: (0.3 − 0.1) × ...
    assert row["saving_gj"] == pytest.approx(54_000)
    assert row["saving_kwh"] == pytest.approx(15_000_000)
    assert row["additional_saving_gj"] == pytest.approx(36_000)
    totals = adoption_totals(adoption).set_index("year")
    # 2030: preheat (0.6 − 0.1) × 0.18 + vsd 1 × 0.036 = 0.126 GJ/t → 2.0 − 0.126 = 1.874
    assert totals.loc[2030, "intensity_gj_per_t"] == pytest.approx(1.874)
    assert totals.loc[2023, "intensity_gj_per_t"] == pytest.approx(2.0)
    assert totals.loc[2030, "saving_gj"] == pytest.approx(0.6 * 180_000 + 36_000)
    assert totals.loc[2030, "fuel_gj"] == 0.0


def test_adoption_with_growing_production(measures: pd.DataFrame) -> None:
    plan = read_roadmap(DATA / "roadmap.csv", measures)
    production = pd.Series([1e6, 2e6], index=[2025, 2030])
    adoption = compute_adoption(plan, measures, production, [2025, 2030])
    row = adoption.set_index(["year", "measure"]).loc[(2030, "vsd")]
    assert row["saving_gj"] == pytest.approx(1.0 * 2e6 * 0.036)
    with pytest.raises(InputError) as caught:
        compute_adoption(plan, measures, production, [2025, 2026])
    assert caught.value.rule == "missing-production"


def test_bad_roadmap_is_refused(tmp_path: Path, measures: pd.DataFrame) -> None:
    path = tmp_path / "roadmap.csv"
    path.write_text(
        "measure,start_year,end_year,start_share,end_share\n"
        "nothing,2025,2030,0,0.5\n"  # unknown measure
        "vsd,2025,2030,0,1.2\n"  # share above 1
        "oxyfuel,2030,2025,0,0.5\n"  # end before start
        "preheat,2025,2030,0,0.9\n"  # above the applicability 0.8
        "transformer,2025,2030,0,0.2\n"
        "transformer,2028,2032,0.2,0.4\n"  # overlaps the phase before
        "ladle_cover,2025.5,2030,0,0.5\n",  # not a year
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_roadmap(path, measures)
    text = str(caught.value)
    for row, rule in [(2, "unknown-measure"), (3, "share"), (4, "year"), (5, "applicability"),
                      (7, "overlap"), (8, "year")]:  # fmt: skip
        assert f"row {row}, column" in text and f"[{rule}]" in text, rule
    assert "6 problems" in text


# --------------------------------------------------------------------- figure
def test_supply_curve_png_artefact(measures: pd.DataFrame) -> None:
    curve = compute_supply_curve(measures, 1_000_000, carrier="electricity",
                                 prices={"electricity": 0.045})  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "supply-curve.png"
    path.unlink(missing_ok=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_supply_curve(curve, path, title="Electricity conservation supply curve, EAF steel")
    assert [str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)] == []
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_supply_curve_figure_draws_every_measure(measures: pd.DataFrame) -> None:
    curve = compute_supply_curve(measures, 1_000_000, final_energy=True,
                                 prices={"electricity": 0.05, "fuel": 2.0})  # fmt: skip
    figure = draw_supply_curve(curve, title="Final energy")
    axes = figure.axes[0]
    numbers = {t.get_text() for t in axes.texts}
    assert {str(n) for n in range(1, len(curve) + 1)} <= numbers
    key = " ".join(t.get_text() for t in figure.axes[1].texts)
    assert all(label in key for label in curve["label"])
    lines = [line for line in axes.get_lines() if line.get_linestyle() in ("--", ":")]
    assert sorted(round(float(line.get_ydata()[0]), 3) for line in lines) == [2.0, 13.889]  # type: ignore[index]
    empty = draw_supply_curve(curve.iloc[0:0])
    assert "No measure" in empty.axes[0].texts[0].get_text()
    with pytest.raises(InputError):
        write_supply_curve(curve, ARTIFACTS / "curve.pdf")
