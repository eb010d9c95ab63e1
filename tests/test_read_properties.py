"""Whatever a file holds, reading gives canonical Responses or a ReadError, nothing else."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from ecocluster.errors import ReadError
from ecocluster.instrument import load_instrument
from ecocluster.normalize import normalize_text
from ecocluster.survey.export import to_kobo_export
from ecocluster.survey.read import read_responses
from ecocluster.survey.responses import Responses

FORM = load_instrument("red-river-2007")
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _headers() -> list[str]:
    """Every spelling of every column a real export could have."""
    found = ["_id", "_uuid", "_submission_time", "meta/instanceID", "start", "__version__"]
    for question in FORM.questions.values():
        group = "/".join(question.group)
        spellings = [question.name, *question.labels.values()]
        found.extend(spellings)
        found.extend(f"{group}/{spelling}" for spelling in spellings)
        found.extend(unicodedata.normalize("NFD", label) for label in question.labels.values())
        for choice in FORM.choices.get(question.list_name or "", []):
            if question.type == "select_multiple":
                found.append(f"{question.name}/{choice.name}")
                found.extend(f"{question.name}:{label}" for label in choice.labels.values())
    return found


HEADERS = _headers()
CHOICE_TEXT = sorted(
    {
        text
        for options in FORM.choices.values()
        for c in options
        for text in (c.name, *c.labels.values())
    }
)
# Vietnamese letters in both normal forms, CSV syntax and whitespace, no control characters.
ALPHABET = st.sampled_from(
    [
        *"aăâbdđeêoôơuưyAĐƠ ,;\t\n\"'=#+-.0123456789/:_",
        *("\u0301", "\u0300", "\u0323", "\u0303", "\u0309", "\r", "\xa0", "Ư"),
    ]
)
CELL = st.one_of(
    st.sampled_from(CHOICE_TEXT),
    st.text(ALPHABET, max_size=12),
    st.sampled_from(["", "=1+", "=A1", "nan", "0", "1", "1.0", "TRUE", "False", " ", "\n"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(ALPHABET, max_size=12).map(lambda t: unicodedata.normalize("NFD", t)),
)
HEADER = st.one_of(st.sampled_from(HEADERS), st.text(ALPHABET, max_size=10))


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    header = draw(st.lists(HEADER, min_size=0, max_size=8))
    width = len(header)
    rows = draw(
        st.lists(
            st.lists(CELL, min_size=max(width - 1, 0), max_size=width + 1),
            max_size=6,
        )
    )
    comments = draw(st.lists(st.just(["# synthetic"]), max_size=2))
    return [*comments, header, *rows]


def check_invariants(responses: Responses) -> None:
    """What every reader result guarantees to the checks and the store."""
    rows = len(responses.data)
    assert rows > 0
    assert len(responses.meta) == rows == len(responses.source_row)
    assert responses.data.index.equals(pd.RangeIndex(rows))
    assert (np.diff(responses.source_row) > 0).all()
    order = list(FORM.questions)
    assert list(responses.data.columns) == [q for q in order if q in responses.data.columns]
    assert set(responses.columns) == set(responses.data.columns)
    for frame in (responses.data, responses.meta):
        for value in frame.to_numpy().ravel():
            assert isinstance(value, str)
            assert value == normalize_text(value)


def read_or_refuse(path: Path) -> None:
    try:
        responses = read_responses(path, FORM)
    except ReadError as error:
        refused: ReadError | None = error
    else:
        refused = None
        check_invariants(responses)
    if refused is not None:
        assert refused.file == str(path)


@SETTINGS
@given(
    content=st.binary(max_size=3000),
    prefix=st.sampled_from(
        [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"enterprise_id;cluster\n", b"PK\x03\x04"]
    ),
)
def test_random_bytes_as_csv(content: bytes, prefix: bytes) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        path.write_bytes(prefix + content)
        read_or_refuse(path)


@SETTINGS
@given(content=st.binary(max_size=3000))
def test_random_bytes_as_xlsx(content: bytes) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / "random.xlsx"
        path.write_bytes(content)
        read_or_refuse(path)


def _small_export() -> bytes:
    buffer = io.BytesIO()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["enterprise_id", "cluster", "q15_inspections", "q06_equipment/other"])
    sheet.append(["A", "Bát Tràng", 3, 1])
    sheet.append(["B", "dong_ky", "=C2+1", 0])
    book.save(buffer)
    return buffer.getvalue()


VALID_XLSX = _small_export()


@SETTINGS
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(VALID_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.integers(0, len(VALID_XLSX)),
)
def test_damaged_xlsx(edits: list[tuple[int, int]], cut: int) -> None:
    content = bytearray(VALID_XLSX)
    for position, byte in edits:
        content[position] = byte
    with TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.xlsx"
        path.write_bytes(bytes(content[: max(cut, len(content) // 2)]))
        read_or_refuse(path)


@SETTINGS
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    quote_all=st.booleans(),
)
def test_mangled_tables_as_csv(
    table: list[list[str]], delimiter: str, encoding: str, quote_all: bool
) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    writer.writerows(table)
    with TemporaryDirectory() as folder:
        path = Path(folder) / "mangled.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        read_or_refuse(path)


def _spreadsheet_value(text: str) -> object:
    """Numbers as numbers, like a person typing them; the rest as text (or formula)."""
    try:
        number = float(text)
    except ValueError:
        return text.replace("\r", "")
    if np.isfinite(number):
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return text


@SETTINGS
@given(table=tables())
def test_mangled_tables_as_xlsx(table: list[list[str]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in table:
        sheet.append([_spreadsheet_value(cell) for cell in row])
    with TemporaryDirectory() as folder:
        path = Path(folder) / "mangled.xlsx"
        book.save(path)
        read_or_refuse(path)


# ---------------------------------------------------------------- round trips
TEXT = st.text(st.sampled_from(list("aăâđêôơưyAĐ =#-.09/,;\"'")), max_size=15).map(normalize_text)


def _in_order(choices: list[str]) -> Callable[[list[str]], str]:
    """A select_multiple answer lists its choices in the form's order."""

    def join(picked: list[str]) -> str:
        return " ".join(name for name in choices if name in picked)

    return join


@st.composite
def responses(draw: st.DrawFn) -> Responses:
    """Valid canonical responses for a random subset of the questions."""
    count = draw(st.integers(1, 5))
    names = draw(
        st.lists(st.sampled_from(list(FORM.questions)), min_size=1, max_size=8, unique=True)
    )
    data: dict[str, list[str]] = {"enterprise_id": [f"E{i}" for i in range(count)]}
    for name in sorted(names, key=list(FORM.questions).index):
        question = FORM.questions[name]
        choices = FORM.choice_names(question)
        if question.type == "select_one":
            cell = st.sampled_from(["", *choices])
        elif question.type == "select_multiple":
            cell = st.lists(st.sampled_from(choices), unique=True).map(_in_order(choices))
        elif question.is_numeric:
            cell = st.one_of(
                st.integers(-(10**17), 10**17).map(str),
                st.floats(allow_nan=False, allow_infinity=False).map(repr),
                st.sampled_from(["", "007", "1e5", "-0", "3.0"]),
            )
        else:
            cell = TEXT
        if name != "enterprise_id":
            data[name] = draw(st.lists(cell, min_size=count, max_size=count))
    order = list(FORM.questions)
    data = {name: data[name] for name in sorted(data, key=order.index)}
    meta = {}
    if draw(st.booleans()):
        meta = {"_id": [str(i) for i in range(count)], "_uuid": [f"u{i}" for i in range(count)]}
    return Responses(
        pd.DataFrame(data),
        pd.DataFrame(meta, index=pd.RangeIndex(count)),
        np.arange(2, count + 2),
        "x",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    made=responses(),
    style=st.sampled_from(["xml", "labels"]),
    language=st.sampled_from(["en", "vi"]),
    multiple=st.sampled_from(["joined", "columns", "both"]),
    separator=st.sampled_from(["/", ":", ".", "-", None]),
    suffix=st.sampled_from([".csv", ".xlsx"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_export_then_read_gives_the_responses_back(
    made: Responses,
    style: str,
    language: str,
    multiple: str,
    separator: str | None,
    suffix: str,
    delimiter: str,
) -> None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        to_kobo_export(
            made,
            FORM,
            path,
            style=style,  # type: ignore[arg-type]
            language=language,
            multiple=multiple,  # type: ignore[arg-type]
            group_separator=separator,
            delimiter=delimiter,
        )
        back = read_responses(path, FORM)
    pd.testing.assert_frame_equal(back.data, made.data)
    pd.testing.assert_frame_equal(back.meta, made.meta)
    assert back.extra_columns == []
