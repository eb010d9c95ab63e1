"""Industrial symbiosis: material streams, compatibility rules and candidate exchanges.

Craft villages and industrial zones already trade sawdust, shards and scrap by word of
mouth. This module puts every firm's outputs and needs in one table, says which output
can meet which need (rules that a facilitator edits), and lists the partners within
reach; `ecocluster.symbiosis_match` chooses the best set of exchanges among them.

API:

* ``read_materials(path=None) -> DataFrame``: the taxonomy (``data/symbiosis/
  materials.csv``): index ``id``; ``label``, ``label_vi``, ``aliases`` (tuple), ``group``
  (one of `GROUPS`), ``unit`` (t, m3, MWh: what quantities and money of the class are
  counted in), ``ewc``, ``hs``, ``disposal_t_co2e`` and ``virgin_t_co2e`` (per unit; NaN
  where no cited factor), their sources, ``notes``.
* ``read_rules(path=None, *, materials=None, identity=True) -> DataFrame``: which output
  class meets which input class: ``output``, ``input``, ``ratio`` (input units met per
  output unit), ``treatment``, ``treatment_cost`` (money per output unit; NaN: not known),
  ``max_km`` (inf: no limit), ``source``, ``row`` (0 for implicit rules). With `identity`,
  every class meets a need of the same class at ratio 1 unless a row says otherwise.
* ``read_streams(source, *, materials=None) -> DataFrame``: a CSV or XLSX file (or a
  DataFrame shaped like one) → `STREAM_COLUMNS`: the file's ``row``, a ``stream`` id, the
  class's ``group`` and ``unit``, ``quantity`` per year in that unit, money per unit
  (NaN when not given; a gate fee as a negative ``price``), codes in one spelling, and the
  quantity and unit as written.
* ``candidate_exchanges(streams, rules=None, *, k=20, max_km=None) -> DataFrame``: for
  each output, its `k` nearest compatible needs of other firms within the rule's (and
  `max_km`'s) distance: ``supplier``, ``receiver`` (stream ids), ``supplier_pos`` and
  ``receiver_pos`` (positions in `streams`), ``supplier_firm``, ``receiver_firm``,
  ``output``, ``input``, ``distance_km`` (great circle), ``ratio``, ``treatment``,
  ``treatment_cost``, ``max_km``.
* ``haversine_km(lat1, lon1, lat2, lon2)``: great-circle distance (vectorised).
* ``plan_exchanges``, ``Plan``, ``check_plan``: the optimal plan, in
  `ecocluster.symbiosis_match` and importable from here.

A streams file has one row per stream: ``firm`` (an id), ``name``, ``lat``, ``lon``,
``direction`` (output: what the firm puts out; input: what it needs), ``material`` (a class
id, its label or an alias, English or Vietnamese, any case, with or without diacritics),
``quantity`` (per year), ``unit`` (any unit of the class's kind that pint reads: kg, t,
tấn, m3, khối, L, kWh, MWh, GJ; "/year" or "/năm" may follow), ``quality``, and money per
unit of the class (t, m3, MWh), all in one currency: ``price`` (outputs: what the
supplier asks at its gate; negative, or ``gate_fee``, when it pays the taker),
``disposal_cost`` (outputs: what the supplier pays now to get rid of it; negative when it
now sells it), ``virgin_price`` (inputs: what the receiver pays now for the material it
would replace). ``ewc`` (List of Waste, "10 01 02"; "*" marks hazardous) and ``hs``
(customs headings) are optional; ``stream`` names a stream when a firm has two of the same
class. Headers match in English or Vietnamese ("doanh nghiệp", "vĩ độ", "khối lượng").

Rules of reading, all checked together and reported in one `InputError` naming file, row,
column and rule: unknown material class, unknown direction, negative or non-numeric
quantity, unit that does not convert (a rate per day or month is refused: give the
year's amount), money on the wrong kind of stream, a firm without coordinates on any row
or with two locations, coordinates out of range or at 0, 0, malformed EWC or HS codes,
the same stream twice (same firm, direction, material and quality, or the same
``stream`` id). A firm's coordinates may be written on one of its rows only.

Candidates: receivers of each input class are put in a KD-tree (SciPy's ``cKDTree``) on
3-D unit vectors, where the straight-line (chord) distance orders points as the great
circle does; each supplier queries the trees of the classes its rules allow, bounded by
the rule's ``max_km``. A firm is never its own partner: reuse inside a firm is not an
exchange. Distances are great-circle; roads are longer, so transport costs per km should
carry the detour.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ecocluster.monitoring import _aliases, _Check, _columns, _distinct, _load, _numbers, _Table
from ecocluster.normalize import fold_key, normalize_text
from ecocluster.problems import Problem, read_table, refuse

if TYPE_CHECKING:
    from ecocluster.symbiosis_match import Plan, check_plan, plan_exchanges

__all__ = [
    "DIRECTIONS",
    "EARTH_RADIUS_KM",
    "GROUPS",
    "STREAM_COLUMNS",
    "Plan",
    "candidate_exchanges",
    "check_plan",
    "haversine_km",
    "plan_exchanges",
    "read_materials",
    "read_rules",
    "read_streams",
]

#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM: Final = 6371.0088
GROUPS: Final = ("solid", "liquid", "energy")
DIRECTIONS: Final = ("output", "input")
#: Units a class may be counted in, as pint reads them.
CLASS_UNITS: Final = {"t": "t", "m3": "m**3", "MWh": "MWh"}
STREAM_COLUMNS: Final = (
    "row", "stream", "firm", "name", "lat", "lon", "direction", "material", "group", "unit",
    "quantity", "quality", "price", "disposal_cost", "virgin_price", "ewc", "hs",
    "original_quantity", "original_unit",
)  # fmt: skip
_REQUIRED: Final = ("firm", "lat", "lon", "direction", "material", "quantity", "unit")
_HEADERS: Final = _aliases(
    "firm: firm_id enterprise enterprise_id company doanh_nghiep co_so ma_doanh_nghiep ma_co_so;"
    "name: firm_name company_name ten ten_doanh_nghiep ten_co_so; stream: stream_id ma_dong;"
    "lat: latitude vi_do; lon: lng long longitude kinh_do;"
    "direction: flow role chieu vai_tro dau_ra_dau_vao;"
    "material: class material_class vat_lieu loai_vat_lieu nhom_vat_lieu;"
    "quantity: amount qty annual_quantity khoi_luong so_luong luong;"
    "unit: units don_vi don_vi_tinh; quality: spec specification chat_luong dac_tinh;"
    "price: asking_price gia gia_ban; gate_fee: tipping_fee phi_tiep_nhan;"
    "disposal_cost: current_disposal_cost chi_phi_thai_bo chi_phi_xu_ly;"
    "virgin_price: virgin_material_price purchase_price gia_nguyen_lieu gia_mua;"
    "ewc: low ewc_code low_code waste_code ma_chat_thai; hs: hs_code ma_hs"
)
_DIRECTION_WORDS: Final = _aliases(
    "output: out supply offer offers waste by_product byproduct dau_ra cung cung_cap thai "
    "phu_pham; input: in need needs demand want dau_vao nhu_cau can"
)
_MONEY: Final = ("price", "gate_fee", "disposal_cost", "virgin_price")
_PER_YEAR = re.compile(
    r"^(.*?)\s*(?:/|\bper\s+|\ba\s+|\bmỗi\s+|\bmột\s+)\s*(?:year|yr|y|a|annum|năm|nam)\.?$",
    re.IGNORECASE,
)
_PER_TIME = re.compile(
    r"(?:/|\bper\s+)\s*(?:day|d|month|mo|week|wk|h|hr|hour|ngày|tháng|tuần|giờ|ca)\b",
    re.IGNORECASE,
)
_EWC = re.compile(r"^(\d{2})\s*(\d{2})\s*(\d{2})\s*(\*?)$")
_HS = re.compile(r"^\d{4}(?:\.?\d{2}){0,3}$")


def __getattr__(name: str) -> Any:
    """Matching lives in `ecocluster.symbiosis_match`; its names are found here too."""
    if name in ("Plan", "check_plan", "plan_exchanges"):
        from ecocluster import symbiosis_match

        return getattr(symbiosis_match, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------- taxonomy and rules
def _data_path(name: str) -> Any:
    return resources.files("ecocluster").joinpath("data", "symbiosis", name)


def _cells(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].map(normalize_text)


def read_materials(path: str | Path | None = None) -> pd.DataFrame:
    """The material classes: the bundled taxonomy, or a file of the same shape."""
    if path is None:
        return _bundled_materials().copy()
    return _materials(Path(path))


@functools.cache
def _bundled_materials() -> pd.DataFrame:
    with resources.as_file(_data_path("materials.csv")) as path:
        return _materials(path)


def _materials(path: Path) -> pd.DataFrame:
    columns = ("id", "label", "label_vi", "aliases", "group", "unit")
    optional = ("ewc", "hs", "disposal_t_co2e", "disposal_source", "virgin_t_co2e")
    table = read_table(path, columns, (*optional, "virgin_source", "notes"))
    file = str(path)
    problems: list[Problem] = []
    for name in table.columns:
        table[name] = _cells(table, name)
    seen: dict[str, tuple[str, int]] = {}
    for row, record in table.iterrows():
        at = int(str(row))
        if not record["id"] or record["id"] != fold_key(record["id"]):
            message = f"class id {record['id']!r} must be a lower-case key such as 'fly_ash'"
            problems.append(Problem(file, at, "id", "class-id", message))
        if record["group"] not in GROUPS:
            message = f"group {record['group']!r} is not one of {', '.join(GROUPS)}"
            problems.append(Problem(file, at, "group", "group", message))
        if record["unit"] not in CLASS_UNITS:
            message = f"unit {record['unit']!r} is not one of {', '.join(CLASS_UNITS)}"
            problems.append(Problem(file, at, "unit", "unit", message))
        for word in _words(record["id"], record, record["aliases"].split("|")):
            owner = seen.setdefault(word, (record["id"], at))
            if owner[0] != record["id"]:
                message = f"{word!r} names both {owner[0]!r} (row {owner[1]}) and {record['id']!r}"
                problems.append(Problem(file, at, "aliases", "ambiguous-alias", message))
    factors = {}
    for name in ("disposal_t_co2e", "virgin_t_co2e"):
        text = table[name].str.replace(",", ".", regex=False)
        values = pd.to_numeric(text, errors="coerce")
        for row in table.index[((text != "") & values.isna()) | (values < 0)]:
            message = f"{name} {table.at[row, name]!r} is not a number >= 0"
            problems.append(Problem(file, int(row), name, "factor", message))
        factors[name] = values.astype(float)
    if problems:
        raise refuse(problems, "the taxonomy was")
    out = table.assign(**factors)
    out["aliases"] = [tuple(a for a in s.split("|") if a) for s in out["aliases"]]
    out = out.reset_index(drop=True).set_index("id")
    out.attrs["file"] = file
    return out


def _words(cid: str, record: pd.Series, aliases: Any) -> set[str]:
    """The folded names of a class: id, aliases, labels and each comma-separated part."""
    labels = [str(record["label"]), str(record["label_vi"])]
    parts = [p for label in labels for p in label.split(",")]
    return {fold_key(str(w)) for w in [cid, *aliases, *labels, *parts]} - {""}


def _lookup(materials: pd.DataFrame) -> dict[str, str]:
    """Folded id, label, Vietnamese label (or a part of it) or alias → class id."""
    return {w: str(c) for c, r in materials.iterrows() for w in _words(str(c), r, r["aliases"])}


def _unknown_class(text: str, lookup: Mapping[str, str]) -> str:
    close = difflib.get_close_matches(fold_key(text), list(lookup), n=1, cutoff=0.75)
    hint = f"; did you mean {lookup[close[0]]!r}?" if close else ""
    return f"material {text!r} is not a class of the taxonomy{hint}"


def read_rules(
    path: str | Path | None = None,
    *,
    materials: pd.DataFrame | None = None,
    identity: bool = True,
) -> pd.DataFrame:
    """Compatibility rules: the bundled ones, or a file of the same shape (module doc)."""
    materials = read_materials() if materials is None else materials
    if path is None:
        with resources.as_file(_data_path("rules.csv")) as bundled:
            return _rules(bundled, materials, identity)
    return _rules(Path(path), materials, identity)


def _rules(path: Path, materials: pd.DataFrame, identity: bool) -> pd.DataFrame:
    table = read_table(
        path, ("output", "input", "ratio"), ("treatment", "treatment_cost", "max_km", "source")
    )
    file = str(path)
    problems: list[Problem] = []
    lookup = _lookup(materials)
    for name in table.columns:
        table[name] = _cells(table, name)
    for name in ("output", "input"):
        ids = table[name].map(lambda t: lookup.get(fold_key(t), ""))
        for row in table.index[ids == ""]:
            message = _unknown_class(str(table.at[row, name]), lookup)
            problems.append(Problem(file, int(row), name, "unknown-material", message))
        table[name] = ids
    numbers = {}
    limits = {"ratio": "> 0", "treatment_cost": ">= 0 or empty", "max_km": "> 0 or empty"}
    for name, what in limits.items():
        text = table[name].str.replace(",", ".", regex=False)
        values = pd.to_numeric(text, errors="coerce").astype(float)
        bad = (text != "") & ~np.isfinite(values)
        bad |= (values <= 0) if name != "treatment_cost" else (values < 0)
        bad |= (text == "") & (name == "ratio")
        for row in table.index[bad]:
            message = f"{name} {table.at[row, name]!r} is not a number {what}"
            problems.append(Problem(file, int(row), name, name.replace("_", "-"), message))
        numbers[name] = values
    pairs = table["output"] + "\t" + table["input"]
    repeated = pairs.duplicated() & (table["output"] != "") & (table["input"] != "")
    for row in table.index[repeated]:
        first = int(table.index[pairs == pairs[row]][0])
        output, wanted = (str(table.at[row, name]) for name in ("output", "input"))
        message = f"{output} → {wanted} is already given in row {first}"
        problems.append(Problem(file, int(row), "input", "duplicate-rule", message))
    if problems:
        raise refuse(sorted(problems, key=lambda p: p.row or 0), "the rules were")
    rules = table.assign(
        ratio=numbers["ratio"],
        treatment_cost=numbers["treatment_cost"],
        max_km=numbers["max_km"].fillna(math.inf),
        row=table.index.to_numpy(dtype=np.int64),
    ).reset_index(drop=True)
    if identity:
        given = set(pairs)
        same = [c for c in materials.index if f"{c}\t{c}" not in given]
        implicit = pd.DataFrame(
            {"output": same, "input": same, "ratio": 1.0, "treatment": "", "treatment_cost": 0.0,
             "max_km": math.inf, "source": "same class (implicit)", "row": 0}
        )  # fmt: skip
        rules = pd.concat([rules, implicit], ignore_index=True)
    columns = ["output", "input", "ratio", "treatment", "treatment_cost", "max_km", "source", "row"]
    rules = rules[columns]
    rules.attrs["file"] = file
    return rules


# --------------------------------------------------------------------- reading streams
def _frame_table(frame: pd.DataFrame) -> _Table:
    """A DataFrame as the cells of a file whose header is row 1."""
    file = str(frame.attrs.get("file", "<table>"))
    cells = []
    for name in frame.columns:
        values = frame[name].astype(object).where(frame[name].notna(), "")
        cells.append(_distinct(values.astype(str).to_numpy(dtype=object), normalize_text))
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    table = _Table(file, 1, [normalize_text(str(c)) for c in frame.columns], cells, rows)
    if cells:
        keep = np.any([c != "" for c in cells], axis=0)
        table.cells, table.rows = [c[keep] for c in cells], rows[keep]
    return table


def read_streams(
    source: str | Path | pd.DataFrame, *, materials: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The streams of a file (or of a DataFrame with the same headers), checked together.

    Raises `InputError` listing every problem (file, row, column, rule); nothing is
    returned when there is any.
    """
    if isinstance(source, pd.DataFrame):
        table = _frame_table(source)
    else:
        table = _load(Path(source), str(source))
    materials = read_materials() if materials is None else materials
    texts = _columns(table, _HEADERS, _REQUIRED, list(dict.fromkeys(_HEADERS.values())))
    check = _Check(table, texts)
    for name in ("firm", "direction", "material", "quantity", "unit"):
        check.flag(texts[name] == "", name, "required", f"the {name} is empty")
    direction = _distinct(texts["direction"], lambda t: _DIRECTION_WORDS.get(fold_key(t), ""))
    message = "direction {text!r} is neither output (what a firm puts out) nor input (a need)"
    check.flag((direction == "") & (texts["direction"] != ""), "direction", "direction", message)
    lookup = _lookup(materials)
    material = _distinct(texts["material"], lambda t: lookup.get(fold_key(t), "")).astype(str)
    unknown = (material == "") & (texts["material"] != "")
    why = np.full(len(material), "", dtype=object)
    why[unknown] = _distinct(texts["material"][unknown], lambda t: _unknown_class(t, lookup))
    check.flag(unknown, "material", "unknown-material", "{why}", why=why)
    decimal_comma = table.decimal_comma
    written = _numbers(texts["quantity"], decimal_comma)
    message = "quantity {text!r} is not a number"
    check.flag(np.isnan(written) & (texts["quantity"] != ""), "quantity", "number", message)
    check.flag(written < 0, "quantity", "negative-quantity", "quantity {text} is negative")
    quantity = _convert(check, written, material, materials)
    lat, lon = _coordinates(check)
    money = _money(check, direction)
    message = "EWC code {text!r} is not six digits such as '10 01 02' ('*' when hazardous)"
    ewc = _codes(check, "ewc", _ewc, message)
    message = "HS code {text!r} is not 4 to 10 digits such as '2621' or '2621.90'"
    hs = _codes(check, "hs", _hs, message)
    stream = _stream_ids(check, direction, material)
    if check.problems:
        order = {name: position for position, name in enumerate(STREAM_COLUMNS)}
        check.problems.sort(key=lambda p: (p.row or 0, order.get(p.column or "", 99)))
        raise refuse(check.problems, "the file was")
    firm = texts["firm"].astype(str)
    classes = materials.reindex(material)
    frame = pd.DataFrame(
        {"row": table.rows, "stream": stream, "firm": firm,
         "name": np.where(texts["name"] == "", firm, texts["name"]).astype(str),
         "lat": lat, "lon": lon, "direction": direction.astype(str), "material": material,
         "group": classes["group"].to_numpy(dtype=str), "unit": classes["unit"].to_numpy(dtype=str),
         "quantity": quantity, "quality": texts["quality"].astype(str), **money, "ewc": ewc,
         "hs": hs, "original_quantity": texts["quantity"].astype(str),
         "original_unit": texts["unit"].astype(str)}
    )  # fmt: skip
    frame = frame[list(STREAM_COLUMNS)]
    frame.attrs["file"] = table.file
    return frame


@functools.cache
def _unit_factor(written: str, unit: str) -> float | str:
    """Units of the class's `unit` in one `written` unit per year, or why it does not read."""
    from ecocluster.monitoring import _converter
    from ecocluster.recp_finance import _VARYING, _unit_text

    text = normalize_text(written)
    match = _PER_YEAR.match(text)
    if match:
        text = match.group(1).strip()
    elif _PER_TIME.search(text):
        return f"unit {written!r} is a rate per day, month or hour; give the amount per year"
    if _unit_text(text).strip().casefold().rstrip("s") in _VARYING:
        return f"a {written!r} is not the same amount in every trade; give t, kg, m3, L or MWh"
    converter = _converter(_unit_text(text), CLASS_UNITS[unit], math.nan, False)
    if isinstance(converter, str):
        return f"unit {written!r} cannot be converted to {unit}, the class's unit: {converter}"
    return float(converter(np.ones(1))[0])


def _convert(
    check: _Check, written: np.ndarray, material: np.ndarray, materials: pd.DataFrame
) -> np.ndarray:
    """Quantities in the class's unit, converted once per distinct (unit, class unit)."""
    units = pd.Series(material).map(materials["unit"]).fillna("").to_numpy(dtype=str)
    keys = np.array([f"{u}\t{c}" for u, c in zip(check.texts["unit"], units, strict=True)])
    usable = (check.texts["unit"] != "") & (units != "")
    factors = np.full(len(written), np.nan)
    why = np.full(len(written), "", dtype=object)
    found = _distinct(keys[usable], lambda key: _unit_factor(*key.split("\t")))
    factors[usable] = [f if isinstance(f, float) else math.nan for f in found]
    why[usable] = [f if isinstance(f, str) else "" for f in found]
    check.flag(why != "", "unit", "unit", "{why}", why=why)
    return np.asarray(written * factors, dtype=float)


def _coordinates(check: _Check) -> tuple[np.ndarray, np.ndarray]:
    """Each row's firm coordinates; a firm's may be written on any one of its rows."""
    texts = check.texts
    values = {}
    for name, limit in (("lat", 90), ("lon", 180)):
        numbers = _numbers(texts[name], check.table.decimal_comma)
        word = "latitude" if name == "lat" else "longitude"
        bad = (texts[name] != "") & ~(np.abs(numbers) <= limit)
        message = f"{word} {{text!r}} is not a number between -{limit} and {limit}"
        check.flag(bad, name, "coordinate", message)
        values[name] = np.where(bad, np.nan, numbers)
    lat, lon = values["lat"], values["lon"]
    half = np.isnan(lat) != np.isnan(lon)
    for name, other in (("lat", "lon"), ("lon", "lat")):
        alone = half & np.isnan(values[other]) & (texts[other] == "")
        check.flag(alone, other, "coordinate", f"the {other} is missing beside the {name}")
    given = ~np.isnan(lat) & ~np.isnan(lon)
    message = "coordinates 0, 0 look like a missing location"
    check.flag(given & (lat == 0) & (lon == 0), "lat", "coordinate", message)
    where = {"lat": np.where(given, lat, np.nan), "lon": np.where(given, lon, np.nan)}
    frame = pd.DataFrame({"firm": texts["firm"], **where})
    first = frame.groupby("firm", sort=False)[["lat", "lon"]].first()
    fill_lat = frame["firm"].map(first["lat"]).to_numpy(dtype=float)
    fill_lon = frame["firm"].map(first["lon"]).to_numpy(dtype=float)
    moved = given & ((np.abs(lat - fill_lat) > 1e-6) | (np.abs(lon - fill_lon) > 1e-6))
    message = "firm {firm!r} is at {lat0}, {lon0} on another row: a firm has one location"
    fields = {"firm": texts["firm"], "lat0": fill_lat, "lon0": fill_lon}
    check.flag(moved, "lat", "firm-location", message, **fields)
    written = (texts["lat"] != "") | (texts["lon"] != "")
    broken = frame["firm"].isin(frame["firm"][~given & written])
    missing = np.isnan(fill_lat) & (texts["firm"] != "") & ~broken.to_numpy()
    message = "firm {firm!r} has no coordinates (lat, lon) on any row"
    check.flag(missing, "lat", "no-coordinates", message, firm=texts["firm"])
    return fill_lat, fill_lon


def _money(check: _Check, direction: np.ndarray) -> dict[str, np.ndarray]:
    """Price (gate fee as a negative price), disposal cost and virgin price per unit."""
    texts, numbers = check.texts, {}
    for name in _MONEY:
        values = _numbers(texts[name], check.table.decimal_comma)
        hint = "; write it without thousands separators" if "," in "".join(texts[name]) else ""
        message = f"{name} {{text!r}} is not a number{hint}"
        check.flag(np.isnan(values) & (texts[name] != ""), name, "money", message)
        numbers[name] = values
    for name in _MONEY:
        side, other = ("input", "output") if name == "virgin_price" else ("output", "input")
        message = f"{name} applies to {side} streams, not to an {other}"
        check.flag((texts[name] != "") & (direction == other), name, "money-direction", message)
    both = (texts["price"] != "") & (texts["gate_fee"] != "")
    check.flag(both, "gate_fee", "price", "give either a price or a gate fee, not both")
    message = "virgin_price {text} is negative"
    check.flag(numbers["virgin_price"] < 0, "virgin_price", "money", message)
    numbers["price"] = np.where(np.isnan(numbers["price"]), -numbers["gate_fee"], numbers["price"])
    del numbers["gate_fee"]
    return numbers


def _ewc(text: str) -> str | None:
    match = _EWC.match(text)
    return " ".join(match.groups()[:3]) + match.group(4) if match else None


def _hs(text: str) -> str | None:
    return text if _HS.match(text) else None


def _codes(check: _Check, name: str, parse: Any, message: str) -> np.ndarray:
    """`|`-separated codes in a canonical spelling; a problem for each malformed one."""

    def canonical(cell: str) -> str | None:
        parts = [parse(p.strip()) for p in cell.split("|") if p.strip()]
        return None if None in parts else "|".join(parts)

    codes = _distinct(check.texts[name], canonical)
    check.flag(pd.isna(codes), name, name, message)
    return np.where(pd.isna(codes), "", codes).astype(str)


def _stream_ids(check: _Check, direction: np.ndarray, material: np.ndarray) -> np.ndarray:
    """Stream ids (given, or firm/direction/material); a problem for each duplicate."""
    texts = check.texts
    given = texts["stream"] != ""
    key = pd.Series(texts["firm"]) + "\t" + pd.Series(direction) + "\t" + pd.Series(material)
    series = pd.Series(np.where(given, "id\t" + texts["stream"], key + "\t" + texts["quality"]))
    first_row = series.map(pd.Series(check.table.rows, index=series).groupby(level=0).first())
    repeated = series.duplicated().to_numpy() & (texts["firm"] != "") & (material != "")
    message = (
        "the same stream as row {first}: sum the quantities, "
        "or tell them apart by 'stream' or 'quality'"
    )
    column = "stream" if given.any() else "material"
    check.flag(repeated, column, "duplicate-stream", message, first=first_row.to_numpy())
    default = (key.str.replace("\t", "/", regex=False)).to_numpy(dtype=object)
    ambiguous = pd.Series(default).duplicated(keep=False).to_numpy()
    default = np.where(ambiguous, default + "/" + check.table.rows.astype(str), default)
    ids = np.where(given, texts["stream"], default).astype(str)
    clash = pd.Series(ids).duplicated().to_numpy() & ~repeated
    check.flag(clash, "stream", "duplicate-stream", "stream id {text!r} is used twice")
    return ids


# --------------------------------------------------------------------- candidates
def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in km on a sphere of `EARTH_RADIUS_KM` (vectorised)."""
    lat1, lon1, lat2, lon2 = (np.asarray(v, dtype=float) for v in (lat1, lon1, lat2, lon2))
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = phi2 - phi1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=float)


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _chord(km: float) -> float:
    """Straight-line distance between unit vectors `km` apart on the surface (inf: none)."""
    if not math.isfinite(km) or km >= math.pi * EARTH_RADIUS_KM:
        return math.inf
    return 2 * math.sin(km / (2 * EARTH_RADIUS_KM)) * (1 + 1e-9) + 1e-12


_CANDIDATE_COLUMNS: Final = (
    "supplier", "receiver", "supplier_pos", "receiver_pos", "supplier_firm", "receiver_firm",
    "output", "input", "distance_km", "ratio", "treatment", "treatment_cost", "max_km",
)  # fmt: skip


def candidate_exchanges(
    streams: pd.DataFrame,
    rules: pd.DataFrame | None = None,
    *,
    k: int = 20,
    max_km: float | None = None,
) -> pd.DataFrame:
    """Each output's `k` nearest compatible needs of other firms, nearest first."""
    from scipy.spatial import cKDTree  # type: ignore[import-untyped, unused-ignore]

    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    rules = read_rules() if rules is None else rules
    limit = math.inf if max_km is None else float(max_km)
    direction = streams["direction"].to_numpy(dtype=str)
    material = streams["material"].to_numpy(dtype=str)
    firm = pd.factorize(streams["firm"])[0]
    lat, lon = streams["lat"].to_numpy(dtype=float), streams["lon"].to_numpy(dtype=float)
    xyz = _unit_vectors(lat, lon)
    receivers = {
        c: np.flatnonzero((direction == "input") & (material == c)) for c in np.unique(material)
    }
    trees: dict[str, Any] = {}
    parts: list[dict[str, np.ndarray]] = []
    outputs, inputs = rules["output"].to_numpy(dtype=str), rules["input"].to_numpy(dtype=str)
    reaches = np.minimum(rules["max_km"].to_numpy(dtype=float), limit)
    for position, (output, wanted_class, reach) in enumerate(
        zip(outputs, inputs, reaches, strict=True)
    ):
        suppliers = np.flatnonzero((direction == "output") & (material == output))
        needs = receivers.get(wanted_class, np.empty(0, dtype=np.int64))
        if not len(suppliers) or not len(needs) or reach < 0:
            continue
        if wanted_class not in trees:
            trees[wanted_class] = cKDTree(xyz[needs])
        # A firm's own needs come first (distance 0): ask for as many more as it can have.
        own = int(np.bincount(firm[needs]).max())
        wanted = min(k + own, len(needs))
        _, index = trees[wanted_class].query(
            xyz[suppliers], k=wanted, distance_upper_bound=_chord(reach)
        )
        index = np.asarray(index).reshape(len(suppliers), wanted)
        found = index < len(needs)
        s = np.repeat(suppliers, wanted)[found.ravel()]
        r = needs[np.minimum(index, len(needs) - 1)].ravel()[found.ravel()]
        km = haversine_km(lat[s], lon[s], lat[r], lon[r])
        keep = (firm[s] != firm[r]) & (km <= reach)
        s, r, km = s[keep], r[keep], km[keep]
        rank = _rank_within(s, km, r)
        keep = rank < k
        rule_at = np.full(int(keep.sum()), position, dtype=np.int64)
        parts.append({"s": s[keep], "r": r[keep], "km": km[keep], "rule": rule_at})
    return _candidate_frame(streams, rules, parts, k)


def _rank_within(group: np.ndarray, key: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Rank of each item by (key, tie) within its group, 0 first (vectorised)."""
    order = np.lexsort((tie, key, group))
    sorted_group = group[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_group)) + 1]
    counts = np.diff(np.r_[starts, len(order)])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, counts)
    return rank


def _candidate_frame(
    streams: pd.DataFrame, rules: pd.DataFrame, parts: Sequence[dict[str, np.ndarray]], k: int
) -> pd.DataFrame:
    """The pairs of all rules, each supplier's `k` nearest kept, as the candidate table."""
    empty = np.empty(0, dtype=np.int64)
    s = np.concatenate([empty, *(p["s"] for p in parts)])
    r = np.concatenate([empty, *(p["r"] for p in parts)])
    km = np.concatenate([np.empty(0), *(p["km"] for p in parts)])
    rule = np.concatenate([empty, *(p["rule"] for p in parts)])
    keep = _rank_within(s, km, r) < k
    s, r, km, rule = s[keep], r[keep], km[keep], rule[keep]
    order = np.lexsort((r, km, s))
    s, r, km, rule = s[order], r[order], km[order], rule[order]
    chosen = rules.iloc[rule]
    frame = pd.DataFrame(
        {
            "supplier": streams["stream"].to_numpy()[s],
            "receiver": streams["stream"].to_numpy()[r],
            "supplier_pos": s,
            "receiver_pos": r,
            "supplier_firm": streams["firm"].to_numpy()[s],
            "receiver_firm": streams["firm"].to_numpy()[r],
            "output": chosen["output"].to_numpy(),
            "input": chosen["input"].to_numpy(),
            "distance_km": km,
            "ratio": chosen["ratio"].to_numpy(dtype=float),
            "treatment": chosen["treatment"].to_numpy(),
            "treatment_cost": chosen["treatment_cost"].to_numpy(dtype=float),
            "max_km": chosen["max_km"].to_numpy(dtype=float),
        }
    )
    return frame[list(_CANDIDATE_COLUMNS)]
