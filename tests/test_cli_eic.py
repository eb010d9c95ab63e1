"""``ecocluster eic`` and ``ecocluster policy``: profiles, comparisons and recommendations
from the command line, the same as the library's, with clear errors for bad files.

The profile and rule logic is tested in test_eic.py and test_policy.py; here the commands
must pass the library's numbers through unchanged. The published profiles are the
comparative evaluation in Anbumozhi (IGES), "Eco-industrial clusters": 120 small businesses
in Hosur, 72 in Maniwa, 60 in Chachoengsao and 175 in An Giang.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from clirun import run
from ecocluster.analysis import SurveyAnalysis, analyse_example

EXAMPLE = ["--example", "red-river-2007"]
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def analysis() -> SurveyAnalysis:
    return analyse_example("red-river-2007", fit_models=False)


def test_compare_shows_the_published_clusters() -> None:
    code, stdout, _ = run("eic", "compare", "--json")
    assert code == 0
    rows = {row["cluster"]: row for row in json.loads(stdout)}
    counts = {name: row["Small businesses"] for name, row in rows.items()}
    assert counts == {
        "Sericulture, Hosur": "120",
        "Wood, Maniwa": "72",
        "Rice, Chachoengsao": "60",
        "Fish, An Giang": "175",
    }
    assert rows["Fish, An Giang"]["Major constraint"] == "Integrated Policy"


def test_compare_surveyed_with_published_by_any_spelling(tmp_path: Path) -> None:
    target = tmp_path / "comparison.csv"
    code, stdout, _ = run(
        "eic", "compare", *EXAMPLE, "--clusters", "Bát Tràng, an giang", "-o", str(target)
    )
    assert code == 0, stdout
    table = pd.read_csv(target, encoding="utf-8-sig", index_col=0)
    assert list(table.columns) == ["Bat Trang", "Fish, An Giang"]
    assert table.loc["Major constraint", "Bat Trang"].startswith("Shortage of capital")


def test_compare_adds_clusters_profiled_by_hand(tmp_path: Path) -> None:
    written = tmp_path / "binh_yen.csv"
    written.write_text(
        "id,name,country,sector,major_constraint,source\n"
        "binh_yen,Bình Yên,Viet Nam,Aluminium recycling,Enabling Technology,field notes\n",
        encoding="utf-8",
    )
    code, stdout, _ = run("eic", "compare", "--profiles", str(written), "--json")
    assert code == 0, stdout
    rows = {row["cluster"]: row for row in json.loads(stdout)}
    assert rows["Bình Yên"]["Major constraint"] == "Enabling Technology"
    assert rows["Bình Yên"]["Key players"] == "not known"
    assert len(rows) == 5


def test_profile_matches_the_library(analysis: SurveyAnalysis, tmp_path: Path) -> None:
    assert analysis.profiles is not None
    target = tmp_path / "profiles.csv"
    code, stdout, _ = run("eic", "profile", *EXAMPLE, "-o", str(target))
    assert code == 0, stdout
    written = pd.read_csv(target, encoding="utf-8-sig", keep_default_na=False)
    assert list(written["id"]) == list(analysis.profiles["id"])
    assert list(written["major_constraint"]) == list(analysis.profiles["major_constraint"])
    assert set(written["key_benefits_provenance"]) == {"hand"}


def test_recommendations_differ_by_cluster_and_cite_evidence(analysis: SurveyAnalysis) -> None:
    assert analysis.recommendations is not None
    code, stdout, _ = run("policy", "recommend", *EXAMPLE, "--json")
    assert code == 0
    rows = pd.DataFrame(json.loads(stdout))
    pd.testing.assert_frame_equal(rows, analysis.recommendations.reset_index(drop=True))
    fired = {key: set(group["rule"]) for key, group in rows.groupby("cluster")}
    assert "partner-with-buyers" in fired["bat_trang"]
    assert "partner-with-buyers" not in fired["dong_ky"] | fired["van_phuc"]
    assert "work-through-association" in fired["dong_ky"] - fired["bat_trang"]
    assert rows["evidence"].str.contains("threshold").all()
    code, stdout, _ = run("policy", "recommend", *EXAMPLE, "--cluster", "Vạn Phúc")
    assert code == 0
    assert "Van Phuc: " in stdout and "Bat Trang" not in stdout.split("\n")[1]
    assert "evidence: " in stdout


def test_own_rule_file_is_used_and_checked(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\nid = "loans"\nstream = "environmental"\n'
        'intervention = "Loans for {central_actor}"\nsource = "own analysis"\n'
        'all = [{ indicator = "constraint_capital", op = ">=", value = 80 }]\n',
        encoding="utf-8",
    )
    code, stdout, _ = run("policy", "recommend", *EXAMPLE, "--rules", str(rules), "--json")
    assert code == 0, stdout
    rows = pd.DataFrame(json.loads(stdout))
    assert set(rows["cluster"]) == {"dong_ky", "van_phuc"}  # capital 88% and 85%; 53% not
    code, _, stderr = run("policy", "rules", "--rules", str(DATA / "policy" / "bad_rules.toml"))
    assert code == 1 and "bad_rules.toml" in stderr and "refused" in stderr
    code, stdout, _ = run("policy", "rules", "--template")
    assert code == 0 and "[[rule]]" in stdout


def test_bad_hand_profile_is_one_clear_error() -> None:
    path = DATA / "eic" / "hand_many_problems.csv"
    code, _, stderr = run("eic", "profile", *EXAMPLE, "--hand", str(path))
    assert code == 1
    assert "hand_many_problems.csv" in stderr and "row" in stderr


def test_usage_errors() -> None:
    code, _, stderr = run("eic", "compare", "--hand", str(DATA / "eic" / "x.csv"))
    assert code == 2
    code, _, stderr = run("eic", "compare", "--clusters", "Atlantis")
    assert code == 1 and "Atlantis" in stderr
    code, _, stderr = run("policy", "recommend", *EXAMPLE, "--cluster", "Atlantis")
    assert code == 2 and "Bat Trang" in stderr
