"""The red-river-2003 example: synthetic responses against the published aggregates.

Source: Konstadakopulos (2008), Geographical Research 46(1): Table 1 (enterprise
characteristics by ownership), Table 2 (support sought from local government, by rural
and urban location) and the "Empirical findings" and "Concluding remarks" text. Every row
of published.csv is recomputed here from responses.csv with plain pandas, one small
function per statistic, and compared after the published rounding (half up). The two
figures that no data set can reproduce together with the rest are asserted to fail, and
the README must explain them.
"""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import partial
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
    mean,
    percent,
    published_round,
    read_example_csv,
    selected,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "ecocluster" / "data" / "examples" / "red-river-2003"
GENERATOR = ROOT / "tools" / "make_red_river_2003.py"
T1_GROUPS = ("household", "private", "other", "total")
T2_GROUPS = ("rural", "urban", "total")

# Published figures that contradict others; the README explains each, with arithmetic.
UNREPRODUCIBLE = {
    "t1_years_total": "the cell means imply (11*7.4 + 42*6.8 + 3*18)/56 = 7.52, not 7.8",
    "txt_female_share": "Table 1 has 15 women among 56 owners: 26.8%, not more than a third",
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
    return load_instrument("red-river-2003")


def ownership_group(df: pd.DataFrame, group: str) -> pd.DataFrame:
    """Columns of Table 1: "Other" is every form that is neither household nor private."""
    if group == "total":
        return df
    if group == "other":
        return df[~df["ownership"].isin(["household", "private"])]
    return df[df["ownership"] == group]


def area_group(df: pd.DataFrame, group: str) -> pd.DataFrame:
    return df if group == "total" else df[df["area"] == group]


# --------------------------------------------------------------------------- targets
Target = Callable[[pd.DataFrame], Fraction]
TARGETS: dict[str, Target] = {}
#: Targets checked by a comparison instead of equality after rounding.
PREDICATES: dict[str, Callable[[Fraction], bool]] = {}


def _on_subset(
    function: Target,
    subset: Callable[[pd.DataFrame, str], pd.DataFrame],
    group: str,
    df: pd.DataFrame,
) -> Fraction:
    return function(subset(df, group))


def table1(stem: str) -> Callable[[Target], Target]:
    """Register one Table 1 row: ``{stem}_{household,private,other,total}``."""

    def register(function: Target) -> Target:
        for group in T1_GROUPS:
            TARGETS[f"{stem}_{group}"] = partial(_on_subset, function, ownership_group, group)
        return function

    return register


def table2(stem: str) -> Callable[[Target], Target]:
    """Register one Table 2 row: ``{stem}_{rural,urban,total}``."""

    def register(function: Target) -> Target:
        for group in T2_GROUPS:
            TARGETS[f"{stem}_{group}"] = partial(_on_subset, function, area_group, group)
        return function

    return register


def target(name: str) -> Callable[[Target], Target]:
    def register(function: Target) -> Target:
        TARGETS[name] = function
        return function

    return register


@table1("t1_n")
def t1_n(df: pd.DataFrame) -> Fraction:
    """Table 1, column headings: n = 11 / 42 / 3 / 56."""
    return Fraction(len(df))


@table1("t1_years")
def t1_years(df: pd.DataFrame) -> Fraction:
    """Table 1: average number of years in operation."""
    return mean(df["years_in_operation"])


@table1("t1_employees")
def t1_employees(df: pd.DataFrame) -> Fraction:
    """Table 1: average number of full-time employees."""
    return mean(df["employees"])


@table1("t1_owner_age")
def t1_owner_age(df: pd.DataFrame) -> Fraction:
    """Table 1: average age of owners."""
    return mean(df["owner_age"])


@table1("t1_owner_education")
def t1_owner_education(df: pd.DataFrame) -> Fraction:
    """Table 1: average number of years in owner's education."""
    return mean(df["owner_education"])


@table1("t1_owner_male")
def t1_owner_male(df: pd.DataFrame) -> Fraction:
    """Table 1: gender ratio of owners, male (first number)."""
    return count(df["owner_gender"] == "male")


@table1("t1_owner_female")
def t1_owner_female(df: pd.DataFrame) -> Fraction:
    """Table 1: gender ratio of owners, female (second number)."""
    return count(df["owner_gender"] == "female")


@table1("t1_land_mean")
def t1_land_mean(df: pd.DataFrame) -> Fraction:
    """Table 1: average land access in m², among the enterprises that answered."""
    return mean(df["land_area"])


@table1("t1_land_respondents")
def t1_land_respondents(df: pd.DataFrame) -> Fraction:
    """Table 1: number of enterprises responding to the land question (in brackets)."""
    return count(df["land_area"] != "")


def _resource(choice: str) -> Target:
    def resource(df: pd.DataFrame) -> Fraction:
        """Table 1: main type of natural resource used."""
        return count(df["main_resource"] == choice)

    return resource


for _choice in (
    "clay",
    "timber",
    "silk_cotton",
    "rattan_bamboo_seagrass",
    "stone_metal_horn_bone",
):
    table1(f"t1_resource_{_choice}")(_resource(_choice))


@table1("t1_telephone")
def t1_telephone(df: pd.DataFrame) -> Fraction:
    """Table 1: enterprises having own fixed line and/or mobile telephone."""
    return count(df["has_telephone"] == "yes")


@target("t1_telephone_pct_total")
def t1_telephone_pct(df: pd.DataFrame) -> Fraction:
    """Table 1: 56 (100%)."""
    return percent(df["has_telephone"] == "yes")


@table1("t1_computer_email")
def t1_computer_email(df: pd.DataFrame) -> Fraction:
    """Table 1: enterprises having own personal computer and email."""
    return count(df["has_computer_email"] == "yes")


@target("t1_computer_email_pct_total")
def t1_computer_email_pct(df: pd.DataFrame) -> Fraction:
    """Table 1: 42 (75%)."""
    return percent(df["has_computer_email"] == "yes")


@table1("t1_website")
def t1_website(df: pd.DataFrame) -> Fraction:
    """Table 1: enterprises having a dedicated website."""
    return count(df["has_website"] == "yes")


@target("t1_website_pct_total")
def t1_website_pct(df: pd.DataFrame) -> Fraction:
    """Table 1: 14 (25%)."""
    return percent(df["has_website"] == "yes")


@table1("t1_collaborates")
def t1_collaborates(df: pd.DataFrame) -> Fraction:
    """Table 1: enterprises collaborating with other similar enterprises."""
    return count(df["collaborates"] == "yes")


@target("t1_collaborates_pct_total")
def t1_collaborates_pct(df: pd.DataFrame) -> Fraction:
    """Table 1: 31 (55%)."""
    return percent(df["collaborates"] == "yes")


@table2("t2_n")
def t2_n(df: pd.DataFrame) -> Fraction:
    """Table 2, heading: n = 56: rural, 37; urban, 19."""
    return Fraction(len(df))


def _support(question: str) -> Target:
    def support(df: pd.DataFrame) -> Fraction:
        """Table 2: enterprises seeking support from local government on one issue."""
        return count(df[question] == "yes")

    return support


def _support_pct(question: str) -> Target:
    def support_pct(df: pd.DataFrame) -> Fraction:
        """Table 2, Total (%): share of all 56."""
        return percent(df[question] == "yes")

    return support_pct


for _stem in ("technology", "marketing", "banks", "government"):
    table2(f"t2_{_stem}")(_support(f"support_{_stem}"))
    target(f"t2_{_stem}_pct_total")(_support_pct(f"support_{_stem}"))


@target("txt_n_enterprises")
def txt_n_enterprises(df: pd.DataFrame) -> Fraction:
    """Abstract and introduction: a questionnaire survey of 56 handicraft enterprises."""
    return Fraction(len(df))


@target("txt_years_most_under")
def txt_years_most_under(df: pd.DataFrame) -> Fraction:
    """Empirical findings: "most of the enterprises were less than eight years old"."""
    return Fraction(int((df["years_in_operation"].astype(int) < 8).sum()), len(df))


PREDICATES["txt_years_most_under"] = lambda share: share > Fraction(1, 2)


@target("txt_employees_mean")
def txt_employees_mean(df: pd.DataFrame) -> Fraction:
    """Empirical findings: "employed an average of 125 employees"."""
    return mean(df["employees"])


@target("txt_female_share")
def txt_female_share(df: pd.DataFrame) -> Fraction:
    """Empirical findings: "more than a third were headed by women"."""
    return percent(df["owner_gender"] == "female")


PREDICATES["txt_female_share"] = lambda share: share > Fraction(100, 3)


@target("txt_land_mean")
def txt_land_mean(df: pd.DataFrame) -> Fraction:
    """Empirical findings: land access "on average just over 2000 m²"."""
    return mean(df["land_area"])


PREDICATES["txt_land_mean"] = lambda value: 2000 < value < 2100


@target("txt_land_disclosed_pct")
def txt_land_disclosed_pct(df: pd.DataFrame) -> Fraction:
    """Empirical findings: "only 80% of firms disclosed this information"."""
    return percent(df["land_area"] != "")


def _constraint(choice: str) -> Target:
    def constraint(df: pd.DataFrame) -> Fraction:
        """Empirical findings: constraint impeding expansion, % of the 55 respondents."""
        answered = df[df["constraints_expansion"] != ""]
        return percent(selected(answered, "constraints_expansion", choice))

    return constraint


for _stem in ("capital", "knowledge", "workers", "market"):
    target(f"txt_constraint_{_stem}_pct")(_constraint(_stem))


@target("txt_support_technology_pct")
def txt_support_technology_pct(df: pd.DataFrame) -> Fraction:
    """Empirical findings: "only 16%, and most of them rural" approached local government."""
    sought = df["support_technology"] == "yes"
    assert (sought & (df["area"] == "rural")).sum() > sought.sum() / 2  # most of them rural
    return percent(sought)


@target("txt_telephone_pct")
def txt_telephone_pct(df: pd.DataFrame) -> Fraction:
    """Concluding remarks: all have access to a fixed or mobile telephone."""
    return percent(df["has_telephone"] == "yes")


@target("txt_internet_pct")
def txt_internet_pct(df: pd.DataFrame) -> Fraction:
    """Concluding remarks: "75% have dedicated internet access" (Table 1: PC and email)."""
    return percent(df["has_computer_email"] == "yes")


def reproduces(row: pd.Series, df: pd.DataFrame) -> bool:
    value = TARGETS[row["id"]](df)
    if row["id"] in PREDICATES:
        return PREDICATES[row["id"]](value)
    return published_round(value, int(row["decimals"])) == Decimal(row["value"])


# ----------------------------------------------------------------------------- tests
def test_every_published_figure_has_a_target(published: pd.DataFrame) -> None:
    assert published["id"].is_unique
    assert set(published["id"]) == set(TARGETS)
    assert set(UNREPRODUCIBLE) <= set(TARGETS)
    assert set(published["source"]) <= {
        "Table 1",
        "Table 2",
        "Text, Empirical findings",
        "Abstract; Introduction",
        "Concluding remarks",
    }


def test_published_figures_are_reproduced(responses: pd.DataFrame, published: pd.DataFrame) -> None:
    failures = []
    for _, row in published.iterrows():
        if row["id"] not in UNREPRODUCIBLE and not reproduces(row, responses):
            value = TARGETS[row["id"]](responses)
            failures.append(f"{row['id']}: published {row['value']}, data {float(value):.4f}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("target_id", sorted(UNREPRODUCIBLE))
def test_contradictory_figures_are_documented(
    target_id: str, responses: pd.DataFrame, published: pd.DataFrame
) -> None:
    row = published[published["id"] == target_id].iloc[0]
    assert not reproduces(row, responses), f"{target_id} is reproducible after all"
    assert "Not reproducible" in row["note"]
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    assert f"`{target_id}`" in readme


def test_years_total_cannot_match_its_cells() -> None:
    """Table 1: no integer years give 7.4, 6.8 and 18 in the cells and 7.8 overall."""
    household = max(s for s in range(200) if published_round(Fraction(s, 11), 1) == Decimal("7.4"))
    private = max(s for s in range(500) if published_round(Fraction(s, 42), 1) == Decimal("6.8"))
    other = max(s for s in range(100) if published_round(Fraction(s, 3), 0) == Decimal("18"))
    assert (household, private, other) == (81, 287, 55)
    assert published_round(Fraction(household + private + other, 56), 2) == Decimal("7.55")
    assert Fraction(11 * 74 + 42 * 68 + 3 * 180, 560) < Fraction(753, 100)  # 7.52


def test_constraint_base_is_55() -> None:
    """The text's 60%, 55%, 36% and 31% fit 55 respondents, and no base from 43 to 56 else."""
    shares = (Decimal(60), Decimal(55), Decimal(36), Decimal(31))

    def fits(base: int) -> bool:
        return all(
            any(published_round(Fraction(100 * k, base), 0) == share for k in range(base + 1))
            for share in shares
        )

    assert [base for base in range(43, 57) if fits(base)] == [55]


def test_cells_add_up_to_totals(published: pd.DataFrame) -> None:
    """Counts in Table 1 and Table 2 add up across their columns."""
    values = dict(zip(published["id"], published["value"], strict=True))
    means = {"t1_years", "t1_employees", "t1_owner_age", "t1_owner_education", "t1_land_mean"}
    stems = {i.rsplit("_", 1)[0] for i in values if i.startswith("t1_") and i.endswith("_other")}
    for stem in sorted(stems - means):
        cells = sum(int(values[f"{stem}_{group}"]) for group in T1_GROUPS[:3])
        assert cells == int(values[f"{stem}_total"]), stem
    for stem in ("t2_n", "t2_technology", "t2_marketing", "t2_banks", "t2_government"):
        assert int(values[f"{stem}_rural"]) + int(values[f"{stem}_urban"]) == int(
            values[f"{stem}_total"]
        )


# ------------------------------------------------------------------- instrument fit
def test_columns_follow_the_instrument(responses: pd.DataFrame, instrument: Instrument) -> None:
    assert list(responses.columns) == [*instrument.questions, "_uuid", "_submission_time"]
    assert len(responses) == 56
    assert list(responses["enterprise_id"]) == [f"RR03-{i:03d}" for i in range(1, 57)]


def test_answers_satisfy_the_instrument(instrument: Instrument) -> None:
    """Every rule of the form and every plausibility rule holds: no problem, not even a warning."""
    result = check_file(EXAMPLE / "responses.csv", instrument)
    assert result.rows == 56
    assert result.problems.empty, summarize_problems(result.problems)


def test_metadata(responses: pd.DataFrame) -> None:
    for _, row in responses.iterrows():
        name = f"ecocluster:red-river-2003:{row['enterprise_id']}"
        assert row["_uuid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        assert pd.Timestamp(row["_submission_time"]).year == 2003
    assert responses["_submission_time"].is_monotonic_increasing


def test_data_are_plausible(responses: pd.DataFrame) -> None:
    """Design choices of the synthetic data (not published figures)."""
    df = responses
    province = {
        "hanoi_city": "ha_noi",
        "bat_trang": "ha_noi",
        "van_phuc": "ha_tay",
        "ha_tay_village": "ha_tay",
        "dong_ky": "bac_ninh",
    }
    assert (df["cluster"].map(province) == df["province"]).all()
    assert ((df["cluster"] == "hanoi_city") == (df["area"] == "urban")).all()
    assert (df.loc[df["ownership"] == "household", "area"] == "rural").all()
    assert (df["province"] == "ha_noi").sum() > len(df) / 2  # "mostly located in Hanoi"
    silk = df[df["main_resource"] == "silk_cotton"]
    assert (silk["ownership"] == "household").mean() > 0.5
    website = df[df["has_website"] == "yes"]
    assert (website["has_computer_email"] == "yes").all()
    assert (website["area"] == "urban").mean() > (df["area"] == "urban").mean()
    age_at_start = df["owner_age"].astype(int) - df["years_in_operation"].astype(int)
    assert (age_at_start >= 18).all()
    employees = df["employees"].astype(int)
    assert employees[df["ownership"] == "household"].median() < employees.median()
    land = selected(df, "constraints_expansion", "land")
    market = selected(df, "constraints_expansion", "market")
    assert 0 < land.sum() < market.sum()  # abstract: land listed after poor market conditions
    assert land[df["cluster"] == "dong_ky"].mean() > land.mean()  # "particularly so in Dong Ky"


def test_file_header_says_synthetic() -> None:
    header = "\n".join(comment_lines(EXAMPLE / "responses.csv"))
    assert all(line.startswith("# ") for line in comment_lines(EXAMPLE / "responses.csv"))
    for phrase in ("SYNTHETIC", "tools/make_red_river_2003.py", "seed 2003", "published"):
        assert phrase in header


def test_generator_rewrites_the_same_bytes() -> None:
    spec = importlib.util.spec_from_file_location("make_red_river_2003", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (EXAMPLE / "responses.csv").read_bytes().decode("utf-8")
    assert module.render() == text
    assert module.render() == module.render()


def test_example_manifest(instrument: Instrument) -> None:
    manifest = json.loads((EXAMPLE / "example.json").read_text(encoding="utf-8"))
    assert manifest["name"] == manifest["instrument"] == manifest["wave"] == "red-river-2003"
    assert manifest["synthetic"] is True
    assert manifest["seed"] == 2003
    assert manifest["generator"] == "tools/make_red_river_2003.py"
    assert (EXAMPLE / manifest["responses"]).exists()
    assert "Geographical Research" in manifest["source"]
    assert instrument.form_id == "red_river_2003"


# ------------------------------------------------------------------------ instrument
def test_xlsform_converts_with_both_languages(instrument: Instrument) -> None:
    xform = instrument.to_xform()
    assert 'lang="English (en)"' in xform
    assert 'lang="Tiếng Việt (vi)"' in xform
    assert "Lack of knowledge about the benefits of new technologies" in xform
    assert "Thiếu hiểu biết về lợi ích của công nghệ mới" in xform


def test_labels_and_messages_in_both_languages(instrument: Instrument) -> None:
    for question in instrument.questions.values():
        assert set(question.labels) == {"en", "vi"}, question.name
        if question.constraint:
            assert set(question.constraint_message) == {"en", "vi"}, question.name
    for options in instrument.choices.values():
        for choice in options:
            assert set(choice.labels) == {"en", "vi"}, choice.name


def test_concepts_point_to_questions(instrument: Instrument) -> None:
    assert set(instrument.concepts.values()) <= set(instrument.questions)
    assert set(instrument.concepts.values()) == set(instrument.questions)
    earlier = load_instrument("red-river-2007").concepts
    shared = {
        "enterprise_id",
        "cluster",
        "cluster_other",
        "province",
        "ownership",
        "years_in_operation",
        "employees",
        "support_banks",
        "support_government",
    }
    assert shared <= set(earlier) & set(instrument.concepts)
