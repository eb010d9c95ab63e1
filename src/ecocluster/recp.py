"""Resource-efficiency and cleaner-production (RECP) audits of a programme of enterprises.

A RECP programme (such as the eco-industrial park initiative in Viet Nam's pilot industrial
zones) registers enterprises, audits some of them (a baseline of what they produce and
consume), recommends cleaner-production options and follows each option until it is
implemented and its savings verified, or rejected. This module reads those records and
refuses bad ones together; `ecocluster.recp_finance` turns a checked programme into
numbers (intensities, roll-ups, payback, NPV, IRR, the cost curve).

API:

* ``read_programme(path, *, factors=None) -> Programme``: a folder with ``enterprises`` and
  ``options`` and optionally ``baselines`` and ``status`` (each ``.csv`` or ``.xlsx``), or
  one workbook with sheets of those names. Every problem of every table is listed in one
  `InputError` (file, row, column, rule); nothing is returned when there is any.
* ``read_enterprises / read_baselines / read_options / read_status(path, *, sheet=None)``:
  one table as text, with English column names (Vietnamese and other spellings are aliases,
  ``data/recp/vocabulary.csv``) and the file's row numbers as index; structural problems
  (no such file, missing or doubled columns, formulas without values) raise at once.
* ``check_programme(enterprises, baselines, options, status=None, *, factors=None)``: the
  problems table (file, row, column, rule, message) of the four tables; empty: none.
* ``programme_from_frames(enterprises, baselines, options, status=None, *, name=...,
  factors=None) -> Programme``: the same from data frames of text, numbers or dates (for
  generators); tables without ``attrs["file"]`` are named by their role in messages.
* Re-exported from `ecocluster.recp_finance`: ``read_factors``, ``Factors``,
  ``compute_intensities(programme)``, ``compute_rollups(programme, by="zone")``.
* Bundled examples (synthetic, and say so): ``example_programmes()``,
  ``load_example_programme(name)``, ``load_example_parks(name)`` (the zones' filled park
  template, `ecocluster.eip.read_park`); ``national_context()``: Viet Nam's industrial-zone
  figures as published (``data/eip/national_context.csv``, each row cited).

Tables (headers in any case; other columns are ignored unless they are savings):

* ``enterprises``: enterprise_id, name, zone, sector, registered (date), audited (date or
  empty), programme (empty: the name of the folder or workbook).
* ``baselines``, long, one row per flow and period, so that a new carrier, material or
  waste needs no new column: enterprise_id, period_start, period_end, flow, quantity, unit.
  ``flow`` is ``production`` (exactly one per period, any unit: "t", "pieces", "m2"), an
  energy carrier of ``calorific_values.csv`` (electricity, coal, diesel, fuel_oil, lpg,
  natural_gas, wood, biomass ...; unit of energy, mass or volume), ``water`` or
  ``wastewater`` (volume), ``material:<name>`` or ``waste:<name>`` (mass), or ``co2e``
  (other direct emissions, mass of CO2e).
* ``options``: option_id, enterprise_id, title, category (`CATEGORIES`, in English or
  Vietnamese), investment, currency, annual_saving_money, lifetime_years (required with an
  investment), reason; then one column per saved flow, ``<flow>_<unit>`` or
  ``<flow> (<unit>)``: ``electricity_kwh``, ``coal_t``, ``diesel (L)``, ``water_m3``,
  ``material:dye_kg``, ``co2e_t``. An empty saving is zero.
* ``status``: option_id, status (`STATUSES`), date, reason. Without events an option is
  recommended.

Rules, each a problem naming file, row, column and rule: empty or duplicate ids; an option
or baseline for an enterprise that does not exist; unknown category, flow, status or option;
numbers that are not numbers (thousands separators are refused: 150.000.000 is ambiguous);
units that do not convert (pint: kWh/MWh/GJ, m3/L, t/kg; "ton" is the metric tonne);
production of zero or less; negative consumption; a negative saving without a reason (with
one it is legitimate: an option that spends energy to save water); negative investment; an
investment without a lifetime; mixed currencies; audit before registration; a period that
ends before it starts; histories that go backwards. Statuses run recommended → accepted →
implemented → verified (steps may be skipped); verified, or rejected (with a reason), ends
a history. Events are taken in date order, so a later status dated before an earlier one
goes backwards too.

Energy and CO2e are converted while checking (`ecocluster.recp_finance` says how).
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Final, cast

import numpy as np
import pandas as pd

from ecocluster.errors import InputError, ReadError
from ecocluster.normalize import fold_key
from ecocluster.problems import SPREADSHEETS, Problem, cell_text, read_records, refuse
from ecocluster.recp_finance import (
    Factors,
    _amounts,
    _convert_savings,
    _dimension,
    _emissions,
    _per_unit,
    compute_intensities,
    compute_rollups,
    read_factors,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "STATUSES",
    "TABLES",
    "Factors",
    "Programme",
    "check_programme",
    "compute_intensities",
    "compute_rollups",
    "example_programmes",
    "load_example_parks",
    "load_example_programme",
    "national_context",
    "programme_from_frames",
    "read_baselines",
    "read_enterprises",
    "read_factors",
    "read_options",
    "read_programme",
    "read_status",
]

TABLES: Final = ("enterprises", "baselines", "options", "status")
CATEGORIES: Final = (
    "good_housekeeping", "input_material_change", "better_process_control",
    "equipment_modification", "technology_change", "onsite_recovery_reuse",
    "useful_byproduct", "product_modification",
)  # fmt: skip
CATEGORY_LABELS: Final = dict(zip(CATEGORIES, (
    "Good housekeeping", "Input material change", "Better process control",
    "Equipment modification", "Technology change", "On-site recovery and reuse",
    "Production of a useful by-product", "Product modification",
), strict=True))  # fmt: skip
STATUSES: Final = ("recommended", "accepted", "implemented", "verified", "rejected")
_RANK: Final = {name: rank for rank, name in enumerate(STATUSES)}
REQUIRED: Final = {
    "enterprises": ("enterprise_id", "name", "zone", "registered"),
    "baselines": ("enterprise_id", "period_start", "period_end", "flow", "quantity", "unit"),
    "options": ("option_id", "enterprise_id", "title", "category", "investment",
                "annual_saving_money"),
    "status": ("option_id", "status", "date"),
}  # fmt: skip
OPTIONAL: Final = {
    "enterprises": ("sector", "audited", "programme"),
    "baselines": (),
    "options": ("currency", "lifetime_years", "reason"),
    "status": ("reason",),
}
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_DAY_FIRST = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def _key(text: object) -> str:
    """A spelling-insensitive key: case, diacritics, spaces and punctuation folded."""
    return re.sub(r"[^0-9a-z:]+", "_", fold_key(str(text)).replace("³", "3")).strip("_")


@functools.cache
def _vocabulary() -> dict[str, dict[str, str]]:
    """``data/recp/vocabulary.csv`` as {group: {key of a spelling: name}}."""
    source = resources.files("ecocluster").joinpath("data", "recp", "vocabulary.csv")
    with source.open("rb") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False, comment="#")
    groups: dict[str, dict[str, str]] = {}
    for group, name, aliases in table.itertuples(index=False):
        words = [name, *aliases.split("|")]
        groups.setdefault(group, {}).update({_key(w): name for w in words if w.strip()})
    return groups


# --------------------------------------------------------------------- reading tables
def _read(path: str | Path, table: str, sheet: str | None = None) -> pd.DataFrame:
    """One table as text with canonical column names; index: the file's row numbers."""
    path = Path(path)
    in_book = sheet and path.suffix.lower() in SPREADSHEETS
    file = f"{path} (sheet {sheet})" if in_book else str(path)
    records = read_records(path, sheet, file)
    start = next((i for i, record in enumerate(records) if any(record)), None)
    if start is None:
        raise ReadError("the file is empty: no header row", file=file, rule="empty-file")
    headers, width = records[start], len(records[start])
    body = [(n, r) for n, r in enumerate(records[start + 1 :], start=start + 2) if any(r)]
    for number, record in body:
        if any(record[width:]):
            message = f"this row has more values than the header has columns ({width})"
            raise ReadError(message, file=file, row=number, rule="csv-structure")
    cells = [(r + [""] * width)[:width] for _, r in body]
    frame = pd.DataFrame(cells, columns=pd.Index(headers), dtype=object)
    frame.index = pd.Index([number for number, _ in body], name="row")
    frame.attrs.update(file=file, header_row=start + 1)
    return _canonical(frame, table)


def _canonical(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Known headers renamed to their columns, cells as text; every missing or doubled
    column is a problem."""
    file, header = str(frame.attrs.get("file", table)), int(frame.attrs.get("header_row", 1))
    aliases, names, seen = _vocabulary()[table], {}, set()
    problems: list[Problem] = []
    for column in frame.columns:
        name = aliases.get(_key(column)) or _key(column)
        if not name:
            continue
        if name in seen:
            message = f"two columns give the {name}"
            problems.append(Problem(file, header, str(column), "duplicate-column", message))
        elif name in aliases.values():
            names[column] = name
        seen.add(name)
    for name in REQUIRED[table]:
        if name not in names.values():
            message = f"the header has no {name!r} column"
            problems.append(Problem(file, header, name, "missing-column", message))
    if problems:
        raise refuse(problems, "the table was")
    out = frame.rename(columns=names).astype(object).map(cell_text)
    for name in OPTIONAL[table]:
        if name not in out.columns:
            out[name] = ""
    out.attrs = {**frame.attrs, "file": file, "header_row": header}
    return out


def read_enterprises(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """The enterprises table as text (see the module doc)."""
    return _read(path, "enterprises", sheet)


def read_baselines(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """The baselines table (long: one row per flow and period) as text."""
    return _read(path, "baselines", sheet)


def read_options(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """The options table as text, savings columns kept under their headers."""
    return _read(path, "options", sheet)


def read_status(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """The status events as text."""
    return _read(path, "status", sheet)


def read_programme(path: str | Path, *, factors: Factors | None = None) -> Programme:
    """A programme from a folder of tables or a workbook with one sheet per table."""
    path = Path(path)
    needed = ("enterprises", "options")
    if path.is_dir():
        suffixes = (".csv", *SPREADSHEETS)
        files = [p for p in sorted(path.iterdir()) if p.suffix.lower() in suffixes]
        found = {_key(p.stem): p for p in files}
        if len(found) < len(files):
            message = "two files give the same table (e.g. options.csv and options.xlsx)"
            raise ReadError(message, file=str(path), rule="ambiguous-table")
        for table in needed:
            if table not in found:
                message = f"the folder has no {table}.csv or {table}.xlsx"
                raise ReadError(message, file=str(path), rule="missing-table")
        tables = [_read(found[t], t) if t in found else None for t in TABLES]
    elif path.suffix.lower() in SPREADSHEETS and path.is_file():
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True)
            sheets = {_key(name) for name in book.sheetnames}
            book.close()
        except Exception:
            raise ReadError("this is not a readable Excel workbook", file=str(path),
                            rule="format") from None  # fmt: skip
        tables = [_read(path, t, t) if t in sheets or t in needed else None for t in TABLES]
    else:
        message = "give a folder of tables or an .xlsx workbook with one sheet per table"
        raise ReadError(message, file=str(path), rule="no-such-file")
    firms = cast(pd.DataFrame, tables[0])
    return programme_from_frames(firms, *tables[1:], name=path.stem, factors=factors)


# --------------------------------------------------------------------- checking
class _Problems(list[Problem]):
    """Problems of all tables, flagged a set of rows at a time."""

    def flag(
        self, frame: pd.DataFrame, mask: Any, column: str, rule: str, message: str, **fields: Any
    ) -> None:
        """A problem for every row where `mask` holds; `message` is formatted with ``text``
        (the cell) and the row's value of every array in `fields`."""
        file = str(frame.attrs.get("file", "table"))
        texts = frame[column].to_numpy() if column in frame.columns else None
        for at in np.flatnonzero(np.asarray(mask, dtype=bool)):
            values = {name: np.asarray(array)[at] for name, array in fields.items()}
            text = message.format(text="" if texts is None else texts[at], **values)
            self.append(Problem(file, int(frame.index[int(at)]), column, rule, text))

    def header(self, frame: pd.DataFrame, column: str, rule: str, message: str) -> None:
        file, row = str(frame.attrs.get("file", "table")), int(frame.attrs.get("header_row", 1))
        self.append(Problem(file, row, column, rule, message))


def _numbers(p: _Problems, frame: pd.DataFrame, column: str, *, required: bool) -> np.ndarray:
    """The column as floats (NaN where empty); a problem for each cell that is no number."""
    texts = frame[column].astype(str)
    numbers = np.array([float(t) if _NUMBER.match(t) else math.nan for t in texts], dtype=float)
    if required:
        p.flag(frame, texts == "", column, "required", f"the {column} is empty")
    separators = texts.str.count(r"[.,]")
    hint = np.where(separators > 1, "; write it without thousands separators", "")
    hint = np.where((separators == 1) & texts.str.contains(","), "; use a decimal point", hint)
    message = "{text!r} is not a number{hint}"
    p.flag(frame, np.isnan(numbers) & (texts != ""), column, "number", message, hint=hint)
    return numbers


def _parse_date(text: str) -> Any:
    """ISO (YYYY-MM-DD, a time after it ignored) or day-first; never month-first."""
    iso = re.match(r"^\d{4}-\d{2}-\d{2}", text)
    for pattern in ("%Y-%m-%d",) if iso else _DAY_FIRST:
        try:
            return pd.Timestamp(datetime.strptime(text[:10] if iso else text, pattern))
        except ValueError:
            continue
    return pd.NaT


def _dates(p: _Problems, frame: pd.DataFrame, column: str, *, required: bool) -> pd.Series:
    texts = frame[column]
    stamps = pd.Series([_parse_date(t) for t in texts], index=frame.index, dtype="datetime64[ns]")
    if required:
        p.flag(frame, texts == "", column, "required", f"the {column} date is empty")
    message = "{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)"
    p.flag(frame, stamps.isna() & (texts != ""), column, "date", message)
    return stamps


def _as_text(frame: pd.DataFrame | None, table: str) -> pd.DataFrame:
    """A frame of any cell types as a text table with canonical columns and row numbers."""
    if frame is None:
        columns = [*REQUIRED[table], *OPTIONAL[table]]
        empty = pd.DataFrame(columns=columns, index=pd.Index([], name="row"), dtype=object)
        empty.attrs.update(file=table, header_row=1)
        return empty
    if "file" in frame.attrs and frame.index.name == "row":
        return frame
    out = frame.set_axis(pd.Index(range(2, len(frame) + 2), name="row"))
    out.attrs.update(file=f"{table} table", header_row=1)
    return _canonical(out, table)


@dataclass(frozen=True)
class Programme:
    """A checked programme: typed tables, current statuses and converted savings.

    ``enterprises``: enterprise_id, name, zone, sector, programme, registered, audited, row.
    ``baselines``: the long rows with ``kind``, ``carrier``, ``amount`` (GJ for energy, m³ for
    water, t for materials, waste and co2e; production as written), ``kwh``, ``co2e_t`` and
    ``grid_year``. ``options``: one row per option: ``saving_money``, ``status`` and
    ``status_date`` (now), ``recommended_on``, the physical savings of
    `ecocluster.recp_finance.QUANTITIES` and ``grid_year``. ``savings``: one row per option
    and saved flow. ``status``: the events in order (option, date).
    """

    name: str
    enterprises: pd.DataFrame = field(repr=False)
    baselines: pd.DataFrame = field(repr=False)
    options: pd.DataFrame = field(repr=False)
    savings: pd.DataFrame = field(repr=False)
    status: pd.DataFrame = field(repr=False)
    factors: Factors = field(repr=False)

    @property
    def currency(self) -> str:
        """The currency of every amount of money ("" when the tables give none)."""
        given = self.options["currency"][self.options["currency"] != ""]
        return str(given.iloc[0]) if len(given) else ""


def check_programme(
    enterprises: pd.DataFrame,
    baselines: pd.DataFrame | None,
    options: pd.DataFrame | None,
    status: pd.DataFrame | None = None,
    *,
    factors: Factors | None = None,
) -> pd.DataFrame:
    """Every problem of the four tables: file, row, column, rule, message (empty: none)."""
    problems = _build((enterprises, baselines, options, status), "programme", factors)[1]
    rows = [(p.file, p.row, p.column, p.rule, p.message) for p in problems]
    return pd.DataFrame(rows, columns=["file", "row", "column", "rule", "message"])


def programme_from_frames(
    enterprises: pd.DataFrame,
    baselines: pd.DataFrame | None,
    options: pd.DataFrame | None,
    status: pd.DataFrame | None = None,
    *,
    name: str = "programme",
    factors: Factors | None = None,
) -> Programme:
    """A checked `Programme` from four frames; `InputError` listing every problem."""
    programme, problems = _build((enterprises, baselines, options, status), name, factors)
    if programme is None:
        raise refuse(problems, "the programme was")
    return programme


def _build(
    tables: tuple[pd.DataFrame | None, ...], name: str, factors: Factors | None
) -> tuple[Programme | None, list[Problem]]:
    """The programme, or None and every problem, file by file in table order."""
    known, p = factors or read_factors(), _Problems()
    texts = {role: _as_text(table, role) for table, role in zip(tables, TABLES, strict=True)}
    firms = _enterprises(p, texts["enterprises"], name)
    base = _baselines(p, texts["baselines"], firms, known)
    opts, savings = _options(p, texts["options"], firms, known)
    events = _status(p, texts["status"], opts)
    if p:
        files = {file: i for i, file in reversed(list(enumerate(q.file for q in p)))}
        return None, sorted(p, key=lambda q: (files[q.file], q.row or 0))
    opts = _apply_history(opts, events, firms)
    kinds = _flows(savings["flow_text"], known).set_axis(savings.index)
    savings, opts = _convert_savings(pd.concat([savings, kinds], axis=1), opts, known)
    return Programme(name, firms, base, opts, savings, events, known), []


def _ids(p: _Problems, frame: pd.DataFrame, column: str, known: pd.Series | None = None) -> None:
    """Empty, doubled (`known` None) or unknown ids (not in `known`)."""
    ids = frame[column]
    p.flag(frame, ids == "", column, "required", f"the {column} is empty")
    if known is None:
        first = pd.Series(frame.index, index=frame.index).groupby(ids.to_numpy()).transform("min")
        message = "id {text!r} is given twice (first at row {first})"
        p.flag(frame, ids.duplicated() & (ids != ""), column, "duplicate-id", message, first=first)
        return
    what = column.removesuffix("_id")
    message = f"{what} {{text!r}} is not in the {what}s"
    p.flag(frame, ~ids.isin(known) & (ids != ""), column, f"unknown-{what}", message)


def _required(p: _Problems, frame: pd.DataFrame, *columns: str) -> None:
    for column in columns:
        p.flag(frame, frame[column] == "", column, "required", f"the {column} is empty")


def _enterprises(p: _Problems, t: pd.DataFrame, name: str) -> pd.DataFrame:
    _ids(p, t, "enterprise_id")
    _required(p, t, "name", "zone")
    registered = _dates(p, t, "registered", required=True)
    audited = _dates(p, t, "audited", required=False)
    on = registered.dt.strftime("%Y-%m-%d").to_numpy()
    message = "audited on {text} before registering on {on}"
    p.flag(t, audited < registered, "audited", "audit-before-registration", message, on=on)
    out = t[["enterprise_id", "name", "zone", "sector"]].copy()
    out["programme"] = t["programme"].where(t["programme"] != "", name)
    out["registered"], out["audited"], out["row"] = registered, audited, t.index
    return out.reset_index(drop=True)


def _flows(texts: pd.Series, factors: Factors) -> pd.DataFrame:
    """Flow name, kind and carrier of each flow as written (kind "": unknown)."""
    kinds = _vocabulary()["flow_kind"]

    def resolve(text: str) -> tuple[str, str, str]:
        head, colon, tail = text.partition(":")
        kind = kinds.get(_key(head), "")
        if kind in ("material", "waste"):
            return f"{kind}:{_key(tail) or 'unspecified'}", kind, ""
        if kind and not colon:
            return kind, kind, ""
        carrier = factors.aliases.get(_key(text), "")
        return (carrier, "energy", carrier) if carrier else ("", "", "")

    found = {text: resolve(text) for text in texts.unique()}
    return pd.DataFrame([found[t] for t in texts], columns=["flow", "kind", "carrier"])


def _baselines(
    p: _Problems, t: pd.DataFrame, firms: pd.DataFrame, factors: Factors
) -> pd.DataFrame:
    _ids(p, t, "enterprise_id", firms["enterprise_id"])
    _required(p, t, "flow", "unit")
    start = _dates(p, t, "period_start", required=True)
    end = _dates(p, t, "period_end", required=True)
    p.flag(t, end <= start, "period_end", "period", "the period ends ({text}) before it starts")
    quantity = _numbers(p, t, "quantity", required=True)
    flows = _flows(t["flow"], factors).set_axis(t.index)
    message = "flow {text!r} is not production, water, wastewater, co2e, material:<name>, "
    message += "waste:<name> or a carrier of the calorific values"
    p.flag(t, (flows["kind"] == "") & (t["flow"] != ""), "flow", "unknown-flow", message)
    made = (flows["kind"] == "production").to_numpy()
    message = "production must be more than zero, not {text}"
    p.flag(t, made & (quantity <= 0), "quantity", "production", message)
    message = "{text} is negative; a baseline gives what was used"
    p.flag(t, ~made & (quantity < 0), "quantity", "negative", message)
    frame = pd.concat([t[["enterprise_id", "unit"]], flows], axis=1)
    amount, why = _amounts(frame, quantity, factors)
    p.flag(t, (why != "") & (t["unit"] != ""), "unit", "unit", "{why}", why=why)
    frame = frame.assign(period_start=start, period_end=end, quantity=quantity, amount=amount)
    period = frame["enterprise_id"] + "\t" + start.astype(str) + "\t" + end.astype(str)
    again = (frame["flow"] != "") & frame.assign(period=period).duplicated(["period", "flow"])
    message = "flow {text!r} is given twice for this period; add the two up"
    p.flag(t, again, "flow", "duplicate-flow", message)
    has_output = pd.Series(made, index=t.index).groupby(period.to_numpy()).transform("any")
    span = start.dt.strftime("%Y-%m-%d") + " to " + end.dt.strftime("%Y-%m-%d")
    message = "the period {span} has no production row"
    p.flag(t, ~period.duplicated() & ~has_output, "flow", "no-production", message, span=span)
    middle = (start + (end - start) / 2).dt.year.fillna(0).to_numpy()
    out = _emissions(frame.assign(row=t.index), middle, factors)
    columns = ["enterprise_id", "period_start", "period_end", "flow", "kind", "carrier"]
    columns += ["quantity", "unit", "amount", "kwh", "co2e_t", "grid_year", "row"]
    return out[columns].reset_index(drop=True)


def _saving_columns(t: pd.DataFrame, factors: Factors, p: _Problems) -> dict[str, tuple[str, str]]:
    """Savings columns → (flow as written, unit): ``<flow>_<unit>`` or ``<flow> (<unit>)``.

    A column naming a flow without a unit, a flow that cannot be saved, or a unit that does
    not convert is a problem; a column naming neither a flow nor an amount of energy, mass
    or volume is someone's notes and is left alone.
    """
    known = {*REQUIRED["options"], *OPTIONAL["options"]}
    found: dict[str, tuple[str, str]] = {}
    for header in map(str, t.columns):
        if header in known or not header.strip():
            continue
        text = re.sub(r"^(saving|savings|tiết kiệm)[\s_:]+", "", header, flags=re.IGNORECASE)
        match = re.match(r"^(.*?)\s*[(\[]\s*(.+?)\s*[)\]]$", text)
        flow, _, unit = (match.group(1), "", match.group(2)) if match else text.rpartition("_")
        kind, carrier = _flows(pd.Series([flow]), factors).iloc[0][["kind", "carrier"]]
        dimension = _dimension(unit) if unit else ""
        why = ""
        if kind and dimension:
            why = _per_unit(kind, carrier, unit, factors)[1] if kind != "production" else (
                "production is not a saving")  # fmt: skip
            found.update({} if why else {header: (flow, unit)})
        elif _flows(pd.Series([text]), factors)["kind"].iloc[0]:
            why = f"no unit; name it e.g. {text}_t or '{text} (kWh)'"
        elif flow and dimension in ("energy", "mass", "volume"):
            why = f"flow {flow!r} is not known"
        if why:
            rule = "unknown-flow" if why.startswith("flow") else "unit"
            p.header(t, header, rule, f"savings column {header!r}: {why}")
    return found


def _options(
    p: _Problems, t: pd.DataFrame, firms: pd.DataFrame, factors: Factors
) -> tuple[pd.DataFrame, pd.DataFrame]:
    _ids(p, t, "option_id")
    _ids(p, t, "enterprise_id", firms["enterprise_id"])
    _required(p, t, "title", "category")
    categories = _vocabulary()["category"]
    category = t["category"].map(lambda text: categories.get(_key(text), ""))
    message = "category {text!r} is not one of " + ", ".join(CATEGORIES)
    p.flag(t, (category == "") & (t["category"] != ""), "category", "unknown-category", message)
    investment = _numbers(p, t, "investment", required=True)
    p.flag(t, investment < 0, "investment", "investment", "investment {text} is negative")
    money = _numbers(p, t, "annual_saving_money", required=True)
    life = _numbers(p, t, "lifetime_years", required=False)
    p.flag(t, life <= 0, "lifetime_years", "lifetime", "lifetime {text} is not positive")
    message = "an option with an investment needs its lifetime in years"
    p.flag(t, (investment > 0) & (t["lifetime_years"] == ""), "lifetime_years", "lifetime", message)
    currency = t["currency"].str.upper()
    usual = currency[currency != ""].mode()
    if len(usual):
        message = f"currency {{text!r}} differs from {usual.iloc[0]!r}; give every amount in one"
        p.flag(t, (currency != "") & (currency != usual.iloc[0]), "currency", "currency", message)
    bare = (t["reason"] == "").to_numpy()
    message = "a negative saving ({text}) needs a reason (e.g. energy spent to save water)"
    p.flag(t, (money < 0) & bare, "annual_saving_money", "negative-saving", message)
    parts = [pd.DataFrame(columns=["option_id", "flow_text", "unit", "quantity", "column"])]
    for header, (flow, unit) in _saving_columns(t, factors, p).items():
        values = _numbers(p, t, header, required=False)
        p.flag(t, (values < 0) & bare, header, "negative-saving", message)
        ids = t["option_id"].to_numpy()
        parts.append(pd.DataFrame({"option_id": ids, "flow_text": flow, "unit": unit,
                                   "quantity": values, "column": header}))  # fmt: skip
    savings = pd.concat(parts, ignore_index=True)
    savings = savings[np.nan_to_num(savings["quantity"].to_numpy(float)) != 0]
    out = t[["option_id", "enterprise_id", "title", "reason"]].assign(
        category=category, investment=investment, currency=currency,
        saving_money=np.nan_to_num(money), lifetime_years=life, row=t.index,
    )  # fmt: skip
    return out.reset_index(drop=True), savings.reset_index(drop=True)


def _status(p: _Problems, t: pd.DataFrame, options: pd.DataFrame) -> pd.DataFrame:
    _ids(p, t, "option_id", options["option_id"])
    _required(p, t, "status")
    statuses = _vocabulary()["status_value"]
    status = t["status"].map(lambda text: statuses.get(_key(text), ""))
    message = "status {text!r} is not one of " + ", ".join(STATUSES)
    p.flag(t, (status == "") & (t["status"] != ""), "status", "unknown-status", message)
    when = _dates(p, t, "date", required=True)
    message = "a rejected option needs the reason it was rejected"
    p.flag(t, (status == "rejected") & (t["reason"] == ""), "reason", "rejected-no-reason", message)
    columns = {"option_id": t["option_id"], "status": status, "date": when, "reason": t["reason"]}
    events = pd.DataFrame(columns).reset_index()
    events["rank"] = events["status"].map(_RANK)
    order = ["option_id", "date", "rank", "row"]
    usable = events.dropna(subset=["date", "rank"]).sort_values(order, kind="stable")
    before = usable.groupby("option_id")[["status", "date", "row", "rank"]].shift()
    ended = before["status"].isin(("rejected", "verified"))
    back = ended | ((usable["rank"] <= before["rank"]) & (usable["status"] != "rejected"))
    pairs = zip(usable[back].to_dict("records"), before[back].to_dict("records"), strict=True)
    for now, then in pairs:
        earlier = f"{then['status']} on {then['date']:%Y-%m-%d} (row {int(then['row'])})"
        why, rule = "which ends the history", "status-after-end"
        if then["status"] not in ("rejected", "verified"):
            again = then["status"] == now["status"]
            why = "is given again" if again else "so the status goes backwards"
            rule = "status-backwards"
        text = f"{now['status']} on {now['date']:%Y-%m-%d} comes after {earlier}, {why}"
        p.append(Problem(str(t.attrs["file"]), int(now["row"]), "status", rule, text))
    return usable.drop(columns="rank").reset_index(drop=True)


def _apply_history(
    options: pd.DataFrame, events: pd.DataFrame, firms: pd.DataFrame
) -> pd.DataFrame:
    """Each option's status now (its last event; recommended without any) and the year of
    its grid factor: recommended on, else audited, else registered."""
    last = events.groupby("option_id").last()
    ids = options["option_id"]
    status = last["status"].reindex(ids).astype(object).to_numpy()
    out = options.assign(status=np.where(pd.isna(status), "recommended", status))
    out["status_date"] = last["date"].reindex(ids).to_numpy()
    recommended = events[events["status"] == "recommended"].groupby("option_id")["date"].first()
    out["recommended_on"] = recommended.reindex(ids).to_numpy()
    firm = firms.set_index("enterprise_id")
    when = out["recommended_on"].fillna(out["enterprise_id"].map(firm["audited"]))
    out["grid_from"] = when.fillna(out["enterprise_id"].map(firm["registered"])).dt.year
    return out


# --------------------------------------------------------------------- bundled examples
_EXAMPLE_COLUMNS: Final = (
    "name", "title", "synthetic", "zones", "criteria", "as_of", "source", "generator", "seed",
    "path",
)  # fmt: skip


def example_programmes() -> pd.DataFrame:
    """The bundled programmes (folders of ``data/examples`` with a ``programme.json``), one
    row each; ``synthetic`` says which are invented, so no caller can mistake them for
    records."""
    root = Path(str(resources.files("ecocluster").joinpath("data", "examples")))
    rows = []
    for folder in sorted(p for p in root.iterdir() if (p / "programme.json").is_file()):
        meta = json.loads((folder / "programme.json").read_text(encoding="utf-8"))
        meta |= {"zones": ", ".join(meta.get("zones", [])), "path": str(folder)}
        rows.append({column: meta.get(column, "") for column in _EXAMPLE_COLUMNS})
    frame = pd.DataFrame(rows, columns=list(_EXAMPLE_COLUMNS))
    return frame.astype({"synthetic": bool})


def _example(name: str) -> dict[str, Any]:
    examples = example_programmes()
    found = examples[examples["name"].map(fold_key) == fold_key(name)]
    if found.empty:
        names = ", ".join(examples["name"]) or "none"
        raise InputError(f"no example programme named {name!r}; bundled: {names}", rule="example")
    return dict(found.iloc[0])


def load_example_programme(name: str = "eip-pilot-zones") -> Programme:
    """A bundled programme, read and checked like any folder (`read_programme`); every
    table's ``attrs`` carry ``example`` and ``synthetic``."""
    example = _example(name)
    programme = read_programme(example["path"])
    for table in (programme.enterprises, programme.baselines, programme.options,
                  programme.savings, programme.status):  # fmt: skip
        table.attrs.update(example=str(example["name"]), synthetic=bool(example["synthetic"]))
    return programme


def load_example_parks(name: str = "eip-pilot-zones") -> pd.DataFrame:
    """The filled park template of a bundled programme's zones (`ecocluster.eip.read_park`);
    ``attrs`` add ``example``, ``synthetic`` and the ``criteria`` set it was filled for."""
    from ecocluster.eip import read_park

    example = _example(name)
    folder = Path(example["path"])
    meta = json.loads((folder / "programme.json").read_text(encoding="utf-8"))
    path = folder / str(meta.get("parks", "parks.csv"))
    if not path.is_file():
        message = f"the example programme {example['name']!r} has no park file"
        raise InputError(message, file=str(path), rule="example")
    parks = read_park(path)
    parks.attrs.update(example=str(example["name"]), synthetic=bool(example["synthetic"]))
    parks.attrs["criteria"] = str(example["criteria"])
    return parks


def national_context() -> pd.DataFrame:
    """Viet Nam's industrial zones and the EIP project's totals as published: indicator,
    value, unit, qualifier ("more than", "about"), as_of, scope, source, note; cited data,
    kept apart from the synthetic examples."""
    source = resources.files("ecocluster").joinpath("data", "eip", "national_context.csv")
    with source.open("rb") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False, comment="#")
    return table.assign(value=pd.to_numeric(table["value"]))
