"""Measurements against Viet Nam's national technical regulations: exceedance and trends.

Works on the samples table of `ecocluster.monitoring.read_samples` (or any table with its
columns) and the limits of `ecocluster.standards`. Every function is column arithmetic on
whole arrays: ten million samples are assessed and summarised in seconds
(``benchmarks/bench_monitoring.py``, docs/performance.md).

API:

* ``assess_samples(samples, limits=None, *, classes=None) -> DataFrame``: the samples with,
  per row, the binding limit in force at the sample's time (``standard``, ``lower``,
  ``upper``, ``limit_unit``, ``citation``, ``limit_class``; NaN when none, and
  ``limit_note`` saying why, e.g. a class is needed), ``ratio``, ``bound`` ("upper",
  "lower" or NA), ``ratio_qualifier``, ``compliance`` ("exceeds", "complies",
  "undetermined", "no-limit"), ``exceeds`` (bool) and the WHO guideline
  (``guideline_standard``, ``guideline_upper``, ``guideline_citation``,
  ``guideline_ratio``, ``guideline_exceeds``). `limits` defaults to the bundled table;
  `classes` (e.g. ``{"surface_water": "B1"}``) is handed to
  `ecocluster.standards.attach_limits` for samples without a class.
* ``summarise_exceedance(assessed, by=("cluster", "site", "medium", "parameter",
  "averaging"), *, period="year") -> DataFrame``: one row per group (and year, quarter or
  month, as text in ``period``; None for all time), in key order: ``samples``,
  ``assessed`` (with a limit), ``exceeding``, ``share`` (exceeding / assessed),
  ``undetermined``, ``censored``, ``max_ratio``, ``mean_ratio``, ``guideline_exceeding``,
  ``guideline_share`` and the limit behind the worst sample (``worst_standard``,
  ``worst_citation``, ``worst_limit``, ``worst_bound``, ``limit_unit``).
* ``worst_parameters(assessed, by="cluster", n=5) -> DataFrame``: per group the `n`
  parameters with the highest ratio (ties: higher share), each with its description.
* ``compute_trends(assessed, by=("site", "medium", "parameter", "averaging"), *,
  measure="ratio", min_years=3, alpha=0.05) -> DataFrame``: per group, Theil–Sen slope per
  year of the yearly median and the Mann–Kendall test on those medians.
* ``describe_exceedance(row) -> str``: "TSP 3.2 × the 24-hour limit of QCVN 05:2013/BTNMT
  (200 µg/m³)", for a row of `assess_samples` or of `summarise_exceedance`.

Typical use (what a command line or report does): ``assessed =
assess_samples(read_samples(path))``, then ``summarise_exceedance(assessed)``,
``worst_parameters(assessed)`` and ``compute_trends(assessed)``; all are plain DataFrames
(``ecocluster.json_data`` turns them into JSON).

Rules:

* **Ratio.** Against an upper limit, ratio = value / upper (3.2 means 3.2 times the
  limit). Against a lower limit (dissolved oxygen, the minimum pH) ratio = lower / value,
  so that above 1 again means failing and 2 means the value is half the minimum. With
  both bounds (pH 5.5-9) the larger of the two is kept and ``bound`` says which. pH ratios
  are ratios of pH numbers and noise ratios of dB(A) values, as Vietnamese monitoring
  reports give them, not of hydrogen-ion activity or sound energy. A limit of 0 ("not
  detectable") gives an infinite ratio to any detected value. A value equal to its limit
  complies ("không vượt quá").
* **Censored values are never claimed to exceed unless that is certain.** A value "<DL"
  lies anywhere below DL: against an upper limit it complies when DL ≤ limit and is
  "undetermined" otherwise, never "exceeds"; against a lower limit it certainly fails when
  DL ≤ the minimum. A value ">x" exceeds an upper limit when x ≥ limit and is otherwise
  undetermined. ``ratio_qualifier`` says whether the true ratio may be lower ("<") or
  higher (">") than ``ratio``; summary ratios leave out the "<" ones, so that no maximum
  rests on a detection limit.
* **Share** of samples exceeding = exceeding / samples with a limit; undetermined samples
  count in the denominator (they could not be shown to exceed).
* **Trends.** Per group, the yearly median of the ratio (or of the value with
  ``measure="value"``; better when the standard changed during the series) over all its
  samples, censored ones at their bound. Groups with fewer than `min_years` years get no
  trend. The slope is Theil–Sen's (``scipy.stats.theilslopes``: median of pairwise slopes,
  95% interval); significance is the Mann–Kendall test, i.e. Kendall's tau between year and
  median (``scipy.stats.kendalltau``, two-sided, exact for small series; with fewer than
  five years no series reaches p < 0.05). ``direction`` is "rising" or "falling" when
  p < `alpha`, else "no trend"; a constant series has no p-value.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = [
    "COMPLIANCE",
    "assess_samples",
    "compute_trends",
    "describe_exceedance",
    "summarise_exceedance",
    "worst_parameters",
]

COMPLIANCE: Final = ("exceeds", "complies", "undetermined", "no-limit")
LIMIT_COLUMNS: Final = ("standard", "lower", "upper", "unit", "citation")
GUIDELINE_COLUMNS: Final = ("guideline_standard", "guideline_upper", "guideline_citation")
_KEYS: Final = ("medium", "parameter", "averaging", "class")
_AVERAGING_TEXT: Final = {
    "10min": "10-minute ",
    "1h": "1-hour ",
    "8h": "8-hour ",
    "24h": "24-hour ",
    "year": "annual ",
    "peak_season": "peak-season ",
    "grab": "",
    "day_6_21": "daytime (6:00-21:00) ",
    "night_21_6": "night-time (21:00-6:00) ",
}
_UNIT_TEXT: Final = {"dBA": "dB(A)", "pH": "", "degC": "°C", "Pt_Co": "Pt-Co"}


# --------------------------------------------------------------------- limits
def _codes(column: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a key column (NA a value of its own, code 0) and their labels."""
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype):
        labels = pd.Index([None, *column.cat.categories], dtype=object)
        return column.cat.codes.to_numpy().astype(np.int64) + 1, labels
    codes, uniques = pd.factorize(np.asarray(column), use_na_sentinel=False, sort=True)
    return codes.astype(np.int64), pd.Index(uniques, dtype=object)


def _group(columns: Sequence[pd.Series | np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Group of each row over several key columns (groups in key order), first row of each.

    The codes of the columns are combined into one integer per row; a dense table turns it
    into group numbers where it is small enough, hashing otherwise: no sort of the rows.
    """
    size = len(columns[0])
    combined, space = np.zeros(size, dtype=np.int64), 1
    for column in columns:
        codes, labels = _codes(column)
        if space * max(len(labels), 1) >= 1 << 62:  # renumber before the product overflows
            combined, space = _dense(combined, space)
        combined, space = combined * max(len(labels), 1) + codes, space * max(len(labels), 1)
    groups, count = _dense(combined, space)
    first = np.full(count, size, dtype=np.int64)
    np.minimum.at(first, groups, np.arange(size, dtype=np.int64))
    return groups, first


def _dense(combined: np.ndarray, space: int) -> tuple[np.ndarray, int]:
    """Numbers 0..k-1 for the distinct values of `combined`, in increasing order of value."""
    if space <= max(4 * len(combined), 1 << 20):
        present = np.zeros(space, dtype=bool)
        present[combined] = True
        number = np.cumsum(present) - 1
        return number[combined], int(present.sum())
    codes, uniques = pd.factorize(combined)
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[np.argsort(uniques)] = np.arange(len(uniques))
    return rank[codes], len(uniques)


def _breakpoints(limits: pd.DataFrame) -> np.ndarray:
    """Times at which some limit comes into or goes out of force.

    Both ends, a nanosecond and a day after them are taken, so that samples between two
    consecutive breakpoints see the same limits however validity is compared.
    """
    ends = []
    for column in ("valid_from", "valid_to"):
        if column in limits.columns:
            times = pd.to_datetime(limits[column], errors="coerce").dropna().to_numpy()
            ends.append(times.astype("datetime64[ns]"))
    if not ends:
        return np.empty(0, dtype="datetime64[ns]")
    times = np.concatenate(ends)
    shifted = [times, times + np.timedelta64(1, "ns"), times + np.timedelta64(1, "D")]
    return np.unique(np.concatenate(shifted))


def _local_times(times: pd.Series) -> np.ndarray:
    """datetime64[ns] in Viet Nam's local time (aware times are converted, then made naive)."""
    stamps = pd.to_datetime(times)
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_convert("Asia/Ho_Chi_Minh").dt.tz_localize(None)
    return stamps.to_numpy().astype("datetime64[ns]")


def _take(values: pd.Series, groups: np.ndarray) -> Any:
    """Spread a column of the distinct keys over the samples (text as categorical)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float)[groups]
    categorical = pd.Categorical(values.astype(object).where(values.notna(), None))
    return _labelled(categorical.codes[groups], list(categorical.categories))


def _labelled(codes: np.ndarray, names: Sequence[Any]) -> pd.Categorical:
    """A categorical from integer codes (-1 for NA) and their names."""
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(names))


def _attach(
    samples: pd.DataFrame, limits: pd.DataFrame, classes: Mapping[str, str] | None
) -> dict[str, Any]:
    """Limit columns for every sample, looked up once per distinct key and period."""
    from ecocluster import monitoring, standards

    keys = [name for name in _KEYS if name in samples.columns]
    times = _local_times(samples["time"])
    interval = np.searchsorted(_breakpoints(limits), times, side="right")
    extra = [samples["unit"]] if "unit" in samples.columns else []
    groups, first = _group([*(samples[k] for k in keys), *extra, interval])
    distinct = samples.iloc[first][keys].reset_index(drop=True)
    distinct["time"] = times[first]
    attached = standards.attach_limits(distinct, limits, classes=classes)
    attached = attached.reset_index(drop=True)
    upper = attached["upper"].to_numpy(dtype=float).copy()
    lower = attached["lower"].to_numpy(dtype=float).copy()
    guideline = attached["guideline_upper"].to_numpy(dtype=float).copy()
    limit_unit = attached["unit"].astype(object)
    if "unit" in samples.columns:
        sample_unit = samples["unit"].iloc[first].astype(object).to_numpy()
        masses = _molar_masses()
        for position in range(len(attached)):
            have, want = limit_unit.iloc[position], sample_unit[position]
            if pd.isna(have) or pd.isna(want) or have == want:
                continue
            parameter = str(distinct["parameter"].iloc[position])
            mass = (
                masses.get(parameter)
                if distinct["medium"].iloc[position] == "ambient_air"
                else None
            )
            values = np.array([upper[position], lower[position], guideline[position]])
            upper[position], lower[position], guideline[position] = monitoring.convert(
                values, str(have), str(want), molar_mass_g_per_mol=mass
            )
            limit_unit.iloc[position] = want
    return {
        "standard": _take(attached["standard"], groups),
        "lower": lower[groups],
        "upper": upper[groups],
        "limit_unit": _take(limit_unit, groups),
        "citation": _take(attached["citation"], groups),
        "limit_class": _take(attached["limit_class"], groups),
        "limit_note": _take(attached["limit_note"], groups),
        "guideline_standard": _take(attached["guideline_standard"], groups),
        "guideline_upper": guideline[groups],
        "guideline_citation": _take(attached["guideline_citation"], groups),
    }


@functools.cache
def _parameters() -> pd.DataFrame:
    from ecocluster import standards

    table = standards.read_parameters()
    return table.set_index("id") if "id" in table.columns else table


def _molar_masses() -> dict[str, float]:
    masses = pd.to_numeric(_parameters()["molar_mass_g_per_mol"], errors="coerce").dropna()
    return {str(k): float(v) for k, v in masses.items()}


def _short_name(parameter: str) -> str:
    """The name a report uses: the first alias ("TSP", "PM2.5", "DO"), else the label."""
    table = _parameters()
    if parameter not in table.index:
        return parameter
    aliases = str(table.at[parameter, "aliases"] or "").split("|")
    return aliases[0].strip() or str(table.at[parameter, "label"]) or parameter


# --------------------------------------------------------------------- per sample
def assess_samples(
    samples: pd.DataFrame,
    limits: pd.DataFrame | None = None,
    *,
    classes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Each sample against the binding limit in force at its time and the WHO guideline."""
    missing = [c for c in ("medium", "parameter", "averaging", "time", "value") if c not in samples]
    if missing:
        raise ValueError(f"the samples table has no column {', '.join(map(repr, missing))}")
    if limits is None:
        from ecocluster import standards

        limits = standards.read_limits()
    columns = _attach(samples, limits, classes)
    value = samples["value"].to_numpy(dtype=float)
    upper, lower = columns["upper"], columns["lower"]
    if "qualifier" in samples.columns:
        below = (samples["qualifier"] == "<").to_numpy(dtype=bool)
        above = (samples["qualifier"] == ">").to_numpy(dtype=bool)
    else:
        above = np.zeros(len(value), dtype=bool)
        below = samples["censored"].to_numpy(dtype=bool) if "censored" in samples else above
    exact = ~below & ~above
    has_upper, has_lower = ~np.isnan(upper), ~np.isnan(lower)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper_ratio = np.where(has_upper, value / upper, np.nan)
        lower_ratio = np.where(has_lower, lower / value, np.nan)
        guideline_ratio = value / columns["guideline_upper"]
    by_lower = has_lower & ~(upper_ratio >= lower_ratio)
    ratio = np.where(by_lower, lower_ratio, upper_ratio)
    # Certain failures and certain compliance, given what "<" and ">" allow.
    fails = (has_upper & (((exact | above) & (value > upper)) | (above & (value == upper)))) | (
        has_lower & (((exact | below) & (value < lower)) | (below & (value == lower)))
    )
    upper_ok = ~has_upper | ((exact | below) & (value <= upper))
    lower_ok = ~has_lower | ((exact | above) & (value >= lower))
    limited = has_upper | has_lower
    status = np.select([~limited, fails, upper_ok & lower_ok], [3, 0, 1], default=2).astype(np.int8)
    assessed = samples.copy(deep=False)  # new columns only: the caller's frame is untouched
    for name, column in columns.items():
        assessed[name] = column
    assessed["ratio"] = ratio
    bound = np.where(~limited, 0, np.where(by_lower, 2, 1)).astype(np.int8)
    assessed["bound"] = _labelled(bound - 1, ["upper", "lower"])
    # The true ratio may be lower than reported ("<"), higher (">") or is exact ("").
    lower_side = (by_lower & above) | (~by_lower & below)
    higher_side = (by_lower & below) | (~by_lower & above)
    sides = np.where(lower_side, 1, np.where(higher_side, 2, 0)).astype(np.int8)
    assessed["ratio_qualifier"] = _labelled(sides, ["", "<", ">"])
    assessed["compliance"] = _labelled(status, list(COMPLIANCE))
    assessed["exceeds"] = status == 0
    assessed["guideline_ratio"] = guideline_ratio
    guideline = columns["guideline_upper"]
    assessed["guideline_exceeds"] = ((exact | above) & (value > guideline)) | (
        above & (value == guideline)
    )
    return assessed


# --------------------------------------------------------------------- summaries
def _periods(times: pd.Series, period: str) -> pd.Categorical:
    """Year ("2021"), quarter ("2021-Q1") or month ("2021-03") of each time, as categories."""
    stamps = _local_times(times).astype("datetime64[M]")
    months = stamps.astype(np.int64)
    if period == "year":
        keys = months // 12
    elif period == "quarter":
        keys = months // 3
    elif period == "month":
        keys = months
    else:
        raise ValueError(f"period must be 'year', 'quarter', 'month' or None, not {period!r}")
    codes, uniques = pd.factorize(keys, sort=True)
    if period == "year":
        names = [str(1970 + int(k)) for k in uniques]
    elif period == "quarter":
        names = [f"{1970 + int(k) // 4}-Q{int(k) % 4 + 1}" for k in uniques]
    else:
        names = [f"{1970 + int(k) // 12}-{int(k) % 12 + 1:02d}" for k in uniques]
    return _labelled(codes, names)


def _stats_ratio(assessed: pd.DataFrame) -> np.ndarray:
    """Ratios that may enter maxima and means: not those the true value may lie below."""
    ratio = assessed["ratio"].to_numpy(dtype=float)
    if "ratio_qualifier" in assessed.columns:
        ratio = np.where(assessed["ratio_qualifier"].to_numpy() == "<", np.nan, ratio)
    return ratio


def summarise_exceedance(
    assessed: pd.DataFrame,
    by: Sequence[str] | str = ("cluster", "site", "medium", "parameter", "averaging"),
    *,
    period: str | None = "year",
) -> pd.DataFrame:
    """Samples, exceedances, shares and worst ratios per group (and period)."""
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in assessed.columns]
    if missing:
        raise ValueError(f"the assessed table has no column {', '.join(map(repr, missing))}")
    status = assessed["compliance"].cat.codes.to_numpy()
    ratio = _stats_ratio(assessed)
    columns = [assessed[k] for k in keys]
    if period is not None:
        columns.append(pd.Series(_periods(assessed["time"], period)))
        keys.append("period")
    groups, first = _group(columns)
    count = len(first)

    def total(mask: Any) -> np.ndarray:
        return np.bincount(groups, weights=mask, minlength=count).round().astype(np.int64)

    summary = pd.DataFrame(
        {k: c.iloc[first].to_numpy() for k, c in zip(keys, columns, strict=True)}
    )
    summary["samples"] = np.bincount(groups, minlength=count)
    summary["assessed"] = total(status != 3)
    summary["exceeding"] = total(status == 0)
    summary["undetermined"] = total(status == 2)
    censored = assessed["censored"] if "censored" in assessed else np.zeros(len(assessed))
    summary["censored"] = total(np.asarray(censored, dtype=bool))
    valid = ~np.isnan(ratio)
    largest = np.full(count, np.nan)
    np.fmax.at(largest, groups, ratio)
    summary["max_ratio"] = largest
    guideline = total(assessed["guideline_upper"].notna().to_numpy())
    summary["guideline_exceeding"] = total(assessed["guideline_exceeds"].to_numpy(dtype=bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        summary["mean_ratio"] = np.bincount(
            groups, weights=np.where(valid, ratio, 0), minlength=count
        ) / np.bincount(groups, weights=valid, minlength=count)
        summary.insert(len(keys) + 3, "share", summary["exceeding"] / summary["assessed"])
        summary["guideline_share"] = summary["guideline_exceeding"] / guideline
    summary.loc[summary["assessed"] == 0, "share"] = np.nan
    summary.loc[guideline == 0, "guideline_share"] = np.nan
    # The limit behind each group's worst sample: the first row reaching the maximum, or
    # where no ratio counts (all below detection), the first row with a limit.
    candidates = np.flatnonzero(ratio == largest[groups])
    worst = np.full(count, len(assessed), dtype=np.int64)
    np.minimum.at(worst, groups[candidates], candidates)
    others = np.flatnonzero((worst[groups] == len(assessed)) & (status != 3))
    np.minimum.at(worst, groups[others], others)
    hit = np.flatnonzero(worst < len(assessed))
    picked = assessed.iloc[worst[hit]]
    for name, source in (
        ("worst_standard", "standard"),
        ("worst_citation", "citation"),
        ("worst_bound", "bound"),
        ("limit_unit", "limit_unit"),
    ):
        values = np.full(count, None, dtype=object)
        values[hit] = picked[source].astype(object).to_numpy()
        summary[name] = values
    limit = np.full(count, np.nan)
    limit[hit] = np.where(
        picked["bound"].astype(object).to_numpy() == "lower",
        picked["lower"].to_numpy(dtype=float),
        picked["upper"].to_numpy(dtype=float),
    )
    summary.insert(list(summary.columns).index("worst_bound"), "worst_limit", limit)
    order = [*keys, "samples", "assessed", "exceeding", "share", "undetermined", "censored"]
    order += ["max_ratio", "mean_ratio", "guideline_exceeding", "guideline_share"]
    return summary[order + [c for c in summary.columns if c.startswith("worst_")] + ["limit_unit"]]


def worst_parameters(
    assessed: pd.DataFrame, by: str | Sequence[str] | None = "cluster", n: int = 5
) -> pd.DataFrame:
    """The `n` parameters of each group with the highest ratio, ranked, with their text."""
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    summary = summarise_exceedance(
        assessed, [*keys, "medium", "parameter", "averaging"], period=None
    )
    summary = summary[summary["assessed"] > 0]
    summary = summary.sort_values(
        ["max_ratio", "share"], ascending=False, na_position="last", kind="stable"
    )
    summary = summary.drop_duplicates([*keys, "medium", "parameter"])
    if keys:
        summary = summary.sort_values(keys, kind="stable")
        summary["rank"] = summary.groupby(keys, observed=True, dropna=False).cumcount() + 1
    else:
        summary["rank"] = np.arange(1, len(summary) + 1)
    summary = summary[summary["rank"] <= n].reset_index(drop=True)
    summary["description"] = [describe_exceedance(row) for _, row in summary.iterrows()]
    return summary


def compute_trends(
    assessed: pd.DataFrame,
    by: Sequence[str] = ("site", "medium", "parameter", "averaging"),
    *,
    measure: str = "ratio",
    min_years: int = 3,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Theil–Sen slope per year of the yearly medians, with Mann–Kendall's p-value."""
    from scipy import stats  # type: ignore[import-untyped, unused-ignore]

    if measure not in ("ratio", "value"):
        raise ValueError(f"measure must be 'ratio' or 'value', not {measure!r}")
    keys = list(by)
    years = pd.Series(_local_times(assessed["time"]).astype("datetime64[Y]").astype(int) + 1970)
    values = assessed[measure].astype(float)
    usable = values.notna().to_numpy()
    frame = pd.DataFrame({"value": values.to_numpy()[usable]})
    groupers = [assessed[k][usable].reset_index(drop=True) for k in keys]
    groupers.append(years[usable].reset_index(drop=True))
    medians = frame.groupby(groupers, observed=True, sort=True, dropna=False)["value"].median()
    records: list[dict[str, Any]] = []
    for key, series in medians.groupby(level=list(range(len(keys))), dropna=False, sort=True):
        year = series.index.get_level_values(-1).to_numpy(dtype=float)
        median = series.to_numpy(dtype=float)
        record: dict[str, Any] = dict(
            zip(keys, key if isinstance(key, tuple) else (key,), strict=True)
        )
        record.update(
            years=len(year),
            first_year=int(year[0]),
            last_year=int(year[-1]),
            first_median=median[0],
            last_median=median[-1],
        )
        slope = low = high = tau = p_value = math.nan
        if len(year) >= min_years:
            slope, _, low, high = stats.theilslopes(median, year, alpha=0.95)
            if np.ptp(median) > 0:
                tau, p_value = stats.kendalltau(year, median)
        direction = "no trend"
        if p_value < alpha:
            direction = "rising" if slope > 0 else "falling" if slope < 0 else "no trend"
        record.update(
            slope_per_year=float(slope),
            slope_low=float(low),
            slope_high=float(high),
            tau=float(tau),
            p_value=float(p_value),
            direction=direction,
        )
        records.append(record)
    columns = [*keys, "years", "first_year", "last_year", "first_median", "last_median"]
    columns += ["slope_per_year", "slope_low", "slope_high", "tau", "p_value", "direction"]
    result = pd.DataFrame.from_records(records, columns=columns)
    result.attrs["measure"] = measure
    return result


# --------------------------------------------------------------------- words
def _number(value: float) -> str:
    """200 not 200.0; 0.05 as written."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}"


def _ratio_text(ratio: float) -> str:
    if math.isinf(ratio):
        return "∞"
    return f"{ratio:.1f}" if ratio >= 1 else f"{ratio:.2g}"


def _unit_text(unit: object) -> str:
    """A unit as people write it: "ug/m^3" → "µg/m³", "dBA" → "dB(A)", "pH" → ""."""
    text = "" if unit is None or unit != unit or unit is pd.NA else str(unit)
    text = _UNIT_TEXT.get(text, text)
    text = re.sub(r"(?<![A-Za-z])u(?=g|L|m)", "µ", text)
    return re.sub(r"(?<=[A-Za-z])(?:\^|\*\*)?([23])\b", lambda m: "²³"[int(m[1]) - 2], text)


def describe_exceedance(row: Mapping[Hashable, Any] | pd.Series) -> str:
    """One sentence for a sample or a summary row: how many times its limit, and which."""

    def get(*names: str) -> Any:
        for name in names:
            value = row.get(name)
            if value is not None and value is not pd.NA and value is not pd.NaT and value == value:
                return value
        return None

    parameter = str(get("parameter") or "?")
    label = _short_name(parameter) if get("label") is None else str(get("label"))
    ratio, standard = get("ratio", "max_ratio"), get("standard", "worst_standard")
    if standard is None:
        return f"{label}: no limit in force"
    if ratio is None:
        return f"{label}: no measured ratio (every sample below detection or above range)"
    bound = get("bound", "worst_bound") or "upper"
    limit = get("worst_limit") or get("lower" if bound == "lower" else "upper")
    unit = _unit_text(get("limit_unit"))
    shown = f"{_number(float(limit))} {unit}".strip() if limit is not None else "?"
    averaging = str(get("averaging") or "")
    period = _AVERAGING_TEXT.get(averaging, f"{averaging} " if averaging else "")
    text = _ratio_text(float(ratio))
    if bound != "lower":
        sentence = f"{label} {text} × the {period}limit of {standard} ({shown})"
    elif float(ratio) > 1:
        sentence = (
            f"{label} below the {period}minimum of {standard} ({shown}) by a factor of {text}"
        )
    else:
        sentence = f"{label} at or above the {period}minimum of {standard} ({shown})"
    side, qualifier = get("ratio_qualifier") or "", get("qualifier") or ""
    if side:
        why = "below detection" if qualifier == "<" else "above the method's range"
        return f"{sentence}, {'at most' if side == '<' else 'at least'} ({why})"
    return sentence
