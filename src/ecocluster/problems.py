"""Problems found in a user's file, and the reader of small tables that keeps their rows.

Every reader of user files (tie lists, edge lists, profiles, rules, standards, samples,
programmes, parks) collects `Problem`s (file, row, column, rule, message) and, when there
are any, raises one `InputError` listing them (`refuse`): a user fixes a file in one pass,
and nothing half-read is applied. `read_records` reads the rows of a CSV or a worksheet as
text; `read_table` makes a small table of them that keeps each record's row in the file,
so that later checks can say where a value is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ecocluster.errors import InputError, ReadError
from ecocluster.normalize import fold_key, normalize_text, read_utf8_text

__all__ = [
    "SHOWN_PROBLEMS",
    "SPREADSHEETS",
    "Problem",
    "cell_text",
    "read_records",
    "read_table",
    "refuse",
]

#: Suffixes read as Excel workbooks.
SPREADSHEETS: Final = (".xlsx", ".xlsm")

#: Problems listed in one error; the rest are counted.
SHOWN_PROBLEMS: Final = 20


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message} [{self.rule}]"


def refuse(problems: Sequence[Problem], what: str) -> InputError:
    """One error listing the first problems and counting the rest.

    The error's file, row, column and rule are those of the first problem, and its message
    ends with that problem, so that the rule printed after it belongs to it.
    """
    first = problems[0]
    if len(problems) == 1:
        message = f"{first.message} ({what} refused, nothing was applied)"
    else:
        shown = "\n".join(f"  {p}" for p in problems[:SHOWN_PROBLEMS])
        hidden = len(problems) - SHOWN_PROBLEMS
        more = f"\n  and {hidden} more" if hidden > 0 else ""
        message = (
            f"{what} refused, nothing was applied; {len(problems)} problems:\n{shown}{more}\n"
            f"first problem: {first.message}"
        )
    return InputError(message, file=first.file, row=first.row, column=first.column, rule=first.rule)


def cell_text(value: Any) -> str:
    """A cell as text: NFC, dates as ISO, whole floats without ".0", missing as ""."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    return normalize_text(str(value))


def _sheet(path: Path, sheet: str | None, file: str) -> list[list[str]]:
    """The rows of a worksheet as text; a formula without a computed value is refused."""
    from openpyxl import load_workbook

    try:
        books = [load_workbook(path, read_only=True, data_only=only) for only in (True, False)]
    except Exception as error:
        message = f"this is not a readable Excel workbook ({type(error).__name__})"
        raise ReadError(message, file=file, rule="format") from None
    try:
        names = {fold_key(n): n for n in books[0].sheetnames}
        name = names.get(fold_key(sheet), "") if sheet else books[0].sheetnames[0]
        if not name:
            message = f"the workbook has no {sheet!r} sheet ({', '.join(books[0].sheetnames)})"
            raise ReadError(message, file=file, rule="missing-sheet")
        rows = zip(*(book[name].iter_rows(values_only=True) for book in books), strict=False)
        records = []
        for number, (values, formulas) in enumerate(rows, start=1):
            for value, formula in zip(values, formulas, strict=False):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    message = f"formula {formula} has no computed value; open and save the file"
                    raise ReadError(message, file=file, row=number, rule="formula")
            records.append([cell_text(value) for value in values])
        return records
    finally:
        for book in books:
            book.close()


def read_records(
    path: str | Path, sheet: str | None = None, file: str | None = None
) -> list[list[str]]:
    """The rows of a CSV (UTF-8; comma, semicolon or tab; "#" lines blank, so that row
    numbers stay the file's lines) or of a worksheet (`sheet`, else the first), as text."""
    path = Path(path)
    file = str(path) if file is None else file
    if not path.is_file():
        raise ReadError("the file does not exist", file=file, rule="no-such-file")
    if path.suffix.lower() in SPREADSHEETS:
        return _sheet(path, sheet, file)
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        raise ReadError("use CSV or Excel (.xlsx)", file=file, rule="format")
    text = read_utf8_text(path)
    lines = ["" if line.lstrip().startswith("#") else line for line in text.split("\n")]
    start = next((i for i, line in enumerate(lines) if line.strip(" ,;\t\r")), 0)
    delimiter = max((",", ";", "\t"), key=lines[start].count)
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ReadError(f"the CSV cannot be parsed: {error}", file=file, rule="csv") from None
    return [[normalize_text(cell) for cell in row] for row in rows]


def read_table(
    path: str | Path, required: Sequence[str], optional: Sequence[str], *, keep_all: bool = False
) -> pd.DataFrame:
    """A small table as text: CSV (UTF-8, BOM or not; comma, semicolon or tab; lines
    starting with ``#`` are comments) or the first sheet of an Excel workbook.

    Column names match case-insensitively and take the spelling asked for; the index is
    the file's line number (header = 1 when no comment precedes it) and ``attrs["file"]``
    the file's name, so that later
    checks can say where a value is. Missing optional columns are added empty; other
    columns are dropped unless `keep_all`.
    """
    file = str(path)
    records = read_records(path, None, file)
    start = next((i for i, record in enumerate(records) if any(c.strip() for c in record)), None)
    if start is None:
        raise InputError("the file has no header row", file=file, row=1, rule="empty")
    names = [n.strip() for n in records[start]]
    where = {n.casefold(): i for i, n in reversed(list(enumerate(names)))}
    problems = [
        Problem(file, start + 1, name, "missing-column", f"the header has no {name!r} column")
        for name in required
        if name.casefold() not in where
    ]
    if problems:
        raise refuse(problems, "the file was")
    asked = [*required, *[c for c in optional if c.casefold() in where]]
    positions = [where[c.casefold()] for c in asked]
    if keep_all:
        extra = [i for i in range(len(names)) if i not in positions and names[i]]
        asked += [names[i] for i in extra]
        positions += extra
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, record in enumerate(records[start + 1 :], start=start + 2):
        if not any(cell.strip() for cell in record):
            continue
        cells = [c.strip() for c in record] + [""] * max(0, len(names) - len(record))
        rows.append([cells[i] for i in positions])
        numbers.append(number)
    frame = pd.DataFrame(rows, columns=asked, index=pd.Index(numbers, name="row"), dtype=object)
    for column in optional:
        if column not in frame.columns:
            frame[column] = ""
    frame.attrs["file"] = file
    return frame
