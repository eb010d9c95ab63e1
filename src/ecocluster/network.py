"""Environmental innovation networks: who the firms of a cluster deal with, as a graph.

The model follows Steward and Conway's actor-positioning template (Figure 2 of the 2007
study): the enterprises of a cluster sit in its core (the ellipse) and the actors they deal
with in four external zones, supplier, customer, knowledge and regulatory/political-cultural.
Actor kinds, their zone and their default geography are data
(``data/network/actor_kinds.csv``).

A `Network` is built from survey answers through the concept mapping (`build_network`) and
extended with interview data given as a tie list (`read_ties`, `read_actors`,
`extend_network`). Metrics live in `ecocluster.network_metrics` and are re-exported here.

Decisions, in the order a reader of a map will ask about them:

* **One external actor per kind and cluster** (``buyer:bat_trang``). The survey names a kind
  of partner, never a particular one, and a "government" that knows Bat Trang is not the one
  that knows Van Phuc: one national node per kind would join clusters that have nothing in
  common and give it every shortest path between them. Per-cluster actors keep each
  cluster's map and its metrics its own; the ``cluster`` column says whose actor it is.
* **Ties point the way knowledge and pressure flow**: from the external actor to the firm.
  A firm's answers give one tie per (actor, kind); where several answers give the same tie
  (an inspection and a DoNRE warning letter) they are aggregated: ``weight`` counts them and
  ``basis`` names the concepts behind it.
* **Knowledge ties** (``knowledge_sources``) carry the firm's ``initiator`` answer (the firm
  is the target, its partner the source) and its ``partner_importance``: the survey asks for
  the importance of the most significant partner without saying which one it is, so every
  knowledge tie of the firm carries that score (an upper bound for the others).
* **Geography of a knowledge tie**: the kind's own geography where it has one (a foreign
  partner is abroad); else the firm's ``partner_location`` when it names exactly one
  location; with several locations the survey does not say which partner is where, so the
  tie's geography is ``unknown``. An external actor takes its kind's geography, else the one
  geography all its ties agree on, else ``unknown``.
* **Equipment**: ``equipment_introducer`` gives an ``equipment_recommendation`` tie from the
  introducer (university, government, another firm of the cluster, ...); the firm's own
  initiative gives none.
* **Market pressure**: ``market_pressure_own`` and ``buyer_help`` give ``market_pressure``
  ties from the buyers named in ``buyer_origin`` (one actor per origin: Japan, Europe, USA,
  multinational, ...; Viet Nam is ``buyer_domestic``), or from buyers of unstated origin.
* **Regulation**: a DoNRE warning letter is a tie from the provincial government, a commune
  letter one from the commune; inspections (``inspections`` > 0) are ties from the
  provincial government, because DoNRE is the agency that monitors industrial discharges.
* **Finance**: a subsidised loan (``loan``) is a tie from the banks; **community pressure**:
  a complaint about the firm itself (``community_pressure_own``) one from the community.

Every concept is optional: a tie source whose concept the instrument does not map is left
out, so a team with its own questionnaire gets the ties its form can give.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.indices import _Answers, english_label, group_labels
from ecocluster.instrument import Instrument
from ecocluster.network_metrics import (
    compute_network_summary,
    compute_node_metrics,
    metrics_from_edges,
    rank_outreach,
    read_edge_list,
)
from ecocluster.problems import Problem, read_table, refuse

__all__ = [
    "ACTOR_COLUMNS",
    "GEOGRAPHIES",
    "INITIATORS",
    "TIE_COLUMNS",
    "TIE_KINDS",
    "ZONES",
    "Network",
    "actor_kinds",
    "build_network",
    "compute_network_summary",
    "compute_node_metrics",
    "extend_network",
    "metrics_from_edges",
    "rank_outreach",
    "read_actors",
    "read_edge_list",
    "read_ties",
]

ZONES: Final = ("core", "supplier", "customer", "knowledge", "regulatory")
GEOGRAPHIES: Final = ("village", "province", "vietnam", "abroad", "unknown")
TIE_KINDS: Final = (
    "knowledge",
    "equipment_recommendation",
    "finance",
    "market_pressure",
    "community_pressure",
    "regulation",
)
INITIATORS: Final = ("source", "target", "both", "unknown")
ACTOR_COLUMNS: Final = ("id", "label", "kind", "zone", "geography", "cluster", "mentions")
TIE_COLUMNS: Final = (
    "source",
    "target",
    "kind",
    "initiator",
    "importance",
    "weight",
    "geography",
    "year",
    "basis",
)

#: Choice of each 2007 select question → actor role (None: no tie). Roles are actor kinds,
#: or ``buyer_<origin>`` for buyers by origin; choices not listed become kind ``other``.
KNOWLEDGE_ROLES: Final[dict[str, str | None]] = {
    "buyers": "buyer",
    "suppliers": "supplier",
    "similar_firms": "similar_firm",
    "other_industries": "other_industry_firm",
    "foreign_partners": "foreign_partner",
    "government": "government",
    "trade_association": "trade_association",
    "research": "university",
    "consultants": "consultant",
    "training": "training",
    "other": "media",
    "none": None,
}
INTRODUCER_ROLES: Final[dict[str, str | None]] = {
    "own_initiative": None,
    "university": "university",
    "cluster_firm": "similar_firm",
    "government": "government",
    "buyer": "buyer",
    "supplier": "supplier",
    "trade_association": "trade_association",
    "other": "other",
}
BUYER_ROLES: Final[dict[str, str | None]] = {
    "japan": "buyer_japan",
    "europe": "buyer_europe",
    "usa": "buyer_usa",
    "multinational": "buyer_multinational",
    "other_asia": "buyer_other_asia",
    "domestic": "buyer_domestic",
    "other": "buyer",
    "none": None,
}
LETTER_ROLES: Final[dict[str, str | None]] = {
    "donre_letter": "government_province",
    "commune_letter": "government_commune",
    "district_letter": "government_district",
    "national_letter": "government_national",
    "none": None,
}
INITIATOR_ANSWERS: Final = {"own": "target", "partner": "source", "both": "both"}
#: Who inspects: DoNRE, the provincial agency that monitors industrial discharges.
INSPECTOR: Final = "government_province"


# --------------------------------------------------------------------- actor kinds
@lru_cache(maxsize=1)
def actor_kinds() -> pd.DataFrame:
    """The actor kinds (index ``kind``: label, zone, default geography, why)."""
    path = resources.files("ecocluster") / "data" / "network" / "actor_kinds.csv"
    kinds = pd.read_csv(io.StringIO(path.read_text(encoding="utf-8")), dtype=str)
    return kinds.fillna("").set_index("kind")


def _kind_of(role: str) -> str:
    if role.startswith("buyer_") and role not in actor_kinds().index:
        return "buyer_foreign"
    return role if role in actor_kinds().index else "other"


# --------------------------------------------------------------------- model
@dataclass(frozen=True)
class Network:
    """Actors and ties of one or more clusters; see the module doc for what they mean.

    ``actors`` has one row per actor (`ACTOR_COLUMNS`, plus any firm attributes given to
    `build_network`); ``ties`` one row per (source, target, kind) (`TIE_COLUMNS`).
    """

    actors: pd.DataFrame
    ties: pd.DataFrame

    def subnetwork(self, cluster: str) -> Network:
        """The actors of one cluster and the ties among them: one cluster's map."""
        keep = self.actors[self.actors["cluster"] == cluster]
        ids = set(keep["id"])
        ties = self.ties[self.ties["source"].isin(ids) & self.ties["target"].isin(ids)]
        return Network(keep.reset_index(drop=True), ties.reset_index(drop=True))

    def to_networkx(self) -> Any:
        """A ``networkx.MultiDiGraph``: one edge per tie, keyed by its kind.

        A multigraph, because two actors can be joined by ties of several kinds (a
        government that informs a firm and inspects it) and each keeps its own attributes.
        Missing text is ``""`` and a missing number NaN, since GraphML and GEXF have no null.
        """
        import networkx as nx

        graph = nx.MultiDiGraph()
        for row in _records(self.actors):
            graph.add_node(row.pop("id"), **row)
        for row in _records(self.ties):
            source, target, kind = row.pop("source"), row.pop("target"), row["kind"]
            graph.add_edge(source, target, key=kind, **row)
        return graph

    def to_graphml(self, path: str | Path) -> None:
        """Write GraphML (yEd, Gephi, Cytoscape); attributes are kept with their types."""
        import networkx as nx

        nx.write_graphml(self.to_networkx(), str(path))

    def to_gexf(self, path: str | Path) -> None:
        """Write GEXF (Gephi); attributes are kept with their types."""
        import networkx as nx

        nx.write_gexf(self.to_networkx(), str(path))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values: str, int or float (NaN for a missing number)."""
    columns: dict[str, list[Any]] = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series):
            columns[str(name)] = [bool(v) for v in series]
        elif pd.api.types.is_integer_dtype(series):
            columns[str(name)] = [int(v) for v in series]
        elif pd.api.types.is_numeric_dtype(series):
            columns[str(name)] = [float(v) for v in series]
        else:
            columns[str(name)] = ["" if pd.isna(v) else str(v) for v in series]
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


# --------------------------------------------------------------------- from a survey
class _Builder:
    """Tie frames from the answers of one wide table, one concept at a time."""

    def __init__(self, wide: pd.DataFrame, instrument: Instrument) -> None:
        self.answers = _Answers(wide, instrument)
        self.instrument = instrument
        n = self.answers.size
        if self.answers.has("enterprise_id"):
            ids = self.answers.strings("enterprise_id").astype(object)
        else:
            ids = np.array([str(i) for i in wide.index], dtype=object)
        self.ids = ids
        found = self.answers.cluster_keys()
        clusters, spelling = found if found is not None else (np.full(n, None, object), {})
        self.clusters = clusters
        self.cluster_labels = group_labels(
            instrument, "cluster", [str(c) for c in pd.unique(clusters) if c is not None], spelling
        )
        self.suffix = np.array([":" + str(c) if c is not None else "" for c in clusters], object)
        self.frames: list[pd.DataFrame] = []
        self.role_labels: dict[str, str] = {}

    def _check_ids(self) -> None:
        blank = np.flatnonzero(self.ids == "")
        if len(blank):
            raise InputError(
                f"{len(blank)} enterprises have no code (first at data row {blank[0] + 1})",
                column=self.instrument.concepts.get("enterprise_id"),
                rule="enterprise-id",
            )
        repeated = pd.Series(self.ids).duplicated()
        if repeated.any():
            code = self.ids[int(np.flatnonzero(repeated.to_numpy())[0])]
            raise InputError(
                f"enterprise code {code!r} appears more than once; the network needs one node "
                "per enterprise",
                column=self.instrument.concepts.get("enterprise_id"),
                rule="enterprise-id",
            )

    def add(
        self,
        firms: np.ndarray,
        role: str,
        kind: str,
        basis: str,
        *,
        initiator: np.ndarray | None = None,
        importance: np.ndarray | None = None,
        geography: np.ndarray | None = None,
    ) -> None:
        """Ties of one kind from the actor `role` of each firm's cluster to the firms."""
        if len(firms) == 0:
            return
        size = len(firms)
        self.frames.append(
            pd.DataFrame(
                {
                    "source": role + self.suffix[firms],
                    "target": self.ids[firms],
                    "kind": kind,
                    "initiator": initiator[firms] if initiator is not None else "unknown",
                    "importance": importance[firms] if importance is not None else np.nan,
                    "weight": np.ones(size, dtype=np.int64),
                    "geography": geography if geography is not None else "",
                    "year": np.nan,
                    "basis": basis,
                    "_role": role,
                    "_cluster": self.clusters[firms],
                }
            )
        )

    def selected(self, concept: str, roles: Mapping[str, str | None]) -> dict[str, np.ndarray]:
        """Firms (positions) naming each role in a select question, roles in choice order."""
        question = self.answers.require(concept)
        codes, uniques = self.answers.context.factorized(question.name)
        chosen: dict[str, np.ndarray] = {}
        names = list(self.instrument.choice_names(question))
        sets = [set(str(u).split()) for u in uniques]
        names += sorted({n for s in sets for n in s} - set(names))
        labels = {
            c.name: english_label(self.instrument, c.labels, c.name)
            for c in self.instrument.choices.get(question.list_name or "", [])
        }
        for name in names:
            role = roles.get(name, name)
            if role is None:
                continue
            if role not in actor_kinds().index and not role.startswith("buyer_"):
                self.role_labels.setdefault(role, labels.get(name, name))
            if role.startswith("buyer_") and role not in actor_kinds().index:
                self.role_labels.setdefault(role, f"Buyers: {labels.get(name, name)}")
            has = np.array([name in s for s in sets], dtype=bool)
            if not has.any():
                continue
            firms = np.flatnonzero(has[codes] & (codes >= 0))
            previous = chosen.get(role)
            chosen[role] = firms if previous is None else np.union1d(previous, firms)
        return chosen

    def flag(self, concept: str) -> np.ndarray:
        """Firms (positions) answering yes to a yes/no concept."""
        return np.flatnonzero(self.answers.yes(concept) == 1.0)

    def knowledge(self) -> None:
        answers = self.answers
        n = answers.size
        initiator = np.full(n, "unknown", dtype=object)
        if answers.has("initiator"):
            given = answers.strings("initiator")
            initiator = np.array([INITIATOR_ANSWERS.get(str(v), "unknown") for v in given], object)
        importance = np.full(n, np.nan)
        if answers.has("partner_importance"):
            importance = answers.numbers("partner_importance")
            importance = np.where((importance >= 1) & (importance <= 10), importance, np.nan)
        location = np.full(n, "unknown", dtype=object)
        if answers.has("partner_location"):
            codes, uniques = answers.context.factorized(answers.require("partner_location").name)
            single = []
            for u in uniques:
                named = set(str(u).split()) & set(GEOGRAPHIES)
                single.append(named.pop() if len(named) == 1 else "unknown")
            location = np.array([*single, "unknown"], dtype=object)[
                np.where(codes >= 0, codes, len(single))
            ]
        for role, firms in self.selected("knowledge_sources", KNOWLEDGE_ROLES).items():
            default = actor_kinds().at[_kind_of(role), "geography"]
            geography = location[firms] if default == "unknown" else np.full(len(firms), default)
            self.add(
                firms,
                role,
                "knowledge",
                "knowledge_sources",
                initiator=initiator,
                importance=importance,
                geography=geography,
            )

    def equipment(self) -> None:
        question = self.answers.require("equipment_introducer")
        codes, uniques = self.answers.context.factorized(question.name)
        for index, value in enumerate(uniques):
            name = str(value)
            role = INTRODUCER_ROLES.get(name, name)
            if not name or role is None:
                continue
            if role not in actor_kinds().index:
                self.role_labels.setdefault(role, name)
            firms = np.flatnonzero(codes == index)
            self.add(firms, role, "equipment_recommendation", "equipment_introducer")

    def market(self) -> None:
        answers = self.answers
        pressed = {c: self.flag(c) for c in ("market_pressure_own", "buyer_help") if answers.has(c)}
        if not pressed:
            return
        origins = self.selected("buyer_origin", BUYER_ROLES) if answers.has("buyer_origin") else {}
        named = np.zeros(answers.size, dtype=bool)
        for firms in origins.values():
            named[firms] = True
        for concept, firms in pressed.items():
            mask = np.zeros(answers.size, dtype=bool)
            mask[firms] = True
            for role, buyers in origins.items():
                self.add(np.intersect1d(buyers, firms), role, "market_pressure", concept)
            self.add(np.flatnonzero(mask & ~named), "buyer", "market_pressure", concept)

    def government(self) -> None:
        answers = self.answers
        if answers.has("inspections"):
            inspected = np.flatnonzero(answers.numbers("inspections") > 0)
            self.add(inspected, INSPECTOR, "regulation", "inspections")
        if answers.has("warning_letters"):
            for role, firms in self.selected("warning_letters", LETTER_ROLES).items():
                self.add(firms, role, "regulation", "warning_letters")
        if answers.has("loan"):
            self.add(self.flag("loan"), "bank", "finance", "loan")
        if answers.has("community_pressure_own"):
            firms = self.flag("community_pressure_own")
            self.add(firms, "community", "community_pressure", "community_pressure_own")

    def build(self) -> pd.DataFrame:
        self._check_ids()
        if self.answers.has("knowledge_sources"):
            self.knowledge()
        if self.answers.has("equipment_introducer"):
            self.equipment()
        self.market()
        self.government()
        if not self.frames:
            return _empty_ties().assign(_role=pd.Series(dtype=str), _cluster=pd.Series(dtype=str))
        return pd.concat(self.frames, ignore_index=True)


def _empty_ties() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": pd.Series(dtype=str),
            "target": pd.Series(dtype=str),
            "kind": pd.Series(dtype=str),
            "initiator": pd.Series(dtype=str),
            "importance": pd.Series(dtype=float),
            "weight": pd.Series(dtype=np.int64),
            "geography": pd.Series(dtype=str),
            "year": pd.Series(dtype=float),
            "basis": pd.Series(dtype=str),
        }
    )


def _aggregate(ties: pd.DataFrame) -> pd.DataFrame:
    """One row per (source, target, kind): weights add, the highest importance and latest
    year win, differing initiators become ``both`` (``unknown`` yields to a known one), and
    the bases are joined."""
    key = ["source", "target", "kind"]
    repeated = ties.duplicated(key, keep=False).to_numpy()
    if not repeated.any():
        return ties.reset_index(drop=True)
    single, many = ties[~repeated], ties[repeated]

    def initiator(values: pd.Series) -> str:
        known = sorted(set(values) - {"unknown"})
        return known[0] if len(known) == 1 else "both" if known else "unknown"

    grouped = many.groupby(key, sort=False)
    merged = grouped.agg(
        initiator=("initiator", initiator),
        importance=("importance", "max"),
        weight=("weight", "sum"),
        geography=("geography", "first"),
        year=("year", "max"),
        basis=("basis", lambda b: " ".join(dict.fromkeys(" ".join(b).split()))),
        **{c: (c, "first") for c in many.columns if c not in TIE_COLUMNS},
    ).reset_index()
    return pd.concat([single, merged[list(ties.columns)]], ignore_index=True)


def _actor_geography(ties: pd.DataFrame, ids: pd.Series, kinds: pd.Series) -> np.ndarray:
    """The kind's geography, else the one geography all the actor's ties agree on."""
    default = kinds.map(actor_kinds()["geography"]).to_numpy(dtype=object)
    places = ties["geography"].replace("", "unknown").groupby(ties["source"])
    agreed = places.first().where(places.nunique() == 1, "unknown")
    from_ties = ids.map(agreed).fillna("unknown").to_numpy(dtype=object)
    return np.where(default != "unknown", default, from_ties)


def _mentions(actors: pd.Series, ties: pd.DataFrame) -> np.ndarray:
    """Answers (tie weights) naming each actor, at either end of its ties."""
    counts = (
        ties.groupby("source")["weight"]
        .sum()
        .add(ties.groupby("target")["weight"].sum(), fill_value=0)
    )
    return actors.map(counts).fillna(0).to_numpy(dtype=np.int64)


def build_network(
    wide: pd.DataFrame, instrument: Instrument, firms: pd.DataFrame | None = None
) -> Network:
    """The network the survey answers describe (see the module doc for every tie).

    `firms`, a firm table indexed by enterprise code (such as `compute_firm_indices` gives),
    adds its columns to the enterprise actors so that maps can colour firms by, say,
    adoption; its index must not repeat and its columns must not clash with the actor
    columns.
    """
    builder = _Builder(wide, instrument)
    raw = builder.build()
    ties = _aggregate(raw)
    kinds = actor_kinds()

    enterprises = pd.DataFrame(
        {
            "id": builder.ids,
            "label": builder.ids,
            "kind": "enterprise",
            "zone": "core",
            "geography": kinds.at["enterprise", "geography"],
            "cluster": [str(c) if c is not None else "" for c in builder.clusters],
        }
    )
    external = ties.drop_duplicates("source")[["source", "_role", "_cluster"]]
    roles = external["_role"].astype(str)
    kind = roles.map(_kind_of)
    role_label = roles.map(
        lambda r: builder.role_labels.get(r) or str(kinds.at[_kind_of(r), "label"])
    )
    cluster = external["_cluster"].map(lambda c: "" if c is None or pd.isna(c) else str(c))
    cluster_label = cluster.map(lambda c: builder.cluster_labels.get(c, c))
    outside = pd.DataFrame(
        {
            "id": external["source"].to_numpy(dtype=object),
            "label": np.where(
                cluster != "", role_label + " (" + cluster_label + ")", role_label
            ).astype(object),
            "kind": kind.to_numpy(dtype=object),
            "zone": kind.map(kinds["zone"]).to_numpy(dtype=object),
            "geography": _actor_geography(
                ties, external["source"].reset_index(drop=True), kind.reset_index(drop=True)
            ),
            "cluster": cluster.to_numpy(dtype=object),
        }
    ).sort_values("id", kind="stable")
    actors = pd.concat([enterprises, outside], ignore_index=True)
    ties = ties.drop(columns=["_role", "_cluster"])
    ties["geography"] = ties["geography"].mask(
        ties["geography"] == "", _source_geography(ties, actors)
    )
    actors["mentions"] = _mentions(actors["id"], ties)
    if firms is not None:
        actors = _join_firms(actors, firms)
    return Network(actors, _order_ties(ties))


def _source_geography(ties: pd.DataFrame, actors: pd.DataFrame) -> pd.Series:
    geography = actors.set_index("id")["geography"]
    return ties["source"].map(geography).fillna("unknown")


def _order_ties(ties: pd.DataFrame) -> pd.DataFrame:
    order = {kind: i for i, kind in enumerate(TIE_KINDS)}
    rank = ties["kind"].map(order)
    ties = ties.assign(_rank=rank).sort_values(["_rank", "source", "target"], kind="stable")
    ties = ties.drop(columns="_rank").reset_index(drop=True)
    ties["weight"] = ties["weight"].astype(np.int64)
    ties["importance"] = ties["importance"].astype(float)
    ties["year"] = ties["year"].astype(float)
    return ties[[*TIE_COLUMNS, *[c for c in ties.columns if c not in TIE_COLUMNS]]]


def _join_firms(actors: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    clash = [c for c in firms.columns if c in actors.columns]
    if clash:
        raise InputError(
            f"the firm table has columns that the actor table already has: {clash}",
            rule="firm-columns",
        )
    if firms.index.duplicated().any():
        raise InputError("the firm table repeats an enterprise code", rule="firm-index")
    table = firms.copy()
    table.index = table.index.map(str)
    joined = actors.join(table, on="id")
    return joined.reset_index(drop=True)


# --------------------------------------------------------------------- tie lists
def read_ties(path: str | Path) -> pd.DataFrame:
    """A tie list (columns source, target, kind and optionally initiator, importance, year),
    as text; `extend_network` checks the values. The index is the spreadsheet row."""
    return read_table(path, ("source", "target", "kind"), ("initiator", "importance", "year"))


def read_actors(path: str | Path) -> pd.DataFrame:
    """An actor list (columns id, label, kind and optionally zone, geography, cluster)."""
    return read_table(path, ("id", "label", "kind"), ("zone", "geography", "cluster"))


def _rows(frame: pd.DataFrame) -> list[int]:
    """Spreadsheet rows: the index of a table `read_ties` gave, else position + 2."""
    if "file" in frame.attrs:
        return [int(i) for i in frame.index]
    return list(range(2, len(frame) + 2))


def _text(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return [""] * len(frame)
    return ["" if pd.isna(v) else str(v).strip() for v in frame[column]]


def _check_columns(frame: pd.DataFrame, file: str, required: Sequence[str]) -> list[Problem]:
    return [
        Problem(file, 1, name, "missing-column", f"the table has no {name!r} column")
        for name in required
        if name not in frame.columns
    ]


def _new_actors(actors: pd.DataFrame, known: set[str], problems: list[Problem]) -> pd.DataFrame:
    file = str(actors.attrs.get("file", "actors"))
    problems += _check_columns(actors, file, ("id", "label", "kind"))
    if problems:
        return pd.DataFrame(columns=list(ACTOR_COLUMNS))
    kinds = actor_kinds()
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    ids, labels, kind_values = _text(actors, "id"), _text(actors, "label"), _text(actors, "kind")
    zones, places = _text(actors, "zone"), _text(actors, "geography")
    clusters = _text(actors, "cluster")
    for i, row in enumerate(_rows(actors)):
        actor, kind = ids[i], kind_values[i]
        if not actor:
            problems.append(Problem(file, row, "id", "empty-id", "the actor has no id"))
            continue
        if actor in seen:
            message = f"actor {actor!r} is listed again (first in row {seen[actor]})"
            problems.append(Problem(file, row, "id", "duplicate-actor", message))
        elif actor in known:
            message = f"actor {actor!r} is already in the network"
            problems.append(Problem(file, row, "id", "duplicate-actor", message))
        seen.setdefault(actor, row)
        if kind not in kinds.index:
            message = f"unknown actor kind {kind!r}; known kinds: {', '.join(kinds.index)}"
            problems.append(Problem(file, row, "kind", "unknown-actor-kind", message))
            continue
        zone = zones[i] or str(kinds.at[kind, "zone"])
        if zone not in ZONES:
            message = f"unknown zone {zone!r}; zones: {', '.join(ZONES)}"
            problems.append(Problem(file, row, "zone", "unknown-zone", message))
        place = places[i] or str(kinds.at[kind, "geography"])
        if place not in GEOGRAPHIES:
            message = f"unknown geography {place!r}; geographies: {', '.join(GEOGRAPHIES)}"
            problems.append(Problem(file, row, "geography", "unknown-geography", message))
        out.append(
            {
                "id": actor,
                "label": labels[i] or actor,
                "kind": kind,
                "zone": zone,
                "geography": place,
                "cluster": clusters[i],
                "mentions": 0,
            }
        )
    return pd.DataFrame(out, columns=list(ACTOR_COLUMNS))


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _new_ties(ties: pd.DataFrame, known: set[str], problems: list[Problem]) -> pd.DataFrame:
    file = str(ties.attrs.get("file", "ties"))
    problems += _check_columns(ties, file, ("source", "target", "kind"))
    if problems:
        return _empty_ties()
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], int] = {}
    sources, targets, kinds = _text(ties, "source"), _text(ties, "target"), _text(ties, "kind")
    initiators, scores, years = (
        _text(ties, "initiator"),
        _text(ties, "importance"),
        _text(ties, "year"),
    )
    for i, row in enumerate(_rows(ties)):
        source, target, kind = sources[i], targets[i], kinds[i]
        for column, actor in (("source", source), ("target", target)):
            if actor not in known:
                message = (
                    f"{column} {actor!r} is neither in the network nor in the actor list"
                    if actor
                    else f"the tie has no {column}"
                )
                problems.append(Problem(file, row, column, "dangling-endpoint", message))
        if source and source == target:
            message = f"the tie joins {source!r} to itself"
            problems.append(Problem(file, row, "target", "self-loop", message))
        if kind not in TIE_KINDS:
            message = f"unknown tie kind {kind!r}; kinds: {', '.join(TIE_KINDS)}"
            problems.append(Problem(file, row, "kind", "unknown-tie-kind", message))
        key = (source, target, kind)
        if key in seen:
            message = (
                f"the tie {source!r} → {target!r} ({kind}) repeats row {seen[key]}; "
                f"rows {seen[key]} and {row} are duplicates"
            )
            problems.append(Problem(file, row, "source", "duplicate-tie", message))
        seen.setdefault(key, row)
        initiator = initiators[i] or "unknown"
        if initiator not in INITIATORS:
            message = f"unknown initiator {initiator!r}; initiators: {', '.join(INITIATORS)}"
            problems.append(Problem(file, row, "initiator", "unknown-initiator", message))
        importance = _number(scores[i]) if scores[i] else np.nan
        if importance is None or not (np.isnan(importance) or 1 <= importance <= 10):
            message = f"importance {scores[i]!r} is not a number from 1 to 10"
            problems.append(Problem(file, row, "importance", "importance-range", message))
        year = _number(years[i]) if years[i] else np.nan
        if year is None or not (np.isnan(year) or float(year).is_integer()):
            message = f"year {years[i]!r} is not a whole number"
            problems.append(Problem(file, row, "year", "bad-year", message))
        out.append(
            {
                "source": source,
                "target": target,
                "kind": kind,
                "initiator": initiator,
                "importance": importance,
                "weight": 1,
                "geography": "",
                "year": year,
                "basis": "interview",
            }
        )
    return pd.DataFrame(out, columns=list(TIE_COLUMNS))


def extend_network(
    network: Network, ties: pd.DataFrame, actors: pd.DataFrame | None = None
) -> Network:
    """The network with interview ties (and their new actors) added, or an `InputError`.

    Every problem in both tables is collected and reported in one error (file, row,
    column, rule), and then nothing is applied: the given network is never changed. A tie
    already in the network (same source, target and kind) is aggregated with it.
    """
    problems: list[Problem] = []
    known = set(network.actors["id"])
    added = (
        _new_actors(actors, known, problems)
        if actors is not None
        else pd.DataFrame(columns=list(ACTOR_COLUMNS))
    )
    new_ties = _new_ties(ties, known | set(added["id"]), problems)
    if problems:
        raise refuse(problems, "the tie list was")
    merged_actors = pd.concat(
        [network.actors, added.astype({"mentions": np.int64})], ignore_index=True
    )
    new_ties["geography"] = _source_geography(new_ties, merged_actors)
    combined = pd.concat([network.ties, new_ties], ignore_index=True)
    combined = _order_ties(_aggregate(combined))
    merged_actors["mentions"] = _mentions(merged_actors["id"], combined)
    return replace(network, actors=merged_actors, ties=combined)
