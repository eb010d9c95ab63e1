"""Eco-industrial park (EIP) assessment against criteria sets that are data.

How far is a park from Viet Nam's eco-industrial park criteria (Decree 35/2022/ND-CP,
Article 37; formerly Decree 82/2018/ND-CP) or the International EIP Framework v2.0, and what
should its board do first? Criteria sets are TOML files (``data/eip/criteria/``, format in
their header; TOML as for the policy rules, whose operators are reused: a criterion has many
fields and its doubts belong beside it, and nothing is executed). Each criterion cites its
article or section and says how far its text was seen (``sourcing``); the indicators are
``data/eip/indicators.csv``; sources and doubts are in ``data/eip/README.md``.

API (the CLI ``ecocluster eip``, the report and the examples build on it):

* ``criteria_sets()``, ``read_criteria(name_or_path) -> CriteriaSet`` (a bundled name or a
  file; every mistake, such as an unknown indicator, operator, category or kind, a repeated
  id or a missing citation, in one `InputError` naming file, line, criterion and rule),
  ``criteria_in_force(family, on)`` (the edition that applied on a day), ``indicators()``.
* ``park_template(criteria)``: the empty template a board fills; ``read_park(path)``: the
  filled template (CSV or XLSX, English or Vietnamese headers, one park per file or a
  ``park`` column) as park, indicator, value, unit, source, date, row, refusing unknown
  indicators, non-numbers, shares outside 0-100, wrong units and repeats together.
* ``assess_park(park, criteria, *, derived=None) -> ParkAssessment`` (``assess_parks`` for a
  table of parks): per criterion met, not met or not enough data, with value, threshold,
  evidence, gap, citation and sourcing. `derived` (indicator -> value, or (value, evidence))
  fills what the template leaves empty, such as the RECP, symbiosis and wastewater shares
  ecocluster computes; ``provenance`` says which was used. The result holds ``results``,
  ``readiness`` per category, ``actions`` (unmet prerequisites first, then by weight and
  gap; missing data asks to collect it), ``ready`` and ``to_json_data()``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import fold_key, normalize_text, read_utf8_text
from ecocluster.policy import _NUMERIC, _WORDS
from ecocluster.problems import Problem, read_table, refuse

__all__ = [
    "CATEGORIES",
    "KINDS",
    "STATUSES",
    "CriteriaSet",
    "Criterion",
    "ParkAssessment",
    "assess_park",
    "assess_parks",
    "criteria_in_force",
    "criteria_sets",
    "indicators",
    "park_template",
    "read_criteria",
    "read_park",
]

CATEGORIES: Final = ("park_management", "environmental", "social", "economic")
KINDS: Final = ("prerequisite", "performance")
STATUSES: Final = ("met", "not met", "not enough data")
#: How far a criterion's text was seen (``data/eip/README.md``).
SOURCING: Final = ("quoted", "paraphrased", "unconfirmed")
_TEXTS: Final = tuple(str.split("id category kind indicator op citation description action"))
_FIELDS: Final = (*_TEXTS, *str.split("threshold weight group unit sourcing note"))
_META: Final = tuple(str.split("name title issuer version source valid_from family valid_to"))
_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HEADER: Final = re.compile(r"^\s*\[\[\s*criterion\s*\]\]")
_DATA: Final = Path(str(resources.files("ecocluster").joinpath("data", "eip")))
_TEMPLATE: Final = tuple(str.split("indicator label unit value source date criteria meaning"))
_PARK: Final = tuple(str.split("park indicator value unit source date row"))
_COLUMNS: Final = tuple(str.split("park indicator value unit date"))
_ACTIONS: Final = tuple(str.split("priority criterion category kind status action gap_text"))


# --------------------------------------------------------------------- criteria sets
@dataclass(frozen=True)
class Criterion:
    """``indicator op threshold`` with its citation and the action that meets it (yes/no
    thresholds are 1.0 for yes, 0.0 for no); `line` is its line in the file."""

    id: str
    category: str
    kind: str
    indicator: str
    op: str
    citation: str
    description: str
    action: str
    threshold: float
    unit: str
    weight: float
    group: str = ""
    sourcing: str = ""
    note: str = ""
    line: int | None = None


@dataclass(frozen=True)
class CriteriaSet:
    """A criteria set and its edition: it applies from ``valid_from`` to the day before
    ``valid_to`` (None: in force)."""

    name: str
    title: str
    issuer: str
    version: str
    source: str
    family: str
    valid_from: dt.date
    valid_to: dt.date | None
    criteria: tuple[Criterion, ...]
    file: str = ""

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories the set uses, in the order of `CATEGORIES`."""
        return tuple(c for c in CATEGORIES if any(x.category == c for x in self.criteria))

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    def table(self) -> pd.DataFrame:
        """One row per criterion, every field but the line."""
        names = [f.name for f in fields(Criterion)][:-1]
        return pd.DataFrame([[getattr(c, n) for n in names] for c in self.criteria], columns=names)


def _date(value: Any) -> dt.date | None:
    """A TOML date, or text as YYYY-MM-DD (a time after it ignored) or DD/MM/YYYY."""
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


_Add = Callable[[int | None, str, str, str], None]


def _criterion(
    raw: Any, index: int, start: int | None, report: _Add, problems: list[Problem]
) -> Criterion | None:
    """One ``[[criterion]]`` table, or None when it has problems (given to `report`)."""
    if not isinstance(raw, dict):
        report(start, "criterion", "bad-criterion", f"criterion {index} is not a table")
        return None
    name, before = raw.get("id"), len(problems)
    label = f"criterion {name!r}" if isinstance(name, str) and name else f"criterion {index}"

    def add(key: str, rule: str, message: str) -> None:
        report(start, key, rule, f"{label}: {message}")

    for key in sorted(set(raw) - set(_FIELDS)):
        add(key, "unknown-field", f"unknown field {key!r}; fields: {', '.join(_FIELDS)}")
    text = {k: normalize_text(v) if isinstance(v, str) else "" for k, v in raw.items()}
    for key in (k for k in _TEXTS if not text.get(k)):
        if key == "citation":
            add(key, "missing-citation", "has no citation (the article or section it rests on)")
        else:
            add(key, "missing-field", f"has no {key}")
    if text.get("id") and not _ID.match(text["id"]):
        add("id", "bad-id", "an id is letters, digits, '.', '-' and '_'")
    for key, allowed in (("category", CATEGORIES), ("kind", KINDS), ("sourcing", SOURCING)):
        if text.get(key) and text[key] not in allowed:
            add(key, f"unknown-{key}", f"unknown {key} {text[key]!r}; one of {', '.join(allowed)}")
    indicator, op = text.get("indicator", ""), text.get("op", "")
    units = _indicator_table()["unit"]
    unit = str(units.get(indicator, ""))
    if indicator and not unit:
        close = difflib.get_close_matches(indicator, list(units.index), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see ecocluster.eip.indicators()"
        add("indicator", "unknown-indicator", f"unknown indicator {indicator!r}; {hint}")
    allowed_ops = ("==", "!=") if unit == "yes/no" else tuple(_NUMERIC)
    if op and op not in allowed_ops:
        what = f"operator {op!r}" + (" for a yes/no indicator" if op in _NUMERIC else "")
        add("op", "unknown-operator", f"unknown {what}; use {', '.join(allowed_ops)}")
    if text.get("unit") and unit and text["unit"] != unit:
        add("unit", "unit-mismatch", f"unit {text['unit']!r}, but {indicator!r} is in {unit}")
    given, yes_no = raw.get("threshold"), unit == "yes/no"
    if isinstance(given, bool) is yes_no and isinstance(given, int | float):
        threshold, why = _parse_value(("yes" if given else "no") if yes_no else repr(given), unit)
    else:
        threshold, why = math.nan, f"needs {'true or false' if yes_no else 'a number'}"
    if unit and why:
        add("threshold", "bad-threshold", f"the threshold of {indicator!r} {why}")
    weight = raw.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not weight > 0:
        add("weight", "bad-weight", f"weight {weight!r} is not a positive number")
    if len(problems) > before or not unit:
        return None
    values: dict[str, Any] = {k: text.get(k, "") for k in _FIELDS} | {"unit": unit, "line": start}
    return Criterion(**values | {"threshold": threshold, "weight": float(raw["weight"])})


def _criteria_file(name_or_path: str | Path) -> tuple[str, str]:
    """The name and text of a bundled set (by name) or of a file."""
    bundled = {p.stem.casefold(): p for p in (_DATA / "criteria").glob("*.toml")}
    key, path = str(name_or_path).strip().casefold(), Path(name_or_path)
    if isinstance(name_or_path, str) and key in bundled:
        return f"{bundled[key].name} (bundled)", bundled[key].read_text(encoding="utf-8")
    if isinstance(name_or_path, str) and path.suffix.lower() != ".toml" and not path.exists():
        names = ", ".join(sorted(p.stem for p in bundled.values()))
        message = f"no criteria set {name_or_path!r}; bundled sets: {names} (or a .toml file)"
        raise InputError(message, rule="unknown-criteria")
    return str(path), read_utf8_text(path)


def read_criteria(name_or_path: str | Path | CriteriaSet) -> CriteriaSet:
    """A criteria set: a bundled one by name (`criteria_sets`) or a TOML file."""
    if isinstance(name_or_path, CriteriaSet):
        return name_or_path
    file, text = _criteria_file(name_or_path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        at = re.search(r"line (\d+)", str(error))
        line = int(at.group(1)) if at else None
        raise InputError(f"not valid TOML: {error}", file=file, row=line, rule="toml") from None
    lines, problems = text.splitlines(), list[Problem]()
    starts = [n for n, t in enumerate(lines, start=1) if _HEADER.match(t)]

    def add(start: int | None, key: str, rule: str, message: str) -> None:
        """A problem on the line setting `key` in the criterion at `start` (None: header)."""
        end = next((n for n in starts if n > (start or 0)), len(lines) + 1)
        sets = re.compile(rf"^\s*{re.escape(key)}\s*=")
        found = (n for n in range(start or 1, end) if sets.match(lines[n - 1]))
        problems.append(Problem(file, next(found, start), key, rule, message))

    for key in sorted(set(data) - {*_META, "criterion"}):
        add(None, key, "unknown-field", f"unknown top-level key {key!r}")
    for key in (k for k in _META[:6] if not str(data.get(k, "")).strip()):
        add(None, key, "missing-field", f"the set has no {key}")
    dates = {k: _date(data.get(k)) for k in ("valid_from", "valid_to")}
    for key in (k for k, v in dates.items() if v is None and data.get(k) not in (None, "")):
        add(None, key, "bad-date", f"{key} {data[key]!r} is not a date (YYYY-MM-DD)")
    if dates["valid_from"] and dates["valid_to"] and dates["valid_to"] <= dates["valid_from"]:
        add(None, "valid_to", "bad-date", "valid_to is not after valid_from")
    raw = data.get("criterion", [])
    if not isinstance(raw, list) or not raw:
        hint = " (write [[criterion]], not [criterion])" if isinstance(raw, dict) else ""
        add(None, "criterion", "no-criteria", f"the file has no [[criterion]] tables{hint}")
        raw = []
    criteria: list[Criterion] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(raw, start=1):
        start = starts[index - 1] if len(starts) == len(raw) else None
        name = item.get("id") if isinstance(item, dict) else None
        if isinstance(name, str) and name in seen:
            first = f"line {seen[name]}" if seen[name] else "an earlier criterion"
            message = f"criterion {name!r}: the id is used again (first at {first})"
            add(start, "id", "duplicate-criterion", message)
        seen.setdefault(str(name), start)
        found = _criterion(item, index, start, add, problems)
        criteria += [found] if found else []
    valid_from, valid_to = dates.values()
    if problems or valid_from is None:
        raise refuse(sorted(problems, key=lambda p: p.row or 0), "the criteria file was")
    meta: dict[str, Any] = {k: normalize_text(str(data.get(k, ""))) for k in (*_META[:5], "family")}
    meta |= {"valid_from": valid_from, "valid_to": valid_to, "file": file}
    return CriteriaSet(**meta, criteria=tuple(criteria))


@cache
def _bundled(name: str) -> CriteriaSet:
    return read_criteria(name)


def _editions() -> list[CriteriaSet]:
    return [_bundled(p.stem) for p in sorted((_DATA / "criteria").glob("*.toml"))]


def criteria_sets() -> pd.DataFrame:
    """The bundled criteria sets, one row each, with the dates each edition applies."""
    rows = [
        {k: getattr(s, k) for k in _META}
        | {"criteria": len(s.criteria), "categories": ", ".join(s.categories)}
        for s in _editions()
    ]
    return pd.DataFrame(rows)


def criteria_in_force(family: str, on: dt.date) -> CriteriaSet:
    """The bundled edition of `family` that applied on `on`: a 2020 assessment in Viet Nam
    is judged by Decree 82/2018, a 2023 one by Decree 35/2022."""
    editions = [s for s in _editions() if s.family == family]
    for edition in (e for e in editions if e.in_force(on)):
        return edition
    known = "; ".join(f"{e.name}: {e.valid_from} to {e.valid_to or 'now'}" for e in editions)
    where = known or "families: " + ", ".join(sorted({s.family for s in _editions()}))
    raise InputError(f"no edition of {family!r} applies on {on} ({where})", rule="no-edition")


@cache
def _indicator_table() -> pd.DataFrame:
    columns = ("indicator", "label", "unit", "meaning")
    table = read_table(_DATA / "indicators.csv", columns, ("derived_from",))
    return table.set_index("indicator").assign(derivable=lambda t: t["derived_from"] != "")


def indicators() -> pd.DataFrame:
    """The park indicators (index): label, unit, meaning, ``derived_from`` (ecocluster data)."""
    return _indicator_table().copy()


# --------------------------------------------------------------------- park data
@cache
def _spellings(what: str) -> dict[str, set[str]]:
    """Folded spellings (``data/eip/spellings.csv``) of park-file columns, units or answers."""
    table = read_table(_DATA / "spellings.csv", ("what", "name", "spellings"), ())
    rows = table[table["what"] == what].itertuples()
    return {str(r.name): {fold_key(x) for x in str(r.spellings).split("|")} for r in rows}


def park_template(criteria: CriteriaSet | str | Path) -> pd.DataFrame:
    """The template a zone board fills for `criteria`: one row per indicator, with value,
    source and date empty; `read_park` reads it back and ignores the help columns."""
    known, used = _indicator_table(), dict[str, list[str]]()
    for c in read_criteria(criteria).criteria:
        used.setdefault(c.indicator, []).append(c.id)
    rows: list[dict[str, Any]] = [
        {"indicator": name, "criteria": ", ".join(ids), "value": "", "source": "", "date": ""}
        | {k: known.at[name, k] for k in ("label", "unit", "meaning")}
        for name, ids in used.items()
    ]
    return pd.DataFrame(rows, columns=list(_TEMPLATE))


def _parse_value(text: str, unit: str) -> tuple[float, str]:
    """A cell as a number in the indicator's unit (NaN when empty), or why it is not."""
    if not text or unit == "yes/no":
        answer = (float(k) for k, v in _spellings("answer").items() if fold_key(text) in v)
        value = next(answer, math.nan) if text else math.nan
        return value, f"{text!r} is not yes or no" if text and math.isnan(value) else ""
    number = text.removesuffix("%").strip()
    if number.count(",") == 1 and "." not in number:
        number = number.replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        return math.nan, f"{text!r} is not a number"
    if unit == "percent" and not 0 <= value <= 100:
        return math.nan, f"{text} is a share in percent and must lie in 0-100"
    return (math.nan, f"{text} is a count and cannot be negative") if value < 0 else (value, "")


def read_park(path: str | Path) -> pd.DataFrame:
    """A filled template as park, indicator, value (float, NaN when empty), unit, source,
    date (ISO) and row (the file's row); every problem of the file refused together."""
    from ecocluster.monitoring import _load

    file = str(path)
    table, problems = _load(Path(path), file), list[Problem]()

    def add(row: int | None, column: str, rule: str, message: str) -> None:
        problems.append(Problem(file, row, column, rule, message))

    where: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        name = next((k for k, v in _spellings("column").items() if fold_key(header) in v), "")
        if name and name in where:
            message = f"two columns give the {name}: {table.headers[where[name]]!r}, {header!r}"
            add(table.header_row, header, "duplicate-column", message)
        where.setdefault(name, position)
    for name in (n for n in ("indicator", "value") if n not in where):
        message = f"the header has no {name!r} column (headers: {', '.join(table.headers)})"
        add(table.header_row, name, "missing-column", message)
    if problems:
        raise refuse(problems, "the park file was")
    empty = [""] * len(table.rows)
    cells = {k: [str(c) for c in table.cells[where[k]]] if k in where else empty for k in _PARK}
    known, stem = _indicator_table(), normalize_text(Path(path).stem)
    folded = {fold_key(n): str(n) for n in known.index}
    records: list[tuple[Any, ...]] = []
    first: dict[tuple[str, str], int] = {}
    for i, row in enumerate(int(r) for r in table.rows):
        park, name, value_text, given, date_text = (cells[k][i] for k in _COLUMNS)
        if any(cells["park"]) and not park:
            add(row, "park", "missing-park", "the row names no park (other rows do)")
        indicator = folded.get(fold_key(name), "")
        if not indicator:
            close = [folded[c] for c in difflib.get_close_matches(fold_key(name), list(folded))]
            hint = f"did you mean {', '.join(close)}?" if close else "see eip.indicators()"
            add(row, "indicator", "unknown-indicator", f"unknown indicator {name!r}; {hint}")
            continue
        unit = str(known.at[indicator, "unit"])
        value, why = _parse_value(value_text, unit)
        if why:
            rule = "share-range" if "0-100" in why else "bad-value"
            add(row, "value", rule, f"{indicator}: {why}")
        if given and fold_key(given) not in _spellings("unit")[unit]:
            add(row, "unit", "unit-mismatch", f"{indicator} is in {unit}, not {given!r}")
        date = _date(date_text)
        iso = date.isoformat() if date else ""
        if date_text and date is None:
            add(row, "date", "bad-date", f"{date_text!r} is not a date (YYYY-MM-DD, DD/MM/YYYY)")
        key = (park or stem, indicator)
        if key in first:
            message = f"{indicator} is given again for park {key[0]!r} (first at row {first[key]})"
            add(row, "indicator", "duplicate-indicator", message)
        first.setdefault(key, row)
        records.append((*key, value, unit, cells["source"][i], iso, row))
    if problems:
        raise refuse(sorted(problems, key=lambda p: p.row or 0), "the park file was")
    frame = pd.DataFrame(records, columns=list(_PARK))
    frame.attrs["file"] = file
    return frame


# --------------------------------------------------------------------- assessment
@dataclass(frozen=True)
class ParkAssessment:
    """A park judged: `results` per criterion, `readiness` per category, `actions`."""

    park: str
    criteria: CriteriaSet
    results: pd.DataFrame
    readiness: pd.DataFrame
    actions: pd.DataFrame
    derived_used: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        """Every criterion met."""
        return bool((self.results["status"] == "met").all())

    def to_json_data(self) -> dict[str, Any]:
        """Plain JSON data (NaN as null, dates ISO) for ``--json`` and the report."""
        from ecocluster.json_data import to_json_data

        meta = {k: getattr(self.criteria, k) for k in _META}
        data = {"park": self.park, "criteria": meta, "ready": self.ready}
        data |= {"results": self.results, "readiness": self.readiness, "actions": self.actions}
        return dict(to_json_data(data | {"derived_used": list(self.derived_used)}))


def _display(value: float, unit: str) -> str:
    if unit == "yes/no":
        return "yes" if value else "no"
    return f"{value:g}%" if unit == "percent" else f"{value:g}"


def _gap(c: Criterion, value: float) -> tuple[float, str]:
    """How far the value is from the threshold, in the indicator's unit."""
    if c.unit == "yes/no":
        return math.nan, "missing"
    below, above = c.op in (">", ">="), c.op in ("<", "<=")
    gap = abs(c.threshold - value)
    word = "short" if below else "over" if above else "off"
    return gap, f"{gap:g}{' percentage points' if c.unit == 'percent' else ''} {word}"


def _derived(derived: Mapping[str, Any] | None) -> dict[str, tuple[float, str]]:
    """Derived values checked like template cells, each as (value, evidence); a yes/no
    value may also be a bool or 0/1."""
    known, found, problems = _indicator_table(), dict[str, tuple[float, str]](), list[Problem]()
    for name, item in (derived or {}).items():
        value, evidence = item if isinstance(item, tuple) else (item, "")
        unit = str(known.at[name, "unit"]) if name in known.index else ""
        if unit == "yes/no" and isinstance(value, int | float) and value in (0, 1):
            value = "yes" if value else "no"
        number, why = _parse_value("" if value is None or value != value else str(value), unit)
        if not unit:
            close = ", ".join(difflib.get_close_matches(str(name), list(known.index), n=3))
            why = f"unknown indicator {name!r}" + (f"; did you mean {close}?" if close else "")
        if why:
            rule = "bad-value" if unit else "unknown-indicator"
            message = f"{name}: {why}" if unit else why
            problems.append(Problem("derived values", None, str(name), rule, message))
        elif not math.isnan(number):
            found[str(name)] = (number, normalize_text(str(evidence)) or "ecocluster data")
    if problems:
        raise refuse(problems, "the derived values were")
    return found


def _order(row: dict[Any, Any]) -> tuple[Any, ...]:
    """Prerequisites not met, then prerequisites without data, then by weight, not met
    before no data, larger relative gap first, file order."""
    tier = (row["status"] != "not met") if row["kind"] == "prerequisite" else 2
    gap = row["gap"] / row["threshold"] if row["threshold"] and math.isfinite(row["gap"]) else 1.0
    return (tier, -row["weight"], row["status"] != "not met", -gap, row["order"])


def _evidence(c: Criterion, label: str, given: Any, extra: Any) -> tuple[float, str, str]:
    """The value used for `c`, its provenance and the sentence citing it."""
    record, derived = given.get(c.indicator), extra.get(c.indicator)
    if record is not None:
        value = float(record["value"])
        said = [f"row {record['row']}" if pd.notna(record.get("row")) else ""]
        said += [str(record.get(k) or "") for k in ("source", "date")]
        where = "; ".join(x for x in ("park file", *said) if x)
        return value, "template", f"{label}: {_display(value, c.unit)} ({where})"
    if derived is not None:
        text = f"{label}: {_display(derived[0], c.unit)} (derived from {derived[1]})"
        return derived[0], "derived", text
    return math.nan, "", f"{label}: no value in the park file or in ecocluster data"


def assess_park(
    park: pd.DataFrame | str | Path,
    criteria: CriteriaSet | str | Path,
    *,
    derived: Mapping[str, Any] | None = None,
) -> ParkAssessment:
    """Judge one park (a `read_park` table or its file) against `criteria`; `derived`
    (indicator -> value, or (value, evidence)) fills what the template leaves empty."""
    table = read_park(park) if isinstance(park, str | Path) else park
    if not {"park", "indicator", "value"} <= set(table.columns):
        message = "the park table needs park, indicator and value columns (read_park)"
        raise InputError(message, rule="park-columns")
    names = list(dict.fromkeys(table["park"].astype(str)))
    if len(names) > 1:
        message = f"the table holds {len(names)} parks ({', '.join(names)}); use assess_parks"
        raise InputError(message, file=table.attrs.get("file"), rule="several-parks")
    chosen, extra, known = read_criteria(criteria), _derived(derived), _indicator_table()
    given = {str(r["indicator"]): r for r in table.to_dict("records") if pd.notna(r["value"])}
    rows: list[dict[str, Any]] = []
    for order, c in enumerate(chosen.criteria):
        label = str(known.at[c.indicator, "label"])
        value, provenance, evidence = _evidence(c, label, given, extra)
        if math.isnan(value):
            status, gap, gap_text = "not enough data", math.nan, "no data"
        elif _NUMERIC[c.op](value, c.threshold):
            status, gap, gap_text = "met", math.nan, ""
        else:
            status, (gap, gap_text) = "not met", _gap(c, value)
        must = f"{_WORDS[c.op]} {_display(c.threshold, c.unit)}"
        rows.append(
            {"criterion": c.id, "category": c.category, "group": c.group, "kind": c.kind}
            | {"indicator": c.indicator, "label": label, "unit": c.unit, "op": c.op}
            | {"threshold": c.threshold, "threshold_text": must}
            | {"value": value, "status": status, "gap": gap, "gap_text": gap_text}
            | {"evidence": evidence, "provenance": provenance, "citation": c.citation}
            | {"sourcing": c.sourcing, "weight": c.weight, "action": c.action, "order": order}
        )
    results = pd.DataFrame(rows)
    used = tuple(results.loc[results["provenance"] == "derived", "indicator"].unique())
    readiness, actions = _readiness(results, chosen), _actions(results, known)
    name = names[0] if names else "park"
    return ParkAssessment(name, chosen, results.drop(columns="order"), readiness, actions, used)


def _readiness(results: pd.DataFrame, chosen: CriteriaSet) -> pd.DataFrame:
    """Per category: criteria, assessed, met, not met, no data, prerequisites, ready."""
    rows = []
    for category in chosen.categories:
        part = results[results["category"] == category]
        n = part["status"].value_counts().reindex(list(STATUSES), fill_value=0)
        prerequisites = part.loc[part["kind"] == "prerequisite", "status"]
        rows.append(
            {"category": category, "criteria": len(part), "assessed": int(n["met"] + n["not met"])}
            | {"met": int(n["met"]), "not_met": int(n["not met"])}
            | {"not_enough_data": int(n["not enough data"]), "prerequisites": len(prerequisites)}
            | {"prerequisites_met": bool((prerequisites == "met").all())}
            | {"ready": bool(n["met"] == len(part))}
        )
    return pd.DataFrame(rows)


def _actions(results: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """The open criteria in priority order; missing data asks to collect the indicator."""
    open_rows = sorted((r for r in results.to_dict("records") if r["status"] != "met"), key=_order)
    for priority, r in enumerate(open_rows, start=1):
        r["priority"] = priority
        if r["status"] == "not enough data":
            meaning = str(known.at[r["indicator"], "meaning"])
            r["action"] = f"collect: {r['label']} ({r['unit']}): {meaning}"
    columns = [*_ACTIONS, "weight", "citation"]
    return pd.DataFrame([[r[k] for k in columns] for r in open_rows], columns=columns)


def assess_parks(
    table: pd.DataFrame | str | Path,
    criteria: CriteriaSet | str | Path,
    *,
    derived: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, ParkAssessment]:
    """Every park of a `read_park` table (or file), in the file's order; `derived` is
    keyed by park."""
    parks = read_park(table) if isinstance(table, str | Path) else table
    chosen, groups = read_criteria(criteria), parks.groupby("park", sort=False)
    return {str(k): assess_park(v, chosen, derived=(derived or {}).get(str(k))) for k, v in groups}
