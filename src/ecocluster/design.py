"""The design matrix of a formula on a table, and every check of what a user can get wrong.

`build_design` parses an R-style formula with patsy (the formula engine of statsmodels'
formula API), checks the names it uses against the table's columns, builds y and X and
checks them (too few rows, an outcome that is not 0/1, infinite values, a constant
regressor, collinear terms), so that a mistake becomes a `ModelError` that says what to
change. Kept apart from `ecocluster.models`, which estimates from the `Design` it returns;
`models` re-exports the public names. patsy is imported on first use.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ecocluster.errors import InputError


def _categories(data: Any, contrast: Any = None, levels: Any = None) -> Any:
    """patsy's C(), except that a pandas categorical without options is passed as it is.

    patsy reads a bare categorical's codes but converts a boxed one value by value; the
    levels, the contrasts and the term names are the same either way.
    """
    import patsy.builtins

    if (
        contrast is None
        and levels is None
        and isinstance(getattr(data, "dtype", None), pd.CategoricalDtype)
    ):
        return data
    return patsy.builtins.C(data, contrast, levels)


#: Names a formula may use besides its columns (patsy adds C, I, Q, center, ...).
FORMULA_FUNCTIONS: dict[str, Any] = {"np": np, "numpy": np, "exp": np.exp, "sqrt": np.sqrt}
FORMULA_FUNCTIONS.update(log=np.log, log10=np.log10, log1p=np.log1p, C=_categories)


class ModelError(InputError):
    """A model that cannot be estimated as asked (formula, data or estimator)."""


@dataclass(frozen=True, eq=False)
class Design:
    """The outcome and design matrix of one formula on one table, checked (`build_design`).

    ``factors`` maps each term to the positions of its columns; ``memo`` keeps what the
    separation check and the fits compute from the design, so that it is computed once.
    """

    formula: str
    outcome: str
    y: pd.Series[float]
    X: pd.DataFrame
    n_input: int
    missing: dict[str, int]
    factors: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_dropped(self) -> int:
        return self.n_input - len(self.y)

    @property
    def has_intercept(self) -> bool:
        return "Intercept" in self.X.columns


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
    # Names typed with combining marks (NFD) and composed (NFC) look alike: compare in NFC.
    formula = unicodedata.normalize("NFC", formula)
    data = data.rename(columns=lambda column: unicodedata.normalize("NFC", str(column)))
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
        elif not categorical_dtype and pd.api.types.infer_dtype(values) == "string":
            frame[name] = pd.Categorical(values)  # patsy's levels (sorted), read as codes
        else:
            frame[name] = values
    missing = {name: int(n) for name in used if (n := data[name].isna().sum()) > 0}
    return description, outcome, frame, missing


def build_design(
    formula: str, data: pd.DataFrame, model: str = "ols", *, check_outcome: bool = True
) -> Design:
    """Build y and X with patsy after checking everything a user can get wrong.

    ``model`` decides what the outcome must be (0/1 for logit and firth); with
    ``check_outcome=False`` it may be anything (the VIFs do not use it).
    """
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
    slices = exog.design_info.term_name_slices
    factors = {str(t): tuple(range(len(exog.columns))[where]) for t, where in slices.items()}
    design = Design(formula, outcome, y, exog.astype(float), len(data), missing, factors)
    _check_rows(design)
    if check_outcome:
        _check_outcome(design, model)
    _check_constant(design)
    _check_collinear(design)
    return design


def _check_rows(design: Design) -> None:
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


def _check_outcome(design: Design, model: str) -> None:
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


_NEUTRAL_CAUSE = "a log of zero, an overflow or a division by zero"


def _infinite_hint(term: str, array: np.ndarray[Any, Any]) -> str:
    """The likely cause of a term's infinite values, from their sign and the term's text:
    -inf from a log of zero, +inf from exp overflowing, either from a division by zero."""
    causes: list[str] = []
    if "log" in term and (array == -np.inf).any():
        causes.append("a log of zero")
    if "exp" in term and (array == np.inf).any():
        causes.append("exp overflowing on large values")
    if "/" in term:
        causes.append("a division by zero")
    return " or ".join(causes) or _NEUTRAL_CAUSE


def _check_constant(design: Design) -> None:
    """Infinite values (log of 0, overflow) and regressors that do not vary."""
    for term, values in [(design.outcome, design.y), *design.X.items()]:
        array = values.to_numpy(dtype=float)
        if not np.isfinite(array).all():
            raise ModelError(
                f"term {term!r} has {int((~np.isfinite(array)).sum())} infinite value(s) "
                f"(likely from {_infinite_hint(str(term), array)}); transform it differently",
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


def _check_collinear(design: Design) -> None:
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
