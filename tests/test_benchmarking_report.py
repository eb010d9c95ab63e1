"""The benchmarking analysis, report and commands: the parts joined as the issue asks.

The numbers of each part are tested in test_benchmarking.py, test_roadmap.py and
test_targets.py; here, that the analysis joins them rightly (the sector's production feeds
the supply curve, the plants' intensities feed the agreement, in its unit), that the report
shows what the analysis holds, and that the commands refuse what they cannot use.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from clirun import run
from ecocluster.benchmarking import read_benchmarks, read_plants
from ecocluster.benchmarking_analysis import (
    BenchmarkingAnalysis,
    agreement_intensities,
    analyse_benchmarking,
    analyse_benchmarking_example,
)
from ecocluster.errors import InputError
from ecocluster.report.benchmarking import build_benchmarking_report
from ecocluster.report.document import TableBlock
from ecocluster.roadmap import read_measures, read_roadmap
from ecocluster.targets import read_agreement, read_goals, read_progress

DATA = Path(__file__).parent / "data"
PLANTS, REPORTS = DATA / "benchmarking" / "plants.csv", DATA / "benchmarking" / "reports.csv"
MEASURES, ROADMAP = DATA / "roadmap" / "measures.csv", DATA / "roadmap" / "roadmap.csv"
GOALS, PROGRESS = DATA / "targets" / "goals.csv", DATA / "targets" / "progress.csv"
AGREEMENT = DATA / "targets" / "agreement.toml"
COAL_NCV = 26.7  # GJ/t, anthracite (data/recp/calorific_values.csv, IPCC 2006)


@pytest.fixture(scope="module")
def analysis() -> BenchmarkingAnalysis:
    benchmarks = read_benchmarks(DATA / "benchmarking" / "benchmarks.csv")
    plants = read_plants(PLANTS, REPORTS, benchmarks=benchmarks)
    measures = read_measures(MEASURES)
    goals = read_goals(GOALS)
    return analyse_benchmarking(
        plants=plants, measures=measures, roadmap=read_roadmap(ROADMAP, measures),
        agreement=read_agreement(AGREEMENT), goals=goals,
        progress=read_progress(PROGRESS, goals), prices={"electricity": 0.045, "fuel": 8.0},
        title="Test sector", synthetic=True, source="the test files",
    )  # fmt: skip


def test_the_supply_curve_takes_the_sectors_latest_production(
    analysis: BenchmarkingAnalysis,
) -> None:
    # 2022: P1 1,000 t + P2 2,000 t + P3 1.5 kt + P4 500 t = 5,000 t of EAF steel.
    assert analysis.production["eaf_steel"] == pytest.approx(5000)
    curve = analysis.curves["electricity"]
    # Electricity potential: preheat 50 kWh/t x 5,000 t x 0.8 = 200,000; drives 10 x
    # 5,000 = 50,000; transformer 0.5 GJ/t = 138.89 kWh/t x 5,000 x 0.5 = 347,222.2;
    # ladle covers 8 x 5,000 = 40,000 (no cost data). Total 637,222.2 kWh a year.
    assert curve.attrs["technical_potential"] == pytest.approx(637_222.22, rel=1e-6)
    # Below 0.045 USD/kWh: transformer (0.016914) and drives (0.042549), not preheating
    # (0.046984): 347,222.2 + 50,000 = 397,222.2 kWh.
    assert curve.attrs["cost_effective_potential"] == pytest.approx(397_222.22, rel=1e-6)
    assert set(analysis.curves) == {"electricity", "fuel"}
    assert analysis.adoption is not None and set(analysis.adoption["sector"]) == {"eaf_steel"}


def test_the_agreement_is_tracked_on_the_plants_own_intensities() -> None:
    plants = read_plants(PLANTS, REPORTS)
    from ecocluster.benchmarking import compute_intensities

    intensities = compute_intensities(plants)
    agreement = read_agreement(AGREEMENT)
    values = agreement_intensities(agreement, intensities).set_index("plant")
    # P1: 450,000 kWh x 3.6 MJ = 1,620 GJ + 30 t coal x 26.7 GJ/t = 801 GJ; over 1,000 t.
    assert values.loc["P1", "value"] == pytest.approx((1620 + 30 * COAL_NCV) / 1000)
    assert values.loc["P1", "production"] == 1000
    assert "C1" not in values.index  # the cement plant is not in the EAF agreement
    in_mj = agreement.__class__(**{**agreement.__dict__, "unit": "MJ/t"})
    assert agreement_intensities(in_mj, intensities).set_index("plant").loc[
        "P1", "value"
    ] == pytest.approx(1620 + 30 * COAL_NCV)
    in_kg = agreement.__class__(**{**agreement.__dict__, "unit": "kg/t"})
    with pytest.raises(InputError, match="unit 'kg/t'"):
        agreement_intensities(in_kg, intensities)
    in_water = agreement.__class__(**{**agreement.__dict__, "indicator": "water"})
    with pytest.raises(InputError, match="no 'water' intensity"):
        agreement_intensities(in_water, intensities)


def test_report_shows_what_the_analysis_holds(analysis: BenchmarkingAnalysis) -> None:
    report, tables = build_benchmarking_report(analysis)
    assert [s.id for s in report.sections] == ["plants", "roadmap", "agreement", "goals"]
    assert report.synthetic and "invented" in report.synthetic_note
    assert tables["sector_summary"] is analysis.sector
    summary = next(
        b for s in report.sections for b in s.blocks
        if isinstance(b, TableBlock) and b.name == "sector_summary"
    )  # fmt: skip
    # EAF electricity, 2022: 515,000 kWh to best practice = 1,854 GJ (test_benchmarking).
    row = summary.frame.loc[("eaf_steel", "electricity")]
    assert row["Saving at best practice (GJ/yr)"] == "1,854"
    goals = next(
        b for s in report.sections for b in s.blocks
        if isinstance(b, TableBlock) and b.name == "goals"
    )  # fmt: skip
    assert goals.frame.loc["co2_intensity", "Status"] == "off track"
    assert goals.frame.loc["energy_intensity", "Baseline"] == "1.00 (2020)"
    json.dumps(analysis.summary())


def test_parts_left_out_leave_their_sections_out() -> None:
    goals = read_goals(GOALS)
    only_goals = analyse_benchmarking(goals=goals, progress=read_progress(PROGRESS, goals))
    report, _ = build_benchmarking_report(only_goals)
    assert [s.id for s in report.sections] == ["goals"]
    no_progress = analyse_benchmarking(goals=goals)
    assert set(no_progress.goals_tracked["status"]) == {"no data"}  # type: ignore[index]


def test_commands(tmp_path: Path) -> None:
    files = ["--plants", str(PLANTS), "--reports", str(REPORTS)]
    code, stdout, _ = run("benchmark", "plants", *files, "-o", str(tmp_path / "plants.csv"))
    assert code == 0, stdout
    written = pd.read_csv(tmp_path / "plants.csv", encoding="utf-8-sig")
    assert set(written["plant"]) == {"P1", "P2", "P3", "P4", "C1"}
    code, stdout, _ = run("benchmark", "plants", *files, "-o", str(tmp_path / "curve.png"))
    assert code == 0 and (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG"
    code, stdout, _ = run(
        "benchmark", "measures", *files, "--measures", str(MEASURES),
        "--price", "electricity=0.045", "-o", str(tmp_path / "supply.png"),
    )  # fmt: skip
    assert code == 0, stdout
    assert "technical potential 637,222 kWh/yr, cost-effective 397,222" in stdout
    code, stdout, _ = run(
        "benchmark", "progress", "--goals", str(GOALS), "--progress", str(PROGRESS), "--json"
    )
    assert code == 0
    statuses = {t["goal"]: t["status"] for t in json.loads(stdout)["targets"]}
    assert statuses["water_per_t"] == "met" and statuses["green_jobs"] == "no data"
    code, _, stderr = run("benchmark", "plants", "--plants", str(PLANTS))
    assert code == 2 and "--plants and --reports go together" in stderr
    code, _, stderr = run("benchmark", "report", "-o", str(tmp_path / "nothing"))
    assert code == 2 and "--example NAME or the files" in stderr
    assert not (tmp_path / "nothing").exists()
    code, _, stderr = run("benchmark", "measures", "--price", "electricity", "--example", "x")
    assert code == 2 and "CARRIER=PRICE" in stderr


def test_bad_plant_data_is_refused_with_nothing_written(tmp_path: Path) -> None:
    reports = tmp_path / "reports.csv"
    reports.write_text(
        "plant,year,flow,quantity,unit\nP1,2022,production,0,t\nP1,2022,electricity,5,t\n",
        encoding="utf-8",
    )
    plants = tmp_path / "plants.csv"
    plants.write_text("plant,name,sector\nP1,One,eaf_steel\n", encoding="utf-8")
    target = tmp_path / "report"
    code, _, stderr = run(
        "benchmark", "report", "--plants", str(plants), "--reports", str(reports),
        "-o", str(target),
    )  # fmt: skip
    assert code == 1
    assert "row 2" in stderr and "zero-production" in stderr
    assert "row 3" in stderr and "[unit]" in stderr
    assert not target.exists()


def test_example_report(tmp_path: Path) -> None:
    analysis = analyse_benchmarking_example("EAF-steel-sector")
    assert analysis.agreement is not None and analysis.curves
    code, stdout, _ = run(
        "benchmark", "report", "--example", "eaf-steel-sector", "-o", str(tmp_path / "eaf")
    )
    assert code == 0, stdout
    html = (tmp_path / "eaf" / "report.html").read_text(encoding="utf-8")
    assert "Voluntary agreement" in html and "Conservation supply curve" in html
    assert "Implausible data" in html
