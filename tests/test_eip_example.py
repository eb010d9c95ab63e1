"""The bundled programme ``eip-pilot-zones``: synthetic, reproducible, and true to the
totals published for it.

Source of the totals: Tran, P. T. (UNIDO Viet Nam), "Eco-industrial park initiatives in
Vietnam", conference session 9: "As of August 2017, in the four pilot industrial zones, 650
solutions have been recommended to 43 enterprises (out of 68 registered) who received
technical assistance, completed RECP audit." The same text gives the national context: by
June 2017, 325 industrial zones established, more than 200 in operation, 15% without a
properly installed wastewater treatment plant.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from ecocluster.eip import assess_parks
from ecocluster.errors import InputError
from ecocluster.recp import (
    CATEGORIES,
    STATUSES,
    Programme,
    compute_rollups,
    example_programmes,
    load_example_parks,
    load_example_programme,
    national_context,
)
from ecocluster.recp_finance import compute_cost_curve

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "ecocluster" / "data" / "examples" / "eip-pilot-zones"
GENERATOR = ROOT / "tools" / "make_eip_example.py"
TABLES = ("enterprises.csv", "baselines.csv", "options.csv", "status.csv", "parks.csv")
#: The published totals as of August 2017 (module doc).
PUBLISHED = {
    "enterprises_registered": 68,
    "enterprises_audited": 43,
    "options_recommended": 650,
}
ZONES = ("Khánh Phú", "Gián Khẩu", "Hòa Khánh", "Trà Nóc")
SOURCE = "Eco-industrial park initiatives in Vietnam"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_eip_example", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_example_programme()


def test_generator_reproduces_the_bundled_files(generator: ModuleType) -> None:
    files = generator.render()
    assert set(files) == {*TABLES, "programme.json"}
    for name, content in files.items():
        assert content.encode("utf-8") == (EXAMPLE / name).read_bytes(), name
    assert generator.main(["--check"]) == 0


def test_the_files_say_they_are_synthetic() -> None:
    for name in TABLES:
        first = (EXAMPLE / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# SYNTHETIC DATA"), name
    manifest = json.loads((EXAMPLE / "programme.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert manifest["name"] == "eip-pilot-zones"
    assert manifest["criteria"] == "vn-decree-35-2022"
    assert manifest["zones"] == list(ZONES)
    assert manifest["published"] == {"zones": 4, **PUBLISHED}
    assert SOURCE in manifest["source"]
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert "**These data are synthetic.**" in readme
    assert "invented" in readme


def test_the_programme_is_registered_and_labelled(programme: Programme) -> None:
    examples = example_programmes()
    row = examples.set_index("name").loc["eip-pilot-zones"]
    assert bool(row["synthetic"])
    assert row["criteria"] == "vn-decree-35-2022"
    assert row["zones"] == ", ".join(ZONES)
    assert Path(row["path"]) == EXAMPLE
    assert programme.name == "eip-pilot-zones"
    assert programme.enterprises.attrs["synthetic"] is True
    assert programme.options.attrs["example"] == "eip-pilot-zones"
    assert load_example_programme("EIP Pilot Zones").name == "eip-pilot-zones"
    with pytest.raises(InputError, match="eip-pilot-zones"):
        load_example_programme("no-such-programme")


def test_rollups_reproduce_the_published_totals(programme: Programme) -> None:
    """68 registered, 43 audited, 650 options recommended in 4 zones, as of August 2017."""
    total = compute_rollups(programme, by="programme")
    assert len(total) == 1
    row = total.iloc[0]
    for column, published in PUBLISHED.items():
        assert row[column] == published, column
    assert programme.enterprises["zone"].nunique() == 4
    assert tuple(programme.enterprises["zone"].unique()) == ZONES


def test_650_counts_every_option_ever_recommended(programme: Programme) -> None:
    """The published "650 solutions have been recommended" counts every option, whatever
    became of it since; the options still waiting for a decision are far fewer."""
    options = programme.options
    assert compute_rollups(programme, by="programme")["options_recommended"].iloc[0] == 650
    assert len(options) == 650 and options["recommended_on"].notna().all()
    now = options["status"].value_counts()
    assert now["recommended"] < 650
    assert {"accepted", "implemented", "verified", "rejected"} <= set(now.index)
    # the snapshot: every registration, audit and recommendation by the end of August 2017
    end = pd.Timestamp("2017-08-31")
    assert (programme.enterprises["registered"] <= end).all()
    assert (programme.enterprises["audited"].dropna() <= end).all()
    assert (options["recommended_on"] <= end).all()
    assert (programme.status["date"] <= pd.Timestamp("2019-06-30")).all()


def test_options_belong_to_the_43_audited_enterprises(programme: Programme) -> None:
    firms = programme.enterprises
    audited = set(firms.loc[firms["audited"].notna(), "enterprise_id"])
    assert set(programme.options["enterprise_id"]) == audited
    assert set(programme.baselines["enterprise_id"]) == audited


def test_zones_add_up_to_the_programme(programme: Programme) -> None:
    zones = compute_rollups(programme, by="zone")
    total = compute_rollups(programme, by="programme").iloc[0]
    assert set(zones["zone"]) == set(ZONES)
    counts = [c for c in zones.columns if c.startswith(("enterprises_", "options_"))]
    for column in counts:
        assert zones[column].sum() == total[column], column
    for column in (c for c in zones.columns if c not in counts and c != "zone"):
        assert zones[column].sum() == pytest.approx(total[column], rel=1e-12), column
    assert (zones["options_recommended"] > 0).all()


def test_the_option_mix_is_varied(programme: Programme) -> None:
    options = programme.options
    assert set(options["category"]) == set(CATEGORIES)
    assert set(options["status"]) == set(STATUSES)
    assert options["currency"].eq("VND").all()
    rejected = programme.status[programme.status["status"] == "rejected"]
    assert len(rejected) and rejected["reason"].ne("").all()
    # physical savings in several units: energy, water, materials, waste
    for column in ("energy_gj", "electricity_kwh", "water_m3", "materials_t", "waste_t"):
        assert (options[column] > 0).any(), column
    assert (options["saving_money"] > 0).all()


def test_names_are_vietnamese_in_nfc(programme: Programme) -> None:
    for text in (*programme.enterprises["zone"], *programme.enterprises["name"]):
        assert unicodedata.normalize("NFC", text) == text
    raw = (EXAMPLE / "enterprises.csv").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", raw) == raw
    assert "Hòa Khánh" in raw and "Gián Khẩu" in raw


def test_national_context_is_cited_data() -> None:
    context = national_context().set_index("indicator")
    assert context.at["industrial_zones_established", "value"] == 325
    assert context.at["industrial_zones_operating", "value"] == 200
    assert context.at["industrial_zones_operating", "qualifier"] == "more than"
    share = context.loc["industrial_zones_without_wastewater_treatment_share"]
    assert share["value"] == 15 and share["unit"] == "percent"
    assert context.loc["industrial_zones_established", "as_of"] == "2017-06"
    assert context["source"].str.contains(SOURCE).all()
    assert context["source"].str.contains("Tran, P. T.").all()


def test_the_example_matches_the_cited_programme_totals(programme: Programme) -> None:
    """The totals the example reproduces are read from the cited table, not restated."""
    context = national_context().set_index("indicator")["value"]
    total = compute_rollups(programme, by="programme").iloc[0]
    assert context["eip_pilot_zones"] == programme.enterprises["zone"].nunique()
    assert context["eip_enterprises_registered"] == total["enterprises_registered"]
    assert context["eip_enterprises_audited"] == total["enterprises_audited"]
    assert context["eip_options_recommended"] == total["options_recommended"]


def test_the_parks_assess_under_decree_35() -> None:
    parks = load_example_parks()
    assert parks.attrs["synthetic"] is True
    assert parks.attrs["criteria"] == "vn-decree-35-2022"
    assessed = assess_parks(parks, "vn-decree-35-2022")
    assert tuple(assessed) == ZONES
    ready = {name: a.readiness.set_index("category")["ready"] for name, a in assessed.items()}
    assert ready["Hòa Khánh"]["park_management"]  # nearly ready: one criterion open
    assert (assessed["Hòa Khánh"].results["status"] != "met").sum() == 1
    assert not any(a.ready for a in assessed.values())
    assert (assessed["Gián Khẩu"].results["status"] == "met").sum() == 0
    missing = {name for name, a in assessed.items() if a.readiness["not_enough_data"].sum()}
    assert missing and "Hòa Khánh" not in missing
    assert set(assessed["Gián Khẩu"].actions["status"]) >= {"not met", "not enough data"}


def test_the_cost_curve_holds_every_option_that_saves_energy(programme: Programme) -> None:
    options = programme.options
    saves = options["energy_gj"] > 0
    curve = compute_cost_curve(programme)
    expected = options.loc[saves & (options["status"] != "rejected"), "option_id"]
    assert sorted(curve["option_id"]) == sorted(expected)
    assert sorted(curve.attrs["excluded"]) == sorted(
        options.loc[~saves & (options["status"] != "rejected"), "option_id"]
    )
    everything = compute_cost_curve(programme, statuses=STATUSES)
    assert sorted(everything["option_id"]) == sorted(options.loc[saves, "option_id"])
    assert everything["end"].iloc[-1] == pytest.approx(options.loc[saves, "energy_gj"].sum())
    assert curve.attrs["currency"] == "VND"
    assert (curve["cost_per_unit"] < 0).any() and (curve["cost_per_unit"] > 0).any()
    for zone in ZONES:
        assert len(compute_cost_curve(programme, zone=zone))
