"""Inter-firm networks given as edge lists: who supplies what to whom, and since when.

A published network of exchanges among firms (an industrial symbiosis, a supply or
subcontracting network) is read from a CSV edge list, one exchange a row: supplier,
receiver, kind, material and the year the exchange began (`read_interfirm_network`). It
becomes a `Network` with the survey network's layout, so that `compute_node_metrics`, the
GraphML and GEXF exports and the CLI treat both alike; `compute_network_growth` follows it
year by year, and `ecocluster.interfirm_map` draws it firm by firm. Real networks are
bundled as data (`published_networks`, `load_published_network`).

Decisions:

* **Exchange kinds are their own vocabulary** (`EXCHANGE_KINDS`, explained in
  `EXCHANGE_KIND_NOTES`), not the survey's tie kinds: an exchange of steam is not a
  knowledge tie. Spellings are forgiving about case, spaces and underscores ("By product",
  "by_product" and "byproduct" are ``by-product``); any other kind is refused.
* **Ties point the way the material flows**: ``source`` is the supplier, ``target`` the
  receiver. Each exchange keeps its own tie, with ``material`` and ``year`` (the year it
  began; empty when unknown), so two flows of water from a refinery to a power station
  remain two ties. The same supplier, receiver, kind, material and year twice is refused as a
  duplicate, not merged: a published edge list that repeats a row has an error in it.
* **Weight** is 1 per exchange unless a weight column (a quantity) is named.
* **Actors** are the endpoints, each an ``enterprise`` in the ``core`` zone, or those of an
  actor file (id, label, kind, zone, geography, cluster), whose kinds are
  `ecocluster.network.actor_kinds`; then every endpoint must be one of its ids. Actors of
  the file without exchanges are kept. ``first_year`` is the year of an actor's first dated
  exchange, ``mentions`` its number of exchanges.
* **Other columns are kept** as attributes of the ties (or actors), under their own names;
  a column named like a tie column (``source`` holding a citation, say) becomes
  ``file_<name>``, so that the endpoints are never overwritten.
* **Every problem is reported at once** (file, row, column, rule) and nothing is built:
  missing columns, empty endpoints, self-loops, duplicate exchanges, years that are not
  whole numbers from `YEARS`, unknown kinds, and in the actor file empty or repeated ids,
  unknown kinds, zones and geographies, and exchanges whose endpoints it lacks.
* **Growth counts exchanges as they began.** An actor joins with its first dated exchange;
  exchanges without a year are listed in the growth table's ``attrs``, never dropped
  silently, and the actors that have only such exchanges are named there too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.network import (
    ACTOR_COLUMNS,
    GEOGRAPHIES,
    TIE_COLUMNS,
    ZONES,
    Network,
    _records,
    actor_kinds,
)
from ecocluster.normalize import fold_key, normalize_text
from ecocluster.problems import Problem, read_table, refuse

__all__ = [
    "EXCHANGE_KINDS",
    "EXCHANGE_KIND_NOTES",
    "GROWTH_COLUMNS",
    "YEARS",
    "InterfirmNetwork",
    "compute_network_growth",
    "interfirm_network",
    "load_published_network",
    "published_networks",
    "read_interfirm_network",
]

EXCHANGE_KINDS: Final = (
    "material",
    "energy",
    "water",
    "by-product",
    "supply",
    "subcontracting",
    "knowledge",
)
EXCHANGE_KIND_NOTES: Final = {
    "material": "a material that is not the supplier's residue: sand, scrap bought in, chemicals",
    "energy": "steam, heat, fuel gas or electricity",
    "water": "surface, cooling, process or treated waste water",
    "by-product": "a residue of the supplier's process used as an input: fly ash, gypsum, sludge",
    "supply": "an ordinary purchase of goods or parts",
    "subcontracting": "work done for the receiver on its order",
    "knowledge": "know-how, advice or training",
}
#: Plausible years for the start of an exchange (inclusive).
YEARS: Final = (1800, 2100)
GROWTH_COLUMNS: Final = (
    "year",
    "new_ties",
    "cumulative_ties",
    "new_actors",
    "cumulative_actors",
    "density",
    "components",
    "largest_component_share",
    "mean_degree",
)
_BASIS: Final = "edge_list"
_TIE_NAMES: Final = frozenset([*TIE_COLUMNS, "material"])
_ACTOR_NAMES: Final = frozenset([*ACTOR_COLUMNS, "first_year"])


@dataclass(frozen=True)
class InterfirmNetwork(Network):
    """A `Network` whose parallel exchanges stay apart in networkx, GraphML and GEXF.

    `Network.to_networkx` keys edges by kind, which would merge the cooling water and the
    waste water a refinery sends to a power station; here the key is kind, material and
    year, which `read_interfirm_network` guarantees to be unique for each pair of actors.
    """

    def to_networkx(self) -> Any:
        import networkx as nx

        graph = nx.MultiDiGraph()
        for row in _records(self.actors):
            graph.add_node(row.pop("id"), **row)
        for row in _records(self.ties):
            source, target = row.pop("source"), row.pop("target")
            graph.add_edge(source, target, key=_edge_key(row), **row)
        return graph


def _edge_key(row: dict[str, Any]) -> str:
    year = row.get("year", float("nan"))
    when = str(int(year)) if isinstance(year, float) and np.isfinite(year) else ""
    return f"{row['kind']}|{row.get('material', '')}|{when}"


# --------------------------------------------------------------------- cells
def _free_text(value: object) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


class _Table:
    """A CSV as text cells, columns found case-insensitively, rows as in the spreadsheet."""

    def __init__(self, path: str | Path) -> None:
        self.frame = read_table(path, (), (), keep_all=True)
        self.file = str(path)
        self.rows = [int(i) for i in self.frame.index]
        self.where: dict[str, int] = {}
        for position, name in enumerate(self.frame.columns):
            self.where.setdefault(str(name).strip().casefold(), position)

    def has(self, name: str) -> bool:
        return name.casefold() in self.where

    def cells(self, name: str) -> list[str]:
        """A column's cells (NFC, inner spaces collapsed), or empty ones without it."""
        position = self.where.get(name.casefold())
        if position is None:
            return [""] * len(self.rows)
        return [normalize_text(str(v)) for v in self.frame.iloc[:, position]]

    def require(self, names: Sequence[str], problems: list[Problem]) -> bool:
        missing = [name for name in names if not self.has(name)]
        problems += [
            Problem(self.file, 1, name, "missing-column", f"the header has no {name!r} column")
            for name in missing
        ]
        return not missing

    def extras(self, used: Sequence[str], reserved: frozenset[str]) -> dict[str, list[str]]:
        """The columns not read as such, renamed ``file_<name>`` where they would clash."""
        taken = {name.casefold() for name in used}
        out: dict[str, list[str]] = {}
        for position, name in enumerate(self.frame.columns):
            key = str(name).strip()
            if not key or key.casefold() in taken or self.where[key.casefold()] != position:
                continue
            target = f"file_{key}" if key.casefold() in reserved else key
            out[target] = [_free_text(v) for v in self.frame.iloc[:, position]]
        return out


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _exchange_kind(text: str) -> str:
    key = text.casefold().replace("_", "-").replace(" ", "-")
    return "by-product" if key == "byproduct" else key


# --------------------------------------------------------------------- actors
def _read_actor_file(path: str | Path, problems: list[Problem]) -> pd.DataFrame | None:
    table = _Table(path)
    file = table.file
    if not table.require(("id",), problems):
        return None
    kinds = actor_kinds()
    columns = ("id", "label", "kind", "zone", "geography", "cluster")
    ids, labels, kind_cells, zones, places, clusters = (table.cells(c) for c in columns)
    seen: dict[str, int] = {}
    records: list[tuple[str, ...]] = []
    for i, row in enumerate(table.rows):
        actor, kind = ids[i], kind_cells[i] or "enterprise"
        if not actor:
            problems.append(Problem(file, row, "id", "empty-id", "the actor has no id"))
        elif actor in seen:
            message = f"actor {actor!r} is listed again (first in row {seen[actor]})"
            problems.append(Problem(file, row, "id", "duplicate-actor", message))
        seen.setdefault(actor, row)
        if kind not in kinds.index:
            message = f"unknown actor kind {kind!r}; known kinds: {', '.join(kinds.index)}"
            problems.append(Problem(file, row, "kind", "unknown-actor-kind", message))
            zone, place = zones[i] or "core", places[i] or "unknown"
        else:
            zone = zones[i] or str(kinds.at[kind, "zone"])
            place = places[i] or str(kinds.at[kind, "geography"])
        if zone not in ZONES:
            message = f"unknown zone {zone!r}; zones: {', '.join(ZONES)}"
            problems.append(Problem(file, row, "zone", "unknown-zone", message))
        if place not in GEOGRAPHIES:
            message = f"unknown geography {place!r}; geographies: {', '.join(GEOGRAPHIES)}"
            problems.append(Problem(file, row, "geography", "unknown-geography", message))
        records.append((actor, labels[i] or actor, kind, zone, place, clusters[i]))
    actors = pd.DataFrame(records, columns=list(columns))
    for name, values in table.extras(columns, _ACTOR_NAMES).items():
        actors[name] = values
    return actors


def _default_actors(ids: Sequence[str]) -> pd.DataFrame:
    """Every endpoint an enterprise of the core, with the enterprise kind's geography."""
    geography = str(actor_kinds().at["enterprise", "geography"])
    rows = [(a, a, "enterprise", "core", geography, "") for a in ids]
    return pd.DataFrame(rows, columns=list(ACTOR_COLUMNS[:-1]))


# --------------------------------------------------------------------- exchanges
@dataclass(frozen=True)
class _Columns:
    supplier: str
    receiver: str
    kind: str
    material: str
    year: str
    weight: str | None


def _check_year(text: str) -> float | None:
    """The year as a float (NaN when empty), or None when it is not a plausible year."""
    if not text:
        return float("nan")
    value = _number(text)
    if value is None or not value.is_integer() or not YEARS[0] <= value <= YEARS[1]:
        return None
    return value


def _hint(actor: str, folded: dict[str, str]) -> str:
    near = folded.get(fold_key(actor))
    return f" (did you mean {near!r}?)" if near else ""


def _read_exchanges(
    table: _Table, names: _Columns, known: list[str] | None, problems: list[Problem]
) -> pd.DataFrame:
    file = table.file
    suppliers, receivers = table.cells(names.supplier), table.cells(names.receiver)
    kinds, materials = table.cells(names.kind), table.cells(names.material)
    years = table.cells(names.year)
    weights = table.cells(names.weight) if names.weight else None
    ids = set(known) if known is not None else None
    folded = {fold_key(a): a for a in known or ()}
    seen: dict[tuple[str, str, str, str, float | None], int] = {}
    rows: list[dict[str, Any]] = []
    for i, row in enumerate(table.rows):
        supplier, receiver = suppliers[i], receivers[i]
        for column, actor in ((names.supplier, supplier), (names.receiver, receiver)):
            if not actor:
                message = f"the exchange has no {column}"
                problems.append(Problem(file, row, column, "empty-endpoint", message))
            elif ids is not None and actor not in ids:
                message = f"{column} {actor!r} is not in the actor file{_hint(actor, folded)}"
                problems.append(Problem(file, row, column, "dangling-endpoint", message))
        if supplier and supplier == receiver:
            message = f"the exchange goes from {supplier!r} to itself"
            problems.append(Problem(file, row, names.receiver, "self-loop", message))
        kind = _exchange_kind(kinds[i])
        if not kind:
            message = f"the exchange has no kind; kinds: {', '.join(EXCHANGE_KINDS)}"
            problems.append(Problem(file, row, names.kind, "empty-kind", message))
        elif kind not in EXCHANGE_KINDS:
            message = f"unknown exchange kind {kinds[i]!r}; kinds: {', '.join(EXCHANGE_KINDS)}"
            problems.append(Problem(file, row, names.kind, "unknown-exchange-kind", message))
        year = _check_year(years[i])
        if year is None:
            message = (
                f"year {years[i]!r} is not a whole number from {YEARS[0]} to {YEARS[1]} "
                "(the year the exchange began)"
            )
            problems.append(Problem(file, row, names.year, "bad-year", message))
        weight = 1.0
        if weights is not None:
            parsed = _number(weights[i])
            if parsed is None or parsed <= 0:
                message = f"weight {weights[i]!r} is not a positive number"
                problems.append(Problem(file, row, names.weight, "bad-weight", message))
            else:
                weight = parsed
        when = None if year is None or np.isnan(year) else year
        key = (supplier, receiver, kind, materials[i].casefold(), when)
        if key in seen:
            message = (
                f"the exchange {supplier!r} → {receiver!r} ({kind}, {materials[i]!r}, "
                f"{years[i] or 'no year'}) repeats row {seen[key]}"
            )
            problems.append(Problem(file, row, names.supplier, "duplicate-exchange", message))
        seen.setdefault(key, row)
        rows.append(
            {
                "source": supplier,
                "target": receiver,
                "kind": kind,
                "weight": weight,
                "year": np.nan if year is None else year,
                "material": materials[i],
            }
        )
    frame = pd.DataFrame(rows, columns=["source", "target", "kind", "weight", "year", "material"])
    used = [n for n in astuple(names) if n]
    for name, values in table.extras(used, _TIE_NAMES).items():
        frame[name] = values
    return frame


def _assemble(actors: pd.DataFrame, exchanges: pd.DataFrame, weighted: bool) -> InterfirmNetwork:
    """Actors and ties in the layout of `Network` (`ACTOR_COLUMNS`, `TIE_COLUMNS` first)."""
    geography = actors.set_index("id")["geography"]
    extra = [c for c in exchanges.columns if c not in _TIE_NAMES]
    ties = pd.DataFrame(
        {
            "source": exchanges["source"].astype(object),
            "target": exchanges["target"].astype(object),
            "kind": exchanges["kind"].astype(object),
            "initiator": "unknown",
            "importance": np.full(len(exchanges), np.nan),
            "weight": exchanges["weight"].astype(float if weighted else np.int64),
            "geography": exchanges["source"].map(geography).fillna("unknown").astype(object),
            "year": exchanges["year"].astype(float),
            "basis": _BASIS,
            "material": exchanges["material"].astype(object),
        }
    )
    for name in extra:
        ties[name] = exchanges[name].astype(object)
    ends = pd.concat([ties["source"], ties["target"]], ignore_index=True)
    counts = ends.value_counts()
    years = pd.concat([ties["year"], ties["year"]], ignore_index=True)
    first = years.groupby(ends).min()
    actors = actors.copy()
    actors.insert(len(ACTOR_COLUMNS) - 1, "mentions", actors["id"].map(counts).fillna(0))
    actors["mentions"] = actors["mentions"].astype(np.int64)
    actors.insert(len(ACTOR_COLUMNS), "first_year", actors["id"].map(first).astype(float))
    return InterfirmNetwork(actors.reset_index(drop=True), ties.reset_index(drop=True))


def read_interfirm_network(
    path: str | Path,
    *,
    supplier: str = "supplier",
    receiver: str = "receiver",
    kind: str = "kind",
    material: str = "material",
    year: str = "year",
    weight: str | None = None,
    actors: str | Path | None = None,
) -> InterfirmNetwork:
    """The network of an edge list CSV (one exchange a row), or an `InputError`.

    Column names match case-insensitively; `supplier`, `receiver` and `kind` are required,
    and so are `material`, `year` and `weight` when named otherwise than by default (an
    edge list may have no material or year column at all). `actors` names an actor file.
    Every problem of both files is reported in one error; see the module doc for the rules
    and for what the network holds.
    """
    problems: list[Problem] = []
    actor_table = _read_actor_file(actors, problems) if actors is not None else None
    table = _Table(path)
    names = _Columns(supplier, receiver, kind, material, year, weight)
    required = [supplier, receiver, kind]
    required += [n for n, default in ((material, "material"), (year, "year")) if n != default]
    required += [weight] if weight else []
    if not table.require(required, problems):
        raise refuse(problems, "the inter-firm network was")
    known = [str(a) for a in actor_table["id"]] if actor_table is not None else None
    exchanges = _read_exchanges(table, names, known, problems)
    if problems:
        raise refuse(problems, "the inter-firm network was")
    if actor_table is None:
        pairs = zip(exchanges["source"], exchanges["target"], strict=True)
        actor_table = _default_actors(list(dict.fromkeys(str(a) for p in pairs for a in p)))
    return _assemble(actor_table, exchanges, weight is not None)


def interfirm_network(
    exchanges: pd.DataFrame, actors: pd.DataFrame | None = None, *, weighted: bool = False
) -> InterfirmNetwork:
    """The network of exchanges already in a table (columns source, target, kind, material,
    year and weight; any others ride along), such as a symbiosis plan; `actors` as
    `read_interfirm_network`'s actor file gives them, else every endpoint an enterprise."""
    table = exchanges.copy()
    for column, default in (("material", ""), ("year", np.nan), ("weight", 1)):
        if column not in table.columns:
            table[column] = default
    if actors is None:
        pairs = zip(table["source"], table["target"], strict=True)
        actors = _default_actors(list(dict.fromkeys(str(a) for p in pairs for a in p)))
    return _assemble(actors, table, weighted)


# --------------------------------------------------------------------- growth
def _dated(ties: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ties with a year (as whole numbers, in year order) and those without."""
    if "year" not in ties.columns:
        return ties.iloc[:0].assign(year=pd.Series(dtype=np.int64)), ties
    years = pd.to_numeric(ties["year"], errors="coerce").to_numpy(dtype=float)
    mask = np.isfinite(years)
    dated = ties[mask].copy()
    dated["year"] = years[mask].astype(np.int64)
    return dated.sort_values("year", kind="stable"), ties[~mask]


def compute_network_growth(network: Network) -> pd.DataFrame:
    """One row per year from the first dated exchange to the last, years without one
    included: new and cumulative ties and actors and the cumulative network's shape.

    An actor joins with its first dated exchange. ``density`` is the share of ordered pairs
    of joined actors linked by at least one exchange (parallel exchanges count once, as in
    `compute_node_metrics`); ``mean_degree`` is the mean number of such links per actor (in
    plus out), ``components`` the number of weakly connected components and
    ``largest_component_share`` the largest one's share of joined actors. Exchanges without
    a year are listed in ``attrs["undated_ties"]`` (source, target, kind, material) and the
    actors that have no dated exchange in ``attrs["actors_without_year"]``.
    """
    dated, undated = _dated(network.ties)
    shown = [c for c in ("source", "target", "kind", "material") if c in undated.columns]
    parent: dict[str, str] = {}
    size: dict[str, int] = {}

    def root(actor: str) -> str:
        while parent[actor] != actor:
            parent[actor] = parent[parent[actor]]
            actor = parent[actor]
        return actor

    rows: list[dict[str, Any]] = []
    if len(dated):
        years = dated["year"].to_numpy(dtype=np.int64)
        by_year = {int(y): dated[years == y] for y in np.unique(years)}
        links: set[tuple[str, str]] = set()
        components = largest = total = 0
        for year in range(min(by_year), max(by_year) + 1):
            part = by_year.get(year, dated.iloc[:0])
            new_actors = 0
            for source, target in zip(part["source"], part["target"], strict=True):
                for actor in (str(source), str(target)):
                    if actor not in parent:
                        parent[actor], size[actor] = actor, 1
                        components, new_actors = components + 1, new_actors + 1
                        largest = max(largest, 1)
                a, b = root(str(source)), root(str(target))
                if a != b:
                    parent[b], size[a] = a, size[a] + size[b]
                    components, largest = components - 1, max(largest, size[a])
                if source != target:
                    links.add((str(source), str(target)))
            total += len(part)
            n = len(parent)
            rows.append(
                {
                    "year": year,
                    "new_ties": len(part),
                    "cumulative_ties": total,
                    "new_actors": new_actors,
                    "cumulative_actors": n,
                    "density": len(links) / (n * (n - 1)) if n > 1 else np.nan,
                    "components": components,
                    "largest_component_share": largest / n,
                    "mean_degree": 2 * len(links) / n,
                }
            )
    counts = (*GROWTH_COLUMNS[:5], "components")
    growth = pd.DataFrame(rows, columns=list(GROWTH_COLUMNS)).astype(dict.fromkeys(counts, "int64"))
    growth.attrs["undated_ties"] = [
        {k: str(v) for k, v in row.items()} for row in undated[shown].to_dict("records")
    ]
    actors = [str(a) for a in network.actors["id"]]
    growth.attrs["actors_without_year"] = [a for a in actors if a not in parent]
    return growth


# --------------------------------------------------------------------- published networks
def published_root() -> Path:
    return Path(str(resources.files("ecocluster") / "data" / "network" / "published"))


def published_networks() -> pd.DataFrame:
    """The bundled published networks: name, title, place, files, counts, year range,
    sources and notes (their README says how each was compiled)."""
    index = pd.read_csv(
        published_root() / "published.csv", dtype=str, keep_default_na=False, encoding="utf-8"
    )
    for name in ("exchanges", "actor_count", "first_year", "last_year"):
        index[name] = index[name].astype(np.int64)
    return index


def load_published_network(name: str) -> InterfirmNetwork:
    """A bundled published network by name (any case, spacing or diacritics)."""
    index = published_networks()
    found = index[index["name"].map(fold_key) == fold_key(name)]
    if found.empty:
        names = ", ".join(index["name"])
        raise InputError(
            f"no published network named {name!r}; bundled: {names}", rule="published-network"
        )
    row = found.iloc[0]
    root = published_root()
    actors = root / str(row["actors_file"]) if row["actors_file"] else None
    return read_interfirm_network(root / str(row["edges_file"]), actors=actors)
