"""Environmental quality standards as data: Viet Nam's QCVN limits and WHO guidelines.

A measurement is judged by the regulation in force on the day it was taken, so the table
keeps every edition with the dates it took effect and was replaced: a 2012 sample is judged
by QCVN 05:2009/BTNMT, a 2014 one by QCVN 05:2013/BTNMT. Every bundled value cites
regulation, table and row; ``data/standards/README.md`` gives the sources, the averaging
vocabulary and the values left out. A user's table of the same shape is checked as strictly.

* A row applies from ``valid_from`` to the day before ``valid_to`` (empty: in force).
  Editions of a family (`standard_family`) may not overlap for one key.
* Classes (surface water A1/B1, wastewater columns A/B, noise areas, land uses) come from
  the sample's ``class`` or ``classes[medium]``. Without one, a classed standard gives no
  limit and a ``limit_note`` naming its classes: a water body's designated use is an
  official's decision, not the tool's guess.
* The guideline is the latest non-binding edition published by the sample's time (WHO 2005
  for a 2015 sample, WHO 2021 for a 2022 one), so old campaigns meet the advice of their day.
* QCVN 40:2011/BTNMT rows hold C; the permitted maximum is C x Kq x Kf. The table assumes
  Kq = Kf = 1: multiply ``upper`` where a permit sets the coefficients.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import fold_key, normalize_text
from ecocluster.problems import Problem, read_table, refuse

__all__ = [
    "AVERAGING",
    "MEDIA",
    "attach_limits",
    "match_parameter",
    "read_limits",
    "read_parameters",
    "standard_family",
]


MEDIA: Final = tuple(str.split("ambient_air surface_water groundwater wastewater noise soil"))
#: The ``averaging`` vocabulary (meanings in ``data/standards/README.md``).
AVERAGING: Final = tuple(str.split("10min 1h 8h 24h year peak_season grab day_6_21 night_21_6"))
LIMIT_COLUMNS: Final = tuple(
    str.split(
        "standard authority binding medium parameter averaging class lower upper unit valid_from "
        "valid_to citation"
    )
)
PARAMETER_COLUMNS: Final = tuple(
    str.split("id label label_vi media unit molar_mass_g_per_mol aliases")
)
OUTPUT_COLUMNS: Final = tuple(
    str.split(
        "standard limit_class lower upper unit citation limit_note guideline_standard "
        "guideline_upper guideline_citation"
    )
)
#: The limits-table column behind each output column ("-": computed).
_TAKEN: Final = tuple(
    str.split("standard class lower upper unit citation - standard upper citation")
)
_LIMIT_RULES: Final = {  # rule: (column, message formatted with the row)
    **{f"missing-{c}": (c, f"the row has no {c}") for c in ("standard", "authority", "citation")},
    "binding": ("binding", "binding must be true or false, not {binding!r}"),
    "unknown-medium": ("medium", "unknown medium {medium!r}"),
    "unknown-parameter": ("parameter", "unknown parameter {parameter!r}"),
    "parameter-medium": ("parameter", "{parameter!r} is not a parameter of {medium}"),
    "unit": ("unit", "unit {unit!r} is not {_unit!r}, the unit of {parameter!r}"),
    "unknown-averaging": ("averaging", "unknown averaging {averaging!r}"),
    "class": ("class", "class {class!r} is not one word (letters, digits, _)"),
    "lower-number": ("lower", "lower {lower!r} is not a number"),
    "upper-number": ("upper", "upper {upper!r} is not a number"),
    "no-limit": ("upper", "the row gives neither lower nor upper"),
    "lower-above-upper": ("lower", "lower {lower} is above upper {upper}"),
    "valid_from-date": ("valid_from", "valid_from {valid_from!r} is not a date (YYYY-MM-DD)"),
    "valid_to-date": ("valid_to", "valid_to {valid_to!r} is not a date (YYYY-MM-DD)"),
    "date-order": ("valid_to", "valid_to {valid_to} is not after valid_from {valid_from}"),
}
_NEVER = np.iinfo(np.int64).max
_DATA = Path(str(resources.files("ecocluster").joinpath("data", "standards")))
_NAT = np.iinfo(np.int64).min
Key = tuple[str, str, str, str]  # medium, parameter, averaging, class
Array = np.ndarray
Notes = dict[str, int]  # limit_note text -> code


def standard_family(standard: str) -> str:
    """Editions share a family: "QCVN 08-MT:2015/BTNMT" and "QCVN 08:2023/BTNMT" are one."""
    name = re.sub(r"(?:-MT)?:\d{4}(?=/)", "", normalize_text(standard))
    return re.sub(r"\s+\d{4}$", "", name)


def read_parameters(path: str | Path | None = None) -> pd.DataFrame:
    """Parameters by id, ``units`` mapping medium to unit; all problems in one `InputError`."""
    return _bundled_parameters().copy() if path is None else _parse_parameters(path)


@lru_cache(maxsize=1)
def _bundled_parameters() -> pd.DataFrame:
    return _parse_parameters(_DATA / "parameters.csv")


def _parse_parameters(path: str | Path) -> pd.DataFrame:
    table = read_table(path, PARAMETER_COLUMNS, ())
    file, problems = str(path), list[Problem]()
    units: list[dict[str, str]] = []
    owners: dict[str, list[tuple[str, frozenset[str], int]]] = {}
    first: dict[str, int] = {}
    for row, r in table.iterrows():
        at, pid, molar = int(str(row)), str(r["id"]), r["molar_mass_g_per_mol"]
        media = [m.strip() for m in r["media"].split("|")]
        unit = [u.strip() for u in r["unit"].split("|")]
        unit = unit * len(media) if len(unit) == 1 else unit
        bad_mass = molar != "" and not float(_numbers(pd.Series([molar])).iloc[0]) > 0
        checks = [
            (not re.fullmatch(r"[a-z][a-z0-9_]*", pid), "id", "id", "is not lower snake case"),
            (pid in first, "id", "duplicate", f"repeats row {first.get(pid)}"),
            (not set(media) <= set(MEDIA), "media", "unknown-medium", "names an unknown medium"),
            (len(unit) != len(media) or not all(unit), "unit", "unit", "needs a unit per medium"),
            (bad_mass, "molar_mass_g_per_mol", "number", "has a bad molar mass"),
        ]
        problems += [
            Problem(file, at, c, rule, f"{pid!r} {m}") for bad, c, rule, m in checks if bad
        ]
        first.setdefault(pid, at)
        units.append(dict(zip(media, unit, strict=False)))
        names = {fold_key(n) for n in (pid, r["label"], r["label_vi"], *r["aliases"].split("|"))}
        for key in sorted(names - {""}):
            for other, other_media, other_at in owners.get(key, []):
                if other != pid and other_media & set(media):
                    message = f"{key!r} names {pid!r} and {other!r} (row {other_at}) in one medium"
                    problems.append(Problem(file, at, "aliases", "ambiguous-alias", message))
            owners.setdefault(key, []).append((pid, frozenset(media), at))
    if problems:
        raise refuse(problems, "the parameter table was")
    table["units"] = pd.Series(units, index=table.index, dtype=object)
    table["molar_mass_g_per_mol"] = _numbers(table["molar_mass_g_per_mol"])
    table = table.reset_index().set_index("id")
    table.attrs["aliases"] = owners
    return table


def match_parameter(name: str, medium: str | None = None) -> str:
    """The parameter id of a name a lab sheet uses, regardless of case and diacritics.

    "Bụi TSP", "BUI TSP" and "tsp" give "tsp". Where a name fits several parameters
    ("NO2" is nitrogen dioxide in air, "NO2-" nitrite in water) `medium` decides.
    """
    aliases: dict[str, list[tuple[str, frozenset[str], int]]]
    aliases = _bundled_parameters().attrs["aliases"]
    owners = aliases.get(fold_key(str(name)), [])
    ids = sorted({pid for pid, media, _ in owners if medium is None or medium in media})
    if len(ids) == 1:
        return ids[0]
    if not ids:
        where = f" in {medium}" if medium else ""
        raise InputError(f"no parameter is called {name!r}{where}", rule="unknown-parameter")
    message = f"{name!r} may be {', '.join(ids)}; give the medium"
    raise InputError(message, rule="ambiguous-parameter")


def read_limits(path: str | Path | None = None) -> pd.DataFrame:
    """The limits table (bundled by default), checked against ``_LIMIT_RULES`` and for
    overlapping editions; every problem in one `InputError` naming file, row and column."""
    return _bundled_limits().copy() if path is None else _parse_limits(path)


@lru_cache(maxsize=1)
def _bundled_limits() -> pd.DataFrame:
    return _parse_limits(_DATA / "limits.csv")


def _parse_limits(path: str | Path) -> pd.DataFrame:
    table = read_table(path, LIMIT_COLUMNS, ("note",))
    file = str(path)
    by_medium = _bundled_parameters()["units"].items()
    units = {(str(p), m): u for p, by in by_medium for m, u in by.items()}
    pairs = zip(table["parameter"], table["medium"], strict=True)
    t = table.assign(
        _lower=_numbers(table["lower"]),
        _upper=_numbers(table["upper"]),
        _from=_dates(table["valid_from"]),
        _to=_dates(table["valid_to"]),
        _unit=[units.get(pair, "") for pair in pairs],
    )
    known = t["parameter"].isin({p for p, _ in units})
    bad_lower, bad_upper = (t[c].str.strip().ne("") & t[f"_{c}"].isna() for c in ("lower", "upper"))
    numbers = ~bad_lower & ~bad_upper
    masks = {
        **{f"missing-{c}": t[c] == "" for c in ("standard", "authority", "citation")},
        "binding": ~t["binding"].str.lower().isin(["true", "false"]),
        "unknown-medium": ~t["medium"].isin(MEDIA),
        "unknown-parameter": ~known,
        "parameter-medium": known & t["medium"].isin(MEDIA) & (t["_unit"] == ""),
        "unit": (t["_unit"] != "") & (t["unit"] != t["_unit"]),
        "unknown-averaging": ~t["averaging"].isin(list(AVERAGING)),
        "class": ~t["class"].str.fullmatch(r"[A-Za-z0-9_]*"),
        "lower-number": bad_lower,
        "upper-number": bad_upper,
        "no-limit": numbers & t["_lower"].isna() & t["_upper"].isna(),
        "lower-above-upper": numbers & (t["_lower"] > t["_upper"]),
        "valid_from-date": t["_from"].isna(),
        "valid_to-date": t["valid_to"].str.strip().ne("") & t["_to"].isna(),
        "date-order": t["_to"] <= t["_from"],
    }
    problems = []
    for rule, mask in masks.items():
        column, message = _LIMIT_RULES[rule]
        for row, r in t[mask.fillna(False).astype(bool)].iterrows():
            problems.append(Problem(file, int(str(row)), column, rule, message.format(**r)))
    table["binding"] = t["binding"].str.lower() == "true"
    table["lower"], table["upper"] = t["_lower"].astype(float), t["_upper"].astype(float)
    table["valid_from"], table["valid_to"] = t["_from"], t["_to"]
    problems += _overlaps(table, file)
    if problems:
        raise refuse(sorted(problems, key=lambda p: p.row or 0), "the limits table was")
    return table


def _overlaps(table: pd.DataFrame, file: str) -> list[Problem]:
    """A problem for each row that starts before an earlier edition of its family ends."""
    key = ["family", "medium", "parameter", "averaging", "class"]
    t = table.assign(
        family=table["standard"].map(standard_family),
        end=table["valid_to"].fillna(pd.Timestamp.max),
    ).dropna(subset=["valid_from"])
    if t.empty:
        return []
    t = t.sort_values([*key, "valid_from"])
    ended = t.groupby(key, sort=False)["end"].transform(lambda s: s.cummax().shift())
    problems = []
    for row, r in t[t["valid_from"] < ended].iterrows():
        message = f"{r['standard']} starts before an earlier row of {r['family']} ends"
        problems.append(Problem(file, int(str(row)), "valid_from", "overlap", message))
    return problems


def _numbers(text: pd.Series) -> pd.Series:
    """Finite numbers (a decimal comma accepted); NaN for empty or unreadable text."""
    values = pd.to_numeric(text.str.strip().str.replace(",", "."), errors="coerce")
    return values.where(np.isfinite(values))


def _dates(text: pd.Series) -> pd.Series:
    """ISO dates (YYYY-MM-DD); NaT for empty or unreadable text."""
    iso = text.str.strip().where(text.str.strip().str.fullmatch(r"\d{4}-\d{2}-\d{2}"))
    return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")


def attach_limits(
    samples: pd.DataFrame, limits: pd.DataFrame, *, classes: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """`samples` with the binding limit in force at each sample's time and the guideline.

    `samples` need ``medium``, ``parameter``, ``averaging``, ``time`` (datetime64; aware
    times are converted to Viet Nam's local time) and may have ``class``. Added columns are
    ``OUTPUT_COLUMNS``; NaN where none applies, ``limit_note`` saying why. The work is done
    once per distinct (medium, parameter, averaging, class), then vectorised over samples;
    categorical sample columns are fastest.
    """
    required = ("medium", "parameter", "averaging", "time")
    for frame, what, needed in ((samples, "samples", required), (limits, "limits", LIMIT_COLUMNS)):
        for column in (c for c in needed if c not in frame.columns):
            message = f"the {what} have no {column!r} column"
            raise InputError(message, column=column, rule="missing-column")
    for column in (c for c in OUTPUT_COLUMNS if c in samples.columns):
        raise InputError(f"the samples already have {column!r}", column=column, rule="column-clash")
    if set(classes or {}) - set(MEDIA):
        raise InputError(f"classes names a medium not in {MEDIA}", rule="classes")
    time = samples["time"]
    if not pd.api.types.is_datetime64_any_dtype(time):
        raise InputError("the 'time' column is not datetime64", column="time", rule="time-type")
    if isinstance(time.dtype, pd.DatetimeTZDtype):
        time = time.dt.tz_convert("Asia/Ho_Chi_Minh").dt.tz_localize(None)
    t = time.to_numpy(dtype="datetime64[ns]").view(np.int64)
    spelled = {str(c).casefold(): str(c) for c in limits["class"].unique()}
    parts = [_codes(samples[c], str.lower) for c in ("medium", "parameter", "averaging")]
    given = samples["class"] if "class" in samples.columns else pd.Series(np.nan, samples.index)
    parts.append(_codes(given, lambda v: spelled.get(v.casefold(), v)))
    dims = tuple(len(levels) + 1 for _, levels in parts)  # the last level: missing
    flat = np.ravel_multi_index([np.where(c < 0, len(lv), c) for c, lv in parts], dims)
    combo, uniques = pd.factorize(flat)
    keys: list[Key] = []
    for at in zip(*np.unravel_index(np.asarray(uniques), dims), strict=True):
        names = [lv[i] if i < len(lv) else "" for (_, lv), i in zip(parts, at, strict=True)]
        default = (classes or {}).get(names[0], "")
        names[3] = names[3] or spelled.get(default.casefold(), default)
        keys.append((names[0], names[1], names[2], names[3]))
    rows = limits.reset_index(drop=True)
    binding = rows["binding"].astype(bool)
    notes = {"": 0, "the sample has no time": 1}
    b_row, b_note = _lookup(combo, t, keys, rows[binding], notes, guideline=False)
    g_row, _ = _lookup(combo, t, keys, rows[~binding], notes, guideline=True)
    nat = t == _NAT
    b_row[nat], g_row[nat], b_note[nat] = -1, -1, 1
    out = samples.copy()
    sources = (b_row,) * 7 + (g_row,) * 3
    for name, column, index in zip(OUTPUT_COLUMNS, _TAKEN, sources, strict=True):
        if column in ("lower", "upper"):
            out[name] = _take(rows[column].to_numpy(float), index, np.nan)
        elif column != "-":
            codes, categories = pd.factorize(rows[column])
            out[name] = pd.Categorical.from_codes(_take(codes, index, -1), categories=categories)
    note = np.where(b_note == 0, -1, b_note)
    out["limit_note"] = pd.Categorical.from_codes(note, categories=pd.Index(list(notes)))
    return out


def _codes(column: pd.Series, fix: Callable[[str], str]) -> tuple[np.ndarray, list[str]]:
    """Codes of a column after normalising its distinct values (strip, then `fix`)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cleaned = pd.Index([fix(str(u).strip()) for u in uniques], dtype=object)
    merged, levels = pd.factorize(cleaned)
    mapping = np.append(merged, -1).astype(np.int64)
    return mapping[codes], [str(v) for v in levels]


def _lookup(
    combo: Array, t: Array, keys: list[Key], rows: pd.DataFrame, notes: Notes, *, guideline: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Row (position in the limits table, -1 for none) and note code for each sample.

    Each distinct key gets a timeline of segments with one outcome each; samples find
    theirs with one `searchsorted` over (key, rank of time among segment starts).
    """
    start = rows["valid_from"].to_numpy("datetime64[ns]").view(np.int64)
    end = rows["valid_to"].to_numpy("datetime64[ns]").view(np.int64).copy()
    end[end == _NAT] = _NEVER
    classes = rows["class"].tolist()
    by_key: dict[tuple[str, str, str], list[int]] = {}
    triples = zip(rows["medium"], rows["parameter"], rows["averaging"], strict=True)
    for i, triple in enumerate(triples):
        by_key.setdefault(triple, []).append(i)
    segments: list[tuple[int, int, int, int]] = []  # key, start, row, note
    for k, (medium, parameter, averaging, cls) in enumerate(keys):
        candidates = by_key.get((medium, parameter, averaging), [])
        why = _default_note(medium, parameter, averaging, bool(candidates))
        bounds = {_NAT} | {int(start[i]) for i in candidates} | {int(end[i]) for i in candidates}
        for lo in sorted(bounds - {_NEVER}):  # from _NAT on: every sample meets its own key
            cover = [i for i in candidates if start[i] <= lo < end[i]]
            fit = [i for i in cover if guideline or classes[i] in (cls, "")]
            if guideline and fit:  # the latest edition published by then
                fit = [max(fit, key=lambda i: int(start[i]))]
            if len(fit) == 1:
                segments.append((k, lo, int(rows.index[fit[0]]), 0))
            else:
                text = _class_note(rows, cover, fit, cls) if cover else why
                segments.append((k, lo, -1, notes.setdefault(text, len(notes))))
    seg = np.array(segments, dtype=np.int64).reshape(-1, 4)
    starts = np.unique(seg[:, 1])
    width = len(starts) + 1
    seg_key = seg[:, 0] * width + np.searchsorted(starts, seg[:, 1], side="right")
    order = np.argsort(seg_key, kind="stable")
    sample_key = combo * width + np.searchsorted(starts, t, side="right")
    idx = order[np.searchsorted(seg_key[order], sample_key, side="right") - 1]
    return seg[idx, 2], seg[idx, 3]


def _default_note(medium: str, parameter: str, averaging: str, listed: bool) -> str:
    """Why a sample outside every segment has no limit."""
    if medium not in MEDIA:
        return f"unknown medium {medium!r}"
    if parameter not in _bundled_parameters().index:
        return f"unknown parameter {parameter!r}"
    if averaging not in AVERAGING:
        return f"unknown averaging {averaging!r}"
    if not listed:
        return "no limit in the table for this medium, parameter and averaging"
    return "no limit in the table in force at the sample's time"


def _class_note(rows: pd.DataFrame, cover: list[int], fit: list[int], cls: str) -> str:
    """Why the rows in force give no single limit: a class is missing, unknown or ambiguous."""
    standard, klass = rows["standard"].tolist(), rows["class"].tolist()
    if fit:
        names = "; ".join(sorted({f"{standard[i]} {klass[i]}".strip() for i in fit}))
        return f"several limits apply ({names}); the limits table is ambiguous"
    standards = ", ".join(sorted({standard[i] for i in cover}))
    offered = ", ".join(sorted({klass[i] for i in cover}))
    if not cls:
        return f"class needed: {standards} sets limits for classes {offered}"
    return f"no limit for class {cls!r} in {standards} (the table has {offered})"


def _take(values: np.ndarray, index: np.ndarray, missing: float) -> np.ndarray:
    """``values[index]``, `missing` where index is -1."""
    return np.asarray(np.append(values, missing)[index])
