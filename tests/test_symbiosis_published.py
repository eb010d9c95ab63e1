"""The matcher against Kalundborg: the published exchanges its firms' streams lead to.

The exchanges are published (data/network/published/kalundborg.csv, each row cited); the
streams' quantities, prices and positions are assumptions (kalundborg_streams.csv and the
README), so the check is of which partners the plan chooses, not of amounts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import run
from ecocluster.errors import InputError
from ecocluster.interfirm import load_published_network, published_root
from ecocluster.symbiosis import haversine_km, read_rules
from ecocluster.symbiosis_match import check_plan, plan_exchanges
from ecocluster.symbiosis_published import (
    compare_with_published,
    load_published_streams,
    parse_transport_costs,
    read_exchange_classes,
)


@pytest.fixture(scope="module")
def kalundborg() -> tuple:
    published = load_published_streams("Kalundborg")
    ties = load_published_network("kalundborg").ties
    return published, ties


def test_the_plan_proposes_every_expressible_published_exchange(kalundborg: tuple) -> None:
    published, ties = kalundborg
    plan = plan_exchanges(published.streams, transport_cost_per_tkm=published.transport_cost)
    assert check_plan(plan, published.streams, read_rules()) == []
    comparison = compare_with_published(plan, ties, published.classes)
    # 16 published exchanges; three cannot be expressed: water drawn from Lake Tissø (1961),
    # the same lake water passed on by the refinery (1973) and ammonium thiosulphate (2000).
    assert comparison.attrs["published"] == 16
    unexpressed = comparison.loc[~comparison["expressible"], "material"].tolist()
    assert unexpressed == [
        "surface water",
        "surface water (Lake Tissø)",
        "ammonium thiosulphate (liquid fertiliser)",
    ]
    assert comparison.attrs["expressible"] == 13
    assert comparison.attrs["proposed"] == 13
    assert comparison.attrs["recall"] == 1.0
    # Both water flows from the refinery to Asnæs count, each against its own stream:
    # cooling water (700,000 m3, 1987) and treated waste water (200,000 m3, 1991).
    water = comparison[comparison["output"] == "treated_wastewater"]
    assert water["quantity"].tolist() == [700_000, 200_000]
    # One proposal was never made: the refinery's surplus gas for the town's heating
    # (Gyproc takes 60,000 of its 100,000 MWh; the town needs 500,000 MWh of heat).
    extra = comparison.attrs["extra"]
    assert extra.to_dict("records") == [
        {"supplier": "statoil", "receiver": "kalundborg_municipality", "output": "fuel_gas",
         "input": "process_heat"}
    ]  # fmt: skip


def test_fly_ash_to_aalborg_stops_paying_when_trucking_costs_more_than_it_saves(
    kalundborg: tuple,
) -> None:
    published, ties = kalundborg
    streams = published.streams.set_index("firm")
    km = float(
        haversine_km(
            streams.loc["asnaes", "lat"].iloc[0], streams.loc["asnaes", "lon"].iloc[0],
            streams.loc["cement_industry", "lat"], streams.loc["cement_industry", "lon"],
        )
    )  # fmt: skip
    # The ash saves 30 EUR/t of landfill and 50 EUR/t of clinker: 80 EUR/t. At
    # 0.5 EUR/t-km its ~168 km cost about 84 EUR/t, so the exchange no longer pays.
    assert 160 < km < 175 and 0.5 * km > 30 + 50 > 0.15 * km
    costs = {**published.transport_cost, "solid": 0.5}
    plan = plan_exchanges(published.streams, transport_cost_per_tkm=costs)
    comparison = compare_with_published(plan, ties, published.classes)
    missed = comparison[comparison["expressible"] & ~comparison["proposed"]]
    assert missed["material"].tolist() == ["fly ash"]
    assert missed["reason"].tolist() == ["not in the plan"]


def test_classes_file_problems_are_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "classes.csv"
    path.write_text(
        "material,output,input,reason\n"
        "fly ash,fly_ash,cement_additive,\n"
        "Fly Ash,fly_ash,cement_additive,\n"
        "steam,steam,,\n"
        "sludge,sludge_of_dreams,compost_feedstock,\n"
        "surface water,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        read_exchange_classes(path)
    text = str(error.value)
    assert "4 problems" in text
    assert "row 3" in text and "[duplicate]" in text
    assert "row 4" in text and "[pair]" in text
    assert "row 5" in text and "'sludge_of_dreams'" in text and "[unknown-material]" in text
    assert "row 6" in text and "no classes and no reason" in text


def test_a_material_the_classes_file_does_not_map_is_refused(kalundborg: tuple) -> None:
    published, ties = kalundborg
    plan = plan_exchanges(published.streams, transport_cost_per_tkm=published.transport_cost)
    with pytest.raises(InputError, match="does not say how to read 'fly ash'"):
        compare_with_published(
            plan, ties, published.classes[published.classes["material"] != "fly ash"]
        )


def test_transport_costs_and_unknown_networks() -> None:
    assert parse_transport_costs("solid=0.15; liquid = 0.02;") == {"solid": 0.15, "liquid": 0.02}
    with pytest.raises(InputError, match="'solid=cheap' is not 'group=number'"):
        parse_transport_costs("solid=cheap")
    with pytest.raises(InputError, match="with streams: kalundborg"):
        load_published_streams("kwinana")
    assert (published_root() / "kalundborg_streams.csv").is_file()


def test_cli_recall(tmp_path: Path) -> None:
    target = tmp_path / "recall.csv"
    code, stdout, _ = run("symbiosis", "recall", "-o", str(target))
    assert code == 0, stdout
    assert "proposes 13 of the 13 published exchanges" in stdout
    assert "statoil → kalundborg_municipality" in stdout
    assert target.read_text(encoding="utf-8-sig").count("\n") == 17
    code, stdout, _ = run("symbiosis", "recall", "--json")
    assert code == 0
    assert json.loads(stdout)["attrs"]["recall"] == 1.0
    code, _, stderr = run("symbiosis", "recall", "--published", "nowhere")
    assert code != 0 and "no published network named 'nowhere'" in stderr
