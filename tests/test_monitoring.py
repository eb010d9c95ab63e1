"""Reading monitoring campaigns: units, censored values, Vietnamese files and bad input.

Unit conversions are checked against hand computation. The molar volume of an ideal gas
at 25 °C and 101.325 kPa is R·T/P = 8.314462618 × 298.15 / 101325 m³/mol = 24.4654 L/mol,
so 1 ppm of SO2 (64.066 g/mol) is 64.066 × 1000 / 24.4654 = 2618.6 µg/m³; the textbook
rounding 24.45 L/mol gives 2620.3 µg/m³, 0.06% more.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecocluster.errors import InputError
from ecocluster.monitoring import (
    MEDIA,
    SAMPLE_COLUMNS,
    convert,
    molar_volume_l_per_mol,
    read_samples,
)

DATA = Path(__file__).parent / "data" / "monitoring"
HEADER = "site,cluster,lat,lon,time,medium,parameter,value,unit,averaging,class,method\n"


def _write(tmp_path: Path, text: str, name: str = "samples.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _refused(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        read_samples(path)
    return caught.value


# --------------------------------------------------------------------- units
def test_molar_volume_is_ideal_gas_at_25_degrees() -> None:
    assert molar_volume_l_per_mol() == pytest.approx(8.314462618 * 298.15 / 101325 * 1000)
    assert molar_volume_l_per_mol() == pytest.approx(24.4654, abs=1e-4)


def test_ppm_of_sulfur_dioxide_by_hand() -> None:
    so2 = convert([1.0], "ppm", "ug/m^3", molar_mass_g_per_mol=64.066)[0]
    assert so2 == pytest.approx(64.066 * 1000 / 24.4654, rel=1e-5)
    assert so2 == pytest.approx(2618.6, abs=0.1)
    # The rounded molar volume 24.45 L/mol gives 2620.3; the two differ by 0.06%.
    rounded = 64.066 * 1000 / 24.45
    assert rounded == pytest.approx(2620.3, abs=0.1)
    assert so2 == pytest.approx(2620.3, rel=1e-3)


def test_gas_conversions_both_ways() -> None:
    no2 = convert([40.0], "ppb", "ug/m^3", molar_mass_g_per_mol=46.006)[0]
    assert no2 == pytest.approx(40 * 46.006 / 24.4654, rel=1e-5)  # 75.22 µg/m³
    co = convert([1.0], "ppm", "mg/m3", molar_mass_g_per_mol=28.010)[0]
    assert co == pytest.approx(28.010 / 24.4654, rel=1e-5)  # 1.1449 mg/m³
    back = convert([2618.6], "µg/m³", "ppm", molar_mass_g_per_mol=64.066)[0]
    assert back == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (0.64, "mg/m3", "ug/m^3", 640.0),
        (0.64, "mg/m³", "µg/m3", 640.0),
        (640.0, "μg/m3", "mg/m3", 0.64),
        (25.0, "µg/L", "mg/L", 0.025),
        (0.025, "mg/l", "ug/L", 25.0),
        (120.0, "ppm", "mg/kg", 120.0),
        (1.0, "g/kg", "mg/kg", 1000.0),
        (76.5, "dB(A)", "dBA", 76.5),
        (76.5, "dBA", "dBA", 76.5),
        (7.1, "", "pH", 7.1),
        (7.1, "-", "pH", 7.1),
        (212.0, "degF", "degC", 100.0),
        (30.0, "°C", "degC", 30.0),
        (20.0, "Pt-Co", "Pt_Co", 20.0),
        (2400.0, "MPN/100 mL", "MPN/100mL", 2400.0),
    ],
)
def test_unit_conversions(value: float, source: str, target: str, expected: float) -> None:
    assert convert([value], source, target)[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("source", "target", "mass", "reason"),
    [
        ("ppm", "ug/m^3", None, "only for gases"),
        ("ppm", "ug/m^3", float("nan"), "no molar mass"),
        ("ppm", "mg/L", None, "only for gases"),
        ("mg/kg", "mg/L", None, "only for gases"),
        ("dB", "dBA", None, "not A-weighted"),
        ("mg/Nm3", "ug/m^3", None, "stack emissions"),
        ("mg", "mg/L", None, "different things"),
        ("bananas", "mg/L", None, "not known"),
        ("CFU/100mL", "MPN/100mL", None, "not known"),
        ("", "ug/m^3", 64.066, "empty"),  # never a bare ratio of 1 = 100%
        ("-", "mg/L", None, "empty"),
    ],
)
def test_units_that_do_not_convert(
    source: str, target: str, mass: float | None, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        convert([1.0], source, target, molar_mass_g_per_mol=mass)


# --------------------------------------------------------------------- good files
def test_campaign_is_converted_and_keeps_what_was_written() -> None:
    samples = read_samples(DATA / "campaign.csv")
    assert list(samples.columns) == list(SAMPLE_COLUMNS)
    assert samples.attrs["file"] == str(DATA / "campaign.csv")
    # Row numbers are the file's: one comment line, the header, a blank line after row 6.
    assert samples["row"].tolist() == [3, 4, 5, 6, 8, 9, 10, 11, 12, 13]
    by = samples.set_index("parameter")
    assert by.at["tsp", "value"] == pytest.approx(640.0)
    assert by.at["so2", "value"] == pytest.approx(0.05 * 64.066 * 1000 / 24.4654, rel=1e-5)
    assert by.at["no2", "value"] == pytest.approx(40 * 46.006 / 24.4654, rel=1e-5)
    assert by.at["cr6", "value"] == pytest.approx(0.025)
    assert by.at["pb", "value"] == pytest.approx(120.0)
    assert by.at["noise_leq", "value"] == pytest.approx(76.5)
    assert by.at["tsp", "unit"] == "ug/m^3"
    assert by.at["pb", "unit"] == "mg/kg"
    assert by.at["tsp", "original_value"] == "0.64"
    assert by.at["tsp", "original_unit"] == "mg/m3"
    assert by.at["so2", "original_unit"] == "ppm"
    assert set(samples["medium"]) <= set(MEDIA)
    assert by.at["pm2_5", "medium"] == "ambient_air"


def test_censored_and_above_range_values() -> None:
    by = read_samples(DATA / "campaign.csv").set_index("parameter")
    assert (by.at["do", "value"], by.at["do", "qualifier"], by.at["do", "censored"]) == (
        0.5,
        "<",
        True,
    )
    assert by.at["do", "original_value"] == "<0.5"
    assert by.at["pm2_5", "censored"] and by.at["pm2_5", "value"] == pytest.approx(5.0)
    assert (by.at["cod", "value"], by.at["cod", "qualifier"], by.at["cod", "censored"]) == (
        400.0,
        ">",
        False,
    )
    assert not by.at["tsp", "censored"] and by.at["tsp", "qualifier"] == ""


def test_times_averaging_and_optional_columns() -> None:
    by = read_samples(DATA / "campaign.csv").set_index("parameter")
    assert by.at["tsp", "time"] == pd.Timestamp("2019-03-05 08:00")
    assert by.at["do", "time"] == pd.Timestamp("2019-03-06")
    # Day first (Vietnamese), never month first; an offset becomes Viet Nam time.
    assert by.at["pb", "time"] == pd.Timestamp("2019-03-07")
    assert by.at["noise_leq", "time"] == pd.Timestamp("2019-03-07 10:00")
    assert by.at["noise_leq", "averaging"] == "day_6_21"
    assert by.at["do", "averaging"] == "grab"  # empty for water: a single sample
    assert by.at["tsp", "averaging"] == "24h"
    assert by.at["do", "class"] == "B1"
    assert pd.isna(by.at["tsp", "class"])
    assert pd.isna(by.at["noise_leq", "laboratory"])
    assert by.at["noise_leq", "cluster"] == "Đồng Kỵ"


def test_vietnamese_headers_bom_semicolons_decimal_comma_and_nfd(tmp_path: Path) -> None:
    header = (
        "Điểm quan trắc;Làng nghề;Vĩ độ;Kinh độ;Thời gian;Môi trường;Thông số;Giá trị;"
        "Đơn vị;Thời gian trung bình;Phân loại;Phương pháp;Phòng thí nghiệm\n"
    )
    rows = (
        "BT-A1;Bát Tràng;21,0227;105,9135;05/03/2019 08:00;Không khí xung quanh;Bụi TSP;0,64;"
        "mg/m3;24 giờ;;TCVN 5067:1995;Trung tâm Quan trắc\n"
        "VP-W1;Vạn Phúc;20,9766;105,7720;06/03/2019;Nước mặt;Ôxy hoà tan;<0,5;mg/l;;B1;"
        "TCVN 7325:2004;Trung tâm Quan trắc\n"
    )
    text = unicodedata.normalize("NFD", header + rows)
    samples = read_samples(_write(tmp_path, text, bom=True))
    assert samples["parameter"].tolist() == ["tsp", "do"]
    assert samples["value"].tolist() == pytest.approx([640.0, 0.5])
    assert samples["lat"].tolist() == pytest.approx([21.0227, 20.9766])
    assert samples["medium"].tolist() == ["ambient_air", "surface_water"]
    assert samples["time"].tolist() == [
        pd.Timestamp("2019-03-05 08:00"),
        pd.Timestamp("2019-03-06"),
    ]
    cluster = samples["cluster"].iloc[0]
    assert cluster == "Bát Tràng" and unicodedata.is_normalized("NFC", cluster)
    assert samples["laboratory"].iloc[0] == "Trung tâm Quan trắc"


def test_xlsx_with_number_and_date_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER.strip().split(","), "laboratory"])
    where = ["BT-A1", "Bát Tràng", 21.0227, 105.9135, dt.datetime(2019, 3, 5, 8), "ambient_air"]
    sheet.append([*where, "SO2", 0.05, "ppm", "1h", None, "TCVN 5971:1995", "Lab A"])
    where = ["VP-W1", "Vạn Phúc", 20.9766, 105.772, dt.date(2019, 3, 6), "surface_water"]
    sheet.append([*where, "pH", 6.2, None, None, "B1", "TCVN 6492:2011", None])
    path = tmp_path / "campaign.xlsx"
    book.save(path)
    samples = read_samples(path)
    assert samples["row"].tolist() == [2, 3]
    assert samples["value"].tolist() == pytest.approx([0.05 * 64.066 * 1000 / 24.4654, 6.2])
    assert samples["time"].tolist() == [
        pd.Timestamp("2019-03-05 08:00"),
        pd.Timestamp("2019-03-06"),
    ]
    assert samples["parameter"].tolist() == ["so2", "ph"]


def test_a_parameter_table_of_ones_own(tmp_path: Path) -> None:
    parameters = pd.DataFrame(
        {
            "id": ["dust"],
            "label": ["Settled dust"],
            "label_vi": ["Bụi lắng"],
            "media": ["ambient_air"],
            "unit": ["mg/m3"],
            "molar_mass_g_per_mol": [np.nan],
            "aliases": ["Dust|Bụi"],
        }
    )
    text = HEADER + "S1,,21,105,2020-01-01,ambient_air,bụi lắng,300,ug/m3,24h,,m\n"
    samples = read_samples(_write(tmp_path, text), parameters=parameters)
    assert samples["parameter"].tolist() == ["dust"]
    assert samples["value"].tolist() == pytest.approx([0.3])


def test_names_shared_between_media_follow_the_medium(tmp_path: Path) -> None:
    # "NO2" is nitrogen dioxide in air and nitrite (as N) in water.
    text = HEADER + (
        "S1,,21,105,2020-01-01,ambient_air,NO2,40,ug/m3,1h,,m\n"
        "W1,,21,105,2020-01-01,surface_water,NO2,0.02,mg/L,grab,B1,m\n"
    )
    samples = read_samples(_write(tmp_path, text))
    assert samples["parameter"].tolist() == ["no2", "no2_n"]


# --------------------------------------------------------------------- bad input
BAD = {  # row: (column, rule, words of the message)
    2: ("medium", "unknown-medium", "'sky'"),
    3: ("parameter", "unknown-parameter", "Unobtainium"),
    4: ("parameter", "parameter-medium", "tsp is not measured in surface_water"),
    5: ("unit", "unit", "no molar mass"),
    6: ("value", "number", "'abc' is not a number"),
    7: ("value", "negative-value", "negative"),
    8: ("value", "ph-range", "outside 0-14"),
    9: ("lat", "coordinate", "latitude '95'"),
    10: ("lon", "required", "the lon is empty"),
    11: ("time", "time", "'2019-13-45' is not a date"),
    12: ("averaging", "averaging", "'fortnight'"),
    13: ("site", "required", "the site is empty"),
    14: ("value", "number", "no detection limit"),
    15: ("unit", "unit", "not A-weighted"),
}


def test_every_problem_of_a_file_in_one_error() -> None:
    path = DATA / "bad.csv"
    error = _refused(path)
    text = str(error)
    assert f"{len(BAD)} problems" in text
    lines = text.splitlines()
    for row, (column, rule, words) in BAD.items():
        where = f"{path}, row {row}, column {column!r}: "
        found = [line for line in lines if where in line]
        assert found, f"row {row} not reported"
        assert any(f"[{rule}]" in line and words in line for line in found), found
    # The error itself names the first problem.
    assert (error.file, error.row, error.column, error.rule) == (
        str(path),
        2,
        "medium",
        "unknown-medium",
    )


@pytest.mark.parametrize(
    ("row", "column", "rule"),
    [(row, column, rule) for row, (column, rule, _) in BAD.items()],
)
def test_each_rule_alone(tmp_path: Path, row: int, column: str, rule: str) -> None:
    lines = (DATA / "bad.csv").read_text(encoding="utf-8").splitlines()
    path = _write(tmp_path, "\n".join([lines[0], lines[row - 1]]) + "\n")
    error = _refused(path)
    assert (error.file, error.row, error.column, error.rule) == (str(path), 2, column, rule)
    assert "nothing was applied" in str(error)


def test_missing_and_doubled_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "site,latitude,lat,time,medium,parameter,value\nS1,21,21,x,y,z,1\n")
    error = _refused(path)
    text = str(error)
    for name in ("lon", "unit", "averaging", "method"):
        assert f"column {name!r}: the header has no {name!r} column [missing-column]" in text
    assert "[duplicate]" in text
    assert error.row == 1


def test_decimal_comma_only_where_it_cannot_separate_thousands(tmp_path: Path) -> None:
    text = HEADER + 'S1,,21,105,2020-01-01,ambient_air,TSP,"1,250",ug/m3,24h,,m\n'
    error = _refused(_write(tmp_path, text))
    assert error.rule == "number" and "decimal point" in str(error)
    semicolons = (
        HEADER.replace(",", ";") + "S1;;21;105;2020-01-01;ambient_air;TSP;1,25;mg/m3;24h;;m\n"
    )
    samples = read_samples(_write(tmp_path, semicolons, name="semi.csv"))
    assert samples["value"].tolist() == pytest.approx([1250.0])


@pytest.mark.parametrize(
    ("value", "rule"),
    [("<0", "detection-limit"), ("<-1", "negative-value"), ("<", "number"), ("ND", "number")],
)
def test_bad_detection_limits(tmp_path: Path, value: str, rule: str) -> None:
    text = HEADER + f"W1,,21,105,2020-01-01,surface_water,Cd,{value},mg/L,grab,B1,m\n"
    assert _refused(_write(tmp_path, text)).rule == rule


def test_month_first_dates_are_not_guessed(tmp_path: Path) -> None:
    text = HEADER + "W1,,21,105,03/25/2020,surface_water,Cd,0.001,mg/L,grab,B1,m\n"
    assert _refused(_write(tmp_path, text)).rule == "time"


def test_air_samples_need_an_averaging_period(tmp_path: Path) -> None:
    text = HEADER + "S1,,21,105,2020-01-01,ambient_air,TSP,100,ug/m3,,,m\n"
    error = _refused(_write(tmp_path, text))
    assert (error.column, error.rule) == ("averaging", "averaging")


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("empty.csv", "", "empty-file"),
        ("header.csv", HEADER, "no-data"),
        ("samples.ods", HEADER, "format"),
        ("ragged.csv", HEADER + "a,b,c,d,e,f,g,h,i,j,k,l,m\n", "csv-structure"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: str, rule: str) -> None:
    assert _refused(_write(tmp_path, content, name=name)).rule == rule


def test_legacy_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(
        (HEADER + "S1,Bát Tràng,21,105,2020-01-01,air,TSP,1,ug/m3,24h,,m\n").encode("cp1258")
    )
    assert _refused(path).rule == "encoding"


def test_missing_file(tmp_path: Path) -> None:
    assert _refused(tmp_path / "nowhere.csv").rule == "no-such-file"
