"""The figures the 2007 study reports in the text of its Section 4, laid out as tables.

The 2007 paper gives its figures on pressures, spending and networks in the running text
of Section 4 rather than in numbered tables. This module rebuilds them as `SurveyTable`
objects with the conventions of `ecocluster.tables`, which keeps the numbered tables and
`compute_tables`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.indices import (
    PRESSURE_RULES,
    Grouping,
    compute_mentions,
    firm_groups,
    group_labels,
    group_mean,
    group_ratio,
    group_tally,
    group_values,
    ordered_labels,
    stored_labels,
)
from ecocluster.instrument import Instrument
from ecocluster.survey.columns import FloatArray
from ecocluster.tables import (
    _NEEDS,
    SOURCE_2007,
    USD_RATE,
    SurveyTable,
    TableRows,
    _by_group,
    _choice_label,
    _wide_firms,
    count_share_cells,
    firm_column,
    format_number,
    require_columns,
)

__all__ = [
    "table_network_summary",
    "table_pressures",
    "table_spending",
]


def _percent2(value: float) -> str:
    return format_number(value, 2, suffix="%")


def _levels(rows: TableRows, groups: Grouping, index: FloatArray, name: str) -> None:
    """Distribution of an index over its levels, then its mean."""
    for level in np.unique(index[~np.isnan(index)]):
        flag = np.where(np.isnan(index), np.nan, (index == level).astype(np.float64))
        rows.share(groups, f"{name[0].upper()}{name[1:]} = {format_number(float(level))}", flag)
    mean, n = group_mean(groups, index)
    rows.add(f"Mean {name}", mean, n, lambda v: format_number(v, 2))


def _pressure_rule(firms: pd.DataFrame) -> str:
    """The rule behind CP and EMP as far as the data show it: "sum" when an index is 3."""
    for column in ("CP", "EMP"):
        if column in firms.columns and np.any(firm_column(firms, column) == 3.0):
            return "sum"
    return "max"


def table_pressures(
    firms: pd.DataFrame,
    by: str = "cluster",
    *,
    instrument: Instrument | None = None,
    labels: Mapping[str, str] | None = None,
    pressure: str | None = None,
) -> SurveyTable:
    """Community, market and government pressure (Section 4 of the 2007 study): the
    firms behind CP, EMP and GMS and the distribution of each index.

    `pressure` is the rule CP and EMP were computed with (``"max"`` or ``"sum"``, see
    `ecocluster.indices.compute_firm_indices`) and decides what the notes say a firm at
    both levels scores; ``None`` reads it from the data (an index of 3 only arises from
    ``"sum"``).
    """
    require_columns(firms, _NEEDS["pressures"], "pressures")
    if pressure is None:
        pressure = _pressure_rule(firms)
    elif pressure not in PRESSURE_RULES:
        raise InputError(
            f"pressure must be one of {', '.join(PRESSURE_RULES)}, not {pressure!r}",
            rule="pressure",
        )
    groups = firm_groups(firms, by, instrument=instrument, labels=labels)
    rows = TableRows(groups.columns)
    rows.sizes(groups)
    for column, label in (
        ("complaint_others", "Aware of complaints about pollution from other firms"),
        ("complaint_own", "Complaint made about the firm's own pollution"),
    ):
        rows.share(groups, label, firm_column(firms, column))
    _levels(rows, groups, firm_column(firms, "CP"), "community pressure index (CP)")
    for column, label in (
        ("agreement", "Pollution control agreement with local leaders"),
        ("buyers_others", "Aware of buyers asking local plants about compliance"),
        ("buyers_own", "Own buyers considered the firm's environmental performance"),
    ):
        if column in firms.columns:
            rows.share(groups, label, firm_column(firms, column))
    if "EMP" in firms.columns:
        _levels(
            rows, groups, firm_column(firms, "EMP"), "environmental market pressure index (EMP)"
        )
    if "LOAN" in firms.columns:
        label = "Subsidised loan for pollution control equipment"
        rows.share(groups, label, firm_column(firms, "LOAN"))
    if "inspections" in firms.columns:
        inspections = firm_column(firms, "inspections")
        rows.share(
            groups, "Inspected at least once in the past year", firm_column(firms, "inspected")
        )
        twice = np.where(np.isnan(inspections), np.nan, (inspections >= 2).astype(float))
        rows.share(groups, "Inspected twice or more in the past year", twice)
    if "GMS" in firms.columns:
        letters = firm_column(firms, "warning_letters")
        received = np.where(np.isnan(letters), np.nan, (letters >= 1).astype(float))
        rows.share(groups, "Received a warning letter", received)
        mean, n = group_mean(groups, firm_column(firms, "GMS"))
        label = "Mean government monitoring and sanctions index (GMS)"
        rows.add(label, mean, n, lambda v: format_number(v, 2))
    both = (
        "a firm at both levels scores 3 (the weights add)"
        if pressure == "sum"
        else "a firm at both levels scores 2 (the larger weight counts)"
    )
    notes = (
        "Cells are numbers of firms with their share of the group's answering firms.",
        "CP and EMP weigh the indirect level (aware of pressure on other firms) 1 and the "
        f"direct level (the firm itself) 2; {both}; 0 is neither. "
        "GMS = inspections + 2 x warning letters.",
    )
    return rows.build(
        "pressures",
        "Community, market and government pressure",
        f"Section 4 of {SOURCE_2007}",
        notes,
        groups,
    )


def table_spending(
    firms: pd.DataFrame,
    by: str = "cluster",
    *,
    instrument: Instrument | None = None,
    labels: Mapping[str, str] | None = None,
    usd_rate: float = USD_RATE,
) -> SurveyTable:
    """Adoption of and spending on pollution control (Section 4 of the 2007 study)."""
    require_columns(firms, _NEEDS["spending"], "spending")
    groups = firm_groups(firms, by, instrument=instrument, labels=labels)
    rows = TableRows(groups.columns)
    rows.sizes(groups)
    rows.share(groups, "Installed pollution control equipment", firm_column(firms, "ENVTECH"))
    rows.share(groups, "Spent on pollution control", firm_column(firms, "spender"))
    for column, label in (
        ("pollution_capex", "Mean annual capital cost of pollution control"),
        ("pollution_opex", "Mean annual operation and maintenance cost"),
    ):
        mean, n = group_mean(groups, firm_column(firms, column))
        rows.add(f"{label} (VND)", mean * 1e6, n, format_number)
        rows.add(f"{label} (USD)", mean * 1e6 / usd_rate, n, format_number)
    spend = firm_column(firms, "ENVEXP")
    mean, n = group_mean(groups, np.where(firm_column(firms, "spender") == 1.0, spend, np.nan))
    rows.add("Mean annual spending among spenders (VND)", mean, n, format_number)
    mean, n = group_mean(groups, firm_column(firms, "spending_share"))
    rows.add("Spending as % of turnover (mean of firm ratios)", mean, n, _percent2)
    turnover = firm_column(firms, "TURN")
    ratio, n = group_ratio(groups, firm_column(firms, "ENVEXP_million"), turnover)
    rows.add("Spending as % of turnover (ratio of sums)", ratio, n, _percent2)
    opex, n = group_mean(groups, firm_column(firms, "pollution_opex"))
    mean_turnover, _ = group_mean(groups, turnover)
    with np.errstate(invalid="ignore", divide="ignore"):
        opex_share = np.where(mean_turnover > 0, 100.0 * opex / mean_turnover, np.nan)
    rows.add("Mean O&M cost as % of mean turnover", opex_share, n, _percent2)
    if "equipment_introducer" in firms.columns:
        introducer = firms["equipment_introducer"].to_numpy(dtype=object)
        answered = ~pd.isna(introducer)
        present = [str(v) for v in pd.unique(introducer[answered])]
        names = (
            group_labels(instrument, "equipment_introducer", present)
            if instrument is not None
            else ordered_labels(present, stored_labels(firms, "equipment_introducer") or {})
        )
        for key, label in names.items():
            flag = np.where(answered, (introducer == key).astype(float), np.nan)
            rows.share(groups, f"Equipment introduced by: {label}", flag)
    notes = (
        "Costs are asked as average annual amounts in VND million; USD at "
        f"{format_number(usd_rate)} VND per USD. Means are over all answering firms, "
        "spenders or not.",
        "Introducers: share of the firms that installed equipment and named who introduced it.",
    )
    return rows.build(
        "spending",
        "Adoption of and expenditure on pollution control",
        f"Section 4 of {SOURCE_2007}",
        notes,
        groups,
    )


def table_network_summary(
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    by: str = "cluster",
    labels: Mapping[str, str] | None = None,
    firms: pd.DataFrame | None = None,
) -> SurveyTable:
    """Environmental innovation networks (Section 4 of the 2007 study): awareness,
    partner importance, who initiates interactions and where partners are."""
    firms = _wide_firms(wide, instrument, firms)
    groups = firm_groups(firms, by, instrument=instrument, labels=labels)
    require_columns(firms, _NEEDS["network_summary"], "network_summary")
    rows = TableRows(groups.columns)
    rows.sizes(groups)
    if "aware_clean_technology" in firms.columns:
        label = "Aware of new environmentally friendly technologies"
        rows.share(groups, label, firm_column(firms, "aware_clean_technology"))
    if "n_knowledge_sources" in firms.columns:
        sources = firm_column(firms, "n_knowledge_sources")
        naming = np.where(np.isnan(sources), np.nan, (sources >= 1).astype(float))
        rows.share(groups, "Naming at least one source of knowledge", naming)
    mean, n = group_mean(groups, firm_column(firms, "partner_importance"))
    label = "Mean importance of the most significant innovation partner (1-10)"
    rows.add(label, mean, n, lambda v: format_number(v, 1))
    for concept, prefix in (
        ("initiator", "Interactions initiated by"),
        ("partner_location", "Innovation partners located"),
    ):
        if instrument.concepts.get(concept) not in wide.columns:
            continue
        values = wide[instrument.concept(concept)].to_numpy(dtype=object)
        codes, uniques = pd.factorize(values)
        nonblank = np.append(np.array([str(u) != "" for u in uniques], dtype=bool), False)
        base_n = group_tally(groups, nonblank[np.where(codes < 0, len(uniques), codes)])
        total = compute_mentions(wide, instrument, concept)
        grouped = compute_mentions(wide, instrument, concept, groups=group_values(groups))
        matrix = _by_group(grouped, groups, list(total.index))
        for position, name in enumerate(total.index):
            mentions = np.append(matrix[position], float(total[name]))
            with np.errstate(invalid="ignore", divide="ignore"):
                shares = np.where(base_n > 0, 100.0 * mentions / base_n, np.nan)
            label = f"{prefix}: {_choice_label(instrument, concept, str(name))}"
            rows.add(label, shares, mentions, count_share_cells(mentions, shares, only_total=False))
    notes = (
        "Initiators and partner locations: firms naming each answer, with their share of "
        "the firms answering the question (partner locations: several may be named).",
        "Partner importance: mean over the firms that answered (those naming a source).",
    )
    return rows.build(
        "network_summary",
        "Environmental innovation networks and knowledge exchange",
        f"Section 4 of {SOURCE_2007}",
        notes,
        groups,
    )
