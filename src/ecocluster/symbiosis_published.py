"""Does the matcher find the exchanges that real symbioses made? A check on published networks.

A published symbiosis (Kalundborg) is a list of exchanges that firms chose over decades.
Given those firms' outputs and needs as a streams file, an optimal plan should propose
most of them; the exchanges it misses, and those it proposes that never happened, say
where the compatibility rules, the prices or the taxonomy fall short.

API:

* ``read_exchange_classes(path, *, materials=None) -> DataFrame``: how each published
  material reads in the taxonomy: ``material`` (as the edge list writes it), ``output``,
  ``input`` (class ids; both empty when the exchange cannot be expressed) and ``reason``
  (why not). Unknown classes, a half-given pair, an unexpressed material without a reason
  and a material given twice are refused together.
* ``load_published_streams(name) -> PublishedStreams``: the bundled streams, classes,
  currency and transport costs of a published network (``published.csv`` names them).
* ``compare_with_published(plan, ties, classes) -> DataFrame``: one row per published
  exchange: ``supplier``, ``receiver``, ``material``, ``year``, ``output``, ``input``,
  ``expressible``, ``proposed``, ``quantity`` (what the plan moves on it), ``reason``;
  ``attrs``: ``published``, ``expressible``, ``proposed``, ``recall`` (proposed over
  expressible) and ``extra`` (the plan's exchanges no published row accounts for).

A published exchange counts as proposed when the plan moves something from its supplier
to its receiver between the same output class and need. When a pair of firms exchanged
the same classes twice (two water flows from a refinery to a power station), the plan
must hold as many such exchanges as the list does for all of them to count; the earliest
count first. The published list spans decades and the plan is one year's: an exchange
that ended long ago is still an exchange the firms once found worth making.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import fold_key
from ecocluster.problems import Problem, read_table, refuse
from ecocluster.symbiosis import read_materials, read_streams

if TYPE_CHECKING:
    from ecocluster.symbiosis_match import Plan

__all__ = [
    "PublishedStreams",
    "compare_with_published",
    "load_published_streams",
    "parse_transport_costs",
    "read_exchange_classes",
]

COMPARISON_COLUMNS = (
    "supplier", "receiver", "material", "year", "output", "input", "expressible", "proposed",
    "quantity", "reason",
)  # fmt: skip


@dataclass(frozen=True)
class PublishedStreams:
    """What a published network needs for the check: its firms' streams and how its
    materials read in the taxonomy, with the money and transport costs they assume."""

    name: str
    streams: pd.DataFrame
    classes: pd.DataFrame
    currency: str
    transport_cost: dict[str, float]


def read_exchange_classes(
    path: str | Path, *, materials: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The taxonomy classes of each published material, checked (see the module)."""
    table = read_table(path, ["material", "output", "input"], ["reason"])
    file = str(table.attrs["file"])
    known = set((read_materials() if materials is None else materials).index)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row, record in table.iterrows():
        number = int(str(row))
        material, output, input_ = record["material"], record["output"], record["input"]
        if not material:
            problems.append(Problem(file, number, "material", "required", "the material is empty"))
        elif fold_key(material) in seen:
            message = (
                f"material {material!r} is given twice (first on row {seen[fold_key(material)]})"
            )
            problems.append(Problem(file, number, "material", "duplicate", message))
        else:
            seen[fold_key(material)] = number
        for column, value in (("output", output), ("input", input_)):
            if value and value not in known:
                message = f"{column} class {value!r} is not in the taxonomy"
                problems.append(Problem(file, number, column, "unknown-material", message))
        if bool(output) != bool(input_):
            message = "give both the output class and the need, or neither (with a reason)"
            problems.append(Problem(file, number, "output", "pair", message))
        if not output and not input_ and not record["reason"]:
            message = f"material {material!r} has no classes and no reason why not"
            problems.append(Problem(file, number, "reason", "required", message))
    if problems:
        raise refuse(problems, "the classes file was")
    frame = table[["material", "output", "input", "reason"]].reset_index(drop=True)
    frame.attrs["file"] = file
    return frame


def parse_transport_costs(text: str) -> dict[str, float]:
    """``"solid=0.15; liquid=0.02"`` → {"solid": 0.15, "liquid": 0.02}: costs per unit-km
    by material group or class, as `plan_exchanges` takes them."""
    costs: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, value = part.partition("=")
        try:
            costs[key.strip()] = float(value)
        except ValueError:
            message = f"transport cost {part!r} is not 'group=number'"
            raise InputError(message, rule="transport-cost") from None
    return costs


def load_published_streams(name: str) -> PublishedStreams:
    """The bundled streams and classes of a published network, by name."""
    from ecocluster.interfirm import published_networks, published_root

    index = published_networks()
    found = index[index["name"].map(fold_key) == fold_key(name)]
    with_streams = index[index.get("streams_file", pd.Series("", index=index.index)) != ""]
    if found.empty or not found.iloc[0].get("streams_file", ""):
        names = ", ".join(with_streams["name"]) or "none"
        message = f"no published network named {name!r} has streams; with streams: {names}"
        raise InputError(message, rule="published-network")
    row = found.iloc[0]
    root = published_root()
    return PublishedStreams(
        name=str(row["name"]),
        streams=read_streams(root / str(row["streams_file"])),
        classes=read_exchange_classes(root / str(row["classes_file"])),
        currency=str(row["currency"]),
        transport_cost=parse_transport_costs(str(row["transport_cost"])),
    )


def compare_with_published(plan: Plan, ties: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """Each published exchange, expressed in the taxonomy, and whether the plan makes it."""
    lookup = {fold_key(m): (o, i, r) for m, o, i, r in classes.itertuples(index=False)}
    missing = sorted({str(m) for m in ties["material"] if fold_key(str(m)) not in lookup})
    if missing:
        message = f"the classes file does not say how to read {', '.join(map(repr, missing))}"
        raise InputError(message, file=str(classes.attrs.get("file", "")), rule="unmapped")
    order = ties.assign(_year=ties["year"].astype(float).fillna(np.inf)).sort_values(
        "_year", kind="stable"
    )
    planned: Counter[tuple[str, str, str, str]] = Counter()
    moved: dict[tuple[str, str, str, str], list[float]] = {}
    exchanges = plan.exchanges
    for supplier, receiver, output, input_, quantity in zip(
        exchanges["supplier_firm"].astype(str), exchanges["receiver_firm"].astype(str),
        exchanges["output"].astype(str), exchanges["input"].astype(str),
        exchanges["quantity"].to_numpy(float), strict=True,
    ):  # fmt: skip
        key = (supplier, receiver, output, input_)
        planned[key] += 1
        moved.setdefault(key, []).append(float(quantity))
    used: Counter[tuple[str, str, str, str]] = Counter()
    rows: list[dict[str, Any]] = []
    for tie in order.itertuples(index=False):
        output, input_, reason = lookup[fold_key(str(tie.material))]
        key = (str(tie.source), str(tie.target), output, input_)
        proposed = bool(output) and used[key] < planned[key]
        quantity = moved[key][used[key]] if proposed else 0.0
        if proposed:
            used[key] += 1
        elif output:
            reason = "not in the plan"
        rows.append(
            {"supplier": str(tie.source), "receiver": str(tie.target),
             "material": str(tie.material), "year": tie.year, "output": output,
             "input": input_, "expressible": bool(output), "proposed": proposed,
             "quantity": quantity, "reason": reason}
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    extra = [
        {"supplier": k[0], "receiver": k[1], "output": k[2], "input": k[3]}
        for k, count in planned.items()
        for _ in range(count - used[k])
    ]
    expressible, made = int(frame["expressible"].sum()), int(frame["proposed"].sum())
    frame.attrs.update(
        published=len(frame),
        expressible=expressible,
        proposed=made,
        recall=made / expressible if expressible else float("nan"),
        extra=pd.DataFrame(extra, columns=["supplier", "receiver", "output", "input"]),
    )
    return frame
