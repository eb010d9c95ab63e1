"""Plain JSON data from the values analyses produce (NumPy, pandas, dates, fractions).

The analysis summary and the report's summary.json are the same data; one conversion
serves both, so NaN is null and a date is ISO text wherever the JSON comes from.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd


def to_json_data(value: Any, where: str = "value") -> Any:
    """`value` as JSON data: NaN and missing values become null, NumPy and pandas values
    become plain numbers, dates ISO 8601 text, a Series an object and a DataFrame a list
    of row objects. Anything else is refused, naming where it was."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, bytes | bytearray):
        raise TypeError(f"{where}: bytes cannot be written as JSON; decode them first")
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal | Fraction):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.generic):
        return to_json_data(value.item(), where)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, pd.DataFrame):
        records = value.to_dict(orient="records")
        return [to_json_data(record, f"{where}[{row}]") for row, record in enumerate(records)]
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if isinstance(key, np.generic):
                key = key.item()
            if not isinstance(key, str | int | float | bool):
                raise TypeError(f"{where}: key {key!r} is not text or a number")
            result[str(key)] = to_json_data(item, f"{where}[{key!r}]")
        return result
    if isinstance(value, Sequence):
        return [to_json_data(item, f"{where}[{index}]") for index, item in enumerate(value)]
    raise TypeError(f"{where}: cannot write {type(value).__name__} as JSON")
