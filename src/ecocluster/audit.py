"""The methods audit of Table 5: each weakness of the published method, argued from numbers.

`audit_methods` takes the firm table and the two specifications of `ecocluster.adoption`
and returns `AuditFinding`s: location coded as a number, few events per variable,
separation, badly scaled regressors, non-robust standard errors, and whether each of the
paper's conclusions survives the recommended specification. Kept apart from the models
because it only reads them (and refits the few variants a finding needs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ecocluster.adoption import (
    PUBLISHED_SPECIFICATION,
    REFERENCE_CLUSTER,
    AdoptionModels,
    _chi2,
    _frame,
    _rows,
)
from ecocluster.models import (
    FitResult,
    ModelError,
    ModelKind,
    firth_estimates,
    fit,
    fit_design,
)

Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class AuditFinding:
    """One problem (or confirmation) in the published method, argued from the numbers."""

    issue: str
    severity: Severity
    evidence: str
    consequence: str
    terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"terms": list(self.terms)}


def _kind(result: FitResult) -> ModelKind:
    return "firth" if result.model == "firth" else "logit"


def _label(cluster: str) -> str:
    return cluster.replace("_", " ").title()


def _p(p: float) -> str:
    if math.isnan(p):
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _contrasts(
    result: FitResult, data: pd.DataFrame, clusters: Sequence[str]
) -> list[tuple[str, float, float]]:
    """(cluster, difference from the first cluster, two-sided p) with the model's covariance."""
    from scipy.stats import norm  # type: ignore[import-untyped, unused-ignore]
    from scipy.stats import t as t_distribution  # type: ignore[import-untyped, unused-ignore]

    names = list(result.params.index)
    present = {str(c) for c in data["cluster"].unique()}
    clusters = [c for c in clusters if c in present]
    out = []
    for cluster in clusters[1:]:
        vector = np.zeros(len(names))
        for sign, key in ((1.0, cluster), (-1.0, clusters[0])):
            if f"C(cluster)[T.{key}]" in names:
                vector[names.index(f"C(cluster)[T.{key}]")] += sign
        difference = float(vector @ result.params.to_numpy())
        se = math.sqrt(float(vector @ result.cov_params.to_numpy() @ vector))
        z = abs(difference) / se
        p = 2 * (t_distribution.sf(z, result.df_resid) if result.model == "ols" else norm.sf(z))
        out.append((cluster, difference, float(p)))
    return out


def _verdict(
    sign: float, estimate: float, p_value: float, label: str
) -> tuple[Literal["high", "medium", "low"], str]:
    # Only a significant opposite sign reverses a conclusion; an insignificant one fails to
    # confirm it.
    if np.sign(estimate) != np.sign(sign):
        if p_value < 0.05:
            return "high", f"the recommended specification reverses it: {label}"
        return "medium", f"the sign turns, though not at the 5% level: {label}"
    if not p_value < 0.05:
        return "medium", f"the sign holds but not at the 5% level: {label}"
    return "low", f"the recommended specification confirms it: {label}"


def audit_methods(
    firms: pd.DataFrame, published: AdoptionModels, recommended: AdoptionModels
) -> list[AuditFinding]:
    """Each weakness of Table 5's method, and whether each of its conclusions survives.

    ``severity`` of a method finding says how much it can mislead; of a conclusion, how far
    the recommended specification is from confirming it (low: same sign and significant at
    5%; medium: same sign, not significant; high: opposite sign).
    """
    frame, _ = _frame(firms)
    return [
        _location(frame, published),
        _events(published, recommended),
        _separation(published, recommended),
        _scaling(frame, published, recommended),
        _robust(published),
        *_conclusions(published, recommended),
    ]


def _location(frame: pd.DataFrame, published: AdoptionModels) -> AuditFinding:
    clusters = published.clusters
    codes = ", ".join(f"{_label(c)} = {i + 1}" for i, c in enumerate(clusters))
    rates, spend = [], []
    for cluster in clusters:
        rows = frame[frame["cluster"] == cluster]
        adopters, n = int(rows["ENVTECH"].sum()), int(rows["ENVTECH"].notna().sum())
        rates.append(f"{_label(cluster)} {adopters} of {n}")
        spend.append(f"{_label(cluster)} {rows['ENVEXP'].mean() / 1e6:.2f}")
    three = len(clusters) > 2
    tests = [] if three else ["a dummy gives the same fit as the code with two clusters"]
    pairs = (
        ("adoption", published.logit, published.logit_data),
        ("spending", published.ols, published.ols_data),
    )
    for name, result, data in pairs if three else ():
        rows = _rows(data, [], categorical=True)
        try:
            kind: ModelKind = "ols" if result.model == "ols" else _kind(result)
            categorical = fit(result.formula.replace("CLUSTER", "C(cluster)"), rows, kind)
        except ModelError as error:
            tests.append(f"the {name} model cannot be fitted ({error.message})")
            continue
        lr = _chi2(2.0 * (categorical.llf - result.llf), len(clusters) - 2)
        note = "" if categorical.converged else ", although that ML fit does not converge"
        tests.append(
            f"the {name} model's log likelihood goes from {result.llf:.3f} to "
            f"{categorical.llf:.3f} (LR {lr.statistic:.2f} on {lr.df} df, {_p(lr.p_value)}{note})"
        )
    meaning = (
        "forces every step between neighbouring codes to have the same effect"
        if three
        else "is equivalent to a dummy, since there are only two clusters"
    )
    evidence = (
        f"CLUSTER codes the location as a number ({codes}), so each model has one slope that "
        f"{meaning}. Adopters: {'; '.join(rates)}. Mean spending (VND million): "
        f"{'; '.join(spend)}."
    )
    consequence = "With the clusters as categories " + "; ".join(tests) + "."
    severity: Severity = "high" if three else "low"
    return AuditFinding(
        "Location coded as a number", severity, evidence, consequence, ("CLUSTER", "C(cluster)")
    )


def _events(published: AdoptionModels, recommended: AdoptionModels) -> AuditFinding:
    diag, rdiag = published.logit_diagnostics, recommended.logit_diagnostics
    assert diag.events is not None and diag.epv is not None and rdiag.epv is not None
    adopters = int(published.logit.endog.sum())
    severity: Severity = "high" if diag.epv < 5 else "medium" if diag.epv < 10 else "low"
    evidence = (
        f"{adopters} of {diag.nobs} firms adopted, so the rarer outcome has {diag.events} cases "
        f"for {published.logit.df_model} slope parameters: {diag.epv:.1f} events per variable, "
        "against the usual minimum of 10 (Peduzzi et al. 1996)."
    )
    rec = recommended.logit
    if recommended.firth_used:
        comparison = (
            "it is estimated by Firth's penalised likelihood, which removes the first-order "
            "small-sample bias of ML"
        )
    else:
        firth = firth_estimates(rec.design)  # the estimates only: no profile likelihood
        slopes = [t for t in rec.params.index if t != "Intercept"]
        ratio = float(np.median(np.abs(firth[slopes]) / np.abs(rec.params[slopes])))
        comparison = (
            f"Firth's penalised logit on the same rows gives slopes whose median size is "
            f"{ratio:.2f} times the ML size, the small-sample bias ML carries with so few events"
        )
    consequence = (
        f"The recommended logit has {rec.df_model} slopes ({rdiag.epv:.1f} events per "
        f"variable); {comparison}."
    )
    return AuditFinding("Few adopters per regressor", severity, evidence, consequence, ("ENVTECH",))


def _separation(published: AdoptionModels, recommended: AdoptionModels) -> AuditFinding:
    found = [
        (name, separation)
        for name, separation in (
            ("published", published.logit_diagnostics.separation),
            ("recommended", recommended.logit_diagnostics.separation),
        )
        if separation is not None and separation.separated
    ]
    terms = list(dict.fromkeys(t for _, s in found for t in s.infinite))
    parts = [f"in the {name} logit {s.describe()}" for name, s in found]
    ml = recommended.logit_ml
    if ml is not None and not ml.converged:
        worst = str(ml.bse.drop("Intercept", errors="ignore").idxmax())
        terms = list(dict.fromkeys([*terms, worst]))
        parts.append(
            f"the recommended ML logit does not converge ({worst} = {ml.params[worst]:.3g}, "
            f"standard error {ml.bse[worst]:.3g})"
            + ("" if found else ", a near separation the exact check does not flag")
        )
    largest = float(np.abs(published.logit.params).max())
    state = "converged" if published.logit.converged else "did not converge"
    if not parts:
        checks = {
            s.method
            for s in (
                published.logit_diagnostics.separation,
                recommended.logit_diagnostics.separation,
            )
            if s is not None
        }
        evidence = (
            f"{_no_separation(checks)}; the published ML logit {state} (largest |coefficient| "
            f"{largest:.3g})."
        )
        consequence = (
            "ML is kept in the recommended logit; it would switch to Firth's penalised "
            "likelihood by itself if, for example, a cluster had no adopter."
        )
        return AuditFinding("Separation", "low", evidence, consequence, ())
    evidence = "; ".join(parts)
    evidence = f"{evidence[0].upper()}{evidence[1:]}. The published ML logit {state}."
    if recommended.firth_used:
        shown = ", ".join(
            f"{t} {recommended.logit.params[t]:.3f} (standard error {recommended.logit.bse[t]:.3f})"
            for t in terms
            if t in recommended.logit.params
        )
        consequence = (
            "The recommended logit therefore uses Firth's penalised likelihood; its estimates "
            f"are finite{': ' + shown if shown else ''}."
        )
    else:
        consequence = "The recommended specification is not separated, so ML is kept there."
    return AuditFinding("Separation", "high", evidence, consequence, tuple(terms))


def _no_separation(methods: set[str]) -> str:
    """Why no separation was found, in the words of the checks that ran."""
    if methods <= {"linear-programming"}:
        return (
            "The linear-programming check (Konis 2007) finds no complete or quasi-complete "
            "separation in either logit, so every ML estimate exists"
        )
    said = {
        "linear-programming": "the linear-programming check (Konis 2007) finds none",
        "ml-certificate": (
            "the ML estimates prove there is none (positive weights that zero the score, "
            "Stiemke's lemma)"
        ),
        "screen": (
            "a large-sample screen finds no category without adopters or non-adopters and no "
            "exploding standard error (the exact check was not run on so many distinct rows)"
        ),
    }
    how = "; ".join(said[m] for m in sorted(methods))
    exact = "so every ML estimate exists" if "screen" not in methods else "so ML is kept"
    return f"No complete or quasi-complete separation in either logit: {how}, {exact}"


def _scaling(
    frame: pd.DataFrame, published: AdoptionModels, recommended: AdoptionModels
) -> AuditFinding:
    spec = PUBLISHED_SPECIFICATION
    printed = [
        f"the {m.model}'s {t.label} coefficient as 0.000000 (t = {t.t_value:.2f})"
        for m in (spec.logit, spec.ols)
        for t in m.terms
        if f"{abs(t.coefficient):.6f}" == "0.000000"
    ]
    zero = [
        f"{t} in the {r.model}"
        for r in (published.logit, published.ols)
        for t, b in r.params.items()
        if f"{abs(b):.6f}" == "0.000000"
    ]
    logit = published.logit
    b, z = float(logit.params["EXPT"]), float(logit.tvalues["EXPT"])
    evidence = (
        f"Table 5 prints {' and '.join(printed) or 'no coefficient as 0.000000'}. Exports enter "
        f"in VND (mean {frame['EXPT'].mean():.3g} VND per firm), so one VND changes the log "
        f"odds by {b:.3g} in the recomputed logit; recomputed, {', '.join(zero) or 'no term'} "
        f"{'print' if len(zero) != 1 else 'prints'} as 0.000000, and the spending model's "
        f"coefficients are in VND (constant {published.ols.params['Intercept']:,.0f})."
    )
    rescaled = fit(logit.formula.replace("EXPT", "EXPT_bn"), published.logit_data, _kind(logit))
    b_bn, z_bn = float(rescaled.params["EXPT_bn"]), float(rescaled.tvalues["EXPT_bn"])
    rec = recommended.logit
    consequence = (
        f"In VND billion the same coefficient is {b_bn:.3f} per billion with z = {z_bn:.2f} "
        f"(z = {z:.2f} in VND): rescaling changes no test, only what the table can show. The "
        f"recommended logit estimates {rec.params['EXPT_bn']:.3f} per VND billion of exports "
        f"and {rec.params['EMPL10']:.3f} per 10 employees; spending is in VND million."
    )
    return AuditFinding(
        "Badly scaled regressors", "medium", evidence, consequence, ("EXPT", "EXPT_bn", "EMPL10")
    )


def _robust(published: AdoptionModels) -> AuditFinding:
    from statsmodels.stats.diagnostic import het_breuschpagan

    ols = published.ols
    spending = ols.endog / 1e6
    zeros = int((spending == 0).sum())
    lm, lm_p, _, _ = het_breuschpagan(ols.raw.resid, ols.exog)
    hc3 = fit_design(ols.design, "ols", robust=True)
    slopes = [str(t) for t in ols.params.index if t != "Intercept"]
    before, after = ols.tvalues.to_dict(), hc3.tvalues.to_dict()
    pairs = ", ".join(f"{t} {before[t]:.2f} to {after[t]:.2f}" for t in slopes)
    changed = [t for t in slopes if (ols.pvalues[t] < 0.05) != (hc3.pvalues[t] < 0.05)]
    array = spending.to_numpy(dtype=float)
    centred = array - array.mean()
    skew = float(np.mean(centred**3) / np.mean(centred**2) ** 1.5)  # moment skewness
    evidence = (
        f"{zeros} of {ols.nobs} firms spent nothing on pollution control and spending is "
        f"right-skewed (skewness {skew:.2f}; median {np.median(array):.2f}, maximum "
        f"{array.max():.2f} VND million). The Breusch-Pagan test of the published spending "
        f"model {'rejects' if lm_p < 0.05 else 'does not reject'} constant variance "
        f"(LM = {lm:.2f}, {_p(lm_p)}), which Table 5's t-values assume."
    )
    verdict = (
        f"significance at 5% changes for {', '.join(changed)}"
        if changed
        else "no term changes significance at 5%"
    )
    consequence = (
        f"With HC3 standard errors the published model's t-values go: {pairs}; {verdict}. "
        "The recommended spending model reports HC3 errors."
    )
    severity: Severity = "high" if changed else "medium"
    return AuditFinding(
        "Non-robust standard errors for skewed spending",
        severity,
        evidence,
        consequence,
        tuple(slopes),
    )


def _conclusions(published: AdoptionModels, recommended: AdoptionModels) -> list[AuditFinding]:
    spec, rec = PUBLISHED_SPECIFICATION, recommended
    first = _label(published.clusters[0])
    findings = []
    for issue, model, term, unit in (
        ("Older firms adopt more", "logit", "YEARS", "per year"),
        ("Loans raise spending", "ols", "LOAN", "VND million"),
    ):
        table = (spec.logit if model == "logit" else spec.ols).term(term)
        old = published.logit if model == "logit" else published.ols
        new = rec.logit if model == "logit" else rec.ols
        b, p = float(new.params[term]), float(new.pvalues[term])
        extra = ""
        if model == "logit" and rec.marginal_effects is not None:
            frame = rec.marginal_effects
            effects = dict(zip(frame["term"], frame["ame"].to_numpy(dtype=float), strict=True))
            extra = f", {100 * effects[term]:.2f} points of adoption probability {unit}"
        severity, verdict = _verdict(
            table.coefficient, b, p, f"{term} {b:+.4g} {unit} ({_p(p)}{extra})"
        )
        findings.append(
            AuditFinding(
                issue,
                severity,
                f"Table 5: {term} {table.coefficient:+.7g} (t = {table.t_value:.2f}); recomputed "
                f"with the published method: {float(old.params[term]):+.4g} "
                f"({_p(float(old.pvalues[term]))}).",
                verdict[0].upper() + verdict[1:] + ".",
                (term,),
            )
        )
    # The paper's conclusions are about Bat Trang; on other clusters there is none to test.
    if published.clusters and published.clusters[0] == REFERENCE_CLUSTER:
        for issue, model in (
            (f"{first} firms adopt more", "logit"),
            (f"{first} firms spend more", "ols"),
        ):
            findings.append(_cluster_conclusion(issue, model, published, recommended))
    findings.append(_emp_conclusion(published, recommended))
    return findings


def _emp_conclusion(published: AdoptionModels, recommended: AdoptionModels) -> AuditFinding:
    table = PUBLISHED_SPECIFICATION.logit.term("EMP")
    b, p = float(recommended.logit.params["EMP"]), float(recommended.logit.pvalues["EMP"])
    old, old_p = float(published.logit.params["EMP"]), float(published.logit.pvalues["EMP"])
    kept = b < 0
    sign = "keeps the negative sign" if kept else "turns the sign positive"
    level = "significant" if p < 0.05 else "not significant"
    # As for the other conclusions: only a significant change of sign is serious.
    severity: Severity = "low" if kept else ("high" if p < 0.05 else "medium")
    return AuditFinding(
        "Buyer pressure (EMP) has the wrong sign",
        severity,
        f"Table 5: EMP {table.coefficient:+.6g} (t = {table.t_value:.2f}), negative where "
        f"market pressure should raise adoption; recomputed with the published method: "
        f"{old:+.4g} ({_p(old_p)}).",
        f"The recommended specification {sign}: EMP {b:+.4g} ({_p(p)}), {level} at 5%.",
        ("EMP",),
    )


def _cluster_conclusion(
    issue: str, model: str, published: AdoptionModels, recommended: AdoptionModels
) -> AuditFinding:
    spec = PUBLISHED_SPECIFICATION.logit if model == "logit" else PUBLISHED_SPECIFICATION.ols
    old = published.logit if model == "logit" else published.ols
    new = recommended.logit if model == "logit" else recommended.ols
    diag = recommended.logit_diagnostics if model == "logit" else recommended.ols_diagnostics
    joint = diag.cluster_lr if model == "logit" else diag.cluster_wald
    data = recommended.logit_data if model == "logit" else recommended.ols_data
    contrasts = _contrasts(new, data, published.clusters)
    first = _label(published.clusters[0])
    table = spec.term("CLUSTER")
    unit = "log odds" if model == "logit" else "VND million"
    shown = "; ".join(f"{_label(c)} {d:+.3g} {unit} ({_p(p)})" for c, d, p in contrasts)
    test = "penalised LR" if new.model == "firth" else "LR" if model == "logit" else "HC3 Wald F"
    severity: Severity
    if any(d > 0 and p < 0.05 for _, d, p in contrasts):
        severity = "high"
        verdict = f"reverses it: a cluster does significantly more than {first}"
    elif any(d > 0 for _, d, _ in contrasts):
        severity = "medium"
        verdict = f"does not confirm it: a cluster does more than {first}, not at 5%"
    elif not joint.p_value < 0.05 or not all(p < 0.05 for _, _, p in contrasts):
        severity = "medium"
        verdict = f"keeps the direction (every cluster does less than {first}), not all at 5%"
    else:
        severity, verdict = (
            "low",
            f"confirms it: every cluster does significantly less than {first}",
        )
    evidence = (
        f"Table 5: CLUSTER {table.coefficient:+.7g} (t = {table.t_value:.2f}), read as firms with "
        f"lower codes ({first} = 1) doing more; recomputed with the published method: "
        f"{float(old.params['CLUSTER']):+.4g} ({_p(float(old.pvalues['CLUSTER']))})."
    )
    consequence = (
        f"The recommended specification {verdict}. Differences from {first}: {shown}; all "
        f"clusters jointly: {test} {joint.statistic:.2f} on {joint.df} df, {_p(joint.p_value)}."
    )
    return AuditFinding(issue, severity, evidence, consequence, ("CLUSTER", "C(cluster)"))
