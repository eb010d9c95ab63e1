"""Plain-language findings written from the numbers of one survey wave.

Every sentence is assembled from computed values and chooses its wording from them (which
cluster leads, whether adopters faced more pressure, which terms are significant), so the
text changes with the data; nothing here is a canned conclusion. A sentence is left out
when the wave lacks the questions it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecocluster.instrument import Instrument

if TYPE_CHECKING:
    from ecocluster.adoption import AdoptionModels
    from ecocluster.audit import AuditFinding

FORMS = {
    "seriousness_noise": "noise",
    "seriousness_air": "air pollution",
    "seriousness_water": "water pollution",
}


def _percent(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "–"


def _count(frame: pd.DataFrame, column: str) -> int:
    return int((frame[column] == 1).sum())


def _answered(frame: pd.DataFrame, column: str) -> int:
    return int(frame[column].notna().sum())


def group_labels(
    instrument: Instrument, column: str = "cluster", firms: pd.DataFrame | None = None
) -> dict[str, str]:
    """Readable names of groups: the labels kept with the firm table (which also know the
    spelling of clusters named in an "other" field), else the choices' English labels."""
    from ecocluster.indices import stored_labels

    labels: dict[str, str] = {}
    name = instrument.concepts.get(column)
    if name is not None and name in instrument.questions:
        question = instrument.questions[name]
        labels = {
            choice: instrument.choice_label(question, choice, "en")
            for choice in instrument.choice_names(question)
        }
    if firms is not None:
        labels.update(stored_labels(firms, column) or {})
    return labels


def compute_key_figures(firms: pd.DataFrame) -> list[tuple[str, str]]:
    """The handful of numbers a reader should see first."""
    n = len(firms)
    figures = [("Enterprises", f"{n:,}")]
    if "cluster" in firms:
        figures.append(("Clusters", str(firms["cluster"].nunique())))
    if "ENVTECH" in firms:
        adopters = _count(firms, "ENVTECH")
        figures.append(("Adopted clean technology", f"{adopters} ({_percent(adopters, n)})"))
    if "spending_share" in firms:
        share = firms["spending_share"].mean()
        figures.append(("Pollution-control spending", f"{share:.2f}% of turnover"))
    if "inspected" in firms:
        inspected = _count(firms, "inspected")
        figures.append(("Inspected in the past year", f"{inspected} ({_percent(inspected, n)})"))
    if "LOAN" in firms:
        loans = _count(firms, "LOAN")
        figures.append(("Subsidised loans", f"{loans} ({_percent(loans, n)})"))
    return figures


def _by_cluster(firms: pd.DataFrame, column: str, how: str = "mean") -> dict[str, float]:
    """A statistic of one column per cluster, as plain numbers keyed by cluster."""
    grouped = firms.groupby("cluster", observed=True)[column].agg(how)
    return {str(key): float(value) for key, value in grouped.items()}


def _many_clusters(firms: pd.DataFrame) -> bool:
    return "cluster" in firms and firms["cluster"].nunique() > 1


def _extreme(firms: pd.DataFrame, column: str, labels: dict[str, str], which: str, fmt: str) -> str:
    """', most in Bat Trang (0.34%)': the cluster with the highest (or lowest) mean."""
    if not _many_clusters(firms):
        return ""
    means = _by_cluster(firms, column)
    pick = max if which == "most" else min
    key = pick(means, key=means.__getitem__)
    return f", {which} in {labels.get(key, key)} ({fmt.format(means[key])})"


def _range_sentence(
    firms: pd.DataFrame, column: str, labels: dict[str, str], what: str, k: int | None = None
) -> str | None:
    """'ranges from 87% in A (13 of 15) to 5% in C (1 of 20)' for a 0/1 column by cluster.

    With disclosure control (`k`), a cluster whose yes or no answers come from 1 to k - 1
    firms is not named: its share would give those firms away.
    """
    if "cluster" not in firms or firms["cluster"].nunique() < 2:
        return None
    shares = {key: value for key, value in _by_cluster(firms, column).items() if value == value}
    if not shares:
        return None
    counts, sizes = _by_cluster(firms, column, "sum"), _by_cluster(firms, column, "count")
    if k is not None:
        shares = {
            key: share
            for key, share in shares.items()
            if not (0 < counts[key] < k or 0 < sizes[key] - counts[key] < k)
        }
        if len(shares) < 2:
            return None
    high, low = max(shares, key=shares.__getitem__), min(shares, key=shares.__getitem__)
    if shares[high] == shares[low]:
        return f"{what} is the same in every cluster ({100 * shares[high]:.0f}%)."
    return (
        f"{what} ranges from {100 * shares[high]:.0f}% in {labels.get(high, high)} "
        f"({int(counts[high])} of {int(sizes[high])}) to {100 * shares[low]:.0f}% in "
        f"{labels.get(low, low)} ({int(counts[low])} of {int(sizes[low])})."
    )


def _adoption(firms: pd.DataFrame, labels: dict[str, str], k: int | None = None) -> list[str]:
    if "ENVTECH" not in firms:
        return []
    n, adopters = _answered(firms, "ENVTECH"), _count(firms, "ENVTECH")
    sentences = [
        f"{adopters} of {n} enterprises ({_percent(adopters, n)}) have installed "
        "pollution-control equipment."
    ]
    spread = _range_sentence(firms, "ENVTECH", labels, "Adoption", k)
    if spread:
        sentences.append(spread)
    if "spending_share" in firms and "ENVEXP" in firms:
        spenders = int((firms["ENVEXP"] > 0).sum())
        text = (
            f"{spenders} enterprises ({_percent(spenders, n)}) report any pollution-control "
            f"spending; on average firms spend {firms['spending_share'].mean():.2f}% of their "
            "turnover on it"
        )
        text += _extreme(firms, "spending_share", labels, "most", "{:.2f}%")
        sentences.append(text + ".")
    return sentences


def _perception(firms: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    forms = [column for column in FORMS if column in firms]
    if not forms:
        return []
    means = {column: float(firms[column].mean()) for column in forms}
    order = sorted(forms, key=lambda column: -means[column])
    ranked = ", then ".join(f"{FORMS[column]} ({means[column]:.1f})" for column in order)
    sentences = [f"On a scale of 1 to 10, firms rate {ranked} as the most serious problems."]
    if _many_clusters(firms):
        cells = {
            (cluster, column): value
            for column in forms
            for cluster, value in _by_cluster(firms, column).items()
        }
        cluster, column = max(cells, key=cells.__getitem__)
        sentences.append(
            f"The worst rating is {FORMS[column]} in {labels.get(cluster, cluster)} "
            f"({cells[cluster, column]:.2f} of 10)."
        )
    if "resource_sustainability" in firms:
        text = (
            f"Local resources are rated {firms['resource_sustainability'].mean():.1f} of 10 "
            "for sustainability"
        )
        text += _extreme(firms, "resource_sustainability", labels, "lowest", "{:.1f}")
        sentences.append(text + ".")
    return sentences


def _pressures(firms: pd.DataFrame) -> list[str]:
    n = len(firms)
    parts = []
    if {"complaint_others", "complaint_own"} <= set(firms):
        others, own = _count(firms, "complaint_others"), _count(firms, "complaint_own")
        parts.append(
            f"{others} firms ({_percent(others, n)}) know of community complaints about "
            f"pollution and {own} were complained about themselves"
        )
    if "buyers_own" in firms:
        buyers = _count(firms, "buyers_own")
        parts.append(
            f"buyers weighed the environmental performance of {buyers} firms "
            f"({_percent(buyers, n)})"
        )
    if "inspected" in firms:
        inspected = _count(firms, "inspected")
        parts.append(f"{inspected} firms ({_percent(inspected, n)}) were inspected in a year")
    if "LOAN" in firms:
        loans = _count(firms, "LOAN")
        parts.append(f"{loans} received a subsidised loan for pollution control")
    sentences = []
    if parts:
        text = "; ".join(parts)
        sentences.append(text[0].upper() + text[1:] + ".")
    indices = [column for column in ("CP", "EMP", "GMS") if column in firms]
    if indices and "ENVTECH" in firms and firms["ENVTECH"].nunique() == 2:
        adopted = firms["ENVTECH"] == 1
        adopters = {column: float(firms.loc[adopted, column].mean()) for column in indices}
        non_adopters = {column: float(firms.loc[~adopted, column].mean()) for column in indices}
        higher = [column for column in indices if adopters[column] > non_adopters[column]]
        detail = ", ".join(
            f"{column} {adopters[column]:.2f} against {non_adopters[column]:.2f}"
            for column in indices
        )
        if len(higher) == len(indices):
            lead = "Adopters faced more pressure than non-adopters on every index"
        elif higher:
            lead = f"Adopters faced more pressure than non-adopters on {', '.join(higher)} only"
        else:
            lead = "Adopters faced no more pressure than non-adopters on any index"
        sentences.append(f"{lead} (means: {detail}).")
    return sentences


def _mentions(
    wide: pd.DataFrame, instrument: Instrument, concept: str, what: str, top: int = 3
) -> list[str]:
    """The most named choices, with shares of the firms that answered (the papers' base)."""
    from ecocluster.indices import compute_constraint_scores

    if concept not in instrument.concepts:
        return []
    scores = compute_constraint_scores(wide, instrument, concept=concept, ranks=(), weights=())
    scores = scores[scores["mentions"] > 0]
    if scores.empty:
        return [f"No firm named any {what}."]
    ordered = scores.sort_values("mentions", ascending=False, kind="stable").head(top)
    named = ", ".join(
        f"{str(label).lower()} ({int(mentions)}, {share:.0f}% of {int(base)} firms)"
        for label, mentions, share, base in zip(
            ordered["label"],
            ordered["mentions"],
            ordered["share"].astype(float),
            ordered["respondents"],
            strict=True,
        )
    )
    return [f"The {what} named most often: {named}."]


def _network(firms: pd.DataFrame, wide: pd.DataFrame, instrument: Instrument) -> list[str]:
    from ecocluster.indices import compute_mentions

    sentences = []
    if "partner_location" in instrument.concepts:
        locations = compute_mentions(wide, instrument, "partner_location")
        total = int(locations.sum())
        if total and "abroad" in locations.index:
            abroad = int(locations["abroad"])
            sentences.append(
                f"{abroad} of {total} mentions of where innovation partners are "
                f"({_percent(abroad, total)}) point abroad."
            )
    if "n_knowledge_sources" in firms:
        isolated = int((firms["n_knowledge_sources"] == 0).sum())
        sentences.append(
            f"{isolated} firms ({_percent(isolated, len(firms))}) name no source of knowledge "
            "on clean technology at all."
        )
    return sentences


def _models(recommended: AdoptionModels | None, audit: Sequence[AuditFinding]) -> list[str]:
    sentences = []
    if recommended is not None:
        for label, fitted in (
            ("adoption", recommended.logit),
            ("spending", recommended.ols),
        ):
            table = fitted.tidy()
            significant = table[(table["term"] != "Intercept") & (table["p_value"] < 0.05)]
            if significant.empty:
                sentences.append(
                    f"In the recommended {label} model no regressor is significant at the 5% "
                    f"level (n = {int(fitted.nobs)})."
                )
                continue
            terms = ", ".join(
                f"{term} ({'+' if estimate > 0 else '−'}, p = {p_value:.3f})"
                for term, estimate, p_value in zip(
                    significant["term"].astype(str),
                    significant["estimate"].astype(float),
                    significant["p_value"].astype(float),
                    strict=True,
                )
            )
            sentences.append(
                f"In the recommended {label} model the terms significant at the 5% level are "
                f"{terms} (n = {int(fitted.nobs)})."
            )
        if recommended.firth_reason:
            sentences.append(
                f"The adoption model is fitted by Firth's penalised logit: "
                f"{recommended.firth_reason.rstrip('.')}."
            )
    high = [item for item in audit if item.severity == "high"]
    if high:
        issues = "; ".join(item.issue for item in high)
        sentences.append(
            f"The methods audit rates {len(high)} point{'s' if len(high) > 1 else ''} as "
            f"serious (see its section): {issues}."
        )
    return sentences


def _characteristics_2003(firms: pd.DataFrame) -> list[str]:
    n = len(firms)
    sentences = []
    ict = [
        (column, label)
        for column, label in (
            ("has_telephone", "a telephone"),
            ("has_computer_email", "a computer with e-mail"),
            ("has_website", "a website"),
        )
        if column in firms
    ]
    if ict:
        parts = ", ".join(
            f"{_percent(_count(firms, column), n)} have {label}" for column, label in ict
        )
        sentences.append(f"Of the {n} enterprises, {parts}.")
    if "collaborates" in firms:
        together = _count(firms, "collaborates")
        sentences.append(
            f"{together} ({_percent(together, n)}) collaborate with similar enterprises."
        )
    if "land_area" in firms:
        answered = _answered(firms, "land_area")
        sentences.append(
            f"{answered} of {n} firms ({_percent(answered, n)}) disclosed their land; they "
            f"have {np.nanmean(firms['land_area']):,.0f} m² on average."
        )
    support = [str(column) for column in firms.columns if str(column).startswith("support_")]
    if support and "area" in firms:
        sought = firms[support].eq(1).any(axis=1)
        by_area = sought.groupby(firms["area"]).mean()
        detail = ", ".join(
            f"{100 * float(share):.0f}% of {area} firms" for area, share in by_area.items()
        )
        sentences.append(f"Support from local government was sought by {detail}.")
    return sentences


def compute_findings(
    firms: pd.DataFrame,
    wide: pd.DataFrame,
    instrument: Instrument,
    *,
    recommended: AdoptionModels | None = None,
    audit: Sequence[AuditFinding] = (),
    k: int | None = None,
) -> list[str]:
    """The findings of a wave, most important first (`k`: disclosure control, as tables)."""
    labels = group_labels(instrument, firms=firms)
    sentences = _adoption(firms, labels, k)
    sentences += _perception(firms, labels)
    sentences += _pressures(firms)
    sentences += _mentions(wide, instrument, "constraints", "constraints on pollution control")
    sentences += _mentions(wide, instrument, "knowledge_sources", "sources of knowledge")
    sentences += _network(firms, wide, instrument)
    sentences += _characteristics_2003(firms)
    sentences += _mentions(wide, instrument, "constraints_expansion", "constraints on expansion")
    sentences += _models(recommended, audit)
    return sentences
