"""Regression wrappers against published reference results, and every user mistake.

References (data and sources in tests/data/reference/README.md):

* OLS: NIST StRD Longley, certified values to 15 digits.
* Logit: Spector and Mazzeo (1980) as printed by Greene, Econometric Analysis, and to more
  digits from Stata 11 (the values statsmodels tests against).
* Firth: R logistf on its sex2 data set and on Heinze and Schemper's endometrial data.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from ecocluster import models, separation
from ecocluster.cli import main
from ecocluster.errors import InputError
from ecocluster.models import (
    FitResult,
    ModelError,
    average_marginal_effects,
    build_design,
    check_separation,
    compute_vif,
    design_separation,
    design_vif,
    events_per_variable,
    firth_estimates,
    fit,
    fit_csv,
    fit_design,
    logit_marginal_effects,
    lr_test,
    read_model_csv,
)

REFERENCE = Path(__file__).parent / "data" / "reference"
LONGLEY = REFERENCE / "longley.csv"
SPECTOR = REFERENCE / "spector.csv"
SEX2 = REFERENCE / "sex2.csv"
ENDOMETRIAL = REFERENCE / "endometrial.csv"

LONGLEY_FORMULA = "y ~ x1 + x2 + x3 + x4 + x5 + x6"
SPECTOR_FORMULA = "GRADE ~ GPA + TUCE + PSI"
SEX2_FORMULA = "case ~ age + oc + vic + vicl + vis + dia"
ENDOMETRIAL_FORMULA = "HG ~ NV + PI + EH"

# NIST StRD, Longley.dat, certified values (https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml).
LONGLEY_COEF = {
    "Intercept": -3482258.63459582,
    "x1": 15.0618722713733,
    "x2": -0.358191792925910e-01,
    "x3": -2.02022980381683,
    "x4": -1.03322686717359,
    "x5": -0.511041056535807e-01,
    "x6": 1829.15146461355,
}
LONGLEY_SE = {
    "Intercept": 890420.383607373,
    "x1": 84.9149257747669,
    "x2": 0.334910077722432e-01,
    "x3": 0.488399681651699,
    "x4": 0.214274163161675,
    "x5": 0.226073200069370,
    "x6": 455.478499142212,
}
LONGLEY_RESID_SD = 304.854073561965
LONGLEY_R2 = 0.995479004577296

# Greene, Econometric Analysis, Table 17.1 (7th ed., Example 17.3; Table 21.1 of the 5th ed.),
# column "Logit": coefficient (standard error) as printed, and the log likelihood.
GREENE_LOGIT = {
    "Intercept": (-13.021, 4.931),
    "GPA": (2.826, 1.263),
    "TUCE": (0.095, 0.142),
    "PSI": (2.379, 1.065),
}
GREENE_LLF = -12.890
# The same model from Stata 11 (statsmodels/discrete/tests/results/results_discrete.py, Spector).
STATA_LOGIT_COEF = {
    "Intercept": -13.0213483201,
    "GPA": 2.82611297201,
    "TUCE": 0.0951576702557,
    "PSI": 2.37868772835,
}
STATA_LOGIT_SE = {
    "Intercept": 4.93132462871,
    "GPA": 1.26294114526,
    "TUCE": 0.141554207662,
    "PSI": 1.06456430165,
}
STATA_LLF, STATA_LLNULL, STATA_PRSQUARED = -12.8896334653335, -20.5917296966173, 0.374038332124624
# Stata 11 `margins, dydx(*)`: average marginal effects and their delta-method errors.
STATA_AME = {"GPA": 0.36258084688424, "TUCE": 0.01220841099085, "PSI": 0.30517768382304}
STATA_AME_SE = {"GPA": 0.1094412, "TUCE": 0.0177942, "PSI": 0.0923796}

# R logistf, summary(logistf(case ~ age + oc + vic + vicl + vis + dia, data = sex2)).
LOGISTF_COEF = {
    "Intercept": 0.12025405,
    "age": -1.10598131,
    "oc": -0.06881673,
    "vic": 2.26887464,
    "vicl": -2.11140817,
    "vis": -0.78831694,
    "dia": 3.09601166,
}
LOGISTF_SE = {
    "Intercept": 0.4763429,
    "age": 0.4149021,
    "oc": 0.4344026,
    "vic": 0.5384872,
    "vicl": 0.5320395,
    "vis": 0.4089620,
    "dia": 1.5052197,
}
LOGISTF_P = {
    "Intercept": 8.020268e-01,
    "age": 6.143472e-03,
    "oc": 8.751911e-01,
    "vic": 1.678877e-06,
    "vicl": 1.237805e-05,
    "vis": 5.449701e-02,
    "dia": 4.951873e-03,
}
LOGISTF_LR = 49.09064  # "Likelihood ratio test=49.09064 on 6 df"
# 90% profile penalised-likelihood limits (alpha = 0.1 in the same logistf call).
LOGISTF_CI90 = {
    "Intercept": (-0.6673577, 0.9177303),
    "age": (-1.8277045, -0.4328451),
    "oc": (-0.7986318, 0.6507581),
    "vic": (1.4248338, 3.2325326),
    "vicl": (-3.0613215, -1.2704704),
    "vis": (-1.4743338, -0.1137542),
    "dia": (1.0835108, 6.8752016),
}
# 95% limits of the same fit (logistf defaults), as firthlogist's tests record them.
LOGISTF_CI95 = {
    "Intercept": (-0.8185591, 1.07315122),
    "age": (-1.9737884, -0.30742514),
    "oc": (-0.9414363, 0.78920202),
    "vic": (1.2730216, 3.43543273),
    "vicl": (-3.2608611, -1.11773495),
    "vis": (-1.6080879, 0.01518468),
    "dia": (0.7745682, 8.03029352),
}
# logistf on the endometrial data (Heinze and Schemper 2002), NV quasi-completely separated.
LOGISTF_ENDOMETRIAL = {
    "Intercept": 3.77455951,
    "NV": 2.92927330,
    "PI": -0.03475175,
    "EH": -2.60416387,
}
LOGISTF_ENDOMETRIAL_CI95 = {
    "Intercept": (1.0825371, 7.20928050),
    "NV": (0.6097244, 7.85463171),
    "PI": (-0.1244587, 0.04045547),
    "EH": (-4.3651832, -1.23272106),
}


def assert_close(series: pd.Series[float], expected: dict[str, float], rtol: float) -> None:
    assert list(series.index) == list(expected)
    for term, value in expected.items():
        assert series[term] == pytest.approx(value, rel=rtol), term


@pytest.fixture(scope="module")
def longley() -> pd.DataFrame:
    return read_model_csv(LONGLEY)


@pytest.fixture(scope="module")
def spector() -> pd.DataFrame:
    return read_model_csv(SPECTOR)


@pytest.fixture(scope="module")
def sex2() -> pd.DataFrame:
    return read_model_csv(SEX2)


@pytest.fixture(scope="module")
def endometrial() -> pd.DataFrame:
    return read_model_csv(ENDOMETRIAL)


# --- OLS: NIST Longley -----------------------------------------------------------------------


def test_longley_matches_nist_certified_values(longley: pd.DataFrame) -> None:
    result = fit(LONGLEY_FORMULA, longley)
    assert result.model == "ols" and result.nobs == 16 and result.df_resid == 9
    assert_close(result.params, LONGLEY_COEF, rtol=1e-9)
    assert_close(result.bse, LONGLEY_SE, rtol=1e-9)
    assert result.resid_sd == pytest.approx(LONGLEY_RESID_SD, rel=1e-9)
    assert result.rsquared == pytest.approx(LONGLEY_R2, rel=1e-12)
    assert result.cov_type == "nonrobust" and result.converged and not result.warnings


def test_longley_tidy_and_json(longley: pd.DataFrame) -> None:
    result = fit(LONGLEY_FORMULA, longley)
    tidy = result.tidy()
    assert list(tidy.columns) == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
    ]
    assert list(tidy["term"]) == list(LONGLEY_COEF)
    assert (tidy["conf_low"] < tidy["estimate"]).all() and (
        tidy["estimate"] < tidy["conf_high"]
    ).all()
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["params"]["x6"] == pytest.approx(LONGLEY_COEF["x6"], rel=1e-9)
    assert data["llnull"] is None and data["prsquared"] is None
    assert {"model", "formula", "cov_type", "nobs", "llf", "rsquared", "rsquared_adj"} <= set(data)


def test_ols_hc3_is_the_textbook_sandwich(longley: pd.DataFrame) -> None:
    """HC3 (MacKinnon and White 1985): (xm'xm)^-1 xm' diag(e_i^2 / (1 - h_i)^2) xm (xm'xm)^-1."""
    result = fit(LONGLEY_FORMULA, longley, robust=True)
    assert result.cov_type == "HC3"
    xm = result.exog.to_numpy()
    e = result.endog.to_numpy() - xm @ result.params.to_numpy()
    bread = np.linalg.inv(xm.T @ xm)
    h = np.einsum("ij,jk,ik->i", xm, bread, xm)
    meat = xm.T @ (xm * (e**2 / (1 - h) ** 2)[:, None])
    expected = np.sqrt(np.diag(bread @ meat @ bread))
    np.testing.assert_allclose(result.bse.to_numpy(), expected, rtol=1e-6)
    assert fit(LONGLEY_FORMULA, longley, robust="hc1").cov_type == "HC1"


def test_vif_is_one_over_one_minus_r2_of_each_regressor(longley: pd.DataFrame) -> None:
    vif = compute_vif(LONGLEY_FORMULA, longley)
    assert list(vif.index) == ["x1", "x2", "x3", "x4", "x5", "x6"]
    xm = longley[list(vif.index)].to_numpy(dtype=float)
    for j, name in enumerate(vif.index):
        others = np.column_stack([np.ones(len(xm)), np.delete(xm, j, axis=1)])
        fitted = others @ np.linalg.lstsq(others, xm[:, j], rcond=None)[0]
        r2 = 1 - np.sum((xm[:, j] - fitted) ** 2) / np.sum((xm[:, j] - xm[:, j].mean()) ** 2)
        assert vif[name] == pytest.approx(1 / (1 - r2), rel=1e-6)
    assert vif["x2"] > 1000  # Longley is the classic collinear design


# --- logit: Spector and Mazzeo ---------------------------------------------------------------


def test_spector_logit_matches_greene_and_stata(spector: pd.DataFrame) -> None:
    result = fit(SPECTOR_FORMULA, spector, "logit")
    for term, (b, se) in GREENE_LOGIT.items():
        assert round(result.params[term], 3) == b, term
        assert round(result.bse[term], 3) == se, term
    assert round(result.llf, 3) == GREENE_LLF
    assert_close(result.params, STATA_LOGIT_COEF, rtol=1e-6)
    assert_close(result.bse, STATA_LOGIT_SE, rtol=1e-6)
    assert result.llf == pytest.approx(STATA_LLF, rel=1e-7)  # Stata stops a little earlier
    assert result.llnull == pytest.approx(STATA_LLNULL, rel=1e-9)
    assert result.prsquared == pytest.approx(STATA_PRSQUARED, rel=1e-7)
    assert result.converged and not result.warnings


def test_spector_average_marginal_effects_match_stata_margins(spector: pd.DataFrame) -> None:
    result = fit(SPECTOR_FORMULA, spector, "logit")
    ame = average_marginal_effects(result).set_index("term")
    assert_close(ame["ame"], STATA_AME, rtol=1e-6)
    assert_close(ame["std_error"], STATA_AME_SE, rtol=1e-5)
    # The delta-method code that serves Firth models gives the same numbers from ML inputs.
    own = logit_marginal_effects(result.params, result.cov_params, result.exog).set_index("term")
    np.testing.assert_allclose(own["ame"], ame["ame"], rtol=1e-10)
    np.testing.assert_allclose(own["std_error"], ame["std_error"], rtol=1e-6)


def test_logit_robust_is_the_hc0_sandwich(spector: pd.DataFrame) -> None:
    result = fit(SPECTOR_FORMULA, spector, "logit", robust=True)
    assert result.cov_type == "HC0"
    xm, y = result.exog.to_numpy(), result.endog.to_numpy()
    p = 1 / (1 + np.exp(-xm @ result.params.to_numpy()))
    bread = np.linalg.inv(xm.T @ (xm * (p * (1 - p))[:, None]))
    meat = xm.T @ (xm * ((y - p) ** 2)[:, None])
    np.testing.assert_allclose(result.bse, np.sqrt(np.diag(bread @ meat @ bread)), rtol=1e-6)
    with pytest.raises(ModelError, match="HC0") as caught:
        fit(SPECTOR_FORMULA, spector, "logit", robust="HC3")
    assert caught.value.rule == "robust"


def test_lr_test_against_the_null_and_a_nested_model(spector: pd.DataFrame) -> None:
    full = fit(SPECTOR_FORMULA, spector, "logit")
    null = fit("GRADE ~ 1", spector, "logit")
    test = lr_test(null, full)
    assert test.df == 3
    assert test.statistic == pytest.approx(2 * (STATA_LLF - STATA_LLNULL), rel=1e-6)
    assert test.p_value == pytest.approx(0.00150187761112892, rel=1e-6)  # Stata's llr_pvalue
    with pytest.raises(ModelError, match="subset"):
        lr_test(full, null)
    with pytest.raises(ModelError, match="different rows"):
        lr_test(fit("GRADE ~ GPA", spector.iloc[:30], "logit"), full)


def test_events_per_variable_counts_the_rarer_outcome() -> None:
    assert events_per_variable([1, 1, 0, 0, 0, 0, 0], 2) == 1.0
    assert events_per_variable(np.array([1, 1, 1, 1, 0, np.nan]), 1) == 1.0
    with pytest.raises(ModelError):
        events_per_variable([0, 2], 1)
    with pytest.raises(ModelError):
        events_per_variable([0, 1], 0)


# --- Firth: R logistf ------------------------------------------------------------------------


def test_sex2_firth_matches_logistf(sex2: pd.DataFrame) -> None:
    result = fit(SEX2_FORMULA, sex2, "firth")
    assert result.model == "firth" and result.nobs == 239 and result.converged
    assert_close(result.params, LOGISTF_COEF, rtol=1e-6)
    assert_close(result.bse, LOGISTF_SE, rtol=1e-5)
    assert_close(result.pvalues, LOGISTF_P, rtol=1e-5)
    assert 2 * (result.llf - (result.llnull or 0.0)) == pytest.approx(LOGISTF_LR, abs=1e-5)
    assert_close(result.conf_low, {k: v[0] for k, v in LOGISTF_CI95.items()}, rtol=1e-5)
    assert_close(result.conf_high, {k: v[1] for k, v in LOGISTF_CI95.items()}, rtol=1e-5)
    ci90 = np.asarray(result.raw.conf_int(alpha=0.1))
    np.testing.assert_allclose(ci90, np.array(list(LOGISTF_CI90.values())), rtol=1e-5)
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["llnull"] == pytest.approx(
        result.llnull
    )


def test_firth_average_marginal_effects_are_finite(sex2: pd.DataFrame) -> None:
    result = fit(SEX2_FORMULA, sex2, "firth")
    ame = average_marginal_effects(result).set_index("term")
    assert list(ame.index) == ["age", "oc", "vic", "vicl", "vis", "dia"]
    assert np.isfinite(ame.to_numpy(dtype=float)).all()
    assert (np.sign(ame["ame"]) == np.sign(result.params[ame.index])).all()
    with pytest.raises(ModelError, match="coefficients are the marginal effects"):
        average_marginal_effects(fit("case ~ age", sex2))


def test_firth_refuses_robust_errors(sex2: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match="Firth") as caught:
        fit(SEX2_FORMULA, sex2, "firth", robust=True)
    assert caught.value.rule == "robust"


# --- separation ------------------------------------------------------------------------------


def test_endometrial_separation_logit_and_firth(endometrial: pd.DataFrame) -> None:
    separation = check_separation(ENDOMETRIAL_FORMULA, endometrial)
    assert separation.separated and separation.infinite == {"NV": 1}
    assert "NV (+infinity)" in separation.describe()
    ml = fit(ENDOMETRIAL_FORMULA, endometrial, "logit")
    assert not ml.converged
    assert any("--model firth" in w for w in ml.warnings)
    assert any("NV" in w for w in ml.warnings)
    firth = fit(ENDOMETRIAL_FORMULA, endometrial, "firth")
    assert firth.converged and np.isfinite(firth.params).all()
    assert_close(firth.params, LOGISTF_ENDOMETRIAL, rtol=1e-6)
    assert_close(firth.conf_low, {k: v[0] for k, v in LOGISTF_ENDOMETRIAL_CI95.items()}, rtol=1e-5)
    assert_close(firth.conf_high, {k: v[1] for k, v in LOGISTF_ENDOMETRIAL_CI95.items()}, rtol=1e-5)


def test_a_perfectly_separating_dummy() -> None:
    data = pd.DataFrame(
        {
            "y": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1],
            "d": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1],
            "z": [3.1, 2.2, 4.0, 1.5, 2.8, 3.3, 2.9, 3.7, 1.1, 2.4, 3.0, 2.0, 1.8, 2.6],
        }
    )
    separation = check_separation("y ~ d + z", data)
    assert separation.separated and separation.infinite["d"] == 1
    ml = fit("y ~ d + z", data, "logit")
    assert not ml.converged or abs(ml.params["d"]) > 10
    assert any("firth" in w for w in ml.warnings)
    firth = fit("y ~ d + z", data, "firth")
    assert firth.converged and 0 < firth.params["d"] < 10 and np.isfinite(firth.bse).all()


def test_a_cluster_without_adopters_is_a_separated_category() -> None:
    data = pd.DataFrame(
        {
            "adopted": [1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0],
            "cluster": ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "c", "c"],
        }
    )
    separation = check_separation("adopted ~ C(cluster)", data)
    assert separation.infinite == {"C(cluster)[T.c]": -1}


# --- one design for every estimate; the routes of large designs -----------------------------


def test_one_design_serves_the_fits_the_vifs_and_the_separation_check(
    spector: pd.DataFrame,
) -> None:
    design = build_design(SPECTOR_FORMULA, spector, "logit")
    logit = fit_design(design, "logit")
    assert logit.design is design and logit.exog is design.X
    assert design_separation(design) is design_separation(design)  # kept with the design
    assert design_separation(design) == check_separation(SPECTOR_FORMULA, spector)
    pd.testing.assert_series_equal(design_vif(design), compute_vif(SPECTOR_FORMULA, spector))
    firth = fit_design(design, "firth")
    pd.testing.assert_series_equal(firth_estimates(design), firth.params)
    again = fit(SPECTOR_FORMULA, spector, "logit")
    pd.testing.assert_series_equal(again.params, logit.params, check_exact=True)


def test_categories_from_text_or_from_pandas_give_one_design() -> None:
    data = pd.DataFrame(
        {
            "y": [1.0, 2.0, 0.5, 3.0, 2.5, 1.5, 0.0, 4.0, 2.0],
            "g": ["b", "a", "c", None, "a", "c", "b", "c", "a"],
            "x": [0.3, 1.2, 2.2, 0.8, 1.9, 0.1, 2.7, 1.4, 0.6],
        }
    )
    as_text = build_design("y ~ C(g) + x", data)
    as_categories = build_design("y ~ C(g) + x", data.assign(g=pd.Categorical(data["g"])))
    assert list(as_text.X.columns) == ["Intercept", "C(g)[T.b]", "C(g)[T.c]", "x"]
    assert as_text.n_dropped == 1 and as_text.missing == {"g": 1}
    pd.testing.assert_frame_equal(as_text.X, as_categories.X, check_exact=True)
    pd.testing.assert_series_equal(as_text.y, as_categories.y, check_exact=True)
    other = build_design('y ~ C(g, Treatment("c")) + x', data)  # patsy's own C() still
    assert 'C(g, Treatment("c"))[T.a]' in other.X.columns


def test_the_lp_runs_on_distinct_rows(endometrial: pd.DataFrame) -> None:
    """Repeated rows are repeated constraints: the same LP, the same answer."""
    repeated = pd.concat([endometrial] * 3, ignore_index=True)
    once = check_separation(ENDOMETRIAL_FORMULA, endometrial)
    assert check_separation(ENDOMETRIAL_FORMULA, repeated) == once
    assert once.method == "linear-programming" and once.exact


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every design counts as large, so that the reference data take the large routes."""
    monkeypatch.setattr(models, "LARGE_ROWS", 0)
    monkeypatch.setattr(separation, "LP_ROWS", 0)


def test_large_routes_give_the_same_numbers(
    longley: pd.DataFrame, spector: pd.DataFrame, sex2: pd.DataFrame
) -> None:
    vif = compute_vif(LONGLEY_FORMULA, longley)
    logit = fit(SPECTOR_FORMULA, spector, "logit")
    effects = average_marginal_effects(logit)
    firth = fit(SEX2_FORMULA, sex2, "firth")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "LARGE_ROWS", 0)
        pd.testing.assert_series_equal(compute_vif(LONGLEY_FORMULA, longley), vif, rtol=1e-8)
        large_logit = fit(SPECTOR_FORMULA, spector, "logit")  # closed-form null model
        assert large_logit.llnull == pytest.approx(logit.llnull, rel=1e-10)
        assert large_logit.prsquared == pytest.approx(logit.prsquared, rel=1e-10)
        pd.testing.assert_frame_equal(average_marginal_effects(large_logit), effects, rtol=1e-10)
        large_firth = fit(SEX2_FORMULA, sex2, "firth")  # 36 distinct rows of 239, weighted
        for name in ("params", "bse", "pvalues", "conf_low", "conf_high"):
            expected = getattr(firth, name)
            pd.testing.assert_series_equal(getattr(large_firth, name), expected, rtol=1e-9)
        assert large_firth.llf == pytest.approx(firth.llf, abs=1e-9)
        assert large_firth.nobs == 239 and large_firth.llnull == firth.llnull


def test_vifs_without_an_intercept_by_both_routes() -> None:
    data = pd.DataFrame(
        {
            "y": np.arange(12.0),
            "g": list("aaaabbbbcccc"),
            "x": [0.3, 1.2, 2.2, 0.8, 1.9, 0.1, 2.7, 1.4, 0.6, 2.0, 1.1, 0.2],
            "z": [1.0, 0.0, 2.0, 1.0, 3.0, 2.0, 1.0, 0.0, 4.0, 2.0, 3.0, 1.0],
        }
    )
    formula = "y ~ 0 + x + z"
    exact = compute_vif(formula, data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "LARGE_ROWS", 0)
        pd.testing.assert_series_equal(compute_vif(formula, data), exact, rtol=1e-10)
        categorical = compute_vif("y ~ C(g) + x", data)
    pd.testing.assert_series_equal(categorical, compute_vif("y ~ C(g) + x", data), rtol=1e-10)


@pytest.mark.usefixtures("large")
def test_large_designs_get_a_certificate_when_the_data_overlap(spector: pd.DataFrame) -> None:
    found = check_separation(SPECTOR_FORMULA, spector)
    assert not found.separated and found.method == "ml-certificate" and found.exact
    assert "proves" in found.describe()
    assert not any("separated" in w for w in fit(SPECTOR_FORMULA, spector, "logit").warnings)


@pytest.mark.usefixtures("large")
def test_the_screen_names_the_separated_terms_as_the_lp_does(endometrial: pd.DataFrame) -> None:
    found = check_separation(ENDOMETRIAL_FORMULA, endometrial)
    assert found.method == "screen" and not found.exact
    assert found.separated and found.infinite == {"NV": 1}
    assert "large-sample screen" in found.describe() and "NV (+infinity)" in found.describe()
    ml = fit(ENDOMETRIAL_FORMULA, endometrial, "logit")
    assert any("NV" in w and "--model firth" in w for w in ml.warnings)
    outcomes = {
        "a category without events": [1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0],
        "the reference level without events": [0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1],
    }
    clusters = ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    for outcome in outcomes.values():
        data = pd.DataFrame({"adopted": outcome, "cluster": clusters})
        screened = check_separation("adopted ~ C(cluster)", data)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(separation, "LP_ROWS", 50_000)
            patch.setattr(models, "LARGE_ROWS", 50_000)
            exact = check_separation("adopted ~ C(cluster)", data)
        assert exact.method == "linear-programming" and exact.separated
        assert screened.method == "screen" and screened.infinite == exact.infinite


def test_the_certificate_never_proves_overlap_of_separated_data() -> None:
    rng = np.random.default_rng(11)
    for trial in range(40):
        n = 30 + 7 * trial
        exog = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
        eta = exog @ rng.normal(0, 3, 3)
        separated = (eta > 0).astype(float)
        overlapping = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
        for y, expected in ((separated, False), (overlapping, None)):
            if y.min() == y.max():
                continue
            design = build_design(
                "y ~ a + b", pd.DataFrame({"y": y, "a": exog[:, 1], "b": exog[:, 2]})
            )
            ml = models._ml_estimates(design)
            proved = ml is not None and separation.certificate(exog, y, ml.params)
            if expected is False:
                assert not proved
            elif proved:
                assert not design_separation(design).separated


# --- bad input: fit() ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 40
    return pd.DataFrame(
        {
            "ENVTECH": rng.integers(0, 2, n),
            "EMPL": rng.integers(2, 120, n).astype(float),
            "YEARS": rng.integers(1, 40, n).astype(float),
            "cluster": rng.choice(["bat_trang", "dong_ky", "van_phuc"], n),
            "spend": rng.gamma(1.0, 5.0, n),
        }
    )


BAD_INPUTS: list[tuple[str, str, str, dict[str, Any], str, str]] = [
    # id, formula, model, extra columns, rule, text the message must contain
    ("missing-column", "ENVTECH ~ EMPLL + YEARS", "logit", {}, "formula-column", "EMPLL"),
    ("constant", "ENVTECH ~ EMPL + LOAN", "logit", {"LOAN": 0}, "constant-regressor", "LOAN"),
    ("all-zero-logit", "NONE ~ EMPL", "logit", {"NONE": 0}, "constant-outcome", "NONE"),
    ("all-one-firth", "ALL ~ EMPL", "firth", {"ALL": 1}, "constant-outcome", "ALL"),
    ("not-binary", "YEARS ~ EMPL", "logit", {}, "binary-outcome", "YEARS"),
    ("text", "ENVTECH ~ EMPL + size", "logit", {"size": "big"}, "numeric-column", "C(size)"),
    ("syntax", "ENVTECH ~ EMPL +", "logit", {}, "formula-syntax", "ENVTECH ~ EMPL +"),
    ("no-tilde", "ENVTECH EMPL", "ols", {}, "formula-syntax", "~"),
    ("collinear", "spend ~ EMPL + staff", "ols", {"staff": "EMPL*2"}, "collinear", "staff"),
]


def _with(data: pd.DataFrame, extra: dict[str, Any]) -> pd.DataFrame:
    data = data.copy()
    for name, value in extra.items():
        data[name] = data["EMPL"] * 2 if value == "EMPL*2" else value
    return data


@pytest.mark.parametrize(
    ("formula", "model", "extra", "rule", "text"),
    [b[1:] for b in BAD_INPUTS],
    ids=[b[0] for b in BAD_INPUTS],
)
def test_bad_input_is_a_clear_error(
    firms: pd.DataFrame, formula: str, model: Any, extra: dict[str, Any], rule: str, text: str
) -> None:
    with pytest.raises(InputError) as caught:
        fit(formula, _with(firms, extra), model)
    assert caught.value.rule == rule
    assert text in str(caught.value)


def test_missing_column_names_close_matches(firms: pd.DataFrame) -> None:
    with pytest.raises(ModelError) as caught:
        fit("ENVTECH ~ empl + YEARS", firms, "logit")
    assert caught.value.column == "empl"
    assert "did you mean 'EMPL'" in str(caught.value)


def test_text_column_works_as_categories(firms: pd.DataFrame) -> None:
    result = fit("spend ~ EMPL + C(cluster)", firms)
    assert "C(cluster)[T.dong_ky]" in result.params.index


def test_too_few_rows_says_how_many_were_dropped(firms: pd.DataFrame) -> None:
    data = firms.head(6).copy()
    data.loc[data.index[:3], "YEARS"] = np.nan
    with pytest.raises(ModelError) as caught:
        fit("spend ~ EMPL + YEARS + C(cluster)", data)
    message = str(caught.value)
    assert caught.value.rule == "too-few-rows"
    assert "3 rows remain after dropping 3 of 6 rows" in message and "YEARS: 3" in message


def test_missing_values_are_dropped_and_counted(firms: pd.DataFrame) -> None:
    data = firms.copy()
    data.loc[data.index[:4], "YEARS"] = np.nan
    result = fit("spend ~ EMPL + YEARS", data)
    assert result.nobs == len(firms) - 4 and result.n_dropped == 4


def test_unknown_model_and_covariance(firms: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match="unknown model"):
        fit("spend ~ EMPL", firms, "probit")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="HC3"):
        fit("spend ~ EMPL", firms, robust="HAC")


def test_log_of_zero_is_named(firms: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match=r"np\.log\(zero\)") as caught:
        fit("spend ~ np.log(zero)", firms.assign(zero=[0.0] + [1.0] * (len(firms) - 1)))
    assert caught.value.column == "zero"


@pytest.mark.parametrize(
    ("formula", "extra", "cause"),
    [
        ("spend ~ np.log(zero)", {"zero": 0.0}, "a log of zero"),
        ("spend ~ np.exp(big)", {"big": 1000.0}, "exp overflowing on large values"),
        ("spend ~ I(1 / zero)", {"zero": 0.0}, "a division by zero"),
    ],
    ids=["log", "exp", "division"],
)
def test_infinite_values_name_their_likely_cause(
    firms: pd.DataFrame, formula: str, extra: dict[str, float], cause: str
) -> None:
    data = firms.assign(
        **{name: [value] + [1.0] * (len(firms) - 1) for name, value in extra.items()}
    )
    with pytest.raises(ModelError) as caught:
        fit(formula, data)
    message = str(caught.value)
    assert caught.value.rule == "non-finite" and f"likely from {cause})" in message
    if cause != "a log of zero":
        assert "log" not in message.split("likely from", 1)[1]


def test_infinite_values_without_a_telling_term_name_every_cause() -> None:
    from ecocluster.design import _infinite_hint

    hint = _infinite_hint("x", np.array([1.0, np.inf]))
    assert hint == "a log of zero, an overflow or a division by zero"


def test_formula_and_columns_compare_in_nfc(firms: pd.DataFrame) -> None:
    composed, decomposed = "số_lao_động", unicodedata.normalize("NFD", "số_lao_động")
    assert composed != decomposed
    data = firms.rename(columns={"EMPL": decomposed})
    for formula in (f"spend ~ {composed}", f"spend ~ {decomposed}"):
        result = fit(formula, data)
        assert composed in result.params.index


# --- files -----------------------------------------------------------------------------------


def test_read_model_csv_semicolons_decimal_commas_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_bytes(
        "\ufeff# a comment line\ny;x;cluster\n1,5;2;bát tràng\n2,25;NA;dong_ky\n3;4;\n".encode()
    )
    data = read_model_csv(path)
    assert list(data.columns) == ["y", "x", "cluster"]
    assert data["y"].tolist() == [1.5, 2.25, 3.0]
    assert data["x"].isna().tolist() == [False, True, False]
    assert data["cluster"].tolist()[:2] == ["bát tràng", "dong_ky"] and pd.isna(data["cluster"][2])


def _nfd_csv(tmp_path: Path) -> Path:
    header = unicodedata.normalize("NFD", "doanh_thu,số_lao_động,làng")
    rows = ["12,3,Bát Tràng", "15,5,Đồng Kỵ", "11,2,Bát Tràng", "19,8,Đồng Kỵ", "14,4,Vạn Phúc"]
    path = tmp_path / "nfd.csv"
    path.write_text(unicodedata.normalize("NFD", "\n".join([header, *rows])), encoding="utf-8")
    return path


def test_decomposed_header_and_cells_are_read_composed(tmp_path: Path) -> None:
    data = read_model_csv(_nfd_csv(tmp_path))
    assert list(data.columns) == ["doanh_thu", "số_lao_động", "làng"]
    assert all(unicodedata.is_normalized("NFC", c) for c in data.columns)
    assert data["làng"].tolist()[:2] == ["Bát Tràng", "Đồng Kỵ"]
    assert all(unicodedata.is_normalized("NFC", v) for v in data["làng"])


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_fit_csv_with_a_decomposed_header(tmp_path: Path, form: str) -> None:
    formula = unicodedata.normalize(form, "doanh_thu ~ số_lao_động + C(làng)")
    result = fit_csv(_nfd_csv(tmp_path), formula)
    assert "số_lao_động" in result.params.index
    assert "C(làng)[T.Đồng Kỵ]" in result.params.index
    cli = _cli("--data", str(_nfd_csv(tmp_path)), "--formula", formula, "--json")
    assert cli.exit_code == 0, cli.output
    assert "số_lao_động" in json.loads(cli.stdout)["params"]


def test_whole_numbers_are_read_as_integers(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(
        "y,g,x,gap,big\n"
        "1.5,1,0.5,1,1\n2.5,2,1.0,,2\n2.0,3,1.5,3,3\n4.0,1,2.0,4,4\n3.5,2,2.5,5,1e20\n"
        "5.0,3,3.0,6,5\n",
        encoding="utf-8",
    )
    data = read_model_csv(path)
    assert data["g"].dtype == np.int64 and data["g"].tolist() == [1, 2, 3, 1, 2, 3]
    assert data["y"].dtype == np.float64 and data["x"].dtype == np.float64
    assert data["gap"].dtype == np.float64  # a missing value keeps the column in floats
    assert data["big"].dtype == np.float64  # beyond 2**53 a float is not an exact integer
    result = fit_csv(path, "y ~ x + C(g)")
    assert list(result.params.index) == ["Intercept", "C(g)[T.2]", "C(g)[T.3]", "x"]


def test_whole_numbers_with_decimal_commas_are_integers(tmp_path: Path) -> None:
    path = tmp_path / "semicolons.csv"
    path.write_text("a;b\n1,0;1,5\n2;2,5\n", encoding="utf-8")
    data = read_model_csv(path)
    assert data["a"].dtype == np.int64 and data["b"].dtype == np.float64


@pytest.mark.parametrize(
    ("content", "rule", "text"),
    [
        (b"a,b\n1,2\n3,4,5\n", "csv", "3 fields"),
        (b"a,a\n1,2\n", "header", "repeated"),
        (b"# only comments\n", "empty", "no header"),
        (b"a,b\n\xff\xfe,1\n", "encoding", "UTF-8"),
    ],
    ids=["ragged", "duplicate", "empty", "encoding"],
)
def test_unreadable_csv_names_the_file(
    tmp_path: Path, content: bytes, rule: str, text: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_model_csv(path)
    assert caught.value.rule == rule and caught.value.file == str(path)
    assert text in str(caught.value)


def test_fit_csv_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        fit_csv(SPECTOR, "GRADE ~ GPAA", "logit")
    assert caught.value.file == str(SPECTOR) and caught.value.column == "GPAA"
    with pytest.raises(InputError) as caught:
        fit_csv(tmp_path / "absent.csv", "y ~ x")
    assert caught.value.rule == "file" and caught.value.file == str(tmp_path / "absent.csv")


def test_importing_models_loads_no_estimation_library() -> None:
    code = (
        "import sys, ecocluster.models; "
        "heavy = ('statsmodels', 'scipy', 'sklearn', 'patsy', 'firthmodels'); "
        "print(' '.join(sorted(m for m in heavy if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


# --- the command line ------------------------------------------------------------------------


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["fit", *args])


def test_cli_longley_json_matches_nist() -> None:
    result = _cli("--data", str(LONGLEY), "--formula", LONGLEY_FORMULA, "--model", "ols", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for term, value in LONGLEY_COEF.items():
        assert data["params"][term] == pytest.approx(value, rel=1e-9)
        assert data["bse"][term] == pytest.approx(LONGLEY_SE[term], rel=1e-9)
    assert data["rsquared"] == pytest.approx(LONGLEY_R2, rel=1e-12)
    assert data["resid_sd"] == pytest.approx(LONGLEY_RESID_SD, rel=1e-9)
    assert data["nobs"] == 16 and data["model"] == "ols" and data["cov_type"] == "nonrobust"


def test_cli_robust_logit_and_firth() -> None:
    result = _cli(
        "--data",
        str(SPECTOR),
        "--formula",
        SPECTOR_FORMULA,
        "--model",
        "logit",
        "--robust",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["cov_type"] == "HC0"
    assert data["params"]["GPA"] == pytest.approx(STATA_LOGIT_COEF["GPA"], rel=1e-6)
    result = _cli("--data", str(SEX2), "--formula", SEX2_FORMULA, "--model", "firth", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for term, value in LOGISTF_COEF.items():
        assert data["params"][term] == pytest.approx(value, rel=1e-6)
    assert 2 * (data["llf"] - data["llnull"]) == pytest.approx(LOGISTF_LR, abs=1e-5)


def test_cli_table_output() -> None:
    result = _cli("--data", str(SPECTOR), "--formula", SPECTOR_FORMULA, "--model", "logit")
    assert result.exit_code == 0, result.output
    assert "GPA" in result.output and "2.82611" in result.output


def test_cli_separated_logit_warns_and_suggests_firth() -> None:
    result = _cli(
        "--data", str(ENDOMETRIAL), "--formula", ENDOMETRIAL_FORMULA, "--model", "logit", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["converged"] is False
    assert any("--model firth" in w for w in data["warnings"])


CLI_BAD = [
    ("missing-column", "GRADE ~ GPA + TUCEE", "logit", "TUCEE"),
    ("not-binary", "TUCE ~ GPA", "logit", "TUCE"),
    ("constant-outcome", "GRADE ~ GPA", "firth", "GRADE"),
    ("syntax", "GRADE ~ GPA +", "ols", "GRADE ~ GPA +"),
    ("collinear", "GRADE ~ GPA + I(2 * GPA)", "ols", "GPA"),
    ("constant-regressor", "GRADE ~ GPA + I(0 * TUCE + 1)", "ols", "TUCE"),
]


@pytest.mark.parametrize(
    ("formula", "model", "text"), [c[1:] for c in CLI_BAD], ids=[c[0] for c in CLI_BAD]
)
def test_cli_bad_input_exits_1_without_traceback(
    tmp_path: Path, formula: str, model: str, text: str
) -> None:
    data = SPECTOR
    if text == "GRADE" and model == "firth":
        data = tmp_path / "zero.csv"
        frame = read_model_csv(SPECTOR).assign(GRADE=0)
        frame.to_csv(data, index=False)
    result = _cli("--data", str(data), "--formula", formula, "--model", model, "--json")
    assert result.exit_code == 1
    assert text in result.output
    assert str(data) in result.output
    assert "Traceback" not in result.output


def test_cli_text_column_suggests_categories(tmp_path: Path) -> None:
    path = tmp_path / "firms.csv"
    path.write_text("y,x,size\n1,2,big\n2,3,small\n3,5,big\n4,4,small\n", encoding="utf-8")
    result = _cli("--data", str(path), "--formula", "y ~ x + size", "--model", "ols")
    assert result.exit_code == 1 and "C(size)" in result.output and "Traceback" not in result.output


def test_cli_too_few_rows(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    path.write_text("y,x,z\n1,2,\n2,3,\n3,5,1\n", encoding="utf-8")
    result = _cli("--data", str(path), "--formula", "y ~ x + z", "--model", "ols")
    assert result.exit_code == 1 and "dropping 2 of 3 rows" in result.output


def test_fitresult_is_a_plain_record(spector: pd.DataFrame) -> None:
    result = fit(SPECTOR_FORMULA, spector, "logit")
    assert isinstance(result, FitResult)
    assert math.isclose(result.aic or 0.0, 33.779266930667, rel_tol=1e-7)  # Stata's aic
    assert math.isclose(result.bic or 0.0, 39.642210541866, rel_tol=1e-7)  # Stata's bic
