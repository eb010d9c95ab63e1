"""Eco-industrial cluster (EIC) profiles: the key factors of a cluster, from data and by hand.

The factors are those of the comparative evaluation of four Asian eco-industrial clusters
in Anbumozhi's IGES work (sericulture in Hosur, wood in Maniwa, rice in Chachoengsao, fish
in An Giang): small businesses, nature of market, key players, evidence of inter-firm
networks, key benefits, role of community and support institutions, major constraint. The
four published profiles ship as data (``data/eic/published_clusters.csv``); a surveyed
cluster gets its profile from the survey's evidence, and from a hand profile where the
survey says nothing.

API (pure; a `SurveyAnalysis` is only read):

* ``KEY_FACTORS``, ``DESCRIPTORS``: keys -> English labels; ``profile_columns()``.
* ``published_profiles() -> DataFrame``: the four published clusters.
* ``compute_cluster_evidence(analysis, *, wide=None, small_below=50) -> DataFrame``: one row
  per (cluster, indicator): ``value`` (a number), ``code`` (machine value of a text
  indicator), ``display``, ``label``, ``unit``, ``basis`` (which table or network and how
  many firms) and ``n`` (firms behind). `wide`, the answers the analysis came from, adds
  the constraint indicators, which the analysis does not keep. ``cluster_evidence(firms,
  network=, wide=, instrument=)`` does the same from the parts, for all clusters at once.
  ``indicators()`` lists every indicator with its meaning (``data/eic/indicators.csv``,
  which also defines the firm-table and network shares); one that cannot be computed
  (concept not mapped, nobody answered) has no row, never a made-up 0.
  ``evidence_by_cluster`` and ``format_indicator`` read and print it.
* ``compute_eic_profiles(analysis, hand=None, *, evidence=None, prefer="data")``: one row
  per surveyed cluster, the columns of the published profiles plus, per factor,
  ``<factor>_provenance`` (data, hand, missing; published rows say published) and
  ``<factor>_evidence`` (the indicators used, or the hand row and its source).
* ``read_hand_profiles(path, clusters=None)``: a CSV with cluster, factor, value, source;
  every problem (missing column, empty cell, unknown factor or cluster, a cluster's factor
  given twice) is listed in one `InputError` naming file, row and column.
  ``bundled_hand_profiles(example)``: the one shipped for a bundled example.
* ``read_profiles(path)``: whole profiles written out in the published file's layout.
* ``compare_profiles(*profiles, clusters=None)``: factor rows x cluster columns.

Data rules (thresholds are the constants below; percentages 0-100):

* Small businesses: surveyed firms with fewer than `small_below` employees (50, the common
  line between small and medium firms). It counts the sample, not the cluster; a census
  count belongs in the hand profile with ``prefer="hand"``.
* Nature of market: mean export share >= 50% "Mainly export", >= 10% "Domestic and
  export", else "Mainly domestic"; foreign buyers are named where they press at least a
  quarter of the firms. The survey cannot tell supply-led from demand-led markets.
* Key players: the first actors of the cluster's outreach ranking until they reach half
  of its firms (at most three).
* Inter-firm networks: firms learning from other firms of the cluster (knowledge or
  equipment ties): >= 25% "Horizontal links", > 0 "Weak horizontal links", else none;
  with ties per firm and density.
* Community and support institutions: firms advised by associations, universities,
  training, consultants or government: >= 40% "Significant", >= 15% "Some", > 0
  "Limited", else "None reported"; with the share aware of community complaints.
* Major constraint: the constraint most firms name.
* Key benefits: the survey measures none; hand only.

With ``prefer="data"`` a data-filled factor stays and an unused hand value is noted in its
evidence; ``prefer="hand"`` lets hand values replace data.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pandas as pd

from ecocluster.eic_evidence import (
    EVIDENCE_COLUMNS,
    _data_file,
    cluster_evidence,
    compute_cluster_evidence,
    evidence_by_cluster,
    format_indicator,
    indicators,
)
from ecocluster.errors import EcoclusterError, InputError
from ecocluster.normalize import fold_key, normalize_text

if TYPE_CHECKING:
    from ecocluster.analysis import SurveyAnalysis

__all__ = [
    "DESCRIPTORS",
    "EVIDENCE_COLUMNS",
    "KEY_FACTORS",
    "NOT_KNOWN",
    "bundled_hand_profiles",
    "cluster_evidence",
    "compare_profiles",
    "compute_cluster_evidence",
    "compute_eic_profiles",
    "evidence_by_cluster",
    "format_indicator",
    "indicators",
    "profile_columns",
    "published_profiles",
    "read_hand_profiles",
    "read_profiles",
]

KEY_FACTORS: Final[dict[str, str]] = {
    "small_businesses": "Small businesses",
    "nature_of_market": "Nature of market",
    "key_players": "Key players",
    "inter_firm_networks": "Evidence of inter-firm networks",
    "key_benefits": "Key benefits",
    "support_institutions": "Role of community and support institutions",
    "major_constraint": "Major constraint",
}
DESCRIPTORS: Final[dict[str, str]] = {"country": "Country", "sector": "Sector", "place": "Place"}
NOT_KNOWN: Final = "not known"
EXPORT_LEVELS: Final = ((50.0, "Mainly export"), (10.0, "Domestic and export"))
FOREIGN_BUYERS: Final = 25.0
HORIZONTAL_LEVELS: Final = ((25.0, "Horizontal links"), (1e-9, "Weak horizontal links"))
INSTITUTION_LEVELS: Final = ((40.0, "Significant"), (15.0, "Some"), (1e-9, "Limited"))
_HAND_COLUMNS: Final = ["cluster", "factor", "value", "source", "_where"]


def _level(value: float, levels: Iterable[tuple[float, str]], default: str) -> str:
    return next((word for floor, word in levels if value >= floor), default)


# --------------------------------------------------------------------- profiles
_Found = tuple[str, list[str]]


class _View:
    """One cluster's evidence, by indicator."""

    def __init__(self, rows: Mapping[str, Mapping[str, Any]]) -> None:
        self.rows = rows

    def number(self, indicator: str) -> float | None:
        row = self.rows.get(indicator)
        return float(row["value"]) if row is not None and np.isfinite(row["value"]) else None

    def text(self, indicator: str) -> str:
        row = self.rows.get(indicator)
        return str(row["display"]) if row is not None else ""

    def cite(self, indicators: Iterable[str]) -> str:
        return "; ".join(f"{i} = {self.text(i)}" for i in indicators if i in self.rows)


def _small(view: _View) -> _Found | None:
    small, surveyed = view.number("small_firms"), view.number("firms_surveyed")
    if small is None or surveyed is None:
        return None
    line = re.sub(r"^[^(]*", "", str(view.rows["small_firms"]["label"]))
    return f"{small:.0f} of {surveyed:.0f} firms surveyed {line}".strip(), [
        "small_firms",
        "firms_surveyed",
    ]


def _market(view: _View) -> _Found | None:
    mean = view.number("export_share_mean")
    if mean is None:
        return None
    parts, used = [f"mean export share {view.text('export_share_mean')}"], ["export_share_mean"]
    if "exporter_share" in view.rows:
        parts.append(f"{view.text('exporter_share')} of firms export")
        used.append("exporter_share")
    if (view.number("foreign_buyer_pressure_share") or 0.0) >= FOREIGN_BUYERS:
        origins = view.text("foreign_buyer_origins")
        who = f"foreign buyers ({origins})" if origins else "foreign buyers"
        parts.append(f"{who} press {view.text('foreign_buyer_pressure_share')} of firms")
        used += ["foreign_buyer_pressure_share", "foreign_buyer_origins"]
    return f"{_level(mean, EXPORT_LEVELS, 'Mainly domestic')} ({'; '.join(parts)})", used


def _players(view: _View) -> _Found | None:
    return (view.text("key_players"), ["key_players"]) if "key_players" in view.rows else None


def _networks(view: _View) -> _Found | None:
    similar = view.number("similar_firm_share")
    if similar is None:
        return None
    text = f"{view.text('similar_firm_share')} of firms learn from other firms of the cluster"
    level = _level(similar, HORIZONTAL_LEVELS, "")
    text = f"{level}: {text}" if level else "No ties among the cluster's firms reported"
    extra = [f"{view.text('ties_per_firm')} ties per firm"] if "ties_per_firm" in view.rows else []
    extra += [f"density {view.text('network_density')}"] if "network_density" in view.rows else []
    text += f" ({', '.join(extra)})" if extra else ""
    return text, ["similar_firm_share", "ties_per_firm", "network_density"]


def _institutions(view: _View) -> _Found | None:
    share = view.number("institution_share")
    if share is None:
        return None
    text = (
        f"{_level(share, INSTITUTION_LEVELS, 'None reported')}: "
        f"{view.text('institution_share')} of firms get knowledge or equipment advice from "
        "associations, universities, training, consultants or government"
    )
    if "complaint_share" in view.rows:
        text += f"; community complaints known to {view.text('complaint_share')} of firms"
    return text, ["institution_share", "complaint_share"]


def _constraint(view: _View) -> _Found | None:
    if "top_constraint" not in view.rows:
        return None
    share = format_indicator(float(view.rows["top_constraint"]["value"]), "percent")
    return f"{view.text('top_constraint')} (named by {share} of firms)", ["top_constraint"]


_RULES: Final[dict[str, Callable[[_View], _Found | None]]] = {
    "small_businesses": _small,
    "nature_of_market": _market,
    "key_players": _players,
    "inter_firm_networks": _networks,
    "support_institutions": _institutions,
    "major_constraint": _constraint,
}


def profile_columns() -> list[str]:
    """Columns of every profile table: descriptors, each factor with provenance and evidence."""
    factors = [c for f in KEY_FACTORS for c in (f, f"{f}_provenance", f"{f}_evidence")]
    return ["id", "name", *DESCRIPTORS, *factors, "source"]


def compute_eic_profiles(
    analysis: SurveyAnalysis | None,
    hand: pd.DataFrame | None = None,
    *,
    evidence: pd.DataFrame | None = None,
    prefer: Literal["data", "hand"] = "data",
) -> pd.DataFrame:
    """One profile per surveyed cluster: factors from the evidence, else by hand.

    `evidence` (`compute_cluster_evidence`'s table) saves computing it again and can carry
    the constraint indicators; `hand` is `read_hand_profiles`' table (or one like it).
    """
    if prefer not in ("data", "hand"):
        raise InputError(f"prefer must be 'data' or 'hand', not {prefer!r}", rule="prefer")
    if evidence is None:
        if analysis is None:
            raise InputError("give an analysis or its evidence", rule="no-evidence")
        evidence = compute_cluster_evidence(analysis)
    clusters = dict(zip(evidence["cluster"], evidence["cluster_label"], strict=True))
    grouped = evidence_by_cluster(evidence)
    given = _check_hand(hand, clusters) if hand is not None else pd.DataFrame(columns=_HAND_COLUMNS)
    by_hand = {(str(r["cluster"]), str(r["factor"])): r for _, r in given.iterrows()}
    rows: list[dict[str, str]] = []
    for key, label in clusters.items():
        view = _View(grouped.get(key, {}))
        place = f"{label}, {view.text('province')}" if "province" in view.rows else label
        row = {"id": key, "name": label, "country": "", "sector": "", "place": place}
        row |= {d: str(by_hand[(key, d)]["value"]) for d in DESCRIPTORS if (key, d) in by_hand}
        for factor in KEY_FACTORS:
            found = _RULES[factor](view) if factor in _RULES else None
            manual = by_hand.get((key, factor))
            if manual is not None and (found is None or prefer == "hand"):
                note = f"; replaces the data's {found[0]!r}" if found else ""
                cells = (str(manual["value"]), "hand", _hand_source(manual) + note)
            elif found is not None:
                note = f"; hand value {manual['value']!r} not used" if manual is not None else ""
                cells = (found[0], "data", view.cite(found[1]) + note)
            else:
                cells = (NOT_KNOWN, "missing", "")
            row |= dict(
                zip((factor, f"{factor}_provenance", f"{factor}_evidence"), cells, strict=True)
            )
        row["source"] = "survey evidence" + ("; hand profile" if len(given) else "")
        rows.append(row)
    return pd.DataFrame(rows, columns=profile_columns())


def _hand_source(row: pd.Series) -> str:
    source = str(row.get("source", "") or "").strip()
    return f"hand, {row['_where']}" + (f": {source}" if source else "")


def _given(table: pd.DataFrame, provenance: str) -> pd.DataFrame:
    """A table of written profiles shaped as computed ones: every factor ``provenance``."""
    for factor in KEY_FACTORS:
        table[f"{factor}_provenance"], table[f"{factor}_evidence"] = provenance, table["source"]
    return table[profile_columns()].reset_index(drop=True)


def published_profiles() -> pd.DataFrame:
    """The four clusters of the IGES comparative evaluation, shaped as computed profiles."""
    text = _data_file("eic", "published_clusters.csv").read_text(encoding="utf-8")
    table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).map(normalize_text)
    missing = [c for c in ("id", "name", *DESCRIPTORS, *KEY_FACTORS, "source") if c not in table]
    if missing:
        raise EcoclusterError(f"published_clusters.csv lacks the columns {missing}")
    return _given(table, "published")


def read_profiles(path: str | Path) -> pd.DataFrame:
    """Profiles of clusters written out whole (the published file's layout: id, name and
    any of the descriptors, factors and source), to compare with any others; a factor
    left out or empty is "not known"."""
    from ecocluster.problems import Problem, read_table, refuse

    table = read_table(path, ("id", "name"), (*DESCRIPTORS, *KEY_FACTORS, "source"))
    file, problems, seen = str(path), [], dict[str, int]()
    for row, key in zip(table.index, table["id"], strict=True):
        if not key:
            problems.append(Problem(file, int(row), "id", "empty-id", "the profile has no id"))
        elif key in seen:
            message = f"cluster {key!r} is profiled again (first in row {seen[key]})"
            problems.append(Problem(file, int(row), "id", "duplicate-cluster", message))
        seen.setdefault(key, int(row))
    if problems:
        raise refuse(problems, "the profile file was")
    table = table.map(normalize_text)
    for factor in KEY_FACTORS:
        table[factor] = table[factor].replace("", NOT_KNOWN)
    table["source"] = table["source"].replace("", Path(file).name)
    return _given(table, "given")


# --------------------------------------------------------------------- hand profiles
def _factor_key(text: str) -> str | None:
    folded = fold_key(text)
    factors = {**KEY_FACTORS, **DESCRIPTORS}
    return next((k for k, v in factors.items() if folded in (fold_key(k), fold_key(v))), None)


def _check_hand(hand: pd.DataFrame, clusters: Mapping[str, str] | None) -> pd.DataFrame:
    """The hand table with factor and cluster keys, or one error listing every problem."""
    from ecocluster.problems import Problem, refuse

    file = str(hand.attrs.get("file", "hand profile"))
    problems = [
        Problem(file, 1, name, "missing-column", f"the table has no {name!r} column")
        for name in ("cluster", "factor", "value")
        if name not in hand.columns
    ]
    if problems:
        raise refuse(problems, "the hand profile was")
    rows = [int(i) for i in hand.index] if "file" in hand.attrs else list(range(2, len(hand) + 2))
    known = {fold_key(k): k for k in clusters or {}} | {
        fold_key(v): k for k, v in (clusters or {}).items()
    }
    out: list[dict[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for row, (_, record) in zip(rows, hand.iterrows(), strict=True):
        cells = {c: normalize_text(str(record.get(c, "") or "")) for c in (*_HAND_COLUMNS[:4],)}

        def problem(column: str, rule: str, message: str, row: int = row) -> None:
            problems.append(Problem(file, row, column, rule, message))

        for column in ("cluster", "factor", "value"):
            if not cells[column]:
                problem(column, "empty-cell", f"the row has no {column}")
        factor, cluster = _factor_key(cells["factor"]), cells["cluster"]
        if cells["factor"] and factor is None:
            names = ", ".join([*KEY_FACTORS, *DESCRIPTORS])
            problem("factor", "unknown-factor", f"unknown factor {cells['factor']!r}; use {names}")
        if cluster and clusters is not None and fold_key(cluster) not in known:
            listed = ", ".join(clusters.values()) or "none"
            problem("cluster", "unknown-cluster", f"unknown cluster {cluster!r}; known: {listed}")
        key = known.get(fold_key(cluster), fold_key(cluster))
        if factor is not None and cluster:
            first = seen.setdefault((key, factor), row)
            if first != row:
                again = f"{factor!r} of {cluster!r} is given again (first in row {first})"
                problem("factor", "duplicate-factor", again)
        where = f"{Path(file).name} row {row}"
        out.append(cells | {"cluster": key, "factor": factor or cells["factor"], "_where": where})
    if problems:
        raise refuse(problems, "the hand profile was")
    frame = pd.DataFrame(out, columns=_HAND_COLUMNS, index=pd.Index(rows, name="row"))
    frame.attrs["file"] = file
    return frame


def read_hand_profiles(
    path: str | Path, clusters: Mapping[str, str] | Sequence[str] | None = None
) -> pd.DataFrame:
    """A hand profile CSV: columns cluster, factor, value and (optional) source.

    Factors are keys or labels of `KEY_FACTORS` and `DESCRIPTORS`, in any case; clusters
    match by folded name. With `clusters` (keys, or keys -> labels) an unknown cluster is
    an error here; otherwise `compute_eic_profiles` checks it against the survey.
    """
    from ecocluster.problems import read_table

    table = read_table(path, ("cluster", "factor", "value"), ("source",))
    if clusters is not None and not isinstance(clusters, Mapping):
        clusters = {str(c): str(c) for c in clusters}
    return _check_hand(table, clusters)


def bundled_hand_profiles(example: str) -> pd.DataFrame | None:
    """The hand profile shipped for a bundled example (``data/eic/hand/<example>.csv``)."""
    path = _data_file("eic", "hand", f"{example}.csv")
    if not path.is_file():
        return None
    with resources.as_file(path) as local:
        return read_hand_profiles(local)


# --------------------------------------------------------------------- comparison
def compare_profiles(
    *profiles: pd.DataFrame, clusters: Sequence[str] | None = None
) -> pd.DataFrame:
    """Factor rows x cluster columns; the published four when no profiles are given.

    `clusters` picks and orders the columns by id or name (folded: "Bát Tràng" finds
    ``bat_trang``); a cluster in two tables, or asked for and absent, is an error.
    """
    tables = profiles or (published_profiles(),)
    joined = pd.concat([t[profile_columns()] for t in tables], ignore_index=True)
    repeated = joined["id"][joined["id"].duplicated()]
    if len(repeated):
        message = f"cluster {repeated.iloc[0]!r} is in more than one profile table"
        raise InputError(message, rule="duplicate-cluster")
    if clusters is not None:
        index = {
            fold_key(str(v)): i for c in ("place", "name", "id") for i, v in enumerate(joined[c])
        }
        absent = [c for c in clusters if fold_key(c) not in index]
        if absent:
            known = ", ".join(joined["id"])
            message = f"no profile for cluster {absent[0]!r}; profiles: {known}"
            raise InputError(message, rule="unknown-cluster")
        joined = joined.iloc[[index[fold_key(c)] for c in clusters]]
    names = joined["name"].tolist()
    headings = [
        f"{n} ({i})" if names.count(n) > 1 else n for n, i in zip(names, joined["id"], strict=True)
    ]
    fields = {**DESCRIPTORS, **KEY_FACTORS, "source": "Source"}
    cells = [joined[f].tolist() for f in fields]
    return pd.DataFrame(
        cells, index=pd.Index(list(fields.values()), name="factor"), columns=headings
    )
