"""Survey columns as arrays: parsing numbers and dates, and per-column caches.

Checking a million submissions means touching each column a handful of times; `Context`
keeps what every rule needs (the strings, their factorisation, which cells are answered,
their numbers) so that each is computed once per column and batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.intp]

EPOCH: Final = pd.Timestamp(0, tz="UTC").as_unit("ms")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")


# ------------------------------------------------------------------ conversions
def parse_numbers(values: Sequence[str] | ObjectArray, *, dates: bool = False) -> FloatArray:
    """Plain decimal numbers as floats, anything else as NaN.

    Accepted: an optional sign, digits with an optional decimal point and an optional
    exponent (``15``, ``-2.5``, ``.5``, ``1e3``). Thousands separators, decimal commas,
    ``inf`` and ``nan`` are not numbers. With ``dates``, ISO dates and date-times become
    (fractional) days since 1970-01-01, which is how XPath compares dates.
    """
    array = np.asarray(values, dtype=object)
    if array.size == 0:
        return np.empty(0, dtype=np.float64)
    series = pd.Series(array, dtype=object)
    converted = pd.to_numeric(series, errors="coerce")
    numbers = np.array(converted.to_numpy(dtype=np.float64, na_value=np.nan))
    numbers[~np.isfinite(numbers)] = np.nan
    return _add_dates(array, numbers) if dates else numbers


def _add_dates(values: ObjectArray, numbers: FloatArray) -> FloatArray:
    """Fill the NaN of `numbers` where `values` holds an ISO date or date-time."""
    missing = np.flatnonzero(np.isnan(numbers))
    candidates = [i for i in missing if _DATE_LIKE.match(str(values[i]))]
    if candidates:
        numbers[candidates] = parse_dates(values[candidates], time=True)
    return numbers


def parse_dates(values: Sequence[str] | ObjectArray, *, time: bool = False) -> FloatArray:
    """ISO dates (``YYYY-MM-DD``) as days since 1970-01-01, anything else as NaN.

    With ``time``, ISO date-times are accepted too and give fractional days (UTC).
    """
    array = np.asarray(values, dtype=object)
    if array.size == 0:
        return np.empty(0, dtype=np.float64)
    strings = pd.Series(array, dtype=object)
    if time:
        shaped = strings.str.match(r"\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})").fillna(False)
    else:
        shaped = strings.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
    out = np.full(array.size, np.nan)
    mask = shaped.to_numpy(dtype=bool)
    if mask.any():
        parsed = pd.to_datetime(strings[mask], format="ISO8601", errors="coerce", utc=True)
        days = (parsed.dt.as_unit("ms") - EPOCH) / pd.Timedelta(days=1)
        out[mask] = days.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def format_number(value: float) -> str:
    """XPath string() of a number: integers without a decimal point."""
    if np.isnan(value):
        return "NaN"
    if np.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def factorize_strings(values: ObjectArray) -> tuple[IntArray, ObjectArray]:
    codes, uniques = pd.factorize(values)
    return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)


# ------------------------------------------------------------------ the frame
class Context:
    """The answers being checked, with caches shared by every expression on them.

    `numeric` names the questions whose answers are numbers (integer, decimal, range),
    so that their answers compare as numbers. A question missing from the frame reads as
    unanswered everywhere; a missing value (NaN, None) reads as "".

    Columns with few distinct values are factorised once, and per-value work runs on the
    distinct values only. Columns of mostly distinct values (ids, amounts) are not: their
    "distinct values" are simply the values, which costs less than hashing them.
    """

    def __init__(self, frame: pd.DataFrame, *, numeric: Iterable[str] = ()) -> None:
        self.frame = frame
        self.numeric = frozenset(numeric)
        self.size = len(frame)
        self._rows: IntArray | None = None
        self._parent: Context | None = None
        #: per question: answers, codes and distinct values
        self._columns: dict[str, tuple[ObjectArray, IntArray, ObjectArray]] = {}
        self._unique_numbers: dict[tuple[str, bool], FloatArray] = {}
        self._numbers: dict[str, FloatArray] = {}
        self._answered: dict[str, BoolArray] = {}

    def take(self, rows: IntArray) -> Context:
        """A context over some rows (repeated as given), sharing the parent's work."""
        child = Context(self.frame, numeric=self.numeric)
        child.size = len(rows)
        child._rows = np.asarray(rows, dtype=np.intp)
        child._parent = self
        return child

    def has(self, name: str) -> bool:
        return name in self.frame.columns

    def _column(self, name: str) -> tuple[ObjectArray, IntArray, ObjectArray]:
        if name in self._columns:
            return self._columns[name]
        if self._parent is not None and self._rows is not None:
            strings, codes, uniques = self._parent._column(name)
            column = (strings[self._rows], codes[self._rows], uniques)
        elif name not in self.frame.columns:
            empty = np.array([""], dtype=object)
            column = (
                empty[np.zeros(self.size, dtype=np.intp)],
                np.zeros(self.size, np.intp),
                empty,
            )
        else:
            column = _read_column(self.frame[name])
        self._columns[name] = column
        return column

    def strings(self, name: str) -> ObjectArray:
        """The answers to one question as an object array of str ("" = no answer)."""
        return self._column(name)[0]

    def factorized(self, name: str) -> tuple[IntArray, ObjectArray]:
        """Codes and "distinct" values of one question's answers (see the class)."""
        return self._column(name)[1:]

    def answered(self, name: str) -> BoolArray:
        """Rows with a non-empty answer."""
        if name not in self._answered:
            _, codes, uniques = self._column(name)
            self._answered[name] = np.asarray(uniques != "", dtype=bool)[codes]
        return self._answered[name]

    def unique_numbers(self, name: str, *, dates: bool = False) -> FloatArray:
        """`parse_numbers` of the distinct answers, in the order of `factorized`."""
        if self._parent is not None:
            return self._parent.unique_numbers(name, dates=dates)
        key = (name, dates)
        if key not in self._unique_numbers:
            uniques = self.factorized(name)[1]
            if dates:
                plain = self.unique_numbers(name).copy()
                self._unique_numbers[key] = _add_dates(uniques, plain)
            else:
                self._unique_numbers[key] = parse_numbers(uniques)
        return self._unique_numbers[key]

    def numbers(self, name: str) -> FloatArray:
        """The answers to one question as XPath numbers (NaN where not a number)."""
        if name not in self._numbers:
            codes = self.factorized(name)[0]
            self._numbers[name] = self.unique_numbers(name, dates=True)[codes]
        return self._numbers[name]

    def map_unique(self, name: str, function: Callable[[ObjectArray], np.ndarray]) -> np.ndarray:
        """Apply `function` to the distinct answers of a question and spread the result."""
        codes, uniques = self.factorized(name)
        return np.asarray(function(uniques))[codes]


def _read_column(series: pd.Series) -> tuple[ObjectArray, IntArray, ObjectArray]:
    """Answers as str ("" for missing), with codes and distinct values (see `Context`)."""
    raw = np.asarray(series.to_numpy(dtype=object), dtype=object)
    sample = raw[:: max(1, len(raw) // 1000)]
    if len(sample) >= 200 and len(set(sample.tolist())) > 0.9 * len(sample):
        missing = pd.isna(raw)
        if missing.any():
            raw = np.where(missing, "", raw)
        strings = _as_str(raw)
        return strings, np.arange(len(raw), dtype=np.intp), strings
    codes, uniques = factorize_strings(raw)
    if (codes < 0).any():  # missing values: no answer
        empty = np.flatnonzero(uniques == "")
        if not empty.size:
            uniques, empty = np.append(uniques, ""), np.array([len(uniques)])
        codes[codes < 0] = empty[0]
        raw = uniques[codes]
    plain = _as_str(uniques)
    return (raw if plain is uniques else plain[codes]), codes, plain


def _as_str(values: ObjectArray) -> ObjectArray:
    """The same array when every value is a str, else a copy with values as str."""
    if len(values) == 0 or pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)
