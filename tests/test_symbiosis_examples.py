"""The bundled symbiosis examples: they read cleanly, the generator makes them byte for
byte, and the optimal plan and the shared plant give the figures their READMEs state."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from ecocluster.errors import InputError
from ecocluster.shared_facilities import allocate_costs
from ecocluster.symbiosis import read_rules
from ecocluster.symbiosis_examples import (
    example_members,
    example_path,
    example_settings,
    example_symbioses,
    load_example_streams,
)
from ecocluster.symbiosis_match import Plan, check_plan, plan_exchanges

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "src" / "ecocluster" / "data" / "examples"
GENERATOR = ROOT / "tools" / "make_symbiosis_examples.py"
VILLAGE, ZONE = "symbiosis-craft-village", "symbiosis-industrial-zone"

#: What each README states of the example and of its optimal plan at the suggested
#: transport cost: firms, streams (outputs, inputs), exchanges and firms in them, net
#: saving (VND a year, as written: three significant figures), tonnes kept from disposal.
STATED = {
    VILLAGE: {
        "firms": 66, "streams": 123, "outputs": 87, "inputs": 36, "exchanges": 110,
        "firms_in_plan": 60, "net_saving": 8.29e9, "diverted_t": 5174,
        "texts": ("66 firms", "123 streams", "110 exchanges", "8.29 billion VND", "5,174 t"),
    },
    ZONE: {
        "firms": 66, "streams": 115, "outputs": 67, "inputs": 48, "exchanges": 80,
        "firms_in_plan": 59, "net_saving": 517e9, "diverted_t": 533215,
        "texts": ("66 firms", "115 streams", "80 exchanges", "517 billion VND", "533,215 t"),
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_symbiosis_examples", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def plans() -> dict[str, tuple[pd.DataFrame, Plan]]:
    out = {}
    for name in (VILLAGE, ZONE):
        streams = load_example_streams(name)
        rate = example_settings(name)["transport_cost_per_tkm"]
        out[name] = (streams, plan_exchanges(streams, transport_cost_per_tkm=rate))
    return out


def test_the_generator_rewrites_the_bundled_files_byte_for_byte(
    generator: ModuleType, tmp_path: Path
) -> None:
    assert generator.main(["--output", str(tmp_path)]) == 0
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert {p.parts[0] for p in written} == {VILLAGE, ZONE}
    assert len(written) == 5
    for path in written:
        assert (tmp_path / path).read_bytes() == (EXAMPLES / path).read_bytes(), path
    assert generator.main(["--check"]) == 0


def test_the_catalogue_lists_both_as_synthetic() -> None:
    table = example_symbioses()
    rows = table.set_index("name")
    assert {VILLAGE, ZONE} <= set(rows.index)
    assert list(table.columns) == [
        "name", "title", "synthetic", "kind", "source", "transport_cost"
    ]  # fmt: skip
    assert rows.loc[VILLAGE, "kind"] == "craft-village"
    assert rows.loc[ZONE, "kind"] == "industrial-zone"
    assert bool(rows.loc[VILLAGE, "synthetic"]) and bool(rows.loc[ZONE, "synthetic"])
    assert rows.loc[VILLAGE, "transport_cost"] == 6000
    assert rows.loc[ZONE, "transport_cost"] == 3000


@pytest.mark.parametrize("name", [VILLAGE, ZONE])
def test_every_file_says_it_is_synthetic(name: str) -> None:
    meta = json.loads(example_path(name).read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and meta["generator"] == "tools/make_symbiosis_examples.py"
    first = example_path(name, "streams.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#") and "SYNTHETIC DATA" in first
    readme = example_path(name, "README.md").read_text(encoding="utf-8")
    assert "**Synthetic data.**" in readme.split("\n\n")[1]
    assert ".venv/bin/python tools/make_symbiosis_examples.py" in readme


def test_the_village_file_has_vietnamese_headers_and_reads_cleanly() -> None:
    header = example_path(VILLAGE, "streams.csv").read_text(encoding="utf-8").splitlines()[1]
    assert header.startswith("Doanh nghiệp,Tên,Vĩ độ,Kinh độ,Chiều,Vật liệu,Khối lượng")
    streams = load_example_streams(VILLAGE)
    assert streams.attrs["synthetic"] is True and streams.attrs["example"] == VILLAGE
    assert streams["name"].str.contains("Gốm").any()
    wanted = {"clay_dust", "ceramic_shards", "plaster_moulds", "sawdust", "wood_offcuts",
              "dye_wastewater", "textile_scraps", "brick_clay", "mushroom_substrate", "coal",
              "compost_feedstock", "gypsum", "aggregate", "process_water"}  # fmt: skip
    assert wanted <= set(streams["material"])
    assert (streams["price"] > 0).any()  # streams sold now carry their price


def test_the_zone_has_the_trades_of_an_industrial_park() -> None:
    streams = load_example_streams(ZONE)
    wanted = {"fly_ash", "bottom_ash", "gypsum", "steam", "waste_heat", "steel_slag",
              "scrap_iron", "cement_additive", "foundry_sand", "food_residue", "organic_sludge",
              "animal_feed", "compost_feedstock", "aluminium_dross", "scrap_aluminium",
              "waste_paper", "plastic_scrap"}  # fmt: skip
    assert wanted <= set(streams["material"])
    assert example_members(ZONE) is None


@pytest.mark.parametrize("name", [VILLAGE, ZONE])
def test_the_optimal_plan_gives_the_stated_figures(
    name: str, plans: dict[str, tuple[pd.DataFrame, Plan]]
) -> None:
    streams, plan = plans[name]
    stated = STATED[name]
    assert check_plan(plan, streams, read_rules()) == []
    assert plan.status == "optimal"
    assert streams["firm"].nunique() == stated["firms"]
    assert len(streams) == stated["streams"]
    counts = streams["direction"].value_counts()
    assert (counts["output"], counts["input"]) == (stated["outputs"], stated["inputs"])
    totals = plan.totals
    assert totals["exchanges"] == stated["exchanges"]
    assert totals["firms"] == stated["firms_in_plan"]
    assert totals["net_saving"] == pytest.approx(stated["net_saving"], rel=0.005)
    assert totals["diverted_t"] == pytest.approx(stated["diverted_t"], abs=0.5)
    assert (plan.exchanges["net_saving"] > 0).all()
    readme = example_path(name, "README.md").read_text(encoding="utf-8")
    for text in stated["texts"]:
        assert text in readme, text


def test_the_shared_dye_plant_leaves_out_the_far_households() -> None:
    members = example_members(VILLAGE)
    assert members is not None and len(members) == 12
    assert example_settings(VILLAGE)["facility"] == "wastewater_dyeing"
    shares = allocate_costs(members, "wastewater_dyeing")
    assert shares.attrs["shapley"].startswith("exact")
    losers = shares.loc[~shares["joins_pays"], "member_id"].tolist()
    assert losers == ["VP11", "VP12"]
    far = members.set_index("member_id")["distance_km"]
    assert far[losers].min() > 2 and far.drop(losers).max() < 0.5
    assert shares.attrs["total_cost"] == pytest.approx(928e6, rel=0.005)
    assert not shares.attrs["core"]["shapley"]["in_core"]
    assert shares.attrs["core"]["shapley"]["worst_coalition"] == ["VP11", "VP12"]
    readme = example_path(VILLAGE, "README.md").read_text(encoding="utf-8")
    assert "VP11" in readme and "VP12" in readme and "928 million VND" in readme


def test_an_unknown_example_names_the_bundled_ones() -> None:
    with pytest.raises(InputError, match="symbiosis-craft-village"):
        load_example_streams("no-such-example")
    with pytest.raises(InputError, match="has no file"):
        example_path(VILLAGE, "nothing.csv")
    assert load_example_streams("Symbiosis-Industrial-Zone").attrs["example"] == ZONE
