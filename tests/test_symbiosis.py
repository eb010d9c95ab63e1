"""Industrial symbiosis: taxonomy, rules, streams, candidates and the optimal exchange plan.

The small plans are worked out by hand below, on firms placed along the 106° E meridian,
where the great-circle distance between two points is R × Δφ, so that a firm put at
"10 km" is 10 km from one at "0 km" (to 1e-9 km).

Case 1 (two suppliers, two receivers). Fly ash S1 (100 t, disposal 100,000 VND/t) at
0 km and S2 (60 t, 50,000) at 30 km; cement additive needs R1 (80 t, virgin 300,000) at
10 km and R2 (90 t, 200,000) at 50 km; transport 1,000 VND/t-km. Cost per tonne:
S1→R1 10,000 − 100,000 − 300,000 = −390,000; S1→R2 50,000 − 100,000 − 200,000 =
−250,000; S2→R1 20,000 − 50,000 − 300,000 = −330,000; S2→R2 20,000 − 250,000 =
−230,000. Supply (160 t) is short of need (170 t) and every arc saves, so all ash moves;
the only choice is who fills R1. Sending S1 there gains 390 − 250 = 140 per tonne over
sending it to R2; S2 only 330 − 230 = 100, so R1 takes 80 t of S1: S1→R1 80, S1→R2 20,
S2→R2 60, saving 80 × 390,000 + 20 × 250,000 + 60 × 230,000 = 50,000,000 VND a year
(the other way round saves 47,600,000). R2 lacks 10 t.

Case 2 (the nearest is not the partner). S1 at 0 km, R1 at 10, S2 at 11, R2 at 25, 100 t
each, virgin 300,000, no disposal cost, 1,000 VND/t-km. Taking the closest pair first
(S2→R1, 1 km) leaves S1→R2 (25 km): 26 km in all. The optimum pairs S1→R1 (10) and
S2→R2 (14): 24 km, saving 100 × (300,000 − 10,000) + 100 × (300,000 − 14,000) =
57,600,000 against 57,400,000.

Case 3 (a budget, solved by the LP). Case 1 with at most 2,000,000 VND a year for
transport. Savings per VND of transport: S1→R1 390/10 = 39, S2→R1 16.5, S2→R2 11.5,
S1→R2 5. R1 takes its 80 t from S1 (800,000 VND), the remaining 1,200,000 VND carry
S2's 60 t to R2: saving 31,200,000 + 13,800,000 = 45,000,000.

Case 4 (a ratio). 100 t of sawdust 10 km from a boiler needing 50 t of coal at
2,000,000 VND/t: a tonne of sawdust replaces 0.5843 t of coal (15.6 / 26.7 GJ/t), so the
boiler takes 50 / 0.5843 = 85.57 t of sawdust, saving 0.5843 × 2,000,000 − 10,000 =
1,158,600 VND per tonne of sawdust.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecocluster.errors import InputError
from ecocluster.symbiosis import (
    EARTH_RADIUS_KM,
    STREAM_COLUMNS,
    candidate_exchanges,
    haversine_km,
    read_materials,
    read_rules,
    read_streams,
)
from ecocluster.symbiosis_match import (
    LINEAR_PROGRAMME,
    MIN_COST_FLOW,
    check_plan,
    plan_exchanges,
    solve_transport_problem,
    transport_problem,
)

DATA = Path(__file__).parent / "data" / "symbiosis"
LON = 106.0


def _lat(km: float) -> float:
    """Latitude of a point `km` north of the equator on the 106° E meridian."""
    return math.degrees(km / EARTH_RADIUS_KM)


def _streams(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Streams from (firm, km, direction, material, quantity, disposal, virgin) rows."""
    columns = ["firm", "km", "direction", "material", "quantity", "disposal_cost", "virgin_price"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["lat"] = frame.pop("km").map(_lat)
    frame["lon"] = LON
    frame["unit"] = "t"
    return read_streams(frame)


def _case_1() -> pd.DataFrame:
    return _streams(
        [
            ("S1", 0, "output", "fly_ash", 100, 100_000, None),
            ("S2", 30, "output", "fly_ash", 60, 50_000, None),
            ("R1", 10, "input", "cement_additive", 80, None, 300_000),
            ("R2", 50, "input", "cement_additive", 90, None, 200_000),
        ]
    )


def _flows(plan: Any) -> dict[tuple[str, str], float]:
    ex = plan.exchanges
    return {
        (str(s), str(r)): round(float(q), 6)
        for s, r, q in zip(ex["supplier_firm"], ex["receiver_firm"], ex["quantity"], strict=True)
    }


# --------------------------------------------------------------------- taxonomy and rules
def test_taxonomy_is_complete_cited_and_nfc() -> None:
    materials = read_materials()
    assert materials.index.is_unique
    for name in ("clay_dust", "sawdust", "dye_wastewater", "fly_ash", "steel_slag", "gypsum"):
        assert name in materials.index
    assert set(materials["group"]) == {"solid", "liquid", "energy"}
    assert set(materials["unit"]) <= {"t", "m3", "MWh"}
    for column in ("label_vi", "notes", "disposal_source", "virgin_source"):
        for text in materials[column]:
            assert text == unicodedata.normalize("NFC", text)
    for kind in ("disposal", "virgin"):
        factors = materials[f"{kind}_t_co2e"]
        cited = materials[f"{kind}_source"] != ""
        assert (factors.notna() == cited).all(), f"every {kind} factor has a source, and only those"
    codes = materials["ewc"].str.split("|").explode().dropna()
    assert codes[codes != ""].str.fullmatch(r"\d\d \d\d \d\d\*?").all()
    assert materials.at["fly_ash", "ewc"] == "10 01 02"


def test_derived_factors_follow_the_recp_factors() -> None:
    """Coal and heat factors are anthracite's NCV and emission factors in data/recp."""
    from ecocluster.recp_finance import read_factors

    factors = read_factors()
    per_gj = factors.t_co2e_per_gj["coal"]
    ncv = float(factors.carriers.at["coal", "ncv_gj_per_t"])
    materials = read_materials()
    assert materials.at["coal", "virgin_t_co2e"] == pytest.approx(per_gj * ncv, rel=1e-3)
    assert materials.at["process_heat", "virgin_t_co2e"] == pytest.approx(per_gj * 3.6, rel=1e-3)
    wood = float(factors.carriers.at["wood", "ncv_gj_per_t"])
    rules = read_rules().set_index(["output", "input"])
    assert rules.at[("sawdust", "coal"), "ratio"] == pytest.approx(wood / ncv, abs=1e-4)


def test_rules_read_and_add_identity() -> None:
    rules = read_rules()
    pairs = set(zip(rules["output"], rules["input"], strict=True))
    assert ("fly_ash", "cement_additive") in pairs
    assert ("scrap_iron", "scrap_iron") in pairs
    assert (rules["ratio"] > 0).all()
    steam = rules[(rules["output"] == "steam") & (rules["input"] == "steam")]
    assert len(steam) == 1 and steam["max_km"].iloc[0] == 5  # the file's row, not the implicit
    assert len(read_rules(identity=False)) < len(rules)


def test_bad_rules_are_refused_together(tmp_path: Path) -> None:
    path = tmp_path / "rules.csv"
    path.write_text(
        "output,input,ratio,treatment,treatment_cost,max_km,source\n"
        "fly ash,cement additive,1,,,,\n"
        "unobtainium,cement_additive,1,,,,\n"
        "fly_ash,brick_clay,0,,-5,,\n"
        "Tro bay,phụ gia xi măng,1,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_rules(path)
    text = str(caught.value)
    assert "4 problems" in text
    assert "unknown-material" in text and "ratio" in text and "treatment-cost" in text
    assert "duplicate-rule" in text and "row 2" in text


# --------------------------------------------------------------------- reading streams
def test_vietnamese_file_reads_with_units_and_shared_coordinates() -> None:
    streams = read_streams(DATA / "village_streams.csv")
    assert list(streams.columns) == list(STREAM_COLUMNS)
    by_stream = streams.set_index("stream")
    shards = by_stream.loc["BT01/output/ceramic_shards"]
    assert shards["quantity"] == 120 and shards["row"] == 3 and shards["ewc"] == "10 12 08"
    dust = by_stream.loc["BT01/output/clay_dust"]
    assert (dust["lat"], dust["lon"]) == (20.9751, 105.9120)  # from the firm's other row
    assert dust["ewc"] == "10 12 03"
    assert by_stream.loc["DK01/output/sawdust", "quantity"] == pytest.approx(80.0)
    assert by_stream.loc["BT02/input/brick_clay", "virgin_price"] == 250_000
    assert streams.attrs["file"].endswith("village_streams.csv")


def test_xlsx_and_nfd_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "doanh nghiệp": ["A", "B"],
            "vĩ độ": [21.0, 21.01],
            "kinh độ": [105.9, 105.91],
            "chiều": [unicodedata.normalize("NFD", "đầu ra"), "nhu cầu"],
            "vật liệu": [unicodedata.normalize("NFD", "Tro bay"), "phụ gia xi măng"],
            "khối lượng": [10, 12],
            "đơn vị": ["tấn", "t/năm"],
        }
    )
    path = tmp_path / "streams.xlsx"
    frame.to_excel(path, index=False)
    streams = read_streams(path)
    assert list(streams["material"]) == ["fly_ash", "cement_additive"]
    assert list(streams["direction"]) == ["output", "input"]


def test_every_bad_row_is_reported_at_once() -> None:
    with pytest.raises(InputError) as caught:
        read_streams(DATA / "bad_streams.csv")
    text = str(caught.value)
    assert "8 problems" in text, text
    expected = {
        "row 2, column 'material'": "unknown-material",
        "row 3, column 'quantity'": "negative-quantity",
        "row 4, column 'lat'": "no-coordinates",
        "row 5, column 'unit'": "per year",
        "row 6, column 'unit'": "cannot be converted to MWh",
        "row 8, column 'material'": "duplicate-stream",
        "row 9, column 'quantity'": "number",
        "row 9, column 'disposal_cost'": "money-direction",
    }
    for where, what in expected.items():
        line = next((x for x in text.splitlines() if x.startswith("  ") and where in x), "")
        assert what in line, (where, text)
    assert caught.value.row == 2 and caught.value.rule == "unknown-material"


def test_unknown_material_suggests_a_class() -> None:
    frame = pd.DataFrame(
        {"firm": ["A"], "lat": [21], "lon": [105], "direction": ["output"],
         "material": ["fly-ashh"], "quantity": [1], "unit": ["t"]}
    )  # fmt: skip
    with pytest.raises(InputError, match="did you mean 'fly_ash'"):
        read_streams(frame)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"lat": [0.0], "lon": [0.0]}, "coordinate"),
        ({"lat": [95.0]}, "coordinate"),
        ({"direction": ["sideways"]}, "direction"),
        ({"ewc": ["10 01"]}, "ewc"),
        ({"hs": ["26"]}, "hs"),
        ({"unit": ["bag"]}, "unit"),
        ({"virgin_price": ["1,200,000"]}, "money"),
        ({"price": [5], "gate_fee": [3]}, "price"),
    ],
)
def test_single_problems(change: dict[str, list[Any]], rule: str) -> None:
    frame = pd.DataFrame(
        {"firm": ["A"], "lat": [21.0], "lon": [105.0], "direction": ["output"],
         "material": ["fly_ash"], "quantity": [1], "unit": ["t"]}
    )  # fmt: skip
    for name, values in change.items():
        frame[name] = values
    with pytest.raises(InputError) as caught:
        read_streams(frame)
    assert caught.value.rule == rule, str(caught.value)


def test_a_firm_has_one_location() -> None:
    frame = pd.DataFrame(
        {"firm": ["A", "A"], "lat": [21.0, 21.5], "lon": [105.0, 105.0],
         "direction": ["output", "input"], "material": ["fly_ash", "coal"],
         "quantity": [1, 1], "unit": ["t", "t"]}
    )  # fmt: skip
    with pytest.raises(InputError, match="a firm has one location"):
        read_streams(frame)


def test_missing_columns_are_named() -> None:
    with pytest.raises(InputError) as caught:
        read_streams(pd.DataFrame({"firm": ["A"], "material": ["fly_ash"]}))
    assert caught.value.rule == "missing-column"
    assert "'lat'" in str(caught.value) and "'quantity'" in str(caught.value)


def test_gate_fee_is_a_negative_price_and_streams_get_ids() -> None:
    frame = pd.DataFrame(
        {"firm": ["A", "A"], "lat": [21.0, 21.0], "lon": [105.0, 105.0],
         "direction": ["output", "output"], "material": ["fly_ash", "fly_ash"],
         "quality": ["dry", "wet"], "quantity": [1, 2], "unit": ["t", "t"], "gate_fee": [30, ""]}
    )  # fmt: skip
    streams = read_streams(frame)
    assert list(streams["price"].fillna(0)) == [-30, 0]
    assert list(streams["stream"]) == ["A/output/fly_ash/2", "A/output/fly_ash/3"]


# --------------------------------------------------------------------- candidates
def test_candidates_are_the_k_nearest_compatible_partners() -> None:
    rng = np.random.default_rng(3)
    n = 200
    frame = pd.DataFrame(
        {
            "firm": [f"F{i}" for i in range(n)],
            "lat": rng.uniform(20.5, 21.5, n),
            "lon": rng.uniform(105.5, 106.5, n),
            "direction": np.where(np.arange(n) % 2 == 0, "output", "input"),
            "material": rng.choice(["fly_ash", "cement_additive", "brick_clay", "sawdust"], n),
            "quantity": 10,
            "unit": "t",
        }
    )
    streams = read_streams(frame)
    rules = read_rules()
    candidates = candidate_exchanges(streams, rules, k=5)
    allowed = rules.groupby("output")["input"].apply(set)
    got = candidates.groupby("supplier_pos")["receiver_pos"].apply(list)
    for s in np.flatnonzero(streams["direction"] == "output"):
        output = streams["material"].iloc[s]
        needs = streams[
            (streams["direction"] == "input") & (streams["firm"] != streams["firm"].iloc[s])
        ]
        needs = needs[needs["material"].isin(allowed.get(output, set()))]
        pairs = zip(rules["output"], rules["input"], rules["max_km"], strict=True)
        reach = {(o, i): km for o, i, km in pairs}
        km = haversine_km(
            streams["lat"].iloc[s], streams["lon"].iloc[s], needs["lat"], needs["lon"]
        )
        limit = np.array([reach[(output, m)] for m in needs["material"]])
        inside = np.flatnonzero(km <= limit)
        expected = needs.index[inside][np.lexsort((needs.index[inside], km[inside]))][:5]
        assert got.get(s, []) == list(expected)


def test_candidates_respect_max_km_and_skip_the_same_firm() -> None:
    streams = _streams(
        [
            ("A", 0, "output", "fly_ash", 10, 0, None),
            ("A", 0, "input", "cement_additive", 10, None, 100),
            ("B", 5, "input", "cement_additive", 10, None, 100),
            ("C", 40, "input", "cement_additive", 10, None, 100),
        ]
    )
    every = candidate_exchanges(streams)
    assert list(every["receiver_firm"]) == ["B", "C"]
    assert every["distance_km"].to_numpy() == pytest.approx([5, 40])
    near = candidate_exchanges(streams, max_km=20)
    assert list(near["receiver_firm"]) == ["B"]


def test_haversine_against_a_known_distance() -> None:
    """Hà Nội (21.0285, 105.8542) to Hồ Chí Minh City (10.8231, 106.6297): about 1,137 km."""
    assert float(haversine_km(21.0285, 105.8542, 10.8231, 106.6297)) == pytest.approx(1137, abs=3)


# --------------------------------------------------------------------- hand-worked plans
def test_case_1_two_suppliers_two_receivers() -> None:
    streams = _case_1()
    plan = plan_exchanges(streams, transport_cost_per_tkm=1000)
    assert plan.solver == MIN_COST_FLOW and plan.status == "optimal"
    assert _flows(plan) == {("S1", "R1"): 80, ("S1", "R2"): 20, ("S2", "R2"): 60}
    assert plan.totals["net_saving"] == pytest.approx(50_000_000, abs=1e-3)
    assert plan.rounding_bound == pytest.approx(0, abs=1e-3)
    unmet = plan.unmet
    assert list(unmet["firm"]) == ["R2"] and unmet["left"].iloc[0] == pytest.approx(10)
    assert "compatible outputs are used" in unmet["reason"].iloc[0]
    assert plan.unused.empty
    firms = plan.firms.set_index("firm")
    assert firms.at["S1", "money_gain"] == pytest.approx(100 * 100_000)
    assert firms.at["R1", "money_gain"] == pytest.approx(80 * (300_000 - 10_000))
    assert firms["money_gain"].sum() == pytest.approx(50_000_000)
    assert plan.totals["diverted_t"] == pytest.approx(160)
    assert plan.totals["co2e_avoided_t"] == pytest.approx(160 * 0.52)  # clinker replaced
    assert check_plan(plan, streams, read_rules()) == []


def test_case_2_the_nearest_is_not_the_partner() -> None:
    streams = _streams(
        [
            ("S1", 0, "output", "fly_ash", 100, None, None),
            ("S2", 11, "output", "fly_ash", 100, None, None),
            ("R1", 10, "input", "cement_additive", 100, None, 300_000),
            ("R2", 25, "input", "cement_additive", 100, None, 300_000),
        ]
    )
    plan = plan_exchanges(streams, transport_cost_per_tkm=1000)
    assert _flows(plan) == {("S1", "R1"): 100, ("S2", "R2"): 100}
    assert plan.totals["net_saving"] == pytest.approx(57_600_000, abs=1e-3)
    nearest = candidate_exchanges(streams).groupby("supplier_firm")["receiver_firm"].first()
    assert nearest["S2"] == "R1"  # S2's nearest need goes to S1 in the optimum


def test_case_3_budget_through_the_lp() -> None:
    streams = _case_1()
    plan = plan_exchanges(streams, transport_cost_per_tkm=1000, budget=2_000_000)
    assert plan.solver == LINEAR_PROGRAMME and plan.status == "optimal"
    assert _flows(plan) == {("S1", "R1"): 80, ("S2", "R2"): 60}
    assert plan.totals["net_saving"] == pytest.approx(45_000_000, rel=1e-9)
    assert plan.totals["transport_cost"] == pytest.approx(2_000_000, rel=1e-9)
    assert check_plan(plan, streams, read_rules()) == []
    with pytest.raises(ValueError, match="not a pure transport problem"):
        plan_exchanges(streams, transport_cost_per_tkm=1000, budget=1, method="min_cost_flow")


def test_case_4_ratio_by_energy() -> None:
    streams = _streams(
        [
            ("DK", 0, "output", "sawdust", 100, None, None),
            ("LH", 10, "input", "coal", 50, None, 2_000_000),
        ]
    )
    plan = plan_exchanges(streams, transport_cost_per_tkm=1000)
    assert plan.solver == MIN_COST_FLOW
    row = plan.exchanges.iloc[0]
    assert row["quantity"] == pytest.approx(50 / 0.5843, rel=1e-6)
    assert row["received"] <= 50 and row["received"] == pytest.approx(50, rel=1e-6)
    saving = 50 / 0.5843 * (0.5843 * 2_000_000 - 10_000)
    assert plan.totals["net_saving"] == pytest.approx(saving, abs=plan.rounding_bound + 1e-6)
    assert not row["treatment_cost_known"]
    assert any("treatment whose cost is not known" in w for w in plan.warnings)
    assert row["co2e_basis"] == "disposal+virgin"
    expected = row["quantity"] * 2.3994 + 50 * 2.643
    assert row["co2e_avoided_t"] == pytest.approx(expected, rel=1e-6)


def test_transport_emissions_and_what_counts_as_diverted() -> None:
    streams = _case_1()
    plain = plan_exchanges(streams, transport_cost_per_tkm=1000)
    trucked = plan_exchanges(streams, transport_cost_per_tkm=1000, transport_t_co2e_per_tkm=1e-4)
    tkm = 80 * 10 + 20 * 50 + 60 * 20
    drop = plain.totals["co2e_avoided_t"] - trucked.totals["co2e_avoided_t"]
    assert drop == pytest.approx(1e-4 * tkm)
    assert set(trucked.exchanges["co2e_basis"]) == {"disposal+virgin+transport"}
    steam = _streams(
        [
            ("A", 0, "output", "steam", 10, 50_000, None),
            ("B", 1, "input", "steam", 10, None, 90_000),
        ]
    )
    plan = plan_exchanges(steam, transport_cost_per_tkm=1000, transport_t_co2e_per_tkm=1e-4)
    row = plan.exchanges.iloc[0]
    assert row["quantity"] == 10 and row["diverted_t"] == 0  # steam is not landfill
    assert row["co2e_basis"] == ""  # no cited factor for steam, and pipes are not trucks


def test_capacity_of_a_treatment() -> None:
    streams = _streams(
        [
            ("A", 0, "output", "ceramic_shards", 100, 50_000, None),
            ("B", 5, "input", "aggregate", 100, None, 150_000),
        ]
    )
    plan = plan_exchanges(
        streams, transport_cost_per_tkm=1000, capacities={"crushing and screening": 30}
    )
    assert plan.solver == LINEAR_PROGRAMME
    assert plan.exchanges["quantity"].sum() == pytest.approx(30)
    assert check_plan(plan, streams, read_rules()) == []
    with pytest.raises(ValueError, match="no candidate uses"):
        plan_exchanges(streams, transport_cost_per_tkm=1000, capacities={"magic": 1})


def test_unmet_demand_is_reported_with_its_reason() -> None:
    streams = _streams(
        [
            ("A", 0, "output", "fly_ash", 10, 0, None),
            ("B", 5, "input", "cement_additive", 10, None, 1),  # not worth the haul
            ("C", 5, "input", "animal_feed", 10, None, 1_000),  # nothing compatible
            ("D", 0, "output", "food_residue", 10, 0, None),
            ("E", 500, "input", "animal_feed", 10, None, 1_000),  # beyond the rule's 30 km
        ]
    )
    plan = plan_exchanges(streams, transport_cost_per_tkm=1000)
    assert plan.exchanges.empty
    reasons = plan.unmet.set_index("firm")["reason"]
    assert reasons["B"] == "no exchange worth making at these prices and distances"
    assert reasons["E"] == "no compatible output within reach"
    assert plan.totals["inputs_unmet"] == 3 and plan.totals["net_saving"] == 0
    assert check_plan(plan, streams, read_rules()) == []


def test_price_moves_money_between_the_firms_only() -> None:
    rows = [
        ("S", 0, "output", "fly_ash", 10, 100, None),
        ("R", 10, "input", "cement_additive", 10, None, 1000),
    ]
    free = plan_exchanges(_streams(rows), transport_cost_per_tkm=10)
    frame = _streams(rows).assign(price=[400.0, np.nan])
    sold = plan_exchanges(frame, transport_cost_per_tkm=10)
    assert sold.totals["net_saving"] == pytest.approx(free.totals["net_saving"])
    gains = sold.exchanges.iloc[0]
    assert gains["supplier_gain"] == pytest.approx(10 * (100 + 400))
    assert gains["receiver_gain"] == pytest.approx(10 * (1000 - 400 - 100))


def test_non_factoring_ratios_go_to_the_lp() -> None:
    streams = _streams(
        [
            ("S", 0, "output", "sawdust", 10, 0, None),
            ("H", 1, "output", "rice_husk", 10, 0, None),
            ("C", 2, "input", "coal", 10, None, 2_000_000),
            ("M", 3, "input", "mushroom_substrate", 10, None, 500_000),
        ]
    )
    plan = plan_exchanges(streams, transport_cost_per_tkm=1000)
    assert plan.solver == LINEAR_PROGRAMME
    assert check_plan(plan, streams, read_rules()) == []
    with pytest.raises(ValueError, match="ratios that do not factor"):
        plan_exchanges(streams, transport_cost_per_tkm=1000, method="min_cost_flow")


def test_transport_rates_by_group_and_class() -> None:
    streams = _case_1()
    plan = plan_exchanges(streams, transport_cost_per_tkm={"solid": 1000})
    assert plan.totals["net_saving"] == pytest.approx(50_000_000, abs=1e-3)
    with pytest.raises(ValueError, match="no rate for fly_ash"):
        plan_exchanges(streams, transport_cost_per_tkm={"liquid": 1000})


def test_plan_as_json_data() -> None:
    import json

    plan = plan_exchanges(_case_1(), transport_cost_per_tkm=1000)
    data = plan.to_json_data()
    text = json.dumps(data, allow_nan=False)
    assert data["solver"] == MIN_COST_FLOW and len(data["exchanges"]) == 3
    assert "R2" in text


# --------------------------------------------------------------------- solvers and invariants
def _random_streams(
    seed: int, suppliers: int, receivers: int, *, whole: bool, ratios: bool = False
) -> pd.DataFrame:
    """Random streams in a 40 km box; with `ratios`, biomass for boilers and mushrooms too."""
    rng = np.random.default_rng(seed)
    outputs = ["fly_ash", "bottom_ash", "clay_dust", "steel_slag"]
    inputs = ["cement_additive", "brick_clay", "aggregate"]
    if ratios:
        outputs += ["sawdust", "rice_husk", "wood_offcuts"]
        inputs += ["coal", "mushroom_substrate"]
    n = suppliers + receivers
    output = np.arange(n) < suppliers
    quantity = rng.integers(1, 200, n).astype(float)
    if not whole:
        quantity += rng.uniform(0, 1, n).round(3)
    frame = pd.DataFrame(
        {
            "firm": [f"F{i}" for i in range(n)],
            "lat": rng.uniform(20.8, 21.2, n),
            "lon": rng.uniform(105.7, 106.1, n),
            "direction": np.where(output, "output", "input"),
            "material": np.where(output, rng.choice(outputs, n), rng.choice(inputs, n)),
            "quantity": quantity,
            "unit": "t",
            "disposal_cost": np.where(output, rng.integers(0, 300, n) * 1000.0, np.nan),
            "virgin_price": np.where(output, np.nan, rng.integers(0, 500, n) * 1000.0),
        }
    )
    return read_streams(frame)


@pytest.mark.parametrize("whole", [True, False])
def test_min_cost_flow_and_lp_agree(whole: bool) -> None:
    streams = _random_streams(7, 60, 50, whole=whole)
    candidates = candidate_exchanges(streams, k=6)
    flow = plan_exchanges(streams, candidates, transport_cost_per_tkm=5000)
    lp = plan_exchanges(streams, candidates, transport_cost_per_tkm=5000, method="lp")
    assert flow.solver == MIN_COST_FLOW and lp.solver == LINEAR_PROGRAMME
    assert len(flow.exchanges) > 10
    slack = flow.rounding_bound + 1e-7 * lp.totals["net_saving"]
    assert flow.totals["net_saving"] == pytest.approx(lp.totals["net_saving"], abs=slack)
    assert flow.totals["net_saving"] <= lp.totals["net_saving"] + 1e-6 * lp.totals["net_saving"]
    rules = read_rules()
    assert check_plan(flow, streams, rules) == []
    assert check_plan(lp, streams, rules) == []


def test_the_integer_instance_is_what_networkx_solves_too() -> None:
    import networkx as nx

    streams = _random_streams(11, 40, 40, whole=True)
    candidates = candidate_exchanges(streams, k=5)
    problem = transport_problem(streams, candidates, transport_cost_per_tkm=5000)
    _, cost, status = solve_transport_problem(problem)
    assert status == "optimal"
    graph = nx.DiGraph()
    for node, supply in enumerate(problem.supplies):
        graph.add_node(node, demand=-int(supply))
    for t, h, c, w in zip(
        problem.tails, problem.heads, problem.capacities, problem.costs, strict=True
    ):
        graph.add_edge(int(t), int(h), capacity=int(c), weight=int(w))
    assert nx.network_simplex(graph)[0] == cost
    assert 0 < problem.bound < 1e-6 * -cost * 10.0**problem.money_power  # km are not whole
    whole = transport_problem(streams, candidates, transport_cost_per_tkm=0)
    assert whole.bound == 0  # whole tonnes and whole thousands of VND: exact


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    suppliers=st.integers(1, 25),
    receivers=st.integers(1, 25),
    whole=st.booleans(),
    budget=st.one_of(st.none(), st.floats(0, 5e6)),
    k=st.integers(1, 8),
)
def test_invariants_on_random_instances(
    seed: int, suppliers: int, receivers: int, whole: bool, budget: float | None, k: int
) -> None:
    streams = _random_streams(seed, suppliers, receivers, whole=whole, ratios=seed % 2 == 1)
    candidates = candidate_exchanges(streams, k=k)
    plan = plan_exchanges(streams, candidates, transport_cost_per_tkm=3000, budget=budget)
    assert plan.status == "optimal"
    assert check_plan(plan, streams, read_rules()) == []
    left = plan.streams
    assert (left["left"] >= 0).all() and (left["used"] <= left["quantity"] * (1 + 1e-9)).all()
    if plan.solver == MIN_COST_FLOW:
        lp = plan_exchanges(streams, candidates, transport_cost_per_tkm=3000, method="lp")
        slack = plan.rounding_bound + 1e-7 * max(1.0, lp.totals["net_saving"])
        assert plan.totals["net_saving"] == pytest.approx(lp.totals["net_saving"], abs=slack)


def test_check_plan_finds_broken_plans() -> None:
    streams = _case_1()
    plan = plan_exchanges(streams, transport_cost_per_tkm=1000)
    broken = plan.exchanges.copy()
    broken.loc[0, "quantity"] += 1000
    broken.loc[1, "input"] = "animal_feed"
    bad = type(plan)(
        broken, plan.firms, plan.streams, plan.totals, plan.solver, plan.status,
        plan.rounding_bound, plan.warnings, plan.parameters,
    )  # fmt: skip
    found = " | ".join(check_plan(bad, streams, read_rules()))
    assert "ships" in found and "no rule lets" in found and "material differs" in found
