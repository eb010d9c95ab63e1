"""Tables for modelling from CSV files: the reader behind ``ecocluster fit --data``.

Kept apart from `ecocluster.models` because reading a user's file (encodings, delimiters,
decimal commas, missing-value spellings, errors that name the row) has nothing to do with
estimation; `models` re-exports both names.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import normalize_text, read_utf8_text

if TYPE_CHECKING:
    from ecocluster.models import FitResult, ModelKind

_MISSING_TEXT = frozenset({"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "."})
# Whole numbers up to 2**53 are exact as floats too, so reading them as integers loses nothing.
_LARGEST_EXACT = 2.0**53


def read_model_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV for modelling: UTF-8 (BOM or not), comma, semicolon or tab, numbers as numbers.

    Leading ``#`` lines are skipped. A column whose every non-empty cell is a number becomes
    numeric (with a semicolon delimiter a decimal comma is accepted); others stay text.
    Empty cells and NA, N/A, NaN, null, None and "." are missing.

    A numeric column whose values are all whole numbers and none missing is read as
    integers (int64), so ``C(g)`` on a column of 1, 2, 3 names its levels ``T.2``, not
    ``T.2.0``. A numeric column with a missing value is read as floats (NaN is a float),
    whole numbers or not.

    Column names and text cells are put in Unicode NFC with surrounding and repeated
    spaces removed (`ecocluster.normalize.normalize_text`): a header typed with combining
    marks (NFD) matches the same name typed composed, as a formula names it.
    """
    file = str(path)
    text = read_utf8_text(path)
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start == len(lines):
        raise InputError("the file has no header row", file=file, rule="empty")
    header = lines[start]
    delimiter = max((",", ";", "\t"), key=header.count)
    names = [normalize_text(n) for n in next(csv.reader([header], delimiter=delimiter))]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated or "" in names:
        problem = f"repeated column names {duplicated}" if duplicated else "an empty column name"
        raise InputError(f"the header has {problem}", file=file, row=start + 1, rule="header")
    body = io.StringIO("".join(lines[start + 1 :]), newline="")
    reader = csv.reader(body, delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise InputError(
                    f"this row has {len(row)} fields but the header has {len(names)}; "
                    f"a value that contains {delimiter!r} must be in double quotes",
                    file=file,
                    row=start + 1 + reader.line_num,
                    rule="csv",
                )
            rows.append(row)
    except csv.Error as error:
        raise InputError(f"the CSV is malformed: {error}", file=file, rule="csv") from None
    raw = pd.DataFrame(rows, columns=names, dtype=object)
    return pd.DataFrame({name: _column(raw[name], delimiter) for name in names})


def _column(values: pd.Series[Any], delimiter: str) -> pd.Series[Any]:
    text = values.astype(str).map(normalize_text)
    missing = text.isin(_MISSING_TEXT)
    present = text.where(~missing)
    numbers = pd.to_numeric(present, errors="coerce")
    if not (numbers.isna() & ~missing).any():
        return _whole_or_float(numbers)
    if delimiter == ";":
        decimal = pd.to_numeric(present.str.replace(",", ".", regex=False), errors="coerce")
        if not (decimal.isna() & ~missing).any():
            return _whole_or_float(decimal)
    return present.astype(object)


def _whole_or_float(numbers: pd.Series[Any]) -> pd.Series[Any]:
    """int64 when every value is a whole number (none missing), else float64."""
    values = numbers.astype(float)
    array = values.to_numpy()
    if (
        len(array)
        and np.isfinite(array).all()
        and (np.abs(array) <= _LARGEST_EXACT).all()
        and (array == np.round(array)).all()
    ):
        return values.astype("int64")
    return values


def fit_csv(
    path: str | Path, formula: str, model: ModelKind = "ols", robust: bool | str = False
) -> FitResult:
    """`read_model_csv` then `fit`; every error names the file.

    The formula is put in NFC like the file's header, so names typed either way match.
    """
    from ecocluster.models import fit

    data = read_model_csv(path)
    if isinstance(formula, str):
        formula = unicodedata.normalize("NFC", formula)
    try:
        return fit(formula, data, model, robust=robust)
    except InputError as error:
        raise type(error)(
            error.message, file=str(path), row=error.row, column=error.column, rule=error.rule
        ) from None
