"""RECP programmes: reading, bad input, intensities, roll-ups, money and the cost curve.

The small programme in ``tests/data/recp/`` (three invented enterprises in two zones, five
options) is worked out by hand below, step by step. Finance is checked against the examples
documented for numpy-financial and NumPy's former financial functions (cited at each test).
The cost-curve PNG goes to ``test-artifacts/recp-cost-curve.png`` for a person to look at.
"""

from __future__ import annotations

import math
import shutil
import unicodedata
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from ecocluster.errors import InputError
from ecocluster.recp import (
    CATEGORIES,
    Programme,
    check_programme,
    compute_intensities,
    compute_rollups,
    programme_from_frames,
    read_factors,
    read_options,
    read_programme,
)
from ecocluster.recp_finance import (
    capital_recovery_factor,
    compute_cost_curve,
    compute_option_economics,
    draw_cost_curve,
    irr,
    npv,
    option_irr,
    option_npv,
    simple_payback,
    write_cost_curve,
)

DATA = Path(__file__).parent / "data" / "recp"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
BUNDLED = Path(__file__).resolve().parents[1] / "src" / "ecocluster" / "data" / "recp"

# tCO2e per GJ = (CO2 + 27.9 CH4 + 273 N2O) kg/TJ / 1e6 (IPCC 2006 defaults, AR6 GWPs)
COAL = (98_300 + 27.9 * 10 + 273 * 1.5) / 1e6  # anthracite: 0.0989885
DIESEL = (74_100 + 27.9 * 3 + 273 * 0.6) / 1e6  # 0.0743475
LPG = (63_100 + 27.9 * 1 + 273 * 0.1) / 1e6  # 0.0631552
GRID = {2015: 0.8154, 2016: 0.9185, 2023: 0.6592, 2014: 0.6612}  # tCO2/MWh


@pytest.fixture(scope="module")
def programme() -> Programme:
    return read_programme(DATA)


# --------------------------------------------------------------------- reading
def test_the_fixture_has_no_problems() -> None:
    tables = [pd.read_csv(DATA / f"{t}.csv", dtype=str, comment="#", keep_default_na=False)
              for t in ("enterprises", "baselines", "options", "status")]  # fmt: skip
    assert check_programme(*tables).empty


def test_tables_are_typed(programme: Programme) -> None:
    firms = programme.enterprises.set_index("enterprise_id")
    assert firms.loc["E2", "audited"] == pd.Timestamp("2016-02-01")  # day-first 01/02/2016
    assert pd.isna(firms.loc["E3", "audited"])
    assert list(firms["programme"]) == ["EIP pilot"] * 3
    options = programme.options.set_index("option_id")
    assert list(options["category"]) == [
        "good_housekeeping", "equipment_modification", "onsite_recovery_reuse",
        "technology_change", "input_material_change",
    ]  # fmt: skip
    # current status: the last event; "từ chối" is rejected, "đề xuất" recommended
    assert list(options["status"]) == ["verified", "implemented", "rejected", "accepted",
                                       "recommended"]  # fmt: skip
    assert options.loc["O3", "status_date"] == pd.Timestamp("2015-12-01")
    assert pd.isna(options.loc["O5", "recommended_on"])
    assert programme.currency == "VND"


def test_option_savings_are_converted_by_hand(programme: Programme) -> None:
    options = programme.options.set_index("option_id")
    # O1: 20 t of coal (anthracite, 26.7 GJ/t) = 534 GJ, 534 × 0.0989885 tCO2e
    assert options.loc["O1", "energy_gj"] == pytest.approx(534.0)
    assert options.loc["O1", "co2e_t"] == pytest.approx(534 * COAL)
    # O2: 100,000 kWh = 360 GJ; recommended in 2015: 100 MWh × 0.8154
    assert options.loc["O2", "energy_gj"] == pytest.approx(360.0)
    assert options.loc["O2", "co2e_t"] == pytest.approx(100 * GRID[2015])
    assert options.loc["O2", "grid_year"] == 2015
    # O3 spends 5,000 kWh to save 10,000 m³ of water (a negative saving with a reason)
    assert options.loc["O3", "electricity_kwh"] == -5000
    assert options.loc["O3", "water_m3"] == 10_000
    assert options.loc["O3", "co2e_t"] == pytest.approx(-5 * GRID[2015])
    # O4 was recommended in 2016: 500 MWh × 0.9185
    assert options.loc["O4", "co2e_t"] == pytest.approx(500 * GRID[2016])
    assert options.loc["O5", ["energy_gj", "co2e_t"]].tolist() == [0, 0]


def test_workbook_reads_like_the_folder(programme: Programme, tmp_path: Path) -> None:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in ("enterprises", "baselines", "options", "status"):
        sheet = book.create_sheet(table)
        frame = pd.read_csv(DATA / f"{table}.csv", dtype=str, comment="#",
                            keep_default_na=False, header=None)  # fmt: skip
        for record in frame.itertuples(index=False):
            sheet.append([_typed(cell) for cell in record])
    book["enterprises"]["F2"] = datetime(2015, 9, 15)  # E1's audit as a date cell
    book["enterprises"]["E3"] = datetime(2015, 6, 10, 0, 0)  # E2's registration
    book.save(tmp_path / "programme.xlsx")
    read = read_programme(tmp_path / "programme.xlsx")
    assert read.name == "programme"
    pd.testing.assert_frame_equal(read.options.drop(columns="row"),
                                  programme.options.drop(columns="row"))  # fmt: skip
    columns = ["enterprise_id", "registered", "audited", "programme"]
    pd.testing.assert_frame_equal(read.enterprises[columns], programme.enterprises[columns])
    assert read.baselines["amount"].tolist() == programme.baselines["amount"].tolist()


def _typed(cell: str) -> object:
    """Numbers as numbers, the way a spreadsheet keeps them."""
    try:
        return float(cell) if cell and cell.replace(".", "", 1).lstrip("-").isdigit() else cell
    except ValueError:
        return cell


def test_workbook_problems_name_the_sheet(tmp_path: Path) -> None:
    book = Workbook()
    firms = book.active
    assert firms is not None
    firms.title = "enterprises"
    firms.append(["enterprise_id", "name", "zone", "registered"])
    firms.append(["E1", "Xưởng gốm", "Bát Tràng", "2015-01-01"])
    options = book.create_sheet("options")
    options.append(["option_id", "enterprise_id", "title", "category", "investment",
                    "annual_saving_money"])  # fmt: skip
    options.append(["O1", "E2", "Kiln lids", "good housekeeping", 0, 100])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(InputError) as error:
        read_programme(tmp_path / "bad.xlsx")
    assert error.value.file == f"{tmp_path / 'bad.xlsx'} (sheet options)"
    assert (error.value.row, error.value.rule) == (2, "unknown-enterprise")
    options["F2"] = "=1+1"  # openpyxl writes a formula without its computed value
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(InputError) as error:
        read_programme(tmp_path / "bad.xlsx")
    assert (error.value.row, error.value.rule) == (2, "formula")


def test_other_factors_can_be_given(tmp_path: Path) -> None:
    (tmp_path / "gwp.csv").write_text("gas,gwp100,source\nco2,1,x\nch4,28,AR5\nn2o,265,AR5\n")
    factors = read_factors(gwp=tmp_path / "gwp.csv")
    assert factors.t_co2e_per_gj["coal"] == pytest.approx((98_300 + 28 * 10 + 265 * 1.5) / 1e6)
    assert read_factors().t_co2e_per_gj["coal"] == pytest.approx(COAL)
    text = (BUNDLED / "emission_factors.csv").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith("lpg,")]
    (tmp_path / "ef.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_factors(emission_factors=tmp_path / "ef.csv")
    assert error.value.rule == "emission-factor" and "lpg" in str(error.value)


def test_vietnamese_headers_in_any_normal_form(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    header = "Mã doanh nghiệp,Tên doanh nghiệp,Khu công nghiệp,Ngành,Ngày đăng ký,Ngày đánh giá"
    text = (folder / "enterprises.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.rsplit(",", 1)[0] for line in text[2:]]  # no programme column
    body = "\n".join([unicodedata.normalize("NFD", header), *rows]) + "\n"
    (folder / "enterprises.csv").write_text(body, encoding="utf-8")
    read = read_programme(folder)
    assert read.enterprises["name"].iloc[0] == "Công ty Dệt Hòa Bình"
    assert unicodedata.is_normalized("NFC", read.enterprises["name"].iloc[0])
    assert set(read.enterprises["programme"]) == {read.name}


def test_programme_from_typed_frames(programme: Programme) -> None:
    firms = pd.DataFrame({
        "enterprise_id": ["A"], "name": ["Xưởng A"], "zone": ["Z"], "sector": ["food"],
        "registered": [pd.Timestamp("2019-05-01")], "audited": [pd.NaT],
    })  # fmt: skip
    options = pd.DataFrame({
        "option_id": ["A1"], "enterprise_id": ["A"], "title": ["Insulate pipes"],
        "category": ["good_housekeeping"], "investment": [1e6], "currency": ["VND"],
        "annual_saving_money": [5e5], "lifetime_years": [5.0], "diesel (L)": [1149.0],
    })  # fmt: skip
    built = programme_from_frames(firms, None, options, name="frames")
    # 1,149 L of diesel = 1 t = 43 GJ (UNSD: 1149 L per tonne of gas diesel oil)
    assert built.options["energy_gj"].iloc[0] == pytest.approx(43.0)
    assert built.options["co2e_t"].iloc[0] == pytest.approx(43 * DIESEL)
    assert built.options["status"].iloc[0] == "recommended"
    with pytest.raises(InputError) as error:
        programme_from_frames(firms, None, options.assign(enterprise_id="B"))
    assert error.value.file == "options table" and error.value.row == 2


# --------------------------------------------------------------------- bad input
def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "programme"
    shutil.copytree(DATA, folder)
    return folder


def _edit(folder: Path, table: str, old: str | None, new: str) -> None:
    path = folder / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    if old is None:
        text += new + "\n"
    else:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


BAD = [
    # (table, replaced text or None to append, new text, rule, row, column, words)
    ("options", None, "O9,E9,Ghost,Good housekeeping,0,VND,1000,,,,,", "unknown-enterprise", 7,
     "enterprise_id", "enterprise 'E9' is not in the enterprises"),
    ("options", None, "O9,E1,Mystery,magic,0,VND,1000,,,,,", "unknown-category", 7, "category",
     "category 'magic' is not one of good_housekeeping"),
    ("options", None, "O9,E1,Costs,good housekeeping,0,VND,-1000,,,,,", "negative-saving", 7,
     "annual_saving_money", "a negative saving (-1000) needs a reason"),
    ("options", None, "O9,E1,Spends power,good housekeeping,0,VND,1000,,,-500,,",
     "negative-saving", 7, "electricity_kwh", "a negative saving (-500) needs a reason"),
    ("options", None, "O1,E1,Again,good housekeeping,0,VND,1,,,,,", "duplicate-id", 7,
     "option_id", "id 'O1' is given twice (first at row 2)"),
    ("options", "200000000,VND", "200.000.000,VND", "number", 3, "investment",
     "'200.000.000' is not a number; write it without thousands separators"),
    ("options", "80000000,10,", "80000000,,", "lifetime", 3, "lifetime_years",
     "an option with an investment needs its lifetime"),
    ("options", "50000000,VND,20000000", "50000000,USD,20000000", "currency", 6, "currency",
     "currency 'USD' differs from 'VND'"),
    ("options", "water (m3)", "water (kg)", "unit", 1, "water (kg)",
     "savings column 'water (kg)': water is measured in volume"),
    ("options", "coal_t", "steam_t", "unknown-flow", 1, "steam_t",
     "savings column 'steam_t': flow 'steam' is not known"),
    ("options", "coal_t", "coal", "unit", 1, "coal", "savings column 'coal': no unit"),
    ("status", None, "O2,accepted,2016-02-01,", "status-backwards", 13, "status",
     "accepted on 2016-02-01 comes after implemented on 2016-01-10 (row 8), so the status "
     "goes backwards"),
    ("status", "O4,accepted,2016-03-01,", "O4,accepted,2016-01-01,", "status-backwards", 11,
     "status", "recommended on 2016-02-10 comes after accepted on 2016-01-01 (row 12)"),
    ("status", None, "O4,accepted,2016-03-05,", "status-backwards", 13, "status",
     "accepted on 2016-03-05 comes after accepted on 2016-03-01 (row 12), is given again"),
    ("status", None, "O1,rejected,2016-04-01,broke", "status-after-end", 13, "status",
     "rejected on 2016-04-01 comes after verified on 2016-03-01 (row 5), which ends"),
    ("status", None, "O3,accepted,2016-01-01,", "status-after-end", 13, "status",
     "accepted on 2016-01-01 comes after rejected on 2015-12-01 (row 10), which ends the "
     "history"),
    ("status", "no space for the tank", "", "rejected-no-reason", 10, "reason",
     "a rejected option needs the reason"),
    ("status", None, "O5,maybe,2016-01-01,", "unknown-status", 13, "status",
     "status 'maybe' is not one of recommended"),
    ("status", None, "O99,accepted,2016-01-01,", "unknown-option", 13, "option_id",
     "option 'O99' is not in the options"),
    ("status", None, "O5,accepted,31/02/2016,", "date", 13, "date",
     "'31/02/2016' is not a date"),
    ("enterprises", None, "E1,Again,Tra Noc,paper,2015-01-01,,", "duplicate-id", 6,
     "enterprise_id", "id 'E1' is given twice (first at row 3)"),
    ("enterprises", "2015-07-01,,", "2015-07-01,2015-01-01,", "audit-before-registration", 5,
     "audited", "audited on 2015-01-01 before registering on 2015-07-01"),
    ("baselines", "production,5000,t", "production,0,t", "production", 10, "quantity",
     "production must be more than zero, not 0"),
    ("baselines", "production,5000,t", "production,-5,t", "production", 10, "quantity",
     "production must be more than zero, not -5"),
    ("baselines", None, "E2,2016-01-01,2016-12-31,water,10,kg", "unit", 13, "unit",
     "water is measured in volume (e.g. m3)"),
    ("baselines", None, "E2,2016-01-01,2016-12-31,electricity,10,t", "unit", 13, "unit",
     "electricity cannot be given in 't'; use a unit of energy"),
    ("baselines", None, "E2,2016-01-01,2016-12-31,diesel,10,bao", "unit", 13, "unit",
     "unit 'bao' is not known"),
    ("baselines", None, "E2,2016-01-01,2016-12-31,biomass,10,bags", "unit", 13, "unit",
     "a 'bags' is not the same amount in every trade"),
    ("baselines", None, "E2,2016-01-01,2016-12-31,steam,10,t", "unknown-flow", 13, "flow",
     "flow 'steam' is not production, water"),
    ("baselines", None, "E2,2016-01-01,2016-12-31,lpg,5,kg", "duplicate-flow", 13, "flow",
     "flow 'lpg' is given twice for this period"),
    ("baselines", None, "E2,2017-01-01,2017-12-31,electricity,5,MWh", "no-production", 13,
     "flow", "the period 2017-01-01 to 2017-12-31 has no production row"),
    ("baselines", None, "E9,2016-01-01,2016-12-31,production,5,t", "unknown-enterprise", 13,
     "enterprise_id", "enterprise 'E9' is not in the enterprises"),
    ("baselines", None, "E2,2017-01-01,2016-12-31,production,5,t", "period", 13, "period_end",
     "the period ends (2016-12-31) before it starts"),
    ("baselines", None, "E2,2017-01-01,2017-12-31,water,-5,m3", "negative", 13, "quantity",
     "-5 is negative"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "old", "new", "rule", "row", "column", "words"), BAD)
def test_bad_input_is_refused_with_file_row_column_and_rule(
    tmp_path: Path, table: str, old: str | None, new: str, rule: str, row: int, column: str,
    words: str,
) -> None:  # fmt: skip
    folder = _copy(tmp_path)
    _edit(folder, table, old, new)
    with pytest.raises(InputError) as error:
        read_programme(folder)
    problems = [p for p in str(error.value).splitlines() if f"[{rule}]" in p] or [str(error.value)]
    expected = f"{folder / (table + '.csv')}, row {row}, column {column!r}: {words}"
    assert any(p.strip().startswith(expected) for p in problems), str(error.value)
    assert error.value.file == str(folder / f"{table}.csv")
    assert error.value.rule is not None


def test_every_problem_of_every_table_is_listed_together(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "options", None, "O9,E9,Ghost,magic,0,VND,-5,,,,,")
    _edit(folder, "status", None, "O2,accepted,2016-02-01,")
    _edit(folder, "baselines", "production,5000,t", "production,0,t")
    tables = [_read_csv(folder, t) for t in ("enterprises", "baselines", "options", "status")]
    problems = check_programme(*tables)
    assert set(problems["rule"]) == {"unknown-enterprise", "unknown-category", "negative-saving",
                                     "status-backwards", "production"}  # fmt: skip
    assert list(problems.columns) == ["file", "row", "column", "rule", "message"]
    with pytest.raises(InputError) as error:
        read_programme(folder)
    assert "5 problems" in str(error.value)
    assert error.value.rule == "production"  # baselines come before options and status


def _read_csv(folder: Path, table: str) -> pd.DataFrame:
    from ecocluster.recp import read_baselines, read_enterprises, read_status

    readers = {"enterprises": read_enterprises, "baselines": read_baselines,
               "options": read_options, "status": read_status}  # fmt: skip
    return readers[table](folder / f"{table}.csv")


def test_missing_column_and_missing_table(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "options", "category,", "kind of option,")
    with pytest.raises(InputError) as error:
        read_options(folder / "options.csv")
    assert (error.value.rule, error.value.row, error.value.column) == (
        "missing-column",
        1,
        "category",
    )
    (folder / "options.csv").unlink()
    with pytest.raises(InputError) as error:
        read_programme(folder)
    assert error.value.rule == "missing-table"
    with pytest.raises(InputError) as error:
        read_programme(tmp_path / "nothing-here")
    assert error.value.rule == "no-such-file"


# --------------------------------------------------------------------- intensities
def test_intensities_by_hand(programme: Programme) -> None:
    table = compute_intensities(programme).set_index("enterprise_id")
    e1, e2 = table.loc["E1"], table.loc["E2"]
    # E1, 2015, 1,000 t: 2,000,000 kWh = 7,200 GJ; 500 t coal × 26.7 = 13,350 GJ;
    # 11,490 L diesel = 10 t × 43.0 = 430 GJ
    assert e1["energy_gj"] == pytest.approx(7200 + 13_350 + 430)
    assert e1["energy_gj_per_unit"] == pytest.approx(20.98)
    assert e1["electricity_kwh_per_unit"] == pytest.approx(2000)
    assert e1["water_m3_per_unit"] == pytest.approx(50)
    assert e1["wastewater_m3_per_unit"] == pytest.approx(40)
    assert e1["materials_t_per_unit"] == pytest.approx(1.2)
    assert e1["waste_t_per_unit"] == pytest.approx(0.03)  # 30,000 kg of sludge
    co2e = 2000 * GRID[2015] + 13_350 * COAL + 430 * DIESEL  # 1630.8 + 1321.496 + 31.969
    assert e1["co2e_t"] == pytest.approx(co2e)
    assert e1["co2e_t_per_unit"] == pytest.approx(co2e / 1000)
    assert e1["grid_year"] == 2015
    # E2, 2016, 5,000 t: 10,000 MWh = 36,000 GJ; 2,000 kg LPG × 47.3 GJ/t = 94.6 GJ
    assert e2["energy_gj_per_unit"] == pytest.approx((36_000 + 94.6) / 5000)
    assert e2["co2e_t"] == pytest.approx(10_000 * GRID[2016] + 94.6 * LPG)
    assert e2["production_unit"] == "t" and e2["zone"] == "Hoa Khanh"
    assert math.isnan(e2["water_m3_per_unit"])  # not measured, which is not zero
    assert "E3" not in table.index  # registered, not audited: no baseline


def test_grid_factor_of_a_year_outside_the_table_is_the_nearest(programme: Programme) -> None:
    factors = read_factors()
    years, values = factors.grid([2010, 2019, 2030])
    assert years.tolist() == [2014, 2019, 2023]
    assert values.tolist() == [0.6612, 0.8458, 0.6592]


# --------------------------------------------------------------------- roll-ups
def test_rollups_by_zone_by_hand(programme: Programme) -> None:
    zones = compute_rollups(programme, by="zone").set_index("zone")
    hoa_khanh, tra_noc = zones.loc["Hoa Khanh"], zones.loc["Tra Noc"]
    counts = [
        "enterprises_registered",
        "enterprises_audited",
        "options_recommended",
        "options_accepted",
        "options_implemented",
        "options_verified",
        "options_rejected",
    ]
    # E1 and E2 audited; O1 verified, O2 implemented, O3 rejected, O4 accepted
    assert hoa_khanh[counts].tolist() == [2, 2, 4, 3, 2, 1, 1]
    assert tra_noc[counts].tolist() == [1, 0, 1, 0, 0, 0, 0]
    assert hoa_khanh["investment_recommended"] == 1_300_000_000  # 0 + 200 M + 100 M + 1,000 M
    assert hoa_khanh["investment_accepted"] == 1_200_000_000  # O3 rejected
    assert hoa_khanh["money_recommended"] == 310_000_000
    assert hoa_khanh["money_accepted"] == 280_000_000
    assert hoa_khanh["money_implemented"] == 130_000_000  # O1 + O2
    assert hoa_khanh["money_verified"] == 50_000_000  # O1 only
    assert hoa_khanh["electricity_kwh_recommended"] == 100_000 - 5000 + 500_000
    assert hoa_khanh["energy_gj_recommended"] == pytest.approx(534 + 360 - 18 + 1800)
    assert hoa_khanh["energy_gj_accepted"] == pytest.approx(534 + 360 + 1800)
    assert hoa_khanh["energy_gj_verified"] == pytest.approx(534)
    assert hoa_khanh["water_m3_recommended"] == 10_000
    assert hoa_khanh["water_m3_accepted"] == 0
    expected = 534 * COAL + 100 * GRID[2015] - 5 * GRID[2015] + 500 * GRID[2016]
    assert hoa_khanh["co2e_t_recommended"] == pytest.approx(expected)
    assert hoa_khanh["co2e_t_verified"] == pytest.approx(534 * COAL)
    assert tra_noc["investment_recommended"] == 50_000_000


def test_rollups_add_up_across_groupings(programme: Programme) -> None:
    total = compute_rollups(programme, by="programme").set_index("programme").loc["EIP pilot"]
    for by in ("zone", "sector", "enterprise"):
        table = compute_rollups(programme, by=by)
        numbers = table.select_dtypes("number").sum()
        pd.testing.assert_series_equal(numbers, total[numbers.index].astype(float),
                                       check_names=False, check_dtype=False)  # fmt: skip
    firms = compute_rollups(programme, by="enterprise")
    assert list(firms.columns[:4]) == ["enterprise_id", "name", "zone", "sector"]
    with pytest.raises(InputError) as error:
        compute_rollups(programme, by="province")
    assert error.value.rule == "by"


# --------------------------------------------------------------------- finance
def test_irr_against_documented_examples() -> None:
    # numpy-financial irr docs (and NumPy <= 1.17 numpy.irr), after Gitman (2003) p. 348
    assert round(irr([-100, 39, 59, 55, 20]), 5) == 0.28095
    assert round(irr([-100, 0, 0, 74]), 5) == -0.0955
    assert round(irr([-100, 100, 0, -7]), 5) == -0.0833
    assert round(irr([-100, 100, 0, 7]), 5) == 0.06206
    assert round(irr([-5, 10.5, 1, -8, 1]), 5) == 0.0886
    assert math.isnan(irr([100, 10, 10]))  # no sign change: no rate


def test_npv_against_documented_examples() -> None:
    # numpy-financial npv docs: $40,000 invested, $5,000 ... $30,000 back, at 8%
    assert round(npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]), 5) == 3065.22267
    # NumPy 1.10-1.17 numpy.npv docs: the IRR example discounted at 28.1%
    assert npv(0.281, [-100, 39, 59, 55, 20]) == pytest.approx(-0.0084785916384548798)


def test_capital_recovery_factor_against_documented_payment() -> None:
    # NumPy numpy.pmt docs: $200,000 over 15 years monthly at 7.5% a year: -1854.0247200054619
    assert 200_000 * capital_recovery_factor(0.075 / 12, 12 * 15) == pytest.approx(
        1854.0247200054619, rel=1e-12)  # fmt: skip
    assert capital_recovery_factor(0.0, 4) == 0.25


def test_constant_saving_options_agree_with_the_general_formulas() -> None:
    # 200 invested, 80 a year for 10 years: NPV at 10% and the IRR from the cash flows
    flows = [-200.0, *[80.0] * 10]
    assert option_npv(200, 80, 10, 0.10) == pytest.approx(npv(0.10, flows), rel=1e-12)
    assert option_irr(200, 80, 10) == pytest.approx(irr(flows), rel=1e-9)
    assert option_npv(200, 80, 10, option_irr(200, 80, 10)) == pytest.approx(0, abs=1e-8)
    assert option_irr(100, 10, 5) == pytest.approx(irr([-100, 10, 10, 10, 10, 10]), rel=1e-9)
    assert option_irr(0, 10, 5) == math.inf and math.isnan(option_irr(10, 0, 5))
    assert simple_payback([0, 200, 100], [50, 80, 0]).tolist() == [0, 2.5, math.inf]


def test_option_economics_by_hand(programme: Programme) -> None:
    table = compute_option_economics(programme, 0.10).set_index("option_id")
    annuity = (1 - 1.1**-10) / 0.1  # 6.144567105704685
    assert table.loc["O2", "payback_years"] == 2.5
    assert table.loc["O2", "npv"] == pytest.approx(80e6 * annuity - 200e6)
    assert table.loc["O2", "irr"] == pytest.approx(irr([-200, *[80] * 10]), rel=1e-9)
    assert table.loc["O1", "payback_years"] == 0  # good housekeeping without investment
    assert math.isnan(table.loc["O1", "npv"])  # no lifetime given
    assert table.attrs["currency"] == "VND"
    with pytest.raises(InputError):
        compute_option_economics(programme, -1.5)


# --------------------------------------------------------------------- cost curve
def test_cost_curve_order_and_widths(programme: Programme) -> None:
    curve = compute_cost_curve(programme, "energy_gj", 0.10)
    # cost per GJ = (investment × CRF(10%, life) − money saved) / GJ saved a year
    o2 = (200e6 * capital_recovery_factor(0.10, 10) - 80e6) / 360  # −131,808
    o1 = -50e6 / 534  # −93,633: no investment
    o4 = (1e9 * capital_recovery_factor(0.10, 15) - 150e6) / 1800  # −10,292
    assert curve["option_id"].tolist() == ["O2", "O1", "O4"]  # O3 rejected, O5 saves no energy
    assert curve["cost_per_unit"].tolist() == pytest.approx([o2, o1, o4])
    assert curve["start"].tolist() == pytest.approx([0, 360, 894])
    assert curve["end"].tolist() == pytest.approx([360, 894, 2694])
    assert (curve["start"].iloc[1:].to_numpy() == curve["end"].iloc[:-1].to_numpy()).all()
    assert curve.attrs["excluded"] == ["O5"]
    assert curve.attrs["unit"] == "GJ" and curve.attrs["currency"] == "VND"


def test_cost_curve_of_co2e_and_with_rejected_options(programme: Programme) -> None:
    curve = compute_cost_curve(programme, "co2e_t", 0.10)
    # O1 −50 M / 52.86 t, O2 −47.45 M / 81.54 t, O4 −18.53 M / 459.25 t
    assert curve["option_id"].tolist() == ["O1", "O2", "O4"]
    assert curve["end"].iloc[-1] == pytest.approx(534 * COAL + 100 * GRID[2015] + 500 * GRID[2016])
    water = compute_cost_curve(programme, "water_m3", statuses=("rejected",))
    assert water["option_id"].tolist() == ["O3"]
    assert water["cost_per_unit"].iloc[0] == pytest.approx(
        (100e6 * capital_recovery_factor(0.10, 5) - 30e6) / 10_000)  # fmt: skip


def test_cost_curve_of_a_zone(programme: Programme) -> None:
    curve = compute_cost_curve(programme, zone="tra noc")
    assert curve.empty and curve.attrs["excluded"] == ["O5"]
    with pytest.raises(InputError) as error:
        compute_cost_curve(programme, zone="Noi Bai")
    assert error.value.rule == "zone" and "Hoa Khanh" in str(error.value)
    with pytest.raises(InputError) as error:
        compute_cost_curve(programme, saving="happiness")
    assert error.value.rule == "saving"


def _synthetic(options: int = 80) -> Programme:
    """A zone-sized programme drawn from a seeded generator, built from data frames."""
    rng = np.random.default_rng(7)
    firms = pd.DataFrame({
        "enterprise_id": [f"F{i:02d}" for i in range(12)],
        "name": [f"Nhà máy {i}" for i in range(12)],
        "zone": ["Khu công nghiệp Hòa Khánh"] * 12, "sector": ["textiles"] * 12,
        "registered": ["2015-06-01"] * 12, "audited": ["2015-10-01"] * 12,
    })  # fmt: skip
    investment = np.round(rng.lognormal(18, 1.2, options), -5) * (rng.random(options) > 0.2)
    table = pd.DataFrame({
        "option_id": [f"X{i:03d}" for i in range(options)],
        "enterprise_id": rng.choice(firms["enterprise_id"], options),
        "title": [f"Option {i}" for i in range(options)],
        "category": rng.choice(CATEGORIES, options), "investment": investment,
        "currency": "VND", "annual_saving_money": np.round(rng.lognormal(17.5, 1, options), -4),
        "lifetime_years": rng.integers(3, 16, options).astype(float),
        "electricity_kwh": np.round(rng.lognormal(11, 1.3, options)),
        "coal_t": np.round(rng.lognormal(2, 1.5, options), 1) * (rng.random(options) > 0.5),
    })  # fmt: skip
    return programme_from_frames(firms, None, table, name="synthetic")


def test_cost_curve_png_artefact() -> None:
    curve = compute_cost_curve(_synthetic(), "energy_gj", 0.10)
    assert (np.diff(curve["cost_per_unit"]) >= 0).all()
    assert curve["end"].iloc[-1] == pytest.approx(curve["saving"].sum())
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "recp-cost-curve.png"
    path.unlink(missing_ok=True)
    title = "Cleaner-production cost curve, Khu công nghiệp Hòa Khánh (synthetic)"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_cost_curve(curve, path, title=title)
    assert [
        str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)
    ] == []  # no missing glyph
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_cost_curve_figure_bars_match_the_table(programme: Programme) -> None:
    curve = compute_cost_curve(programme)
    figure = draw_cost_curve(curve, title="Hoa Khanh")
    bars = figure.axes[0].patches
    assert [b.get_x() for b in bars] == pytest.approx(curve["start"].tolist())
    assert [b.get_width() for b in bars] == pytest.approx(curve["saving"].tolist())
    assert [b.get_height() for b in bars] == pytest.approx(curve["cost_per_unit"].tolist())
    empty = draw_cost_curve(compute_cost_curve(programme, zone="Tra Noc"))
    assert not empty.axes[0].patches


# --------------------------------------------------------------------- bundled data
@pytest.mark.parametrize("name", ["calorific_values.csv", "emission_factors.csv", "gwp.csv"])
def test_every_factor_is_cited_and_nfc(name: str) -> None:
    text = (BUNDLED / name).read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    table = pd.read_csv(BUNDLED / name, dtype=str, keep_default_na=False)
    assert (table["source"].str.len() > 10).all()


def test_grid_factors_are_the_published_ones() -> None:
    table = pd.read_csv(BUNDLED / "emission_factors.csv", dtype=str)
    grid = table[table["carrier"] == "electricity"].set_index("year")["value"].astype(float)
    published = {"2019": 0.8458, "2020": 0.8041, "2021": 0.7221, "2022": 0.6766, "2023": 0.6592}
    assert {y: grid[y] for y in published} == published
