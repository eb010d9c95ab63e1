"""Checks against the red-river-2007 instrument: a valid batch, then one broken cell per case."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from ecocluster.errors import InstrumentError
from ecocluster.instrument import Group, Instrument, build_instrument, load_instrument
from ecocluster.survey.check import (
    PLAUSIBILITY_RULES,
    DuplicateTracker,
    PlausibilityRule,
    check_responses,
    has_blocking,
    summarize_problems,
)
from ecocluster.survey.responses import PROBLEM_COLUMNS, Responses, make_problems

FILE = "batch.csv"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return load_instrument("red-river-2007")


def valid_frame(instrument: Instrument, n: int, seed: int = 2007) -> pd.DataFrame:
    """Answers that satisfy every rule of the form, drawn at random (vectorised)."""
    rng = np.random.default_rng(seed)

    def names(list_name: str) -> np.ndarray:
        return np.array([c.name for c in instrument.choices[list_name]], dtype=object)

    def pick(list_name: str) -> np.ndarray:
        return rng.choice(names(list_name), n)

    def ints(low: int, high: int) -> np.ndarray:
        return rng.integers(low, high + 1, n).astype(str).astype(object)

    def decimals(low: float, high: float) -> np.ndarray:
        return np.round(rng.uniform(low, high, n), 1).astype(str).astype(object)

    def where(mask: np.ndarray, values: object, otherwise: object = "") -> np.ndarray:
        return np.where(mask, values, otherwise).astype(object)

    def subsets(list_name: str, low: int, high: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct options in random order: strings, option indices, counts."""
        options = names(list_name)
        order = rng.random((n, len(options))).argsort(axis=1)[:, :high]
        count = rng.integers(low, high + 1, n)
        base = len(options) + 1
        key = np.zeros(n, dtype=np.int64)
        for j in range(high):
            key += np.where(count > j, order[:, j] + 1, 0) * base**j
        codes, uniques = pd.factorize(key)
        decoded = []
        for value in uniques:
            tokens = []
            while value:
                value, digit = divmod(int(value), base)
                tokens.append(options[digit - 1])
            decoded.append(" ".join(tokens))
        return np.array(decoded, dtype=object)[codes], order, count

    frame: dict[str, np.ndarray] = {}
    frame["enterprise_id"] = np.array([f"RR07-{i:07d}" for i in range(n)], dtype=object)
    frame["cluster"] = pick("cluster")
    frame["cluster_other"] = where(frame["cluster"] == "other", "Phù Lãng")
    frame["province"] = pick("province")
    frame["ownership"] = pick("ownership")
    frame["years_in_operation"] = ints(0, 80)
    frame["employees"] = ints(1, 300)
    frame["turnover"] = decimals(0, 50_000)
    frame["export_share"] = decimals(0, 100)
    for name in ("q01_noise", "q01_air", "q01_water", "q02_resources"):
        frame[name] = ints(1, 10)
    frame["q03_complaint_others"] = pick("yes_no")
    frame["q04_complaint_own"] = where(frame["q03_complaint_others"] == "yes", pick("yes_no"))
    frame["q05_agreement"] = pick("yes_no")
    installed = pick("yes_no") == "yes"
    frame["q06_installed"] = where(installed, "yes", "no")
    frame["q06_equipment"] = where(installed, subsets("equipment", 1, 3)[0])
    frame["q07_capex"] = where(installed, decimals(1, 500), "0")
    frame["q08_opex"] = where(installed, decimals(0, 100), "0")
    frame["q09_introduced_by"] = where(installed, pick("introducer"))
    chosen, order, count = subsets("constraint", 0, 3)
    frame["q10_constraints"] = chosen
    has_other = np.array([" other " in f" {v} " for v in chosen])
    frame["q10_other"] = where(has_other, "Thiếu mặt bằng")
    options = names("constraint")
    for k in range(3):
        frame[f"q10_rank{k + 1}"] = where(count > k, options[order[:, k]])
    frame["q11_buyers_ask_others"] = pick("yes_no")
    frame["q12_buyers_consider_own"] = pick("yes_no")
    frame["q12_buyer_origin"] = where(
        frame["q12_buyers_consider_own"] == "yes", subsets("buyer_origin", 1, 3)[0]
    )
    frame["q13_buyer_help"] = pick("yes_no")
    frame["q14_loan"] = pick("yes_no")
    inspections = rng.integers(0, 13, n)
    frame["q15_inspections"] = inspections.astype(str).astype(object)
    letters = rng.choice(
        np.array(["donre_letter", "commune_letter", "commune_letter donre_letter"]), n
    )
    frame["q16_warning_letters"] = where((inspections > 0) & (rng.random(n) < 0.5), letters, "none")
    frame["q17_aware_clean_tech"] = pick("yes_no")
    sources, _, source_count = subsets("knowledge_source", 0, 3)
    frame["q18_knowledge_sources"] = sources
    frame["q18_other"] = where(np.array([" other " in f" {v} " for v in sources]), "Truyền hình")
    partnered = source_count >= 1
    frame["q19_partner_importance"] = where(partnered, ints(1, 10))
    frame["q20_initiator"] = where(partnered, pick("initiator"))
    frame["q21_partner_location"] = where(partnered, subsets("partner_location", 1, 3)[0])
    for name in ("q22_equipment", "q22_compliance", "q22_banks", "q22_government"):
        frame[name] = pick("frequency")
    assert list(frame) == list(instrument.questions)
    return pd.DataFrame(frame)


def make_responses(
    data: pd.DataFrame,
    *,
    uuids: list[str] | None = None,
    extra_columns: list[str] | None = None,
    columns: dict[str, str] | None = None,
) -> Responses:
    n = len(data)
    meta = pd.DataFrame({"_uuid": uuids if uuids is not None else [f"u{i}" for i in range(n)]})
    return Responses(
        data=data.reset_index(drop=True),
        meta=meta,
        source_row=np.arange(2, n + 2),
        file=FILE,
        columns=columns or {},
        extra_columns=extra_columns or [],
    )


def found(problems: pd.DataFrame) -> set[tuple[object, str, str, str]]:
    return {
        (None if row is pd.NA else int(row), column, rule, severity)
        for row, column, rule, severity in zip(
            problems["row"], problems["column"], problems["rule"], problems["severity"], strict=True
        )
    }


@pytest.fixture(scope="module")
def base(instrument: Instrument) -> pd.DataFrame:
    return valid_frame(instrument, 300)


def test_valid_frame_has_no_problems(instrument: Instrument, base: pd.DataFrame) -> None:
    problems = check_responses(make_responses(base), instrument)
    assert problems.empty, summarize_problems(problems)
    assert list(problems.columns) == list(PROBLEM_COLUMNS)
    assert not has_blocking(problems, strict=True)


def test_valid_frame_covers_the_skip_logic(base: pd.DataFrame) -> None:
    # the generated data exercise both branches of every relevant expression
    for name in ("cluster_other", "q04_complaint_own", "q10_other", "q10_rank3", "q18_other"):
        answered = base[name] != ""
        assert answered.any() and not answered.all(), name


E = "error"
W = "warning"
Rows = Callable[[pd.DataFrame], pd.Series]


def anywhere(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=frame.index)


def equals(column: str, value: str) -> Rows:
    return lambda frame: frame[column] == value


def count_of(column: str, low: int, high: int = 99) -> Rows:
    def rows(frame: pd.DataFrame) -> pd.Series:
        counts = frame[column].str.split().str.len().fillna(0)
        return (counts >= low) & (counts <= high)

    return rows


def both(first: Rows, second: Rows) -> Rows:
    return lambda frame: first(frame) & second(frame)


def lacks_other(column: str) -> Rows:
    return lambda frame: ~frame[column].str.contains("other", regex=False)


def unchosen_constraint(row: pd.Series) -> str:
    chosen = row["q10_constraints"].split()
    return next(c for c in ("capital", "workers", "knowledge", "market") if c not in chosen)


# case id, rows where the cell may be broken, question, new value (or function of the row),
# expected problems as (question, rule, severity)
CASES: list[tuple[str, Rows, str, object, list[tuple[str, str, str]]]] = [
    ("integer-text", anywhere, "employees", "abc", [("employees", "type", E)]),
    ("integer-fraction", anywhere, "employees", "15.5", [("employees", "type", E)]),
    ("integer-point-zero", anywhere, "employees", "15.0", []),
    ("integer-negative", anywhere, "employees", "-3", [("employees", "constraint", E)]),
    ("decimal-comma", anywhere, "turnover", "1,5", [("turnover", "type", E)]),
    ("decimal-thousands", anywhere, "turnover", "12,000.5", [("turnover", "type", E)]),
    ("decimal-ok", anywhere, "turnover", "0.25", []),
    ("decimal-negative", anywhere, "turnover", "-0.5", [("turnover", "constraint", E)]),
    ("percentage-over", anywhere, "export_share", "100.5", [("export_share", "constraint", E)]),
    ("scale-over", anywhere, "q01_air", "11", [("q01_air", "constraint", E)]),
    ("scale-zero", anywhere, "q02_resources", "0", [("q02_resources", "constraint", E)]),
    ("type-no-cascade", anywhere, "q01_air", "ten", [("q01_air", "type", E)]),
    (
        "years-over",
        anywhere,
        "years_in_operation",
        "1001",
        [("years_in_operation", "constraint", E)],
    ),
    ("unknown-choice", anywhere, "cluster", "hanoi", [("cluster", "choice", E)]),
    ("label-not-name", anywhere, "province", "Hà Nội", [("province", "choice", E)]),
    ("required-missing", anywhere, "province", "", [("province", "required", E)]),
    ("required-id", anywhere, "enterprise_id", "", [("enterprise_id", "required", E)]),
    (
        "required-when-relevant",
        equals("q03_complaint_others", "yes"),
        "q04_complaint_own",
        "",
        [("q04_complaint_own", "required", E)],
    ),
    (
        "answered-not-relevant",
        equals("q03_complaint_others", "no"),
        "q04_complaint_own",
        "yes",
        [("q04_complaint_own", "relevant", E)],
    ),
    (
        "other-name-not-relevant",
        lambda f: f["cluster"] != "other",
        "cluster_other",
        "Làng Chuông",
        [("cluster_other", "relevant", E)],
    ),
    (
        "other-becomes-relevant",
        lambda f: f["cluster"] != "other",
        "cluster",
        "other",
        [("cluster_other", "required", E)],
    ),
    (
        "multiple-unknown-token",
        equals("q06_installed", "yes"),
        "q06_equipment",
        "electric_kiln solar_panel",
        [("q06_equipment", "choice", E)],
    ),
    (
        "multiple-repeated-token",
        equals("q06_installed", "yes"),
        "q06_equipment",
        "lpg_kiln lpg_kiln",
        [("q06_equipment", "choice", E)],
    ),
    (
        "skip-logic-cascade",
        equals("q06_installed", "yes"),
        "q06_installed",
        "no",
        [
            ("q06_equipment", "relevant", E),
            ("q09_introduced_by", "relevant", E),
            ("q06_installed", "spending-without-equipment", W),
        ],
    ),
    (
        "too-many-constraints",
        both(count_of("q10_constraints", 3, 3), lacks_other("q10_constraints")),
        "q10_constraints",
        lambda row: (
            f"{row['q10_constraints']} managers"
            if "managers" not in row["q10_constraints"]
            else f"{row['q10_constraints']} incentives"
        ),
        [("q10_constraints", "constraint", E)],
    ),
    (
        "rank-not-chosen",
        count_of("q10_constraints", 1, 2),
        "q10_rank1",
        unchosen_constraint,
        [("q10_rank1", "constraint", E)],
    ),
    (
        "rank-twice",
        count_of("q10_constraints", 2),
        "q10_rank2",
        lambda row: row["q10_rank1"],
        [("q10_rank2", "constraint", E)],
    ),
    (
        "rank-beyond-count",
        count_of("q10_constraints", 1, 1),
        "q10_rank2",
        lambda row: row["q10_rank1"],
        [("q10_rank2", "relevant", E)],
    ),
    (
        "rank-missing",
        count_of("q10_constraints", 3),
        "q10_rank3",
        "",
        [("q10_rank3", "required", E)],
    ),
    (
        "none-with-letter",
        lambda f: f["q15_inspections"] != "0",
        "q16_warning_letters",
        "none donre_letter",
        [("q16_warning_letters", "constraint", E)],
    ),
    (
        "letters-without-inspection",
        lambda f: f["q16_warning_letters"] != "none",
        "q15_inspections",
        "0",
        [("q16_warning_letters", "letters-without-inspection", W)],
    ),
    (
        "spending-without-equipment",
        equals("q06_installed", "no"),
        "q08_opex",
        "12.5",
        [("q06_installed", "spending-without-equipment", W)],
    ),
    (
        "inspections-fraction",
        anywhere,
        "q15_inspections",
        "2.5",
        [("q15_inspections", "type", E)],
    ),
    (
        "partner-not-relevant",
        lambda f: f["q18_knowledge_sources"] == "",
        "q19_partner_importance",
        "5",
        [("q19_partner_importance", "relevant", E)],
    ),
    (
        "not-relevant-and-bad-type",
        lambda f: f["q18_knowledge_sources"] == "",
        "q19_partner_importance",
        "x",
        [("q19_partner_importance", "type", E), ("q19_partner_importance", "relevant", E)],
    ),
]


@pytest.mark.parametrize(
    ("rows", "question", "value", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_one_broken_cell(
    instrument: Instrument,
    base: pd.DataFrame,
    rows: Rows,
    question: str,
    value: object,
    expected: list[tuple[str, str, str]],
) -> None:
    data = base.copy()
    candidates = np.flatnonzero(rows(data).to_numpy())
    assert len(candidates), "no row fits this case"
    position = int(candidates[len(candidates) // 2])
    data.loc[position, question] = value(data.loc[position]) if callable(value) else value
    problems = check_responses(make_responses(data), instrument)
    assert found(problems) == {(position + 2, q, rule, sev) for q, rule, sev in expected}
    assert has_blocking(problems, strict=False) == any(sev == E for _, _, sev in expected)


def test_problem_details(instrument: Instrument, base: pd.DataFrame) -> None:
    data = base.copy()
    data.loc[4, "employees"] = "-3"
    data.loc[1, "q06_installed"] = "yes"
    data.loc[1, "q06_equipment"] = "electric_kiln solar solar"
    data.loc[1, "q09_introduced_by"] = "buyer"
    responses = make_responses(data, columns={"employees": "profile/employees"})
    problems = check_responses(responses, instrument)
    assert list(problems["row"]) == [3, 6]  # sorted by file row
    choice, constraint = problems.to_dict("records")
    assert choice["file"] == FILE
    assert choice["value"] == "electric_kiln solar solar"
    assert "not in choice list 'equipment': solar" in choice["message"]
    assert "chosen more than once: solar" in choice["message"]
    assert constraint["column"] == "profile/employees"
    assert constraint["question"] == "employees"
    assert constraint["value"] == "-3"
    assert constraint["message"].startswith("Employees must be between 0 and 100000")
    assert ". >= 0 and . <= 100000" in constraint["message"]
    assert problems.dtypes.equals(make_problems().dtypes)


def test_duplicate_ids_and_uuids(instrument: Instrument, base: pd.DataFrame) -> None:
    data = base.head(10).copy()
    data.loc[7, "enterprise_id"] = data.loc[2, "enterprise_id"]
    uuids = [f"u{i}" for i in range(10)]
    uuids[9] = uuids[0]
    problems = check_responses(make_responses(data, uuids=uuids), instrument)
    assert found(problems) == {
        (9, "enterprise_id", "duplicate-id", E),
        (11, "_uuid", "duplicate-uuid", E),
    }
    messages = dict(zip(problems["rule"], problems["message"], strict=True))
    assert messages["duplicate-id"] == "enterprise id repeats row 4"
    assert messages["duplicate-uuid"] == "submission uuid repeats row 2"


def test_tracker_seeded_from_database(instrument: Instrument, base: pd.DataFrame) -> None:
    data = base.head(5)
    tracker = DuplicateTracker(ids=[data.loc[3, "enterprise_id"], "elsewhere"], uuids=["u1"])
    problems = check_responses(make_responses(data), instrument, tracker=tracker)
    assert found(problems) == {
        (5, "enterprise_id", "duplicate-id", E),
        (3, "_uuid", "duplicate-uuid", E),
    }
    assert "earlier batch" in problems["message"].iloc[0]


def test_tracker_across_chunks(instrument: Instrument, base: pd.DataFrame) -> None:
    tracker = DuplicateTracker()
    first = make_responses(base.iloc[:6], uuids=[f"a{i}" for i in range(6)])
    assert check_responses(first, instrument, tracker=tracker).empty
    second = base.iloc[4:10].copy()
    second_responses = make_responses(second, uuids=[f"b{i}" for i in range(6)])
    problems = check_responses(second_responses, instrument, tracker=tracker)
    assert found(problems) == {
        (2, "enterprise_id", "duplicate-id", E),
        (3, "enterprise_id", "duplicate-id", E),
    }
    assert tracker.known_ids(
        np.array([base.loc[9, "enterprise_id"], "nope"], dtype=object)
    ).tolist() == [True, False]


def test_unknown_column(instrument: Instrument, base: pd.DataFrame) -> None:
    problems = check_responses(make_responses(base.head(3), extra_columns=["Ghi chú"]), instrument)
    assert found(problems) == {(None, "Ghi chú", "unknown-column", W)}
    assert not has_blocking(problems, strict=False)
    assert has_blocking(problems, strict=True)


def test_missing_required_column_is_one_problem(instrument: Instrument, base: pd.DataFrame) -> None:
    data = base.drop(columns=["province"])
    problems = check_responses(make_responses(data), instrument)
    assert found(problems) == {(None, "province", "required", E)}


def test_rules_reading_a_missing_column_are_skipped_with_a_warning(
    instrument: Instrument, base: pd.DataFrame
) -> None:
    problems = check_responses(make_responses(base.drop(columns=["q10_constraints"])), instrument)
    assert found(problems) == {
        (None, name, "unchecked", W)
        for name in ("q10_other", "q10_rank1", "q10_rank2", "q10_rank3")
    }
    message = problems.set_index("question").loc["q10_rank2", "message"]
    assert message == (
        "relevant, constraint, choice_filter not checked: "
        "the file has no column for ${q10_constraints}"
    )


def test_empty_batch(instrument: Instrument, base: pd.DataFrame) -> None:
    problems = check_responses(make_responses(base.head(0)), instrument, tracker=DuplicateTracker())
    assert problems.empty
    assert list(problems.columns) == list(PROBLEM_COLUMNS)


def test_plausibility_rules_skip_missing_concepts(
    instrument: Instrument, base: pd.DataFrame
) -> None:
    data = base.copy()
    position = int(np.flatnonzero(data["q06_installed"] == "no")[0])
    data.loc[position, "q07_capex"] = "3"
    stripped = replace(
        instrument, concepts={k: v for k, v in instrument.concepts.items() if k != "pollution_opex"}
    )
    assert check_responses(make_responses(data), stripped).empty
    assert len(check_responses(make_responses(data), instrument)) == 1


def test_custom_plausibility_rule(instrument: Instrument, base: pd.DataFrame) -> None:
    rule = PlausibilityRule(
        "big-exporter-household",
        ("ownership", "export_share"),
        "a household enterprise that exports most of its output",
        lambda view: (view.text("ownership") == "household") & (view.number("export_share") > 50),
    )
    data = base.copy()
    data.loc[0, ["ownership", "export_share"]] = ["household", "80"]
    problems = check_responses(make_responses(data), instrument, rules=(*PLAUSIBILITY_RULES, rule))
    assert ("big-exporter-household", "ownership=household; export_share=80") in set(
        zip(problems["rule"], problems["value"], strict=True)
    )


def _variant(instrument: Instrument, edit: Callable[[pd.DataFrame], None]) -> Instrument:
    sheets = {name: frame.copy() for name, frame in instrument.sheets.items()}
    edit(sheets["survey"])
    return build_instrument(sheets, source="variant")


def test_choice_filter_without_matching_constraint(
    instrument: Instrument, base: pd.DataFrame
) -> None:
    def drop_rank_constraints(survey: pd.DataFrame) -> None:
        survey.loc[survey["name"].str.startswith("q10_rank"), "constraint"] = ""

    variant = _variant(instrument, drop_rank_constraints)
    data = base.copy()
    position = int(np.flatnonzero(count_of("q10_constraints", 2, 2)(data))[0])
    data.loc[position, "q10_rank2"] = data.loc[position, "q10_rank1"]
    problems = check_responses(make_responses(data), variant)
    assert found(problems) == {(position + 2, "q10_rank2", "choice_filter", E)}
    assert "choice_filter" in problems["message"].iloc[0]


def test_choice_filter_on_select_multiple(instrument: Instrument) -> None:
    survey = pd.DataFrame(
        {
            "type": ["select_multiple fruit", "select_multiple fruit"],
            "name": ["liked", "bought"],
            "label": ["Liked", "Bought"],
            "choice_filter": ["", "selected(${liked}, name) or ripe = 'yes'"],
        }
    )
    choices = pd.DataFrame(
        {
            "list_name": ["fruit"] * 3,
            "name": ["mango", "lychee", "longan"],
            "label": ["Mango", "Lychee", "Longan"],
            "ripe": ["no", "no", "yes"],
        }
    )
    form = build_instrument({"survey": survey, "choices": choices}, source="fruit")
    data = pd.DataFrame(
        {
            "liked": ["mango", "mango", "", "lychee"],
            "bought": ["mango longan", "lychee", "longan", "mango lychee"],
        }
    )
    problems = check_responses(make_responses(data), form)
    assert found(problems) == {(3, "bought", "choice_filter", E), (5, "bought", "choice_filter", E)}


def test_types_of_other_questions() -> None:
    survey = pd.DataFrame(
        {
            "type": ["date", "datetime", "time", "geopoint", "decimal", "integer"],
            "name": ["visit", "stamp", "clock", "where", "area", "count"],
            "label": ["a", "b", "c", "d", "e", "f"],
            "constraint": [". <= today() and . >= date('2000-01-01')", "", "", "", "", ""],
        }
    )
    form = build_instrument(
        {"survey": survey, "choices": pd.DataFrame({"list_name": [], "name": []})}
    )
    good = ["2007-09-01", "2007-09-01T10:15:00+07:00", "10:15", "21.03 105.85 12 5", "1e3", "1e3"]
    bad = ["2007-02-30", "2007-09-01", "25:00", "95 105", "Infinity", "1.5e0"]
    data = pd.DataFrame([good, bad, ["1999-12-31", "", "", "", "", ""]], columns=survey["name"])
    problems = check_responses(make_responses(data), form)
    assert found(problems) == {(3, name, "type", E) for name in survey["name"]} | {
        (4, "visit", "constraint", E)
    }


def test_group_relevance_applies_when_the_instrument_has_it(
    instrument: Instrument, base: pd.DataFrame
) -> None:
    class RelevantGroup(Group):
        relevant = "${q14_loan} = 'yes'"

    groups = dict(instrument.groups)
    groups["knowledge"] = RelevantGroup("knowledge", groups["knowledge"].labels)
    variant = replace(instrument, groups=groups)
    data = base.head(20).copy()
    members = [q.name for q in instrument.questions.values() if "knowledge" in q.group]
    no_loan = np.flatnonzero(data["q14_loan"] == "no")
    data.loc[no_loan[0], "q17_aware_clean_tech"] = ""  # required, but the group does not apply
    problems = check_responses(make_responses(data), variant)
    expected = {
        (int(position) + 2, name, "relevant", E)
        for position in no_loan
        for name in members
        if data.loc[position, name] != ""
    }
    assert expected
    assert found(problems) == expected
    messages = dict(zip(problems["question"], problems["message"], strict=True))
    assert messages["q17_aware_clean_tech"].endswith("(relevant: ${q14_loan} = 'yes')")


def test_bad_expressions_are_instrument_errors(instrument: Instrument, base: pd.DataFrame) -> None:
    def break_relevant(survey: pd.DataFrame) -> None:
        survey.loc[survey["name"] == "q04_complaint_own", "relevant"] = "${q03_complaint} = 'yes'"

    with pytest.raises(InstrumentError, match=r"q04_complaint_own.*q03_complaint"):
        check_responses(make_responses(base.head(2)), _variant(instrument, break_relevant))

    def break_syntax(survey: pd.DataFrame) -> None:
        survey.loc[survey["name"] == "employees", "constraint"] = ". >= 0 and lookup(.)"

    with pytest.raises(InstrumentError, match=r"employees.*lookup"):
        check_responses(make_responses(base.head(2)), _variant(instrument, break_syntax))


def test_cascading_choice_filter_reads_other_choice_columns() -> None:
    survey = pd.DataFrame(
        {
            "type": ["select_one province", "select_one district"],
            "name": ["province", "district"],
            "label": ["Province", "District"],
            "choice_filter": ["", "province = ${province}"],
        }
    )
    choices = pd.DataFrame(
        {
            "list_name": ["province", "province", "district", "district", "district"],
            "name": ["ha_noi", "bac_ninh", "gia_lam", "tu_son", "que_vo"],
            "label": ["Hà Nội", "Bắc Ninh", "Gia Lâm", "Từ Sơn", "Quế Võ"],
            "province": ["", "", "ha_noi", "bac_ninh", "bac_ninh"],
        }
    )
    form = build_instrument({"survey": survey, "choices": choices}, source="cascade")
    data = pd.DataFrame(
        {
            "province": ["ha_noi", "bac_ninh", "ha_noi", ""],
            "district": ["gia_lam", "que_vo", "tu_son", ""],
        }
    )
    problems = check_responses(make_responses(data), form)
    assert found(problems) == {(4, "district", "choice_filter", E)}

    broken = choices.drop(columns=["province"])
    with pytest.raises(InstrumentError, match="choice column 'province'"):
        check_responses(
            make_responses(data), build_instrument({"survey": survey, "choices": broken})
        )


def test_summary(instrument: Instrument, base: pd.DataFrame) -> None:
    assert summarize_problems(make_problems()) == "no problems found"
    data = base.head(30).copy()
    data.loc[0:4, "employees"] = "many"
    data.loc[5, "province"] = ""
    problems = check_responses(make_responses(data, extra_columns=["x"]), instrument)
    text = summarize_problems(problems, limit=3)
    lines = text.splitlines()
    assert lines[0] == "6 errors: type 5, required 1"
    assert lines[1] == "1 warning: unknown-column 1"
    assert lines[2].startswith(f"{FILE}, column 'x': the column matches no question")
    assert lines[2].endswith("[unknown-column]")
    assert lines[3] == f"{FILE}, row 2, column 'employees': not a whole number [type]"
    assert lines[-1] == "... and 4 more"


@pytest.mark.slow
def test_large_valid_batch_is_fast(instrument: Instrument) -> None:
    data = valid_frame(instrument, 200_000, seed=1)
    responses = make_responses(data)
    started = time.perf_counter()
    problems = check_responses(responses, instrument, tracker=DuplicateTracker())
    elapsed = time.perf_counter() - started
    assert problems.empty
    assert elapsed < 15, f"{elapsed:.1f} s for 200,000 rows"
