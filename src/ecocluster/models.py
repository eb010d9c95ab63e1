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

statsmodels, scipy and firthmodels are imported inside the functions that use them, so that
importing this module (and the command line's ``--help``) stays fast.
"""

from __future__ import annotations

import ast
import builtins
import csv
import difflib
import io
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ecocluster.errors import InputError

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

#: Names a formula may use besides its columns (patsy adds C, I, Q, center, ...).
FORMULA_FUNCTIONS: dict[str, Any] = {"np": np, "numpy": np, "exp": np.exp, "sqrt": np.sqrt}
FORMULA_FUNCTIONS.update(log=np.log, log10=np.log10, log1p=np.log1p)

_FIRTH_TOL = 1e-6  # gradient and step tolerance: tighter than firthmodels' 1e-4, still robust
_FIRTH_MAXITER = 100
_AME_COLUMNS = ("ame", "std_error", "statistic", "p_value", "conf_low", "conf_high")
_MISSING_TEXT = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "."})


class ModelError(InputError):
    """A model that cannot be estimated as asked (formula, data or estimator)."""


@dataclass(frozen=True, eq=False)
class _Design:
    formula: str
    outcome: str
    y: pd.Series[float]
    X: pd.DataFrame
    n_input: int
    missing: dict[str, int]

    @property
    def n_dropped(self) -> int:
        return self.n_input - len(self.y)

    @property
    def has_intercept(self) -> bool:
        return "Intercept" in self.X.columns


@dataclass(frozen=True, eq=False)
class FitResult:
    """Estimates and fit statistics of one model, the same shape for OLS, logit and Firth.

    Firth results: ``bse`` and ``tvalues`` are Wald quantities from the penalised
    information matrix; ``pvalues`` and the confidence limits come from the profile
    penalised likelihood, as R's logistf reports them. ``llf`` and ``llnull`` are penalised
    log likelihoods; ``llnull`` is the intercept-only model under the full model's penalty
    (logistf's null model), so ``2 * (llf - llnull)`` is logistf's likelihood ratio test.
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


# --- formula and design -------------------------------------------------------------------


def _references(code: str) -> list[tuple[str, bool]]:
    """(name, used as categories) for every variable a factor's Python code names."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, categorical: bool) -> None:
        if isinstance(node, ast.Call):
            func = node.func
            first = node.args[0] if node.args else None
            if isinstance(func, ast.Name) and func.id == "Q" and isinstance(first, ast.Constant):
                found.append((str(first.value), categorical))
                return
            is_c = isinstance(func, ast.Name) and func.id == "C"
            if not isinstance(func, ast.Name):
                visit(func, False)
            for position, argument in enumerate(node.args):
                visit(argument, categorical or (is_c and position == 0))
            for keyword in node.keywords:
                visit(keyword.value, False)
        elif isinstance(node, ast.Name):
            found.append((node.id, categorical))
        elif isinstance(node, ast.Attribute):
            visit(node.value, categorical)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, categorical)

    visit(ast.parse(code.strip(), mode="eval").body, False)
    return found


def _formula_error(formula: str, error: Exception) -> ModelError:
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    start = getattr(getattr(error, "origin", None), "start", None)
    where = f" at character {start + 1}" if isinstance(start, int) else ""
    return ModelError(
        f"could not parse the formula {formula!r}{where}: {first}. "
        "Write it as 'outcome ~ x1 + x2', with C(name) for categories",
        rule="formula-syntax",
    )


def _missing_column(name: str, columns: Sequence[str]) -> ModelError:
    lowered = {column.lower(): column for column in columns}
    close = difflib.get_close_matches(name, columns, n=3, cutoff=0.6)
    if name.lower() in lowered and lowered[name.lower()] not in close:
        close.insert(0, lowered[name.lower()])
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    listed = ", ".join(repr(c) for c in list(columns)[:12])
    more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
    return ModelError(
        f"the formula names {name!r}, which is not a column of the data{hint} "
        f"(columns: {listed}{more})",
        column=name,
        rule="formula-column",
    )


def _numeric_column(values: pd.Series[Any], name: str, *, role: str) -> pd.Series[float]:
    """A column as numbers, or an error that names the text values that are in the way."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    converted = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & converted.isna()
    if not bad.any():
        return converted.astype(float)
    examples = ", ".join(repr(str(v)) for v in pd.unique(values[bad])[:3])
    if role == "outcome":
        advice = "the outcome must be numbers (coded 0/1 for logit and firth)"
    else:
        advice = (
            f"to use it as categories write C({name}) in the formula; "
            "to use it as a number fix those values"
        )
    raise ModelError(
        f"column {name!r} is not numeric: it has text such as {examples}; {advice}",
        column=name,
        rule="numeric-column",
    )


def _prepare(formula: str, data: pd.DataFrame) -> tuple[Any, str, pd.DataFrame, dict[str, int]]:
    """Parse the formula, check the names it uses and return the columns it needs."""
    import patsy
    import patsy.builtins

    if not isinstance(formula, str) or "~" not in formula:
        raise ModelError(
            f"the formula {formula!r} has no '~': write it as 'outcome ~ x1 + x2'",
            rule="formula-syntax",
        )
    if not isinstance(data, pd.DataFrame):
        raise ModelError("the data must be a table (pandas DataFrame)", rule="data")
    data = data.rename(columns=str)
    try:
        description = patsy.ModelDesc.from_formula(formula)
        terms = list(description.lhs_termlist) + list(description.rhs_termlist)
        references = [ref for term in terms for f in term.factors for ref in _references(f.code)]
    except (patsy.PatsyError, SyntaxError) as error:
        raise _formula_error(formula, error) from None
    lhs = [f for term in description.lhs_termlist for f in term.factors]
    if len(lhs) != 1:
        raise ModelError(
            f"the formula {formula!r} needs exactly one outcome on the left of '~'",
            rule="formula-outcome",
        )
    if any(categorical for _, categorical in _references(lhs[0].code)):
        raise ModelError("the outcome must be one numeric column, not C(...)", rule="outcome")
    columns = [str(c) for c in data.columns]
    known = set(FORMULA_FUNCTIONS) | set(patsy.builtins.__all__) | set(dir(builtins))
    used: dict[str, bool] = {}
    for name, categorical in references:
        if name in columns:
            used[name] = used.get(name, False) or not categorical
        elif name not in known:
            raise _missing_column(name, columns)
    outcome = lhs[0].code.strip()
    frame = pd.DataFrame(index=data.index)
    for name, numeric in used.items():
        if columns.count(name) > 1:
            raise ModelError(f"the data have two columns named {name!r}", column=name, rule="data")
        values = data[name]
        categorical_dtype = isinstance(values.dtype, pd.CategoricalDtype)
        if numeric and not categorical_dtype:
            role = "outcome" if name == outcome else "regressor"
            frame[name] = _numeric_column(values, name, role=role)
        elif pd.api.types.is_bool_dtype(values):
            frame[name] = values.astype(int)
        else:
            frame[name] = values
    missing = {name: int(n) for name in used if (n := data[name].isna().sum()) > 0}
    return description, outcome, frame, missing


def _design(formula: str, data: pd.DataFrame, model: str, *, check_outcome: bool = True) -> _Design:
    """Build y and X with patsy after checking everything a user can get wrong."""
    import patsy

    description, outcome, frame, missing = _prepare(formula, data)
    env = patsy.EvalEnvironment([FORMULA_FUNCTIONS])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            y_frame, exog = patsy.dmatrices(
                description, frame, eval_env=env, NA_action="drop", return_type="dataframe"
            )
    except patsy.PatsyError as error:
        raise _formula_error(formula, error) from None
    except (TypeError, ValueError) as error:
        raise ModelError(
            f"could not evaluate the formula {formula!r}: {error}", rule="formula"
        ) from None
    if y_frame.shape[1] != 1:
        raise ModelError(f"the outcome {outcome!r} must be one numeric column", rule="outcome")
    y = y_frame.iloc[:, 0].astype(float)
    design = _Design(formula, outcome, y, exog.astype(float), len(data), missing)
    _check_rows(design)
    if check_outcome:
        _check_outcome(design, model)
    _check_constant(design)
    _check_collinear(design)
    return design


def _check_rows(design: _Design) -> None:
    n, k = len(design.y), design.X.shape[1]
    if n > k:
        return
    dropped = ""
    if design.n_dropped:
        detail = ", ".join(f"{name}: {count}" for name, count in design.missing.items())
        detail = f" (missing values per column: {detail})" if detail else ""
        dropped = f" after dropping {design.n_dropped} of {design.n_input} rows{detail}"
    raise ModelError(
        f"too few rows: {n} rows remain{dropped}, but the model has {k} parameters "
        f"and needs at least {k + 1} rows",
        rule="too-few-rows",
    )


def _check_outcome(design: _Design, model: str) -> None:
    name, values = design.outcome, np.unique(design.y.to_numpy())
    if model != "ols" and not set(values.tolist()) <= {0.0, 1.0}:
        shown = ", ".join(f"{v:g}" for v in values[:5]) + (" ..." if len(values) > 5 else "")
        raise ModelError(
            f"the outcome {name!r} must be coded 0/1 for a {model} model; it has {shown}",
            column=name,
            rule="binary-outcome",
        )
    if len(values) == 1:
        need = "there is nothing to explain" if model == "ols" else "a logit needs both 0s and 1s"
        raise ModelError(
            f"the outcome {name!r} is {values[0]:g} in all {len(design.y)} rows used; {need}",
            column=name,
            rule="constant-outcome",
        )


def _source(term: str) -> str:
    """The column behind a design term: 'C(cluster)[T.x]' -> 'cluster', 'np.log(TURN)' -> 'TURN'."""
    code = term.split("[", 1)[0]
    try:
        names = [name for name, _ in _references(code)]
    except SyntaxError:
        return term
    names = [n for n in names if n not in FORMULA_FUNCTIONS and n not in ("C", "I", "Q")]
    return names[0] if len(names) == 1 else term


def _check_constant(design: _Design) -> None:
    """Infinite values (log of 0) and regressors that do not vary."""
    for term, values in [(design.outcome, design.y), *design.X.items()]:
        array = values.to_numpy(dtype=float)
        if not np.isfinite(array).all():
            raise ModelError(
                f"term {term!r} has {int((~np.isfinite(array)).sum())} infinite value(s) "
                "(the log of 0?); transform it differently",
                column=_source(str(term)),
                rule="non-finite",
            )
        if design.has_intercept and term not in ("Intercept", design.outcome) and not np.ptp(array):
            raise ModelError(
                f"regressor {term!r} is constant (always {array[0]:g} in the {len(array)} rows "
                "used), so its effect cannot be told apart from the intercept; drop it",
                column=_source(str(term)),
                rule="constant-regressor",
            )


def _check_collinear(design: _Design) -> None:
    exog = design.X.to_numpy()
    norms = np.linalg.norm(exog, axis=0)
    scaled = exog / np.where(norms > 0, norms, 1.0)
    if np.linalg.matrix_rank(scaled) == exog.shape[1]:
        return
    names = [str(c) for c in design.X.columns]
    kept: list[int] = []
    for j in range(exog.shape[1]):
        if np.linalg.matrix_rank(scaled[:, [*kept, j]]) > len(kept):
            kept.append(j)
            continue
        weights = np.linalg.lstsq(scaled[:, kept], scaled[:, j], rcond=None)[0]
        parts = [names[i] for i, w in zip(kept, weights, strict=True) if abs(w) > 1e-8]
        raise ModelError(
            f"the regressors are perfectly collinear: {names[j]!r} is a linear combination of "
            f"{', '.join(repr(p) for p in parts)}; drop one of them",
            column=_source(names[j]),
            rule="collinear",
        )


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
    if model not in MODELS:
        raise ModelError(
            f"unknown model {model!r}; choose one of {', '.join(MODELS)}", rule="model"
        )
    cov_type = _cov_type(model, robust)
    design = _design(formula, data, model)
    if model == "ols":
        return _fit_ols(design, cov_type)
    if model == "logit":
        return _fit_logit(design, cov_type)
    return _fit_firth(design)


def _result(
    design: _Design,
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
        **(missing | statistics),
    )


def _fit_ols(design: _Design, cov_type: str) -> FitResult:
    import statsmodels.api as sm

    raw = sm.OLS(design.y, design.X).fit(cov_type=cov_type)
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


def _fit_logit(design: _Design, cov_type: str) -> FitResult:
    import statsmodels.api as sm

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = sm.Logit(design.y, design.X).fit(
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


def _warning_texts(caught: Iterable[warnings.WarningMessage]) -> list[str]:
    texts = []
    for item in caught:
        if not issubclass(item.category, DeprecationWarning | FutureWarning):
            texts.append(str(item.message).strip().splitlines()[0])
    return list(dict.fromkeys(texts))


def _fit_firth(design: _Design) -> FitResult:
    from firthmodels.adapters.statsmodels import FirthLogit

    y = design.y.to_numpy(dtype=float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = FirthLogit(y, design.X).fit(
                maxiter=_FIRTH_MAXITER, gtol=_FIRTH_TOL, xtol=_FIRTH_TOL, pl=True
            )
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


def _firth_null_llf(design: _Design) -> float:
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


def _separation(design: _Design) -> Separation | None:
    try:
        return _detect(design)
    except (RuntimeError, ValueError, np.linalg.LinAlgError):
        return None


# --- diagnostics --------------------------------------------------------------------------


@dataclass(frozen=True)
class Separation:
    """Which terms would have infinite maximum-likelihood estimates (Konis 2007 LP check)."""

    separated: bool
    directions: dict[str, int]

    @property
    def infinite(self) -> dict[str, int]:
        """Terms that go to +infinity (1) or -infinity (-1)."""
        return {term: d for term, d in self.directions.items() if d != 0}

    def describe(self) -> str:
        if not self.separated:
            return "no separation: every maximum-likelihood estimate is finite"
        parts = [f"{term} ({'+' if d > 0 else '-'}infinity)" for term, d in self.infinite.items()]
        return "the outcome is separated: " + ", ".join(parts)


def _detect(design: _Design) -> Separation:
    from firthmodels import detect_separation

    found = detect_separation(design.X, design.y.to_numpy(), fit_intercept=False)
    names = [str(c) for c in design.X.columns]
    directions = {n: int(d) for n, d in zip(names, found.directions, strict=True)}
    return Separation(bool(found.separation), directions)


def check_separation(formula: str, data: pd.DataFrame) -> Separation:
    """Whether a logit of ``formula`` has (quasi-)complete separation, and in which terms."""
    design = _design(formula, data, "logit")
    try:
        return _detect(design)
    except RuntimeError as error:
        raise ModelError(f"the separation check failed: {error}", rule="separation") from None


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

    Each VIF is 1 / (1 - R2) of that column regressed on all the others, the intercept
    included, so a formula without an intercept gives uncentred VIFs.
    """
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    design = _design(formula, data, "ols", check_outcome=False)
    exog = design.X.to_numpy(dtype=float)
    values = {
        str(name): float(variance_inflation_factor(exog, j))
        for j, name in enumerate(design.X.columns)
        if name != "Intercept"
    }
    return pd.Series(values, dtype=float)


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
    included, is treated as continuous (a derivative, not a discrete change).
    """
    if result.model == "ols":
        raise ModelError(
            "average marginal effects are for logit and Firth models; in OLS the "
            "coefficients are the marginal effects",
            rule="marginal-effects",
        )
    if result.model == "logit":
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


# --- files --------------------------------------------------------------------------------


def read_model_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV for modelling: UTF-8 (BOM or not), comma, semicolon or tab, numbers as numbers.

    Leading ``#`` lines are skipped. A column whose every non-empty cell is a number becomes
    numeric (with a semicolon delimiter a decimal comma is accepted); others stay text.
    Empty cells and NA, N/A, NaN, null, None and "." are missing.
    """
    file = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as error:
        message = error.strerror or "cannot read the file"
        raise InputError(f"cannot read the file: {message}", file=file, rule="file") from None
    except UnicodeDecodeError as error:
        raise InputError(
            f"the file is not UTF-8 text (undecodable byte at offset {error.start}); "
            "save it as CSV UTF-8",
            file=file,
            rule="encoding",
        ) from None
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start == len(lines):
        raise InputError("the file has no header row", file=file, rule="empty")
    header = lines[start]
    delimiter = max((",", ";", "\t"), key=header.count)
    names = [n.strip() for n in next(csv.reader([header], delimiter=delimiter))]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated or "" in names:
        problem = f"repeated column names {duplicated}" if duplicated else "an empty column name"
        raise InputError(f"the header has {problem}", file=file, row=start + 1, rule="header")
    body = io.StringIO("".join(lines[start + 1 :]), newline="")
    reader = csv.reader(body, delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise InputError(
                    f"this row has {len(row)} fields but the header has {len(names)}; "
                    f"a value that contains {delimiter!r} must be in double quotes",
                    file=file,
                    row=start + 1 + reader.line_num,
                    rule="csv",
                )
            rows.append(row)
    except csv.Error as error:
        raise InputError(f"the CSV is malformed: {error}", file=file, rule="csv") from None
    raw = pd.DataFrame(rows, columns=names, dtype=object)
    return pd.DataFrame({name: _column(raw[name], delimiter) for name in names})


def _column(values: pd.Series[Any], delimiter: str) -> pd.Series[Any]:
    text = values.astype(str).str.strip()
    missing = text.isin(_MISSING_TEXT)
    present = text.where(~missing)
    numbers = pd.to_numeric(present, errors="coerce")
    if not (numbers.isna() & ~missing).any():
        return numbers.astype(float)
    if delimiter == ";":
        decimal = pd.to_numeric(present.str.replace(",", ".", regex=False), errors="coerce")
        if not (decimal.isna() & ~missing).any():
            return decimal.astype(float)
    return present.astype(object)


def fit_csv(
    path: str | Path, formula: str, model: ModelKind = "ols", robust: bool | str = False
) -> FitResult:
    """`read_model_csv` then `fit`; every error names the file."""
    data = read_model_csv(path)
    try:
        return fit(formula, data, model, robust=robust)
    except InputError as error:
        raise type(error)(
            error.message, file=str(path), row=error.row, column=error.column, rule=error.rule
        ) from None
