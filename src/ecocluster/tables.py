"""The published tables of the survey studies, rebuilt for any grouping of the firms.

Each function lays out one table of a paper (Table 2, 3 and 4 and the data of Figure 1 of
the 2007 study; the figures of its Section 4 text live in `ecocluster.tables_section4`,
the 2003 study's tables in `ecocluster.tables_2003`) from the firm table of
`ecocluster.indices.compute_firm_indices` or from the wide answers, with the columns given
by any categorical firm column (``cluster``, ``ownership``, ``province``, ``area``) and a
``Total`` over all firms. A `SurveyTable` carries the numbers (`values`), the strings as
the paper prints them (`display`: thousands separators, the paper's decimals, "%" and
"17 (33%)" where it prints them, rounded half up), and the number of firms behind each
cell (`counts`), which `suppress_small_cells` uses for disclosure control.

Conventions:

* Groups appear in the instrument's choice order when it is known (from `instrument`, or
  kept with the firm table), otherwise alphabetically; columns are the English labels.
  Groups without firms are left out; firms without a group count in ``Total`` only.
* Means skip missing answers; shares are of the firms that answered.
* ``counts`` is the number of respondents behind a mean, the numerator of a share or the
  count itself; NaN where a cell is not built from firms' answers (a rank).
* ``–`` in `display` marks a cell without data, ``·`` a suppressed one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.indices import (
    COLUMN_CONCEPTS,
    TOTAL,
    Grouping,
    compute_constraint_scores,
    compute_firm_indices,
    compute_mentions,
    firm_groups,
    group_mean,
    group_share,
    group_sizes,
    group_values,
)
from ecocluster.instrument import Instrument
from ecocluster.survey.columns import FloatArray

__all__ = [
    "MISSING",
    "SUPPRESSED",
    "TOTAL",
    "SurveyTable",
    "compute_tables",
    "format_number",
    "suppress_small_cells",
    "table_constraints",
    "table_enterprise_adoption",
    "table_knowledge_sources",
    "table_pollution_perception",
]

MISSING: Final = "–"
SUPPRESSED: Final = "·"
#: VND per USD behind the USD figures of the 2007 study's Table 2 (2,168,450 / 16 = 135,528).
USD_RATE: Final = 16_000.0
SOURCE_2007: Final = "Konstadakopulos 2007 survey"
#: Firm columns each firm-based table needs (beyond the grouping column).
_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "enterprise_adoption": ("YEARS", "EMPL", "TURN", "export_share", "ENVTECH", "ENVEXP"),
    "pollution_perception": ("seriousness_noise", "seriousness_air", "seriousness_water"),
    "pressures": ("CP",),
    "spending": ("pollution_capex", "pollution_opex", "ENVTECH", "spender", "TURN"),
    "network_summary": ("partner_importance",),
}


# --------------------------------------------------------------------- the table
@dataclass(frozen=True)
class SurveyTable:
    """One table: numbers, printed strings and firms per cell, all of the same shape."""

    name: str
    title: str
    source: str
    values: pd.DataFrame
    display: pd.DataFrame
    counts: pd.DataFrame
    notes: tuple[str, ...] = ()
    suppressed: int = 0
    group_by: str = ""
    #: Keys of the group columns (``bat_trang``), in column order, ``Total`` excluded.
    groups: tuple[str, ...] = field(default=())

    def to_long(self) -> pd.DataFrame:
        """One line per cell: row, column, value, display and count."""
        rows, columns = self.values.shape
        return pd.DataFrame(
            {
                "table": self.name,
                "row": np.repeat(self.values.index.to_numpy(dtype=object), columns),
                "column": np.tile(self.values.columns.to_numpy(dtype=object), rows),
                "value": self.values.to_numpy(dtype=np.float64).ravel(),
                "display": self.display.to_numpy(dtype=object).ravel(),
                "count": self.counts.to_numpy(dtype=np.float64).ravel(),
            }
        )

    def to_csv(self, path: str | Path) -> None:
        """Write the long form (one line per cell): it keeps value, display and count
        together and needs no second header line for grouped statistics."""
        self.to_long().to_csv(path, index=False, encoding="utf-8")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (missing numbers as None), rows in order."""

        def number(value: float) -> float | None:
            return None if math.isnan(value) else float(value)

        rows = [
            {
                "label": str(label),
                "values": [number(v) for v in self.values.iloc[i]],
                "display": [str(v) for v in self.display.iloc[i]],
                "counts": [number(v) for v in self.counts.iloc[i]],
            }
            for i, label in enumerate(self.values.index)
        ]
        result = {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "group_by": self.group_by,
            "groups": list(self.groups),
            "columns": [str(c) for c in self.values.columns],
            "rows": rows,
            "notes": list(self.notes),
            "suppressed": self.suppressed,
        }
        json.dumps(result)  # fails here, not in the caller's writer, if something slipped in
        return result


def suppress_small_cells(table: SurveyTable, k: int = 3) -> SurveyTable:
    """Statistical disclosure control: hide every cell built from 1 to k - 1 firms.

    Values become NaN and display ``·``. A count of zero is kept: that no firm of a group
    did something is not disclosive by itself, and hiding it would also hide that the
    cell is empty. Cells not built from firms' answers (NaN count, such as ranks) stay.
    Suppression is primary only: a total minus the other visible cells can reveal a
    suppressed cell, so publish a table with few groups after checking its margins.
    """
    if k < 1:
        raise InputError("k must be at least 1", rule="suppression")
    counts = table.counts.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        hide = (counts > 0) & (counts < k)
    hidden = int(hide.sum())
    note = (
        f"Cells built from fewer than {k} firms are suppressed (·): {hidden} in this table."
        if hidden
        else f"No cell rests on fewer than {k} firms."
    )
    # The count behind a hidden cell is as disclosive as the cell: it goes too.
    return replace(
        table,
        values=table.values.mask(hide),
        display=table.display.mask(hide, SUPPRESSED),
        counts=table.counts.mask(hide),
        suppressed=table.suppressed + hidden,
        notes=(*table.notes, note),
    )


# --------------------------------------------------------------------- formatting
def format_number(
    value: float, decimals: int = 0, *, suffix: str = "", thousands: bool = True
) -> str:
    """Round half up (as the papers print), with thousands separators unless told not to.

    Negative `decimals` round to tens, hundreds, thousands (291,000). NaN gives ``–``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    exact = Decimal(repr(float(value)))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    separator = "," if thousands else ""
    return f"{rounded:{separator}.{max(decimals, 0)}f}{suffix}"


def _percent_auto(value: float) -> str:
    """Whole percents, or two decimals below 1% (Table 2 prints 83% and 0.03%)."""
    decimals = 2 if 0 < abs(value) < 1 else 0
    return format_number(value, decimals, suffix="%")


def _cells(values: FloatArray, formatter: Callable[[float], str]) -> list[str]:
    return [MISSING if math.isnan(v) else formatter(float(v)) for v in values]


def count_share_cells(counts: FloatArray, shares: FloatArray, *, only_total: bool) -> list[str]:
    """``17 (33%)``: a count with its share, in the Total column or everywhere."""
    out = _cells(counts, format_number)
    for position in [len(out) - 1] if only_total else range(len(out)):
        if not math.isnan(shares[position]) and not math.isnan(counts[position]):
            share = format_number(float(shares[position]), suffix="%")
            out[position] = f"{format_number(float(counts[position]))} ({share})"
    return out


def firm_column(firms: pd.DataFrame, name: str) -> FloatArray:
    return np.asarray(firms[name].to_numpy(dtype=np.float64, na_value=np.nan))


def require_columns(firms: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in firms.columns]
    if missing:
        concepts = sorted({c for m in missing for c in COLUMN_CONCEPTS.get(m, (m,))})
        raise InputError(
            f"table {table!r} needs concept(s) {', '.join(map(repr, concepts))} (firm "
            f"column(s) {', '.join(missing)}), which the instrument does not map or the "
            "responses do not answer",
            rule="unknown-concept",
        )


class TableRows:
    """Collects the rows of a table: values, counts and display strings."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self.labels: list[str] = []
        self.values: list[FloatArray] = []
        self.counts: list[FloatArray] = []
        self.display: list[list[str]] = []

    def add(
        self,
        label: str,
        values: FloatArray,
        counts: FloatArray,
        display: Callable[[float], str] | list[str],
    ) -> None:
        values = np.asarray(values, dtype=np.float64)
        self.labels.append(label)
        self.values.append(values)
        self.counts.append(np.asarray(counts, dtype=np.float64))
        self.display.append(display if isinstance(display, list) else _cells(values, display))

    def sizes(self, groups: Grouping) -> None:
        sizes = group_sizes(groups)
        self.add("Number of enterprises", sizes, sizes, format_number)

    def share(self, groups: Grouping, label: str, flag: FloatArray) -> None:
        """A share row printed as ``11 (22%)`` in every column."""
        shares, numerators = group_share(groups, flag)
        self.add(label, shares, numerators, count_share_cells(numerators, shares, only_total=False))

    def build(
        self, name: str, title: str, source: str, notes: Sequence[str], groups: Grouping | None
    ) -> SurveyTable:
        def frame(rows: Sequence[Any]) -> pd.DataFrame:
            return pd.DataFrame(list(rows), index=self.labels, columns=self.columns)

        return SurveyTable(
            name=name,
            title=title,
            source=source,
            values=frame(self.values).astype(np.float64),
            display=frame(self.display).astype(object),
            counts=frame(self.counts).astype(np.float64),
            notes=tuple(notes),
            group_by=groups.by if groups is not None else "",
            groups=groups.keys if groups is not None else (),
        )


# --------------------------------------------------------------------- 2007 tables
def table_enterprise_adoption(
    firms: pd.DataFrame,
    by: str = "cluster",
    *,
    instrument: Instrument | None = None,
    labels: Mapping[str, str] | None = None,
    usd_rate: float = USD_RATE,
) -> SurveyTable:
    """Table 2 of the 2007 study: enterprise characteristics and adoption of clean
    technologies, with the paper's rows, decimals and combined cells."""
    require_columns(firms, _NEEDS["enterprise_adoption"], "enterprise_adoption")
    groups = firm_groups(firms, by, instrument=instrument, labels=labels)
    rows = TableRows(groups.columns)
    rows.sizes(groups)
    for column, label, decimals in (
        ("YEARS", "Average number of years in operation", 1),
        ("EMPL", "Average number of full-time employees", 1),
    ):
        mean, n = group_mean(groups, firm_column(firms, column))
        rows.add(label, mean, n, partial(format_number, decimals=decimals))
    turnover, n = group_mean(groups, firm_column(firms, "TURN"))
    thousand = turnover * 1000.0
    usd = turnover * 1e6 / usd_rate
    combined = [
        MISSING if math.isnan(t) else f"{format_number(t)} ({format_number(u, -3)})"
        for t, u in zip(thousand, usd, strict=True)
    ]
    rows.add("Average turnover per firm in thousand VND (USD)", thousand, n, combined)
    rows.add("Average turnover per firm in USD", usd, n, lambda v: format_number(v, -3))
    share = firm_column(firms, "export_share")
    mean, n = group_mean(groups, share)
    rows.add("Average exports as percentage of firm's turnover", mean, n, _percent_auto)
    exporting = np.where(firm_column(firms, "exporter") == 1.0, share, np.nan)
    mean, n = group_mean(groups, exporting)
    rows.add("Average exports as percentage of turnover, among exporters", mean, n, _percent_auto)
    shares, adopters = group_share(groups, firm_column(firms, "ENVTECH"))
    rows.add(
        "Number of enterprises having adopted some clean technologies",
        adopters,
        adopters,
        count_share_cells(adopters, shares, only_total=True),
    )
    rows.add(
        "Enterprises having adopted some clean technologies (%)",
        shares,
        adopters,
        lambda v: format_number(v, suffix="%"),
    )
    mean, n = group_mean(groups, firm_column(firms, "spending_share"))
    rows.add(
        "Percentage of annual expenditure on pollution control",
        mean,
        n,
        lambda v: format_number(v, 2, suffix="%"),
    )
    notes = (
        f"Turnover in thousand VND; USD at {format_number(usd_rate)} VND per USD, printed "
        "to the thousand (the paper prints one cell unrounded).",
        "Export share: mean over all firms of the group, exporters or not; the second row "
        "is the mean among exporters (export share > 0), the reading of the paper's total.",
        "Adoption: installed pollution control equipment. Expenditure: mean over the firms "
        "of (capital + operation and maintenance cost) / turnover x 100; firms without "
        "spending count as 0.",
    )
    return rows.build(
        "enterprise_adoption",
        "Enterprise characteristics and adoption of clean technologies",
        f"Layout of Table 2, {SOURCE_2007}",
        notes,
        groups,
    )


def table_pollution_perception(
    firms: pd.DataFrame,
    by: str = "cluster",
    *,
    instrument: Instrument | None = None,
    labels: Mapping[str, str] | None = None,
) -> SurveyTable:
    """The data of Figure 1 of the 2007 study: mean seriousness of noise, air and water
    pollution (1-10), with the sustainability of local resources."""
    require_columns(firms, _NEEDS["pollution_perception"], "pollution_perception")
    groups = firm_groups(firms, by, instrument=instrument, labels=labels)
    rows = TableRows(groups.columns)
    rows.sizes(groups)
    for column, label in (
        ("seriousness_noise", "Noise pollution"),
        ("seriousness_air", "Air pollution"),
        ("seriousness_water", "Water pollution"),
        ("resource_sustainability", "Sustainability of local resources"),
    ):
        if column in firms.columns:
            mean, n = group_mean(groups, firm_column(firms, column))
            rows.add(label, mean, n, lambda v: format_number(v, 2))
    notes = (
        "Means of the answers on a scale of 1 (not serious at all) to 10 (very serious); "
        "for resources 1 is not sustainable at all and 10 totally sustainable.",
    )
    return rows.build(
        "pollution_perception",
        "Seriousness of pollution reported by enterprises",
        f"Data of Figure 1, {SOURCE_2007}",
        notes,
        groups,
    )


# --------------------------------------------------------------------- wide tables
def _wide_firms(
    wide: pd.DataFrame, instrument: Instrument, firms: pd.DataFrame | None
) -> pd.DataFrame:
    """The firm table of these answers (computed unless given), row for row."""
    if firms is None:
        firms = compute_firm_indices(wide, instrument)
    if len(firms) != len(wide):
        raise InputError("the firm table must have one row per row of the answers", rule="firms")
    return firms


def _wide_groups(
    wide: pd.DataFrame,
    instrument: Instrument,
    by: str | None,
    firms: pd.DataFrame | None,
    labels: Mapping[str, str] | None,
) -> tuple[Grouping | None, pd.DataFrame]:
    firms = _wide_firms(wide, instrument, firms)
    if by is None:
        return None, firms
    return firm_groups(firms, by, instrument=instrument, labels=labels), firms


def _choice_label(instrument: Instrument, concept: str, name: str) -> str:
    question = instrument.question(instrument.concept(concept))
    return instrument.choice_label(question, name, "en" if "en" in instrument.languages else None)


def _by_group(series: pd.Series, groups: Grouping, names: Sequence[str]) -> np.ndarray:
    """(choices x groups) from a (group, choice) series, zeros where a group names none."""
    table = series.unstack(level=0).reindex(index=list(names), columns=list(groups.keys))
    return np.asarray(table.fillna(0).to_numpy(dtype=np.float64))


def _column_table(
    layout: tuple[str, str, str],
    row_labels: Sequence[str],
    columns: Sequence[tuple[str, FloatArray, FloatArray, list[str]]],
    notes: Sequence[str],
    groups: Grouping | None,
) -> SurveyTable:
    """A table built column by column: (heading, values, counts, display) each."""
    headings = [c[0] for c in columns]

    def frame(position: int, dtype: Any) -> pd.DataFrame:
        data = np.column_stack([np.asarray(c[position], dtype=dtype) for c in columns])
        return pd.DataFrame(data, index=list(row_labels), columns=headings, dtype=dtype)

    name, title, source = layout
    return SurveyTable(
        name=name,
        title=title,
        source=source,
        values=frame(1, np.float64),
        display=frame(3, object),
        counts=frame(2, np.float64),
        notes=tuple(notes),
        group_by=groups.by if groups is not None else "",
        groups=groups.keys if groups is not None else (),
    )


def table_constraints(
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    by: str | None = None,
    labels: Mapping[str, str] | None = None,
    firms: pd.DataFrame | None = None,
    weights: Sequence[float] = (3.0, 2.0, 1.0),
) -> SurveyTable:
    """Table 3 of the 2007 study: constraints on adopting or improving pollution control.

    "Ranking" is the number of firms naming the constraint (the printed column divided by
    the 51 firms gives exactly its percentages); the Pollution Control Constraints score
    with `weights` for ranks one to three, which the paper describes but does not print,
    is an extra column. Rows run from the most named down, ties in choice-list order.
    With `by`, each group gets the three columns.
    """
    weight_text = "/".join(_short(w) for w in weights)
    return constraint_table(
        wide,
        instrument,
        ConstraintLayout(
            concept="constraints",
            name="constraints",
            title="Major constraints on enterprises adopting or improving pollution control",
            source=f"Layout of Table 3, {SOURCE_2007}",
            headings=("Ranking", "Percentage of positive responses"),
            notes=(
                "Ranking: number of firms naming the constraint among their (at most three) "
                "major constraints; percentage: share of the firms answering the question.",
                f"PCC score: constraints ranked first, second and third weighted {weight_text}; "
                "described in the paper's text, not printed in its table.",
            ),
            weights=tuple(weights),
            ranks=("constraint_rank_1", "constraint_rank_2", "constraint_rank_3"),
        ),
        by=by,
        labels=labels,
        firms=firms,
    )


def _short(weight: float) -> str:
    return format_number(weight, 0) if float(weight).is_integer() else format_number(weight, 2)


@dataclass(frozen=True)
class ConstraintLayout:
    """How a ranked list of constraints is laid out (2007 Table 3, 2003 text)."""

    concept: str
    name: str
    title: str
    source: str
    headings: tuple[str, str]
    notes: tuple[str, ...]
    weights: tuple[float, ...] = ()
    ranks: tuple[str, ...] = ()
    percent_sign: bool = False


def constraint_table(
    wide: pd.DataFrame,
    instrument: Instrument,
    layout: ConstraintLayout,
    *,
    by: str | None = None,
    labels: Mapping[str, str] | None = None,
    firms: pd.DataFrame | None = None,
) -> SurveyTable:
    """Firms naming each constraint, their share of the respondents and, with ranks, the
    weighted score; most named first, ties in choice-list order, the base last."""
    groups, firms = _wide_groups(wide, instrument, by, firms, labels)
    options: dict[str, Any] = {"concept": layout.concept, "ranks": layout.ranks}
    options["weights"] = layout.weights if layout.ranks else ()
    total = compute_constraint_scores(wide, instrument, **options)
    order = total["mentions"].sort_values(ascending=False, kind="stable").index
    total = total.loc[order]
    blocks: list[tuple[str, pd.DataFrame]] = [("", total)]
    if groups is not None:
        grouped = compute_constraint_scores(
            wide, instrument, groups=group_values(groups), **options
        )
        present = set(grouped.index.get_level_values(0))
        blocks = []
        for key, label in zip(groups.keys, groups.labels, strict=True):
            part = pd.DataFrame(grouped.xs(key, level=0)) if key in present else total * np.nan
            blocks.append((f"{label}: ", part.reindex(order)))
        blocks.append((f"{TOTAL}: ", total))
    suffix = "%" if layout.percent_sign else ""
    stats = [(layout.headings[0], "mentions", ""), (layout.headings[1], "share", suffix)]
    if "pcc" in total.columns:
        weight_text = "/".join(_short(w) for w in layout.weights)
        stats.append((f"PCC score (weights {weight_text})", "pcc", ""))
    columns: list[tuple[str, FloatArray, FloatArray, list[str]]] = []
    for prefix, frame in blocks:
        mentions = frame["mentions"].to_numpy(dtype=np.float64)
        base = float(frame["respondents"].iloc[0]) if len(frame) else float("nan")
        for heading, key, sign in stats:
            column = frame[key].to_numpy(dtype=np.float64)
            last = base if key == "mentions" else np.nan
            shown = _cells(column, partial(format_number, suffix=sign))
            columns.append(
                (
                    prefix + heading,
                    np.append(column, last),
                    np.append(mentions, last),
                    [*shown, "" if math.isnan(last) else format_number(last)],
                )
            )
    row_labels = [*total["label"].astype(str), "Enterprises answering (base of the percentages)"]
    notes = layout.notes if "pcc" in total.columns else layout.notes[:1]
    return _column_table(
        (layout.name, layout.title, layout.source), row_labels, columns, notes, groups
    )


def table_knowledge_sources(
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    by: str | None = None,
    labels: Mapping[str, str] | None = None,
    firms: pd.DataFrame | None = None,
    tie_order: Sequence[str] | None = None,
) -> SurveyTable:
    """Table 4 of the 2007 study: rank, source and times mentioned.

    Sources are sorted by times mentioned, ties in `tie_order` (choice names; default
    the choice list). The paper breaks its one tie differently (Government before
    Supplier at 7 mentions, against the questionnaire's order); pass its order to
    reproduce the printed ranks.
    """
    groups, firms = _wide_groups(wide, instrument, by, firms, labels)
    total = compute_mentions(wide, instrument, "knowledge_sources")
    names = list(total.index)
    tie = list(tie_order or []) + [n for n in names if n not in (tie_order or [])]
    order = sorted(names, key=lambda n: (-int(total[n]), tie.index(n)))
    mentions = total.reindex(order).to_numpy(dtype=np.float64)
    rank = np.arange(1, len(order) + 1, dtype=np.float64)
    nothing = np.full(len(order), np.nan)
    columns = [("Rank", rank, nothing, [f"{int(r)}." for r in rank])]
    if groups is not None:
        grouped = compute_mentions(
            wide, instrument, "knowledge_sources", groups=group_values(groups)
        )
        matrix = _by_group(grouped, groups, order)
        for position, label in enumerate(groups.labels):
            named = matrix[:, position]
            columns.append((label, named, named, _cells(named, format_number)))
    heading = TOTAL if groups is not None else "Times mentioned"
    columns.append((heading, mentions, mentions, _cells(mentions, format_number)))
    row_labels = [_choice_label(instrument, "knowledge_sources", n) for n in order]
    ties = "the order given" if tie_order else "the order of the questionnaire's list"
    notes = (
        "Times mentioned: firms naming the source among their (at most three) main sources "
        "of knowledge on environmentally friendly technologies.",
        f"Ties are ranked in {ties}.",
    )
    layout = (
        "knowledge_sources",
        "Sources of knowledge regarding environmentally friendly technologies",
        f"Layout of Table 4, {SOURCE_2007}",
    )
    return _column_table(layout, row_labels, columns, notes, groups)


# --------------------------------------------------------------------- all tables
def compute_tables(
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    by: str | None = "cluster",
    k: int | None = None,
    pressure: str = "max",
    labels: Mapping[str, str] | None = None,
    firms: pd.DataFrame | None = None,
) -> dict[str, SurveyTable]:
    """Every table the instrument's concepts support, keyed by table name.

    2007 tables come for an instrument mapping the 2007 concepts, 2003 tables for the
    2003 concepts. `by` groups every table; ``None`` gives each table the paper's own
    layout (clusters for the 2007 tables, ownership for Table 1 and rural/urban for
    Table 2 of 2003, no groups for the ranked lists). With `k`, cells built from fewer
    than `k` firms are suppressed.

    `firms` is the caller's own ``compute_firm_indices(wide, instrument,
    pressure=pressure)`` (one row per row of `wide`), used as is instead of computing the
    firm table again, which takes seconds at a million firms; a table of another length
    raises `InputError`.
    """
    from ecocluster import tables_2003, tables_section4

    if firms is None:
        firms = compute_firm_indices(wide, instrument, pressure=pressure)
    firms = _wide_firms(wide, instrument, firms)
    if by is not None and by not in firms.columns:
        firm_groups(firms, by)  # raises, naming the columns one can group by

    def has(*columns: str) -> bool:
        return all(c in firms.columns for c in columns)

    group = by or "cluster"
    firm_tables: dict[str, Callable[..., SurveyTable]] = {
        "enterprise_adoption": table_enterprise_adoption,
        "pollution_perception": table_pollution_perception,
        "pressures": partial(tables_section4.table_pressures, pressure=pressure),
        "spending": tables_section4.table_spending,
    }
    tables: dict[str, SurveyTable] = {}
    for name, build in firm_tables.items():
        if has(*_NEEDS[name], group):
            tables[name] = build(firms, group, instrument=instrument, labels=labels)
    ranked: dict[str, Callable[..., SurveyTable]] = {
        "constraints": table_constraints,
        "knowledge_sources": table_knowledge_sources,
    }
    for name, build in ranked.items():
        if instrument.concepts.get(name) in wide.columns:
            tables[name] = build(wide, instrument, by=by, labels=labels, firms=firms)
    if has(*_NEEDS["network_summary"], group):
        tables["network_summary"] = tables_section4.table_network_summary(
            wide, instrument, by=group, labels=labels, firms=firms
        )
    tables.update(tables_2003.compute_tables_2003(wide, instrument, firms, by=by, labels=labels))
    if k is not None:
        tables = {name: suppress_small_cells(table, k) for name, table in tables.items()}
    return tables
