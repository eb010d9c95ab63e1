"""Regression models behind one call: OLS, logit and Firth's penalised logit.

`fit` takes an R-style formula and a table and returns a `FitResult`, a plain record of
estimates and fit statistics whatever the estimator. The design matrix is built once with
patsy (the formula engine of statsmodels' formula API), so all three models share term
names (``C(cluster)[T.dong_ky]``) and the same checks: a user's mistake (a misspelt
column, a constant regressor, an outcome that is not 0/1, collinear terms, too few rows)
becomes an `InputError` that says what to change, never a traceback. Estimation itself is
statsmodels (OLS, Logit) and firthmodels (Firth); nothing is re-implemented except the
penalised likelihood of a constrained Firth model, which firthmodels offers for one
coefficient at a time and a joint test needs for several.

Building the design is the costly step on a national survey, so `build_design` returns a
`Design` that `fit_design`, `design_vif` and `design_separation` share (`fit`,
`compute_vif` and `check_separation` build one each). Designs of more than `LARGE_ROWS`
rows take large-sample routes that give the same quantities without a cost per row and
per parameter: VIFs from the cross-product matrix, the logit's null log likelihood in
closed form, Firth's likelihood on the distinct rows with frequency weights, and the
separation check of `ecocluster.separation`.

statsmodels, scipy and firthmodels are imported inside the functions that use them, so that
importing this module (and the command line's ``--help``) stays fast.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ecocluster.design import FORMULA_FUNCTIONS as FORMULA_FUNCTIONS
from ecocluster.design import Design as Design
from ecocluster.design import ModelError as ModelError
from ecocluster.design import build_design as build_design
from ecocluster.model_data import fit_csv as fit_csv
from ecocluster.model_data import read_model_csv as read_model_csv
from ecocluster.separation import MLEstimates
from ecocluster.separation import Separation as Separation

ModelKind = Literal["ols", "logit", "firth"]
MODELS: tuple[str, ...] = ("ols", "logit", "firth")

#: Covariance types each model accepts. statsmodels computes the same sandwich for every
#: HC label of a maximum-likelihood model (no small-sample correction), so a logit offers
#: only the honest name, HC0.
COV_TYPES: dict[str, tuple[str, ...]] = {
    "ols": ("nonrobust", "HC0", "HC1", "HC2", "HC3"),
    "logit": ("nonrobust", "HC0"),
    "firth": ("nonrobust",),
}

#: Rows above which a design takes the large-sample routes (module documentation).
LARGE_ROWS = 50_000


_FIRTH_TOL = 1e-6  # gradient and step tolerance: tighter than firthmodels' 1e-4, still robust
_FIRTH_MAXITER = 100
_AME_COLUMNS = ("ame", "std_error", "statistic", "p_value", "conf_low", "conf_high")


@dataclass(frozen=True, eq=False)
class FitResult:
    """Estimates and fit statistics of one model, the same shape for OLS, logit and Firth.

    Firth results: ``bse`` and ``tvalues`` are Wald quantities from the penalised
    information matrix; ``pvalues`` and the confidence limits come from the profile
    penalised likelihood, as R's logistf reports them. ``llf`` and ``llnull`` are penalised
    log likelihoods; ``llnull`` is the intercept-only model under the full model's penalty
    (logistf's null model), so ``2 * (llf - llnull)`` is logistf's likelihood ratio test.
    ``design`` is the `Design` the model was fitted on (``exog`` and ``endog`` are its X
    and y).
    """

    model: str
    formula: str
    outcome: str
    params: pd.Series[float]
    bse: pd.Series[float]
    tvalues: pd.Series[float]
    pvalues: pd.Series[float]
    conf_low: pd.Series[float]
    conf_high: pd.Series[float]
    cov_params: pd.DataFrame = field(repr=False)
    nobs: int
    n_dropped: int
    df_model: int
    df_resid: int
    llf: float
    llnull: float | None
    prsquared: float | None
    rsquared: float | None
    rsquared_adj: float | None
    resid_sd: float | None
    aic: float | None
    bic: float | None
    cov_type: str
    converged: bool
    warnings: tuple[str, ...]
    exog: pd.DataFrame = field(repr=False)
    endog: pd.Series[float] = field(repr=False)
    raw: Any = field(repr=False)
    design: Design = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """One row per term with its 95% confidence limits, the columns a report prints."""
        frame = pd.DataFrame({"estimate": self.params, "std_error": self.bse})
        frame["statistic"], frame["p_value"] = self.tvalues, self.pvalues
        frame["conf_low"], frame["conf_high"] = self.conf_low, self.conf_high
        return frame.rename_axis("term").reset_index().astype({"term": str})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: numbers as floats, NaN and infinities as None."""
        names = ("model", "formula", "outcome", "cov_type", "nobs", "n_dropped", "df_model")
        out: dict[str, Any] = {name: getattr(self, name) for name in names}
        out.update(df_resid=self.df_resid, converged=self.converged, warnings=list(self.warnings))
        for name in ("params", "bse", "tvalues", "pvalues", "conf_low", "conf_high"):
            out[name] = _series_dict(getattr(self, name))
        for name in ("llf", "llnull", "prsquared", "rsquared", "rsquared_adj", "resid_sd"):
            out[name] = _number(getattr(self, name))
        out.update(aic=_number(self.aic), bic=_number(self.bic))
        return out


def _number(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _series_dict(series: pd.Series[float]) -> dict[str, float | None]:
    return {str(key): _number(value) for key, value in series.items()}


# --- estimation ---------------------------------------------------------------------------


def _cov_type(model: str, robust: bool | str) -> str:
    if robust is False or robust is None:
        return "nonrobust"
    if robust is True:
        if model == "firth":
            raise ModelError(
                "robust standard errors are not available for Firth's penalised logit; "
                "fit without --robust",
                rule="robust",
            )
        return "HC3" if model == "ols" else "HC0"
    allowed = COV_TYPES[model]
    chosen = {name.lower(): name for name in allowed}.get(str(robust).strip().lower())
    if chosen is None:
        raise ModelError(
            f"covariance type {robust!r} is not available for {model}; choose one of "
            f"{', '.join(allowed)}",
            rule="robust",
        )
    return chosen


def fit(
    formula: str,
    data: pd.DataFrame,
    model: ModelKind = "ols",
    *,
    robust: bool | str = False,
) -> FitResult:
    """Fit ``formula`` on ``data`` by OLS, ML logit or Firth's penalised logit.

    ``robust=True`` asks for heteroskedasticity-robust standard errors: HC3 for OLS (MacKinnon
    and White 1985; the HC variant Long and Ervin 2000 recommend for samples under 250) and
    the Huber-White sandwich HC0 for logit, because statsmodels applies no small-sample
    correction to a maximum-likelihood model whatever the HC label; a string names the
    covariance type (`COV_TYPES`). Rows with a
    missing value in any variable of the formula are dropped (``n_dropped`` says how many).
    A logit that does not converge is returned with a warning, not raised.
    """
    _check_model(model)
    _cov_type(model, robust)  # a wrong option is reported before anything about the data
    return fit_design(build_design(formula, data, model), model, robust=robust)


def fit_design(
    design: Design, model: ModelKind = "ols", *, robust: bool | str = False
) -> FitResult:
    """`fit` on a design already built: one design can serve several fits and diagnostics.

    The design must have been built for the same kind of model (`build_design` with
    "logit" or "firth" checks that the outcome is 0/1).
    """
    _check_model(model)
    cov_type = _cov_type(model, robust)
    if model == "ols":
        return _fit_ols(design, cov_type)
    if model == "logit":
        return _fit_logit(design, cov_type)
    return _fit_firth(design)


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ModelError(
            f"unknown model {model!r}; choose one of {', '.join(MODELS)}", rule="model"
        )


def _result(
    design: Design,
    model: str,
    raw: Any,
    limits: np.ndarray[Any, Any],
    *,
    llf: float,
    cov_type: str,
    notes: Sequence[str] = (),
    converged: bool = True,
    **statistics: float | None,
) -> FitResult:
    index = design.X.columns

    def series(values: Any) -> pd.Series[float]:
        return pd.Series(np.asarray(values, dtype=float), index=index)

    cov = pd.DataFrame(np.asarray(raw.cov_params(), dtype=float), index=index, columns=index)
    k = len(index)
    missing: dict[str, float | None] = dict.fromkeys(
        ("llnull", "prsquared", "rsquared", "rsquared_adj", "resid_sd", "aic", "bic")
    )
    return FitResult(
        model=model,
        formula=design.formula,
        outcome=design.outcome,
        params=series(raw.params),
        bse=series(raw.bse),
        tvalues=series(raw.tvalues),
        pvalues=series(raw.pvalues),
        conf_low=series(limits[:, 0]),
        conf_high=series(limits[:, 1]),
        cov_params=cov,
        nobs=len(design.y),
        n_dropped=design.n_dropped,
        df_model=k - 1 if design.has_intercept else k,
        df_resid=len(design.y) - k,
        llf=float(llf),
        cov_type=cov_type,
        converged=converged,
        warnings=tuple(dict.fromkeys(notes)),
        exog=design.X,
        endog=design.y,
        raw=raw,
        design=design,
        **(missing | statistics),
    )


def _fit_ols(design: Design, cov_type: str) -> FitResult:
    from statsmodels.regression.linear_model import OLS

    raw = OLS(design.y, design.X).fit(cov_type=cov_type)
    return _result(
        design,
        "ols",
        raw,
        np.asarray(raw.conf_int()),
        llf=raw.llf,
        cov_type=cov_type,
        rsquared=float(raw.rsquared),
        rsquared_adj=float(raw.rsquared_adj),
        resid_sd=math.sqrt(float(raw.mse_resid)),
        aic=float(raw.aic),
        bic=float(raw.bic),
    )


def _fit_logit(design: Design, cov_type: str) -> FitResult:
    from statsmodels.discrete.discrete_model import Logit

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = Logit(design.y, design.X, check_rank=False).fit(  # rank: _check_collinear
                method="newton", maxiter=100, disp=0, cov_type=cov_type
            )
        except np.linalg.LinAlgError:
            raise ModelError(
                "the logit could not be estimated: its information matrix is singular, which "
                "usually means the outcome is separated by a regressor; use Firth's penalised "
                "logit (--model firth)",
                rule="logit-singular",
            ) from None
    converged = bool(raw.mle_retvals.get("converged", False))
    params, bse = np.asarray(raw.params, dtype=float), np.asarray(raw.bse, dtype=float)
    design.memo.setdefault("ml", MLEstimates(params, bse, converged))
    if len(design.y) > LARGE_ROWS:  # statsmodels fits the null model by Nelder-Mead
        raw.set_null_options(llnull=_logit_null_llf(design))
    notes = _warning_texts(caught)
    separation = _separation(design)
    if separation is not None and separation.separated:
        notes.insert(
            0,
            f"{separation.describe()}; maximum-likelihood estimates of these terms do not exist "
            "and their standard errors are meaningless: use Firth's penalised logit "
            "(--model firth)",
        )
    if not converged:
        notes.insert(
            0,
            "the logit did not converge after 100 iterations; estimates are unreliable "
            "(if the outcome is separated, use --model firth)",
        )
    return _result(
        design,
        "logit",
        raw,
        np.asarray(raw.conf_int()),
        llf=raw.llf,
        cov_type=cov_type,
        notes=notes,
        converged=converged,
        llnull=float(raw.llnull),
        prsquared=float(raw.prsquared),
        aic=float(raw.aic),
        bic=float(raw.bic),
    )


def _logit_null_llf(design: Design) -> float:
    """The intercept-only logit's maximum: every fitted probability is the mean outcome."""
    y = design.y.to_numpy(dtype=float)
    events, p = float(y.sum()), float(y.mean())
    return events * math.log(p) + (len(y) - events) * math.log1p(-p)


def _warning_texts(caught: Iterable[warnings.WarningMessage]) -> list[str]:
    texts = []
    for item in caught:
        if not issubclass(item.category, DeprecationWarning | FutureWarning):
            texts.append(str(item.message).strip().splitlines()[0])
    return list(dict.fromkeys(texts))


def _firth(design: Design) -> tuple[Any, np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """firthmodels' estimator fitted to the design, and the rows it was fitted to.

    Above `LARGE_ROWS` rows the fit runs on the distinct rows of [X, y], each weighted by
    how often it occurs: the log likelihood and the information matrix in Firth's penalty
    are sums over rows, so the weighted fit maximises the same function, with fewer terms.
    """
    from firthmodels import FirthLogisticRegression

    from ecocluster.separation import distinct_rows

    exog, y = design.X.to_numpy(dtype=float), design.y.to_numpy(dtype=float)
    counts = None
    if len(y) > LARGE_ROWS:
        rows, outcome, repeats = distinct_rows(exog, y)
        if len(rows) < len(y):
            exog, y, counts = rows, outcome, repeats
    estimator = FirthLogisticRegression(
        fit_intercept=False, max_iter=_FIRTH_MAXITER, gtol=_FIRTH_TOL, xtol=_FIRTH_TOL
    )
    return estimator.fit(exog, y, sample_weight=counts), exog, y


def firth_estimates(design: Design) -> pd.Series[float]:
    """Firth's penalised estimates alone, without the profile-likelihood inference of `fit`."""
    estimator, _, _ = _firth(design)
    return pd.Series(np.asarray(estimator.coef_, dtype=float), index=design.X.columns)


def _fit_firth(design: Design) -> FitResult:
    from firthmodels.adapters.statsmodels import FirthLogit, FirthLogitResults

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            estimator, exog, y = _firth(design)
            estimator.lrt()
            raw = FirthLogitResults(FirthLogit(y, exog), estimator, pl=True)
            limits = np.asarray(raw.conf_int(alpha=0.05), dtype=float)
        except (ValueError, np.linalg.LinAlgError) as error:
            raise ModelError(f"Firth's penalised logit failed: {error}", rule="firth") from None
    notes = _warning_texts(caught)
    if not raw.converged:
        notes.insert(0, "Firth's penalised logit did not converge; estimates are unreliable")
    llnull = _firth_null_llf(design)
    return _result(
        design,
        "firth",
        raw,
        limits,
        llf=raw.llf,
        cov_type="nonrobust",
        notes=notes,
        converged=bool(raw.converged),
        llnull=llnull,
        prsquared=1.0 - float(raw.llf) / llnull if llnull else None,
    )


def _firth_null_llf(design: Design) -> float:
    """logistf's null model: slopes 0, intercept free, penalty of the full design.

    All fitted probabilities equal some p, the penalty is k log(p (1 - p)) + log|X'X|, and
    the penalised likelihood peaks at p = (events + k/2) / (n + k) (p = 1/2 without an
    intercept, when no coefficient is free).
    """
    exog, y = design.X.to_numpy(dtype=float), design.y.to_numpy(dtype=float)
    (n, k), events = exog.shape, float(y.sum())
    p = (events + k / 2) / (n + k) if design.has_intercept else 0.5
    logdet = float(np.linalg.slogdet(exog.T @ exog)[1])
    penalty = 0.5 * (k * math.log(p * (1 - p)) + logdet)
    return events * math.log(p) + (n - events) * math.log(1 - p) + penalty


def _separation(design: Design) -> Separation | None:
    try:
        return design_separation(design)
    except (RuntimeError, ValueError, np.linalg.LinAlgError):
        return None


# --- diagnostics --------------------------------------------------------------------------


def check_separation(formula: str, data: pd.DataFrame) -> Separation:
    """Whether a logit of ``formula`` has (quasi-)complete separation, and in which terms."""
    design = build_design(formula, data, "logit")
    try:
        return design_separation(design)
    except RuntimeError as error:
        raise ModelError(f"the separation check failed: {error}", rule="separation") from None


def design_separation(design: Design) -> Separation:
    """`check_separation` of a design already built; the result is kept with the design.

    Konis's LP runs on the distinct rows of [X, y] when there are at most
    `ecocluster.separation.LP_ROWS` of them; beyond (or when the LP refuses a badly scaled
    design), the certificate from the ML estimates and, failing it, the large-sample
    screen. ``method`` of the result says which ran.
    """
    if "separation" not in design.memo:
        design.memo["separation"] = _check_separation(design)
    result: Separation = design.memo["separation"]
    return result


def _check_separation(design: Design) -> Separation:
    from ecocluster import separation

    exog, y = design.X.to_numpy(dtype=float), design.y.to_numpy(dtype=float)
    names = [str(c) for c in design.X.columns]
    if separation.few_distinct_rows(exog):
        rows, outcome, counts = separation.distinct_rows(exog, y)
        if len(rows) <= separation.LP_ROWS:
            try:
                return separation.linear_programming(rows, outcome, counts, names)
            except np.linalg.LinAlgError:  # the LP's rank test on a badly scaled design
                pass
    ml = _ml_estimates(design)
    if ml is not None and separation.certificate(exog, y, ml.params):
        return Separation(False, dict.fromkeys(names, 0), "ml-certificate")
    return separation.screen(exog, y, names, design.factors, ml)


def _ml_estimates(design: Design) -> MLEstimates | None:
    """The design's ML logit estimates: those of a fit already made, or a quick fit."""
    from statsmodels.discrete.discrete_model import Logit

    if "ml" not in design.memo:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = Logit(design.y, design.X, check_rank=False)
                raw = model.fit(method="newton", maxiter=100, disp=0)
        except np.linalg.LinAlgError:
            return None
        converged = bool(raw.mle_retvals.get("converged", False))
        design.memo["ml"] = MLEstimates(np.asarray(raw.params), np.asarray(raw.bse), converged)
    ml: MLEstimates = design.memo["ml"]
    return ml


def events_per_variable(
    y: Sequence[float] | pd.Series[Any] | np.ndarray[Any, Any], n_params: int
) -> float:
    """Events per variable: the rarer outcome's count over the number of slope parameters.

    ``n_params`` counts the estimated coefficients other than the intercept (each dummy of
    a categorical counts). Fewer than 10 events per variable makes ML logit estimates
    biased away from zero (Peduzzi et al. 1996).
    """
    values = pd.Series(np.asarray(y, dtype=float)).dropna()
    if not set(values.unique().tolist()) <= {0.0, 1.0}:
        raise ModelError("events per variable needs a 0/1 outcome", rule="binary-outcome")
    if n_params < 1:
        raise ModelError("events per variable needs at least one parameter", rule="n-params")
    events = int((values == 1).sum())
    return min(events, len(values) - events) / n_params


def compute_vif(formula: str, data: pd.DataFrame) -> pd.Series[float]:
    """Variance inflation factor of each regressor (intercept excluded).

    Each VIF is 1 / (1 - R2) of that column regressed on all the others, as statsmodels'
    `variance_inflation_factor` computes it: since statsmodels 0.15 on standardised
    columns, so that a formula without an intercept gives the same VIFs as with one.
    """
    return design_vif(build_design(formula, data, "ols", check_outcome=False))


def design_vif(design: Design) -> pd.Series[float]:
    """`compute_vif` of a design already built.

    Up to `LARGE_ROWS` rows each VIF is statsmodels' `variance_inflation_factor`, one
    regression (and one condition number) per column; beyond, the same regressions are
    read off one cross-product matrix (`_vif_crossproducts`).
    """
    exog = design.X.to_numpy(dtype=float)
    columns = [j for j, name in enumerate(design.X.columns) if name != "Intercept"]
    if len(exog) > LARGE_ROWS:
        values = _vif_crossproducts(exog, columns)
    else:
        from statsmodels.stats.outliers_influence import variance_inflation_factor

        values = [float(variance_inflation_factor(exog, j)) for j in columns]
    names = [str(design.X.columns[j]) for j in columns]
    return pd.Series(dict(zip(names, values, strict=True)), dtype=float)


def _vif_crossproducts(exog: np.ndarray[Any, Any], columns: Sequence[int]) -> list[float]:
    """statsmodels 0.15's VIFs from the cross-products of the standardised columns.

    As there: columns that vary are standardised, column j is regressed on the others by
    least squares, R2 is centred when a constant column is among the others (else
    uncentred) and is clipped below 1 - 1e-15. The residual sum of squares of each
    regression is a Schur complement of the one cross-product matrix.
    """
    n, k = exog.shape
    spread, mean = exog.std(axis=0), exog.mean(axis=0)
    varying = spread > 1e-10
    working = exog.copy()
    working[:, varying] = (exog[:, varying] - mean[varying]) / spread[varying]
    constant = (np.ptp(exog, axis=0) == 0) & (exog[0] != 0)
    augmented = np.column_stack([working, np.ones(n)])
    gram = augmented.T @ augmented
    values = []
    for j in columns:
        others = [i for i in range(k) if i != j]
        cross = gram[others, j]
        ssr = float(gram[j, j] - cross @ np.linalg.pinv(gram[np.ix_(others, others)]) @ cross)
        total = gram[j, j] - (gram[j, k] ** 2 / n if constant[others].any() else 0.0)
        r_squared = min(max(1.0 - ssr / total, 0.0), 1.0 - 1e-15)
        values.append(1.0 / (1.0 - r_squared))
    return values


@dataclass(frozen=True)
class HypothesisTest:
    """A joint test: ``method`` is "lr" (chi-squared), "wald" (chi-squared) or "wald-F"."""

    statistic: float
    df: int
    p_value: float
    method: str = "lr"

    def to_dict(self) -> dict[str, Any]:
        statistic, p_value = _number(self.statistic), _number(self.p_value)
        return {"method": self.method, "statistic": statistic, "df": self.df, "p_value": p_value}


def _lr(statistic: float, df: int) -> HypothesisTest:
    from scipy.stats import chi2  # type: ignore[import-untyped, unused-ignore]

    statistic = max(0.0, statistic)
    return HypothesisTest(statistic, df, float(chi2.sf(statistic, df)))


def lr_test(restricted: FitResult, full: FitResult) -> HypothesisTest:
    """Likelihood ratio test of a model against a larger one fitted on the same rows.

    For two separately fitted Firth models the penalties differ and the test is
    approximate (logistf's exact test keeps the full model's penalty in the smaller one).
    """
    if restricted.model != full.model:
        raise ModelError(
            f"cannot compare a {restricted.model} model with a {full.model} model", rule="lr-test"
        )
    if restricted.nobs != full.nobs or not restricted.endog.index.equals(full.endog.index):
        raise ModelError(
            f"the models were fitted on different rows ({restricted.nobs} and {full.nobs}); "
            "a likelihood ratio test needs the same rows",
            rule="lr-test",
        )
    extra = [t for t in restricted.params.index if t not in full.params.index]
    df = len(full.params) - len(restricted.params)
    if extra or df < 1:
        raise ModelError(
            "the restricted model must have a subset of the full model's terms"
            + (f" (not in the full model: {', '.join(map(str, extra))})" if extra else ""),
            rule="lr-test",
        )
    return _lr(2.0 * (full.llf - restricted.llf), df)


def average_marginal_effects(result: FitResult) -> pd.DataFrame:
    """Average marginal effects on the probability, with delta-method standard errors.

    Logit: statsmodels' ``get_margeff(at="overall")``. Firth: the same quantity from the
    penalised estimates, AME_j = beta_j * mean(p_i (1 - p_i)), its covariance J V J' with
    the Jacobian J of the AMEs in beta and V the Wald covariance. Every regressor, dummies
    included, is treated as continuous (a derivative, not a discrete change). A logit of
    more than `LARGE_ROWS` rows takes the Firth route too: statsmodels differentiates
    numerically, one pass over the data per parameter, for the same numbers.
    """
    if result.model == "ols":
        raise ModelError(
            "average marginal effects are for logit and Firth models; in OLS the "
            "coefficients are the marginal effects",
            rule="marginal-effects",
        )
    if result.model == "logit" and result.nobs <= LARGE_ROWS:
        frame: pd.DataFrame = result.raw.get_margeff(at="overall").summary_frame()
        frame.columns = pd.Index(_AME_COLUMNS)
        return frame.rename_axis("term").reset_index().astype({"term": str})
    return logit_marginal_effects(result.params, result.cov_params, result.exog)


def logit_marginal_effects(
    params: pd.Series[float], cov_params: pd.DataFrame, exog: pd.DataFrame
) -> pd.DataFrame:
    """Average marginal effects of a logit-link model with given estimates and covariance."""
    from scipy.special import expit  # type: ignore[import-untyped, unused-ignore]
    from scipy.stats import norm  # type: ignore[import-untyped, unused-ignore]

    matrix = exog.to_numpy(dtype=float)
    beta = params.to_numpy(dtype=float)
    p = expit(matrix @ beta)
    w = p * (1.0 - p)
    slopes = [j for j, name in enumerate(exog.columns) if name != "Intercept"]
    ame = beta[slopes] * w.mean()
    dw = (w * (1.0 - 2.0 * p)) @ matrix / len(p)  # d mean(w) / d beta
    jacobian = np.outer(beta[slopes], dw)
    jacobian[np.arange(len(slopes)), slopes] += w.mean()
    cov = jacobian @ cov_params.to_numpy(dtype=float) @ jacobian.T
    se = np.sqrt(np.diag(cov))
    z = ame / se
    half = norm.ppf(0.975) * se
    columns = (ame, se, z, 2.0 * norm.sf(np.abs(z)), ame - half, ame + half)
    frame = pd.DataFrame(dict(zip(_AME_COLUMNS, columns, strict=True)))
    frame.insert(0, "term", [str(exog.columns[j]) for j in slopes])
    return frame
