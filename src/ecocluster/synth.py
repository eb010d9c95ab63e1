"""National-scale synthetic survey responses for scale tests and benchmarks.

Firms are drawn from a calibrated example study: each synthetic cluster takes one of the
example's clusters as its template, every synthetic firm copies a whole response of a
firm of that template (so skip logic and ranks stay consistent) and its size, age,
turnover and spending are jittered. The output is a plain CSV that the ordinary import
path reads; its first lines say that it is synthetic and how it was drawn.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from ecocluster.errors import EcoclusterError
from ecocluster.examples import get_example
from ecocluster.survey.read import read_responses
from ecocluster.survey.responses import Responses

#: Concepts whose values are scaled together, as a firm's size, by one log-normal factor.
_SIZE_CONCEPTS = ("employees", "turnover", "pollution_capex", "pollution_opex")


def _fmt_number(values: np.ndarray, decimals: int) -> np.ndarray:
    if decimals == 0:
        return np.round(values).astype(np.int64).astype(str)
    text = np.char.mod(f"%.{decimals}f", values)
    return np.char.rstrip(np.char.rstrip(text, "0"), ".")


def synthesize(
    n_firms: int, n_clusters: int, *, seed: int, example: str = "red-river-2007"
) -> Responses:
    """Draw `n_firms` synthetic enterprises in `n_clusters` clusters from an example study."""
    if n_firms < 1 or n_clusters < 1:
        raise EcoclusterError("--firms and --clusters must be at least 1")
    if n_clusters > n_firms:
        raise EcoclusterError("there cannot be more clusters than firms")
    source = get_example(example)
    instrument = source.load_instrument()
    base = read_responses(source.responses, instrument)
    rng = np.random.default_rng(seed)

    cluster_q = instrument.concept("cluster")
    templates = sorted(set(base.data[cluster_q]))
    members = {name: np.flatnonzero(base.data[cluster_q].to_numpy() == name) for name in templates}
    cluster_of_firm = np.sort(rng.integers(0, n_clusters, n_firms))
    cluster_of_firm[:n_clusters] = np.arange(n_clusters)  # every cluster has a firm
    cluster_of_firm.sort()
    template_of_cluster = rng.integers(0, len(templates), n_clusters)
    rows = np.empty(n_firms, dtype=np.int64)
    template_of_firm = template_of_cluster[cluster_of_firm]
    for index, name in enumerate(templates):
        mask = template_of_firm == index
        rows[mask] = rng.choice(members[name], size=int(mask.sum()))

    data = base.data.iloc[rows].reset_index(drop=True)
    data[instrument.concept("enterprise_id")] = np.char.add(
        "SYN-", np.char.zfill(np.arange(1, n_firms + 1).astype(str), 7)
    )
    cluster_list = instrument.question(cluster_q).list_name or ""
    named = [choice.name for choice in instrument.choices.get(cluster_list, [])]
    if "cluster_other" in instrument.concepts and "other" in named:
        labels = np.char.add("Cụm tổng hợp ", np.char.zfill((cluster_of_firm + 1).astype(str), 5))
        data[cluster_q] = "other"
        data[instrument.concept("cluster_other")] = labels
    elif n_clusters <= len(templates):
        data[cluster_q] = np.asarray(templates)[template_of_cluster[cluster_of_firm]]
    else:
        raise EcoclusterError(
            f"instrument {instrument.form_id!r} cannot name {n_clusters} clusters: its cluster "
            "question needs an 'other' choice and a concept 'cluster_other'"
        )

    size = rng.lognormal(0.0, 0.35, n_firms)
    for concept in _SIZE_CONCEPTS:
        if concept not in instrument.concepts:
            continue
        column = instrument.concept(concept)
        values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
        answered = ~np.isnan(values)
        decimals = 0 if instrument.question(column).type == "integer" else 3
        scaled = np.where(answered, values * size, 0.0)
        data[column] = np.where(answered, _fmt_number(scaled, decimals), "")
    if "years_in_operation" in instrument.concepts:
        column = instrument.concept("years_in_operation")
        years = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
        shifted = np.clip(years + rng.integers(-3, 4, n_firms), 0, None)
        data[column] = np.where(np.isnan(years), "", _fmt_number(shifted, 0))

    raw = rng.integers(0, 256, size=(n_firms, 16), dtype=np.uint8)
    uuids = [str(uuid.UUID(bytes=bytes(row), version=4)) for row in raw]
    start = pd.Timestamp("2025-01-06T08:00:00")
    offsets = pd.to_timedelta(rng.integers(0, 180 * 24 * 3600, n_firms), unit="s")
    times = (start + offsets).strftime("%Y-%m-%dT%H:%M:%S")
    meta = pd.DataFrame({"_uuid": uuids, "_submission_time": np.asarray(times)})
    return Responses(
        data=data,
        meta=meta,
        source_row=np.arange(2, n_firms + 2),
        file=f"synthetic:{example}:seed={seed}",
    )


def to_synthetic_csv(responses: Responses, path: str | Path, *, note: str) -> None:
    """Write synthetic responses as a plain CSV whose first lines say what they are."""
    path = Path(path)
    table = pd.concat([responses.data, responses.meta], axis=1)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for line in note.strip().splitlines():
            handle.write(f"# {line}\n")
        table.to_csv(handle, index=False)
