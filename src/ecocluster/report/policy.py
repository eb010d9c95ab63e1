"""Report sections on what kind of cluster each surveyed cluster is and which policies fit it.

The profile puts the surveyed clusters beside the four published eco-industrial clusters
on the key factors of their comparative evaluation; the recommendations list the
interventions each cluster's evidence calls for, each with that evidence. Both are read
from the analysis (`ecocluster.eic`, `ecocluster.policy`); nothing is computed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from ecocluster.report.document import Block, Callout, Paragraph, Section, TableBlock, slug

if TYPE_CHECKING:
    from ecocluster.analysis import SurveyAnalysis

#: Adds a table to the report: (name, title, display frame, CSV data, note=, source=).
AddTable = Callable[..., TableBlock]

STREAM_LABELS = {
    "industrial": "Industrial policy",
    "environmental": "Environmental policy",
    "regional_development": "Regional development policy",
}
_MARKS = {"data": "", "hand": " †", "missing": ""}


def _headline(text: str) -> str:
    """The finding without its figures: "Weak horizontal links: 13% of ..." -> "Weak
    horizontal links"; several players keep their names ("Buyers; Foreign partners")."""
    if ": " in text:
        return text.split(": ", 1)[0]
    bare = text
    while True:
        stripped = re.sub(r"\s*\([^()]*\)", "", bare)
        if stripped == bare:
            break
        bare = stripped
    parts = [part.strip() for part in bare.split(";")]
    return "; ".join(dict.fromkeys(part for part in parts if part))


def _marked(profiles: pd.DataFrame, short: bool = False) -> pd.DataFrame:
    """Hand-filled factors get a dagger, so a reader sees what the survey did not measure;
    `short` keeps only the headline of data-filled factors (the figures stay in the CSV)."""
    from ecocluster.eic import KEY_FACTORS

    marked = profiles.copy()
    for factor in KEY_FACTORS:
        provenance = profiles[f"{factor}_provenance"]
        values = profiles[factor].astype(str)
        if short:
            values = values.where(provenance != "data", values.map(_headline))
        marked[factor] = values + provenance.map(_MARKS).fillna("")
    return marked


def profile_section(analysis: SurveyAnalysis, add_table: AddTable) -> Section | None:
    """The surveyed clusters beside the published eco-industrial clusters."""
    from ecocluster.eic import compare_profiles, published_profiles

    profiles = analysis.profiles
    if profiles is None or not len(profiles):
        return None
    published = published_profiles()
    display = compare_profiles(_marked(profiles, short=True), published).drop(index="Source")
    surveyed = compare_profiles(_marked(profiles)).drop(index="Source")
    provenance = profiles["small_businesses_provenance"]
    blocks: list[Block] = [
        Paragraph(
            "The key factors of Anbumozhi's comparative evaluation of eco-industrial clusters "
            "in India, Japan, Thailand and Viet Nam, for the surveyed clusters and, on the "
            "right, the four published ones. A surveyed cluster's factors come from the "
            "survey where it can tell them: the market from export shares and foreign "
            "buyers, the key players from the outreach ranking of the innovation network, "
            "inter-firm networks from ties among the cluster's firms, support institutions "
            "from ties to associations, universities and government, and the major "
            "constraint from the constraint ranking. Factors marked † come from a hand "
            "profile; \u201cnot known\u201d means neither the survey nor a hand profile says. "
            "The second table gives the figures behind each surveyed cluster's profile."
        ),
        add_table(
            "eic_profiles",
            "Eco-industrial cluster profiles: surveyed and published clusters",
            display,
            pd.concat([profiles, published], ignore_index=True),
            note="Small businesses of a surveyed cluster count the surveyed firms with fewer "
            "than 50 employees, not the cluster's census. The CSV holds the evidence behind "
            "every factor filled from the data.",
            source="Published clusters: Anbumozhi (IGES), Eco-industrial clusters, "
            "comparative evaluation of key elements.",
        ),
        add_table(
            "eic_profiles_surveyed",
            "The surveyed clusters' profiles with the figures behind them",
            surveyed,
            profiles,
        ),
    ]
    if (provenance == "missing").all():
        blocks.append(Callout("The survey gives no firm counts for the profile.", "note"))
    return Section("eic-profile", "Eco-industrial cluster profile", tuple(blocks))


def _matrix(recommendations: pd.DataFrame, clusters: dict[str, str]) -> pd.DataFrame:
    """Interventions (rows) by cluster (columns): which cluster's evidence calls for which."""
    from ecocluster.policy import STREAMS

    fired = recommendations.drop_duplicates(["rule", "cluster"])
    order = {name: i for i, name in enumerate(STREAMS)}
    ranked = fired.assign(_s=fired["stream"].map(order)).sort_values("_s", kind="stable")
    rules = list(dict.fromkeys(ranked["rule"]))
    stream = dict(zip(fired["rule"], fired["stream"], strict=False))
    rows = []
    for rule in rules:
        hits = set(fired.loc[fired["rule"] == rule, "cluster"])
        rows.append(["✓" if key in hits else "" for key in clusters])
    index = pd.MultiIndex.from_tuples(
        [(STREAM_LABELS.get(stream[r], stream[r]), r) for r in rules],
        names=["Stream", "Intervention"],
    )
    return pd.DataFrame(rows, index=index, columns=list(clusters.values()))


def recommendations_section(analysis: SurveyAnalysis, add_table: AddTable) -> Section | None:
    """The interventions each cluster's evidence calls for, with the evidence."""
    recommendations, profiles = analysis.recommendations, analysis.profiles
    if recommendations is None or profiles is None or not len(profiles):
        return None
    clusters = dict(zip(profiles["id"], profiles["name"], strict=True))
    blocks: list[Block] = [
        Paragraph(
            "Cluster-focused interventions from the three policy streams of Anbumozhi's work "
            "on eco-industrial clusters (industrial, environmental, regional development) and "
            "the policy implications of the 2007 Red River Delta study. A rule fires when the "
            "cluster's survey evidence passes its thresholds; each recommendation cites the "
            "figures that triggered it. The rules are a data file a policy analyst can edit "
            "(the command ecocluster policy rules lists them, and its option --rules reads "
            "your own)."
        )
    ]
    if not len(recommendations):
        blocks.append(Callout("No rule fired for any cluster on this survey's evidence."))
        return Section("recommendations", "Policy recommendations", tuple(blocks))
    blocks.append(
        add_table(
            "recommendations_overview",
            "Which interventions each cluster's evidence calls for",
            _matrix(recommendations, clusters),
            recommendations,
            note="✓: the rule fired on the cluster's evidence. Details and evidence below.",
        )
    )
    for key, name in clusters.items():
        rows = recommendations[recommendations["cluster"] == key]
        if not len(rows):
            continue
        display = pd.DataFrame(
            {
                "Intervention": rows["intervention"].to_numpy(),
                "Evidence": rows["evidence"].to_numpy(),
                "Source": rows["source"].to_numpy(),
            },
            index=pd.Index([STREAM_LABELS.get(s, s) for s in rows["stream"]], name="Policy stream"),
        )
        blocks.append(
            add_table(
                f"recommendations_{slug(key).replace('-', '_')}",
                f"{name}: recommended interventions",
                display,
                rows.reset_index(drop=True),
            )
        )
    return Section("recommendations", "Policy recommendations", tuple(blocks))
