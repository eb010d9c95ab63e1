"""The symbiosis section of the zone and cluster reports, and the plan's map.

The plan's numbers are tested in test_symbiosis.py and test_symbiosis_examples.py; here:
that the reports show the same plan (exchanges, firms, unmet needs, facility shares), that
the section's tables are the plan's own, and that the commands add it only when asked.
"""

from __future__ import annotations

import dataclasses
import json
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from clirun import run
from ecocluster.analysis import SurveyAnalysis
from ecocluster.recp import load_example_programme
from ecocluster.report.document import FigureBlock, KeyFigures, TableBlock, collect_table
from ecocluster.report.survey import build_survey_report
from ecocluster.report.symbiosis import symbiosis_section
from ecocluster.report.zone import analyse_zone, build_zone_report
from ecocluster.symbiosis_analysis import (
    SymbiosisAnalysis,
    analyse_symbiosis_example,
    plan_network,
    write_plan_map,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def village() -> SymbiosisAnalysis:
    return analyse_symbiosis_example("Symbiosis-Craft-Village")


@pytest.fixture(scope="module")
def zone_symbiosis() -> SymbiosisAnalysis:
    return analyse_symbiosis_example("symbiosis-industrial-zone")


def test_section_shows_the_plan_and_the_facility(village: SymbiosisAnalysis) -> None:
    tables: dict[str, pd.DataFrame] = {}
    section = symbiosis_section(village, partial(collect_table, tables))
    assert section is not None and section.id == "symbiosis"
    plan = village.plan
    assert tables["symbiosis_exchanges"] is plan.exchanges
    assert tables["symbiosis_firms"] is plan.firms
    pd.testing.assert_frame_equal(tables["symbiosis_unmet"], plan.unmet)
    strip = next(b for b in section.blocks if isinstance(b, KeyFigures))
    figures = dict(strip.items)
    assert figures["Exchanges"] == f"{int(plan.totals['exchanges'])}"
    assert figures["Net saving (VND/yr)"] == f"{plan.totals['net_saving'] / 1e9:,.1f} billion"
    shown = next(
        b for b in section.blocks if isinstance(b, TableBlock) and b.name == "symbiosis_exchanges"
    )
    best = plan.exchanges.loc[plan.exchanges["net_saving"].idxmax()]
    assert shown.frame.index[0] == (best["supplier_name"] or best["supplier_firm"])
    assert len(shown.frame) == 15 < len(plan.exchanges)
    # Unmet needs are summed by material: brick clay gets nothing in the village example.
    unmet = next(
        b for b in section.blocks if isinstance(b, TableBlock) and b.name == "symbiosis_unmet"
    )
    clay = plan.unmet[plan.unmet["material"] == "brick_clay"]
    assert unmet.frame.loc["brick_clay", "Left unmet per year"] == f"{clay['left'].sum():,.0f} t"
    facility = tables["symbiosis_facility"]
    assert facility is village.facility
    text = " ".join(getattr(b, "text", "") for b in section.blocks)
    flagged = village.facility.loc[~village.facility["joins_pays"], "name"].tolist()
    assert flagged and all(name in text for name in flagged)
    assert "wastewater treatment plant for textile dyeing" in text
    maps = [b for b in section.blocks if isinstance(b, FigureBlock)]
    assert [b.id for b in maps] == ["figure-symbiosis-map"]
    assert symbiosis_section(None, partial(collect_table, tables)) is None


def test_plan_network_names_the_firms(zone_symbiosis: SymbiosisAnalysis) -> None:
    network = plan_network(zone_symbiosis.plan)
    assert network is not None
    names = dict(zip(network.actors["id"], network.actors["label"], strict=True))
    firms = zone_symbiosis.plan.firms.set_index("firm")["name"]
    assert all(names[firm] == name for firm, name in firms.items())
    assert len(network.ties) == len(zone_symbiosis.plan.exchanges)


def test_plan_map_png(zone_symbiosis: SymbiosisAnalysis, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = write_plan_map(
        zone_symbiosis.plan, zone_symbiosis.streams, ARTIFACTS / "symbiosis-plan-map.png"
    )
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    svg = write_plan_map(zone_symbiosis.plan, zone_symbiosis.streams, tmp_path / "map.svg")
    assert "Coal power plant" in svg.read_text(encoding="utf-8") or svg.stat().st_size > 10_000


def test_zone_report_has_the_section(zone_symbiosis: SymbiosisAnalysis) -> None:
    zone = analyse_zone(load_example_programme(), symbiosis=zone_symbiosis, criteria=None)
    report, tables = build_zone_report(zone)
    assert [s.id for s in report.sections][-2:] == ["cost-curve", "symbiosis"]
    assert tables["symbiosis_exchanges"] is zone_symbiosis.plan.exchanges
    summary = json.loads(json.dumps(zone.summary()))
    assert (
        summary["symbiosis"]["plan"]["totals"]["exchanges"]
        == zone_symbiosis.plan.totals["exchanges"]
    )


def test_cluster_report_has_the_section(
    analysis: SurveyAnalysis, village: SymbiosisAnalysis
) -> None:
    with_symbiosis = dataclasses.replace(analysis, symbiosis=village)
    report, tables = build_survey_report(with_symbiosis)
    ids = [s.id for s in report.sections]
    assert "symbiosis" in ids and "symbiosis" not in [
        s.id for s in build_survey_report(analysis)[0].sections
    ]
    assert "symbiosis_facility" in tables
    assert (
        with_symbiosis.summary()["symbiosis"]["facility"]["attrs"]["facility"]
        == "wastewater_dyeing"
    )


def test_commands_take_the_symbiosis_options(tmp_path: Path) -> None:
    code, stdout, _ = run("symbiosis", "match", "--example", "symbiosis-craft-village", "--json")
    assert code == 0
    assert json.loads(stdout)["totals"]["exchanges"] == 110
    code, _, stderr = run("symbiosis", "match", "--streams", __file__)
    assert code != 0 and "--transport-cost" in stderr
    code, _, stderr = run("symbiosis", "match")
    assert code != 0 and "either --streams FILE or --example NAME" in stderr
    code, _, stderr = run(
        "zone", "report", "--example", "eip-pilot-zones", "--transport-cost", "5",
        "-o", str(tmp_path / "z"),
    )  # fmt: skip
    assert code != 0 and "go with --streams" in stderr and not (tmp_path / "z").exists()
    code, stdout, _ = run(
        "zone", "report", "--example", "eip-pilot-zones",
        "--symbiosis-example", "symbiosis-industrial-zone", "-o", str(tmp_path / "zone"),
    )  # fmt: skip
    assert code == 0, stdout
    html = (tmp_path / "zone" / "report.html").read_text(encoding="utf-8")
    assert "Industrial symbiosis: An industrial zone on the Hai Phong coast" in html
    assert (tmp_path / "zone" / "tables" / "symbiosis_exchanges.csv").is_file()
