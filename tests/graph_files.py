"""Attributes of a graph read back from GraphML or GEXF, in a form that compares equal to
what was written: the round-trip tests of survey and inter-firm networks share it."""

from __future__ import annotations

import math
from typing import Any


def comparable_attributes(data: dict[str, Any]) -> dict[str, Any]:
    """Numbers as floats, NaN as the text "NaN", without the edge id GEXF adds."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "id":  # the GEXF reader adds the edge id
            continue
        if isinstance(value, float) and math.isnan(value):
            out[key] = "NaN"
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = float(value)  # GEXF's edge weight is a float by specification
        else:
            out[key] = value
    return out
