"""Targets and progress: sectoral voluntary agreements, plant commitments, regional
resource-productivity goals, straight-line trajectories and on/off-track status.

A ministry or an industry association that signed a voluntary agreement (15% less energy
per t of steel by 2030), or a province that set green-industry goals in an action plan,
asks each year which plants and goals are on track. This module reads the targets, draws
the straight line from baseline to target, and compares the latest reported value with it.

API:

* ``read_agreement(path) -> Agreement``: a TOML file, ``[agreement]`` (name, sector,
  indicator, unit, baseline_year, target_year, reduction, source) and ``[[commitment]]``
  tables (plant, baseline_year, target_year, reduction or target_intensity; years and
  reduction default to the agreement's). Every mistake (unknown key, years out of order,
  reduction outside (0, 1), a plant committed twice ...) refused together, naming file,
  line, key and rule.
* ``read_goals(path)``, ``read_progress(path, goals)``: goals.csv (goal, region, indicator,
  unit, baseline_year, baseline_value, target_year, target_value, direction, source) and
  progress.csv (goal, year, value), checked.
* ``compute_trajectory(baseline_year, baseline_value, target_year, target_value, years)``.
* ``track_progress(targets, reported, *, tolerance=0.0, as_of=None)``: per target the
  latest value, the trajectory at its year, gaps, the annual change still required and
  ``status`` (`STATUSES`); for goals and for plant commitments alike.
* ``agreement_series(agreement, intensities)``, ``track_agreement(agreement, intensities)``:
  plant commitments and the sector aggregate of an agreement tracked.
* ``draw_progress(tracked, series, *, title="")``, ``write_progress(tracked, series, path,
  **kwargs)``: small multiples, one panel per target, coloured by status.

Status (the spec's convention): "no data" when nothing is reported (by `as_of`); "met" when
the latest value has reached the target; "on track" when it is no worse than the
trajectory at its year, within `tolerance` (a share of the trajectory value: 0.02 allows
2% worse); "off track" otherwise. A decrease goal is worse when higher, an increase goal
(resource productivity: value added per unit of energy) when lower.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import normalize_text, read_utf8_text
from ecocluster.problems import Problem, read_table, refuse
from ecocluster.roadmap import records

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DIRECTIONS",
    "STATUSES",
    "Agreement",
    "agreement_series",
    "compute_trajectory",
    "draw_progress",
    "read_agreement",
    "read_goals",
    "read_progress",
    "track_agreement",
    "track_progress",
    "write_progress",
]

STATUSES: Final = ("met", "on track", "off track", "no data")
DIRECTIONS: Final = ("decrease", "increase")
_AGREEMENT_KEYS: Final = (
    "name", "sector", "indicator", "unit", "baseline_year", "target_year", "reduction", "source",
)  # fmt: skip
_COMMITMENT_KEYS: Final = ("plant", "baseline_year", "target_year", "reduction", "target_intensity")
_GOAL_COLUMNS: Final = (
    "goal", "indicator", "unit", "baseline_year", "baseline_value", "target_year",
    "target_value", "direction",
)  # fmt: skip
_STATUS_COLOURS: Final = {
    "met": "#009E73", "on track": "#0072B2", "off track": "#D55E00", "no data": "#888888",
}  # fmt: skip
_LINE: Final = ("baseline_year", "baseline_value", "target_year", "target_value")
#: Panels drawn at most; the rest are counted in the title.
MAX_PANELS: Final = 12


# --------------------------------------------------------------------- agreements
@dataclass(frozen=True)
class Agreement:
    """A sectoral voluntary agreement and its plants' commitments (one row per plant:
    plant, baseline_year, target_year, reduction, target_intensity; NaN where not given)."""

    name: str
    sector: str
    indicator: str
    unit: str
    baseline_year: int
    target_year: int
    reduction: float
    source: str
    commitments: pd.DataFrame
    file: str = ""


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2200


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def read_agreement(path: str | Path) -> Agreement:
    """A voluntary agreement from its TOML file, checked; every problem refused together."""
    file, text = str(path), read_utf8_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        at = re.search(r"line (\d+)", str(error))
        line = int(at.group(1)) if at else None
        raise InputError(f"not valid TOML: {error}", file=file, row=line, rule="toml") from None
    lines, problems = text.splitlines(), list[Problem]()
    headers = [n for n, t in enumerate(lines, start=1) if re.match(r"^\s*\[", t)]
    commitment_lines = [
        n for n in headers if re.match(r"^\s*\[\[\s*commitment\s*\]\]", lines[n - 1])
    ]
    agreement_line = next(
        (n for n in headers if re.match(r"^\s*\[\s*agreement\s*\]", lines[n - 1])), None
    )

    def add(start: int | None, key: str, rule: str, message: str) -> None:
        """A problem on the line setting `key` in the table starting at `start`."""
        end = next((n for n in headers if n > (start or 0)), len(lines) + 1)
        sets = re.compile(rf"^\s*{re.escape(key)}\s*=")
        found = (n for n in range(start or 1, end) if sets.match(lines[n - 1]))
        problems.append(Problem(file, next(found, start), key, rule, message))

    for key in sorted(set(data) - {"agreement", "commitment"}):
        add(None, key, "unknown-key", f"unknown top-level key {key!r}")
    head = data.get("agreement")
    if not isinstance(head, dict):
        add(None, "agreement", "missing-key", "the file has no [agreement] table")
        head = {}
    for key in sorted(set(head) - set(_AGREEMENT_KEYS)):
        add(agreement_line, key, "unknown-key", f"unknown key {key!r} in [agreement]")
    for key in _AGREEMENT_KEYS[:4]:
        if not isinstance(head.get(key), str) or not head[key].strip():
            add(agreement_line, key, "missing-key", f"[agreement] has no {key} (text)")
    _years_and_share(head, head, agreement_line, "the agreement", add)
    raw = data.get("commitment", [])
    if not isinstance(raw, list):
        add(None, "commitment", "commitment", "write [[commitment]], not [commitment]")
        raw = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(raw):
        start = commitment_lines[index] if len(commitment_lines) == len(raw) else None
        for key in sorted(set(item) - set(_COMMITMENT_KEYS)):
            add(start, key, "unknown-key", f"unknown key {key!r} in a commitment")
        plant = item.get("plant")
        if not isinstance(plant, str | int) or isinstance(plant, bool) or not str(plant).strip():
            add(start, "plant", "missing-key", "a commitment has no plant")
            continue
        plant = normalize_text(str(plant))
        if plant in seen:
            where = f"line {seen[plant]}" if seen[plant] else "an earlier commitment"
            add(start, "plant", "duplicate", f"plant {plant!r} already has a commitment ({where})")
        seen.setdefault(plant, start)
        if "reduction" in item and "target_intensity" in item:
            add(
                start,
                "target_intensity",
                "ambiguous",
                "give reduction or target_intensity, not both",
            )
        target = item.get("target_intensity", math.nan)
        if "target_intensity" in item and not (_is_number(target) and target > 0):
            add(
                start,
                "target_intensity",
                "target",
                f"target_intensity {target!r} is not above zero",
            )
        merged = {k: head.get(k) for k in ("baseline_year", "target_year")} | item
        if "target_intensity" not in item:
            merged.setdefault("reduction", head.get("reduction"))
        _years_and_share(merged, item, start, f"plant {plant!r}", add)
        rows.append({"plant": plant, "baseline_year": merged.get("baseline_year"),
                     "target_year": merged.get("target_year"),
                     "reduction": merged.get("reduction", math.nan),
                     "target_intensity": target, "line": start})  # fmt: skip
    if problems:
        raise refuse(sorted(problems, key=lambda p: p.row or 0), "the agreement was")
    commitments = pd.DataFrame(rows, columns=["plant", *_COMMITMENT_KEYS[1:], "line"])
    for column in ("reduction", "target_intensity"):
        commitments[column] = commitments[column].astype(float)
    return Agreement(
        name=str(head["name"]).strip(), sector=str(head["sector"]).strip(),
        indicator=str(head["indicator"]).strip(), unit=str(head["unit"]).strip(),
        baseline_year=int(head["baseline_year"]), target_year=int(head["target_year"]),
        reduction=float(head["reduction"]), source=str(head.get("source", "")).strip(),
        commitments=commitments, file=file,
    )  # fmt: skip


def _years_and_share(values: dict[str, Any], own: dict[str, Any], start: int | None, what: str,
                     add: Any) -> None:  # fmt: skip
    """Check baseline_year < target_year and a reduction in (0, 1); a problem is put on the
    key `own` sets (else on the table)."""
    for key in ("baseline_year", "target_year"):
        if not _is_year(values.get(key)):
            add(start, key, "year", f"{what}: {key} {values.get(key)!r} is not a year")
    first, last = values.get("baseline_year"), values.get("target_year")
    if isinstance(first, int) and isinstance(last, int) and _is_year(first) and last <= first:
        key = "target_year" if "target_year" in own else "baseline_year"
        add(start, key, "year", f"{what}: target_year {last} is not after baseline_year {first}")
    share = values.get("reduction")
    if "reduction" in values and not (
        isinstance(share, int | float) and _is_number(share) and 0 < share < 1
    ):
        message = f"{what}: reduction {share!r} is not a share between 0 and 1 (0.15 = 15%)"
        add(start, "reduction", "reduction", message)


# --------------------------------------------------------------------- goals and progress
def _numbers(table: pd.DataFrame, columns: Iterable[str], add: Any, years: bool) -> pd.DataFrame:
    out = pd.DataFrame(index=table.index)
    for column in columns:
        values = []
        for row, text in table[column].items():
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                add(row, column, "not-a-number", f"{column} {text!r} is not a number")
            elif years and (value != int(value) or not 1900 <= value <= 2200):
                add(row, column, "year", f"{column} {text!r} is not a year")
                value = math.nan
            values.append(value)
        out[column] = values
    return out


def read_goals(path: str | Path) -> pd.DataFrame:
    """Regional or national goals (goals.csv), checked; every problem refused together."""
    table = read_table(path, _GOAL_COLUMNS, ("region", "source"))
    file, problems = str(table.attrs["file"]), list[Problem]()

    def add(row: Any, column: str, rule: str, message: str) -> None:
        problems.append(Problem(file, int(row), column, rule, message))

    years = _numbers(table, ("baseline_year", "target_year"), add, True)
    values = _numbers(table, ("baseline_value", "target_value"), add, False)
    out = table.copy()
    out["direction"] = out["direction"].str.casefold()
    seen: dict[str, int] = {}
    numbers: dict[Any, dict[Any, Any]] = years.join(values).to_dict("index")
    for number, cells in records(out):
        if not cells["goal"]:
            add(number, "goal", "empty", "the goal has no id")
        elif cells["goal"] in seen:
            add(
                number,
                "goal",
                "duplicate",
                f"goal {cells['goal']!r} is already on row {seen[cells['goal']]}",
            )
        seen.setdefault(cells["goal"], number)
        if cells["direction"] not in DIRECTIONS:
            add(
                number,
                "direction",
                "direction",
                f"direction {cells['direction']!r} is not decrease or increase",
            )
        first, last = (float(numbers[number][k]) for k in ("baseline_year", "target_year"))
        if first >= last:
            add(
                number,
                "target_year",
                "year",
                f"target year {last:g} is not after baseline year {first:g}",
            )
        base, target = (float(numbers[number][k]) for k in ("baseline_value", "target_value"))
        wrong = target > base if cells["direction"] == "decrease" else target < base
        if cells["direction"] in DIRECTIONS and wrong:
            message = f"a {cells['direction']} goal from {base:g} to {target:g} goes the other way"
            add(number, "target_value", "direction", message)
    if problems:
        raise refuse(sorted(problems, key=lambda p: p.row or 0), "the goals file was")
    out[list(years.columns)] = years.astype(int)
    out[list(values.columns)] = values
    out = out.reset_index()
    out.attrs["file"] = file
    return out


def read_progress(path: str | Path, goals: pd.DataFrame) -> pd.DataFrame:
    """Reported values of `goals` (progress.csv: goal, year, value), checked."""
    table = read_table(path, ("goal", "year", "value"), ())
    file, problems = str(table.attrs["file"]), list[Problem]()

    def add(row: Any, column: str, rule: str, message: str) -> None:
        problems.append(Problem(file, int(row), column, rule, message))

    years = _numbers(table, ("year",), add, True)
    values = _numbers(table, ("value",), add, False)
    known, seen = set(goals["goal"]), dict[tuple[str, float], int]()
    for (row, cells), year in zip(records(table), years["year"].tolist(), strict=True):
        goal = cells["goal"]
        if goal not in known:
            add(row, "goal", "unknown-goal", f"goal {goal!r} is not in the goals file")
        key = (goal, float(year))
        if key in seen and math.isfinite(key[1]):
            add(row, "year", "duplicate", f"{goal!r} in {key[1]:g} is already on row {seen[key]}")
        seen.setdefault(key, row)
    if problems:
        raise refuse(sorted(problems, key=lambda p: p.row or 0), "the progress file was")
    out = pd.DataFrame(
        {"goal": table["goal"], "year": years["year"].astype(int), "value": values["value"]}
    )
    out = out.reset_index().sort_values(["goal", "year"], ignore_index=True)
    out.attrs["file"] = file
    return out


# --------------------------------------------------------------------- trajectories and status
def compute_trajectory(baseline_year: float, baseline_value: float, target_year: float,
                       target_value: float, years: Any) -> np.ndarray:  # fmt: skip
    """The straight line from (baseline_year, baseline_value) to (target_year,
    target_value) at `years`; flat at the baseline before it and at the target after."""
    if not target_year > baseline_year:
        raise InputError(
            f"target year {target_year} is not after baseline year {baseline_year}", rule="year"
        )
    at = np.clip(np.asarray(years, dtype=float), baseline_year, target_year)
    return np.asarray(baseline_value + (target_value - baseline_value) * (at - baseline_year)
                      / (target_year - baseline_year), dtype=float)  # fmt: skip


def _key(targets: pd.DataFrame, key: str | None) -> str:
    if key is not None:
        return key
    found = next((k for k in ("goal", "plant", "target") if k in targets.columns), None)
    if found is None:
        raise InputError("the targets have no goal, plant or target column", rule="missing-column")
    return found


def track_progress(
    targets: pd.DataFrame,
    reported: pd.DataFrame,
    *,
    tolerance: float = 0.0,
    as_of: int | None = None,
    key: str | None = None,
) -> pd.DataFrame:
    """Each target's latest reported value against its trajectory (status in `STATUSES`).

    `targets`: an id column (`key`: goal, plant or target, found by name), baseline_year,
    baseline_value, target_year, target_value and direction (decrease when absent);
    `reported`: the id column, year, value. Added: latest_year, latest_value,
    trajectory_value (at latest_year), gap_to_trajectory (latest − trajectory),
    gap_to_target (target − latest), required_annual_change (gap to target ÷ years left;
    0 when met, NaN when the target year has passed), status.
    """
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise InputError(f"tolerance {tolerance!r} is not a share ≥ 0", rule="tolerance")
    key = _key(targets, key)
    shown = reported[reported["value"].notna()]
    if as_of is not None:
        shown = shown[shown["year"] <= as_of]
    latest = shown.sort_values("year").groupby(key).last()[["year", "value"]]
    out = targets.copy()
    if "direction" not in out.columns:
        out["direction"] = "decrease"
    out["latest_year"] = out[key].map(latest["year"]).astype(float)
    out["latest_value"] = out[key].map(latest["value"]).astype(float)
    trajectory = []
    for row in out.to_dict("records"):
        a, b, c, d, e = (float(row[k]) for k in (*_LINE, "latest_year"))
        ok = np.isfinite([a, b, c, d, e]).all()
        trajectory.append(compute_trajectory(a, b, c, d, e).item() if ok else math.nan)
    out["trajectory_value"] = trajectory
    out["gap_to_trajectory"] = out["latest_value"] - out["trajectory_value"]
    out["gap_to_target"] = out["target_value"] - out["latest_value"]
    sign = np.where(out["direction"] == "increase", -1.0, 1.0)
    value, line = out["latest_value"].to_numpy(float), out["trajectory_value"].to_numpy(float)
    # A hair of slack, so that a value exactly on the line is not lost to rounding.
    target = out["target_value"].to_numpy(float)
    met = sign * (value - target) <= 1e-9 * np.maximum(1.0, np.abs(target))
    on_track = sign * (value - line) <= tolerance * np.abs(line) + 1e-9 * np.maximum(
        1.0, np.abs(line)
    )
    status = np.select([np.isnan(value), met, np.isnan(line), on_track],
                       ["no data", "met", "no data", "on track"], "off track")  # fmt: skip
    out["status"] = status
    left = out["target_year"].to_numpy(float) - out["latest_year"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(left > 0, out["gap_to_target"].to_numpy(float) / left, np.nan)
    out["required_annual_change"] = np.where(status == "met", 0.0, needed)
    out.attrs.update(key=key, tolerance=float(tolerance), as_of=as_of)
    return out


def agreement_series(agreement: Agreement, intensities: pd.DataFrame) -> pd.DataFrame:
    """The committed plants' intensities (plant, year, value) and the sector's aggregate
    per year (plant = the agreement's sector): production-weighted when `intensities` has
    a ``production`` column, else the mean of the plants reported that year."""
    missing = [c for c in ("plant", "year", "value") if c not in intensities.columns]
    if missing:
        raise InputError(
            f"the intensities have no {', '.join(missing)} column", rule="missing-column"
        )
    table = intensities.assign(plant=intensities["plant"].astype(str))
    doubled = table.duplicated(["plant", "year"])
    if doubled.any():
        first = table[doubled].iloc[0]
        raise InputError(
            f"plant {first['plant']!r} has two intensities in {first['year']}", rule="duplicate"
        )
    table = table[table["value"].notna()]
    if "production" in table.columns:
        weight = table["production"].astype(float)
        totals = (table["value"] * weight).groupby(table["year"]).sum()
        sector = totals / weight.groupby(table["year"]).sum()
    else:
        sector = table.groupby("year")["value"].mean()
    plants = table[table["plant"].isin(set(agreement.commitments["plant"]))][
        ["plant", "year", "value"]
    ]
    aggregate = pd.DataFrame(
        {"plant": agreement.sector, "year": sector.index, "value": sector.to_numpy(float)}
    )
    series = pd.concat(
        [plants.assign(level="plant"), aggregate.assign(level="sector")], ignore_index=True
    )
    return series.sort_values(["level", "plant", "year"], ignore_index=True)


def track_agreement(agreement: Agreement, intensities: pd.DataFrame, *, tolerance: float = 0.0,
                    as_of: int | None = None) -> pd.DataFrame:  # fmt: skip
    """Every commitment and the sector aggregate tracked (`track_progress`'s columns, with
    ``level`` plant or sector, ``reduction`` and ``note``). A plant's baseline is its
    intensity in its baseline year; its target ``target_intensity`` where given, else
    baseline × (1 − reduction). Without a baseline value the status is "no data" unless
    a given target_intensity is already met."""
    series = agreement_series(agreement, intensities)
    value = series.set_index(["plant", "year"])["value"]
    rows = []
    for c in agreement.commitments.to_dict("records"):
        base = float(value.get((c["plant"], c["baseline_year"]), math.nan))
        given = c["target_intensity"]
        target = given if math.isfinite(given) else base * (1 - c["reduction"])
        note = "" if math.isfinite(base) else f"no intensity reported for {c['baseline_year']}"
        rows.append({"plant": c["plant"], "level": "plant", "baseline_year": c["baseline_year"],
                     "baseline_value": base, "target_year": c["target_year"],
                     "target_value": target, "reduction": c["reduction"],
                     "note": note})  # fmt: skip
    base = float(value.get((agreement.sector, agreement.baseline_year), math.nan))
    note = "" if math.isfinite(base) else f"no intensity reported for {agreement.baseline_year}"
    rows.append({"plant": agreement.sector, "level": "sector",
                 "baseline_year": agreement.baseline_year,
                 "baseline_value": base, "target_year": agreement.target_year,
                 "target_value": base * (1 - agreement.reduction), "reduction": agreement.reduction,
                 "note": note})  # fmt: skip
    targets = pd.DataFrame(rows).assign(direction="decrease", unit=agreement.unit)
    reported = series[["plant", "year", "value"]]
    tracked = pd.concat(
        [track_progress(targets[targets["level"] == level], reported[series["level"] == level],
                        tolerance=tolerance, as_of=as_of, key="plant")
         for level in ("plant", "sector")], ignore_index=True,
    )  # fmt: skip
    tracked.attrs.update(key="plant", tolerance=float(tolerance), as_of=as_of,
                         agreement=agreement.name, unit=agreement.unit)  # fmt: skip
    return tracked


# --------------------------------------------------------------------- the figure
def draw_progress(tracked: pd.DataFrame, series: pd.DataFrame, *, title: str = "") -> Figure:
    """Small multiples, one panel per target (at most `MAX_PANELS`, in a grid of three
    columns): reported values as a line with points, the trajectory dashed, the target as
    a star, the panel's title and points in the colour of its status."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    from ecocluster import figure_style as fs

    key = str(tracked.attrs.get("key") or _key(tracked, None))
    shown = tracked.iloc[:MAX_PANELS]
    if len(tracked) > len(shown):
        title = f"{title} (first {len(shown)} of {len(tracked)} targets)".strip()
    columns = max(1, min(3, len(shown)))
    rows = max(1, math.ceil(len(shown) / columns))
    with matplotlib.rc_context(fs.STYLE), fs.new_figure(0.6 + 1.9 * rows, title) as figure:
        if shown.empty:
            axes = figure.add_subplot()
            axes.set_axis_off()
            axes.text(0.5, 0.5, "No target to show", ha="center", va="center")
            return figure
        grid = figure.add_gridspec(rows, columns)
        for index, target in enumerate(shown.to_dict("records")):
            axes = figure.add_subplot(grid[index // columns, index % columns])
            colour = _STATUS_COLOURS.get(str(target["status"]), "#888888")
            name = target[key]
            points = series[series[key] == name].sort_values("year")
            if target.get("level", "") == "sector" and "level" in series.columns:
                points = points[points["level"] == "sector"]
            elif "level" in series.columns:
                points = points[points["level"] != "sector"]
            axes.plot(points["year"], points["value"], color=colour, marker="o", markersize=3.5,
                      linewidth=1.2)  # fmt: skip
            if math.isfinite(target["baseline_value"]) and math.isfinite(target["target_value"]):
                axes.plot([target["baseline_year"], target["target_year"]],
                          [target["baseline_value"], target["target_value"]],
                          color=fs.REFERENCE_COLOUR, linestyle="--", linewidth=1.0)  # fmt: skip
            if math.isfinite(target["target_value"]):
                axes.plot([target["target_year"]], [target["target_value"]], marker="*",
                          markersize=9, color=fs.REFERENCE_COLOUR, linestyle="none")  # fmt: skip
            label = fs.wrapped_text(f"{name}: {target['status']}", 28)
            axes.set_title(label, color=colour, fontsize=8.5, loc="left")
            axes.set_ylabel(fs.plain_text(target.get("unit", "")), fontsize=7.5)
            axes.tick_params(labelsize=7.5)
            axes.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            fs.value_axis(axes.yaxis)
            axes.grid(axis="y", color=fs.GRID_COLOUR, linewidth=0.5)
            for spine in ("left", "bottom"):
                axes.spines[spine].set_color(colour)
        handles = [
            Line2D([], [], color="#444444", marker="o", markersize=3.5, label="Reported"),
            Line2D([], [], color=fs.REFERENCE_COLOUR, linestyle="--", label="Trajectory"),
            Line2D([], [], color=fs.REFERENCE_COLOUR, marker="*", linestyle="none", markersize=9,
                   label="Target"),
        ]  # fmt: skip
        handles += [
            Line2D([], [], color=c, linewidth=3, label=s) for s, c in _STATUS_COLOURS.items()
        ]
        figure.legend(handles=handles, loc="outside lower center", ncols=7, fontsize=7.5)
    return figure


def write_progress(tracked: pd.DataFrame, series: pd.DataFrame, path: str | Path,
                   **kwargs: Any) -> Path:  # fmt: skip
    """`draw_progress` written to ``.svg`` or ``.png``, whole or not at all."""
    from ecocluster.figure_style import write_figure

    return write_figure(lambda: draw_progress(tracked, series, **kwargs), path)
