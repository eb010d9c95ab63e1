"""The zone report: a cleaner-production programme and its parks' eco-industrial readiness.

What a zone management board and its RECP consultants look at: how many enterprises were
registered and audited, how many options were recommended and how far they got, the
savings expected and verified, the cost curve of the options, and, for each park, the
criteria it meets, the gaps and the actions to take first. Everything shown is computed by
`ecocluster.recp`, `ecocluster.recp_finance` and `ecocluster.eip`; this module lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ecocluster import __version__
from ecocluster.figure_style import figure_svg
from ecocluster.report.document import (
    Block,
    Bullets,
    FigureBlock,
    KeyFigures,
    Paragraph,
    Report,
    Section,
    TableBlock,
    collect_table,
    slug,
)
from ecocluster.report.html import ReportFiles, write_report

if TYPE_CHECKING:
    from ecocluster.eip import CriteriaSet, ParkAssessment
    from ecocluster.recp import Programme
    from ecocluster.symbiosis_analysis import SymbiosisAnalysis

STATUS_ORDER = ("recommended", "accepted", "implemented", "verified", "rejected")


@dataclass(frozen=True)
class ZoneAnalysis:
    """A programme's roll-ups, option economics and cost curve, and its parks' readiness."""

    programme: Programme
    title: str
    synthetic: bool
    discount_rate: float
    rollup: pd.DataFrame
    by_zone: pd.DataFrame
    by_sector: pd.DataFrame
    economics: pd.DataFrame
    cost_curve: pd.DataFrame
    criteria: CriteriaSet | None
    parks: dict[str, ParkAssessment]
    context: pd.DataFrame | None
    symbiosis: SymbiosisAnalysis | None = None

    def summary(self) -> dict[str, Any]:
        from ecocluster.json_data import to_json_data

        data = {
            "title": self.title,
            "synthetic": self.synthetic,
            "ecocluster_version": __version__,
            "discount_rate": self.discount_rate,
            "programme": self.rollup.iloc[0].to_dict() if len(self.rollup) else {},
            "zones": self.by_zone,
            "parks": {name: a.to_json_data() for name, a in self.parks.items()},
            "symbiosis": self.symbiosis.summary() if self.symbiosis else None,
        }
        return dict(to_json_data(data, "summary"))


def analyse_zone(
    programme: Programme,
    *,
    parks: pd.DataFrame | None = None,
    criteria: str | Path | None = "vn-decree-35-2022",
    discount_rate: float = 0.10,
    title: str = "",
    synthetic: bool = False,
    context: pd.DataFrame | None = None,
    symbiosis: SymbiosisAnalysis | None = None,
) -> ZoneAnalysis:
    """Everything the zone report shows, computed once (`symbiosis`: the zone's exchange
    plan, from `ecocluster.symbiosis_analysis`)."""
    from ecocluster.eip import assess_parks, read_criteria
    from ecocluster.recp_finance import (
        compute_cost_curve,
        compute_option_economics,
        compute_rollups,
    )

    chosen = read_criteria(criteria) if criteria is not None and parks is not None else None
    return ZoneAnalysis(
        programme=programme,
        title=title or f"Cleaner production and eco-industrial readiness: {programme.name}",
        synthetic=synthetic,
        discount_rate=discount_rate,
        rollup=compute_rollups(programme, "programme"),
        by_zone=compute_rollups(programme, "zone"),
        by_sector=compute_rollups(programme, "sector"),
        economics=compute_option_economics(programme, discount_rate),
        cost_curve=compute_cost_curve(programme, "energy_gj", discount_rate),
        criteria=chosen,
        parks=assess_parks(parks, chosen) if chosen is not None and parks is not None else {},
        context=context,
        symbiosis=symbiosis,
    )


def _number(value: float, decimals: int = 0) -> str:
    return "" if pd.isna(value) else f"{value:,.{decimals}f}"


def _rollup_display(table: pd.DataFrame, key: str, label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Registered": [_number(v) for v in table["enterprises_registered"]],
            "Audited": [_number(v) for v in table["enterprises_audited"]],
            "Options recommended": [_number(v) for v in table["options_recommended"]],
            "Implemented": [_number(v) for v in table["options_implemented"]],
            "Verified": [_number(v) for v in table["options_verified"]],
            "Rejected": [_number(v) for v in table["options_rejected"]],
            "Energy saving expected (GJ/yr)": [_number(v) for v in table["energy_gj_recommended"]],
            "Energy saving verified (GJ/yr)": [_number(v) for v in table["energy_gj_verified"]],
            "CO2e expected (t/yr)": [_number(v) for v in table["co2e_t_recommended"]],
        },
        index=pd.Index(table[key].astype(str).to_numpy(), name=label),
    )


def _categories(programme: Programme, economics: pd.DataFrame) -> pd.DataFrame:
    from ecocluster.recp import CATEGORY_LABELS

    options = programme.options.merge(
        economics[["option_id", "payback_years"]], on="option_id", how="left"
    )
    grouped = options.groupby("category", sort=False)
    table = pd.DataFrame(
        {
            "Options": grouped.size(),
            "Implemented or verified": grouped["status"].agg(
                lambda s: int(s.isin(("implemented", "verified")).sum())
            ),
            "Investment": grouped["investment"].sum(),
            "Money saved per year": grouped["saving_money"].sum(),
            "Median payback (years)": grouped["payback_years"].median(),
        }
    )
    table.index = pd.Index(
        [CATEGORY_LABELS.get(str(c), str(c)) for c in table.index], name="Category"
    )
    return table.sort_values("Options", ascending=False, kind="stable")


def _programme_sections(zone: ZoneAnalysis, tables: dict[str, pd.DataFrame]) -> list[Section]:
    from ecocluster.recp_finance import draw_cost_curve

    programme, total = zone.programme, zone.rollup.iloc[0]
    currency = programme.currency
    glance = KeyFigures(
        (
            ("Zones", _number(programme.enterprises["zone"].nunique())),
            ("Enterprises registered", _number(total["enterprises_registered"])),
            ("Enterprises audited", _number(total["enterprises_audited"])),
            ("Options recommended", _number(total["options_recommended"])),
            ("Options implemented", _number(total["options_implemented"])),
            ("Energy saving expected", f"{_number(total['energy_gj_recommended'])} GJ/yr"),
            ("CO2e expected", f"{_number(total['co2e_t_recommended'])} t/yr"),
            ("Money saving expected", f"{_number(total['money_recommended'])} {currency}/yr"),
        )
    )
    blocks: list[Block] = [glance]
    tables["rollup_zones"] = zone.by_zone
    blocks.append(
        TableBlock(
            "rollup_zones",
            "The programme zone by zone",
            _rollup_display(zone.by_zone, "zone", "Zone"),
            notes=(
                "Options count where they stand now: a verified option is also counted as "
                "implemented. Expected savings are those of every option recommended "
                "(rejected ones included, as audits report them); verified savings only "
                "those of verified options.",
            ),
        )
    )
    tables["rollup_sectors"] = zone.by_sector
    blocks.append(
        TableBlock(
            "rollup_sectors",
            "The programme by sector",
            _rollup_display(zone.by_sector, "sector", "Sector"),
        )
    )
    categories = _categories(programme, zone.economics)
    tables["option_categories"] = categories.reset_index()
    shown = categories.assign(
        **{
            "Investment": [_number(v) for v in categories["Investment"]],
            "Money saved per year": [_number(v) for v in categories["Money saved per year"]],
            "Median payback (years)": [_number(v, 1) for v in categories["Median payback (years)"]],
        }
    )
    blocks.append(
        TableBlock(
            "option_categories",
            f"Options by cleaner-production category (money in {currency})",
            shown,
        )
    )
    sections = [Section("programme", "The cleaner-production programme", tuple(blocks))]
    curve = zone.cost_curve
    tables["cost_curve"] = curve
    rate = f"{100 * zone.discount_rate:g}%"
    excluded = len(curve.attrs.get("excluded", []))
    curve_blocks: list[Block] = [
        Paragraph(
            "The options ordered by their cost per GJ saved: the annualised investment (at a "
            f"discount rate of {rate} over the option's lifetime) less the money it saves "
            "each year, over the energy it saves each year. Bars below zero pay for "
            "themselves; the width of a bar is the energy it saves, so the curve reads as "
            "how much energy the zone can save at what cost."
            + (f" {excluded} options that save no energy are left out." if excluded else "")
        ),
        FigureBlock(
            "figure-cost-curve",
            "The zone's cleaner-production cost curve",
            figure_svg(partial(draw_cost_curve, curve)),
            alt="Step chart of the options: width the energy saved per year, height the cost "
            "per GJ saved, ordered from the cheapest.",
            caption=f"Cost per GJ saved in {currency}; negative: the option pays for itself.",
        ),
    ]
    return [*sections, Section("cost-curve", "Cost curve", tuple(curve_blocks))]


def _readiness_display(assessment: ParkAssessment) -> pd.DataFrame:
    readiness = assessment.readiness
    return pd.DataFrame(
        {
            "Met": [
                f"{m} of {n}" for m, n in zip(readiness["met"], readiness["criteria"], strict=True)
            ],
            "Not met": readiness["not_met"].to_numpy(),
            "Not enough data": readiness["not_enough_data"].to_numpy(),
            "Prerequisites": [
                ("all met" if met else "not all met") if count else "none"
                for met, count in zip(
                    readiness["prerequisites_met"], readiness["prerequisites"], strict=True
                )
            ],
            "Ready": ["yes" if r else "no" for r in readiness["ready"]],
        },
        index=pd.Index(readiness["category"].to_numpy(), name="Category"),
    )


def _readiness_sections(zone: ZoneAnalysis, tables: dict[str, pd.DataFrame]) -> list[Section]:
    if zone.criteria is None or not zone.parks:
        return []
    criteria = zone.criteria
    blocks: list[Block] = [
        Paragraph(
            f"Each park against {criteria.title} ({criteria.source}). A criterion is met, "
            "not met, or cannot be judged for lack of data; the actions put unmet "
            "prerequisites first. How firmly each criterion's text was sourced is in the "
            "CSV (sourcing: quoted, paraphrased or unconfirmed)."
        )
    ]
    for park, assessment in zone.parks.items():
        name = f"readiness_{slug(park).replace('-', '_')}"
        tables[name] = assessment.results
        verdict = "meets every criterion" if assessment.ready else "is not yet ready"
        blocks.append(
            TableBlock(
                name,
                f"{park} {verdict}",
                _readiness_display(assessment),
            )
        )
        actions = assessment.actions.head(6)
        if len(actions):
            blocks.append(
                Bullets(
                    tuple(
                        f"{row.action} ({row.citation})" for row in actions.itertuples(index=False)
                    )
                )
            )
    return [Section("readiness", "Eco-industrial park readiness", tuple(blocks))]


def _context_section(zone: ZoneAnalysis) -> list[Section]:
    context = zone.context
    if context is None or not len(context):
        return []
    items = []
    for row in context.itertuples(index=False):
        qualifier = f"{row.qualifier} " if str(getattr(row, "qualifier", "") or "") else ""
        unit = "" if str(row.unit) in ("", "count") else f" {row.unit}"
        what = str(getattr(row, "scope", "") or row.indicator)
        unit = "%" if str(row.unit) == "percent" else unit
        items.append(f"{what}: {qualifier}{row.value:g}{unit} ({row.as_of}; {row.source})")
    return [Section("context", "National context", (Bullets(tuple(items)),))]


def _symbiosis_section(zone: ZoneAnalysis, tables: dict[str, pd.DataFrame]) -> list[Section]:
    from ecocluster.report.symbiosis import symbiosis_section

    section = symbiosis_section(zone.symbiosis, partial(collect_table, tables))
    return [section] if section is not None else []


def build_zone_report(zone: ZoneAnalysis) -> tuple[Report, dict[str, pd.DataFrame]]:
    """The report document of a zone analysis and the CSV tables that go with it."""
    tables: dict[str, pd.DataFrame] = {}
    sections = [
        *_programme_sections(zone, tables),
        *_readiness_sections(zone, tables),
        *_symbiosis_section(zone, tables),
        *_context_section(zone),
    ]
    report = Report(
        title=zone.title,
        subtitle="Zone report: resource-efficient and cleaner production, and eco-industrial "
        "park readiness",
        meta={
            "Programme": zone.programme.name,
            "Enterprises": f"{len(zone.programme.enterprises):,}",
            "Options": f"{len(zone.programme.options):,}",
            "Criteria": zone.criteria.title if zone.criteria else "none",
            "ecocluster": __version__,
        },
        sections=tuple(sections),
        synthetic=zone.synthetic,
        synthetic_note="The enterprises, audits and options of this programme were generated "
        "to reproduce published programme totals; they are not real enterprises. Use it to "
        "try the methods, not to learn about the zones.",
    )
    return report, tables


def write_zone_report(zone: ZoneAnalysis, out_dir: str | Path) -> ReportFiles:
    """Write report.html, tables/*.csv and summary.json for a zone, all or nothing."""
    report, tables = build_zone_report(zone)
    return write_report(report, Path(out_dir), tables=tables, summary=zone.summary())
