"""The tables of the 2003 survey of handicraft enterprises, for any grouping of the firms.

Table 1 (enterprise characteristics by ownership), Table 2 (support sought from local
government, by rural and urban location) and the constraints on expansion that the text
quotes. The layout machinery, conventions and `SurveyTable` are those of
`ecocluster.tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.indices import (
    Grouping,
    firm_groups,
    group_labels,
    group_mean,
    group_share,
    ordered_labels,
    stored_labels,
)
from ecocluster.instrument import Instrument
from ecocluster.tables import (
    MISSING,
    ConstraintLayout,
    SurveyTable,
    TableRows,
    constraint_table,
    count_share_cells,
    firm_column,
    format_number,
    require_columns,
)

__all__ = [
    "compute_tables_2003",
    "table_enterprise_characteristics_2003",
    "table_expansion_constraints",
    "table_support_seeking",
]

SOURCE_2003: Final = "Konstadakopulos 2003 survey"
#: Row labels of the support questions when no instrument is at hand.
SUPPORT_LABELS: Final = {
    "support_technology": "Acquisition of new technology",
    "support_marketing": "Marketing product beyond the local area",
    "support_banks": "Dealing with banks (new loans and rescheduling)",
    "support_government": "Dealing with senior levels of government",
    "support_equipment": "Acquisition of pollution control equipment",
    "support_compliance": "Information on compliance with environmental regulations",
}
_ICT: Final = (
    ("has_telephone", "Number of enterprises having own fixed line and/or mobile telephone"),
    ("has_computer_email", "Number of enterprises having own personal computer and email"),
    ("has_website", "Number of enterprises having a dedicated website"),
    ("collaborates", "Number of enterprises collaborating with other similar enterprises"),
)
_TABLE_1: Final = (
    "YEARS",
    "EMPL",
    "owner_age",
    "owner_education",
    "owner_male",
    "land_area",
    "main_resource",
    *(column for column, _ in _ICT),
)


def _counts_with_total_share(
    rows: TableRows, groups: Grouping, label: str, flag: np.ndarray
) -> None:
    """A count row printed ``56 (100%)`` in Total, then its share row."""
    shares, counts = group_share(groups, flag)
    rows.add(label, counts, counts, count_share_cells(counts, shares, only_total=True))


def table_enterprise_characteristics_2003(
    firms: pd.DataFrame,
    by: str = "ownership",
    *,
    instrument: Instrument | None = None,
    labels: Mapping[str, str] | None = None,
) -> SurveyTable:
    """Table 1 of the 2003 study: age, size, owners, land, resources, ICT and
    collaboration, with the paper's combined cells ("6/5", "338 (9)", "56 (100%)")."""
    require_columns(firms, _TABLE_1, "enterprise_characteristics_2003")
    groups = firm_groups(firms, by, instrument=instrument, labels=labels)
    rows = TableRows(groups.columns)
    rows.sizes(groups)
    for column, label, decimals in (
        ("YEARS", "Average number of years in operation", 1),
        ("EMPL", "Average number of full-time employees", 0),
        ("owner_age", "Average age of owners", 0),
        ("owner_education", "Average number of years in owner's education", 1),
    ):
        mean, n = group_mean(groups, firm_column(firms, column))
        rows.add(label, mean, n, partial(format_number, decimals=decimals))

    male = firm_column(firms, "owner_male")
    _, men = group_share(groups, male)
    _, women = group_share(groups, np.where(np.isnan(male), np.nan, 1.0 - male))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(women > 0, men / women, np.nan)
    smallest = np.where((men > 0) & (women > 0), np.minimum(men, women), np.maximum(men, women))
    ratio_text = [f"{format_number(m)}/{format_number(w)}" for m, w in zip(men, women, strict=True)]
    rows.add("Gender ratio of owners (male/female)", ratio, smallest, ratio_text)
    rows.add("Owners who are men", men, men, format_number)
    rows.add("Owners who are women", women, women, format_number)

    land, answered = group_mean(groups, firm_column(firms, "land_area"))
    land_text = [
        MISSING if np.isnan(v) else f"{format_number(v, thousands=False)} ({format_number(n)})"
        for v, n in zip(land, answered, strict=True)
    ]
    label = "Average amount of land access in m² (number of enterprises responding)"
    rows.add(label, land, answered, land_text)
    rows.add("Enterprises responding to the land question", answered, answered, format_number)

    resource = firms["main_resource"].to_numpy(dtype=object)
    known = ~pd.isna(resource)
    present = [str(v) for v in pd.unique(resource[known])]
    names = (
        group_labels(instrument, "main_resource", present)
        if instrument is not None
        else ordered_labels(present, stored_labels(firms, "main_resource") or {})
    )
    for key, name in names.items():
        flag = np.where(known, (resource == key).astype(np.float64), np.nan)
        _, counts = group_share(groups, flag)
        shown = ["" if c == 0 else format_number(c) for c in counts]
        rows.add(f"Main type of natural resource used: {name}", counts, counts, shown)

    for column, label in _ICT:
        _counts_with_total_share(rows, groups, label, firm_column(firms, column))
    for column, label in _ICT:
        shares, counts = group_share(groups, firm_column(firms, column))
        share_label = label.replace("Number of enterprises", "Enterprises") + " (%)"
        rows.add(share_label, shares, counts, lambda v: format_number(v, suffix="%"))
    notes = (
        "Means are over the enterprises that answered; land is a sensitive question and "
        "the number answering is given in brackets (printed without thousands separators, "
        "as in the paper).",
        "Gender ratio: owners who are men / women. Resources: a blank cell means no "
        "enterprise. Shares in brackets are of all enterprises of the column.",
    )
    return rows.build(
        "enterprise_characteristics_2003",
        "Enterprise characteristics, land, ICT, natural resources and collaboration",
        f"Layout of Table 1, {SOURCE_2003}",
        notes,
        groups,
    )


def _support_columns(firms: pd.DataFrame) -> list[str]:
    return [c for c in firms.columns if c.startswith("support_")]


def _support_label(column: str, instrument: Instrument | None) -> str:
    if instrument is not None and column in instrument.concepts:
        question = instrument.question(instrument.concept(column))
        return instrument.label(question, "en" if "en" in instrument.languages else None)
    return SUPPORT_LABELS.get(column, column)


def table_support_seeking(
    firms: pd.DataFrame,
    by: str = "area",
    *,
    instrument: Instrument | None = None,
    labels: Mapping[str, str] | None = None,
) -> SurveyTable:
    """Table 2 of the 2003 study: enterprises seeking support from local government, per
    issue, with "9 (16%)" in Total; then the shares of every column."""
    columns = _support_columns(firms)
    require_columns(firms, columns or ["support_technology"], "support_seeking")
    groups = firm_groups(firms, by, instrument=instrument, labels=labels)
    rows = TableRows(groups.columns)
    rows.sizes(groups)
    for column in columns:
        _counts_with_total_share(
            rows, groups, _support_label(column, instrument), firm_column(firms, column)
        )
    for column in columns:
        shares, counts = group_share(groups, firm_column(firms, column))
        label = f"{_support_label(column, instrument)} (%)"
        rows.add(label, shares, counts, lambda v: format_number(v, suffix="%"))
    notes = (
        "Support sought: yes, or for a frequency any answer but never. Shares are of the "
        "enterprises that answered.",
    )
    return rows.build(
        "support_seeking",
        "Enterprises seeking support from local government",
        f"Layout of Table 2, {SOURCE_2003}",
        notes,
        groups,
    )


def table_expansion_constraints(
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    by: str | None = None,
    labels: Mapping[str, str] | None = None,
    firms: pd.DataFrame | None = None,
) -> SurveyTable:
    """Constraints impeding expansion, as shares of the enterprises that answered.

    The text's percentages (capital 60%, knowledge 55%, workers 36%, market 31%) are of
    the respondents: with a "No constraint" choice in the list, a blank is no answer.
    """
    layout = ConstraintLayout(
        concept="constraints_expansion",
        name="expansion_constraints",
        title="Constraints impeding the expansion of enterprises",
        source=f"Text (Empirical findings), {SOURCE_2003}",
        headings=("Enterprises naming it", "Percentage of respondents"),
        notes=(
            "Percentages are of the enterprises that answered the question (a blank answer "
            "is no answer: the list offers 'No constraint').",
        ),
        percent_sign=True,
    )
    return constraint_table(wide, instrument, layout, by=by, labels=labels, firms=firms)


def compute_tables_2003(
    wide: pd.DataFrame,
    instrument: Instrument,
    firms: pd.DataFrame,
    *,
    by: str | None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, SurveyTable]:
    """The 2003 tables the instrument supports (see `ecocluster.tables.compute_tables`)."""
    options: dict[str, Any] = {"instrument": instrument, "labels": labels}
    tables: dict[str, SurveyTable] = {}
    if all(c in firms.columns for c in _TABLE_1):
        group = by or "ownership"
        if group in firms.columns:
            tables["enterprise_characteristics_2003"] = table_enterprise_characteristics_2003(
                firms, group, **options
            )
    if _support_columns(firms):
        group = by or ("area" if "area" in firms.columns else "cluster")
        if group in firms.columns:
            tables["support_seeking"] = table_support_seeking(firms, group, **options)
    question = instrument.concepts.get("constraints_expansion")
    if question is not None and question in wide.columns:
        tables["expansion_constraints"] = table_expansion_constraints(
            wide, instrument, by=by, labels=labels, firms=firms
        )
    return tables
