"""The red-river-2007 example: synthetic responses against the published aggregates.

Source: Konstadakopulos (2009), Journal of Current Southeast Asian Affairs: Table 2
(enterprise characteristics and adoption by cluster), Table 3 (constraints), Table 4
(knowledge sources), Figure 1 and the text of Sections 3 and 4. Every row of
published.csv is recomputed here from responses.csv with plain pandas, one small function
per statistic, and compared after the published rounding (half up). Published figures
that contradict the others are asserted to recompute to the documented value instead, and
the README must list them.
"""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from ecocluster import load_instrument
from ecocluster.ingest import check_file
from ecocluster.instrument import Instrument
from ecocluster.survey.check import summarize_problems
from published_arithmetic import (
    comment_lines,
    count,
    exact,
    mean,
    percent,
    published_round,
    read_example_csv,
    selected,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "ecocluster" / "data" / "examples" / "red-river-2007"
GENERATOR = ROOT / "tools" / "make_red_river_2007.py"
CLUSTERS = ("bat_trang", "dong_ky", "van_phuc")
N = 51
USD = 16  # thousand VND per USD, the rate behind Table 2's USD figures

#: Published figures that contradict others: what the data recompute to instead, to the
#: number of decimals given (README.md, "Published figures that contradict each other").
REPRODUCED_INSTEAD: dict[str, tuple[str, int]] = {
    "firms_pct_bat_trang": ("29.41", 2),  # 15 / 51
    "employees_mean_total": ("29.96", 2),  # 1528 / 51; the cells allow 29.94 to 29.98
    "turnover_mean_total": ("3209883.3", 1),  # the exact cells weighted by 15, 16, 20
    "turnover_usd_total": ("200618", 0),  # 3,209,883.3 / 16
    "turnover_usd_text": ("200618", 0),
    "export_share_mean_total": ("76.57", 2),  # 1837.6 / 24 exporters
    "exporters_pct": ("47.06", 2),  # 24 / 51
    "export_share_min": ("0.6", 1),  # the one Van Phuc exporter: 0.03 x 20
    "pollution_exp_pct_total": ("0.193", 3),  # mean of the 51 ratios
    "opex_pct_turnover": ("0.2165", 4),  # 6.95 / 3209.883
}


# ------------------------------------------------------------------------------ data
@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return read_example_csv(EXAMPLE / "responses.csv")


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / "published.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument("red-river-2007")


def mentions(df: pd.DataFrame, question: str, choice: str) -> Fraction:
    return count(selected(df, question, choice))


def cluster(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return df if name == "all" else df[df["cluster"] == name]


def spend_ratios(df: pd.DataFrame) -> list[Fraction]:
    """Each firm's (capex + opex) / turnover, in percent."""
    capex, opex, sales = exact(df["q07_capex"]), exact(df["q08_opex"]), exact(df["turnover"])
    return [100 * (c + o) / s for c, o, s in zip(capex, opex, sales, strict=True)]


def exporters(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["export_share"].map(Decimal) > 0]


# --------------------------------------------------------------------------- targets
Target = Callable[[pd.DataFrame], Fraction]
TARGETS: dict[str, Target] = {}
#: Qualitative statements: checked as a predicate on the data (definitions in README.md).
STATEMENTS: dict[str, Callable[[pd.DataFrame], bool]] = {}


def target(name: str) -> Callable[[Target], Target]:
    def register(function: Target) -> Target:
        TARGETS[name] = function
        return function

    return register


def statement(name: str) -> Callable[[Callable[[pd.DataFrame], bool]], object]:
    def register(function: Callable[[pd.DataFrame], bool]) -> object:
        STATEMENTS[name] = function
        return function

    return register


def by_cluster(stem: str, groups: tuple[str, ...] = (*CLUSTERS, "all")) -> Callable:
    """Register ``{stem}_{cluster}`` for each group; ``all`` is registered as ``_total``."""

    def register(function: Target) -> Target:
        for group in groups:
            suffix = "total" if group == "all" else group
            TARGETS[f"{stem}_{suffix}"] = lambda df, g=group: function(cluster(df, g))
        return function

    return register


@target("firms_total")
def firms_total(df: pd.DataFrame) -> Fraction:
    """Section 1, Section 3, Table 2: 51 firms."""
    return Fraction(len(df))


for _c in CLUSTERS:
    # Table 2 column headings: n = 15, 16, 20.
    TARGETS[f"firms_{_c}"] = lambda df, c=_c: Fraction(len(cluster(df, c)))
    # Section 3: 15 (30%), 16 (31%), 20 (39%).
    TARGETS[f"firms_pct_{_c}"] = lambda df, c=_c: percent(df["cluster"] == c)


#: Named answers: the recomputed label must equal the published text.
NAMES: dict[str, Callable[[pd.DataFrame], str]] = {}


def _province(name: str) -> Callable[[pd.DataFrame], str]:
    def province(df: pd.DataFrame) -> str:
        """Sections 1 and 3: the province of every firm of the cluster, as its English label."""
        instrument = load_instrument("red-river-2007")
        question = instrument.question("province")
        labels = {instrument.choice_label(question, p) for p in cluster(df, name)["province"]}
        return labels.pop() if len(labels) == 1 else "several provinces"

    return province


for _c in CLUSTERS:
    NAMES[f"province_{_c}"] = _province(_c)
for _kind in ("household", "cooperative", "private"):
    # Section 3: all private but one household enterprise and one co-operative.
    TARGETS[f"ownership_{_kind}"] = lambda df, k=_kind: count(df["ownership"] == k)


@by_cluster("years_mean")
def years_mean(df: pd.DataFrame) -> Fraction:
    """Table 2: average number of years in operation."""
    return mean(df["years_in_operation"])


@by_cluster("employees_mean")
def employees_mean(df: pd.DataFrame) -> Fraction:
    """Table 2: average number of full-time employees."""
    return mean(df["employees"])


@by_cluster("turnover_mean")
def turnover_mean(df: pd.DataFrame) -> Fraction:
    """Table 2: average turnover per firm in thousand VND (the data are in VND million)."""
    return 1000 * mean(df["turnover"])


@by_cluster("turnover_usd")
def turnover_usd(df: pd.DataFrame) -> Fraction:
    """Table 2: the same in USD, at 16,000 VND per USD."""
    return 1000 * mean(df["turnover"]) / USD


TARGETS["years_mean_text"] = TARGETS["years_mean_total"]  # Section 3: 14 years old
TARGETS["employees_mean_text"] = TARGETS["employees_mean_total"]  # Section 3: 30 people
TARGETS["turnover_usd_text"] = TARGETS["turnover_usd_total"]  # Section 3: USD 206,000


@target("turnover_mean_text")
def turnover_mean_text(df: pd.DataFrame) -> Fraction:
    """Section 3: sales in 2006 of 3,210 million VND."""
    return mean(df["turnover"])


@by_cluster("export_share_mean", CLUSTERS)
def export_share_mean(df: pd.DataFrame) -> Fraction:
    """Table 2: average exports as percentage of turnover, over all firms of the cluster."""
    return mean(df["export_share"])


@target("export_share_mean_total")
def export_share_mean_total(df: pd.DataFrame) -> Fraction:
    """Table 2 total and Section 3: the exporters export on average 47% (among exporters)."""
    return mean(exporters(df)["export_share"])


@target("exporters_pct")
def exporters_pct(df: pd.DataFrame) -> Fraction:
    """Section 3: "exactly half" of the firms export."""
    return percent(df["export_share"].map(Decimal) > 0)


@target("export_share_min")
def export_share_min(df: pd.DataFrame) -> Fraction:
    """Section 3: exports varied from 2% ..."""
    return min(exact(exporters(df)["export_share"]))


@target("export_share_max")
def export_share_max(df: pd.DataFrame) -> Fraction:
    """Section 3: ... to 98% of output."""
    return max(exact(exporters(df)["export_share"]))


@target("exporters_van_phuc")
def exporters_van_phuc(df: pd.DataFrame) -> Fraction:
    """Section 3: only one enterprise in Van Phuc exports."""
    return Fraction(len(exporters(cluster(df, "van_phuc"))))


@statement("exporters_bat_trang")
def exporters_bat_trang(df: pd.DataFrame) -> bool:
    """Section 3: the vast majority of Bat Trang firms export (read: at least 80%)."""
    bat_trang = cluster(df, "bat_trang")
    return len(exporters(bat_trang)) >= Fraction(4, 5) * len(bat_trang)


@by_cluster("adopters")
def adopters(df: pd.DataFrame) -> Fraction:
    """Table 2 and Section 4: firms that installed pollution control equipment (q06)."""
    return count(df["q06_installed"] == "yes")


TARGETS["adopters_pct"] = lambda df: percent(df["q06_installed"] == "yes")  # Table 2: 17 (33%)


@by_cluster("pollution_exp_pct")
def pollution_exp_pct(df: pd.DataFrame) -> Fraction:
    """Table 2: percentage of annual expenditure on pollution control, read as the mean
    over the firms of (q07_capex + q08_opex) / turnover x 100."""
    ratios = spend_ratios(df)
    return Fraction(sum(ratios), len(ratios))


def _spenders(df: pd.DataFrame) -> pd.Series:
    return pd.Series([s > 0 for s in spend_ratios(df)], index=df.index)


TARGETS["spenders_total"] = lambda df: count(_spenders(df))  # Section 4: 15 firms
TARGETS["spenders_pct"] = lambda df: percent(_spenders(df))  # Section 4: (29%)


@target("opex_mean")
def opex_mean(df: pd.DataFrame) -> Fraction:
    """Section 4: operation and maintenance costs averaged 6,950,000 VND over the 51 firms."""
    return 1_000_000 * mean(df["q08_opex"])


@target("opex_mean_usd")
def opex_mean_usd(df: pd.DataFrame) -> Fraction:
    """Section 4: (USD 434)."""
    return 1000 * mean(df["q08_opex"]) / USD


@target("opex_pct_turnover")
def opex_pct_turnover(df: pd.DataFrame) -> Fraction:
    """Section 4: the O&M costs were "just 0.21%" of turnover (mean over mean)."""
    return 100 * mean(df["q08_opex"]) / mean(df["turnover"])


for _name in ("own_initiative", "university", "cluster_firm", "government"):
    # Section 4: who recommended the equipment: 10 own, 3 university, 2 firm, 2 government.
    TARGETS[f"introducer_{_name}"] = lambda df, n=_name: count(df["q09_introduced_by"] == n)

# Section 4, Community Pressure: 11 (22%), 5 (10%), 10 (20%).
TARGETS["complaint_others"] = lambda df: count(df["q03_complaint_others"] == "yes")
TARGETS["complaint_others_pct"] = lambda df: percent(df["q03_complaint_others"] == "yes")
TARGETS["complaint_own"] = lambda df: count(df["q04_complaint_own"] == "yes")
TARGETS["complaint_own_pct"] = lambda df: percent(df["q04_complaint_own"] == "yes")
TARGETS["agreement"] = lambda df: count(df["q05_agreement"] == "yes")
TARGETS["agreement_pct"] = lambda df: percent(df["q05_agreement"] == "yes")

for _name in ("capital", "knowledge", "market", "workers", "incentives", "other", "managers"):
    # Table 3: the "Ranking" column equals the number of firms naming the constraint ...
    TARGETS[f"constraint_ranking_{_name}"] = lambda df, n=_name: mentions(df, "q10_constraints", n)
    # ... and the percentage column is that number over all 51 firms.
    TARGETS[f"constraint_pct_{_name}"] = lambda df, n=_name: percent(
        selected(df, "q10_constraints", n)
    )

# Section 4, Environmental Market Pressure.
TARGETS["buyers_own"] = lambda df: count(df["q12_buyers_consider_own"] == "yes")
for _name in ("japan", "europe", "usa", "multinational"):
    TARGETS[f"buyer_origin_{_name}"] = lambda df, n=_name: mentions(df, "q12_buyer_origin", n)
TARGETS["buyers_others"] = lambda df: count(df["q11_buyers_ask_others"] == "yes")
TARGETS["loan"] = lambda df: count(df["q14_loan"] == "yes")
TARGETS["loan_pct"] = lambda df: percent(df["q14_loan"] == "yes")


@statement("buyers_others_bat_trang")
def buyers_others_bat_trang(df: pd.DataFrame) -> bool:
    """Section 4: of the ten firms reporting indirect buyer pressure, most are in Bat Trang."""
    aware = df[df["q11_buyers_ask_others"] == "yes"]
    return (aware["cluster"] == "bat_trang").sum() > len(aware) / 2


# Section 4, Government Monitoring and Sanctions.
TARGETS["inspected"] = lambda df: count(df["q15_inspections"].astype(int) >= 1)
TARGETS["inspected_pct"] = lambda df: percent(df["q15_inspections"].astype(int) >= 1)
TARGETS["inspected_twice"] = lambda df: count(df["q15_inspections"].astype(int) == 2)
TARGETS["warning_letters"] = lambda df: count(df["q16_warning_letters"] != "none")
TARGETS["warning_letter_donre"] = lambda df: mentions(df, "q16_warning_letters", "donre_letter")
TARGETS["warning_letter_commune"] = lambda df: mentions(df, "q16_warning_letters", "commune_letter")

# Section 4, Environmental Innovation Networks: 35% aware; Table 4; q19-q21.
TARGETS["aware_pct"] = lambda df: percent(df["q17_aware_clean_tech"] == "yes")
for _name in (
    "buyers",
    "other",
    "trade_association",
    "government",
    "suppliers",
    "similar_firms",
    "foreign_partners",
    "research",
    "consultants",
    "training",
    "other_industries",
):
    TARGETS[f"source_{_name}"] = lambda df, n=_name: mentions(df, "q18_knowledge_sources", n)
TARGETS["partner_importance_mean"] = lambda df: mean(df["q19_partner_importance"])
TARGETS["initiator_own"] = lambda df: count(df["q20_initiator"] == "own")
TARGETS["initiator_partner"] = lambda df: count(df["q20_initiator"] == "partner")
for _name in ("vietnam", "abroad", "village", "province"):
    TARGETS[f"location_{_name}"] = lambda df, n=_name: mentions(df, "q21_partner_location", n)

# Figure 1 and Section 4, Pollution Levels.
TARGETS["noise_van_phuc"] = lambda df: mean(cluster(df, "van_phuc")["q01_noise"])
TARGETS["water_van_phuc"] = lambda df: mean(cluster(df, "van_phuc")["q01_water"])
TARGETS["water_dong_ky"] = lambda df: mean(cluster(df, "dong_ky")["q01_water"])
MIDPOINT = Fraction(11, 2)  # "the average" of the 1-10 scale


@statement("water_dong_ky_main")
def water_dong_ky_main(df: pd.DataFrame) -> bool:
    """Water pollution is the main issue in Dong Ky: above its noise and air means."""
    dong_ky = cluster(df, "dong_ky")
    water = mean(dong_ky["q01_water"])
    return water > mean(dong_ky["q01_noise"]) and water > mean(dong_ky["q01_air"])


def _slightly_above(question: str) -> Callable[[pd.DataFrame], bool]:
    def slightly_above(df: pd.DataFrame) -> bool:
        """Bat Trang: only slightly above the average: in (5.5, 6.5]."""
        return MIDPOINT < mean(cluster(df, "bat_trang")[question]) <= MIDPOINT + 1

    return slightly_above


STATEMENTS["noise_bat_trang"] = _slightly_above("q01_noise")
STATEMENTS["air_bat_trang"] = _slightly_above("q01_air")


@statement("pollution_at_least_moderate")
def pollution_at_least_moderate(df: pd.DataFrame) -> bool:
    """Figure 1: all three forms at least moderately serious: every cluster mean >= 5."""
    return all(
        mean(cluster(df, c)[q]) >= 5
        for c in CLUSTERS
        for q in ("q01_noise", "q01_air", "q01_water")
    )


# Section 4, Depletion of Natural Resources: 7.5 overall; high in Bat Trang only.
TARGETS["resources_mean"] = lambda df: mean(df["q02_resources"])
STATEMENTS["resources_bat_trang"] = lambda df: mean(cluster(df, "bat_trang")["q02_resources"]) >= 8
for _c in ("dong_ky", "van_phuc"):
    STATEMENTS[f"resources_{_c}"] = lambda df, c=_c: (
        MIDPOINT <= mean(cluster(df, c)["q02_resources"]) < 8
    )
SUPPORT = ("q22_equipment", "q22_compliance", "q22_banks", "q22_government")


@statement("help_rarely_sought")
def help_rarely_sought(df: pd.DataFrame) -> bool:
    """Section 4: firms rarely approached local government: >= 2/3 never, on every issue."""
    return all((df[q] == "never").sum() >= Fraction(2, 3) * len(df) for q in SUPPORT)


@statement("help_compliance_first")
def help_compliance_first(df: pd.DataFrame) -> bool:
    """Section 4: when they did, it was for information on compliance."""
    sought = {q: int((df[q] != "never").sum()) for q in SUPPORT}
    return all(sought["q22_compliance"] > sought[q] for q in SUPPORT if q != "q22_compliance")


def reproduces(row: pd.Series, df: pd.DataFrame) -> bool:
    if row["id"] in NAMES:
        return NAMES[row["id"]](df) == row["value"]
    if row["id"] in STATEMENTS:
        return STATEMENTS[row["id"]](df)
    value = TARGETS[row["id"]](df)
    return published_round(value, int(row["decimals"])) == Decimal(row["value"])


# ----------------------------------------------------------------------------- tests
def test_every_published_figure_has_a_target(published: pd.DataFrame) -> None:
    assert published["id"].is_unique
    assert set(published["id"]) == set(TARGETS) | set(STATEMENTS) | set(NAMES)
    assert len(TARGETS) + len(STATEMENTS) + len(NAMES) == len(published)
    assert set(REPRODUCED_INSTEAD) <= set(TARGETS)
    assert set(published.loc[published["unit"] == "qualitative", "id"]) == set(STATEMENTS)
    assert set(published.loc[published["unit"] == "name", "id"]) == set(NAMES)
    sources = {part.split(",")[0] for s in published["source"] for part in s.split("; ")}
    assert sources <= {"Section 1", "Section 3", "Section 4", "Table 2", "Table 3", "Table 4"} | {
        "Figure 1"
    }


def test_published_figures_are_reproduced(responses: pd.DataFrame, published: pd.DataFrame) -> None:
    failures = []
    for _, row in published.iterrows():
        if row["id"] not in REPRODUCED_INSTEAD and not reproduces(row, responses):
            function = {**TARGETS, **STATEMENTS, **NAMES}[row["id"]]
            value = function(responses)
            failures.append(f"{row['id']}: published {row['value']}, data {value}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("target_id", sorted(REPRODUCED_INSTEAD))
def test_contradictory_figures_are_documented(
    target_id: str, responses: pd.DataFrame, published: pd.DataFrame
) -> None:
    row = published.set_index("id").loc[target_id].copy()
    row["id"] = target_id
    assert not reproduces(row, responses), f"{target_id} is reproducible after all"
    expected, decimals = REPRODUCED_INSTEAD[target_id]
    value = TARGETS[target_id](responses)
    assert published_round(value, decimals) == Decimal(expected)
    assert row["note"].startswith("Not reproducible")
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Published figures that contradict each other")[1].split("\n## ")[0]
    assert f"`{target_id}`" in section


def test_employees_total_cannot_match_its_cells() -> None:
    """Table 2: integer employees giving 39.7, 49.7 and 6.9 give a total of 29.9 or 30.0."""

    def sums(cell: str, n: int) -> list[int]:
        around = range(int(n * (float(cell) - 1)), int(n * (float(cell) + 1)))
        return [s for s in around if published_round(Fraction(s, n), 1) == Decimal(cell)]

    totals = {
        published_round(Fraction(a + b + c, N), 1)
        for a in sums("39.7", 15)
        for b in sums("49.7", 16)
        for c in sums("6.9", 20)
    }
    assert totals == {Decimal("29.9"), Decimal("30.0")}


def test_export_mean_among_exporters_cannot_be_47() -> None:
    """Table 2 and Section 3: whatever the number of exporters, their mean is above 56.9%."""
    lowest = Fraction(825, 10) * 15 + Fraction(365, 10) * 16 + Fraction(25, 1000) * 20
    highest = Fraction(835, 10) * 15 + Fraction(375, 10) * 16 + Fraction(35, 1000) * 20
    assert highest / N < Fraction(465, 10)  # not 47 as a mean over all 51 firms either
    most_exporters = 15 + 16 + 1  # "only one enterprise in Van Phuc"
    assert lowest / most_exporters > Fraction(569, 10)
    for exporters_ in (25, 26):  # "exactly half" of 51
        assert lowest / exporters_ > 70


def test_pollution_total_cannot_be_021(responses: pd.DataFrame) -> None:
    """Table 2: 0.21% is reached neither as mean of ratios nor as ratio of sums."""
    # Mean of ratios: the cluster cells allow only 0.188 to 0.198, printed 0.19 or 0.20.
    lowest = (Fraction(335, 1000) * 15 + Fraction(215, 1000) * 16 + Fraction(55, 1000) * 20) / N
    highest = (Fraction(345, 1000) * 15 + Fraction(225, 1000) * 16 + Fraction(65, 1000) * 20) / N
    assert published_round(lowest, 2) == Decimal("0.19")
    assert highest < Fraction(205, 1000)  # 0.21 would need at least 0.205
    # Cells read as ratios of sums: the total is their turnover-weighted mean, 0.224 to 0.234.
    sales = (Fraction("69835.05"), Fraction(50500), Fraction(43369))
    for cells in (("0.335", "0.215", "0.055"), ("0.345", "0.225", "0.065")):
        weighted = sum(Fraction(c) * t for c, t in zip(cells, sales, strict=True)) / sum(sales)
        assert Fraction(22, 100) < weighted < Fraction(235, 1000)
    # Ratio of sums: O&M alone is 6.95 / 3209.883 = 0.2165% of turnover, so capex + opex is more.
    spend = sum(exact(responses["q07_capex"])) + sum(exact(responses["q08_opex"]))
    ratio = 100 * spend / sum(exact(responses["turnover"]))
    assert ratio > Fraction(215, 1000)
    assert published_round(ratio, 2) == Decimal("0.32")


# ------------------------------------------------------------------- instrument fit
def test_columns_follow_the_instrument(responses: pd.DataFrame, instrument: Instrument) -> None:
    assert list(responses.columns) == [*instrument.questions, "_uuid", "_submission_time"]
    assert len(responses) == N
    expected = [
        f"RR07-{code}-{i:02d}"
        for code, n in (("BT", 15), ("DK", 16), ("VP", 20))
        for i in range(1, n + 1)
    ]
    assert list(responses["enterprise_id"]) == expected


def test_answers_satisfy_the_instrument(instrument: Instrument) -> None:
    """Every rule of the form and every plausibility rule holds: no problem, not even a warning."""
    result = check_file(EXAMPLE / "responses.csv", instrument)
    assert result.rows == 51
    assert result.problems.empty, summarize_problems(result.problems)


def test_skip_logic_and_limits_spelled_out(responses: pd.DataFrame) -> None:
    """The rules of the brief, written out (independent of the XPath translation)."""
    df = responses
    scores = ["q01_noise", "q01_air", "q01_water", "q02_resources", "q19_partner_importance"]
    for question in scores:
        values = df.loc[df[question] != "", question].astype(int)
        assert values.between(1, 10).all(), question
    assert ((df["q04_complaint_own"] != "") == (df["q03_complaint_others"] == "yes")).all()
    installed = df["q06_installed"] == "yes"
    assert ((df["q06_equipment"] != "") == installed).all()
    assert ((df["q09_introduced_by"] != "") == installed).all()
    for _, row in df.iterrows():
        chosen = row["q10_constraints"].split()
        ranks = [row[f"q10_rank{k}"] for k in (1, 2, 3)]
        assert len(chosen) <= 3
        assert [r for r in ranks if r] == ranks[: len(chosen)]
        assert sorted(ranks[: len(chosen)]) == sorted(chosen)  # among the chosen, distinct
        assert (row["q10_other"] != "") == ("other" in chosen)
        assert (row["q12_buyer_origin"] != "") == (row["q12_buyers_consider_own"] == "yes")
        sources = row["q18_knowledge_sources"].split()
        assert len(sources) <= 3
        assert (row["q18_other"] != "") == ("other" in sources)
        for question in ("q19_partner_importance", "q20_initiator", "q21_partner_location"):
            assert (row[question] != "") == (len(sources) >= 1)
        letters = row["q16_warning_letters"].split()
        assert letters and ("none" not in letters or letters == ["none"])


def test_cross_field_plausibility(responses: pd.DataFrame) -> None:
    """Warning letters only after an inspection; spending only with installed equipment."""
    df = responses
    inspected = df["q15_inspections"].astype(int) >= 1
    assert (inspected | (df["q16_warning_letters"] == "none")).all()
    installed = df["q06_installed"] == "yes"
    for question in ("q07_capex", "q08_opex"):
        assert (installed | (df[question].map(Decimal) == 0)).all()


def test_data_are_plausible(responses: pd.DataFrame) -> None:
    """Design choices of the synthetic data (not published figures)."""
    df = responses
    province = {"bat_trang": "ha_noi", "dong_ky": "bac_ninh", "van_phuc": "ha_tay"}
    assert (df["cluster"].map(province) == df["province"]).all()
    installed = df["q06_installed"] == "yes"
    spend = pd.Series([float(s) for s in spend_ratios(df)], index=df.index)
    spender = spend > 0
    assert (spender <= installed).all()  # all 15 spenders among the 17 installers
    years, employees = df["years_in_operation"].astype(int), df["employees"].astype(int)
    turnover, export = df["turnover"].astype(float), df["export_share"].astype(float)
    bat_trang = df["cluster"] == "bat_trang"
    for part in (bat_trang, df["cluster"] == "dong_ky"):
        assert years[part & installed].mean() > years[part & ~installed].mean()
        assert turnover[part & installed].mean() > turnover[part & ~installed].mean()
    assert export[installed].mean() > export[~installed].mean()
    loan = df["q14_loan"] == "yes"
    assert (loan <= spender).all()
    capex, opex = df["q07_capex"].astype(float), df["q08_opex"].astype(float)
    outlay = capex + opex
    for name in ("bat_trang", "dong_ky"):
        part = df["cluster"] == name
        assert outlay[part & loan].min() > outlay[part & spender & ~loan].max()
    direct = df["q12_buyers_consider_own"] == "yes"
    assert (direct <= (export > 0)).all() and direct[bat_trang].sum() > direct.sum() / 2
    assert employees[df["cluster"] == "van_phuc"].max() <= 20
    assert (df["ownership"] == "household").sum() == 1
    donre = df["q16_warning_letters"] == "donre_letter"
    assert (
        installed[donre].all() and df.loc[donre, "q06_equipment"].str.contains("wastewater").all()
    )
    assert df.loc[df["q10_rank1"] != "", "q10_rank1"].value_counts().idxmax() == "capital"


def test_metadata(responses: pd.DataFrame) -> None:
    for _, row in responses.iterrows():
        name = f"ecocluster:red-river-2007:{row['enterprise_id']}"
        assert row["_uuid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        stamp = pd.Timestamp(row["_submission_time"])
        assert (stamp.year, stamp.month) == (2007, 9)
    assert responses["_submission_time"].is_monotonic_increasing


def test_file_header_says_synthetic() -> None:
    lines = comment_lines(EXAMPLE / "responses.csv")
    assert lines and all(line.startswith("# ") for line in lines)
    header = "\n".join(lines)
    for phrase in ("SYNTHETIC", "tools/make_red_river_2007.py", "seed 2007", "published"):
        assert phrase in header
    assert "NOT the real microdata" in header


def test_generator_rewrites_the_same_bytes() -> None:
    spec = importlib.util.spec_from_file_location("make_red_river_2007", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (EXAMPLE / "responses.csv").read_bytes().decode("utf-8")
    assert module.render() == text


def test_example_manifest(instrument: Instrument) -> None:
    manifest = json.loads((EXAMPLE / "example.json").read_text(encoding="utf-8"))
    assert manifest["name"] == manifest["instrument"] == manifest["wave"] == "red-river-2007"
    assert manifest["synthetic"] is True
    assert manifest["seed"] == 2007
    assert manifest["generator"] == "tools/make_red_river_2007.py"
    assert (EXAMPLE / manifest["responses"]).exists()
    assert "Journal of Current Southeast Asian Affairs" in manifest["source"]
    assert instrument.form_id == "red_river_2007"
