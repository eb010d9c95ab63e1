"""Firm indices and aggregates, checked by hand on firms of the bundled examples.

Every expected value below is read off `responses.csv` of the example (the firm code is
given) and computed by hand, not by the library.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ecocluster.errors import InputError
from ecocluster.examples import get_example
from ecocluster.indices import (
    compute_constraint_scores,
    compute_firm_indices,
    compute_group_means,
    compute_initiators,
    compute_knowledge_sources,
    compute_mentions,
    compute_partner_locations,
)
from ecocluster.instrument import Instrument, build_instrument
from ecocluster.survey.read import read_responses
from ecocluster.synth import synthesize


@pytest.fixture(scope="module")
def study_2007() -> tuple[pd.DataFrame, Instrument]:
    example = get_example("red-river-2007")
    instrument = example.load_instrument()
    return read_responses(example.responses, instrument).data, instrument


@pytest.fixture(scope="module")
def study_2003() -> tuple[pd.DataFrame, Instrument]:
    example = get_example("red-river-2003")
    instrument = example.load_instrument()
    return read_responses(example.responses, instrument).data, instrument


@pytest.fixture(scope="module")
def firms_2007(study_2007: tuple[pd.DataFrame, Instrument]) -> pd.DataFrame:
    return compute_firm_indices(*study_2007)


def test_first_bat_trang_firm_by_hand(firms_2007: pd.DataFrame) -> None:
    """RR07-BT-01: 15 years, 37 employees, VND 6,535 million, 94% exported; aware of
    complaints (q03 yes) but none about itself (q04 no); buyers asked others (q11 yes) and
    its own buyers looked (q12 yes); inspected once, no letter; spent 9.26 + 27.62."""
    firm = firms_2007.loc["RR07-BT-01"]
    assert firm["cluster"] == "bat_trang"
    assert firm["ownership"] == "private"
    assert (firm["YEARS"], firm["EMPL"], firm["TURN"]) == (15, 37, 6535)
    assert firm["EXPT"] == pytest.approx(6535e6 * 0.94)  # VND, the paper's scale
    assert firm["CLUSTER"] == 1
    assert (firm["complaint_others"], firm["complaint_own"], firm["CP"]) == (1, 0, 1)
    assert (firm["buyers_others"], firm["buyers_own"], firm["EMP"]) == (1, 1, 2)
    assert (firm["inspections"], firm["warning_letters"], firm["GMS"]) == (1, 0, 1)
    assert firm["ENVEXP"] == pytest.approx(36.88e6)
    assert firm["ENVEXP_million"] == pytest.approx(36.88)
    assert firm["spending_share"] == pytest.approx(36.88 / 6535 * 100)
    assert (firm["LOAN"], firm["ENVTECH"], firm["agreement"]) == (1, 1, 0)
    assert (firm["exporter"], firm["inspected"], firm["aware_clean_technology"]) == (1, 1, 1)
    assert (firm["n_knowledge_sources"], firm["n_constraints"]) == (2, 1)  # "other" counts
    assert firm["partner_importance"] == 9
    # q22: equipment never, compliance occasionally, banks occasionally, government never.
    sought = [firm[f"support_{s}"] for s in ("equipment", "compliance", "banks", "government")]
    assert sought == [0, 1, 1, 0]


def test_own_complaint_and_letter(firms_2007: pd.DataFrame) -> None:
    """RR07-BT-02: complaint about itself (q04 yes: CP 2); q11 no, q12 yes (EMP 2);
    inspected twice and a DoNRE letter: GMS = 2 + 2 x 1 = 4."""
    firm = firms_2007.loc["RR07-BT-02"]
    assert (firm["CP"], firm["EMP"], firm["GMS"]) == (2, 2, 4)
    assert firm["inspected"] == 1


def test_skipped_questions_read_as_none(firms_2007: pd.DataFrame) -> None:
    """RR07-BT-06 knows of no complaint (q03 no), so q04 was not asked: not complained
    about (0). It names no knowledge source (q18 optional, no "none" choice: 0 sources),
    so the partner's importance (q19, asked only of firms naming one) stays NaN."""
    firm = firms_2007.loc["RR07-BT-06"]
    assert (firm["complaint_others"], firm["complaint_own"], firm["CP"]) == (0, 0, 0)
    assert (firm["EMP"], firm["ENVEXP"], firm["spender"]) == (0, 0, 0)
    assert firm["n_knowledge_sources"] == 0
    assert math.isnan(firm["partner_importance"])


def test_clusters_get_the_paper_codes(firms_2007: pd.DataFrame) -> None:
    codes = firms_2007.groupby("cluster")["CLUSTER"].unique()
    assert {key: list(value) for key, value in codes.items()} == {
        "bat_trang": [1.0],
        "dong_ky": [2.0],
        "van_phuc": [3.0],
    }


def test_max_and_sum_rules(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    """RR07-BT-02 has both CP levels (max 2, sum 3); RR07-BT-07 both EMP levels."""
    firms = compute_firm_indices(*study_2007, pressure="sum")
    assert firms.loc["RR07-BT-02", "CP"] == 3
    assert firms.loc["RR07-BT-01", "CP"] == 1
    assert firms.loc["RR07-BT-07", "EMP"] == 3
    assert firms.loc["RR07-BT-06", "EMP"] == 0
    maximum = compute_firm_indices(*study_2007)
    assert maximum.loc["RR07-BT-07", "EMP"] == 2
    assert set(firms["CP"]) <= {0, 1, 2, 3} and set(maximum["CP"]) <= {0, 1, 2}
    with pytest.raises(InputError, match="pressure"):
        compute_firm_indices(*study_2007, pressure="mean")


def test_gms_with_two_letters(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    """Both letters and two inspections: GMS = 2 + 2 x 2 = 6 (RR07-BT-14 had one)."""
    wide, instrument = study_2007
    changed = wide.copy()
    row = changed.index[changed["enterprise_id"] == "RR07-BT-14"][0]
    assert compute_firm_indices(wide, instrument).loc["RR07-BT-14", "GMS"] == 3  # 1 + 2 x 1
    changed.loc[row, "q16_warning_letters"] = "donre_letter commune_letter"
    changed.loc[row, "q15_inspections"] = "2"
    firm = compute_firm_indices(changed, instrument).loc["RR07-BT-14"]
    assert (firm["warning_letters"], firm["GMS"]) == (2, 6)


def test_missing_answers_stay_missing(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    wide, instrument = study_2007
    changed = wide.copy()
    row = changed.index[changed["enterprise_id"] == "RR07-BT-01"][0]
    for question in (
        "employees",
        "q03_complaint_others",
        "q04_complaint_own",
        "q07_capex",
        "q16_warning_letters",
        "q14_loan",
    ):
        changed.loc[row, question] = ""
    firm = compute_firm_indices(changed, instrument).loc["RR07-BT-01"]
    for column in ("EMPL", "complaint_others", "pollution_capex", "ENVEXP", "spending_share"):
        assert math.isnan(firm[column]), column
    # q04 was not asked (q03 blank): 0, but CP is unknown (0 or 1) without q03.
    assert firm["complaint_own"] == 0
    assert math.isnan(firm["CP"])
    # Required letters question with a "none" choice: blank is unknown, so is GMS.
    assert math.isnan(firm["warning_letters"]) and math.isnan(firm["GMS"])
    assert math.isnan(firm["LOAN"])  # asked of every firm: a blank is no answer
    assert firm["pollution_opex"] == pytest.approx(27.62)


def test_skip_logic_of_another_instrument(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    """A form that asks spending only of installers: a skipped blank is no spending."""
    wide, instrument = study_2007
    survey = instrument.sheets["survey"].copy()
    for question in ("q07_capex", "q08_opex"):
        survey.loc[survey["name"] == question, "relevant"] = "${q06_installed} = 'yes'"
    sheets = {**instrument.sheets, "survey": survey}
    gated = build_instrument(sheets, concepts=instrument.sheets["concepts"])
    changed = wide.copy()
    not_installed = changed["q06_installed"] == "no"
    changed.loc[not_installed, ["q07_capex", "q08_opex"]] = ""
    firms = compute_firm_indices(changed, gated)
    assert (firms.loc[not_installed.to_numpy(), "ENVEXP"] == 0).all()
    assert firms["ENVEXP"].notna().all()
    ungated = compute_firm_indices(changed, instrument)  # asked of all: blank is missing
    assert ungated.loc[not_installed.to_numpy(), "ENVEXP"].isna().all()


def test_an_unlisted_cluster(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    wide, instrument = study_2007
    extra = wide.iloc[:2].copy()
    extra["enterprise_id"] = ["PL-01", "PL-02"]
    extra["cluster"] = "other"
    extra["cluster_other"] = ["Phù Lãng", "PHU LANG"]
    firms = compute_firm_indices(pd.concat([wide, extra], ignore_index=True), instrument)
    assert list(firms.loc[["PL-01", "PL-02"], "cluster"]) == ["phu_lang", "phu_lang"]
    assert list(firms.loc[["PL-01", "PL-02"], "CLUSTER"]) == [4, 4]  # after the three listed
    labels = firms.attrs["ecocluster_labels"]["cluster"]
    assert list(labels.items())[-1] == ("phu_lang", "Phù Lãng")
    mapped = compute_firm_indices(wide, instrument, cluster_codes={"dong_ky": 1, "bat_trang": 2})
    assert mapped.loc["RR07-DK-01", "CLUSTER"] == 1
    assert math.isnan(mapped.loc["RR07-VP-01", "CLUSTER"])


def test_store_shaped_wide_table(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    """`read_wide` gives codes as index and the cluster key in ``_cluster``."""
    wide, instrument = study_2007
    stored = wide.set_index(pd.Index(wide["enterprise_id"], name="enterprise"))
    stored.insert(0, "_cluster", stored["cluster"].to_numpy())
    firms = compute_firm_indices(stored, instrument)
    assert list(firms.index) == list(wide["enterprise_id"])
    pd.testing.assert_frame_equal(firms, compute_firm_indices(wide, instrument))


def test_2003_indices(study_2003: tuple[pd.DataFrame, Instrument]) -> None:
    """RR03-001: man aged 47 with 18 years of schooling, 8,270 m², telephone, computer and
    website, no collaboration, no support sought. RR03-002 leaves land blank."""
    firms = compute_firm_indices(*study_2003)
    first = firms.loc["RR03-001"]
    assert (first["area"], first["ownership"], first["main_resource"]) == (
        "urban",
        "private",
        "stone_metal_horn_bone",
    )
    assert (first["owner_age"], first["owner_education"], first["owner_male"]) == (47, 18, 1)
    assert first["land_area"] == 8270
    assert [first[c] for c in ("has_telephone", "has_computer_email", "has_website")] == [1, 1, 1]
    assert first["collaborates"] == 0
    assert [first[f"support_{s}"] for s in ("technology", "marketing", "banks", "government")] == [
        0,
        0,
        0,
        0,
    ]
    assert firms.loc["RR03-002", "owner_male"] == 0
    assert math.isnan(firms.loc["RR03-002", "land_area"])
    assert "CP" not in firms and "TURN" not in firms  # only what the instrument maps
    assert list(firms.filter(like="support_").columns) == [
        "support_technology",
        "support_marketing",
        "support_banks",
        "support_government",
    ]


def test_mentions_in_choice_order(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    wide, instrument = study_2007
    sources = compute_knowledge_sources(wide, instrument)
    assert list(sources.index) == instrument.choice_names(
        instrument.question("q18_knowledge_sources")
    )
    assert sources.to_dict() == {
        "buyers": 14,
        "suppliers": 7,
        "similar_firms": 5,
        "other_industries": 0,
        "foreign_partners": 5,
        "government": 7,
        "trade_association": 8,
        "research": 3,
        "consultants": 2,
        "training": 1,
        "other": 9,  # nine firms named "other", each with a free text counted once
    }
    assert compute_initiators(wide, instrument)[["own", "partner", "both"]].tolist() == [26, 11, 3]
    locations = compute_partner_locations(wide, instrument)
    assert locations.tolist() == [6, 3, 38, 27]
    letters = compute_mentions(wide, instrument, "warning_letters")
    assert letters[["donre_letter", "commune_letter"]].tolist() == [1, 3]


def test_mentions_count_a_firm_once(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    wide, instrument = study_2007
    changed = wide.copy()
    changed.loc[0, "q18_knowledge_sources"] = "buyers buyers trade_association"
    assert compute_knowledge_sources(changed, instrument)["buyers"] == 14


def test_mentions_by_group(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    wide, instrument = study_2007
    grouped = compute_mentions(wide, instrument, "partner_location", groups=wide["cluster"])
    assert grouped.loc["bat_trang"].tolist() == [3, 1, 12, 14]
    assert grouped.groupby(level="choice", sort=False).sum().tolist() == [6, 3, 38, 27]


def test_constraint_scores(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    """Table 3: mentions and shares of 51; PCC with 3/2/1 as the example README gives."""
    wide, instrument = study_2007
    scores = compute_constraint_scores(wide, instrument)
    assert scores["mentions"].to_dict() == {
        "capital": 39,
        "workers": 6,
        "knowledge": 17,
        "incentives": 5,
        "managers": 0,
        "market": 13,
        "other": 5,
    }
    assert (scores["respondents"] == 51).all()
    assert scores.loc["capital", "share"] == pytest.approx(100 * 39 / 51)
    assert scores["pcc"].to_dict() == {
        "capital": 108,
        "workers": 12,
        "knowledge": 38,
        "incentives": 8,
        "managers": 0,
        "market": 31,
        "other": 14,
    }
    assert scores["rank_1"].sum() == 48  # 48 firms name at least one constraint
    flat = compute_constraint_scores(wide, instrument, weights=(1, 1, 1))
    assert (flat["pcc"] == flat["mentions"]).all()  # every named constraint is ranked
    with pytest.raises(InputError, match="weight"):
        compute_constraint_scores(wide, instrument, weights=(3, 2))


def test_expansion_constraints_base_is_the_respondents(
    study_2003: tuple[pd.DataFrame, Instrument],
) -> None:
    """2003: the list has "No constraint", so the one blank answer is no answer: 55."""
    wide, instrument = study_2003
    scores = compute_constraint_scores(wide, instrument, concept="constraints_expansion")
    assert (scores["respondents"] == 55).all()
    assert "none" not in scores.index and "pcc" not in scores
    assert scores.loc["capital", "mentions"] == 33
    assert scores.loc["capital", "share"] == pytest.approx(60.0)


def test_unknown_concept_is_named(study_2007: tuple[pd.DataFrame, Instrument]) -> None:
    wide, instrument = study_2007
    with pytest.raises(InputError, match="constraints_expansion") as raised:
        compute_mentions(wide, instrument, "constraints_expansion")
    assert raised.value.rule == "unknown-concept"


def test_group_means(firms_2007: pd.DataFrame) -> None:
    means = compute_group_means(firms_2007, ["YEARS", "EMPL"], "cluster")
    assert list(means.index) == ["bat_trang", "dong_ky", "van_phuc", "Total"]
    assert means.loc["bat_trang", "YEARS"] == pytest.approx(226 / 15)
    assert means.loc["Total", "EMPL"] == pytest.approx(1528 / 51)
    with pytest.raises(InputError):
        compute_group_means(firms_2007, ["owner_age"], "cluster")


def test_national_scale_frame() -> None:
    """200,000 synthetic firms in 50 clusters: vectorised, every firm gets its indices."""
    responses = synthesize(200_000, 50, seed=3)
    instrument = get_example("red-river-2007").load_instrument()
    firms = compute_firm_indices(responses.data, instrument)
    assert len(firms) == 200_000 and firms.index.is_unique
    assert firms["cluster"].nunique() == 50
    assert set(np.unique(firms["CLUSTER"])) == set(range(4, 54))  # all unlisted clusters
    assert set(firms["CP"].dropna()) <= {0.0, 1.0, 2.0}
    assert firms["ENVTECH"].notna().all() and (firms["TURN"] > 0).all()
    sources = compute_knowledge_sources(responses.data, instrument)
    assert sources.sum() == firms["n_knowledge_sources"].sum()
