"""The canonical shape of survey responses between reading, checking and storing.

Whatever the export style (KoboToolbox XML values or labels, per-option columns, group
prefixes, plain spreadsheets), a reader turns it into this one shape, so that checks and
the store never see the quirks of a file:

* ``data``: one row per submission (enterprise), one column per question of the
  instrument that the file answers, in instrument order. Values are NFC strings; ``""``
  means no answer. Choice answers are choice *names*; a select_multiple answer is its
  names separated by single spaces, in the order given.
* ``meta``: the same rows, the export's metadata columns (``_uuid``,
  ``_submission_time``, ``_index``, ``_id``, ``instanceID``...), names without group
  prefix, values as strings.
* ``source_row``: the row number a person sees in the file (header is row 1).
* ``columns``: for each question, the header(s) in the file it came from, so a problem
  can name the column the user will look for.
* ``extra_columns``: headers that match nothing in the instrument; checks report them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Columns of a problems table, in order.
PROBLEM_COLUMNS = ("file", "row", "column", "question", "value", "rule", "severity", "message")
ERROR = "error"
WARNING = "warning"


@dataclass
class Responses:
    """A batch of submissions in canonical form (see module docstring)."""

    data: pd.DataFrame
    meta: pd.DataFrame
    source_row: np.ndarray
    file: str
    columns: dict[str, str] = field(default_factory=dict)
    #: Headers that match no question and no known metadata column (reported by checks).
    extra_columns: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.data)

    def column_for(self, question: str) -> str:
        """The header a person would look for in the file."""
        return self.columns.get(question, question)


def make_problems(records: Iterable[dict[str, object]] | None = None) -> pd.DataFrame:
    """A problems table (possibly empty) with the standard columns and dtypes."""
    frame = pd.DataFrame.from_records(list(records or []), columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    for column in PROBLEM_COLUMNS:
        if column != "row":
            frame[column] = frame[column].astype(object).where(frame[column].notna(), "")
    return frame


def concat_problems(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Problems of several chunks as one table.

    Problems without a row (a missing column, an unknown header) are raised by every
    chunk of a file; they are kept once.
    """
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return make_problems()
    table = pd.concat(frames, ignore_index=True)
    no_row = table["row"].isna()
    repeated = no_row & table.duplicated(subset=["file", "column", "question", "rule", "message"])
    return table.loc[~repeated].reset_index(drop=True)
