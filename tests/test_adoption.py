"""The 2007 adoption models: Table 5 refitted, the recommended specification, the audit.

The firm table is built here from the bundled (synthetic) responses with the definitions
of the paper, so these tests do not depend on the indices module.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ecocluster
from ecocluster import adoption, models, separation
from ecocluster.adoption import (
    PUBLISHED_SPECIFICATION,
    RECOMMENDED_LOGIT,
    UNCALIBRATED_NOTE,
    AdoptionModels,
    _firth_constrained_llf,
    _lr_terms,
    cluster_codes,
    compare_with_published,
    fit_published,
    fit_recommended,
)
from ecocluster.audit import AuditFinding, audit_methods
from ecocluster.errors import InputError
from ecocluster.models import fit, read_model_csv

RESPONSES = (
    Path(ecocluster.__file__).parent / "data" / "examples" / "red-river-2007" / "responses.csv"
)
SEX2 = Path(__file__).parent / "data" / "reference" / "sex2.csv"


def build_firms() -> pd.DataFrame:
    """One row per firm with the paper's variables (money: VND, the paper's scale)."""
    text = "".join(line for line in RESPONSES.open(encoding="utf-8") if not line.startswith("#"))
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)

    def number(column: str) -> pd.Series[float]:
        return pd.to_numeric(raw[column].replace("", np.nan)).astype(float)

    def yes(column: str) -> pd.Series[int]:
        return (raw[column] == "yes").astype(int)

    letters = raw["q16_warning_letters"].map(lambda s: len([t for t in s.split() if t != "none"]))
    firms = pd.DataFrame(
        {
            "cluster": raw["cluster"],
            "EMPL": number("employees"),
            "YEARS": number("years_in_operation"),
            "TURN": number("turnover"),
            "export_share": number("export_share"),
            "LOAN": yes("q14_loan"),
            "GMS": number("q15_inspections") + 2 * letters,
            "CP": np.maximum(yes("q03_complaint_others"), 2 * yes("q04_complaint_own")),
            "EMP": np.maximum(yes("q11_buyers_ask_others"), 2 * yes("q12_buyers_consider_own")),
            "ENVTECH": yes("q06_installed"),
            "ENVEXP": (number("q07_capex").fillna(0) + number("q08_opex").fillna(0)) * 1e6,
        }
    )
    firms["EXPT"] = firms["TURN"] * 1e6 * firms["export_share"] / 100
    firms["CLUSTER"] = firms["cluster"].map({"bat_trang": 1, "dong_ky": 2, "van_phuc": 3})
    return firms.set_index(raw["enterprise_id"].rename("enterprise"))


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    return build_firms()


@pytest.fixture(scope="module")
def published(firms: pd.DataFrame) -> AdoptionModels:
    return fit_published(firms)


@pytest.fixture(scope="module")
def recommended(firms: pd.DataFrame) -> AdoptionModels:
    return fit_recommended(firms)


def test_the_example_frame(firms: pd.DataFrame) -> None:
    assert len(firms) == 51
    assert firms["ENVTECH"].sum() == 17  # Table 2 and Section 4: 17 adopters
    assert (firms["ENVEXP"] > 0).sum() == 15  # Section 4: 15 firms with expenditure
    assert firms.groupby("cluster")["ENVTECH"].sum().to_dict() == {
        "bat_trang": 13,
        "dong_ky": 3,
        "van_phuc": 1,
    }


def test_table_5_as_data() -> None:
    logit, ols = PUBLISHED_SPECIFICATION.logit, PUBLISHED_SPECIFICATION.ols
    assert [t.label for t in logit.terms] == ["Constant", "EMPL", "YEARS", "EXPT", "CLUSTER", "EMP"]
    assert logit.term("YEARS").coefficient == 0.0497649 and logit.term("YEARS").t_value == 2.62
    assert logit.term("CLUSTER").t_value == -2.14 and logit.llf == -8.583 and logit.nobs == 51
    assert [t.label for t in ols.terms] == ["Constant", "EMPL", "EXPT", "CLUSTER", "LOAN", "CP"]
    assert ols.term("LOAN").coefficient == 27592405 and ols.term("LOAN").t_value == 3.42
    assert (ols.rsquared, ols.rsquared_adj, ols.nobs) == (0.394, 0.326, 51)
    assert "Table 5" in PUBLISHED_SPECIFICATION.source


def test_published_terms_are_table_5_terms(published: AdoptionModels) -> None:
    for table, result in (
        (PUBLISHED_SPECIFICATION.logit, published.logit),
        (PUBLISHED_SPECIFICATION.ols, published.ols),
    ):
        assert list(result.params.index) == [t.term for t in table.terms]
        assert result.nobs == table.nobs == 51
    assert published.logit.model == "logit" and published.ols.cov_type == "nonrobust"
    assert published.cluster_terms == ("CLUSTER",)


def test_comparison_with_table_5(published: AdoptionModels) -> None:
    table = compare_with_published(published)
    assert len(table) == 12
    assert set(table["model"]) == {"logit", "ols"}
    years = table.set_index(["model", "term"]).loc[("logit", "YEARS")]
    assert years["published"] == 0.0497649
    assert years["recomputed"] == pytest.approx(published.logit.params["YEARS"])
    expt = table.set_index(["model", "term"]).loc[("logit", "EXPT")]
    assert bool(expt["same_sign"]) == (published.logit.params["EXPT"] > 0)  # t = 1.50 > 0
    assert "synthetic" in UNCALIBRATED_NOTE and "Table 5" in UNCALIBRATED_NOTE


def test_cluster_codes_follow_the_order_given(firms: pd.DataFrame) -> None:
    codes = cluster_codes(firms["cluster"])
    assert codes.groupby(firms["cluster"]).first().to_dict() == {
        "bat_trang": 1.0,
        "dong_ky": 2.0,
        "van_phuc": 3.0,
    }
    reordered = cluster_codes(firms["cluster"], ["van_phuc", "bat_trang"])
    assert reordered.groupby(firms["cluster"]).first().to_dict() == {
        "van_phuc": 1.0,
        "bat_trang": 2.0,
        "dong_ky": 3.0,
    }


def test_cluster_code_is_derived_when_absent(
    firms: pd.DataFrame, published: AdoptionModels
) -> None:
    derived = fit_published(firms.drop(columns="CLUSTER"))
    np.testing.assert_allclose(derived.logit.params, published.logit.params, rtol=1e-8)
    assert derived.clusters == ("bat_trang", "dong_ky", "van_phuc")


def test_recommended_specification(recommended: AdoptionModels) -> None:
    logit, ols = recommended.logit, recommended.ols
    assert recommended.reference == "bat_trang"
    assert "C(cluster)[T.dong_ky]" in logit.params and "C(cluster)[T.van_phuc]" in logit.params
    for name in ("EMPL10", "EXPT_bn", "YEARS", "EMP"):
        assert name in logit.params
    assert ols.cov_type == "HC3" and "LOAN" in ols.params and ols.outcome == "ENVEXP_mn"
    assert not any(f"{abs(b):.6f}" == "0.000000" for b in ols.params)
    assert recommended.marginal_effects is not None
    assert "YEARS" in set(recommended.marginal_effects["term"])
    assert recommended.ols_diagnostics.cluster_wald.method == "wald-F"
    assert recommended.ols_diagnostics.cluster_wald.df == 2
    assert recommended.logit_diagnostics.cluster_lr.df == 2
    json.dumps(recommended.to_dict(), allow_nan=False)


def test_example_ml_logit_runs_away_so_firth_is_used(recommended: AdoptionModels) -> None:
    """In the synthetic example the categorical ML logit is nearly separated."""
    assert recommended.logit_ml is not None and not recommended.logit_ml.converged
    assert recommended.firth_used and recommended.logit.model == "firth"
    assert recommended.firth_reason is not None and "did not converge" in recommended.firth_reason
    assert np.isfinite(recommended.logit.params).all()
    assert recommended.logit.bse.max() < 10


def test_rescaling_keeps_the_fit(firms: pd.DataFrame, published: AdoptionModels) -> None:
    """EXPT in VND billion instead of VND: coefficient times 1e9, the same z and likelihood."""
    rescaled = fit(
        "ENVTECH ~ EMPL + YEARS + EXPT_bn + CLUSTER + EMP", published.logit_data, "logit"
    )
    assert rescaled.params["EXPT_bn"] == pytest.approx(
        published.logit.params["EXPT"] * 1e9, rel=1e-5
    )
    assert rescaled.tvalues["EXPT_bn"] == pytest.approx(published.logit.tvalues["EXPT"], rel=1e-5)
    assert rescaled.llf == pytest.approx(published.logit.llf, rel=1e-9)


def test_events_per_variable_by_hand(
    published: AdoptionModels, recommended: AdoptionModels
) -> None:
    # 17 adopters, 34 non-adopters: 17 events; Table 5's logit has 5 slopes, ours 6.
    assert published.logit_diagnostics.events == 17
    assert published.logit_diagnostics.epv == pytest.approx(17 / 5)
    assert recommended.logit_diagnostics.epv == pytest.approx(17 / 6)


def test_diagnostics_of_the_published_models(published: AdoptionModels) -> None:
    logit, ols = published.logit_diagnostics, published.ols_diagnostics
    assert logit.lr_null.df == 5
    assert logit.lr_null.statistic == pytest.approx(
        2 * (published.logit.llf - (published.logit.llnull or 0.0))
    )
    assert ols.lr_null.df == 5 and ols.rsquared == published.ols.rsquared
    assert ols.lr_null.statistic == pytest.approx(-51 * np.log(1 - (ols.rsquared or 0.0)))
    assert logit.cluster_lr.df == 1 and ols.cluster_lr.df == 1
    assert list(logit.vif.index) == ["EMPL", "YEARS", "EXPT", "CLUSTER", "EMP"]
    assert (logit.vif >= 1).all()
    assert logit.separation is not None and not logit.separation.separated
    refit = fit("ENVTECH ~ EMPL + YEARS + EXPT + EMP", published.logit_data, "logit")
    assert logit.cluster_lr.statistic == pytest.approx(
        2 * (published.logit.llf - refit.llf), rel=1e-6
    )


def test_firth_is_chosen_when_a_cluster_has_no_adopter(firms: pd.DataFrame) -> None:
    separated = firms.copy()
    separated.loc[separated["cluster"] == "van_phuc", "ENVTECH"] = 0
    models = fit_recommended(separated)
    assert models.firth_used
    assert models.firth_reason is not None and "C(cluster)[T.van_phuc]" in models.firth_reason
    separation = models.logit_diagnostics.separation
    assert separation is not None and separation.infinite.get("C(cluster)[T.van_phuc]") == -1
    assert np.isfinite(models.logit.params).all()
    findings = audit_methods(separated, fit_published(separated), models)
    finding = next(f for f in findings if f.issue == "Separation")
    assert finding.severity == "high" and "C(cluster)[T.van_phuc]" in finding.terms
    assert "Firth" in finding.consequence
    json.dumps(models.to_dict(), allow_nan=False)


def test_audit_findings(
    firms: pd.DataFrame, published: AdoptionModels, recommended: AdoptionModels
) -> None:
    findings = audit_methods(firms, published, recommended)
    issues = [f.issue for f in findings]
    assert issues == [
        "Location coded as a number",
        "Few adopters per regressor",
        "Separation",
        "Badly scaled regressors",
        "Non-robust standard errors for skewed spending",
        "Older firms adopt more",
        "Loans raise spending",
        "Bat Trang firms adopt more",
        "Bat Trang firms spend more",
        "Buyer pressure (EMP) has the wrong sign",
    ]
    by_issue = {f.issue: f for f in findings}
    assert all(f.severity in ("high", "medium", "low") for f in findings)
    location = by_issue["Location coded as a number"]
    assert "CLUSTER" in location.terms and location.severity == "high"
    assert "Bat Trang 13 of 15" in location.evidence and "Van Phuc 1 of 20" in location.evidence
    epv = by_issue["Few adopters per regressor"]
    assert "17 cases for 5 slope parameters: 3.4 events per variable" in epv.evidence
    assert epv.severity == "high" and "2.8 events per variable" in epv.consequence
    scaling = by_issue["Badly scaled regressors"]
    assert "EXPT" in scaling.terms and "0.000000" in scaling.evidence
    robust = by_issue["Non-robust standard errors for skewed spending"]
    assert "LOAN" in robust.terms and "36 of 51 firms spent nothing" in robust.evidence
    assert "HC3" in robust.consequence
    assert by_issue["Older firms adopt more"].terms == ("YEARS",)
    assert by_issue["Loans raise spending"].terms == ("LOAN",)
    assert by_issue["Buyer pressure (EMP) has the wrong sign"].terms == ("EMP",)
    assert "C(cluster)" in by_issue["Bat Trang firms spend more"].terms
    for finding in findings:
        json.dumps(finding.to_dict(), allow_nan=False)


def test_conclusions_follow_the_recommended_numbers(
    firms: pd.DataFrame, published: AdoptionModels, recommended: AdoptionModels
) -> None:
    findings = {f.issue: f for f in audit_methods(firms, published, recommended)}
    years_b = recommended.logit.params["YEARS"]
    years_p = recommended.logit.pvalues["YEARS"]
    expected = "low" if years_b > 0 and years_p < 0.05 else "medium" if years_b > 0 else "high"
    assert findings["Older firms adopt more"].severity == expected
    assert f"{years_b:+.4g}" in findings["Older firms adopt more"].consequence
    loan_p = recommended.ols.pvalues["LOAN"]
    assert f"p = {loan_p:.3f}" in findings["Loans raise spending"].consequence
    emp = recommended.logit.params["EMP"]
    assert findings["Buyer pressure (EMP) has the wrong sign"].severity == (
        "low" if emp < 0 else "medium"
    )


def test_another_set_of_clusters(firms: pd.DataFrame) -> None:
    """Two clusters with other names: the code follows the order given, no Bat Trang."""
    renamed = firms[firms["cluster"] != "bat_trang"].drop(columns="CLUSTER").copy()
    renamed["cluster"] = renamed["cluster"].map({"dong_ky": "phu_lang", "van_phuc": "la_phu"})
    noise = np.random.default_rng(3).normal(0, 8, len(renamed))
    renamed["ENVTECH"] = ((renamed["YEARS"] + renamed["EMPL"] / 5 + noise) > 18).astype(int)
    published = fit_published(renamed)
    assert published.clusters == ("phu_lang", "la_phu")
    recommended = fit_recommended(renamed)
    assert recommended.reference == "la_phu"  # no Bat Trang: the cluster with the most firms
    findings = audit_methods(renamed, published, recommended)
    location = findings[0]
    assert location.severity == "low" and "Phu Lang = 1" in location.evidence
    assert "same fit" in location.consequence
    # The paper's conclusions are about Bat Trang: none is invented for other clusters.
    assert not any(f.issue.startswith("Phu Lang") for f in findings)


def test_complete_separation_in_table_5s_logit(firms: pd.DataFrame) -> None:
    """Adoption decided by age and size alone: no ML estimate exists."""
    separated = firms.copy()
    separated["ENVTECH"] = ((separated["YEARS"] + separated["EMPL"] / 5) > 18).astype(int)
    published = fit_published(separated)
    separation = published.logit_diagnostics.separation
    assert separation is not None and separation.infinite["YEARS"] == 1
    assert not published.logit.converged or published.firth_used
    recommended = fit_recommended(separated)
    assert recommended.firth_used
    findings = audit_methods(separated, published, recommended)
    assert {f.issue for f in findings} >= {"Separation", "Older firms adopt more"}
    assert next(f for f in findings if f.issue == "Separation").severity == "high"


def test_missing_column_and_single_cluster(firms: pd.DataFrame) -> None:
    with pytest.raises(InputError) as caught:
        fit_published(firms.drop(columns="EMP"))
    assert caught.value.column == "EMP" and "EMP" in str(caught.value)
    with pytest.raises(InputError, match="at least 2") as caught:
        fit_recommended(firms[firms["cluster"] == "dong_ky"])
    assert caught.value.rule == "adoption-clusters"


def test_penalised_lr_test_matches_logistf() -> None:
    """The constrained Firth fit: logistf's Chisq for 'age' (7.50773092) and its LR (49.09064)."""
    result = fit("case ~ age + oc + vic + vicl + vis + dia", read_model_csv(SEX2), "firth")
    assert _lr_terms(result, ["age"]).statistic == pytest.approx(7.50773092, rel=1e-6)
    joint = _lr_terms(result, ["age", "oc", "vic", "vicl", "vis", "dia"])
    assert joint.df == 6 and joint.statistic == pytest.approx(49.09064, abs=1e-5)
    exog, y = result.exog.to_numpy(), result.endog.to_numpy()
    everything = np.ones(exog.shape[1], dtype=bool)
    assert _firth_constrained_llf(exog, y, everything, result.params.to_numpy()) == pytest.approx(
        result.llf, abs=1e-8
    )


def test_the_indices_module_gives_the_same_firm_table(firms: pd.DataFrame) -> None:
    indices = pytest.importorskip("ecocluster.indices")
    from ecocluster.examples import get_example
    from ecocluster.survey.read import read_responses

    example = get_example("red-river-2007")
    instrument = example.load_instrument()
    table = indices.compute_firm_indices(
        read_responses(example.responses, instrument).data, instrument
    )
    for column in ("cluster", "EMPL", "YEARS", "EXPT", "CLUSTER", "LOAN", "CP", "EMP"):
        assert table[column].tolist() == firms[column].tolist(), column
    np.testing.assert_allclose(table["ENVEXP"], firms["ENVEXP"])
    assert table["ENVTECH"].tolist() == firms["ENVTECH"].tolist()
    models = fit_published(table)
    np.testing.assert_allclose(models.logit.params, fit_published(firms).logit.params, rtol=1e-8)


def test_recommended_logit_formula_names_the_rescaled_variables() -> None:
    assert RECOMMENDED_LOGIT == "ENVTECH ~ EMPL10 + YEARS + EXPT_bn + C(cluster) + EMP"


def test_the_audit_is_still_importable_from_adoption() -> None:
    assert adoption.audit_methods is audit_methods and adoption.AuditFinding is AuditFinding
    with pytest.raises(AttributeError):
        _ = adoption.no_such_name


def test_large_routes_on_the_example(
    firms: pd.DataFrame,
    published: AdoptionModels,
    recommended: AdoptionModels,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With every design taken as large: the same estimates, checks that say what they were."""
    monkeypatch.setattr(models, "LARGE_ROWS", 0)
    monkeypatch.setattr(separation, "LP_ROWS", 0)
    large_published, large_recommended = fit_published(firms), fit_recommended(firms)
    np.testing.assert_allclose(large_published.logit.params, published.logit.params, rtol=1e-12)
    np.testing.assert_allclose(large_published.ols.params, published.ols.params, rtol=1e-12)
    checked = large_published.logit_diagnostics.separation
    assert checked is not None and checked.method == "ml-certificate" and not checked.separated
    for before, after in (
        (published.logit_diagnostics, large_published.logit_diagnostics),
        (recommended.ols_diagnostics, large_recommended.ols_diagnostics),
    ):
        np.testing.assert_allclose(after.vif, before.vif, rtol=1e-9)
        assert after.lr_null.statistic == pytest.approx(before.lr_null.statistic, rel=1e-8)
    # The near-separated recommended logit gives no certificate; the screen flags it.
    screened = large_recommended.logit_diagnostics.separation
    assert screened is not None and screened.method == "screen" and screened.separated
    assert large_recommended.firth_used and "large-sample screen" in str(
        large_recommended.firth_reason
    )
    np.testing.assert_allclose(large_recommended.logit.params, recommended.logit.params, rtol=1e-9)
    findings = {f.issue: f for f in audit_methods(firms, large_published, large_recommended)}
    assert "large-sample screen" in findings["Separation"].evidence
    assert (
        findings["Few adopters per regressor"]
        == {f.issue: f for f in audit_methods(firms, published, recommended)}[
            "Few adopters per regressor"
        ]
    )


def test_the_audit_says_which_check_found_no_separation(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecocluster.indices import compute_firm_indices
    from ecocluster.instrument import load_instrument
    from ecocluster.synth import synthesize

    wide = synthesize(1500, 3, seed=1).data
    firms = compute_firm_indices(wide, load_instrument("red-river-2007"))
    monkeypatch.setattr(models, "LARGE_ROWS", 0)
    monkeypatch.setattr(separation, "LP_ROWS", 0)
    published, recommended = fit_published(firms), fit_recommended(firms)
    assert not recommended.firth_used
    finding = next(
        f for f in audit_methods(firms, published, recommended) if f.issue == "Separation"
    )
    assert finding.severity == "low" and "the ML estimates prove there is none" in finding.evidence
