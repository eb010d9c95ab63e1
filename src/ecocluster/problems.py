"""Problems found in a user's file, and the reader of small tables that keeps their rows.

Every reader of user files (tie lists, edge lists, profiles, rules, standards, samples,
programmes, parks) collects `Problem`s (file, row, column, rule, message) and, when there
are any, raises one `InputError` listing them (`refuse`): a user fixes a file in one pass,
and nothing half-read is applied. `read_table` reads a small CSV as text and keeps each
record's spreadsheet row, so that later checks can say where a value is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from ecocluster.errors import InputError
from ecocluster.normalize import read_utf8_text

__all__ = ["SHOWN_PROBLEMS", "Problem", "read_table", "refuse"]

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


def read_table(
    path: str | Path, required: Sequence[str], optional: Sequence[str], *, keep_all: bool = False
) -> pd.DataFrame:
    """A small CSV as text: UTF-8 (BOM or not), comma, semicolon or tab; lines starting
    with ``#`` are comments (before the header or between rows).

    Column names match case-insensitively and take the spelling asked for; the index is
    the file's line number (header = 1 when no comment precedes it) and ``attrs["file"]``
    the file's name, so that later
    checks can say where a value is. Missing optional columns are added empty; other
    columns are dropped unless `keep_all`.
    """
    file = str(path)
    lines = [
        "" if line.lstrip().startswith("#") else line for line in read_utf8_text(path).split("\n")
    ]
    start = next((i for i, line in enumerate(lines) if line.strip(" ,;\t\r")), None)
    if start is None:
        raise InputError("the file has no header row", file=file, row=1, rule="empty")
    delimiter = max((",", ";", "\t"), key=lines[start].count)
    try:
        records = list(csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(f"the CSV is malformed: {error}", file=file, rule="csv") from None
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
