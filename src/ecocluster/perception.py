"""Perceived against measured pollution: what firms say beside what the samples show.

Surveys ask firms how serious noise, air and water pollution are in their locality; the
2007 instrument (``data/instruments/red-river-2007``, question 1) asks it on a scale of 1
("not serious at all") to 10 ("very serious"), and `compute_firm_indices` gives the
answers as ``seriousness_noise``, ``seriousness_air`` and ``seriousness_water``. A
monitoring campaign, assessed by `ecocluster.assessment.assess_samples`, says how often
the limits in force were exceeded. `compare_perception` sets the two side by side for
every cluster and form of pollution and writes a sentence on where they agree or not.

Rules:

* **Clusters match by folded name** (`ecocluster.normalize.fold_key`): "Bát Tràng" in a
  campaign, ``bat_trang`` in a survey and "BAT TRANG" are one cluster. A cluster with a
  survey but no samples, or samples but no survey, keeps its row with the missing side
  empty: the gap is a finding, not something to hide.
* **Forms of pollution map to media** (`MEDIUM_MAP`): noise to ``noise``, air to
  ``ambient_air``, water to ``surface_water`` and ``wastewater``. Groundwater is left out
  by default: the 2007 question asks about water pollution "(river/pond)".
* **Levels.** A mean score in the lower, middle or upper third of the scale reads as not,
  moderately or very serious (on 1-10: below 4, 4 to below 7, 7 and above); a firm
  "rates it serious" at `serious_from` (7) or more. Measured exceedance is low below 20%
  of the samples with a limit, moderate below 50%, high from 50%. The two agree when
  their levels are equal; otherwise the reading says which side is worse.
* The survey and the samples may come from different years; the reading names the years
  of the samples so that nobody mistakes the comparison for a simultaneous one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import fold_key, normalize_text

__all__ = ["COLUMNS", "MEDIUM_MAP", "compare_perception"]

#: Form of pollution (the firm column is ``seriousness_<form>``) → media measuring it.
MEDIUM_MAP: Final[Mapping[str, tuple[str, ...]]] = {
    "noise": ("noise",),
    "air": ("ambient_air",),
    "water": ("surface_water", "wastewater"),
}
COLUMNS: Final = (
    "cluster", "cluster_key", "pollution", "firms", "mean_score", "serious_share",
    "perceived_level", "media", "samples", "assessed", "exceeding", "share_exceeding",
    "worst_ratio", "worst_parameter", "worst_description", "standards", "years",
    "measured_level", "agreement", "reading",
)  # fmt: skip
_LEVELS: Final = ("low", "moderate", "high")
_SAYS: Final = {"low": "not serious", "moderate": "moderately serious", "high": "serious"}


def compare_perception(
    firms: pd.DataFrame,
    assessed: pd.DataFrame,
    *,
    medium_map: Mapping[str, Sequence[str]] = MEDIUM_MAP,
    scale: tuple[float, float] = (1, 10),
    serious_from: float = 7,
) -> pd.DataFrame:
    """One row per cluster and form of pollution (`COLUMNS`): the survey's scores beside
    the measured exceedance, and a ``reading`` computed from the numbers.

    `firms`: a firm table with ``cluster`` and ``seriousness_<form>`` columns (scores on
    `scale`); `assessed`: an `assess_samples` table with ``cluster`` and ``medium``.
    """
    low, high = scale
    owner: dict[str, str] = {}
    for form, media in medium_map.items():
        for medium in media:
            if medium in owner:
                raise InputError(f"medium {medium!r} is mapped to {owner[medium]} and {form}")
            owner[medium] = form
    for frame, what in ((firms, "firm table"), (assessed, "assessed samples")):
        if "cluster" not in frame.columns:
            raise InputError(f"the {what} have no 'cluster' column", column="cluster")
    perceived = _perceived(firms, list(medium_map), scale, serious_from)
    measured = _measured(assessed, owner)
    names = _names(firms, assessed)
    keys = sorted(set(perceived["cluster_key"]) | set(measured["cluster_key"]))
    grid = pd.DataFrame(
        [(k, form) for k in keys for form in medium_map], columns=["cluster_key", "pollution"]
    )
    table = grid.merge(perceived, how="left").merge(measured, how="left")
    table["cluster"] = table["cluster_key"].map(names)
    table["media"] = table["pollution"].map(lambda form: ", ".join(medium_map[form]))
    for column in ("firms", "samples", "assessed", "exceeding"):
        table[column] = table[column].fillna(0).astype(np.int64)
    felt = _level((table["mean_score"] - low) / (high - low), (1 / 3, 2 / 3))
    shown = _level(table["share_exceeding"], (0.2, 0.5))
    agreement = [_agreement(p, m) for p, m in zip(felt, shown, strict=True)]
    places = [_place(table, i, list(medium_map)) for i in range(len(table))]
    records = [{str(k): v for k, v in row.items()} for row in table.to_dict(orient="records")]
    table["reading"] = [
        _reading(row, (p, m, a), place, high, serious_from)
        for row, p, m, a, place in zip(records, felt, shown, agreement, places, strict=True)
    ]
    table["perceived_level"], table["measured_level"] = felt, shown
    table["agreement"] = agreement
    return table[list(COLUMNS)]


def _perceived(
    firms: pd.DataFrame, forms: list[str], scale: tuple[float, float], serious_from: float
) -> pd.DataFrame:
    """Firms answering, mean score and share rating it serious, per cluster and form."""
    keys = firms["cluster"].astype(object).map(_key)
    records = []
    for form in forms:
        column = f"seriousness_{form}"
        if column not in firms.columns:
            continue
        scores = pd.to_numeric(firms[column], errors="coerce").astype(float)
        outside = scores.notna() & ~scores.between(*scale)
        if outside.any():
            first = scores[outside].iloc[0]
            message = f"{column} {first:g} is outside the scale {scale[0]:g}-{scale[1]:g}"
            raise InputError(message, column=column, rule="scale")
        frame = pd.DataFrame({"cluster_key": keys, "score": scores}).dropna()
        for key, group in frame[frame["cluster_key"] != ""].groupby("cluster_key"):
            answered = group["score"]
            records.append({
                "cluster_key": key, "pollution": form, "firms": len(answered),
                "mean_score": float(answered.mean()),
                "serious_share": float((answered >= serious_from).mean()),
            })  # fmt: skip
    columns = ["cluster_key", "pollution", "firms", "mean_score", "serious_share"]
    return pd.DataFrame(records, columns=columns)


def _measured(assessed: pd.DataFrame, owner: Mapping[str, str]) -> pd.DataFrame:
    """Samples, exceedance, the worst parameter and the standards, per cluster and form."""
    from ecocluster.assessment import summarise_exceedance, worst_parameters

    columns = ["cluster_key", "pollution", "samples", "assessed", "exceeding",
               "share_exceeding", "worst_ratio", "worst_parameter", "worst_description",
               "standards", "years"]  # fmt: skip
    frame = assessed.assign(
        cluster_key=assessed["cluster"].astype(object).map(_key),
        pollution=assessed["medium"].astype(object).map(owner),
    )
    frame = frame[frame["pollution"].notna() & (frame["cluster_key"] != "")]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    by = ["cluster_key", "pollution"]
    summary = summarise_exceedance(frame, by, period=None)
    summary = summary.rename(columns={"share": "share_exceeding"})
    worst = worst_parameters(frame, by, n=1)
    worst = worst.rename(columns={"max_ratio": "worst_ratio", "description": "worst_description"})
    worst["worst_parameter"] = worst["parameter"].astype(str)
    summary = summary.merge(worst[[*by, "worst_ratio", "worst_parameter", "worst_description"]],
                            how="left", on=by)  # fmt: skip
    years = pd.to_datetime(frame["time"]).dt.year
    extra = frame.assign(year=years).groupby(by).agg(
        first=("year", "min"), last=("year", "max"),
        standards=("standard", lambda s: ", ".join(s.dropna().astype(str).value_counts().index)),
    )  # fmt: skip
    extra["years"] = [f"{a}" if a == b else f"{a}–{b}" for a, b in zip(
        extra["first"], extra["last"], strict=True)]  # fmt: skip
    summary = summary.merge(extra[["standards", "years"]].reset_index(), how="left", on=by)
    return summary[columns]


def _key(value: object) -> str:
    return "" if value is None or value is pd.NA or value != value else fold_key(str(value))


def _names(firms: pd.DataFrame, assessed: pd.DataFrame) -> dict[str, str]:
    """Display names: as the campaign writes them (diacritics kept), else the survey's
    labels of its cluster codes, else the code made readable."""
    names: dict[str, str] = {}
    labels = firms.attrs.get("ecocluster_labels", {}).get("cluster", {})
    for value in firms["cluster"].dropna().unique():
        text = normalize_text(str(value))
        readable = text.replace("_", " ").title() if re.fullmatch(r"[a-z0-9_]+", text) else text
        names.setdefault(_key(value), normalize_text(labels.get(str(value), readable)))
    for value in assessed["cluster"].dropna().unique():
        names[_key(value)] = normalize_text(str(value))
    return names


def _level(values: pd.Series, cuts: tuple[float, float]) -> list[str | None]:
    """ "low", "moderate" or "high" by two cut points; None where there is no value."""
    return [None if v != v else _LEVELS[int(np.searchsorted(cuts, v, "right"))]
            for v in values.astype(float)]  # fmt: skip


def _agreement(perceived: str | None, measured: str | None) -> str:
    if perceived is None or measured is None:
        return "no data" if perceived == measured else "no survey" if measured else "no measurement"
    gap = _LEVELS.index(measured) - _LEVELS.index(perceived)
    return "agree" if gap == 0 else "measured worse" if gap > 0 else "perceived worse"


def _place(table: pd.DataFrame, at: int, forms: list[str]) -> str:
    """ ", the most serious of noise, air and water" where the row's mean score is the one
    highest (or lowest) of its cluster's answered forms; "" otherwise."""
    row = table.iloc[at]
    scores = table[(table["cluster_key"] == row["cluster_key"]) & table["mean_score"].notna()]
    if len(scores) < 2 or pd.isna(row["mean_score"]):
        return ""
    others = scores["mean_score"][scores["pollution"] != row["pollution"]]
    answered = [form for form in forms if form in set(scores["pollution"])]
    listed = _listed(answered)
    if (others < row["mean_score"]).all():
        return f", the most serious of {listed}"
    if (others > row["mean_score"]).all():
        return f", the least serious of {listed}"
    return ""


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _reading(
    row: Mapping[str, Any], levels: tuple[str | None, str | None, str], where: str,
    top: float, serious: float,
) -> str:  # fmt: skip
    """The sentence: the survey's side, the samples' side and which way they differ."""
    form = row["pollution"]
    perceived, measured, agreement = levels
    said = ""
    if perceived is not None:
        said = (f"Firms rate {form} pollution {_SAYS[perceived]}{where} (mean "
                f"{row['mean_score']:.3g} of {top:g}; {row['serious_share']:.0%} of "
                f"{row['firms']} firms give {serious:g} or more)")  # fmt: skip
    shown = ""
    if measured is not None:
        share, count = row["share_exceeding"], row["assessed"]
        only = "only " if perceived in ("moderate", "high") and measured == "low" else ""
        standards = _listed(str(row["standards"]).split(", "))
        shown = (f"{only}{share:.0%} of {count} {form} samples ({row['years']}) exceed the "
                 f"limits of {standards}")  # fmt: skip
        if isinstance(row["worst_description"], str) and share > 0:
            shown += f"; worst: {row['worst_description']}"
    if agreement == "no data":
        return f"No survey answers and no {form} samples with a limit."
    if agreement == "no survey":
        return f"No firm of {row['cluster']} answered on {form} pollution; {shown}."
    if agreement == "no measurement":
        why = "none has a limit in force" if row["samples"] else "none was taken"
        return f"{said}; no {form} samples to compare ({why})."
    if agreement == "agree":
        return f"{said}, and {shown}: perception and measurement agree."
    joint = "yet" if agreement == "measured worse" else "but"
    return f"{said}, {joint} {shown}."
