"""Measured air, water, noise and soil quality: reading monitoring campaigns.

A campaign has one row per measurement: site, cluster, coordinates, time, medium,
parameter, value, unit, averaging period, class (the water or land use the standard
distinguishes), method and laboratory. The assessment against Viet Nam's national technical
regulations (QCVN) is `ecocluster.assessment`.

API:

* ``read_samples(path, *, parameters=None) -> DataFrame``: a CSV (UTF-8 with or without
  BOM; comma, semicolon or tab) or XLSX file (first sheet) → the samples table. Headers
  match in English or Vietnamese, any case, with or without diacritics ("thông số", "giá
  trị", "đơn vị"; `HEADER_ALIASES`). `parameters`: a table shaped like
  `ecocluster.standards.read_parameters()` (the bundled one by default).
* ``convert(values, from_unit, to_unit, *, molar_mass_g_per_mol=None) -> ndarray``: the
  conversion `read_samples` applies (ValueError when there is none);
  ``molar_volume_l_per_mol()``: R·T/P at the reference conditions (24.465 L/mol).

The samples table, in file order: ``row`` (the file's row), ``site``, ``cluster``,
``lat``, ``lon``, ``time`` (datetime64, local time), ``medium`` (one of `MEDIA`),
``parameter`` (canonical id), ``value`` (float, in ``unit``, the parameter's unit in that
medium), ``unit``, ``qualifier`` ("<", ">" or ""), ``censored`` (True for "<"),
``averaging`` (a code of `ecocluster.standards.AVERAGING`), ``class``, ``method``,
``laboratory``, ``original_value`` (as written) and ``original_unit``. Text columns are
categorical, missing text NA; ``attrs["file"]`` names the file.

Rules:

* **Nothing is imported when anything is wrong.** Every problem of the file (missing
  column, empty cell, unknown medium or parameter, parameter not measured in that medium,
  unconvertible unit, non-numeric or negative value, pH outside 0-14, coordinates out of
  range, unreadable time, unknown averaging period) is listed in one `InputError` naming
  file, row, column and rule.
* **Below detection** is written "<DL" ("<0.01"): ``value`` is the detection limit,
  ``censored`` True; the assessment never claims such a value exceeds an upper limit.
  Above a method's range (">2400") keeps the bound with qualifier ">". "KPH" or "ND"
  without the limit is refused. An empty averaging period means "grab" for water and soil.
* **Units are converted with pint**, once per distinct (unit, parameter, medium), never per
  row: mg/m³ ↔ µg/m³, mg/L ↔ µg/L, mg/kg ↔ ppm for soil. Gas mixing ratios (ppm, ppb) in
  ambient air become mass concentrations with the parameter's molar mass at 25 °C and
  101.325 kPa (760 mmHg; WHO's reference conditions and the usual ones for QCVN 05, whose
  bundled table states none): µg/m³ = ppb × M / Vm, Vm = R·T/P = 24.465 L/mol (the quoted
  24.45 is a rounding, 0.06% high). "dB" is not dB(A); units outside pint (dB(A), pH,
  MPN/100 mL, Pt-Co) must be the parameter's; "mg/Nm³" (stack emissions) is refused.
* **Numbers** take a decimal point; a decimal comma only in semicolon-separated files,
  where it cannot be a thousands separator. Negative values only for temperatures.
* **Times**: ISO ("2021-03-05", "2021-03-05 14:00") or day-first ("05/03/2021 14:00"),
  never month-first; a UTC offset is converted to Viet Nam time (UTC+7), then dropped.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError, ReadError
from ecocluster.normalize import fold_key, normalize_text, read_utf8_text
from ecocluster.problems import Problem, refuse

__all__ = [
    "HEADER_ALIASES",
    "MEDIA",
    "MEDIUM_ALIASES",
    "REFERENCE_PRESSURE_KPA",
    "REFERENCE_TEMPERATURE_C",
    "SAMPLE_COLUMNS",
    "convert",
    "molar_volume_l_per_mol",
    "read_samples",
]

MEDIA: Final = ("ambient_air", "surface_water", "groundwater", "wastewater", "noise", "soil")
#: Reference conditions of gas concentrations (QCVN 05: 25 °C, 760 mmHg).
REFERENCE_TEMPERATURE_C: Final = 25.0
REFERENCE_PRESSURE_KPA: Final = 101.325
SAMPLE_COLUMNS: Final = (
    "row", "site", "cluster", "lat", "lon", "time", "medium", "parameter", "value", "unit",
    "qualifier", "censored", "averaging", "class", "method", "laboratory", "original_value",
    "original_unit",
)  # fmt: skip
#: Required columns; cluster, class and laboratory are optional.
REQUIRED: Final = (
    "site", "lat", "lon", "time", "medium", "parameter", "value", "unit", "averaging", "method"
)  # fmt: skip


def _aliases(spec: str) -> dict[str, str]:
    """ "name: alias alias; ..." → {folded alias: name}, each name its own alias."""
    pairs = [[part.strip() for part in entry.split(":")] for entry in spec.split(";")]
    return {alias: name for name, aliases in pairs for alias in [name, *aliases.split()]}


#: Folded header (see `ecocluster.normalize.fold_key`) → column.
HEADER_ALIASES: Final = _aliases(
    "site: site_id station diem diem_quan_trac vi_tri ma_diem;"
    "cluster: village lang_nghe cum cum_lang_nghe;"
    "lat: latitude vi_do; lon: lng long longitude kinh_do;"
    "time: date datetime sampling_time thoi_gian thoi_diem ngay ngay_lay_mau thoi_gian_lay_mau;"
    "medium: matrix moi_truong thanh_phan_moi_truong; parameter: pollutant thong_so chi_tieu;"
    "value: result gia_tri ket_qua; unit: units don_vi don_vi_tinh;"
    "averaging: averaging_period averaging_time thoi_gian_trung_binh;"
    "class: category cot loai phan_loai muc_dich; method: phuong_phap phuong_phap_phan_tich;"
    "laboratory: lab phong_thi_nghiem don_vi_phan_tich"
)
#: Folded medium name → medium.
MEDIUM_ALIASES: Final = _aliases(
    "ambient_air: ambient air khong_khi khong_khi_xung_quanh; surface_water: nuoc_mat;"
    "groundwater: ground_water nuoc_duoi_dat nuoc_ngam;"
    "wastewater: waste_water effluent discharge nuoc_thai; noise: tieng_on; soil: dat"
)
#: Folded averaging period → the code of `ecocluster.standards.AVERAGING`.
AVERAGING_ALIASES: Final = _aliases(
    "10min: 10_min 10_minute 10_minutes 10_phut; 1h: 1_hour hour hourly 1_gio gio;"
    "8h: 8_hour 8_hours 8_gio; 24h: 24_hour 24_hours daily 1_day 24_gio;"
    "year: annual 1_year yearly nam 1_nam; peak_season: peak; grab: sample single instant mau_don;"
    "day_6_21: 6_21h 6h_21h day ban_ngay; night_21_6: 21_6h 21h_6h night ban_dem"
)
#: Media whose samples are single samples: an empty averaging period means "grab".
GRAB_MEDIA: Final = frozenset({"surface_water", "groundwater", "wastewater", "soil"})
#: Parameters that may be negative (signed quantities), by canonical id.
SIGNED: Final = frozenset({"temperature", "water_temperature", "orp", "redox", "eh"})
_PH: Final = "ph"
_NO_UNIT: Final = frozenset({"", "1", "ph", "phunit", "phunits", "unit", "units", "dimensionless"})
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_QUALIFIED = re.compile(r"^([<>])\s*=?\s*(.*)$")
_NOT_DETECTED = frozenset({"kph", "nd", "n_d", "not_detected", "khong_phat_hien", "bdl", "lod"})
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DAY_FIRST = ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y")
_VIET_NAM = timezone(timedelta(hours=7))
_CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


# --------------------------------------------------------------------- units
@functools.cache
def _registry() -> Any:
    """pint's registry, built on first use (it takes a fifth of a second)."""
    import pint

    registry: Any = pint.UnitRegistry()
    registry.define("ppb = 1e-9 = parts_per_billion")
    return registry


def molar_volume_l_per_mol() -> float:
    """Molar volume of an ideal gas at 25 °C and 101.325 kPa: R·T/P, in L/mol."""
    units = _registry()
    temperature = units.Quantity(REFERENCE_TEMPERATURE_C, "degC").to("K")
    pressure = units.Quantity(REFERENCE_PRESSURE_KPA, "kPa")
    return float((units.molar_gas_constant * temperature / pressure).to("L/mol").magnitude)


def _unit_key(unit: str) -> str:
    """A spelling-insensitive key: "mg/l" = "mg/L", "dB(A)" = "dBA", "m³" = "m3"."""
    key = normalize_text(unit).casefold().replace("µ", "u").replace("μ", "u")
    key = key.replace("³", "3").replace("²", "2").replace("**", "").replace("^", "")
    return re.sub(r"[\s()\[\]_\-·./]", "", key)


def _pint_text(unit: str) -> str:
    """A unit as pint reads it: "µg/m3" → "µg/m**3"."""
    text = normalize_text(unit).replace("³", "**3").replace("²", "**2").replace("^", "**")
    return re.sub(r"(?<=[A-Za-z])([23])(?![\d.*])", r"**\1", text)


Converter = Callable[[np.ndarray], np.ndarray]


@functools.cache
def _converter(from_unit: str, to_unit: str, molar_mass: float, gas: bool) -> Converter | str:
    """A vectorised conversion, or the reason there is none.

    `gas` allows mixing ratios (ppm, ppb) ↔ mass concentrations through `molar_mass`
    (g/mol; NaN when the parameter is not a gas) at the reference conditions.
    """
    source, target = _unit_key(from_unit), _unit_key(to_unit)
    if source == target or (source in _NO_UNIT and target in _NO_UNIT):
        return np.asarray
    if not source:
        return "the unit is empty"
    if re.search(r"nm3$", source):
        return "normal cubic metres (Nm³) are for stack emissions, not ambient concentrations"
    if source == "db" and target == "dba":
        return "dB is not A-weighted; noise limits are in dB(A)"
    units = _registry()
    try:
        have = units.Quantity(1.0, _pint_text(from_unit))
        want = units.Quantity(1.0, _pint_text(to_unit))
    except Exception:
        return "the unit is not known"
    if have.is_compatible_with(want.units):
        return functools.partial(_pint_convert, _pint_text(from_unit), _pint_text(to_unit))
    concentration = "[mass] / [length] ** 3"
    forward = have.dimensionless and want.check(concentration)
    if not forward and not (want.dimensionless and have.check(concentration)):
        return f"{from_unit} and {to_unit} measure different things"
    if not gas:
        return (
            f"{from_unit} and {to_unit} are a ratio and a concentration, which convert into "
            "each other only for gases in ambient air"
        )
    if not math.isfinite(molar_mass) or molar_mass <= 0:
        return "the parameter has no molar mass (it is not a gas)"
    density = units.Quantity(molar_mass / molar_volume_l_per_mol(), "g/L")
    if forward:
        factor = (have.to("dimensionless") * density).to(want.units).magnitude
    else:
        factor = (have / density).to(want.units).magnitude
    return functools.partial(np.multiply, float(factor))


def _pint_convert(from_unit: str, to_unit: str, values: np.ndarray) -> np.ndarray:
    """Through pint's arrays, so that offset units (°F → °C) convert correctly too."""
    quantity = _registry().Quantity(np.asarray(values, dtype=float), from_unit)
    return np.asarray(quantity.to(to_unit).magnitude, dtype=float)


def convert(
    values: Any, from_unit: str, to_unit: str, *, molar_mass_g_per_mol: float | None = None
) -> np.ndarray:
    """Values in `from_unit` expressed in `to_unit`; ValueError when they do not convert.

    With `molar_mass_g_per_mol`, gas mixing ratios (ppm, ppb) convert to mass
    concentrations (and back) at 25 °C and 101.325 kPa.
    """
    mass = float("nan") if molar_mass_g_per_mol is None else float(molar_mass_g_per_mol)
    converter = _converter(from_unit, to_unit, mass, molar_mass_g_per_mol is not None)
    if isinstance(converter, str):
        raise ValueError(f"cannot convert {from_unit} to {to_unit}: {converter}")
    return converter(np.asarray(values, dtype=float))


# --------------------------------------------------------------------- parameters
class _Parameters:
    """The parameter table as lookups: unit per medium, molar mass, names."""

    def __init__(self, table: pd.DataFrame | None) -> None:
        from ecocluster import standards

        frame = standards.read_parameters() if table is None else table
        frame = frame.set_index("id") if "id" in frame.columns else frame
        self.bundled, self._match = table is None, standards.match_parameter
        self.units: dict[tuple[str, ...], str] = {}
        self.media: dict[str, list[str]] = {}
        self.names: dict[str, list[tuple[str, list[str]]]] = {}
        masses = pd.to_numeric(frame["molar_mass_g_per_mol"], errors="coerce")
        self.molar_mass = {str(k): float(v) for k, v in masses.items()}
        for pid, record in frame.iterrows():
            name, media = str(pid), _split(record["media"])
            units = _split(record["unit"])
            given = record.get("units") or dict(zip(media, units * len(media), strict=False))
            self.media[name] = media
            self.units.update({(name, str(m)): str(u) for m, u in given.items()})
            words = [name, record.get("label"), record.get("label_vi"), *_split(record["aliases"])]
            for word in {fold_key(_text(w)) for w in words} - {""}:
                self.names.setdefault(word, []).append((name, media))

    def match(self, name: str, medium: str) -> tuple[str, str]:
        """(canonical id, "") or ("", why not): in `medium` first, then in any medium.

        A name known only in other media resolves, so that the error can say where the
        parameter is measured instead of calling it unknown.
        """
        why = f"parameter {name!r} is not known"
        for where in (medium, None) if medium else (None,):
            if self.bundled:
                try:
                    return self._match(name, where), ""
                except InputError as error:
                    why = error.message if error.rule == "ambiguous-parameter" else why
                    continue
            owners = self.names.get(fold_key(name), [])
            ids = sorted({pid for pid, media in owners if where is None or where in media})
            if len(ids) == 1:
                return ids[0], ""
            why = f"{name!r} may be {', '.join(ids)}; give the medium" if ids else why
        return "", why


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _split(value: object) -> list[str]:
    """Parts of a "|"-separated cell."""
    return [part.strip() for part in _text(value).split("|") if part.strip()]


# --------------------------------------------------------------------- reading the file
@dataclass
class _Table:
    """The cells of a file as stripped text, by column, with the file's row numbers."""

    file: str
    header_row: int
    headers: list[str]
    cells: list[np.ndarray]
    rows: np.ndarray
    decimal_comma: bool = False


def _load(path: Path, file: str) -> _Table:
    suffix = path.suffix.lower()
    if suffix not in _CSV_SUFFIXES | _XLSX_SUFFIXES:
        message = f"cannot read {suffix or 'files without a suffix'}: use CSV or Excel (.xlsx)"
        raise ReadError(message, file=file, rule="format")
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise ReadError(f"the file {what}", file=file, rule="no-such-file")
    table = _load_xlsx(path, file) if suffix in _XLSX_SUFFIXES else _load_csv(path, file)
    table.cells = [_distinct(cells, normalize_text) for cells in table.cells]
    keep = np.any([cells != "" for cells in table.cells], axis=0)
    if not keep.all():
        table.cells = [column[keep] for column in table.cells]
        table.rows = table.rows[keep]
    if not len(table.rows):
        raise ReadError("the file has a header row but no data rows", file=file, rule="no-data")
    return table


def _load_csv(path: Path, file: str) -> _Table:
    """Records after the header; comment and blank lines before it are skipped but counted."""
    lines = read_utf8_text(path).splitlines(keepends=True)
    start = next((i for i, t in enumerate(lines) if t[:1] != "#" and t.strip(" \t,;\r\n")), -1)
    if start < 0:
        raise ReadError("the file is empty: no header row", file=file, rule="empty-file")
    delimiter = max((",", ";", "\t"), key=lines[start].count)
    text = io.StringIO("".join(lines[start:]), newline="")
    options: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_filter": False}
    try:  # the header fixes the width: pandas refuses longer rows
        frame = pd.read_csv(text, sep=delimiter, header=None, skip_blank_lines=False, **options)
    except (pd.errors.ParserError, ValueError) as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found is None:
            raise ReadError(f"the CSV cannot be parsed: {error}", file=file, rule="csv") from None
        width, line, seen = (int(part) for part in found.groups())
        raise ReadError(
            f"this row has {seen} fields but the header has {width}; a value that contains "
            f"{delimiter!r} must be in double quotes",
            file=file,
            row=start + line,
            rule="csv-structure",
        ) from None
    headers = [str(h) for h in frame.iloc[0]]
    body = frame.iloc[1:]
    cells = [body[p].fillna("").to_numpy(dtype=object) for p in body.columns]
    rows = np.arange(start + 2, start + 2 + len(body), dtype=np.int64)
    headers = [normalize_text(h) for h in headers]
    return _Table(file, start + 1, headers, cells, rows, decimal_comma=delimiter == ";")


def _load_xlsx(path: Path, file: str) -> _Table:
    from ecocluster.survey.xlsx import XlsxTable

    sheet = XlsxTable(path, file, 100_000)
    try:
        chunks = list(sheet.chunks())
    finally:
        sheet.close()
    width = len(sheet.headers)
    cells = [
        np.concatenate([np.empty(0, object), *(c.columns[p] for c in chunks)]) for p in range(width)
    ]
    rows = np.concatenate([np.empty(0, np.int64), *(c.rows for c in chunks)])
    return _Table(file, sheet.header_row, [normalize_text(h) for h in sheet.headers], cells, rows)


# --------------------------------------------------------------------- checking
class _Check:
    """Problems of one file, collected column by column."""

    def __init__(self, table: _Table, texts: dict[str, np.ndarray]) -> None:
        self.table, self.texts = table, texts
        self.problems: list[Problem] = []

    def flag(self, mask: Any, column: str, rule: str, message: str, **fields: Any) -> None:
        """A problem for every row where `mask` holds.

        `message` is formatted with ``text`` (the cell as written) and the row's value of
        every array in `fields`.
        """
        for position in np.flatnonzero(mask):
            values = {name: array[position] for name, array in fields.items()}
            text = message.format(text=self.texts[column][position], **values)
            row = int(self.table.rows[position])
            self.problems.append(Problem(self.table.file, row, column, rule, text))


def _columns(
    table: _Table,
    aliases: Mapping[str, str] | None = None,
    required: Sequence[str] = REQUIRED,
    columns: Sequence[str] = SAMPLE_COLUMNS,
) -> dict[str, np.ndarray]:
    """The cells of each known column (`aliases`: folded header -> name; default the
    samples' headers); every missing or doubled column is one problem."""
    aliases = HEADER_ALIASES if aliases is None else aliases
    found: dict[str, int] = {}
    problems: list[Problem] = []
    for position, header in enumerate(table.headers):
        name = aliases.get(fold_key(header)) if header else None
        if name is None:
            continue
        if name in found:
            first = table.headers[found[name]]
            message = f"columns {first!r} and {header!r} both give the {name}"
            problems.append(Problem(table.file, table.header_row, header, "duplicate", message))
            continue
        found[name] = position
    for name in required:
        if name not in found:
            message = f"the header has no {name!r} column"
            problems.append(Problem(table.file, table.header_row, name, "missing-column", message))
    if problems:
        raise refuse(problems, "the file was")
    empty = np.full(len(table.rows), "", dtype=object)
    return {name: table.cells[found[name]] if name in found else empty for name in columns}


def _distinct(values: np.ndarray, function: Callable[[str], Any]) -> np.ndarray:
    """`function` applied once per distinct value, spread back over the rows."""
    codes, uniques = pd.factorize(values)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [function(value) for value in uniques]
    return results[codes] if len(values) else np.empty(0, dtype=object)


def _numbers(texts: np.ndarray, decimal_comma: bool) -> np.ndarray:
    """Floats of plain decimal numbers; NaN for anything else."""

    def parse(text: str) -> float:
        if decimal_comma and "," in text and "." not in text:
            text = text.replace(",", ".", 1)
        return float(text) if _NUMBER.match(text) else math.nan

    return _distinct(texts, parse).astype(float)


def _parse_time(text: str) -> Any:
    """A naive local timestamp, or None."""
    for pattern in ("ISO",) if _ISO.match(text) else _DAY_FIRST:
        try:
            stamp = pd.Timestamp(text if pattern == "ISO" else datetime.strptime(text, pattern))
        except ValueError:
            continue
        return stamp.tz_convert(_VIET_NAM).tz_localize(None) if stamp.tzinfo else stamp
    return None


def _value_problem(text: str, decimal_comma: bool) -> str:
    if fold_key(text) in _NOT_DETECTED:
        return f"{text!r} gives no detection limit; write it after '<' (e.g. '<0.01')"
    hint = "; use a decimal point" if "," in text and not decimal_comma else ""
    return f"value {text!r} is not a number{hint}"


def read_samples(path: str | Path, *, parameters: pd.DataFrame | None = None) -> pd.DataFrame:
    """Measurements of a campaign as the tidy samples table, in canonical units.

    Raises `InputError` listing every problem of the file (file, row, column, rule);
    nothing is returned when there is any.
    """
    path = Path(path)
    file = str(path)
    table = _load(path, file)
    texts = _columns(table)
    check = _Check(table, texts)
    for name in ("site", "medium", "parameter", "value", "time", "lat", "lon"):
        check.flag(texts[name] == "", name, "required", f"the {name} is empty")
    known = _Parameters(parameters)
    medium, parameter, unit, averaging = _check_names(check, known)
    qualifier, original = _check_values(check, parameter)
    coordinates = {
        name: _check_coordinate(check, name, limit) for name, limit in (("lat", 90), ("lon", 180))
    }
    stamps = _distinct(texts["time"], _parse_time)
    check.flag(
        pd.isna(stamps) & (texts["time"] != ""),
        "time",
        "time",
        "time {text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY, optionally with hh:mm)",
    )
    value = _convert_units(check, known, original, unit, parameter, medium)
    if check.problems:
        order = {name: position for position, name in enumerate(SAMPLE_COLUMNS)}
        check.problems.sort(key=lambda p: (p.row or 0, order.get(p.column or "", 99)))
        raise refuse(check.problems, "the file was")
    text = {name: texts[name] for name in ("site", "cluster", "class", "method", "laboratory")}
    text.update(parameter=parameter, unit=unit, averaging=averaging, original_unit=texts["unit"])
    columns: dict[str, Any] = {name: _category(values) for name, values in text.items()}
    columns.update(
        row=table.rows,
        time=pd.to_datetime(pd.Series(stamps, dtype=object)).to_numpy(),
        medium=pd.Categorical(medium, categories=MEDIA),
        value=value,
        qualifier=pd.Categorical(qualifier, categories=["", "<", ">"]),
        censored=qualifier == "<",
        original_value=texts["value"].astype(str),
        **coordinates,
    )
    samples = pd.DataFrame(columns)[list(SAMPLE_COLUMNS)]
    samples.attrs["file"] = file
    return samples


def _category(values: np.ndarray) -> pd.Series:
    """Text as categories, empty text as NA."""
    return pd.Series(values, dtype=object).replace("", None).astype("category")


def _check_names(check: _Check, known: _Parameters) -> tuple[np.ndarray, ...]:
    """Medium, parameter id, the parameter's unit in that medium and averaging code."""
    texts = check.texts
    medium = _distinct(texts["medium"], lambda t: MEDIUM_ALIASES.get(fold_key(t), "")).astype(str)
    unknown = (medium == "") & (texts["medium"] != "")
    check.flag(
        unknown, "medium", "unknown-medium", "medium {text!r} is not one of " + ", ".join(MEDIA)
    )
    named = (pd.Series(texts["parameter"]) + "\t" + pd.Series(medium)).to_numpy(dtype=object)
    matched = _distinct(named, lambda key: known.match(*key.split("\t")))
    parameter = np.array([m[0] for m in matched], dtype=object).astype(str)
    why = np.array([m[1] for m in matched], dtype=object)
    unknown = (parameter == "") & (texts["parameter"] != "")
    check.flag(unknown, "parameter", "unknown-parameter", "{why}", why=why)
    pair = (pd.Series(parameter) + "\t" + pd.Series(medium)).to_numpy(dtype=object)
    unit = _distinct(pair, lambda key: known.units.get(tuple(key.split("\t")), "")).astype(str)
    where = _distinct(parameter, lambda p: ", ".join(known.media.get(p, [])))
    elsewhere = (unit == "") & (parameter != "") & (medium != "")
    message = "{parameter} is not measured in {medium} (only in {where})"
    fields = {"parameter": parameter, "medium": medium, "where": where}
    check.flag(elsewhere, "parameter", "parameter-medium", message, **fields)
    averaging = _distinct(
        texts["averaging"], lambda t: AVERAGING_ALIASES.get(fold_key(t), "?" if t else "")
    ).astype(str)
    averaging = np.where((averaging == "") & np.isin(medium, list(GRAB_MEDIA)), "grab", averaging)
    codes = ", ".join(sorted(set(AVERAGING_ALIASES.values())))
    message = f"averaging period {{text!r}} is not one of {codes}"
    check.flag(averaging == "?", "averaging", "averaging", message)
    message = "the averaging period is empty; {medium} limits depend on it"
    check.flag((averaging == "") & (medium != ""), "averaging", "averaging", message, medium=medium)
    return medium, parameter, unit, averaging


def _check_values(check: _Check, parameter: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Qualifier ("<", ">", "") and number of every value, as written (before units)."""
    texts, decimal_comma = check.texts, check.table.decimal_comma
    qualified = _distinct(texts["value"], _QUALIFIED.match)
    qualifier = np.array([m.group(1) if m else "" for m in qualified], dtype=object)
    written = [m.group(2) if m else t for m, t in zip(qualified, texts["value"], strict=True)]
    number = _numbers(np.array(written, dtype=object), decimal_comma)
    bad = np.isnan(number) & (texts["value"] != "")
    why = np.full(len(number), "", dtype=object)
    why[bad] = _distinct(texts["value"][bad], lambda t: _value_problem(t, decimal_comma))
    check.flag(bad, "value", "number", "{why}", why=why)
    negative = (number < 0) & ~np.isin(parameter, list(SIGNED))
    message = "{parameter} {text} is negative"
    check.flag(negative, "value", "negative-value", message, parameter=parameter)
    message = "detection limit {text!r} is not positive"
    check.flag((qualifier == "<") & (number == 0), "value", "detection-limit", message)
    impossible = (parameter == _PH) & ((number < 0) | (number > 14))
    check.flag(impossible, "value", "ph-range", "pH {text} is outside 0-14")
    return qualifier, number


def _check_coordinate(check: _Check, name: str, limit: int) -> np.ndarray:
    numbers = _numbers(check.texts[name], check.table.decimal_comma)
    word = "latitude" if name == "lat" else "longitude"
    message = f"{word} {{text!r}} is not a number between -{limit} and {limit}"
    bad = (check.texts[name] != "") & ~(np.abs(numbers) <= limit)
    check.flag(bad, name, "coordinate", message)
    return numbers


def _convert_units(
    check: _Check, known: _Parameters, number: np.ndarray, *keys: np.ndarray
) -> np.ndarray:
    """Values in the parameter's unit, converted once per distinct (unit, parameter, medium)."""
    unit, parameter, medium = keys
    value = np.full(len(number), np.nan)
    usable = np.flatnonzero((unit != "") & ~np.isnan(number))
    table = pd.DataFrame({"u": check.texts["unit"], "p": parameter, "m": medium}).iloc[usable]
    for key, index in table.groupby(["u", "p", "m"], sort=False).indices.items():
        written, name, where = (str(part) for part in key)  # type: ignore[attr-defined]
        rows = usable[index]
        target = known.units[(name, where)]
        mass = known.molar_mass.get(name, math.nan)
        converter = _converter(written, target, mass, where == "ambient_air")
        if isinstance(converter, str):
            mask = np.zeros(len(number), dtype=bool)
            mask[rows] = True
            message = f"unit {{text!r}} cannot be converted to {target!r}, the unit of {name}: "
            check.flag(mask, "unit", "unit", message + converter.replace("{", "{{"))
            continue
        value[rows] = converter(number[rows])
    return value
