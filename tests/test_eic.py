"""Eco-industrial cluster profiles: the published four, evidence and profiles of surveyed ones.

Published profiles: the table "A Comparative Evaluation of Key Elements" of Anbumozhi's
IGES talk on eco-industrial clusters (Hosur 120 small businesses, Maniwa 72, Chachoengsao
60, An Giang 175; major constraints Social Capital, Policy Conflicts, Enabling Technology,
Integrated Policy). Evidence of the bundled red-river-2007 example is checked against
numbers recomputed here straight from its responses.csv (plain pandas) and against the
2007 study's published figures the example reproduces (published.csv, README.md).
"""

from __future__ import annotations

import unicodedata
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from conftest import SyntheticResponses
from ecocluster.analysis import Study, SurveyAnalysis, analyse_survey
from ecocluster.eic import (
    DESCRIPTORS,
    EVIDENCE_COLUMNS,
    KEY_FACTORS,
    bundled_hand_profiles,
    cluster_evidence,
    compare_profiles,
    compute_cluster_evidence,
    compute_eic_profiles,
    format_indicator,
    indicators,
    profile_columns,
    published_profiles,
    read_hand_profiles,
)
from ecocluster.errors import InputError
from ecocluster.examples import get_example
from ecocluster.instrument import Instrument
from published_arithmetic import read_example_csv, selected

EXAMPLE = get_example("red-river-2007")
CLUSTERS = ("bat_trang", "dong_ky", "van_phuc")
DATA = Path(__file__).parent / "data" / "eic"
FOREIGN = ("japan", "europe", "usa", "multinational", "other_asia")


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The example's answers as text, read without ecocluster."""
    return read_example_csv(EXAMPLE.responses)


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return EXAMPLE.read_published().set_index("id")


def value(evidence: pd.DataFrame, cluster: str, indicator: str) -> float:
    row = evidence[(evidence["cluster"] == cluster) & (evidence["indicator"] == indicator)]
    assert len(row) == 1, f"{indicator} of {cluster}: {len(row)} rows"
    return float(row["value"].iloc[0])


def code(evidence: pd.DataFrame, cluster: str, indicator: str) -> str:
    row = evidence[(evidence["cluster"] == cluster) & (evidence["indicator"] == indicator)]
    return str(row["code"].iloc[0])


def share(mask: pd.Series) -> float:
    return float(Fraction(100 * int(mask.sum()), len(mask)))


# --------------------------------------------------------------------- published profiles
def test_published_profiles_carry_the_comparative_evaluation() -> None:
    table = published_profiles().set_index("id")
    assert list(table.index) == [
        "hosur_sericulture",
        "maniwa_wood",
        "chachoengsao_rice",
        "an_giang_fish",
    ]
    assert table["small_businesses"].astype(int).tolist() == [120, 72, 60, 175]
    assert table["major_constraint"].tolist() == [
        "Social Capital",
        "Policy Conflicts",
        "Enabling Technology",
        "Integrated Policy",
    ]
    assert table["country"].tolist() == ["India", "Japan", "Thailand", "Viet Nam"]
    assert table.loc["hosur_sericulture", "nature_of_market"] == (
        "Supply-led, mainly secondary towns"
    )
    assert table.loc["an_giang_fish", "nature_of_market"].startswith("Demand-led, mainly export")
    assert table.loc["an_giang_fish", "key_players"] == "Foreign buyers and industrial policy"
    assert table.loc["maniwa_wood", "inter_firm_networks"].startswith("Extensive multilateral")
    assert table.loc["chachoengsao_rice", "inter_firm_networks"] == "Effective horizontal linkages"
    assert "Zero emission" in table.loc["maniwa_wood", "key_benefits"]
    assert table.loc["hosur_sericulture", "support_institutions"].startswith("Limited")
    assert table.loc["maniwa_wood", "support_institutions"].startswith("Significant")
    assert (table[[f"{f}_provenance" for f in KEY_FACTORS]] == "published").all().all()
    assert table["source"].str.contains("Anbumozhi").all()
    assert list(published_profiles().columns) == profile_columns()


def test_published_text_is_nfc() -> None:
    table = published_profiles()
    for text in table.to_numpy().ravel():
        assert unicodedata.normalize("NFC", str(text)) == str(text)


# --------------------------------------------------------------------- evidence
def test_evidence_shape(evidence: pd.DataFrame) -> None:
    assert list(evidence.columns) == list(EVIDENCE_COLUMNS)
    assert list(pd.unique(evidence["cluster"])) == list(CLUSTERS)
    assert set(evidence["indicator"]) <= set(indicators().index)
    assert not evidence.duplicated(["cluster", "indicator"]).any()
    assert (evidence["basis"] != "").all() and (evidence["n"] > 0).all()
    labels = dict(zip(evidence["cluster"], evidence["cluster_label"], strict=True))
    assert labels == {"bat_trang": "Bat Trang", "dong_ky": "Dong Ky", "van_phuc": "Van Phuc"}


def test_every_indicator_is_documented() -> None:
    table = indicators()
    assert table.index.is_unique
    assert (table["label"] != "").all() and (table["meaning"] != "").all()
    assert set(table["unit"]) <= {"percent", "firms", "employees", "text", "score", "per firm"} | {
        "ratio"
    }


def test_the_example_gives_every_indicator(evidence: pd.DataFrame) -> None:
    for cluster in CLUSTERS:
        given = set(evidence.loc[evidence["cluster"] == cluster, "indicator"])
        # Van Phuc's buyers press no firm, so it has no foreign buyer origins to name.
        expected = set(indicators().index) - (
            {"foreign_buyer_origins"} if cluster == "van_phuc" else set()
        )
        assert given == expected, cluster


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_firm_table_evidence_matches_the_answers(
    evidence: pd.DataFrame, raw: pd.DataFrame, cluster: str
) -> None:
    firms = raw[raw["cluster"] == cluster]
    employees = firms["employees"].astype(int)
    assert value(evidence, cluster, "firms_surveyed") == len(firms)
    assert value(evidence, cluster, "small_firms") == (employees < 50).sum()
    assert value(evidence, cluster, "employees_total") == employees.sum()
    exports = firms["export_share"].astype(float)
    assert value(evidence, cluster, "export_share_mean") == pytest.approx(exports.mean())
    assert value(evidence, cluster, "exporter_share") == pytest.approx(share(exports > 0))
    for indicator, question in (
        ("adoption_rate", "q06_installed"),
        ("loan_share", "q14_loan"),
        ("complaint_share", "q03_complaint_others"),
        ("agreement_share", "q05_agreement"),
        ("aware_share", "q17_aware_clean_tech"),
        ("buyer_pressure_share", "q12_buyers_consider_own"),
    ):
        expected = share(firms[question] == "yes")
        assert value(evidence, cluster, indicator) == pytest.approx(expected), indicator
    inspected = share(firms["q15_inspections"].astype(int) >= 1)
    assert value(evidence, cluster, "inspected_share") == pytest.approx(inspected)
    water = firms["q01_water"].astype(float).mean()
    assert value(evidence, cluster, "pollution_water") == pytest.approx(water)


def test_firm_table_evidence_matches_the_published_cells(
    evidence: pd.DataFrame, published: pd.DataFrame
) -> None:
    """Table 2 and Figure 1 of the 2007 study, as the example reproduces them."""
    sizes = {"bat_trang": 15, "dong_ky": 16, "van_phuc": 20}
    for cluster, size in sizes.items():
        assert value(evidence, cluster, "firms_surveyed") == size
        cell = float(published.loc[f"export_share_mean_{cluster}", "value"])
        assert format_indicator(value(evidence, cluster, "export_share_mean"), "percent") == (
            f"{cell:g}%"
        )
        adopters = int(published.loc[f"adopters_{cluster}", "value"])
        assert value(evidence, cluster, "adoption_rate") == pytest.approx(100 * adopters / size)
    assert value(evidence, "van_phuc", "pollution_water") == pytest.approx(9.15)
    assert value(evidence, "van_phuc", "pollution_noise") == pytest.approx(8.5)
    assert value(evidence, "dong_ky", "pollution_water") == pytest.approx(6.0)


def test_constraint_evidence_matches_table_3(
    evidence: pd.DataFrame, raw: pd.DataFrame, published: pd.DataFrame
) -> None:
    """Per cluster from the answers; summed over clusters, Table 3's counts (39, 17, ...)."""
    for name in ("capital", "workers", "knowledge", "incentives", "managers", "market", "other"):
        named = 0.0
        for cluster in CLUSTERS:
            firms = raw[raw["cluster"] == cluster]
            expected = share(selected(firms, "q10_constraints", name))
            got = value(evidence, cluster, f"constraint_{name}")
            assert got == pytest.approx(expected), (cluster, name)
            named += got * len(firms) / 100
        assert round(named) == int(published.loc[f"constraint_ranking_{name}", "value"])
    for cluster in CLUSTERS:
        assert code(evidence, cluster, "top_constraint") == "capital"


def test_land_is_read_from_the_other_constraint(evidence: pd.DataFrame, raw: pd.DataFrame) -> None:
    """The example's "other" texts are all land or premises (English and Vietnamese)."""
    for cluster in CLUSTERS:
        firms = raw[raw["cluster"] == cluster]
        expected = share(firms["q10_other"] != "")
        assert value(evidence, cluster, "constraint_land") == pytest.approx(expected)
    assert value(evidence, "bat_trang", "constraint_land") == pytest.approx(20.0)
    assert value(evidence, "dong_ky", "constraint_land") == 0


def test_network_evidence_matches_the_answers(
    evidence: pd.DataFrame, raw: pd.DataFrame, published: pd.DataFrame
) -> None:
    totals = {"buyers": 0.0, "trade_association": 0.0, "none": 0.0}
    for cluster in CLUSTERS:
        firms = raw[raw["cluster"] == cluster]
        n = len(firms)
        sources = firms["q18_knowledge_sources"].str.split()
        buyers = selected(firms, "q18_knowledge_sources", "buyers")
        association = selected(firms, "q18_knowledge_sources", "trade_association")
        assert value(evidence, cluster, "buyer_knowledge_share") == pytest.approx(share(buyers))
        assert value(evidence, cluster, "association_share") == pytest.approx(share(association))
        similar = selected(firms, "q18_knowledge_sources", "similar_firms") | (
            firms["q09_introduced_by"] == "cluster_firm"
        )
        assert value(evidence, cluster, "similar_firm_share") == pytest.approx(share(similar))
        university = selected(firms, "q18_knowledge_sources", "research") | (
            firms["q09_introduced_by"] == "university"
        )
        assert value(evidence, cluster, "university_share") == pytest.approx(share(university))
        none = sources.map(len) == 0
        assert value(evidence, cluster, "no_knowledge_source") == none.sum()
        ties = sources.map(len).sum() / n
        assert value(evidence, cluster, "knowledge_ties_per_firm") == pytest.approx(ties)
        pressed = firms["q12_buyer_origin"].str.split().map(lambda o: bool(set(o) & set(FOREIGN)))
        expected = share(pressed & (firms["q12_buyers_consider_own"] == "yes"))
        assert value(evidence, cluster, "foreign_buyer_pressure_share") == pytest.approx(expected)
        totals["buyers"] += buyers.sum()
        totals["trade_association"] += association.sum()
        totals["none"] += none.sum()
    assert totals["buyers"] == int(published.loc["source_buyers", "value"])  # Table 4: 14
    assert totals["trade_association"] == int(published.loc["source_trade_association", "value"])
    assert totals["none"] == 11  # README: 11 firms name no source, 9 in Van Phuc


def test_central_actor_is_the_most_named_source(evidence: pd.DataFrame, raw: pd.DataFrame) -> None:
    kinds = {"buyers": "buyer", "other": "media", "trade_association": "trade_association"}
    for cluster in CLUSTERS:
        firms = raw[raw["cluster"] == cluster]
        counts = firms["q18_knowledge_sources"].str.split().explode().value_counts()
        top = counts.index[0]
        assert counts.iloc[0] > counts.iloc[1]  # no tie to break in the example
        assert code(evidence, cluster, "central_actor") == kinds[top]
        expected = 100 * counts.iloc[0] / len(firms)
        assert value(evidence, cluster, "central_actor_reach") == pytest.approx(expected)
    assert code(evidence, "van_phuc", "central_actor") == "media"
    assert code(evidence, "bat_trang", "key_players") == "buyer foreign_partner"
    assert code(evidence, "dong_ky", "key_players") == "buyer trade_association"


def test_evidence_without_answers_or_network_leaves_indicators_out(
    analysis: SurveyAnalysis,
) -> None:
    """Not measured means no row, never a 0."""
    without = compute_cluster_evidence(analysis)
    assert not without["indicator"].str.startswith("constraint_").any()
    assert "top_constraint" not in set(without["indicator"])
    bare = cluster_evidence(analysis.firms)
    assert "central_actor" not in set(bare["indicator"])
    assert "loan_share" in set(bare["indicator"])


def test_evidence_needs_clusters(analysis: SurveyAnalysis) -> None:
    with pytest.raises(InputError) as caught:
        cluster_evidence(analysis.firms.drop(columns="cluster"))
    assert caught.value.rule == "no-cluster"


def test_small_firm_line_is_a_parameter(analysis: SurveyAnalysis, raw: pd.DataFrame) -> None:
    evidence = compute_cluster_evidence(analysis, small_below=201)
    assert value(evidence, "dong_ky", "small_firms") == 16
    row = evidence[(evidence["cluster"] == "dong_ky") & (evidence["indicator"] == "small_firms")]
    assert "201" in row["label"].iloc[0]


# --------------------------------------------------------------------- profiles
@pytest.fixture(scope="module")
def profiles(analysis: SurveyAnalysis, evidence: pd.DataFrame) -> pd.DataFrame:
    return compute_eic_profiles(
        analysis, bundled_hand_profiles("red-river-2007"), evidence=evidence
    )


def test_profiles_follow_the_data_rules(profiles: pd.DataFrame) -> None:
    table = profiles.set_index("id")
    assert list(table.index) == list(CLUSTERS)
    assert list(profiles.columns) == profile_columns()
    market = table["nature_of_market"]
    assert market["bat_trang"].startswith("Mainly export (mean export share 83%")
    assert "foreign buyers (" in market["bat_trang"] and "Japan" in market["bat_trang"]
    assert market["dong_ky"].startswith("Domestic and export (mean export share 37%")
    assert market["van_phuc"].startswith("Mainly domestic (mean export share 0.03%")
    assert table.loc["bat_trang", "small_businesses"] == (
        "11 of 15 firms surveyed (fewer than 50 employees)"
    )
    assert table.loc["van_phuc", "small_businesses"].startswith("20 of 20")
    assert (table["major_constraint"].str.startswith("Shortage of capital")).all()
    assert table.loc["dong_ky", "major_constraint"] == "Shortage of capital (named by 88% of firms)"
    assert table.loc["bat_trang", "key_players"].startswith("Buyers (origin not stated) (7 of 15")
    assert table.loc["van_phuc", "key_players"].startswith("Media")
    assert table.loc["bat_trang", "support_institutions"].startswith("Significant: 53%")
    assert table.loc["van_phuc", "support_institutions"].startswith("Some: 20%")
    assert table.loc["dong_ky", "inter_firm_networks"].startswith("Weak horizontal links: 13%")
    assert table.loc["bat_trang", "place"] == "Bat Trang, Ha Noi"


def test_profiles_say_where_each_factor_comes_from(profiles: pd.DataFrame) -> None:
    table = profiles.set_index("id")
    for factor in KEY_FACTORS:
        expected = "hand" if factor == "key_benefits" else "data"
        assert (table[f"{factor}_provenance"] == expected).all(), factor
    assert table.loc["bat_trang", "nature_of_market_evidence"].startswith(
        "export_share_mean = 83%; exporter_share = 93%"
    )
    assert "red-river-2007.csv row 4" in table.loc["bat_trang", "key_benefits_evidence"]
    assert "Section 6" in table.loc["bat_trang", "key_benefits_evidence"]
    assert table.loc["dong_ky", "sector"] == "Wood carving and furniture"


def test_without_hand_profile_a_factor_is_not_known(
    analysis: SurveyAnalysis, evidence: pd.DataFrame
) -> None:
    table = compute_eic_profiles(analysis, evidence=evidence).set_index("id")
    assert (table["key_benefits"] == "not known").all()
    assert (table["key_benefits_provenance"] == "missing").all()
    assert (table["country"] == "").all()
    # Without the answers, the constraint is not known either.
    bare = compute_eic_profiles(analysis).set_index("id")
    assert (bare["major_constraint_provenance"] == "missing").all()


def test_hand_fills_what_the_data_cannot_and_can_replace_it(
    evidence: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "hand.csv"
    path.write_text(
        "cluster,factor,value,source\n"
        "Bát Tràng,Small businesses,about 1000 households,commune census 2007\n"
        "van_phuc,major_constraint,Electricity rationing,interviews 2008\n",
        encoding="utf-8",
    )
    hand = read_hand_profiles(path)
    kept = compute_eic_profiles(None, hand, evidence=evidence).set_index("id")
    assert kept.loc["bat_trang", "small_businesses"].startswith("11 of 15")
    assert "'about 1000 households' not used" in kept.loc["bat_trang", "small_businesses_evidence"]
    replaced = compute_eic_profiles(None, hand, evidence=evidence, prefer="hand").set_index("id")
    assert replaced.loc["bat_trang", "small_businesses"] == "about 1000 households"
    assert replaced.loc["bat_trang", "small_businesses_provenance"] == "hand"
    assert "commune census 2007" in replaced.loc["bat_trang", "small_businesses_evidence"]
    assert "replaces the data's" in replaced.loc["bat_trang", "small_businesses_evidence"]
    assert replaced.loc["van_phuc", "major_constraint"] == "Electricity rationing"
    with pytest.raises(InputError):
        compute_eic_profiles(None, hand, evidence=evidence, prefer="both")  # type: ignore[arg-type]


def test_profiles_need_an_analysis_or_evidence() -> None:
    with pytest.raises(InputError) as caught:
        compute_eic_profiles(None)
    assert caught.value.rule == "no-evidence"


# --------------------------------------------------------------------- hand profile errors
def _hand(tmp_path: Path, text: str, name: str = "hand.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "rule", "row", "column"),
    [
        ("cluster,value\nbat_trang,x\n", "missing-column", 1, "factor"),
        ("cluster,factor,value\nbat_trang,key_benefits,\n", "empty-cell", 2, "value"),
        ("cluster,factor,value\n,key_benefits,x\n", "empty-cell", 2, "cluster"),
        ("cluster,factor,value\nbat_trang,key_benefit,x\n", "unknown-factor", 2, "factor"),
        ("cluster,factor,value\nhoi_an,key_benefits,x\n", "unknown-cluster", 2, "cluster"),
        (
            "cluster,factor,value\nbat_trang,key_benefits,x\nBAT TRANG,Key benefits,y\n",
            "duplicate-factor",
            3,
            "factor",
        ),
    ],
)
def test_bad_hand_profile_refused(
    tmp_path: Path, text: str, rule: str, row: int, column: str
) -> None:
    path = _hand(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_hand_profiles(path, clusters={c: c for c in CLUSTERS})
    error = caught.value
    assert (error.file, error.row, error.column, error.rule) == (str(path), row, column, rule)


def test_unknown_cluster_is_found_against_the_survey(
    evidence: pd.DataFrame, tmp_path: Path
) -> None:
    path = _hand(tmp_path, "cluster,factor,value\nPhù Lãng,key_benefits,x\n")
    hand = read_hand_profiles(path)  # no clusters given: nothing to check against yet
    with pytest.raises(InputError) as caught:
        compute_eic_profiles(None, hand, evidence=evidence)
    assert (caught.value.rule, caught.value.row, caught.value.file) == (
        "unknown-cluster",
        2,
        str(path),
    )
    assert "Bat Trang" in str(caught.value)


def test_every_hand_problem_is_listed_at_once() -> None:
    path = DATA / "hand_many_problems.csv"
    with pytest.raises(InputError) as caught:
        read_hand_profiles(path, clusters=list(CLUSTERS))
    message = str(caught.value)
    assert "4 problems" in message
    for rule in ("unknown-factor", "unknown-cluster", "duplicate-factor", "empty-cell"):
        assert f"[{rule}]" in message
    assert caught.value.row == 3


def test_hand_profile_reads_any_unicode_form_and_labels(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Đồng Kỵ")
    text = f"Cluster;Factor;Value;Source\n{nfd};Role of community and support institutions;"
    text += f"{unicodedata.normalize('NFD', 'Hiệp hội làng nghề')};phỏng vấn\n"
    hand = read_hand_profiles(_hand(tmp_path, text), clusters={"dong_ky": "Dong Ky"})
    row = hand.iloc[0]
    assert (row["cluster"], row["factor"]) == ("dong_ky", "support_institutions")
    assert row["value"] == unicodedata.normalize("NFC", "Hiệp hội làng nghề")


def test_hand_profile_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("cluster,factor,value\nĐồng Kỵ,key_benefits,x\n".encode("utf-16"))
    with pytest.raises(InputError) as caught:
        read_hand_profiles(path)
    assert caught.value.rule == "encoding"
    with pytest.raises(InputError) as missing:
        read_hand_profiles(tmp_path / "absent.csv")
    assert missing.value.rule == "no-such-file"
    with pytest.raises(InputError) as empty:
        read_hand_profiles(_hand(tmp_path, ""))
    assert empty.value.rule == "empty"


def test_bundled_hand_profile() -> None:
    hand = bundled_hand_profiles("red-river-2007")
    assert hand is not None
    assert set(hand["cluster"]) == set(CLUSTERS)
    assert set(hand["factor"]) <= set(KEY_FACTORS) | set(DESCRIPTORS)
    assert bundled_hand_profiles("no-such-example") is None


# --------------------------------------------------------------------- comparison
def test_compare_puts_clusters_side_by_side(profiles: pd.DataFrame) -> None:
    table = compare_profiles(published_profiles(), profiles)
    assert list(table.columns) == [
        "Sericulture, Hosur",
        "Wood, Maniwa",
        "Rice, Chachoengsao",
        "Fish, An Giang",
        "Bat Trang",
        "Dong Ky",
        "Van Phuc",
    ]
    assert list(table.index) == [
        *DESCRIPTORS.values(),
        *KEY_FACTORS.values(),
        "Source",
    ]
    assert table.loc["Small businesses", "Fish, An Giang"] == "175"
    assert table.loc["Major constraint", "Rice, Chachoengsao"] == "Enabling Technology"
    assert table.loc["Nature of market", "Bat Trang"].startswith("Mainly export")


def test_compare_picks_clusters_by_any_spelling(profiles: pd.DataFrame) -> None:
    nfd = unicodedata.normalize("NFD", "Bát Tràng")
    table = compare_profiles(
        published_profiles(), profiles, clusters=[nfd, "an_giang_fish", "Hosur"]
    )
    assert list(table.columns) == ["Bat Trang", "Fish, An Giang", "Sericulture, Hosur"]
    assert compare_profiles().columns[0] == "Sericulture, Hosur"


def test_compare_refuses_unknown_and_repeated_clusters(profiles: pd.DataFrame) -> None:
    with pytest.raises(InputError) as unknown:
        compare_profiles(profiles, clusters=["Hoi An"])
    assert unknown.value.rule == "unknown-cluster"
    with pytest.raises(InputError) as repeated:
        compare_profiles(profiles, profiles)
    assert repeated.value.rule == "duplicate-cluster"


def test_outreach_picks_match_rank_outreach(
    analysis: SurveyAnalysis, evidence: pd.DataFrame
) -> None:
    """The evidence ranks each cluster's actors as `rank_outreach` does on its subnetwork."""
    from ecocluster.network_metrics import rank_outreach

    assert analysis.network is not None
    for cluster in CLUSTERS:
        ranking = rank_outreach(analysis.network.subnetwork(cluster), k=3)
        assert code(evidence, cluster, "central_actor") == ranking["kind"].iloc[0]
        reach = value(evidence, cluster, "central_actor_reach")
        assert reach == pytest.approx(100 * ranking["share"].iloc[0])
        top3 = value(evidence, cluster, "top_outreach_share")
        assert top3 == pytest.approx(100 * ranking["share"].iloc[-1])


def test_messy_answers_give_evidence_profiles_and_recommendations(
    synthetic: SyntheticResponses, instrument: Instrument
) -> None:
    """Random answers with blanks, odd cluster names and text in every encoding trap."""
    from ecocluster.policy import recommend

    wide = synthetic(300, seed=5).data
    study = Study(title="synthetic", wave="synthetic", instrument="red-river-2007")
    messy = analyse_survey(wide, instrument, study=study, fit_models=False)
    evidence = compute_cluster_evidence(messy, wide=wide)
    clusters = set(messy.firms["cluster"].dropna())
    assert set(evidence["cluster"]) == clusters
    assert not evidence.duplicated(["cluster", "indicator"]).any()
    shares = evidence[evidence["unit"] == "percent"]["value"]
    assert shares.between(0, 100).all()
    profiles = compute_eic_profiles(messy, evidence=evidence)
    assert set(profiles["id"]) == clusters
    table = recommend(evidence, profiles=profiles)
    assert (table["evidence"] != "").all()
