"""Writing responses the way KoboToolbox exports them.

Field teams share Kobo-shaped files, and the readers must cope with every shape Kobo
produces; writing them from canonical `Responses` gives both a user-facing export and
test fixtures whose round trip through `read_responses` must give the data back.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ecocluster.instrument import Instrument, Question
from ecocluster.survey.headers import meta_order
from ecocluster.survey.responses import Responses
from ecocluster.survey.values import format_number, map_column, take

__all__ = ["to_kobo_export"]

Style = Literal["xml", "labels"]
Multiple = Literal["joined", "columns", "both"]
#: Metadata that Kobo keeps inside a group of the form, and that group.
_GROUPED_META = {"instanceID": ("meta", "instanceID"), "deprecatedID": ("meta", "deprecatedID")}
_GROUPED_META["formhub_uuid"] = ("formhub", "uuid")
#: Metadata Kobo writes as numbers in its Excel exports.
_NUMERIC_META = frozenset({"_id", "_index", "_parent_index"})
_INTEGER = re.compile(r"-?[0-9]+")
_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def _language(instrument: Instrument, language: str | None) -> str:
    if language is None:
        return instrument.default_language
    if language in instrument.languages:
        return language
    for code, name in instrument.languages.items():
        if name == language:
            return code
    known = ", ".join(f"{code} ({name})" for code, name in instrument.languages.items())
    raise ValueError(f"the form has no language {language!r}; it has {known}")


class _Namer:
    """Headers and answer texts in one export style and language."""

    def __init__(
        self, instrument: Instrument, style: Style, language: str, separator: str | None
    ) -> None:
        self.instrument, self.style, self.language = instrument, style, language
        self.separator = separator

    def _join(self, parts: Sequence[str]) -> str:
        if self.separator is None:
            return parts[-1]
        return self.separator.join(parts)

    def question(self, question: Question) -> str:
        groups = []
        for name in question.group:
            group = self.instrument.groups.get(name)
            label = group.labels.get(self.language) if group is not None else None
            groups.append(label if self.style == "labels" and label else name)
        token = question.name
        if self.style == "labels":
            token = self.instrument.label(question, self.language)
        return self._join([*groups, token])

    def option(self, question: Question, header: str, choice: str) -> str:
        return f"{header}{self.separator or '/'}{self.choice(question, choice)}"

    def choice(self, question: Question, name: str) -> str:
        if self.style == "xml":
            return name
        return self.instrument.choice_label(question, name, self.language)

    def meta(self, name: str) -> str:
        if name in _GROUPED_META:
            return self._join(_GROUPED_META[name])
        return name


def _map(values: np.ndarray, function: Callable[[str], Any]) -> np.ndarray:
    codes, mapped = map_column(values, function, {})
    return take(mapped, codes)


def _columns(
    responses: Responses, instrument: Instrument, namer: _Namer, multiple: Multiple
) -> tuple[list[str], list[np.ndarray], list[bool]]:
    """Headers, values and whether each column may hold numbers, in Kobo's order."""
    headers: list[str] = []
    columns: list[np.ndarray] = []
    numeric: list[bool] = []

    def add(header: str, values: np.ndarray, is_number: bool = False) -> None:
        headers.append(header)
        columns.append(values)
        numeric.append(is_number)

    meta = responses.meta
    order = {name: rank for rank, name in enumerate(meta_order(instrument))}
    meta_names = sorted(meta.columns, key=lambda name: order.get(name, len(order)))
    for name in meta_names:
        if name in instrument.metadata_fields:
            add(namer.meta(name), _strings(meta[name]))
    for name in responses.data.columns:
        question = instrument.question(name)
        values = _strings(responses.data[name])
        header = namer.question(question)
        if question.type == "select_multiple":
            if multiple in ("joined", "both"):
                add(header, _map(values, _joined_labels(namer, question)))
            if multiple in ("columns", "both"):
                for choice in instrument.choice_names(question):
                    add(namer.option(question, header, choice), _map(values, _flag(choice)))
        elif question.type == "select_one":
            add(header, _map(values, _label(namer, question)))
        else:
            add(header, values, question.is_numeric)
    for name in meta_names:
        if name not in instrument.metadata_fields:
            add(namer.meta(name), _strings(meta[name]), name in _NUMERIC_META)
    return headers, columns, numeric


def _strings(series: pd.Series) -> np.ndarray:
    return np.asarray(series.astype(object).where(series.notna(), "").astype(str), dtype=object)


def _label(namer: _Namer, question: Question) -> Callable[[str], str]:
    def label(value: str) -> str:
        return namer.choice(question, value) if value else ""

    return label


def _joined_labels(namer: _Namer, question: Question) -> Callable[[str], str]:
    def labels(value: str) -> str:
        return " ".join(namer.choice(question, name) for name in value.split())

    return labels


def _flag(choice: str) -> Callable[[str], str]:
    def flag(value: str) -> str:
        if not value:
            return ""
        return "1" if choice in value.split() else "0"

    return flag


def _number(value: str) -> str | int | float | None:
    """The spreadsheet number that reads back as exactly this text, else the text."""
    if not value:
        return None
    if _INTEGER.fullmatch(value):
        number = int(value)
        return number if str(number) == value and abs(number) <= 2**53 else value
    try:
        real = float(value)
    except ValueError:
        return value
    # openpyxl stores 16 significant digits; keep as text what would not survive that, and
    # whole numbers past 2**53, which it writes without a decimal point and reads back as int.
    exact = math.isfinite(real) and float(f"{real:.16g}") == real
    whole_and_huge = exact and real.is_integer() and abs(real) >= 2**53
    return real if exact and not whole_and_huge and format_number(real) == value else value


def _write_csv(path: Path, headers: list[str], columns: list[np.ndarray], delimiter: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=csv.QUOTE_ALL)
        writer.writerow(headers)
        writer.writerows(zip(*columns, strict=True))


def _write_xlsx(
    path: Path,
    title: str,
    headers: list[str],
    columns: list[np.ndarray],
    numeric: list[bool],
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_SHEET_TITLE.sub("_", title)[:31] or "data")

    def cell(value: object) -> object:
        if isinstance(value, str) and value.startswith("="):
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"  # a text that looks like a formula stays text
            return text
        return value

    converted = [
        _map(values, _number) if is_number else _map(values, lambda v: v or None)
        for values, is_number in zip(columns, numeric, strict=True)
    ]
    row_number = 1
    try:
        sheet.append([cell(header) for header in headers])
        for row in zip(*converted, strict=True):
            row_number += 1
            sheet.append([cell(value) for value in row])
    except IllegalCharacterError:
        raise ValueError(
            f"row {row_number} holds a control character that Excel cannot store; "
            "export to CSV instead"
        ) from None
    book.save(path)


def to_kobo_export(
    responses: Responses,
    instrument: Instrument,
    path: str | Path,
    *,
    style: Style = "xml",
    language: str | None = None,
    multiple: Multiple = "joined",
    group_separator: str | None = "/",
    delimiter: str = ";",
) -> None:
    """Write responses as a KoboToolbox export (CSV or XLSX, chosen by the suffix).

    `style` is "xml" (question and choice names) or "labels" (labels in `language`, the
    form's default when None); `multiple` says whether a select_multiple question is one
    space-separated column, one 1/0 column per option, or both; `group_separator` joins
    group names (or labels) before question headers, None leaves groups out. Per-option
    columns list choices in the form's order and can only carry choices of the form.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"cannot export to {suffix or 'a file without suffix'}: use .csv or .xlsx")
    if style not in ("xml", "labels"):
        raise ValueError(f"style must be 'xml' or 'labels', not {style!r}")
    if multiple not in ("joined", "columns", "both"):
        raise ValueError(f"multiple must be 'joined', 'columns' or 'both', not {multiple!r}")
    if group_separator is not None and (
        len(group_separator) != 1 or group_separator.isalnum() or group_separator.isspace()
    ):
        raise ValueError("group_separator must be one punctuation character, such as '/', or None")
    if delimiter not in (",", ";", "\t"):
        raise ValueError("delimiter must be ',', ';' or a tab")
    namer = _Namer(instrument, style, _language(instrument, language), group_separator)
    headers, columns, numeric = _columns(responses, instrument, namer, multiple)
    if suffix == ".csv":
        _write_csv(path, headers, columns, delimiter)
    else:
        _write_xlsx(path, instrument.form_id, headers, columns, numeric)
