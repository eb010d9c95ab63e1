"""The bundled benchmarking examples: they read cleanly, the generator makes them byte for
byte, and the library gives the key results their READMEs state."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from ecocluster.benchmarking import benchmark_plants, compute_intensities, summarise_sector
from ecocluster.benchmarking_examples import (
    BenchmarkingExample,
    benchmarking_example_path,
    example_benchmarkings,
    load_benchmarking_example,
)
from ecocluster.errors import InputError
from ecocluster.roadmap import adoption_totals, compute_adoption, compute_supply_curve
from ecocluster.targets import track_agreement, track_progress

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "src" / "ecocluster" / "data" / "examples"
GENERATOR = ROOT / "tools" / "make_benchmarking_examples.py"
EAF, HOI_AN, BINH_YEN = "eaf-steel-sector", "hoi-an-green-industry-2030", "binh-yen-aluminium"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_benchmarking_examples", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def eaf() -> BenchmarkingExample:
    return load_benchmarking_example(EAF)


def _readme(name: str) -> str:
    return benchmarking_example_path(name, "README.md").read_text(encoding="utf-8")


def _stated(name: str, *texts: str) -> None:
    readme = _readme(name)
    for text in texts:
        assert text in readme, text


def test_the_generator_rewrites_the_bundled_files_byte_for_byte(
    generator: ModuleType, tmp_path: Path
) -> None:
    assert generator.main(["--output", str(tmp_path)]) == 0
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert {p.parts[0] for p in written} == {EAF, HOI_AN, BINH_YEN}
    assert len(written) == 12
    for path in written:
        assert (tmp_path / path).read_bytes() == (EXAMPLES / path).read_bytes(), path
    assert generator.main(["--check"]) == 0


def test_every_example_is_listed_loads_and_says_it_is_synthetic() -> None:
    listed = example_benchmarkings()
    assert list(listed["name"]) == [BINH_YEN, EAF, HOI_AN]
    assert list(listed["kind"]) == ["craft-village", "sector", "city"]
    assert listed["synthetic"].all()
    for name in listed["name"]:
        example = load_benchmarking_example(name)
        assert example.synthetic and example.name == name
        assert _readme(name).splitlines()[2].startswith("**Synthetic data.**")
        for file in example.folder.glob("*.csv"):
            assert file.read_text(encoding="utf-8").startswith("# "), file
    eaf = load_benchmarking_example("EAF Steel Sector")
    assert eaf.plants is not None and eaf.measures is not None and eaf.roadmap is not None
    assert eaf.agreement is not None and eaf.goals is None
    assert eaf.prices == {"electricity": 0.075, "fuel": 10.0} and eaf.currency == "USD"
    assert eaf.roadmap_years == (2025, 2030)
    city = load_benchmarking_example("Hội An green industry 2030")
    assert city.goals is not None and city.progress is not None and city.plants is None
    village = load_benchmarking_example("binh yen ALUMINIUM")
    assert village.plants is not None and village.currency == "VND"
    assert len(village.plants.plants) == 32


def test_unknown_names_and_files_are_refused_with_the_known_ones() -> None:
    with pytest.raises(InputError, match="eaf-steel-sector"):
        load_benchmarking_example("cement")
    with pytest.raises(InputError, match=r"plants\.csv"):
        benchmarking_example_path(EAF, "missing.csv")


def test_binh_yen_is_written_in_vietnamese() -> None:
    plants = benchmarking_example_path(BINH_YEN, "plants.csv").read_text(encoding="utf-8")
    reports = benchmarking_example_path(BINH_YEN, "reports.csv").read_text(encoding="utf-8")
    assert "Mã,Tên,Ngành,Công đoạn,Tỉnh,Công suất" in plants
    assert "Mã,Năm,Hạng mục,Số lượng,Đơn vị,Chi phí,Đơn vị tiền,Ghi chú" in reports
    for word in (",than,", ",củi,", ",LPG,", ",sản lượng,", ",tấn,"):
        assert word in reports, word


def test_the_implausible_eaf_plant_year_is_flagged_and_left_out(
    eaf: BenchmarkingExample,
) -> None:
    assert eaf.plants is not None
    rows = compute_intensities(eaf.plants)
    assert len(rows) == 82 and len(eaf.plants.plants) == 14
    bad = rows[~rows["plausible"]]
    assert list(zip(bad["plant"], bad["year"], strict=True)) == [("EAF11", 2024)]
    assert "below the physical minimum" in bad["flags"].iloc[0]
    assert round(float(bad["electricity_kwh_per_t"].iloc[0]), 1) == 153.5
    assert round(float(bad["final_energy_gj_per_t"].iloc[0]), 3) == 0.553
    marked = benchmark_plants(eaf.plants, year=2024, indicators=["electricity"])
    flagged = marked[marked["plant"] == "EAF11"].iloc[0]
    assert not flagged["plausible"] and pd.isna(flagged["percentile"])
    assert (marked["n_plants"] == 13).all()
    others = marked[marked["plausible"]]
    assert sorted(others["percentile"].round(6)) == sorted(
        round(100 * k / 13, 6) for k in range(1, 14)
    )
    _stated(EAF, "153.5 kWh/t, 0.553 GJ/t", "**1 flagged and excluded**")


def test_eaf_benchmarking_results_are_those_stated(eaf: BenchmarkingExample) -> None:
    assert eaf.plants is not None
    marked = benchmark_plants(eaf.plants, year=2024, indicators=["electricity"])
    sector = summarise_sector(marked).iloc[0]
    assert (sector["plants"], sector["plants_excluded"], sector["plants_priced"]) == (13, 1, 11)
    assert f"{sector['intensity']:.1f}" == "408.7"
    assert f"{sector['eei']:.1f}" == "136.2"
    assert f"{sector['top_quartile']:.1f}" == "384.6"
    assert f"{sector['saving_to_best'] / 1e6:.1f}" == "541.9"
    assert f"{sector['saving_to_best_gj'] / 1e3:,.0f}" == "1,951"
    assert f"{sector['saving_to_best_co2e_t']:,.0f}" == "357,240"
    assert f"{sector['saving_to_best_money'] / 1e6:.1f}" == "37.8"
    assert f"{sector['saving_to_top_quartile'] / 1e6:.1f}" == "249.5"
    assert f"{sector['saving_to_top_quartile_co2e_t']:,.0f}" == "164,451"
    eei = marked.set_index("plant")["eei"]
    assert [f"{eei[p]:.1f}" for p in ("EAF01", "EAF07", "EAF05")] == ["103.2", "104.1", "208.8"]
    _stated(EAF, "**408.7 kWh/t**", "**136.2**", "**384.6 kWh/t**", "**541.9 GWh**",
            "1,951 TJ", "**357,240 tCO2e**", "USD 37.8 million", "**249.5 GWh**",
            "164,451 tCO2e", "103.2 and 104.1", "208.8")  # fmt: skip


def test_eaf_supply_curve_and_roadmap_are_those_stated(eaf: BenchmarkingExample) -> None:
    assert eaf.plants is not None and eaf.measures is not None and eaf.roadmap is not None
    rows = compute_intensities(eaf.plants)
    made = float(rows.loc[rows["year"] == 2024, "production_t"].sum())
    assert made == 5_125_550
    prices, rate = eaf.prices, eaf.discount_rate
    power = compute_supply_curve(
        eaf.measures, made, carrier="electricity", prices=prices, discount_rate=rate
    )
    fuel = compute_supply_curve(
        eaf.measures, made, carrier="fuel", prices=prices, discount_rate=rate
    )
    final = compute_supply_curve(
        eaf.measures, made, final_energy=True, prices=prices, discount_rate=rate
    )
    assert f"{power.attrs['technical_potential'] / 1e6:.1f}" == "441.8"
    assert f"{power.attrs['cost_effective_potential'] / 1e6:.1f}" == "295.7"
    assert int(power["cost_effective"].sum()) == 6 and len(power) == 8
    assert f"{fuel.attrs['technical_potential']:,.0f}" == "271,654"
    assert fuel.attrs["cost_effective_potential"] == fuel.attrs["technical_potential"]
    assert f"{final.attrs['technical_potential']:,.0f}" == "1,862,215"
    assert f"{final.attrs['cost_effective_potential']:,.0f}" == "1,336,333"
    good = rows[rows["plausible"] & (rows["year"] == 2024)]
    base = float((good["final_energy_gj_per_t"] * good["production_t"]).sum())
    base /= float(good["production_t"].sum())
    adoption = compute_adoption(eaf.roadmap, eaf.measures, made, range(2024, 2031),
                                baseline_intensity=base)  # fmt: skip
    last = adoption_totals(adoption).iloc[-1]
    assert int(last["year"]) == 2030
    assert f"{last['intensity_gj_per_t']:.3f}" == "1.576"
    assert f"{last['additional_saving_gj']:,.0f}" == "1,056,888"
    _stated(EAF, "**441.8 GWh**", "**295.7 GWh**", "271,654 GJ", "**1,862,215 GJ**",
            "**1,336,333 GJ**", "**1.576 GJ/t in 2030**", "1,056,888 GJ")  # fmt: skip


def test_eaf_agreement_status_is_that_stated(eaf: BenchmarkingExample) -> None:
    assert eaf.plants is not None and eaf.agreement is not None
    assert len(eaf.agreement.commitments) == 11
    rows = compute_intensities(eaf.plants)
    rows = rows[rows["plausible"]].rename(
        columns={"final_energy_gj_per_t": "value", "production_t": "production"}
    )
    tracked = track_agreement(eaf.agreement, rows[["plant", "year", "value", "production"]])
    plants = tracked[tracked["level"] == "plant"]
    on = sorted(plants.loc[plants["status"] == "on track", "plant"])
    assert on == ["EAF07", "EAF08", "EAF11", "EAF14"]
    assert plants["status"].value_counts().to_dict() == {"off track": 7, "on track": 4}
    assert int(plants.loc[plants["plant"] == "EAF11", "latest_year"].iloc[0]) == 2023
    sector = tracked[tracked["level"] == "sector"].iloc[0]
    assert sector["status"] == "off track"
    figures = ("baseline_value", "target_value", "latest_value", "trajectory_value")
    assert [f"{sector[c]:.3f}" for c in figures] == ["1.885", "1.602", "1.782", "1.772"]
    _stated(EAF, "**4 on track** (`EAF07`, `EAF08`, `EAF11`, `EAF14`), **7 off track**",
            "1.782 GJ/t in 2024", "trajectory of 1.772: **off track**")  # fmt: skip


def test_hoi_an_goal_statuses_are_those_stated() -> None:
    city = load_benchmarking_example(HOI_AN)
    assert city.goals is not None and city.progress is not None
    tracked = track_progress(city.goals, city.progress).set_index("goal")
    expected = {
        "energy_intensity": "on track", "water_intensity": "off track",
        "co2e_intensity": "off track", "craft_cleaner_production": "on track",
        "wastewater_treated": "off track", "solid_waste_recycled": "met",
        "rooftop_solar": "no data",
    }  # fmt: skip
    assert tracked["status"].to_dict() == expected
    readme = _readme(HOI_AN)
    for goal, status in expected.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{goal}` |")
                   and "**" in line)  # fmt: skip
        assert row.endswith(f"**{status}** |"), row
        latest, line = (float(tracked[c][goal]) for c in ("latest_value", "trajectory_value"))
        if status != "no data":
            assert f"| {latest:g} |" in row, row
            assert f"| {line:.4g} |" in row, row
    needed = float(tracked["required_annual_change"]["wastewater_treated"])
    assert f"{needed:.2f}" == "7.22"
    _stated(HOI_AN, "1 met, 2 on track, 3 off track, 1 no data", "7.22 percentage points")


def test_binh_yen_results_are_those_stated() -> None:
    village = load_benchmarking_example(BINH_YEN)
    assert village.plants is not None
    rows = compute_intensities(village.plants)
    assert rows["plausible"].all() and len(rows) == 64
    marked = benchmark_plants(village.plants, year=2024)
    assert list(marked["indicator"].unique()) == ["final_energy"]
    summary = summarise_sector(marked).iloc[0]
    assert f"{summary['production_t']:,.1f}" == "4,381.5"
    assert f"{marked['intensity'].median():.2f}" == "7.57"
    assert f"{summary['intensity']:.2f}" == "8.05"
    assert f"{summary['eei']:.0f}" == "548"
    assert f"{marked['eei'].median():.0f}" == "515"
    assert f"{summary['saving_to_best_gj']:,.0f}" == "28,829"
    assert f"{summary['saving_to_best_co2e_t']:,.0f}" == "2,687"
    assert f"{summary['saving_to_best_money'] / 1e9:.2f}" == "5.38"
    assert f"{summary['top_quartile']:.2f}" == "6.44"
    assert f"{summary['saving_to_top_quartile_gj']:,.0f}" == "8,078"
    assert f"{summary['saving_to_top_quartile_co2e_t']:,.0f}" == "743"
    efficiency = 100 * 1.1746 / marked["intensity"]
    assert (round(efficiency.min()), round(efficiency.max())) == (10, 26)
    _stated(BINH_YEN, "4,381.5 t melted", "**7.57 GJ/t**", "8.05 GJ/t", "EEI **548**",
            "EEI is 515", "**28,829 GJ**", "**2,687 tCO2e**", "5.38 billion VND",
            "top quartile 6.44 GJ/t", "8,078 GJ and 743 tCO2e", "efficiency 10–26%")  # fmt: skip
