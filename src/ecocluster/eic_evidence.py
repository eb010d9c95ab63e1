"""The evidence behind a cluster's eco-industrial profile and its policy recommendations.

One row per (cluster, indicator): figures from the firm table, the constraint answers and
the cluster's own innovation network, each with the firms behind it and where it comes
from. The indicators and their meanings are data (``data/eic/indicators.csv``); one that
cannot be computed (concept not mapped, nobody answered) has no row, never a made-up 0.
`ecocluster.eic` turns the evidence into profiles and `ecocluster.policy` into
recommendations.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, cast

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import normalize_text

if TYPE_CHECKING:
    from ecocluster.analysis import SurveyAnalysis
    from ecocluster.instrument import Instrument
    from ecocluster.network import Network

SMALL_BELOW: Final = 50
KEY_PLAYERS_REACH: Final = 0.5
KEY_PLAYERS_MAX: Final = 3
#: Words (NFC, any case) that make an "other" constraint a shortage of land or premises.
LAND_WORDS: Final = ("land", "premises", "plot", "site", "space", "đất", "mặt bằng")
_LAND = re.compile(r"\b(?:" + "|".join(map(re.escape, LAND_WORDS)) + r")\b", re.IGNORECASE)
EVIDENCE_COLUMNS: Final = (
    *("cluster", "cluster_label", "indicator", "label", "value", "code", "display"),
    *("unit", "basis", "n"),
)


def _data_file(*parts: str) -> Any:
    return resources.files("ecocluster").joinpath("data", *parts)


@lru_cache(maxsize=1)
def _indicator_table() -> pd.DataFrame:
    text = _data_file("eic", "indicators.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).set_index("indicator")


@lru_cache(maxsize=1)
def _meta() -> dict[str, tuple[str, str]]:
    table = _indicator_table()
    return {str(k): (str(r["label"]), str(r["unit"])) for k, r in table.iterrows()}


def indicators() -> pd.DataFrame:
    """Every evidence indicator: label, unit, where it comes from and what it means.

    ``column`` is a firm-table column (``how``: ``share`` of the answering firms with a
    value above 0, or ``mean``), ``constraints`` (the constraint answers) or ``network``.
    """
    return _indicator_table().copy()


def format_indicator(value: float, unit: str) -> str:
    """An indicator's value as printed: whole percents (two decimals below 1%, as Table 2
    prints 0.03%), scores to two decimals without trailing zeros."""
    from ecocluster.tables import format_number

    if unit == "percent":
        return format_number(value, 2 if 0 < abs(value) < 1 else 0) + "%"
    if unit == "score":
        return format_number(value, 2).rstrip("0").rstrip(".")
    return format_number(value, {"per firm": 1, "ratio": 3}.get(unit, 0))


def _plain_label(label: str) -> str:
    """An external actor's label without the cluster name the network appends to it."""
    return re.sub(r" \([^()]*\)$", "", label)


# --------------------------------------------------------------------- evidence
@dataclass
class _Figure:
    """One indicator for every cluster: values, firms behind them, and where they come from.

    `basis` may use ``{n}`` (firms behind) and ``{of}`` (firms of the cluster); `code`
    and `display` give a text indicator's values.
    """

    name: str
    value: pd.Series
    n: pd.Series
    basis: str
    code: pd.Series | None = None
    display: pd.Series | None = None
    label: str = ""


def _tally(codes: np.ndarray, keys: Sequence[str], x: np.ndarray) -> tuple[pd.Series, ...]:
    """Per cluster: firms with a value, the sum of the values and firms with a value above 0."""
    known = ~np.isnan(x) & (codes >= 0)
    group, kept = codes[known], x[known]
    sums = (np.ones(len(kept)), kept, (kept > 0).astype(np.float64))
    index = pd.Index(list(keys))
    return tuple(pd.Series(np.bincount(group, w, len(keys)), index=index) for w in sums)


def _firm_figures(
    firms: pd.DataFrame, codes: np.ndarray, keys: Sequence[str], small: int, provinces: Any
) -> list[_Figure]:
    numeric = [str(c) for c in firms if pd.api.types.is_numeric_dtype(firms[c])]
    column = {c: firms[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in numeric}
    size = _tally(codes, keys, np.zeros(len(codes)))[0]
    figures = [_Figure("firms_surveyed", size, size, "firm table: {of} firms of the cluster")]
    sources: list[tuple[str, str, np.ndarray]] = []
    if "EMPL" in column:
        employees = column["EMPL"]
        below = np.where(np.isnan(employees), np.nan, employees < small)
        sources += [("small_firms", "count", below), ("small_firm_share", "share", below)]
        sources.append(("employees_total", "sum", employees))
    table = _indicator_table()
    for name, meta in table[(table["how"] != "") & (table["ties"] == "")].iterrows():
        if str(meta["column"]) in column:
            sources.append((str(name), str(meta["how"]), column[str(meta["column"])]))
    support = [c for c in column if c.startswith("support_")]
    if support:
        sought = np.column_stack([column[c] for c in support])
        flag = np.where(np.isnan(sought).all(axis=1), np.nan, (sought > 0).any(axis=1))
        sources.append(("support_sought_share", "share", flag))
    for name, how, x in sources:
        answered, total, positive = _tally(codes, keys, x)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = {"count": positive, "sum": total, "mean": total / answered}.get(
                how, 100.0 * positive / answered
            )
        what = {"small_firms": f"EMPL < {small}", "small_firm_share": f"EMPL < {small}"}
        basis = f"firm table, {what.get(name, _basis_column(name, how))}; {{n}} of {{of}} firms"
        label = f"Small firms surveyed (fewer than {small} employees)" * (name == "small_firms")
        figures.append(_Figure(name, value, answered, basis, label=label))
    if "province" in firms:
        named = pd.DataFrame({"g": codes, "p": firms["province"].to_numpy(dtype=object)})
        named = named[named["g"] >= 0].dropna().value_counts().reset_index(name="n")
        named["g"] = np.asarray(keys, dtype=object)[named["g"].to_numpy(dtype=np.intp)]
        named = named.sort_values(["g", "n", "p"], ascending=[True, False, True])
        found = named.groupby("g")["n"].sum()
        top = named.drop_duplicates("g").set_index("g")["p"].astype(str)
        shown = top.map(lambda p: provinces.get(p, p))
        basis = "firm table, province; {n} of {of} firms"
        nothing = pd.Series(np.nan, index=top.index)
        figures.append(_Figure("province", nothing, found, basis, top, shown))
    return figures


def _basis_column(name: str, how: str) -> str:
    column = "EMPL" if name == "employees_total" else str(_indicator_table().at[name, "column"])
    return {"mean": f"mean of {column}", "sum": f"sum of {column}"}.get(how, column)


def _other_text(instrument: Instrument, question: str, wide: pd.DataFrame) -> str | None:
    """The text question that says what the ``other`` choice of `question` is."""
    asked = re.compile(r"selected\(\s*\$\{" + re.escape(question) + r"\}\s*,\s*'other'\s*\)")
    for candidate in instrument.questions.values():
        if candidate.type == "text" and asked.search(candidate.relevant or ""):
            return candidate.name if candidate.name in wide else None
    return None


def _constraint_figures(
    codes: np.ndarray, keys: Sequence[str], wide: pd.DataFrame, instrument: Instrument
) -> list[_Figure]:
    from ecocluster.indices import compute_constraint_scores

    question = instrument.concepts.get("constraints")
    if question is None or question not in wide.columns:
        return []
    if len(wide) != len(codes):
        raise InputError("the answers and the firm table differ in length", rule="firms")
    groups = np.asarray([*keys, None], dtype=object)[np.where(codes < 0, len(keys), codes)]
    scores = compute_constraint_scores(wide, instrument, groups=groups).reset_index()
    scores = scores.rename(columns={"group": "cluster", "constraint": "name"})
    scores = scores.assign(order=scores.groupby("cluster").cumcount(), _pcc=scores.get("pcc", 0))
    scores = scores[scores["respondents"] > 0]
    basis = f"answers to {question}; {{n}} firms answered"
    figures = []
    for name, part in scores.groupby("name", sort=False):
        if f"constraint_{name}" in _meta():
            indexed = part.set_index("cluster")
            figures.append(
                _Figure(f"constraint_{name}", indexed["share"], indexed["respondents"], basis)
            )
    ranked = scores.sort_values(["mentions", "_pcc", "order"], ascending=[False, False, True])
    top = ranked.drop_duplicates("cluster").set_index("cluster")
    top = top[top["mentions"] > 0]
    what = f"{basis}; most named, ties by the rank score"
    figures.append(
        _Figure("top_constraint", top["share"], top["respondents"], what, top["name"], top["label"])
    )
    other = _other_text(instrument, question, wide)
    if other is not None:
        land = [bool(_LAND.search(normalize_text(str(t)))) for t in wide[other].fillna("")]
        counted = _tally(codes, keys, np.asarray(land, dtype=np.float64))[2]
        base = scores.drop_duplicates("cluster").set_index("cluster")["respondents"]
        share = 100.0 * counted.reindex(base.index) / base
        figures.append(_Figure("constraint_land", share, base, f"{basis}; {other} names land"))
    return figures


def _outreach(knowledge: pd.DataFrame) -> dict[str, list[tuple[str, int, int]]]:
    """Per cluster, `rank_outreach`'s greedy picks: (actor, firms it reaches, cumulative)."""
    reach: dict[str, dict[str, set[str]]] = {}
    for cluster, source, target in knowledge[["cluster", "source", "target"]].to_numpy():
        reach.setdefault(cluster, {}).setdefault(source, set()).add(target)
    picks: dict[str, list[tuple[str, int, int]]] = {}
    for cluster, candidates in reach.items():
        covered: set[str] = set()
        chosen = picks.setdefault(cluster, [])
        while len(chosen) < KEY_PLAYERS_MAX and candidates:
            best = min(candidates.items(), key=lambda c: (-len(c[1] - covered), -len(c[1]), c[0]))
            if not best[1] - covered:
                break
            covered |= best[1]
            chosen.append((best[0], len(best[1]), len(covered)))
            del candidates[best[0]]
    return picks


def _outreach_figures(
    picks: Mapping[str, list[tuple[str, int, int]]], firms: pd.Series, actors: pd.DataFrame
) -> list[_Figure]:
    """Central actor, its reach, the top three's reach and the key players of each cluster."""
    kind = dict(zip(actors["id"], actors["kind"], strict=True))
    label = {k: _plain_label(str(v)) for k, v in zip(actors["id"], actors["label"], strict=True)}
    rows = {}
    for key, chosen in picks.items():
        n = int(firms[key])
        enough = [p[2] >= KEY_PLAYERS_REACH * n for p in chosen]
        players = chosen[: enough.index(True) + 1] if True in enough else chosen
        rows[key] = {
            "central": 100.0 * chosen[0][2] / n,
            "central_code": kind[chosen[0][0]],
            "central_name": label[chosen[0][0]],
            "top": 100.0 * chosen[-1][2] / n,
            "players": 100.0 * players[-1][2] / n,
            "players_code": " ".join(kind[a] for a, _, _ in players),
            "players_name": "; ".join(f"{label[a]} ({m} of {n} firms)" for a, m, _ in players),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    if table.empty:
        return []
    basis = "innovation network of {cluster}: outreach ranking of knowledge ties; {n} firms"
    behind = firms.reindex(table.index)
    return [
        _Figure("central_actor", table["central"], behind, basis, *_text(table, "central")),
        _Figure("central_actor_reach", table["central"], behind, basis),
        _Figure("top_outreach_share", table["top"], behind, basis),
        _Figure("key_players", table["players"], behind, basis, *_text(table, "players")),
    ]


def _text(table: pd.DataFrame, stem: str) -> tuple[pd.Series, pd.Series]:
    return table[f"{stem}_code"], table[f"{stem}_name"]


def _network_figures(network: Network) -> list[_Figure]:
    """Indicators of each cluster's own subnetwork (the ties whose two ends belong to it,
    as `Network.subnetwork` keeps them). Which ties and actor kinds a share counts is data:
    the ``ties`` and ``sources`` of ``indicators.csv``."""
    actors = network.actors
    home = dict(zip(actors["id"], actors["cluster"], strict=True))
    kind = dict(zip(actors["id"], actors["kind"], strict=True))
    source = network.ties["source"].map(home)
    inside = (source == network.ties["target"].map(home)).to_numpy()
    ties = network.ties[inside].assign(cluster=source[inside])
    ties = ties.assign(
        source_kind=ties["source"].map(kind), to_firm=ties["target"].map(kind) == "enterprise"
    )
    firms = actors[actors["kind"] == "enterprise"].groupby("cluster").size()

    def reached(frame: pd.DataFrame) -> pd.Series:
        found = frame[["cluster", "target"]].drop_duplicates().groupby("cluster").size()
        return found.reindex(firms.index, fill_value=0)

    def per(series: pd.Series, base: pd.Series = firms, scale: float = 1.0) -> pd.Series:
        return scale * series.reindex(base.index, fill_value=0) / base

    net = "innovation network of {{cluster}}: {}; {{n}} firms".format
    figures = []
    table = _indicator_table()
    for name, meta in table[table["ties"] != ""].iterrows():
        tie_kinds, kinds = str(meta["ties"]).split(), str(meta["sources"]).split()
        chosen = ties[ties["kind"].isin(tie_kinds) & ties["source_kind"].isin(kinds)]
        what = f"firms with a {' or '.join(tie_kinds)} tie from {', '.join(kinds)}"
        figures.append(_Figure(str(name), per(reached(chosen), scale=100), firms, net(what)))
    knowledge = ties[ties["kind"] == "knowledge"]
    weight = knowledge.groupby("cluster")["weight"].sum()
    abroad = knowledge[knowledge["geography"] == "abroad"].groupby("cluster")["weight"].sum()
    ends = np.sort(ties[["source", "target"]].to_numpy(dtype=str), axis=1)
    pairs = pd.DataFrame({"cluster": ties["cluster"].to_numpy(), "a": ends[:, 0], "b": ends[:, 1]})
    size = actors.groupby("cluster").size().reindex(firms.index)
    linked = pairs.drop_duplicates().groupby("cluster").size()
    isolated = firms - reached(knowledge[knowledge["to_firm"]])
    pressing = ties[(ties["kind"] == "market_pressure") & (ties["source_kind"] == "buyer_foreign")]
    origins = pressing.groupby("cluster")["source"].agg(lambda s: sorted(set(s)))
    labels = dict(zip(actors["id"], actors["label"], strict=True))
    code = origins.map(lambda a: " ".join(x.split(":")[0].removeprefix("buyer_") for x in a))
    shown = origins.map(
        lambda a: ", ".join(_plain_label(labels[x]).removeprefix("Buyers: ") for x in a)
    )
    unknown = "knowledge ties abroad over all, unknown geographies in the base"
    pairs_text = "linked pairs of actors over all possible pairs"
    buyers = "foreign buyers with market-pressure ties"
    figures += [
        _Figure("knowledge_ties_per_firm", per(weight), firms, net("knowledge ties by weight")),
        _Figure("ties_per_firm", per(ties.groupby("cluster").size()), firms, net("all ties")),
        _Figure("network_density", per(linked, size * (size - 1) / 2), firms, net(pairs_text)),
        _Figure("knowledge_from_abroad", per(abroad, weight, 100), firms, net(unknown)),
        _Figure("no_knowledge_source", isolated, firms, net("firms without a knowledge tie")),
        _Figure(
            "no_knowledge_source_share",
            100 * isolated / firms,
            firms,
            net("firms without a knowledge tie, share"),
        ),
        _Figure("foreign_buyer_origins", origins.map(len), firms, net(buyers), code, shown),
    ]
    return figures + _outreach_figures(_outreach(knowledge[knowledge["to_firm"]]), firms, actors)


def cluster_evidence(
    firms: pd.DataFrame,
    *,
    network: Network | None = None,
    wide: pd.DataFrame | None = None,
    instrument: Instrument | None = None,
    small_below: int = SMALL_BELOW,
) -> pd.DataFrame:
    """Evidence per (cluster, indicator) from a firm table, its network and its answers.

    `wide` with `instrument` adds the constraint indicators; `wide` must be the answers
    `firms` was computed from, row for row. Each figure is computed for all clusters at
    once, so that a survey of thousands of clusters costs little more than one.
    """
    from ecocluster.indices import firm_groups, stored_labels

    if "cluster" not in firms.columns:
        raise InputError("the firm table has no cluster column", rule="no-cluster")
    groups = firm_groups(firms, "cluster")
    keys, labels = list(groups.keys), dict(zip(groups.keys, groups.labels, strict=True))
    plain = firms.copy(deep=False)
    plain.attrs = {}  # pandas deep-copies attrs on every operation
    provinces = stored_labels(firms, "province") or {}
    figures = _firm_figures(plain, groups.codes, keys, small_below, provinces)
    if network is not None:
        figures += _network_figures(network)
    if wide is not None and instrument is not None:
        figures += _constraint_figures(groups.codes, keys, wide, instrument)
    size = figures[0].n.to_dict()
    meta = _meta()
    rows: list[tuple[Any, ...]] = []
    for figure in sorted(figures, key=lambda f: list(meta).index(f.name)):
        label, unit = meta[figure.name]
        values, counts = figure.value.to_dict(), figure.n.to_dict()
        code = figure.code.to_dict() if figure.code is not None else {}
        shown = figure.display.to_dict() if figure.display is not None else {}
        for key in keys:
            value, n = float(values.get(key, np.nan)), int(counts.get(key, 0) or 0)
            if n == 0 or not (code.get(key) or np.isfinite(value)):
                continue
            basis = figure.basis.format(n=n, of=int(size[key]), cluster=labels[key])
            text = str(shown[key]) if key in shown else format_indicator(value, unit)
            cells = (key, labels[key], figure.name, figure.label or label, value)
            rows.append((*cells, code.get(key, ""), text, unit, basis, n))
    frame = pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS))
    order = {key: i for i, key in enumerate(keys)}
    frame = frame.sort_values("cluster", key=lambda c: c.map(order), kind="stable")
    return frame.astype({"value": np.float64, "n": np.int64}).reset_index(drop=True)


def compute_cluster_evidence(
    analysis: SurveyAnalysis, *, wide: pd.DataFrame | None = None, small_below: int = SMALL_BELOW
) -> pd.DataFrame:
    """Evidence per (cluster, indicator) of an analysed wave (see the module doc)."""
    return cluster_evidence(
        analysis.firms,
        network=analysis.network,
        wide=wide,
        instrument=analysis.instrument,
        small_below=small_below,
    )


def evidence_by_cluster(evidence: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """The evidence as cluster -> indicator -> row (a dict), in one pass."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in cast(list[dict[str, Any]], evidence.to_dict("records")):
        out.setdefault(str(row["cluster"]), {})[str(row["indicator"])] = row
    return out
