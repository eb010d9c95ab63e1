"""``ecocluster symbiosis``: the command gives the library's plan and cost shares; the
solvers and allocation rules are tested in test_symbiosis.py and test_shared_facilities.py."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from clirun import run
from ecocluster.shared_facilities import allocate_costs, read_members

FACILITIES = Path(__file__).parent / "data" / "shared_facilities"


def test_facility_allocation_matches_the_library(tmp_path: Path) -> None:
    members_path = FACILITIES / "van_phuc_dyeing.csv"
    target = tmp_path / "shares.csv"
    code, stdout, _ = run(
        "symbiosis", "facility", "--members", str(members_path), "-o", str(target)
    )
    assert code == 0, stdout
    expected = allocate_costs(read_members(members_path), "wastewater_dyeing")
    written = pd.read_csv(target, encoding="utf-8-sig")
    pd.testing.assert_series_equal(
        written["shapley_cost"], expected["shapley_cost"].reset_index(drop=True), check_names=False
    )
    assert abs(written["shapley_cost"].sum() - expected.attrs["total_cost"]) < 1e-3
    flagged = set(expected.loc[~expected["joins_pays"], "member_id"])
    assert flagged and all(member in stdout or "NO" in stdout for member in flagged)
    code, stdout, _ = run("symbiosis", "facility", "--members", str(members_path), "--json")
    assert code == 0
    payload = json.loads(stdout)
    assert payload["attrs"]["facility"] == "wastewater_dyeing"
    assert len(payload["members"]) == len(expected)


def test_bad_members_file_is_one_clear_error() -> None:
    code, _, stderr = run("symbiosis", "facility", "--members", str(FACILITIES / "members_bad.csv"))
    assert code == 1 and "members_bad.csv" in stderr and "row" in stderr


def test_materials_are_listed() -> None:
    code, stdout, _ = run("symbiosis", "materials")
    assert code == 0 and "sawdust" in stdout.lower()


SYMBIOSIS = Path(__file__).parent / "data" / "symbiosis"


def test_match_writes_the_optimal_plan_and_its_network(tmp_path: Path) -> None:
    import networkx as nx

    from ecocluster.symbiosis import read_streams
    from ecocluster.symbiosis_match import plan_exchanges

    streams_path = SYMBIOSIS / "village_streams.csv"
    code, stdout, _ = run(
        "symbiosis", "match", "--streams", str(streams_path), "--transport-cost", "5000", "--json"
    )
    assert code == 0, stdout
    payload = json.loads(stdout)
    plan = plan_exchanges(read_streams(streams_path), transport_cost_per_tkm=5000)
    assert payload["totals"]["net_saving"] == plan.totals["net_saving"]
    folder = tmp_path / "plan"
    code, stdout, _ = run(
        "symbiosis", "match", "--streams", str(streams_path), "--transport-cost", "5000",
        "-o", str(folder),
    )  # fmt: skip
    assert code == 0, stdout
    assert "needs not fully met" in stdout
    graph = nx.read_graphml(folder / "network.graphml")
    assert graph.number_of_edges() == len(plan.exchanges)
    metrics = pd.read_csv(folder / "metrics.csv", encoding="utf-8-sig")
    assert set(metrics["node"]) == set(graph.nodes)


def test_match_refuses_bad_streams_together(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    code, _, stderr = run(
        "symbiosis", "match", "--streams", str(SYMBIOSIS / "bad_streams.csv"),
        "--transport-cost", "5000", "-o", str(folder),
    )  # fmt: skip
    assert code == 1
    for rule in ("unknown-material", "negative-quantity", "no-coordinates"):
        assert rule in stderr
    assert not folder.exists()
