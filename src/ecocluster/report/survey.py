"""The survey report: one `SurveyAnalysis` laid out as sections, tables and figures.

Nothing is computed here that a reader could not find in the analysis itself: this module
chooses what to show, in what order, with which words around it, and hands the document to
`write_report`. Sections appear only when the wave has the questions behind them, so the
same layout serves the 2007 and 2003 studies and a user's own questionnaire.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecocluster import __version__
from ecocluster.findings import FORMS, compute_key_figures, group_labels
from ecocluster.report.document import (
    Block,
    Bullets,
    Callout,
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
from ecocluster.report.monitoring import monitoring_section
from ecocluster.report.policy import profile_section, recommendations_section
from ecocluster.report.symbiosis import symbiosis_section

if TYPE_CHECKING:
    from ecocluster.adoption import AdoptionModels
    from ecocluster.analysis import SurveyAnalysis
    from ecocluster.models import FitResult
    from ecocluster.network import Network
    from ecocluster.tables import SurveyTable

#: Which tables go in which section, in reading order.
SECTION_TABLES = {
    "enterprises": ("enterprise_adoption", "enterprise_characteristics_2003"),
    "perception": ("pollution_perception",),
    "pressures": ("pressures",),
    "adoption": ("spending",),
    "constraints": ("constraints", "expansion_constraints"),
    "knowledge": ("knowledge_sources", "network_summary", "support_seeking"),
}


#: The column of a ranked table that its bar chart shows.
FIGURE_COLUMNS = {"constraints": "Ranking", "knowledge_sources": "Times mentioned"}


class _Builder:
    """Collects the blocks of the report and the CSV tables that go with them."""

    def __init__(self, analysis: SurveyAnalysis) -> None:
        self.analysis = analysis
        self.csv: dict[str, pd.DataFrame] = {}
        self.labels = group_labels(analysis.instrument, firms=analysis.firms)
        self.used: set[str] = set()

    def survey_table(self, name: str) -> TableBlock | None:
        table: SurveyTable | None = self.analysis.tables.get(name)
        if table is None:
            return None
        self.used.add(name)
        self.csv[name] = table.to_long()
        notes = list(table.notes)
        return TableBlock(
            name=name,
            title=table.title,
            frame=table.display,
            notes=tuple(dict.fromkeys(notes)),
            source=table.source,
        )

    def frame_table(
        self, name: str, title: str, display: pd.DataFrame, data: pd.DataFrame, **kw: str
    ) -> TableBlock:
        return collect_table(self.csv, name, title, display, data, **kw)

    def tables_of(self, section: str) -> list[Block]:
        blocks: list[Block] = []
        for name in SECTION_TABLES[section]:
            block = self.survey_table(name)
            if block is not None:
                blocks.append(block)
        return blocks

    def label(self, key: object) -> str:
        return self.labels.get(str(key), str(key))


# --- sections ---------------------------------------------------------------------------


def _tables(builder: _Builder, section: str) -> tuple[Block, ...]:
    return tuple(builder.tables_of(section))


def _glance(builder: _Builder) -> Section:
    analysis = builder.analysis
    study = analysis.study
    firms = analysis.firms
    blocks: list[Block] = [KeyFigures(tuple(compute_key_figures(firms)))]
    text = (
        f"{analysis.n_firms:,} enterprises of wave '{study.wave}', surveyed with the "
        f"questionnaire {study.instrument}."
    )
    if "cluster" in firms and firms["cluster"].nunique() > 1:
        sizes = firms["cluster"].value_counts()
        parts = ", ".join(f"{builder.label(key)} {int(n)}" for key, n in sizes.items())
        text += f" Enterprises per cluster: {parts}."
    blocks.append(Paragraph(text))
    if study.source:
        blocks.append(Paragraph(f"Source study: {study.source}"))
    if study.data_note:
        blocks.append(Paragraph(study.data_note))
    if analysis.findings:
        blocks.append(Bullets(analysis.findings[:3]))
    return Section("glance", "The study at a glance", tuple(blocks))


def _quality(builder: _Builder) -> Section:
    analysis = builder.analysis
    problems = analysis.problems
    blocks: list[Block] = []
    if len(problems):
        counts = problems.groupby(["rule", "severity"]).size().rename("problems").reset_index()
        display = counts.astype(str).set_index("rule")
        blocks.append(
            Paragraph(
                f"The import kept {len(problems)} warnings with the data (errors refuse a file, "
                "so none are left). They are listed by rule."
            )
        )
        blocks.append(
            builder.frame_table("import_warnings", "Warnings kept with the import", display, counts)
        )
    else:
        blocks.append(Paragraph("Every answer passed every rule of the questionnaire on import."))
    response = analysis.item_response
    display = pd.DataFrame(
        {
            "Question": response["label"].to_numpy(),
            "Answered": [f"{n:,}" for n in response["answered"]],
            "Share": [f"{share:.0f}%" for share in response["share"]],
        },
        index=pd.Index(response["question"].to_numpy(), name="Name"),
    )
    blocks.append(
        builder.frame_table(
            "item_response",
            "Answers per question",
            display,
            response,
            note="Blank answers include questions skipped by design (skip logic).",
        )
    )
    if analysis.k is not None:
        hidden = sum(table.suppressed for table in analysis.tables.values())
        blocks.append(
            Callout(
                f"Statistical disclosure control: table cells built from fewer than "
                f"{analysis.k} firms are suppressed ({hidden} cells in this report), with the "
                "counts behind them; the firm-level scatter plot is left out and the findings "
                "name no cluster whose share rests on so few firms. Model coefficients and "
                "the methods audit use every firm and are not suppressed: review them before "
                "publishing real data.",
                kind="warning",
            )
        )
    return Section("data-quality", "Data quality", tuple(blocks))


def _perception(builder: _Builder) -> Section | None:
    from ecocluster.report.figures import grouped_bar_svg

    firms = builder.analysis.firms
    forms = [column for column in FORMS if column in firms]
    blocks = builder.tables_of("perception")
    if not forms and not blocks:
        return None
    if forms:
        if "cluster" in firms and firms["cluster"].nunique() > 1:
            means = firms.groupby("cluster", observed=True)[forms].mean().T
            means.columns = [builder.label(key) for key in means.columns]
        else:
            means = firms[forms].mean().to_frame("All firms")
        means.index = [FORMS[column].capitalize() for column in means.index]
        svg = grouped_bar_svg(
            means,
            ylabel="Mean seriousness (1 = not serious, 10 = very serious)",
            ylim=(0, 10),
            reference_line=5.5,
            reference_label="Scale midpoint (5.5)",
            decimals=2,
        )
        blocks.insert(
            0,
            FigureBlock(
                "figure-perception",
                "Seriousness of pollution reported by enterprises",
                svg,
                alt="Bar chart of the mean perceived seriousness of noise, air and water "
                "pollution in each cluster on a scale of 1 to 10.",
                caption="Means of the answers on a 1–10 scale; the line marks the midpoint.",
            ),
        )
    return Section("perception", "Perceived pollution", tuple(blocks))


def _pressures(builder: _Builder) -> Section | None:
    from ecocluster.report.figures import grouped_bar_svg

    firms = builder.analysis.firms
    blocks = builder.tables_of("pressures")
    if not blocks:
        return None
    indices = [column for column in ("CP", "EMP", "GMS") if column in firms]
    if indices and "ENVTECH" in firms and firms["ENVTECH"].nunique() == 2:
        adopted = firms["ENVTECH"] == 1
        means = pd.DataFrame(
            {
                "Non-adopters": firms.loc[~adopted, indices].mean(),
                "Adopters": firms.loc[adopted, indices].mean(),
            }
        )
        blocks.append(
            FigureBlock(
                "figure-pressures",
                "Pressure on adopters and non-adopters",
                grouped_bar_svg(means, ylabel="Mean index", decimals=2),
                alt="Bar chart comparing the mean community (CP), market (EMP) and government "
                "(GMS) pressure indices of adopters and non-adopters of clean technology.",
                caption="CP and EMP: 1 aware of pressure on other firms, 2 pressed directly "
                f"({builder.analysis.pressure} rule); GMS: inspections + 2 × warning letters.",
            )
        )
    return Section("pressures", "Pressures: community, market and government", tuple(blocks))


def _adoption(builder: _Builder) -> Section | None:
    from ecocluster.report.figures import scatter_svg, stacked_share_svg

    firms = builder.analysis.firms
    blocks = builder.tables_of("adoption")
    if "ENVTECH" not in firms:
        return Section("adoption", "Adoption and spending", tuple(blocks)) if blocks else None
    if "cluster" in firms and firms["cluster"].nunique() > 1:
        shares = firms.groupby("cluster", observed=True)["ENVTECH"].mean() * 100
        frame = pd.DataFrame({"Adopted": shares, "Not adopted": 100 - shares})
        frame.index = [builder.label(key) for key in frame.index]
        blocks.insert(
            0,
            FigureBlock(
                "figure-adoption",
                "Adoption of clean technology by cluster",
                stacked_share_svg(frame, xlabel="Share of enterprises (%)"),
                alt="Stacked bars of the share of enterprises in each cluster that installed "
                "pollution-control equipment.",
            ),
        )
    # One dot per firm: left out under disclosure control.
    if {"TURN", "ENVEXP_million"} <= set(firms) and builder.analysis.k is None:
        spenders = firms[firms["ENVEXP_million"] > 0]
        groups = (
            spenders["cluster"].map(builder.label)
            if "cluster" in spenders
            else pd.Series("All", index=spenders.index)
        )
        blocks.append(
            FigureBlock(
                "figure-spending",
                "Pollution-control spending against turnover",
                scatter_svg(
                    spenders["TURN"],
                    spenders["ENVEXP_million"],
                    groups=groups,
                    xlabel="Turnover (VND million, log scale)",
                    ylabel="Annual spending (VND million, log scale)",
                    logx=True,
                    logy=True,
                ),
                alt="Scatter plot of annual pollution-control spending against turnover for "
                "the enterprises that spend anything, coloured by cluster.",
                caption=f"{len(spenders)} enterprises with any spending.",
            )
        )
    return Section("adoption", "Adoption and spending", tuple(blocks))


def _ranked(
    builder: _Builder, section: str, title: str, figure_of: str, xlabel: str
) -> Section | None:
    from ecocluster.report.figures import ranked_bar_svg

    blocks = builder.tables_of(section)
    if not blocks:
        return None
    table = builder.analysis.tables.get(figure_of)
    column = FIGURE_COLUMNS.get(figure_of, "")
    if table is not None and column in table.values.columns:
        rows = table.values[column].dropna()
        rows = rows[~rows.index.str.startswith("Enterprises answering")]
        blocks.insert(
            0,
            FigureBlock(
                f"figure-{section}",
                title,
                ranked_bar_svg(rows.astype(float), xlabel=xlabel, decimals=0),
                alt=f"Horizontal bar chart: {title.lower()}, most often named first.",
            ),
        )
    return Section(section, title, tuple(blocks))


def _p(value: float) -> str:
    return "–" if value != value else ("< 0.001" if value < 0.001 else f"{value:.3f}")


def _bound(value: float) -> str:
    return "not found" if value != value else f"{value:.3g}"


def _count_cell(value: float, k: int | None) -> str:
    """A firm count, hidden as in the tables when it rests on 1 to k - 1 firms."""
    if k is not None and 0 < value < k:
        return "·"
    return f"{value:,.0f}"


#: Per-cluster maps are drawn up to this many clusters; beyond, only the overall map.
MAX_CLUSTER_MAPS = 6


def _network_maps(builder: _Builder, network: Network) -> list[Block]:
    from ecocluster.network_map import network_map_svg

    caption = (
        "Steward and Conway's template: the cluster core in the ellipse, four zones around "
        "it; distance from the ellipse tells geography. Node area: firms tied to the actor; "
        "edge width: ties; colour: kind of tie."
    )
    blocks: list[Block] = [
        FigureBlock(
            "figure-network",
            "Environmental innovation network of all clusters",
            network_map_svg(network),
            alt="Actor-positioning map: the clusters' firms in a central ellipse, linked to "
            "buyers, suppliers, knowledge institutions and government in four zones around it.",
            caption=caption,
        )
    ]
    firms = network.actors[network.actors["kind"] == "enterprise"]
    clusters = [str(c) for c in pd.unique(firms["cluster"].dropna())]
    if 1 < len(clusters) <= MAX_CLUSTER_MAPS:
        for cluster in clusters:
            name = builder.label(cluster)
            blocks.append(
                FigureBlock(
                    f"figure-network-{slug(cluster)}",
                    f"Environmental innovation network of {name}",
                    network_map_svg(network, cluster=cluster),
                    alt=f"Actor-positioning map of {name}: its firms and the actors they "
                    "name, by zone and geography.",
                    caption=caption,
                )
            )
    return blocks


def _network(builder: _Builder) -> Section | None:
    analysis = builder.analysis
    network, metrics, summary = analysis.network, analysis.network_metrics, analysis.network_summary
    if network is None or metrics is None:
        return None
    k = analysis.k
    ties = ", ".join(
        f"{kind.replace('_', ' ')} {count}" for kind, count in summary["ties_by_kind"].items()
    )
    geography = dict(summary.get("knowledge_geography", {}))
    known = sum(count for place, count in geography.items() if place != "unknown")
    text = (
        f"The survey answers describe {summary['actors']} actors, {summary['enterprises']} of "
        f"them the enterprises, and {summary['ties']} ties ({ties}). "
        f"{summary['firms_without_knowledge_source']} enterprises name no source of knowledge "
        "on clean technology."
    )
    if known:
        text += (
            f" Of the {known} knowledge ties whose origin the answers pin down, "
            f"{geography.get('abroad', 0)} come from abroad; "
            f"{geography.get('unknown', 0)} more cannot be placed (firms naming several "
            "partner locations)."
        )
    blocks: list[Block] = [
        Paragraph(
            "The environmental innovation network after Steward and Conway's actor-positioning "
            "template: the enterprises form the cluster's core; buyers, suppliers, knowledge "
            "institutions and the regulatory and political-cultural actors stand in four "
            "zones around it. One external actor per kind and cluster."
        ),
        Paragraph(text),
    ]
    blocks.extend(_network_maps(builder, network))
    external = metrics[metrics["zone"] != "core"].sort_values(
        ["strength", "betweenness"], ascending=False, kind="stable"
    )
    top = external.head(12)
    display = pd.DataFrame(
        {
            "Zone": top["zone"].to_numpy(),
            "Firms tied": [_count_cell(float(v), k) for v in top["degree"]],
            "Ties": [_count_cell(float(v), k) for v in top["strength"]],
            "Betweenness": [f"{v:.1f}" for v in top["betweenness"]],
            "Brokerage (core–outside)": [f"{v:.1f}" for v in top["brokerage"]],
        },
        index=pd.Index(top["label"].to_numpy(), name="Actor"),
    )
    blocks.append(
        builder.frame_table(
            "network_actors",
            "The most connected actors outside the cluster core",
            display,
            metrics,
            note="Betweenness: shortest paths through the actor (ties taken as undirected); "
            "brokerage: those paths that join a core actor to an outside one. The CSV holds "
            "every actor.",
        )
    )
    outreach = analysis.outreach
    if outreach is not None and len(outreach):
        shown = pd.DataFrame(
            {
                "Firms reached": [_count_cell(float(v), k) for v in outreach["reached"]],
                "Firms reached so far": [f"{v:,.0f}" for v in outreach["cumulative"]],
                "Share of all firms": [f"{100 * v:.0f}%" for v in outreach["share"]],
            },
            index=pd.Index(
                [
                    f"{r}. {label}"
                    for r, label in zip(outreach["rank"], outreach["label"], strict=True)
                ],
                name="Actor",
            ),
        )
        blocks.append(
            builder.frame_table(
                "network_outreach",
                "Where an information programme would reach most firms",
                shown,
                outreach,
                note="Greedy maximum coverage: each actor adds the firms it reaches through "
                "knowledge ties that no actor above it reaches.",
            )
        )
    return Section("network", "The environmental innovation network", tuple(blocks))


def _fit_table(
    builder: _Builder, name: str, title: str, result: FitResult, note: str
) -> TableBlock:
    tidy = result.tidy()
    firth = result.model == "firth"
    stars = np.where(tidy["p_value"] < 0.01, "**", np.where(tidy["p_value"] < 0.05, "*", ""))
    display = pd.DataFrame(
        {
            "Estimate": [
                f"{value:.4g}{star}" for value, star in zip(tidy["estimate"], stars, strict=True)
            ],
            "Std. error": [f"{value:.4g}" for value in tidy["std_error"]],
            "z / t (Wald)" if firth else "z / t": [f"{value:.2f}" for value in tidy["statistic"]],
            "p (profile likelihood)" if firth else "p": [_p(value) for value in tidy["p_value"]],
            "95% interval": [
                f"[{_bound(low)}, {_bound(high)}]"
                for low, high in zip(tidy["conf_low"], tidy["conf_high"], strict=True)
            ],
        },
        index=pd.Index(tidy["term"].to_numpy(), name="Term"),
    )
    llf = "penalised log likelihood" if firth else "log likelihood"
    fit_line = f"n = {result.nobs}; {llf} {result.llf:.3f}"
    if result.rsquared is not None:
        fit_line += f"; R² {result.rsquared:.3f} (adjusted {result.rsquared_adj or 0:.3f})"
    elif result.prsquared is not None:
        pseudo = "pseudo R² on penalised likelihoods" if firth else "McFadden pseudo R²"
        fit_line += f"; {pseudo} {result.prsquared:.3f}"
    fit_line += f"; {result.model}, covariance {result.cov_type}. * p < 0.05, ** p < 0.01."
    if firth:
        fit_line += (
            " Firth: p-values and intervals from the profile penalised likelihood (as R's "
            "logistf), z from the Wald standard error; a bound the profile search cannot "
            "reach is 'not found'. The penalised log likelihood is not comparable with an "
            "ML one."
        )
    if result.n_dropped:
        fit_line += f" {result.n_dropped} firms left out for missing values."
    text = f"{note.rstrip('.')}. {fit_line}" if note else fit_line
    return builder.frame_table(name, title, display, tidy, note=text)


def _with_t(values: pd.Series, t_values: pd.Series) -> list[str]:
    return [f"{value:.6g} ({t:.2f})" for value, t in zip(values, t_values, strict=True)]


def _diagnostics_table(builder: _Builder, models: tuple[AdoptionModels, ...]) -> TableBlock:
    rows = []
    for fitted in models:
        for label, result, diag in (
            ("adoption (logit)", fitted.logit, fitted.logit_diagnostics),
            ("spending (OLS)", fitted.ols, fitted.ols_diagnostics),
        ):
            rows.append(
                {
                    "specification": fitted.specification,
                    "model": label,
                    "estimator": result.model,
                    "n": diag.nobs,
                    "log likelihood": diag.llf,
                    "LR test vs constant (p)": diag.lr_null.p_value,
                    # The test that matches the model's errors: robust Wald under HC3.
                    "cluster terms jointly (p)": (
                        diag.cluster_lr.p_value
                        if result.cov_type == "nonrobust"
                        else diag.cluster_wald.p_value
                    ),
                    "events per variable": diag.epv,
                    "separation": (
                        None
                        if diag.separation is None
                        else ("yes" if diag.separation.separated else "no")
                    ),
                    "largest VIF": float(diag.vif.max()) if len(diag.vif) else np.nan,
                    "pseudo R²": diag.prsquared,
                    "R²": diag.rsquared,
                    "adjusted R²": diag.rsquared_adj,
                }
            )
    data = pd.DataFrame(rows)
    display = data.copy()
    for column in display.columns[3:]:
        display[column] = [
            ""
            if value is None or (isinstance(value, float) and np.isnan(value))
            else (f"{value:.3f}" if isinstance(value, float) else str(value))
            for value in data[column]
        ]
    display.index = pd.Index(
        [f"{row['specification']}: {row['model']}" for row in rows], name="Model"
    )
    display = display.drop(columns=["specification", "model"])
    return builder.frame_table("model_diagnostics", "Model diagnostics", display, data)


def _models(builder: _Builder) -> Section | None:
    from ecocluster.adoption import UNCALIBRATED_NOTE, compare_with_published
    from ecocluster.report.figures import coefficient_plot_svg

    analysis = builder.analysis
    published, recommended = analysis.published, analysis.recommended
    if published is None or recommended is None:
        return None
    blocks: list[Block] = [
        Paragraph(
            "Two specifications of the adoption (logit) and spending (OLS) models. The "
            "published one repeats Table 5 of the 2007 study: location enters as one number "
            "(CLUSTER), regressors in the paper's units. The recommended one treats the "
            "cluster as a category, rescales the regressors, uses heteroskedasticity-robust "
            "standard errors for spending and Firth's penalised logit when the data separate."
        )
    ]
    if analysis.study.synthetic:
        blocks.append(Callout(UNCALIBRATED_NOTE, kind="warning"))
    comparison = compare_with_published(published)
    display = pd.DataFrame(
        {
            "Table 5": _with_t(comparison["published"], comparison["published_t"]),
            "Recomputed": _with_t(comparison["recomputed"], comparison["recomputed_t"]),
            "Same sign": ["yes" if same else "no" for same in comparison["same_sign"]],
        },
        index=pd.MultiIndex.from_arrays(
            [comparison["model"].str.upper().to_numpy(), comparison["label"].to_numpy()],
            names=["Model", "Term"],
        ),
    )
    blocks.append(
        builder.frame_table(
            "published_vs_recomputed",
            "Published specification: Table 5 beside the same model on these data",
            display,
            comparison,
            note="Coefficients with t-values in brackets.",
        )
    )
    blocks.append(
        _fit_table(
            builder,
            "published_logit",
            "Published specification: adoption logit",
            published.logit,
            "",
        )
    )
    blocks.append(
        _fit_table(
            builder, "published_ols", "Published specification: spending OLS", published.ols, ""
        )
    )
    logit_note = (
        f"Firth's penalised logit: {recommended.firth_reason}" if (recommended.firth_reason) else ""
    )
    blocks.append(
        _fit_table(
            builder,
            "recommended_logit",
            "Recommended specification: adoption",
            recommended.logit,
            logit_note,
        )
    )
    blocks.append(
        _fit_table(
            builder,
            "recommended_ols",
            "Recommended specification: spending",
            recommended.ols,
            "Spending in VND million; HC3 standard errors.",
        )
    )
    effects = recommended.marginal_effects
    if effects is not None and len(effects):
        frame = effects
        plot = pd.DataFrame(
            {
                "term": frame["term"].astype(str),
                "estimate": frame["ame"] * 100,
                "conf_low": frame["conf_low"] * 100,
                "conf_high": frame["conf_high"] * 100,
                "specification": "recommended",
            }
        )
        blocks.append(
            FigureBlock(
                "figure-marginal-effects",
                "Average marginal effects on the probability of adoption",
                coefficient_plot_svg(
                    plot, xlabel="Percentage points, with 95% confidence interval"
                ),
                alt="Dot-and-whisker plot of the average marginal effect of each regressor of "
                "the recommended adoption model on the probability of adoption.",
                caption="Recommended specification; effects of one unit of each regressor "
                "(employees per 10, exports in VND billion, cluster against the reference).",
            )
        )
    blocks.append(_diagnostics_table(builder, (published, recommended)))
    return Section("models", "Adoption models: published and recommended", tuple(blocks))


def _audit(builder: _Builder) -> Section | None:
    audit = builder.analysis.audit
    if not audit:
        return None
    data = pd.DataFrame([item.to_dict() for item in audit])
    display = pd.DataFrame(
        {
            "Severity": data["severity"].to_numpy(),
            "Evidence": data["evidence"].to_numpy(),
            "What the recommended specification shows": data["consequence"].to_numpy(),
        },
        index=pd.Index(data["issue"].to_numpy(), name="Issue"),
    )
    data["terms"] = data["terms"].map(" ".join)
    blocks: list[Block] = [
        Paragraph(
            "Where the published specification is fragile, and whether each of its "
            "conclusions survives the recommended specification. Every statement is "
            "computed from the fitted models above."
        ),
        builder.frame_table("methods_audit", "Methods audit", display, data),
    ]
    return Section("audit", "Methods audit", tuple(blocks))


def _findings(builder: _Builder) -> Section:
    findings = builder.analysis.findings
    blocks: list[Block] = [Bullets(findings)] if findings else [Paragraph("No findings.")]
    return Section("findings", "Findings", tuple(blocks))


def _other_tables(builder: _Builder) -> Section | None:
    blocks: list[Block] = []
    for name in builder.analysis.tables:
        if name not in builder.used:
            block = builder.survey_table(name)
            if block is not None:
                blocks.append(block)
    return Section("other-tables", "Other tables", tuple(blocks)) if blocks else None


def build_survey_report(analysis: SurveyAnalysis) -> tuple[Report, dict[str, pd.DataFrame]]:
    """The report document of an analysis and the CSV tables that go with it."""
    builder = _Builder(analysis)
    candidates = [
        _glance(builder),
        _quality(builder),
        Section("enterprises", "Enterprise characteristics", _tables(builder, "enterprises")),
        _perception(builder),
        _pressures(builder),
        _adoption(builder),
        _ranked(builder, "constraints", "Constraints", "constraints", "Firms naming it"),
        _ranked(
            builder,
            "knowledge",
            "Knowledge sources and networks",
            "knowledge_sources",
            "Times mentioned",
        ),
        monitoring_section(analysis, builder.frame_table),
        _network(builder),
        symbiosis_section(analysis.symbiosis, builder.frame_table),
        profile_section(analysis, builder.frame_table),
        recommendations_section(analysis, builder.frame_table),
        _models(builder),
        _audit(builder),
        _other_tables(builder),
        _findings(builder),
    ]
    sections = tuple(section for section in candidates if section is not None and section.blocks)
    study = analysis.study
    meta = {
        "Study": study.title,
        "Wave": study.wave,
        "Questionnaire": study.instrument,
        "Enterprises": f"{analysis.n_firms:,}",
        "Tables grouped by": analysis.group_by or "the source paper's layout",
        "Generated": analysis.computed_at,
        "ecocluster": __version__,
    }
    report = Report(
        title=study.title,
        subtitle="Cluster survey report: pressures, adoption of clean technology, constraints, "
        "knowledge networks and policy",
        meta=meta,
        sections=sections,
        synthetic=study.synthetic,
    )
    return report, builder.csv


def write_survey_report(analysis: SurveyAnalysis, out_dir: str | Path) -> ReportFiles:
    """Write report.html, tables/*.csv and summary.json for an analysis, all or nothing."""
    report, tables = build_survey_report(analysis)
    return write_report(report, Path(out_dir), tables=tables, summary=analysis.summary())
