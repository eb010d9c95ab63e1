"""Voluntary agreements, goals, trajectories and progress tracking (targets.py).

Values are worked by hand from ``tests/data/targets/`` (made-up test values shaped like a
steel association's agreement and an eco-city's green-industry goals). The progress PNG
goes to ``test-artifacts/progress.png`` for a person to look at.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocluster.errors import InputError
from ecocluster.targets import (
    STATUSES,
    agreement_series,
    compute_trajectory,
    draw_progress,
    read_agreement,
    read_goals,
    read_progress,
    track_agreement,
    track_progress,
    write_progress,
)

DATA = Path(__file__).parent / "data" / "targets"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
GOALS, PROGRESS = DATA / "goals.csv", DATA / "progress.csv"


@pytest.fixture(scope="module")
def goals() -> pd.DataFrame:
    return read_goals(DATA / "goals.csv")


@pytest.fixture(scope="module")
def progress(goals: pd.DataFrame) -> pd.DataFrame:
    return read_progress(DATA / "progress.csv", goals)


@pytest.fixture(scope="module")
def intensities() -> pd.DataFrame:
    return pd.read_csv(DATA / "intensities.csv")


# --------------------------------------------------------------------- trajectories
def test_trajectory_is_a_straight_line_flat_outside() -> None:
    # 1.0 in 2020 → 0.8 in 2030: −0.02 a year; 2024: 1.0 − 4 × 0.02 = 0.92
    values = compute_trajectory(2020, 1.0, 2030, 0.8, [2018, 2020, 2024, 2030, 2032])
    assert values.tolist() == pytest.approx([1.0, 1.0, 0.92, 0.8, 0.8])
    with pytest.raises(InputError) as caught:
        compute_trajectory(2030, 1.0, 2020, 0.8, [2025])
    assert caught.value.rule == "year"


# --------------------------------------------------------------------- goals
def test_goal_statuses(goals: pd.DataFrame, progress: pd.DataFrame) -> None:
    tracked = track_progress(goals, progress).set_index("goal")
    status = tracked["status"].to_dict()
    assert status == {
        "energy_intensity": "on track",  # decrease: 0.90 in 2024 ≤ trajectory 0.92
        "co2_intensity": "off track",  # decrease: 0.49 > 0.50 − 0.04 = 0.46
        "resource_productivity": "on track",  # increase: 1.25 ≥ 1.0 + 0.2 = 1.20
        "recycling_rate": "off track",  # increase: 70 < 60 + 12 = 72
        "waste_per_t": "no data",  # decrease, nothing reported
        "water_per_t": "met",  # decrease: 7.5 ≤ 8 in 2023
        "renewable_share": "met",  # increase: 21 ≥ 20 in 2024
        "green_jobs": "no data",  # increase, nothing reported
    }
    assert set(status.values()) == set(STATUSES)
    row = tracked.loc["energy_intensity"]
    assert row["latest_year"] == 2024 and row["latest_value"] == 0.90
    assert row["trajectory_value"] == pytest.approx(0.92)
    assert row["gap_to_trajectory"] == pytest.approx(-0.02)
    assert row["gap_to_target"] == pytest.approx(-0.10)
    # (0.8 − 0.9) over 6 years left
    assert row["required_annual_change"] == pytest.approx(-0.1 / 6)
    # increase: (90 − 70) / 6 = +3.33 a year
    assert tracked.loc["recycling_rate", "required_annual_change"] == pytest.approx(20 / 6)
    assert tracked.loc["water_per_t", "required_annual_change"] == 0.0
    assert np.isnan(tracked.loc["waste_per_t", "latest_value"])
    assert tracked.loc["energy_intensity", "region"] == "Hội An"  # other columns are kept


def test_tolerance_and_as_of(goals: pd.DataFrame, progress: pd.DataFrame) -> None:
    # 0.49 ≤ 0.46 × 1.1 = 0.506 with 10% tolerance
    loose = track_progress(goals, progress, tolerance=0.1).set_index("goal")
    assert loose.loc["co2_intensity", "status"] == "on track"
    earlier = track_progress(goals, progress, as_of=2022).set_index("goal")
    # 2022: 0.97 > 1.0 − 2 × 0.02 = 0.96 (decrease); 1.05 < 1.0 + 2 × 0.05 = 1.10 (increase)
    assert earlier.loc["energy_intensity", "status"] == "off track"
    assert earlier.loc["energy_intensity", "trajectory_value"] == pytest.approx(0.96)
    assert earlier.loc["resource_productivity", "status"] == "off track"
    assert earlier.loc["co2_intensity", "status"] == "no data"  # first report in 2024
    with pytest.raises(InputError) as caught:
        track_progress(goals, progress, tolerance=-0.1)
    assert caught.value.rule == "tolerance"


def test_a_target_year_passed_without_reaching_it_is_off_track() -> None:
    targets = pd.DataFrame({"target": ["t"], "baseline_year": [2020], "baseline_value": [10.0],
                            "target_year": [2025], "target_value": [8.0]})  # fmt: skip
    reported = pd.DataFrame({"target": ["t"], "year": [2027], "value": [8.5]})
    row = track_progress(targets, reported).iloc[0]
    assert row["status"] == "off track" and row["trajectory_value"] == 8.0
    assert np.isnan(row["required_annual_change"])
    assert row["direction"] == "decrease"  # the default


def test_bad_goals_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "goals.csv"
    head = "goal,indicator,unit,baseline_year,baseline_value,target_year,target_value,direction\n"
    path.write_text(
        head
        + "a,x,u,2020,1,2030,0.8,down\n"  # direction
        + "b,x,u,2030,1,2020,0.8,decrease\n"  # target year before baseline
        + "c,x,u,2020,one,2030,0.8,decrease\n"  # not a number
        + "a,x,u,2020,1,2030,0.8,decrease\n"  # duplicate
        + "d,x,u,2020,1,2030,1.2,decrease\n"  # a decrease that goes up
        + "e,x,u,2020.5,1,2030,0.8,decrease\n",  # not a year
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_goals(path)
    text = str(caught.value)
    for row, column, rule in [(2, "direction", "direction"), (3, "target_year", "year"),
                              (4, "baseline_value", "not-a-number"), (5, "goal", "duplicate"),
                              (6, "target_value", "direction"),
                              (7, "baseline_year", "year")]:  # fmt: skip
        assert f"row {row}, column {column!r}" in text and f"[{rule}]" in text, rule


def test_bad_progress_is_refused(tmp_path: Path, goals: pd.DataFrame) -> None:
    path = tmp_path / "progress.csv"
    path.write_text(
        "goal,year,value\nnothing,2024,1\nenergy_intensity,2024,n/a\n"
        "energy_intensity,2024.5,0.9\nco2_intensity,2024,0.4\nco2_intensity,2024,0.41\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_progress(path, goals)
    text = str(caught.value)
    for row, rule in [(2, "unknown-goal"), (3, "not-a-number"), (4, "year"), (6, "duplicate")]:
        assert f"row {row}, column" in text and f"[{rule}]" in text, rule


# --------------------------------------------------------------------- agreements
def test_agreement_is_read() -> None:
    agreement = read_agreement(DATA / "agreement.toml")
    assert agreement.sector == "eaf_steel" and agreement.unit == "GJ/t"
    years = (agreement.baseline_year, agreement.target_year)
    assert years == (2020, 2030) and agreement.reduction == 0.15
    table = agreement.commitments.set_index("plant")
    assert table.loc["P1", "reduction"] == 0.15 and table.loc["P1", "target_year"] == 2030
    assert table.loc["P2", "reduction"] == 0.20 and table.loc["P2", "target_year"] == 2025
    assert np.isnan(table.loc["P3", "reduction"]) and table.loc["P3", "target_intensity"] == 2.0


def test_agreement_tracking_for_three_plants(intensities: pd.DataFrame) -> None:
    agreement = read_agreement(DATA / "agreement.toml")
    tracked = track_agreement(agreement, intensities).set_index("plant")
    # P1: 3.0 → 3.0 × 0.85 = 2.55 by 2030; 2024 trajectory 3.0 − 0.45 × 4/10 = 2.82 < 2.9
    assert tracked.loc["P1", "target_value"] == pytest.approx(2.55)
    assert tracked.loc["P1", "trajectory_value"] == pytest.approx(2.82)
    assert tracked.loc["P1", "status"] == "off track"
    # P2: 2.5 → 2.0 by 2025; 2024 trajectory 2.5 − 0.5 × 4/5 = 2.1 = reported: on track
    assert tracked.loc["P2", "target_value"] == pytest.approx(2.0)
    assert tracked.loc["P2", "status"] == "on track"
    # P3: target_intensity 2.0 from 2.4; 2024 trajectory 2.4 − 0.4 × 0.4 = 2.24 < 2.3
    assert tracked.loc["P3", "trajectory_value"] == pytest.approx(2.24)
    assert tracked.loc["P3", "status"] == "off track"
    # sector, production-weighted: 2020 (3.0 × 1 + 2.5 × 3 + 2.4 × 1) / 5 = 2.58; 2024
    # (2.9 + 6.3 + 2.3) / 5 = 2.30; target 2.58 × 0.85 = 2.193; trajectory 2.58 − 0.387 ×
    # 0.4 = 2.4252 ≥ 2.30: on track
    sector = tracked.loc["eaf_steel"]
    assert sector["level"] == "sector"
    assert sector["baseline_value"] == pytest.approx(2.58)
    assert sector["latest_value"] == pytest.approx(2.30)
    assert sector["target_value"] == pytest.approx(2.193)
    assert sector["trajectory_value"] == pytest.approx(2.4252)
    assert sector["status"] == "on track"
    # without production: the plain mean, 7.9 / 3 = 2.6333 in 2020 and 7.3 / 3 in 2024
    plain = track_agreement(agreement, intensities.drop(columns="production"))
    row = plain.set_index("plant").loc["eaf_steel"]
    assert row["baseline_value"] == pytest.approx(7.9 / 3)
    assert row["latest_value"] == pytest.approx(7.3 / 3)


def test_agreement_without_baseline_value(intensities: pd.DataFrame) -> None:
    agreement = read_agreement(DATA / "agreement.toml")
    later = intensities[~((intensities["plant"] == "P1") & (intensities["year"] == 2020))]
    row = track_agreement(agreement, later).set_index("plant").loc["P1"]
    assert row["status"] == "no data" and "2020" in row["note"]
    doubled = pd.concat([intensities, intensities.iloc[:1]])
    with pytest.raises(InputError) as caught:
        agreement_series(agreement, doubled)
    assert caught.value.rule == "duplicate"


def test_bad_agreement_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "agreement.toml"
    path.write_text(
        "[agreement]\n"
        'name = "x"\nsector = "eaf_steel"\nindicator = "final_energy"\nunit = "GJ/t"\n'
        "baseline_year = 2030\n"
        "target_year = 2020\n"  # line 7: before the baseline
        "reduction = 1.5\n"  # line 8: not in (0, 1)
        "colour = 3\n"  # line 9: unknown key
        "\n[[commitment]]\n"
        'plant = "P1"\n'
        "reduction = 0.1\n"
        "target_intensity = 2.0\n"  # line 14: both
        "\n[[commitment]]\n"
        'plant = "P1"\n'  # line 17: twice
        "target_year = 2035\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_agreement(path)
    text = str(caught.value)
    for line, key, rule in [(7, "target_year", "year"), (8, "reduction", "reduction"),
                            (9, "colour", "unknown-key"), (14, "target_intensity", "ambiguous"),
                            (17, "plant", "duplicate")]:  # fmt: skip
        assert f"{path}, row {line}, column {key!r}" in text and f"[{rule}]" in text, rule


def test_invalid_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "agreement.toml"
    path.write_text("[agreement\nname = 1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_agreement(path)
    assert caught.value.rule == "toml"


# --------------------------------------------------------------------- figure
def test_progress_png_artefact(
    goals: pd.DataFrame, progress: pd.DataFrame, intensities: pd.DataFrame
) -> None:
    tracked = track_progress(goals, progress)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "progress.png"
    path.unlink(missing_ok=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_progress(tracked, progress, path, title="Green-industry goals, Hội An (test)")
    assert [str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)] == []
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    agreement = read_agreement(DATA / "agreement.toml")
    figure = draw_progress(track_agreement(agreement, intensities),
                           agreement_series(agreement, intensities))  # fmt: skip
    titles = [axes.get_title(loc="left") for axes in figure.axes]
    assert titles == ["P1: off track", "P2: on track", "P3: off track", "eaf_steel: on track"]


def test_progress_figure_has_at_most_twelve_panels() -> None:
    names = [f"g{i}" for i in range(15)]
    targets = pd.DataFrame({"goal": names, "baseline_year": 2020, "baseline_value": 1.0,
                            "target_year": 2030, "target_value": 0.5})  # fmt: skip
    reported = pd.DataFrame({"goal": names, "year": 2024, "value": 0.9})
    figure = draw_progress(track_progress(targets, reported), reported, title="Many")
    assert len(figure.axes) == 12
    assert "first 12 of 15" in figure.get_suptitle()


def test_goals_and_progress_read_from_excel_as_from_csv(tmp_path: Path) -> None:
    """An officer's workbook reads as the CSV does (first sheet; comment lines skipped)."""
    from openpyxl import Workbook

    def workbook(source: Path, target: Path) -> Path:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for line in source.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                cells = next(csv.reader([line]))
                sheet.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in cells])
        book.save(target)
        return target

    goals_csv = read_goals(GOALS)
    goals_xlsx = read_goals(workbook(GOALS, tmp_path / "goals.xlsx"))
    columns = ["goal", "baseline_year", "baseline_value", "target_year", "target_value"]
    pd.testing.assert_frame_equal(
        goals_xlsx[columns].reset_index(drop=True), goals_csv[columns].reset_index(drop=True)
    )
    progress = read_progress(workbook(PROGRESS, tmp_path / "progress.xlsx"), goals_xlsx)
    expected = read_progress(PROGRESS, goals_csv)
    assert progress[["goal", "year", "value"]].to_numpy().tolist() == (
        expected[["goal", "year", "value"]].to_numpy().tolist()
    )
