"""Exact arithmetic for recomputing published aggregates from the bundled examples.

Published tables round half up; recomputing with fractions avoids float artefacts at the
rounding boundary (7/56 = 12.5% is printed 13%).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd


def comment_lines(path: Path) -> list[str]:
    """The leading ``#`` lines of a bundled file (they say the data are synthetic)."""
    lines = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            lines.append(line.rstrip("\n"))
    return lines


def read_example_csv(path: Path) -> pd.DataFrame:
    """A bundled responses file as strings, its comment lines skipped."""
    skip = len(comment_lines(path))
    return pd.read_csv(path, skiprows=skip, dtype=str, keep_default_na=False)


def exact(values: pd.Series) -> list[Fraction]:
    """Answered values as exact fractions (blank = not answered)."""
    return [Fraction(Decimal(value)) for value in values if value != ""]


def mean(values: pd.Series) -> Fraction:
    """Exact mean of the answered values."""
    answered = exact(values)
    return Fraction(sum(answered), len(answered))


def count(mask: pd.Series) -> Fraction:
    return Fraction(int(mask.sum()))


def percent(mask: pd.Series) -> Fraction:
    return Fraction(100 * int(mask.sum()), len(mask))


def selected(df: pd.DataFrame, question: str, choice: str) -> pd.Series:
    """Whether a select_multiple (or select_one) answer includes `choice`."""
    return df[question].str.split().apply(lambda names: choice in names)


def published_round(value: Fraction, decimals: int) -> Decimal:
    """Round half up to `decimals` places (negative: to tens, hundreds, thousands)."""
    scaled = math.floor(value * Fraction(10) ** decimals + Fraction(1, 2))
    return Decimal(scaled).scaleb(-decimals)
