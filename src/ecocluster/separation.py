"""Whether the maximum-likelihood estimates of a logit exist: separation, checked by size.

With complete or quasi-complete separation (a b != 0 with s_i x_i'b >= 0 for every row,
s_i = 2 y_i - 1) some ML estimates are infinite (Albert and Anderson 1984). The exact
check is Konis's (2007) linear program, which grows expensive with the number of rows, so
`models.check_separation` picks the check a design can afford and `Separation.method`
records which one ran:

``"linear-programming"``
    Konis's LP (firthmodels' `detect_separation`) on the distinct rows of [X, y], when
    there are at most `LP_ROWS` of them. Exact.
``"ml-certificate"``
    A proof of overlap from the ML estimates: the weights |y_i - p_i| are strictly
    positive and zero the score, sum_i |y_i - p_i| s_i x_i = X'(y - p) = 0 (after a small
    correction of the remaining gradient, `certificate`), and by Stiemke's lemma such
    weights exist exactly when no b != 0 has s_i x_i'b >= 0 for all i. Exact, O(n k^2).
``"screen"``
    A large design whose ML estimates give no certificate (separation, near separation,
    or a fit far from converged). Looks for what separates by construction: a
    category (each value of a two-valued column, the reference level of a treatment-coded
    factor) with no events or no non-events; and for what separation does to ML: a fit
    that does not converge, standard errors that explode. Not exact: the LP is not run.

Only numpy and pandas are imported at module level; firthmodels and scipy on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

#: The most distinct rows of [X, y] the exact LP check is run on; larger designs get the
#: ML certificate or, failing it, the screen.
LP_ROWS = 50_000

_WEIGHT_FLOOR = 1e-8  # the certificate's smallest weight (conditioning)
_EXPLODING_SE = 10.0  # standard error of a one-SD change, on the log-odds scale

_NO_SEPARATION = {
    "linear-programming": "no separation: every maximum-likelihood estimate is finite",
    "ml-certificate": (
        "no separation: the maximum-likelihood fit proves that every estimate is finite"
    ),
    "screen": (
        "no separation found by the large-sample screen (no category without events or "
        "non-events, a converged fit, bounded standard errors); the exact check was not run"
    ),
}


@dataclass(frozen=True)
class Separation:
    """Which terms would have infinite maximum-likelihood estimates, and how it was checked.

    ``method`` is "linear-programming" (Konis 2007, exact), "ml-certificate" (exact, from
    the ML estimates) or "screen" (large designs only; see the module's documentation).
    """

    separated: bool
    directions: dict[str, int]
    method: str = "linear-programming"

    @property
    def infinite(self) -> dict[str, int]:
        """Terms that go to +infinity (1) or -infinity (-1)."""
        return {term: d for term, d in self.directions.items() if d != 0}

    @property
    def exact(self) -> bool:
        """Whether the answer is a proof either way (not the screen's)."""
        return self.method != "screen"

    def describe(self) -> str:
        if not self.separated:
            return _NO_SEPARATION[self.method]
        parts = [f"{term} ({'+' if d > 0 else '-'}infinity)" for term, d in self.infinite.items()]
        if self.method == "screen":
            found = ", ".join(parts) or "terms the screen cannot name"
            return f"the outcome appears separated (large-sample screen): {found}"
        return "the outcome is separated: " + ", ".join(parts)


class MLEstimates(NamedTuple):
    """What the certificate and the screen need from an ML logit fit."""

    params: np.ndarray[Any, Any]
    bse: np.ndarray[Any, Any]
    converged: bool


def few_distinct_rows(exog: np.ndarray[Any, Any]) -> bool:
    """False when one column alone has more than `LP_ROWS` values (so the rows do too)."""
    if len(exog) <= LP_ROWS:
        return True
    return all(pd.Series(exog[:, j]).nunique() <= LP_ROWS for j in range(exog.shape[1]))


def distinct_rows(
    exog: np.ndarray[Any, Any], y: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The distinct rows of [X, y] in order of first appearance, and how often each occurs."""
    keys = pd.DataFrame(np.column_stack([exog, y]))
    group = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    counts = np.bincount(group).astype(float)
    first = ~keys.duplicated().to_numpy()
    return exog[first], y[first], counts


def linear_programming(
    exog: np.ndarray[Any, Any],
    y: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    names: Sequence[str],
) -> Separation:
    """Konis's LP on distinct rows; ``counts`` says how often each row occurs in the data.

    Duplicate rows are duplicate constraints s_i x_i'b >= 0 and do not change the LP's
    feasible set. The LP's objective sums s_i x_i over all rows, so each distinct row is
    scaled by its count: a positive factor leaves its constraint as it was and makes the
    objective the full data's. The LP is therefore the one on all rows, with fewer rows.
    """
    from firthmodels import detect_separation

    found = detect_separation(exog * counts[:, None], y, fit_intercept=False)
    directions = {n: int(d) for n, d in zip(names, found.directions, strict=True)}
    return Separation(bool(found.separation), directions)


def certificate(exog: np.ndarray[Any, Any], y: np.ndarray[Any, Any], params: Any) -> bool:
    """Whether the estimates ``params`` prove that the data overlap (no separation).

    Stiemke's lemma: no b != 0 has s_i x_i'b >= 0 for every row exactly when some weights
    l_i > 0 give sum_i l_i s_i x_i = 0. At the ML estimates the weights |y_i - p_i| =
    expit(-s_i x_i'b), floored at `_WEIGHT_FLOOR`, give a sum close to 0: the score
    X'(y - p), plus what the floor adds. Each weight is multiplied by 1 + e_i, with e the
    smallest correction that makes the sum 0 (least squares, refined once); the proof holds
    when every factor stays above 1/2 after also subtracting the size of the correction
    that rounding leaves. On separated data no positive weights balance, the correction is
    large and the test fails. Columns are scaled to unit length (the test does not need it).
    """
    from scipy.linalg import solve_triangular  # type: ignore[import-untyped, unused-ignore]
    from scipy.special import expit  # type: ignore[import-untyped, unused-ignore]

    beta = np.asarray(params, dtype=float)
    if not np.isfinite(beta).all():
        return False
    sign = 2.0 * y - 1.0
    weights = np.maximum(expit(-sign * (exog @ beta)), _WEIGHT_FLOOR)
    norms = np.linalg.norm(exog, axis=0)
    rows = exog / np.where(norms > 0, norms, 1.0) * (sign * weights)[:, None]
    upper = np.linalg.qr(rows, mode="r")
    if not np.isfinite(upper).all() or np.min(np.abs(np.diag(upper))) <= 0:
        return False

    def needed(residual: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """R^-T of the residual: its norm is that of the smallest correction e."""
        solved: np.ndarray[Any, Any] = solve_triangular(upper, residual, trans="T")
        return solved

    factor = np.ones(len(y))
    for _ in range(2):
        factor -= rows @ solve_triangular(upper, needed(rows.T @ factor))
    left = float(np.linalg.norm(needed(rows.T @ factor)))
    return bool(np.isfinite(factor).all() and factor.min() - left > 0.5)


def screen(
    exog: np.ndarray[Any, Any],
    y: np.ndarray[Any, Any],
    names: Sequence[str],
    factors: Mapping[str, Sequence[int]],
    ml: MLEstimates | None,
) -> Separation:
    """The large-sample screen (module documentation); ``factors`` maps a term to its columns."""
    k = exog.shape[1]
    intercept = next((j for j in range(k) if names[j] == "Intercept"), None)
    found: list[np.ndarray[Any, Any]] = []

    def separates(cell: np.ndarray[Any, Any]) -> int:
        """+1 if the rows in ``cell`` are all events, -1 if all non-events, else 0."""
        outcomes = y[cell]
        if not len(outcomes) or 0 < outcomes.sum() < len(outcomes):
            return 0
        return 1 if outcomes[0] == 1 else -1

    for j in range(k):
        values = np.unique(exog[:, j])
        if j == intercept or len(values) != 2:
            continue
        low, high = float(values[0]), float(values[1])
        for value, other, sign in ((high, low, 1.0), (low, high, -1.0)):
            outcome = separates(exog[:, j] == value)
            if not outcome or (intercept is None and other != 0.0):
                continue
            b = np.zeros(k)  # b'x = +-(x_j - other): positive in the cell, 0 elsewhere
            b[j] = sign * outcome
            if intercept is not None:
                b[intercept] = -sign * outcome * other
            found.append(b / np.abs(b).max())
    for columns in factors.values():
        block = exog[:, list(columns)]
        coded = len(columns) > 1 and np.isin(block, (0.0, 1.0)).all()
        if intercept is None or not coded or block.sum(axis=1).max() > 1:
            continue
        outcome = separates(block.sum(axis=1) == 0)  # the reference level
        if outcome:
            b = np.zeros(k)
            b[intercept], b[list(columns)] = outcome, -outcome
            found.append(b)
    direction = np.sum(found, axis=0) if found else np.zeros(k)
    diverged = ml is None or not ml.converged
    if ml is not None:  # standard errors of a one-SD change; NaN counts as exploding
        spread = exog.std(axis=0)
        exploding = (spread > 0) & ~(np.abs(ml.bse) * spread <= _EXPLODING_SE)
        direction = np.where((direction == 0) & exploding, np.sign(ml.params), direction)
        diverged = diverged or bool(exploding.any())
    separated = bool(found) or diverged
    directions = {n: int(np.sign(d)) for n, d in zip(names, direction, strict=True)}
    return Separation(separated, directions, "screen")
