"""Shared facilities: cost curves, sizing, the Shapley value, allocation and every refusal.

Shapley values are checked against games worked out by hand below (each marginal cost
written out) and against the airport game of Littlechild and Owen (1973, "A simple
expression for the Shapley value in a special case", Management Science 20(3), 370–372),
whose Shapley value is the sequential equal split of the runway's segments. The sampled
estimate is checked against the exact value within its own reported error.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import replace
from itertools import permutations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ecocluster.errors import InputError
from ecocluster.recp_finance import capital_recovery_factor
from ecocluster.shared_facilities import (
    EXACT_LIMIT,
    Facility,
    allocate_costs,
    coalition_cost,
    read_facilities,
    read_members,
    shapley_values,
    size_facility,
)

DATA = Path(__file__).parent / "data" / "shared_facilities"
BUNDLED = Path(__file__).parents[1] / "src" / "ecocluster" / "data" / "symbiosis"


def root_facility(**changes: Any) -> Facility:
    """f(L) = 100·√L: no margin wanted, no opex, one-year life (CRF = 1 at rate 0)."""
    base = Facility(
        id="root", name="root", name_vi="", load_unit="m3/day", throughput_unit="m3",
        throughput_per_load=1.0, capex_a=100.0, capex_b=0.5, min_capacity=0.0,
        max_capacity=math.inf, capacity_step=0.0, opex_fixed=0.0, opex_maintenance_share=0.0,
        opex_per_unit=0.0, lifetime_years=1.0, connection_cost_per_km=0.0,
        haulage_per_unit_km=0.0, standalone="own", standalone_opex_fixed=0.0, standalone_fee=0.0,
        currency="VND", price_year=2024,
    )  # fmt: skip
    return replace(base, **changes)


def members(loads: list[float], **columns: list[Any]) -> pd.DataFrame:
    ids = [chr(ord("A") + i) if len(loads) <= 26 else f"M{i:03d}" for i in range(len(loads))]
    return pd.DataFrame({"member_id": ids, "load": loads, **columns})


def brute_force_shapley(players: list[str], cost: Any) -> dict[str, float]:
    """The definition: the mean marginal cost over every order of arrival."""
    totals = dict.fromkeys(players, 0.0)
    orders = list(permutations(players))
    for order in orders:
        for k, player in enumerate(order):
            totals[player] += cost(frozenset(order[: k + 1])) - cost(frozenset(order[:k]))
    return {p: v / len(orders) for p, v in totals.items()}


# --------------------------------------------------------------------- the Shapley value
GAME = {"": 0, "A": 10, "B": 20, "C": 30, "AB": 25, "AC": 35, "BC": 40, "ABC": 45}


def game_cost(coalition: frozenset[str]) -> float:
    return GAME["".join(sorted(coalition))]


def test_three_player_game_worked_by_hand() -> None:
    # Marginal costs (A, B, C) in the six orders of arrival:
    #   ABC: 10, 15, 20    ACB: 10, 10, 25    BAC:  5, 20, 20
    #   BCA:  5, 20, 20    CAB:  5, 10, 30    CBA:  5, 10, 30
    # sums 40, 85, 145 over 6 orders.
    values = shapley_values(["A", "B", "C"], game_cost).set_index("player")["value"]
    assert values.to_dict() == pytest.approx({"A": 40 / 6, "B": 85 / 6, "C": 145 / 6})
    assert values.sum() == pytest.approx(GAME["ABC"])  # efficiency


def test_airport_game_is_the_sequential_equal_split() -> None:
    # Littlechild and Owen (1973): runway costs 8, 11, 13, 18 for aircraft A to D; the first
    # segment (8) is shared by all four, the next (3) by three, then 2 by two, 5 by D alone.
    needs = {"A": 8, "B": 11, "C": 13, "D": 18}

    def runway(coalition: frozenset[str]) -> float:
        return max((needs[p] for p in coalition), default=0)

    split = [8 / 4, 8 / 4 + 3 / 3, 8 / 4 + 3 / 3 + 2 / 2, 8 / 4 + 3 / 3 + 2 / 2 + 5 / 1]
    assert split == [2, 3, 4, 9]
    values = shapley_values(list(needs), runway)["value"].to_numpy()
    np.testing.assert_allclose(values, split)
    # A null player (needs no runway) pays nothing and changes nobody's share.
    needs["Z"] = 0
    with_null = shapley_values([*needs], runway).set_index("player")["value"]
    assert with_null["Z"] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(with_null[["A", "B", "C", "D"]], split)


def test_exact_shapley_equals_the_definition_on_a_random_game() -> None:
    rng = np.random.default_rng(7)
    players = list("ABCDEF")
    table = {frozenset(): 0.0}

    def cost(coalition: frozenset[str]) -> float:
        return table.setdefault(coalition, float(rng.uniform(1, 100)))

    expected = brute_force_shapley(players, cost)
    values = shapley_values(players, cost).set_index("player")["value"]
    assert values.to_dict() == pytest.approx(expected)


def test_shapley_values_refuses_repeated_or_too_many_players() -> None:
    with pytest.raises(InputError) as error:
        shapley_values(["A", "A"], game_cost)
    assert error.value.rule == "players"
    with pytest.raises(InputError):
        shapley_values(list(range(30)), lambda s: float(len(s)))


# --------------------------------------------------------------------- a facility by hand
def test_facility_game_worked_by_hand() -> None:
    facility = root_facility()
    frame = members([1.0, 4.0, 9.0])
    kwargs: dict[str, Any] = {"rate": 0.0, "design_margin": 0.0}

    def c(ids: str) -> float:
        return coalition_cost(frame, facility, list(ids), **kwargs)

    # c(S) = 100·√(load of S): 100, 200, 300 alone; √5, √10, √13 pairs; √14 all.
    assert [c("A"), c("B"), c("C")] == pytest.approx([100, 200, 300])
    assert [c("AB"), c("AC"), c("BC"), c("ABC")] == pytest.approx(
        [100 * math.sqrt(5), 100 * math.sqrt(10), 100 * math.sqrt(13), 100 * math.sqrt(14)]
    )
    assert c("") == 0.0
    # Subset formula with weights 1/3 (alone or last) and 1/6 (second), by hand:
    a = c("A") / 3 + (c("AB") - c("B")) / 6 + (c("AC") - c("C")) / 6 + (c("ABC") - c("BC")) / 3
    b = c("B") / 3 + (c("AB") - c("A")) / 6 + (c("BC") - c("C")) / 6 + (c("ABC") - c("AC")) / 3
    last = c("C") / 3 + (c("AC") - c("A")) / 6 + (c("BC") - c("B")) / 6 + (c("ABC") - c("AB")) / 3
    table = allocate_costs(frame, facility, **kwargs)
    np.testing.assert_allclose(table["shapley_cost"], [a, b, last])
    # Proportional: the whole plant by share of load, 1/14, 4/14, 9/14.
    np.testing.assert_allclose(table["proportional_cost"], c("ABC") * np.array([1, 4, 9]) / 14)
    # Going alone on the same curve: c of the member alone (no connection here).
    np.testing.assert_allclose(table["standalone_cost"], [100, 200, 300])
    assert table.attrs["shapley"] == "exact over the 2^3 coalitions"
    # The concave curve's game is in the core for both rules.
    assert all(check["in_core"] for check in table.attrs["core"].values())


def test_efficiency_symmetry_and_connections_as_an_additive_game() -> None:
    facility = read_facilities()["wastewater_dyeing"]
    frame = members([4.0, 8.0, 8.0, 12.0, 20.0], distance_km=[0.1, 0.3, 0.3, 0.2, 0.5])
    table = allocate_costs(frame, facility)
    total = coalition_cost(frame, facility, frame["member_id"])
    assert table.attrs["total_cost"] == pytest.approx(total)
    assert table["shapley_cost"].sum() == pytest.approx(total, rel=1e-12)
    assert table["proportional_cost"].sum() == pytest.approx(total, rel=1e-12)
    assert table.loc[1, "shapley_cost"] == pytest.approx(table.loc[2, "shapley_cost"])
    # A member's dearer connection is its own: its Shapley value rises by exactly that.
    dearer = frame.assign(connection_cost=[np.nan, 1e9, np.nan, np.nan, np.nan])
    again = allocate_costs(dearer, facility)
    extra = (1e9 - 0.3 * facility.connection_cost_per_km) * facility.crf(0.10)
    np.testing.assert_allclose(
        again["shapley_cost"] - table["shapley_cost"], [0, extra, 0, 0, 0], atol=1e-3
    )


def test_far_member_is_flagged_and_breaks_the_core() -> None:
    frame = read_members(DATA / "van_phuc_dyeing.csv")
    table = allocate_costs(frame, "wastewater_dyeing")
    flagged = table.loc[~table["joins_pays"], "member_id"].tolist()
    assert flagged == ["VP20"]  # 4 km of sewer to the plant
    assert not table.loc[19, ["joins_pays_proportional", "joins_pays_shapley"]].any()
    assert table.loc[:18, "joins_pays"].all()
    assert (table.loc[:18, "saving_shapley"] > 0).all()
    for rule, check in table.attrs["core"].items():
        assert check["exact"] and check["coalitions_checked"] == 2**20 - 1
        assert not check["in_core"]
        # It would rather build its own unit: overcharged by what it loses by joining.
        assert check["worst_coalition"] == ["VP20"]
        assert check["worst_excess"] == pytest.approx(-table.loc[19, f"saving_{rule}"])
    # Without the far member, sharing pays for everyone and both rules are in the core.
    rest = allocate_costs(frame[frame["member_id"] != "VP20"], "wastewater_dyeing")
    assert rest["joins_pays"].all()
    assert all(check["in_core"] for check in rest.attrs["core"].values())


def test_sampled_shapley_is_within_its_reported_error() -> None:
    loads = [3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 30.0]
    frame = members(loads, distance_km=[0.2] * 10)
    exact = allocate_costs(frame, "wastewater_dyeing", method="shapley")
    sampled = allocate_costs(
        frame, "wastewater_dyeing", method="shapley", exact_limit=0, samples=4000, seed=3
    )
    assert "4000 random orders (seed 3)" in sampled.attrs["shapley"]
    error = sampled["shapley_se"].to_numpy()
    assert (error > 0).all() and (exact["shapley_se"] == 0).all()
    gap = np.abs(sampled["shapley_cost"] - exact["shapley_cost"]).to_numpy()
    assert (gap <= 4 * error).all()
    assert sampled["shapley_cost"].sum() == pytest.approx(exact.attrs["total_cost"], rel=1e-12)
    again = allocate_costs(
        frame, "wastewater_dyeing", method="shapley", exact_limit=0, samples=4000, seed=3
    )
    pd.testing.assert_frame_equal(sampled, again)


def test_above_the_exact_limit_the_core_is_screened() -> None:
    n = EXACT_LIMIT + 5
    distance = [0.2] * (n - 1) + [5.0]
    frame = members(list(np.linspace(3, 15, n)), distance_km=distance)
    table = allocate_costs(frame, "wastewater_dyeing", samples=200)
    check = table.attrs["core"]["proportional"]
    assert not check["exact"] and not check["in_core"]
    assert check["worst_coalition"] == [frame["member_id"].iloc[-1]]
    assert table["joins_pays"].tolist() == [True] * (n - 1) + [False]


# --------------------------------------------------------------------- sizing and curves
def test_size_facility_follows_the_curve() -> None:
    frame = read_members(DATA / "van_phuc_dyeing.csv")
    sizing = size_facility(frame, "wastewater_dyeing")
    f = sizing.facility
    load = frame["load"].sum()
    assert sizing.load == pytest.approx(load) and sizing.members == 20
    assert sizing.capacity == pytest.approx(1.2 * load) and sizing.units == 1
    assert sizing.capex == pytest.approx(f.capex_a * (1.2 * load) ** f.capex_b)
    crf = capital_recovery_factor(0.10, f.lifetime_years)
    assert sizing.annualised_capex == pytest.approx(sizing.capex * crf)
    opex = f.opex_fixed + f.opex_maintenance_share * sizing.capex + f.opex_per_unit * load * 300
    assert sizing.opex == pytest.approx(opex)
    assert sizing.facility_cost == pytest.approx(sizing.annualised_capex + opex)
    sewer = (frame["distance_km"] * f.connection_cost_per_km).sum() * crf
    assert sizing.connection_cost == pytest.approx(sewer)
    assert sizing.cost_per_unit == pytest.approx(sizing.total_cost / (load * 300))


def test_minimum_size_steps_and_several_units() -> None:
    kiln = read_facilities()["gas_kiln_ceramics"]
    capacity, units = kiln.capacity([750.0, 10.0])
    assert capacity.tolist() == [900.0, 20.0] and units.tolist() == [2, 1]
    assert kiln.capex(750.0) == pytest.approx(2 * kiln.capex_a * 450.0**kiln.capex_b)
    dryer = read_facilities()["wood_drying_chamber"]
    assert dryer.capacity([50.0, 150.0, 250.0])[0].tolist() == [100.0, 200.0, 300.0]
    assert dryer.capacity(500 / 1.2)[0] == pytest.approx(500.0)  # exactly on a step
    assert kiln.annual_cost(0.0) == 0.0


def test_going_alone_by_fee_or_as_given() -> None:
    frame = read_members(DATA / "members_mixed.csv")
    yard = allocate_costs(frame, "waste_sorting_yard")
    fee = read_facilities()["waste_sorting_yard"].standalone_fee
    assert yard["standalone_basis"].tolist() == ["fee", "given"]
    assert yard["standalone_cost"].tolist() == [50 * fee, 15_000_000]
    kiln = allocate_costs(frame, "Lò nung gas chung cho gốm sứ")
    assert kiln["member_id"].tolist() == ["K1", "K2"]
    assert kiln["load"].tolist() == pytest.approx([36.525, 60.0])  # 100 kg/day, Julian year
    haulage = read_facilities()["gas_kiln_ceramics"].haulage_per_unit_km
    assert kiln["connection_cost"].tolist() == pytest.approx([0.5 * haulage * 36.525, 60 * haulage])
    dye = allocate_costs(frame, "wastewater_dyeing")  # the given connection replaces the sewer
    crf = read_facilities()["wastewater_dyeing"].crf(0.10)
    assert dye.loc[0, "connection_cost"] == pytest.approx(50_000_000 * crf)


def test_bundled_facilities_are_documented_and_marked_illustrative() -> None:
    facilities = read_facilities()
    wanted = {"wastewater_dyeing", "gas_kiln_ceramics", "wood_drying_chamber"}
    assert wanted | {"waste_sorting_yard"} == set(facilities)
    readme = (BUNDLED / "facilities.md").read_text(encoding="utf-8")
    header = (BUNDLED / "facilities.csv").read_text(encoding="utf-8").splitlines()[0]
    for column in header.split(","):
        assert f"`{column}`" in readme
    for facility in facilities.values():
        assert f"`{facility.id}`" in readme
        assert facility.basis == "illustrative assumption" and facility.source
        assert 0.6 <= facility.capex_b <= 0.8
        assert (facility.currency, facility.price_year) == ("VND", 2024)
        assert unicodedata.is_normalized("NFC", facility.name_vi)
        # Economies of scale: ten members' shared unit costs less per load than one's own.
        assert facility.annual_cost(100.0) / 100 < facility.annual_cost(10.0, own=True) / 10
    text = (BUNDLED / "facilities.csv").read_text(encoding="utf-8") + readme
    assert unicodedata.is_normalized("NFC", text)


# --------------------------------------------------------------------- bad input
def test_read_members_converts_units_and_keeps_rows() -> None:
    frame = read_members(DATA / "van_phuc_dyeing.csv")
    assert frame.index[0] == 2 and frame.attrs["file"].endswith("van_phuc_dyeing.csv")
    by_id = frame.set_index("member_id")
    assert by_id.loc["VP04", "unit_given"] == "m³/ngày đêm" and by_id.loc["VP04", "load"] == 10
    assert by_id.loc["VP08", "load_given"] == 9000
    assert by_id.loc["VP08", "load"] == pytest.approx(9.0)  # L/day
    assert by_id.loc["VP06", "load"] == 5.5  # a decimal comma
    assert (frame["unit"] == "m3/day").all()
    assert by_id.loc["VP01", "name"] == "Hộ nhuộm 01"


def test_read_members_reports_every_problem_together() -> None:
    with pytest.raises(InputError) as error:
        read_members(DATA / "members_bad.csv")
    text = str(error.value)
    assert "13 problems" in text and "members_bad.csv, row 3, column 'member_id'" in text
    rules = {
        3: "member-id", 4: "duplicate-member", 5: "unknown-facility", 6: "load",
        7: "load-positive", 8: "load-positive", 9: "load", 10: "unit", 11: "unit", 12: "unit",
        13: "distance", 14: "connection-cost", 15: "standalone-cost",
    }  # fmt: skip
    for row, rule in rules.items():
        assert f"row {row}, " in text and f"[{rule}]" in text
    assert "ambiguous" in text and "does not convert" in text and "no unit" in text
    assert error.value.rule == "member-id" and error.value.row == 3


def test_read_members_refuses_a_missing_column() -> None:
    with pytest.raises(InputError) as error:
        read_members(DATA / "members_missing_column.csv")
    assert (error.value.rule, error.value.column) == ("missing-column", "load")


def test_read_facilities_reports_every_problem_together() -> None:
    with pytest.raises(InputError) as error:
        read_facilities(DATA / "facilities_bad.csv")
    text = str(error.value)
    assert "11 problems" in text
    expected = [
        (3, "capex_a", "missing-value"), (4, "capex_b", "number"), (5, "lifetime_years", "range"),
        (6, "opex_fixed", "range"), (7, "facility", "duplicate-facility"),
        (8, "standalone", "standalone"), (9, "standalone_fee", "standalone-fee"),
        (10, "load_unit", "unit"), (11, "max_capacity", "capacity-range"),
        (12, "facility", "missing-value"), (13, "opex_maintenance_share", "range"),
    ]  # fmt: skip
    for row, column, rule in expected:
        assert f"row {row}, column {column!r}: " in text and f"[{rule}]" in text
    good = read_facilities(DATA / "facilities_good.csv")
    assert list(good) == ["ok"] and good["ok"].standalone_opex_fixed == 0.0


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"method": "nucleolus"}, "method"),
        ({"exact_limit": 40}, "exact-limit"),
        ({"samples": 1}, "samples"),
        ({"rate": -1.5}, "rate"),
        ({"design_margin": -0.1}, "design-margin"),
    ],
)
def test_allocate_costs_refuses_bad_options(change: dict[str, Any], rule: str) -> None:
    with pytest.raises(InputError) as error:
        allocate_costs(members([5.0, 6.0]), "wastewater_dyeing", **change)
    assert error.value.rule == rule


def test_allocate_costs_refuses_bad_members_and_facilities() -> None:
    with pytest.raises(InputError) as error:
        allocate_costs(members([5.0, -1.0, 0.0]), "wastewater_dyeing")
    assert error.value.rule == "load-positive" and "2 problems" in str(error.value)
    with pytest.raises(InputError) as error:
        allocate_costs(members([5.0]), "tannery")
    assert error.value.rule == "unknown-facility"
    mixed = read_members(DATA / "members_mixed.csv")
    with pytest.raises(InputError) as error:
        size_facility(mixed[mixed["facility"] != "wastewater_dyeing"], "wastewater_dyeing")
    assert error.value.rule == "no-members"
    with pytest.raises(InputError) as error:
        coalition_cost(members([5.0, 6.0]), "wastewater_dyeing", ["A", "Q"])
    assert error.value.rule == "unknown-member"
    in_litres = members([5000.0, 6000.0], unit=["L/day", "t/day"])
    with pytest.raises(InputError) as error:
        allocate_costs(in_litres, "wastewater_dyeing")
    assert error.value.rule == "unit" and error.value.row == 2


@pytest.mark.parametrize(
    ("reader", "text", "rule"),
    [
        (read_members, "member_id,name,facility,load,unit\n", "empty"),
        (read_members, "", "empty"),
        (read_facilities, (BUNDLED / "facilities.csv").read_text("utf-8").splitlines()[0], "empty"),
    ],
)
def test_empty_files_are_refused(tmp_path: Path, reader: Any, text: str, rule: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        reader(path)
    assert error.value.rule == rule and error.value.file == str(path)


def test_vietnamese_text_in_any_unicode_form() -> None:
    nfd = unicodedata.normalize("NFD", "Lò nung gas chung cho gốm sứ")
    frame = members([60.0, 90.0], name=[unicodedata.normalize("NFD", "Xưởng gốm")] * 2)
    frame["facility"], frame["unit"] = nfd, unicodedata.normalize("NFD", "tấn/năm")
    table = allocate_costs(frame, nfd, method="proportional")
    assert table["name"].map(lambda name: unicodedata.is_normalized("NFC", name)).all()
    assert table["load"].tolist() == [60.0, 90.0]
    assert "shapley_cost" not in table and "shapley_se" not in table
    assert table["joins_pays"].equals(table["joins_pays_proportional"])
    assert table.attrs["shapley"] == "" and list(table.attrs["core"]) == ["proportional"]
