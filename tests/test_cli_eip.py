"""``ecocluster eip``: criteria sets, the park template and the assessment from the command
line; the judgements themselves are tested in test_eip.py."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from clirun import run
from ecocluster.eip import assess_parks, read_criteria, read_park

DATA = Path(__file__).parent / "data" / "eip"


def test_criteria_and_template_round_trip(tmp_path: Path) -> None:
    code, stdout, _ = run("eip", "criteria")
    assert code == 0 and "vn-decree-35-2022" in stdout and "2018-07-10" in stdout
    for suffix in (".csv", ".xlsx"):
        target = tmp_path / f"park{suffix}"
        code, stdout, _ = run(
            "eip", "template", "--criteria", "vn-decree-35-2022", "-o", str(target)
        )
        assert code == 0, stdout
        park = read_park(target)
        assert park["value"].isna().all()  # an empty template reads back as no data
    code, _, stderr = run("eip", "template", "--criteria", "nowhere", "-o", str(tmp_path / "x.csv"))
    assert code == 1 and "vn-decree-35-2022" in stderr


def test_assess_matches_the_library(tmp_path: Path) -> None:
    parks = DATA / "parks.csv"
    code, stdout, _ = run(
        "eip", "assess", "--park", str(parks), "--criteria", "vn-decree-35-2022", "--json"
    )
    assert code == 0, stdout
    printed = {item["park"]: item for item in json.loads(stdout)}
    expected = assess_parks(read_park(parks), read_criteria("vn-decree-35-2022"))
    assert set(printed) == set(expected)
    for park, assessment in expected.items():
        statuses = [row["status"] for row in printed[park]["results"]]
        assert statuses == list(assessment.results["status"])
        assert printed[park]["ready"] is assessment.ready
    folder = tmp_path / "out"
    code, stdout, _ = run(
        "eip", "assess", "--park", str(parks), "--criteria", "vn-decree-35-2022", "-o", str(folder)
    )
    assert code == 0 and "not yet ready" in stdout
    actions = pd.read_csv(folder / "actions.csv", encoding="utf-8-sig")
    assert set(actions["park"]) == set(expected)


def test_bad_park_file_is_one_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, _, stderr = run(
        "eip", "assess", "--park", str(DATA / "bad_park.csv"), "--criteria",
        "vn-decree-35-2022", "-o", str(folder),
    )  # fmt: skip
    assert code == 1 and "bad_park.csv" in stderr and "row" in stderr
    assert not folder.exists()
