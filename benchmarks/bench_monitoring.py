"""Benchmark: exceedance assessment of ten million monitoring samples.

What is timed, in a fresh subprocess (wall time; peak memory is that process's VmHWM):
`ecocluster.assessment.assess_samples` (the binding limit in force and the WHO guideline
for every sample, ratio, bound, compliance) and `summarise_exceedance` (per cluster, site,
medium, parameter, averaging period and year) on `--samples` synthetic samples, against
the bundled limits. Drawing the samples is timed separately and not counted.

The baseline, in the same run: a plain Python loop over the samples doing the same work
one sample at a time (a dict from (medium, parameter, averaging) to the binding limits,
the class rule, the edition in force at the sample's time, the ratio and the censored
rule, then the per-group counts and maxima). It runs on the first `--baseline-samples`
samples of the same data (100,000 by default) and its time is extrapolated linearly to
the full size; a loop has no fixed costs worth speaking of, so linear is fair. On that
subset both paths must agree: the same compliance for every sample, the same ratios and
the same summary counts, shares and maxima (the run stops otherwise).

The synthetic samples (deterministic: block b of 100,000 rows is drawn with
``numpy.random.default_rng([seed, b])``, so the first 100,000 rows are the same whatever
the size): 400 clusters of 10 monitoring sites each; a site measures one medium (ambient
air 35%, surface water 20%, wastewater 15%, noise 15%, groundwater 10%, soil 5%) under one
class (surface water B1 or A1, wastewater column A or B, noise area normal or special,
soil agricultural or residential); each sample is a (parameter, averaging period) the
bundled limits cover for that medium and class, or PM10 over one hour, which no limit
covers (1 in 20 air samples); times uniform over 2016-03-01 to 2022-12-31, when one
edition of each regulation was in force; values log-normal around the limit (upper
limits: limit × e^N(-0.2, 0.7); minimums: minimum × e^N(0.1, 0.5); pH N(7.3, 0.9)
clipped to 0-14); 3% below detection ("<DL", DL = limit × e^N(-1.5, 1), above the limit
in 7% of them) and 1% above a method's range (">x", x = limit × e^N(0.3, 0.6)).

Usage::

    python benchmarks/bench_monitoring.py [--samples 10000000] [--baseline-samples 100000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

BLOCK = 100_000
CLUSTERS, SITES_PER_CLUSTER = 400, 10
START, END = pd.Timestamp("2016-03-01"), pd.Timestamp("2023-01-01")
#: Medium of a site, its share of sites, and the classes its sites are drawn from.
SITE_MEDIA: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("ambient_air", 0.35, ("",)),
    ("surface_water", 0.20, ("B1", "A1")),
    ("wastewater", 0.15, ("A", "B")),
    ("noise", 0.15, ("normal", "special")),
    ("groundwater", 0.10, ("",)),
    ("soil", 0.05, ("agricultural", "residential")),
)
SUMMARY_BY = ("cluster", "site", "medium", "parameter", "averaging")


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss survives exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------- synthetic data
def _catalogue(limits: pd.DataFrame) -> pd.DataFrame:
    """(medium, parameter, averaging, class) with the binding bounds in force in the window."""
    binding = limits[limits["binding"]]
    current = binding[
        (binding["valid_from"] <= START)
        & (binding["valid_to"].isna() | (binding["valid_to"] >= END))
    ]
    keys = current[["medium", "parameter", "averaging", "class", "lower", "upper", "unit"]]
    extra = pd.DataFrame(  # measured, but no limit applies
        [("ambient_air", "pm10", "1h", "", math.nan, math.nan, "ug/m^3")], columns=keys.columns
    )
    return pd.concat([keys, extra], ignore_index=True)


def _sites(catalogue: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Sites (cluster, medium, class) and, per site, the catalogue rows it samples."""
    rng = np.random.default_rng(0)
    count = CLUSTERS * SITES_PER_CLUSTER
    shares = np.array([share for _, share, _ in SITE_MEDIA])
    media = rng.choice(len(SITE_MEDIA), size=count, p=shares / shares.sum())
    records, eligible = [], []
    for number, m in enumerate(media):
        medium, _, classes = SITE_MEDIA[m]
        cls = classes[number % len(classes)]
        rows = catalogue.index[
            (catalogue["medium"] == medium) & catalogue["class"].isin(["", cls])
        ].to_numpy()
        if medium == "ambient_air":  # the limit-less key in 1 of 20 air samples
            plain = rows[catalogue["upper"].notna().to_numpy()[rows]]
            lawless = np.repeat(rows[~np.isin(rows, plain)], len(plain))
            rows = np.concatenate([np.repeat(plain, 19), lawless])
        records.append(
            {
                "cluster": f"cluster_{number // SITES_PER_CLUSTER:03d}",
                "site": f"site_{number:04d}",
                "medium": medium,
                "class": cls or None,
                "lat": 20.5 + rng.random(),
                "lon": 105.3 + rng.random(),
            }
        )
        eligible.append(rows)
    width = max(len(rows) for rows in eligible)
    table = np.full((count, width), -1, dtype=np.int64)
    for number, rows in enumerate(eligible):
        table[number, : len(rows)] = rows
    return pd.DataFrame.from_records(records), table, np.array([len(r) for r in eligible])


def synthetic_samples(size: int, seed: int = 1) -> pd.DataFrame:
    """`size` samples in the shape of `ecocluster.monitoring.read_samples`' table."""
    from ecocluster.standards import read_limits

    catalogue = _catalogue(read_limits())
    sites, eligible, counts = _sites(catalogue)
    span = (END - START).value
    parts = []
    for block in range(math.ceil(size / BLOCK)):
        rng = np.random.default_rng([seed, block])
        n = min(BLOCK, size - block * BLOCK)
        site = rng.integers(0, len(sites), n)
        key = eligible[site, (rng.random(n) * counts[site]).astype(np.int64)]
        time_ns = START.value + (rng.random(n) * span).astype(np.int64)
        lower = catalogue["lower"].to_numpy()[key]
        upper = catalogue["upper"].to_numpy()[key]
        limit = np.where(np.isnan(upper), lower, upper)
        limit = np.where(np.isnan(limit), 50.0, limit)
        value = np.where(
            np.isnan(upper),
            limit * np.exp(rng.normal(0.1, 0.5, n)),
            limit * np.exp(rng.normal(-0.2, 0.7, n)),
        )
        is_ph = catalogue["parameter"].to_numpy()[key] == "ph"
        value = np.where(is_ph, np.clip(rng.normal(7.3, 0.9, n), 0, 14), value)
        draw = rng.random(n)
        below = (draw < 0.03) & ~is_ph
        above = (draw > 0.99) & ~is_ph & ~np.isnan(upper)
        bound = limit * np.exp(rng.normal(np.where(below, -1.5, 0.3), np.where(below, 1.0, 0.6)))
        value = np.where(below | above, bound, value)
        qualifier = np.where(below, 1, np.where(above, 2, 0)).astype(np.int8)
        parts.append(
            pd.DataFrame(
                {"site_index": site, "key": key, "time": time_ns, "value": value, "q": qualifier}
            )
        )
    drawn = pd.concat(parts, ignore_index=True)
    del parts
    site, key = drawn["site_index"].to_numpy(), drawn["key"].to_numpy()

    def categorical(values: pd.Series, codes: np.ndarray) -> pd.Categorical:
        labels = pd.Categorical(values)
        return pd.Categorical.from_codes(labels.codes[codes], labels.categories)

    samples = pd.DataFrame(
        {
            "row": np.arange(2, len(drawn) + 2, dtype=np.int64),
            "site": categorical(sites["site"], site),
            "cluster": categorical(sites["cluster"], site),
            "lat": sites["lat"].to_numpy()[site],
            "lon": sites["lon"].to_numpy()[site],
            "time": drawn["time"].to_numpy().astype("datetime64[ns]"),
            "medium": categorical(catalogue["medium"], key),
            "parameter": categorical(catalogue["parameter"], key),
            "value": drawn["value"].to_numpy(),
            "unit": categorical(catalogue["unit"], key),
            "qualifier": pd.Categorical.from_codes(drawn["q"].to_numpy(), ["", "<", ">"]),
            "censored": drawn["q"].to_numpy() == 1,
            "averaging": categorical(catalogue["averaging"], key),
            "class": categorical(sites["class"], site),
        }
    )
    return samples


# --------------------------------------------------------------------- the baseline
def baseline(samples: pd.DataFrame, limits: pd.DataFrame) -> tuple[list[Any], dict[Any, Any]]:
    """One sample at a time: (standard, ratio, compliance) per sample, and group totals."""
    table: dict[tuple[str, str, str], list[tuple[Any, ...]]] = {}
    binding = limits[limits["binding"]]
    names = ["medium", "parameter", "averaging", "class", "valid_from", "valid_to"]
    names += ["lower", "upper", "standard"]
    for medium, parameter, averaging, cls, start, end, lower, upper, standard in zip(
        *(binding[name].tolist() for name in names), strict=True
    ):
        until = math.inf if pd.isna(end) else end.value
        entry = (cls, start.value, until, lower, upper, standard)
        table.setdefault((medium, parameter, averaging), []).append(entry)
    columns = ["cluster", "site", "medium", "parameter", "averaging", "class", "time"]
    columns += ["value", "qualifier"]
    lists = [samples[c].tolist() for c in columns]
    results: list[Any] = []
    groups: dict[Any, list[Any]] = {}
    for cluster, site, medium, parameter, averaging, cls, when, value, qualifier in zip(
        *lists, strict=True
    ):
        at = when.value
        cls = "" if cls is None or cls != cls else cls
        cover = [e for e in table.get((medium, parameter, averaging), []) if e[1] <= at < e[2]]
        fit = [e for e in cover if e[0] in (cls, "")]
        standard, ratio, status = None, math.nan, "no-limit"
        if len(fit) == 1:
            _, _, _, lower, upper, standard = fit[0]
            ratios = []
            if upper == upper:
                ratios.append(("upper", value / upper))
            if lower == lower:
                ratios.append(("lower", lower / value if value else math.inf))
            bound, ratio = max(ratios, key=lambda item: item[1])
            fails = False
            if upper == upper:
                fails |= (qualifier != "<" and value > upper) or (
                    qualifier == ">" and value == upper
                )
            if lower == lower:
                fails |= (qualifier != ">" and value < lower) or (
                    qualifier == "<" and value == lower
                )
            upper_ok = upper != upper or (qualifier != ">" and value <= upper)
            lower_ok = lower != lower or (qualifier != "<" and value >= lower)
            ok = upper_ok and lower_ok
            status = "exceeds" if fails else "complies" if ok else "undetermined"
            # Where the true ratio may be lower than this one, it does not enter maxima.
            hidden = (bound == "upper" and qualifier == "<") or (
                bound == "lower" and qualifier == ">"
            )
            ratio_for_max = math.nan if hidden else ratio
        else:
            ratio_for_max = math.nan
        results.append((standard, ratio, status))
        key = (cluster, site, medium, parameter, averaging, pd.Timestamp(at).year)
        total = groups.setdefault(key, [0, 0, 0, -math.inf])
        total[0] += 1
        total[1] += status != "no-limit"
        total[2] += status == "exceeds"
        if ratio_for_max == ratio_for_max:
            total[3] = max(total[3], ratio_for_max)
    return results, groups


def _same(samples: pd.DataFrame, limits: pd.DataFrame, assessed: pd.DataFrame) -> dict[str, Any]:
    """Check that the loop and the vectorised path agree sample by sample and group by group."""
    from ecocluster.assessment import summarise_exceedance

    results, groups = baseline(samples, limits)
    status = [s for _, _, s in results]
    ratio = np.array([r for _, r, _ in results])
    assert status == assessed["compliance"].astype(str).tolist(), "compliance differs"
    assert np.allclose(ratio, assessed["ratio"].to_numpy(), rtol=1e-12, equal_nan=True)
    summary = summarise_exceedance(assessed, SUMMARY_BY, period="year")
    assert len(summary) == len(groups), "number of groups differs"
    for row in summary.itertuples(index=False):
        key = (row.cluster, row.site, row.medium, row.parameter, row.averaging, int(row.period))
        samples_, limited, exceeding, largest = groups[key]
        assert (row.samples, row.assessed, row.exceeding) == (samples_, limited, exceeding), key
        expected = largest if largest > -math.inf else math.nan
        assert math.isclose(row.max_ratio, expected, rel_tol=1e-12) or (
            math.isnan(row.max_ratio) and math.isnan(expected)
        ), key
    return {"samples": len(samples), "groups": len(groups), "identical": True}


# --------------------------------------------------------------------- children
def _child(kind: str, size: int) -> dict[str, Any]:
    from ecocluster.assessment import assess_samples, summarise_exceedance
    from ecocluster.standards import read_limits

    limits = read_limits()
    start = time.perf_counter()
    samples = synthetic_samples(size)
    result: dict[str, Any] = {"samples": size, "draw_seconds": time.perf_counter() - start}
    if kind == "baseline":
        start = time.perf_counter()
        baseline(samples, limits)
        result["seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        assessed = assess_samples(samples, limits)
        summarise_exceedance(assessed, SUMMARY_BY, period="year")
        result["fast_seconds_same_size"] = time.perf_counter() - start
        result["check"] = _same(samples, limits, assessed)
        return result
    start = time.perf_counter()
    assessed = assess_samples(samples, limits)
    result["assess_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    summary = summarise_exceedance(assessed, SUMMARY_BY, period="year")
    result["summarise_seconds"] = time.perf_counter() - start
    result["seconds"] = result["assess_seconds"] + result["summarise_seconds"]
    result["groups"] = len(summary)
    result["share_exceeding"] = float(assessed["exceeds"].mean())
    result["compliance"] = assessed["compliance"].value_counts().to_dict()
    return result


def _run(args: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        result = _child(sys.argv[2], int(sys.argv[3]))
        result["peak_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=10_000_000)
    parser.add_argument("--baseline-samples", type=int, default=100_000)
    args = parser.parse_args()
    machine = (
        f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )
    naive = _run(["baseline", str(args.baseline_samples)])
    fast = _run(["fast", str(args.samples)])
    extrapolated = naive["seconds"] * args.samples / args.baseline_samples
    results = {
        "machine": machine,
        "baseline": naive,
        "fast": fast,
        "baseline_extrapolated_seconds": extrapolated,
        "speedup_full_size": extrapolated / fast["seconds"],
        "speedup_same_size": naive["seconds"] / naive["fast_seconds_same_size"],
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
