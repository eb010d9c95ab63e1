"""Report section on measured pollution: the sites on a map, the worst parameters of each
cluster against the national standards in force, trends, and the firms' perception beside
the measurements. Everything shown is read from `SurveyAnalysis.monitoring`.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import pandas as pd

from ecocluster.figure_style import figure_svg
from ecocluster.report.document import (
    Block,
    Bullets,
    Callout,
    FigureBlock,
    Paragraph,
    Section,
    slug,
)
from ecocluster.report.policy import AddTable

if TYPE_CHECKING:
    from ecocluster.analysis import MonitoringAnalysis, SurveyAnalysis

FORMS = {"noise": "Noise", "air": "Air", "water": "Water"}


def _worst_series(monitoring: MonitoringAnalysis) -> list[tuple[str, str, str, str]]:
    """(cluster, site, parameter, averaging) of each cluster's worst parameter, at the site
    where most of its samples exceed."""
    assessed = monitoring.assessed
    picks = []
    for row in monitoring.worst[monitoring.worst["rank"] == 1].itertuples(index=False):
        rows = assessed[
            (assessed["cluster"] == row.cluster)
            & (assessed["parameter"] == row.parameter)
            & (assessed["medium"] == row.medium)
            & (assessed["averaging"] == row.averaging)
        ]
        if not len(rows):
            continue
        site = rows.groupby("site", observed=True)["exceeds"].sum().idxmax()
        picks.append((str(row.cluster), str(site), str(row.parameter), str(row.averaging)))
    return picks


def _perception_table(perception: pd.DataFrame) -> pd.DataFrame:
    def share(value: float) -> str:
        return "" if pd.isna(value) else f"{100 * value:.0f}%"

    def score(value: float) -> str:
        return "" if pd.isna(value) else f"{value:.1f}"

    return pd.DataFrame(
        {
            "Perceived seriousness (mean, 1-10)": [score(v) for v in perception["mean_score"]],
            "Firms rating it serious": [share(v) for v in perception["serious_share"]],
            "Samples exceeding the limit": [share(v) for v in perception["share_exceeding"]],
            "Reading": perception["agreement"].to_numpy(),
        },
        index=pd.MultiIndex.from_arrays(
            [
                perception["cluster"].to_numpy(),
                [FORMS.get(str(f), str(f)) for f in perception["pollution"]],
            ],
            names=["Cluster", "Pollution"],
        ),
    )


def monitoring_section(analysis: SurveyAnalysis, add_table: AddTable) -> Section | None:
    """Measured pollution against the national standards, beside what firms perceive."""
    from ecocluster.monitoring_figures import draw_site_map, draw_time_series

    monitoring = analysis.monitoring
    if monitoring is None:
        return None
    facts = monitoring.summary()
    blocks: list[Block] = []
    if monitoring.synthetic:
        blocks.append(
            Callout(
                f"Synthetic measurements: the campaign {monitoring.campaign!r} was generated "
                "to match published exceedances; it is not real monitoring data.",
                "warning",
            )
        )
    standards = sorted(
        {str(s) for s in monitoring.assessed["standard"].dropna().unique() if str(s)}
    )
    blocks.append(
        Paragraph(
            f"{facts['samples']:,} samples from {len(monitoring.sites)} sites; "
            f"{facts['with_limit']:,} have a national limit in force on their day and "
            f"{facts['exceeding']:,} exceed it. Each sample is judged by the edition in "
            f"force when it was taken ({', '.join(standards)}); the ratio is the value over "
            "the limit (the minimum over the value for dissolved oxygen and pH), and a value "
            "below detection is never counted as exceeding."
        )
    )
    sites = monitoring.sites
    blocks.append(
        FigureBlock(
            "figure-monitoring-sites",
            "Monitoring sites by exceedance",
            figure_svg(lambda: draw_site_map(sites)),
            alt="Maps of the monitoring sites of each cluster, each site marked by how many "
            "times the limit its worst parameter reaches on average.",
            caption="Colour and marker: the mean ratio of the site's worst parameter to the "
            "limit in force. The CSV of the sites table holds every site's figures; "
            "`ecocluster monitor map` writes the sites as GeoJSON.",
        )
    )
    worst = monitoring.worst
    display = pd.DataFrame(
        {
            "Worst parameters": worst["description"].to_numpy(),
            "Samples exceeding": [
                f"{e} of {a} ({100 * s:.0f}%)"
                for e, a, s in zip(
                    worst["exceeding"], worst["assessed"], worst["share"], strict=True
                )
            ],
        },
        index=pd.MultiIndex.from_arrays(
            [worst["cluster"].to_numpy(), worst["rank"].to_numpy()], names=["Cluster", "Rank"]
        ),
    )
    blocks.append(
        add_table(
            "monitoring_worst",
            "The worst parameters of each cluster against the national standards",
            display,
            worst,
            note="Ranked by the highest ratio of a sample to its limit (samples below "
            "detection left out of the maximum).",
        )
    )
    for cluster, site, parameter, averaging in _worst_series(monitoring):
        blocks.append(
            FigureBlock(
                f"figure-monitoring-{slug(cluster)}",
                f"{cluster}: the worst parameter over time at site {site}",
                figure_svg(
                    partial(
                        draw_time_series, monitoring.assessed, site, parameter, averaging=averaging
                    )
                ),
                alt=f"Measurements of {parameter} at {site} ({cluster}) over time with the "
                "limit of each edition in force.",
                caption="Solid steps: the binding limit of each edition in force; dashed: the "
                "WHO guideline where there is one; hollow markers: below detection.",
            )
        )
    rising = monitoring.trends[monitoring.trends["direction"] == "rising"]
    if len(rising):
        blocks.append(
            Paragraph(
                "Rising at the 5% level (Mann-Kendall test on yearly medians; Theil-Sen slope "
                "in times the limit per year): "
                + "; ".join(
                    f"{r.site} {r.parameter} ({r.averaging}) {r.slope_per_year:+.2f}"
                    for r in rising.itertuples(index=False)
                )
                + "."
            )
        )
    perception = monitoring.perception
    if perception is not None and len(perception):
        blocks.append(
            add_table(
                "monitoring_perception",
                "Perceived and measured pollution",
                _perception_table(perception),
                perception,
                note="Perception from the survey's seriousness scores (1 not serious, 10 very "
                "serious; 7 or more counts as serious); measurement from the campaign's "
                "samples with a limit. The survey and the samples may be years apart.",
            )
        )
        blocks.append(Bullets(tuple(str(r) for r in perception["reading"])))
    return Section("monitoring", "Measured pollution against the national standards", tuple(blocks))
