"""The XPath subset of XLSForm expressions, checked against hand-computed truth tables."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from ecocluster.errors import InstrumentError
from ecocluster.instrument import bundled_instruments, load_instrument
from ecocluster.survey.expression import (
    FUNCTIONS,
    Context,
    compile_expression,
    parse_dates,
    parse_numbers,
)

T, F = True, False

# seven submissions; n and m are answers of numeric questions
FRAME = pd.DataFrame(
    {
        "n": ["1", "2", "", "x", "15.0", "-3", "0"],
        "m": ["1", "3", "4", "", "15", "-3", "0.0"],
        "s": ["yes", "no", "", "yes", "other", "no", "yes"],
        "l": ["a b", "b", "", "c a", "a a", "b c", "d"],
        "c": ["a", "a", "a", "a", "b", "c", "a"],
        "t": ["Bát Tràng", "", "x", "hello world", "123456", "ab", "a"],
        "d": [
            "2007-01-01",
            "2006-12-31",
            "",
            "bad",
            "2007-01-01T10:00:00",
            "2007-02-30",
            "1970-01-02",
        ],
    }
)
NUMERIC = ("n", "m")
ALL_TRUE = [T] * 7
ALL_FALSE = [F] * 7

# expression, question that "." stands for, expected truth per row
CASES: list[tuple[str, str, list[bool]]] = [
    # comparisons: numbers when one side is a number, empty -> NaN -> false (but != true)
    (". >= 2", "n", [F, T, F, F, T, F, F]),
    (". < 2", "n", [T, F, F, F, F, T, T]),
    (". = 1", "n", [T, F, F, F, F, F, F]),
    (". != 1", "n", [F, T, T, T, T, T, T]),
    ("${n} = '1'", "n", [T, F, F, F, F, F, F]),
    ("${n} = 'x'", "n", [F, F, F, T, F, F, F]),
    ("${n} = ${m}", "n", [T, F, F, F, T, T, T]),
    ("${m} > ${n}", "n", [F, T, F, F, F, F, F]),
    ("${s} = 'yes'", "n", [T, F, F, T, F, F, T]),
    ("${s} != 'yes'", "n", [F, T, T, F, T, T, F]),
    ("${s} = ''", "n", [F, F, T, F, F, F, F]),
    ('${t} = "a"', "n", [F, F, F, F, F, F, T]),
    ("'10' > '9'", "n", ALL_TRUE),
    ("${t} > 100", "n", [F, F, F, F, T, F, F]),
    ("${s} = true()", "n", [T, T, F, T, T, T, T]),
    # logic, with "and" binding tighter than "or"
    (". > 0 and . < 10", "n", [T, T, F, F, F, F, F]),
    (". < 0 or . > 10", "n", [F, F, F, F, T, T, F]),
    ("not(. > 0)", "n", [F, F, T, T, F, T, T]),
    ("${s} = 'yes' or ${s} = 'no' and . > 1", "n", [T, T, F, T, F, F, T]),
    ("(${s} = 'yes' or ${s} = 'no') and . > 1", "n", [F, T, F, F, F, F, F]),
    ("true()", "n", ALL_TRUE),
    ("false()", "n", ALL_FALSE),
    ("true() and not(false())", "n", ALL_TRUE),
    ("boolean(${s})", "n", [T, T, F, T, T, T, T]),
    ("boolean(.)", "n", [T, T, F, F, T, T, F]),
    ("${t}", "n", [T, F, T, T, T, T, T]),
    ("${m}", "n", [T, T, T, F, T, T, F]),
    # arithmetic
    (". + 1 = 2", "n", [T, F, F, F, F, F, F]),
    (". * 2 = ${m} + 1", "n", [T, T, F, F, F, F, F]),
    (". div 2 = 0.5", "n", [T, F, F, F, F, F, F]),
    (". mod 2 = 1", "n", [T, F, F, F, T, F, F]),
    ("-. = 3", "n", [F, F, F, F, F, T, F]),
    ("- - . = 1", "n", [T, F, F, F, F, F, F]),
    ("1 + 2 * 3 = 7", "n", ALL_TRUE),
    ("(1 + 2) * 3 = 9", "n", ALL_TRUE),
    ("10 - 4 - 3 = 3", "n", ALL_TRUE),
    ("12 div 2 div 3 = 2", "n", ALL_TRUE),
    ("2 * 3 mod 4 = 2", "n", ALL_TRUE),
    ("-2 < -1", "n", ALL_TRUE),
    ("1 div 0 > 1000000", "n", ALL_TRUE),
    ("0 div 0 = 0 div 0", "n", ALL_FALSE),
    ("1 < 2 = true()", "n", ALL_TRUE),
    ("3 > 2 > 1", "n", ALL_FALSE),  # (3 > 2) > 1 is true() > 1 is 1 > 1
    # strings
    ("string-length(${t}) = 9", "n", [T, F, F, F, F, F, F]),
    ("string-length(${t}) > 1", "n", [T, F, F, T, T, T, F]),
    ("regex(${t}, '[0-9]{6}')", "n", [F, F, F, F, T, F, F]),
    ("regex(${t}, '[a-z]')", "n", [F, F, T, F, F, F, T]),
    ("regex(${t}, '')", "n", [F, T, F, F, F, F, F]),
    ("contains(${t}, 'o')", "n", [F, F, F, T, F, F, F]),
    ("starts-with(${t}, 'a')", "n", [F, F, F, F, F, T, T]),
    ("ends-with(${t}, ${c})", "n", [F, F, F, F, F, F, T]),
    ("concat(${s}, '-', .) = 'yes-1'", "n", [T, F, F, F, F, F, F]),
    ("string(.) = '15.0'", "n", [F, F, F, F, T, F, F]),
    ("string(. + 0) = '15'", "n", [F, F, F, F, T, F, F]),
    ("string(1 div 0) = 'Infinity' and string(0 div 0) = 'NaN'", "n", ALL_TRUE),
    ("string(2.5) = '2.5' and string(true()) = 'true'", "n", ALL_TRUE),
    ("number(${t}) = 123456", "n", [F, F, F, F, T, F, F]),
    ("int(${m} div 2) = 1", "n", [F, T, F, F, F, F, F]),
    ("int(-2.7) = -2", "n", ALL_TRUE),
    ("coalesce(${s}, 'none') = 'none'", "n", [F, F, T, F, F, F, F]),
    ("coalesce(., ${m}) = '4'", "n", [F, F, T, F, F, F, F]),
    ("if(. > 1, 'big', 'small') = 'big'", "n", [F, T, F, F, T, F, F]),
    ("if(${s} = 'yes', 1, 2) = 1", "n", [T, F, F, T, F, F, T]),
    ("if(${s} = 'yes', ${t}, ${s}) = 'no'", "n", [F, T, F, F, F, T, F]),
    # select_multiple answers
    ("selected(${l}, 'a')", "n", [T, F, F, T, T, F, F]),
    ("selected(${l}, ' a ')", "n", [T, F, F, T, T, F, F]),
    ("count-selected(${l})", "n", [T, T, F, T, T, T, T]),
    ("count-selected(${l}) = 2", "n", [T, F, F, T, T, T, F]),
    ("selected(${l}, ${c})", "n", [T, F, F, T, F, T, F]),
    ("selected(${l}, .)", "c", [T, F, F, T, F, T, F]),
    ("selected(., 'b')", "l", [T, T, F, F, F, T, F]),
    # dates compare as days since 1970-01-01
    (". < '2007-01-02'", "d", [T, T, F, F, T, F, T]),
    (". >= date('2007-01-01')", "d", [T, F, F, F, T, F, F]),
    (". <= today()", "d", [T, T, F, F, T, F, T]),
    ("date(1) = .", "d", [F, F, F, F, F, F, T]),
    ("number('1970-01-11') = 10", "d", ALL_TRUE),
    # an unknown question reads as unanswered
    ("${nowhere} = ''", "n", ALL_TRUE),
]


@pytest.fixture(scope="module")
def context() -> Context:
    return Context(FRAME, numeric=NUMERIC)


@pytest.mark.parametrize(("text", "current", "expected"), CASES, ids=[c[0] for c in CASES])
def test_expression(context: Context, text: str, current: str, expected: list[bool]) -> None:
    result = compile_expression(text, question=current, kind="constraint").evaluate(
        context, current
    )
    assert result.dtype == np.bool_
    assert result.tolist() == expected


PLAIN = [case for case in CASES[:15] if case[0] != "${n} = ${m}"]


@pytest.mark.parametrize(("text", "current", "expected"), PLAIN, ids=[c[0] for c in PLAIN])
def test_plain_dataframe_gives_the_same(text: str, current: str, expected: list[bool]) -> None:
    result = compile_expression(text, question=current).evaluate(FRAME)
    assert result.tolist() == expected


def test_answers_of_numeric_questions_compare_as_numbers() -> None:
    expression = compile_expression("${n} = ${m}", question="n")
    # "15.0" = "15" and "0" = "0.0" only when both questions are known to be numeric
    assert expression.evaluate(Context(FRAME, numeric=NUMERIC)).tolist() == [T, F, F, F, T, T, T]
    assert expression.evaluate(FRAME).tolist() == [T, F, F, F, F, T, F]


NAMES = ["b", "c", "a", "a", "a", "c", "d"]
FILTERS: list[tuple[str, dict[str, list[str]], list[bool]]] = [
    ("selected(${l}, name)", {}, [T, F, F, T, T, T, T]),
    ("name != ${c}", {}, [T, T, F, F, T, F, T]),
    ("selected(${l}, name) and name != ${c}", {}, [T, F, F, F, T, F, T]),
    ("region = ${s}", {"region": ["yes"] * 7}, [T, F, F, T, F, F, T]),
    ("region = ${s} or name = 'd'", {"region": ["no"] * 7}, [F, T, F, F, F, T, T]),
]


@pytest.mark.parametrize(("text", "columns", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
def test_choice_filter(
    context: Context, text: str, columns: dict[str, list[str]], expected: list[bool]
) -> None:
    expression = compile_expression(text, question="q", kind="choice_filter")
    result = expression.evaluate(context, "q", NAMES, choice_columns=columns)
    assert result.tolist() == expected
    assert expression.choice_columns == ({*columns} | ({"name"} if "name" in text else set()))


# --------------------------------------------------------------- the bundled form
RANKING = pd.DataFrame(
    {
        "q10_constraints": [
            "capital workers market",
            "capital",
            "",
            "knowledge other",
            "capital workers market",
        ],
        "q10_rank1": ["market", "capital", "", "other", "capital"],
        "q10_rank2": ["capital", "", "", "workers", "capital"],
        "q10_rank3": ["workers", "", "", "", "managers"],
        "q16_warning_letters": [
            "none",
            "donre_letter",
            "none donre_letter",
            "commune_letter donre_letter",
            "",
        ],
        "cluster": ["other", "bat_trang", "", "Other", "other"],
        "q03_complaint_others": ["yes", "no", "", "yes", "YES"],
    }
)
SURVEY_CASES: list[tuple[str, str, list[bool]]] = [
    ("${cluster} = 'other'", "cluster_other", [T, F, F, F, T]),
    ("${q03_complaint_others} = 'yes'", "q04_complaint_own", [T, F, F, T, F]),
    ("count-selected(${q10_constraints}) >= 1", "q10_rank1", [T, T, F, T, T]),
    ("count-selected(${q10_constraints}) >= 2", "q10_rank2", [T, F, F, T, T]),
    ("count-selected(${q10_constraints}) >= 3", "q10_rank3", [T, F, F, F, T]),
    ("selected(${q10_constraints}, 'other')", "q10_other", [F, F, F, T, F]),
    ("count-selected(.) <= 3", "q10_constraints", [T, T, T, T, T]),
    ("selected(${q10_constraints}, .)", "q10_rank1", [T, T, F, T, T]),
    ("selected(${q10_constraints}, .) and . != ${q10_rank1}", "q10_rank2", [T, F, F, F, F]),
    (
        "selected(${q10_constraints}, .) and . != ${q10_rank1} and . != ${q10_rank2}",
        "q10_rank3",
        [T, F, F, F, F],
    ),
    (
        "not(selected(., 'none') and count-selected(.) > 1)",
        "q16_warning_letters",
        [T, T, F, T, T],
    ),
]


@pytest.mark.parametrize(
    ("text", "current", "expected"), SURVEY_CASES, ids=[c[0] for c in SURVEY_CASES]
)
def test_bundled_expressions(text: str, current: str, expected: list[bool]) -> None:
    assert compile_expression(text, question=current).evaluate(RANKING).tolist() == expected


def test_bundled_choice_filter_ranks_each_constraint_once() -> None:
    text = "selected(${q10_constraints}, name) and name != ${q10_rank1} and name != ${q10_rank2}"
    expression = compile_expression(text, question="q10_rank3", kind="choice_filter")
    assert expression.references == {"q10_constraints", "q10_rank1", "q10_rank2"}
    own = expression.evaluate(RANKING, choice_name=RANKING["q10_rank3"])
    assert own.tolist() == [T, F, F, F, F]
    workers = expression.evaluate(RANKING, choice_name=["workers"] * 5)
    assert workers.tolist() == [T, F, F, F, T]


NUMBER_CASES = [
    (["0", "1000", "1001", "-1", "", "abc", "15.5"], ". >= 0 and . <= 1000", [T, T, F, F, F, F, T]),
    (["1", "10", "0", "11", "5.5", " 7", "1,5"], ". >= 1 and . <= 10", [T, T, F, F, T, T, F]),
    (["0", "0.0", "-0.01", "1e3", "+4", "inf", "nan"], ". >= 0", [T, T, F, T, T, F, F]),
]


@pytest.mark.parametrize(
    ("values", "text", "expected"), NUMBER_CASES, ids=[c[1] for c in NUMBER_CASES]
)
def test_bundled_range_constraints(values: list[str], text: str, expected: list[bool]) -> None:
    frame = pd.DataFrame({"q": values})
    assert compile_expression(text, question="q").evaluate(frame).tolist() == expected


@pytest.mark.parametrize("name", bundled_instruments())
def test_every_bundled_expression_compiles(name: str) -> None:
    instrument = load_instrument(name)
    count = 0
    for question in instrument.questions.values():
        for kind in ("relevant", "constraint", "choice_filter"):
            text = getattr(question, kind)
            if text:
                expression = compile_expression(text, question=question.name, kind=kind)
                assert expression.references <= set(instrument.questions)
                count += 1
    assert count > 0


# --------------------------------------------------------------- errors
ERRORS = [
    ("foo(1)", "relevant", "unknown or unsupported function foo()"),
    ("jr:choice-name(., 'x')", "relevant", "unknown or unsupported function"),
    (". >=", "constraint", "ends too early"),
    ("1 +", "constraint", "ends too early"),
    ("${a} = 'x", "relevant", "unterminated string"),
    ("name = 'x'", "relevant", "bare name 'name'"),
    ("and", "relevant", "bare name 'and'"),
    ("/data/a = 1", "relevant", "paths are not supported"),
    ("${a}[1]", "relevant", "paths are not supported"),
    ("..", "relevant", "parent paths"),
    ("selected(.)", "constraint", "selected() takes 2 argument(s), got 1"),
    ("count-selected(., 'a')", "constraint", "count-selected() takes 1 argument(s)"),
    ("concat()", "constraint", "concat() takes 1 or more argument(s)"),
    ("regex(., ${a})", "constraint", "pattern as a quoted string"),
    ("regex(., '[')", "constraint", "bad regular expression"),
    ("(1", "constraint", "expected ')', found the end"),
    ("selected(. 'a')", "constraint", "expected ')'"),
    ("", "constraint", "empty"),
    ("1 2", "constraint", "unexpected '2'"),
    ("${}", "relevant", "bad reference"),
    ("${a b}", "relevant", "unexpected character '$'"),
    ("# 1", "relevant", "unexpected character '#'"),
]


@pytest.mark.parametrize(
    ("text", "kind", "fragment"), ERRORS, ids=[e[0] or "empty" for e in ERRORS]
)
def test_syntax_errors_name_question_and_expression(text: str, kind: str, fragment: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        compile_expression(text, question="employees", kind=kind)
    message = str(caught.value)
    assert fragment in message
    assert "'employees'" in message
    assert repr(text) in message
    assert caught.value.column == kind
    assert caught.value.rule == "expression"


def test_missing_choice_column_is_reported() -> None:
    expression = compile_expression("region = 'north'", question="district", kind="choice_filter")
    with pytest.raises(InstrumentError, match="choice column 'region'"):
        expression.evaluate(FRAME)


def test_choice_values_need_one_per_row() -> None:
    expression = compile_expression("name = 'a'", question="q", kind="choice_filter")
    with pytest.raises(ValueError, match="one value per row"):
        expression.evaluate(FRAME, choice_name=["a"])


# --------------------------------------------------------------- API and data shapes
def test_references() -> None:
    expression = compile_expression("${a} = ${b} and selected(${c}, .)", question="q")
    assert expression.references == {"a", "b", "c"}
    assert expression.choice_columns == frozenset()
    assert expression.text == "${a} = ${b} and selected(${c}, .)"


def test_functions_listed() -> None:
    assert {"selected", "count-selected", "regex", "if", "coalesce", "today"} <= FUNCTIONS


def test_empty_frame() -> None:
    result = compile_expression(". > 1", question="q").evaluate(pd.DataFrame({"q": []}))
    assert result.shape == (0,)
    assert result.dtype == np.bool_


def test_missing_values_read_as_unanswered() -> None:
    frame = pd.DataFrame({"q": ["a", None, np.nan, ""], "n": [1, 2.5, None, 0]}, dtype=object)
    assert compile_expression(". = ''", question="q").evaluate(frame).tolist() == [F, T, T, T]
    assert compile_expression("${n} > 1", question="q").evaluate(frame).tolist() == [F, T, F, F]
    context = Context(frame)
    assert context.strings("n").tolist() == ["1", "2.5", "", "0"]
    assert context.answered("q").tolist() == [T, F, F, F]


def test_take_repeats_rows() -> None:
    context = Context(FRAME, numeric=NUMERIC)
    part = context.take(np.array([4, 0, 0]))
    assert part.size == 3
    assert part.strings("s").tolist() == ["other", "yes", "yes"]
    assert part.numbers("n").tolist() == [15.0, 1.0, 1.0]
    result = compile_expression("selected(${l}, 'a') and . > 0", question="n").evaluate(part)
    assert result.tolist() == [T, T, T]


def test_mostly_distinct_column_gives_the_same_answers() -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(-50, 1_000_000, 4000).astype(str).astype(object)
    values[::50] = ""
    lists = np.where(rng.random(4000) < 0.5, "a b", "c").astype(object)
    frame = pd.DataFrame({"v": values, "l": lists})
    context = Context(frame)
    assert len(context.factorized("v")[1]) == len(frame)  # not factorised
    assert len(context.factorized("l")[1]) == 2
    text = "(. >= 0 and . <= 500000 and string-length(.) < 6) or selected(${l}, 'c')"
    result = compile_expression(text, question="v").evaluate(context)
    numbers = np.array([float(v) if v else np.nan for v in values])
    lengths = np.array([len(v) for v in values])
    expected = ((numbers >= 0) & (numbers <= 500000) & (lengths < 6)) | (lists == "c")
    assert result.tolist() == expected.tolist()
    assert context.answered("v").sum() == len(frame) - 80


PARSE_NUMBERS = [
    ("15", 15.0),
    ("15.0", 15.0),
    ("-2.5", -2.5),
    (".5", 0.5),
    ("1e3", 1000.0),
    ("+4", 4.0),
    ("", None),
    ("abc", None),
    ("1,5", None),
    ("12,000", None),
    ("inf", None),
    ("NaN", None),
    ("1_000", None),
    ("0x10", None),
    ("2007-01-02", None),
]


@pytest.mark.parametrize(
    ("text", "number"), PARSE_NUMBERS, ids=[p[0] or "empty" for p in PARSE_NUMBERS]
)
def test_parse_numbers(text: str, number: float | None) -> None:
    (parsed,) = parse_numbers([text])
    assert (np.isnan(parsed) and number is None) or parsed == number


def test_parse_numbers_with_dates() -> None:
    parsed = parse_numbers(["2007-01-01", "1970-01-01T12:00:00Z", "3", "2007-13-01"], dates=True)
    assert parsed[:3].tolist() == [13514.0, 0.5, 3.0]
    assert np.isnan(parsed[3])


def test_parse_dates() -> None:
    parsed = parse_dates(["2007-01-01", "2007-02-30", "07-01-01", "2007-01-01T10:00", ""])
    assert parsed[0] == 13514.0
    assert np.isnan(parsed[1:]).all()


def test_a_million_rows_are_vectorised() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    frame = pd.DataFrame(
        {
            "q10_constraints": rng.choice(
                np.array(["capital workers", "market", ""], dtype=object), n
            ),
            "q10_rank1": rng.choice(np.array(["capital", "market", ""], dtype=object), n),
            "q01_air": rng.integers(0, 12, n).astype(str).astype(object),
        }
    )
    context = Context(frame, numeric=["q01_air"])
    started = time.perf_counter()
    rank = compile_expression("selected(${q10_constraints}, .)", question="q10_rank1")
    scale = compile_expression(". >= 1 and . <= 10", question="q01_air")
    ranked = rank.evaluate(context)
    scaled = scale.evaluate(context)
    elapsed = time.perf_counter() - started
    assert (
        ranked.sum()
        == (
            (frame["q10_rank1"] == "capital") & (frame["q10_constraints"] == "capital workers")
            | (frame["q10_rank1"] == "market") & (frame["q10_constraints"] == "market")
        ).sum()
    )
    assert scaled.sum() == frame["q01_air"].astype(int).between(1, 10).sum()
    assert elapsed < 5, f"{elapsed:.2f} s"
