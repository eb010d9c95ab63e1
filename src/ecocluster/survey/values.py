"""Turning the cells of an export into canonical answers.

Survey columns repeat a handful of distinct values over thousands of rows, so every
function here works on one distinct value and `map_column` applies it to a whole column
through `pandas.factorize`: the Python work grows with the number of distinct values,
not with the number of cells.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd

from ecocluster.instrument import Choice
from ecocluster.normalize import fold_key, normalize_text
from ecocluster.survey.headers import header_key

T = TypeVar("T")
#: Distinct answers remembered per choice column between chunks; a real choice column
#: has a few dozen spellings, so this only bounds memory when a column holds free text.
CACHE_LIMIT = 10_000
#: Option-column flags.
SELECTED, NOT_SELECTED, BLANK, INVALID = 1, 0, -1, -2
_TRUE = frozenset({"1", "true"})
_FALSE = frozenset({"0", "false"})
#: Beyond this magnitude a float no longer holds every integer exactly; keep its repr.
_EXACT_INTEGERS = float(2**53)


@dataclass
class RawChunk:
    """Cells of consecutive rows as text, one object array per header position."""

    columns: list[np.ndarray]
    rows: np.ndarray
    #: Names of columns without a header cell that hold data in these rows.
    overflow: list[str] = field(default_factory=list)


#: Whitespace other than the plain space (everything `str.split` splits on).
_ASCII_SPACES = ("\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f")
_OTHER_SPACES = (
    *_ASCII_SPACES,
    *"\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a",
    *"\u2028\u2029\u202f\u205f\u3000",
)


def already_normalized(values: np.ndarray) -> bool:
    """Whether `normalize_text` would leave every value unchanged, checked in bulk.

    NUL never occurs in a value (CSV files with NUL are refused, XML cannot hold it) and
    composes with nothing, so the joined text is NFC exactly when every value is. Each
    test below is one C-level scan of the joined text, not a Python loop over values.
    """
    try:
        joined = "\x00".join(values)
    except TypeError:  # a missing cell that slipped through as NaN/None
        return False
    if joined.startswith(" ") or joined.endswith(" "):
        return False
    if "  " in joined or "\x00 " in joined or " \x00" in joined:
        return False
    spaces = _ASCII_SPACES if joined.isascii() else _OTHER_SPACES
    if any(space in joined for space in spaces):
        return False
    return unicodedata.is_normalized("NFC", joined)


def map_column(
    values: np.ndarray, function: Callable[[str], T], cache: dict[str, T]
) -> tuple[np.ndarray, list[T]]:
    """Codes of each cell and `function` of each distinct value (see module docstring)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped: list[T] = []
    for value in uniques:
        if not isinstance(value, str):  # a missing cell that slipped through as NaN/None
            value = ""
        try:
            result = cache[value]
        except KeyError:
            result = function(value)
            if len(cache) < CACHE_LIMIT:
                cache[value] = result
        mapped.append(result)
    return codes, mapped


def take(mapped: Sequence[object], codes: np.ndarray) -> np.ndarray:
    """Expand per-distinct results back to one per cell."""
    table = np.empty(len(mapped), dtype=object)
    table[:] = list(mapped)
    return table[codes] if len(codes) else np.empty(0, dtype=object)


def option_flag(value: str) -> int:
    """Whether a per-option cell (1/0, 1.0/0.0, TRUE/FALSE, blank) selects its option."""
    text = normalize_text(value).casefold()
    if not text:
        return BLANK
    if text in _TRUE:
        return SELECTED
    if text in _FALSE:
        return NOT_SELECTED
    try:
        number = float(text)
    except ValueError:
        return INVALID
    if number == 1.0:
        return SELECTED
    if number == 0.0:
        return NOT_SELECTED
    return INVALID


class ChoiceResolver:
    """Choice names from whatever a file wrote: a name, or a label in any language.

    An exact (casefolded) match wins; a diacritic-insensitive match is used only when it
    points to a single choice, so "Bat Trang" finds bat_trang but nothing is guessed
    between two choices that differ only by their marks.
    """

    def __init__(self, choices: Sequence[Choice]) -> None:
        self.names: dict[str, str] = {}
        labels: dict[str, set[str]] = {}
        folded: dict[str, set[str]] = {}
        for choice in choices:
            self.names.setdefault(header_key(choice.name), choice.name)
            folded.setdefault(fold_key(choice.name), set()).add(choice.name)
            for label in choice.labels.values():
                if label:
                    labels.setdefault(header_key(label), set()).add(choice.name)
                    folded.setdefault(fold_key(label), set()).add(choice.name)
        self.labels = {key: next(iter(names)) for key, names in labels.items() if len(names) == 1}
        self.folded = {
            key: next(iter(names)) for key, names in folded.items() if len(names) == 1 and key
        }
        spellings = [*self.names, *self.labels]
        self.max_words = max((len(key.split(" ")) for key in spellings), default=1)

    def find(self, text: str) -> str | None:
        key = header_key(text)
        if key in self.names:
            return self.names[key]
        if key in self.labels:
            return self.labels[key]
        return self.folded.get(fold_key(text))

    def one(self, value: str) -> str:
        """A select_one answer: the choice name, or the value as given if none fits."""
        text = normalize_text(value)
        if not text:
            return ""
        return self.find(text) or text

    def many(self, value: str) -> str:
        """A select_multiple answer: names in the order given, labels split by best fit.

        Labels contain spaces, so the words are segmented to leave as few words unmatched
        as possible, then to use as few (that is, the longest) choices as possible.
        """
        text = normalize_text(value)
        if not text:
            return ""
        words = text.split(" ")
        count = len(words)
        best: list[tuple[int, int] | None] = [None] * (count + 1)
        back: list[tuple[int, str]] = [(0, "")] * (count + 1)
        best[0] = (0, 0)
        for start in range(count):
            cost = best[start]
            if cost is None:
                continue
            candidates = [(start + 1, words[start], (cost[0] + 1, cost[1] + 1))]
            for end in range(start + 1, min(count, start + self.max_words) + 1):
                name = self.find(" ".join(words[start:end]))
                if name is not None:
                    candidates.append((end, name, (cost[0], cost[1] + 1)))
            for end, token, new in candidates:
                current = best[end]
                if current is None or new < current:
                    best[end] = new
                    back[end] = (start, token)
        tokens: list[str] = []
        position = count
        while position > 0:
            start, token = back[position]
            tokens.append(token)
            position = start
        return " ".join(reversed(tokens))


def format_number(value: float) -> str:
    """How a person reads a spreadsheet number: 15 not 15.0, otherwise the shortest repr."""
    if math.isfinite(value) and value.is_integer() and abs(value) <= _EXACT_INTEGERS:
        return str(int(value))
    return repr(value)


def _format_duration(value: dt.timedelta) -> str:
    seconds = value.total_seconds()
    sign = "-" if seconds < 0 else ""
    whole, fraction = divmod(abs(seconds), 1)
    hours, rest = divmod(int(whole), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}:{secs:02d}"
    return text + (f"{fraction:.6f}"[1:].rstrip("0") if fraction else "")


def cell_text(value: object) -> str:
    """Text of a spreadsheet cell value as a person would type it back."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _format_duration(value)
    return str(value)
