"""Generate the synthetic example ``red-river-2007``: 51 enterprises, September 2007.

No microdata of the 2007 survey of Bat Trang, Dong Ky and Van Phuc is public. This script
builds 51 SYNTHETIC enterprises whose plainly recomputed aggregates equal the figures
published by Konstadakopulos (Journal of Current Southeast Asian Affairs, accepted 2008) after the
published rounding, except where the published figures contradict each other (see the
example's README.md, which also gives every definition).

Method: draws from ``numpy.random.default_rng(2007)`` give each firm a size, an age, a sales
level, propensities and Likert answers; constructive fitting then makes the calibrated sums
exact (integer units: years, employees, 10,000 VND for money, 0.1 point for export shares)
by unit steps on the firms whose draws were furthest from the rounded value, or by putting
the remainder of a sum on one firm. Counts published in the paper are met by drawing exactly
that many firms, with weights that make the synthetic firms plausible (adopters and spenders
old, large, exporting and in Bat Trang; buyer pressure among exporters; and so on).

Run ``.venv/bin/python tools/make_red_river_2007.py``; the output is byte for byte the same
on every run.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import uuid
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecocluster.instrument import load_instrument

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Mask = NDArray[np.bool_]

SEED = 2007
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "ecocluster" / "data" / "examples" / "red-river-2007"
SOURCE = (
    'D. Konstadakopulos, "The Role of Clean Technological Change and Networking in the '
    "Emergence of Small-Scale Enterprise Clusters: An Empirical Study in the Red River Delta "
    'of Northern Vietnam", Journal of Current Southeast Asian Affairs '
    "(manuscript accepted 25 November 2008)"
)

CLUSTERS = ("bat_trang", "dong_ky", "van_phuc")
CODES = ("BT", "DK", "VP")
SIZES = (15, 16, 20)
PROVINCES = ("ha_noi", "bac_ninh", "ha_tay")
INTERVIEW_DAYS = ((4, 5, 6, 7), (10, 11, 12, 13, 14), (17, 18, 19, 20, 21))
N = sum(SIZES)
CLUSTER = np.repeat(np.arange(3), SIZES)

# ---- calibrated cluster sums (Table 2; arithmetic in README.md) ----------------------------
YEARS_SUM = (226, 178, 332)  # means 15.07, 11.13, 16.60; all 736/51 = 14.43
EMPLOYEES_SUM = (595, 795, 138)  # means 39.67, 49.69, 6.90
EMPLOYEES_RANGE = ((6, 160), (8, 220), (2, 20))
TURNOVER_SUM = (6_983_505, 5_050_000, 4_336_900)  # 10,000 VND: 15 x 4,655,670 thousand VND ...
TURNOVER_STEP = 500  # turnovers are reported to the 5 million VND, but for one firm a cluster
EXPORTERS = (14, 9, 1)  # 24 exporters (README: "exactly half" cannot hold with 51 firms)
EXPORT_SUM = (1245, 592)  # whole percent over Bat Trang and Dong Ky: means 83.0 and 37.0
VAN_PHUC_EXPORT = 6  # 0.6 %, in 0.1 points: 0.6 / 20 firms = 0.03 %
INSTALLERS = (13, 3, 1)
SPENDERS = (12, 2, 1)  # 15 firms with capex + opex > 0, all among the 17 installers
LOANS = (3, 1, 0)
SPEND_RATIO_SUM = (5.10, 3.52, 1.20)  # sum over a cluster of (capex + opex) / turnover, in %
OPEX_TOTAL = 35_445  # 51 x 6.95 VND million, in 10,000 VND
# ---- published counts (Section 4, Tables 3 and 4), split over clusters here ---------------
COMPLAINT_OTHERS = (6, 2, 3)  # 11
COMPLAINT_OWN = (3, 1, 1)  # 5
AGREEMENT = (5, 3, 2)  # 10
BUYERS_OWN = (13, 3, 0)  # 16
BUYERS_OTHERS = (7, 2, 1)  # 10, the majority in Bat Trang
BUYER_HELP = (4, 1, 0)  # not published
INSPECTED = (8, 3, 3)  # 14
INSPECTED_TWICE = (3, 1, 0)  # 4
COMMUNE_LETTERS = (1, 1, 1)  # 3; the one DoNRE letter goes to a Bat Trang adopter
# 9 Japan, 6 Europe, 4 USA, 2 multinationals among the 16 firms of q12 (13 BT, 3 DK).
ORIGINS_BT = ("japan europe", "japan europe", "japan usa", "japan usa", *["japan"] * 5)
ORIGINS = (
    (*ORIGINS_BT, "europe", "europe", "usa", "multinational"),
    ("europe multinational", "europe", "usa"),
)
CONSTRAINTS = {"capital": 39, "knowledge": 17, "market": 13, "workers": 6}
CONSTRAINTS |= {"incentives": 5, "other": 5, "managers": 0}
CONSTRAINT_PRIORITY = {"capital": 6.0, "knowledge": 2.0, "market": 2.0, "workers": 1.2}
CONSTRAINT_PRIORITY |= {"incentives": 1.5, "other": 1.5, "managers": 1.0}
LAND = (
    "Thiếu mặt bằng sản xuất",
    "shortage of land",
    "Không có đất để xây lò mới",
    "thiếu mặt bằng",
    "no land to move the workshop out of the village",
)
SOURCES = {"buyers": 14, "other": 9, "trade_association": 8, "government": 7, "suppliers": 7}
SOURCES |= {"similar_firms": 5, "foreign_partners": 5, "research": 3, "consultants": 2}
SOURCES |= {"training": 1, "other_industries": 0}
MEDIA = (
    "television",
    "truyền hình (VTV)",
    "TV",
    "báo chí, truyền hình",
    "television programmes on the environment",
    "Đài truyền hình Hà Nội",
    "newspapers",
    "báo Lao Động",
    "radio",
)
RESPONDENTS = 40  # firms naming >= 1 knowledge source: 26 own + 11 partner + 3 both
AWARE = 18  # 35 % of 51
IMPORTANCE_SUM = 332  # mean 8.3 over the 40 respondents
INITIATORS = {"partner": 11, "both": 3}  # the other 26: own
LOCATIONS = {"abroad": 27, "village": 6, "province": 3}  # and vietnam: 38
VIETNAM = 38
SUPPORT = {  # q22: (often, occasionally); all others "never"
    "q22_equipment": (1, 6),
    "q22_compliance": (2, 10),
    "q22_banks": (1, 4),
    "q22_government": (0, 3),
}
SERIOUSNESS = {  # cluster sums of q01 (Figure 1 and Section 4)
    "q01_noise": (90, 86, 170),  # Van Phuc 8.50
    "q01_air": (93, 84, 116),
    "q01_water": (78, 96, 183),  # Dong Ky 6.00, Van Phuc 9.15
}
RESOURCES = (135, 112, 136)  # 383 / 51 = 7.51; high in Bat Trang, moderate elsewhere


# ---- helpers -------------------------------------------------------------------------------
def fit_integers(raw: ArrayLike, total: int, low: ArrayLike, high: ArrayLike) -> Ints:
    """Integers in [low, high] that sum to `total`, as close to `raw` as unit steps allow.

    The draws are rounded and clipped; then one unit at a time goes to (or comes from) the
    firm whose rounded value lies furthest below (above) its draw.
    """
    target = np.asarray(raw, dtype=np.float64)
    lo = np.broadcast_to(np.asarray(low, dtype=np.int64), target.shape)
    hi = np.broadcast_to(np.asarray(high, dtype=np.int64), target.shape)
    if not lo.sum() <= total <= hi.sum():
        raise ValueError(f"cannot fit a total of {total} within the bounds")
    values = np.clip(np.rint(target), lo, hi).astype(np.int64)
    while (gap := total - int(values.sum())) != 0:
        step = 1 if gap > 0 else -1
        room = np.flatnonzero(values < hi if step > 0 else values > lo)
        values[room[np.argmax((target[room] - values[room]) * step)]] += step
    return values


def scaled(raw: Floats, total: float) -> Floats:
    """Proportional rescaling to a sum of `total`."""
    return np.asarray(raw / raw.sum() * total, dtype=np.float64)


def shifted(raw: Floats, total: float) -> Floats:
    """Additive shift to a sum of `total` (for scores)."""
    return np.asarray(raw - raw.mean() + total / len(raw), dtype=np.float64)


def zscore(values: ArrayLike) -> Floats:
    x = np.asarray(values, dtype=np.float64)
    return np.asarray((x - x.mean()) / x.std(), dtype=np.float64)


def in_cluster(cluster: int) -> Mask:
    return np.equal(CLUSTER, cluster)


def members(cluster: int) -> Ints:
    return np.flatnonzero(in_cluster(cluster))


def choose(rng: np.random.Generator, pool: Mask, n: int, weight: ArrayLike) -> Mask:
    """Exactly `n` distinct firms of `pool`, drawn with probability proportional to weight."""
    candidates = np.flatnonzero(pool)
    picked = np.zeros(N, dtype=bool)
    if n == 0:
        return picked
    w = np.broadcast_to(np.asarray(weight, dtype=np.float64), (N,))[candidates]
    picked[rng.choice(candidates, size=n, replace=False, p=w / w.sum())] = True
    return picked


def per_cluster(rng: np.random.Generator, pool: Mask, counts: Sequence[int], w: ArrayLike) -> Mask:
    picked = np.zeros(N, dtype=bool)
    for c, n in enumerate(counts):
        picked |= choose(rng, pool & in_cluster(c), n, w)
    return picked


def top(score: Floats, pool: Mask, n: int) -> Mask:
    """The `n` firms of `pool` with the highest score."""
    candidates = np.flatnonzero(pool)
    picked = np.zeros(N, dtype=bool)
    picked[candidates[np.argsort(-score[candidates], kind="stable")[:n]]] = True
    return picked


def ordered(rng: np.random.Generator, items: Sequence[str], weight: dict[str, float]) -> list[str]:
    """A random order of `items`, heavier items earlier (Plackett-Luce draw)."""
    left, order = list(items), []
    while left:
        w = np.array([weight[item] for item in left])
        order.append(left.pop(int(rng.choice(len(left), p=w / w.sum()))))
    return order


@cache
def form_order(list_name: str) -> tuple[str, ...]:
    """Choice names of a list, in the order of the form (select_multiple answers use it)."""
    instrument = load_instrument("red-river-2007")
    return tuple(choice.name for choice in instrument.choices[list_name])


def money(units: int) -> str:
    """10,000 VND units as VND million, without trailing zeros."""
    return f"{units / 100:.2f}".rstrip("0").rstrip(".")


# ---- the firms -----------------------------------------------------------------------------
def build(rng: np.random.Generator) -> dict[str, list[str]]:
    years = np.zeros(N, dtype=np.int64)
    employees = np.zeros(N, dtype=np.int64)
    turnover = np.zeros(N, dtype=np.int64)  # 10,000 VND
    export = np.zeros(N, dtype=np.int64)  # 0.1 percentage point

    # Profile: size, age and sales, fitted to the Table 2 cluster sums.
    for c in range(3):
        idx = members(c)
        size = rng.lognormal(0.0, (0.7, 0.7, 0.45)[c], len(idx))
        low, high = EMPLOYEES_RANGE[c]
        employees[idx] = fit_integers(scaled(size, EMPLOYEES_SUM[c]), EMPLOYEES_SUM[c], low, high)
        age = np.exp(0.35 * zscore(np.log(size)) + rng.normal(0.0, 0.45, len(idx)))
        years[idx] = fit_integers(scaled(age, YEARS_SUM[c]), YEARS_SUM[c], 2, 45)
        sales = employees[idx] ** 0.8 * rng.lognormal(0.0, 0.3, len(idx))
        blocks = TURNOVER_SUM[c] // TURNOVER_STEP
        value = fit_integers(scaled(sales, blocks), blocks, 20, 10**6) * TURNOVER_STEP
        value[np.argmax(value)] += TURNOVER_SUM[c] - value.sum()  # e.g. 4xxx.05 million
        turnover[idx] = value

    # Exports: who exports goes with sales; shares fitted to the cluster means.
    exporter = np.zeros(N, dtype=bool)
    for c in range(3):
        exporter |= choose(rng, in_cluster(c), EXPORTERS[c], turnover.astype(float) ** 2)
    bt, dk = np.flatnonzero(exporter & in_cluster(0)), np.flatnonzero(exporter & in_cluster(1))
    raw = 100 - rng.gamma(2.0, 5.5, len(bt))
    pin = np.argmax(raw)  # the highest published share: 98 %
    rest = np.delete(np.arange(len(bt)), pin)
    export[bt[pin]] = 980
    export[bt[rest]] = 10 * fit_integers(shifted(raw[rest], EXPORT_SUM[0] - 98), 1245 - 98, 40, 98)
    raw = rng.uniform(35.0, 98.0, len(dk))
    pin = np.argmin(raw)  # the lowest published share: 2 %
    rest = np.delete(np.arange(len(dk)), pin)
    export[dk[pin]] = 20
    export[dk[rest]] = 10 * fit_integers(shifted(raw[rest], EXPORT_SUM[1] - 2), 592 - 2, 10, 98)
    export[exporter & in_cluster(2)] = VAN_PHUC_EXPORT

    # Propensity to adopt: sales, age (Table 5: YEARS), exports, and luck; within a cluster.
    propensity = rng.normal(0.0, 0.6, N) + export / 500
    for c in range(3):
        idx = members(c)
        propensity[idx] += zscore(np.log(turnover[idx])) + 0.8 * zscore(years[idx])
    installed = np.zeros(N, dtype=bool)
    spender = np.zeros(N, dtype=bool)
    for c in range(3):
        installed |= top(propensity, in_cluster(c), INSTALLERS[c])
        spender |= top(propensity, installed & in_cluster(c), SPENDERS[c])
    idle = installed & ~spender  # equipment from a demonstration project, no own outlay

    # Spending: cluster means of (capex + opex) / turnover hit Table 2; opex sums to 51 x 6.95;
    # the subsidised loans (q14) went to the largest spenders.
    spend = np.zeros(N, dtype=np.int64)
    loan = np.zeros(N, dtype=bool)
    for c in range(3):
        idx = np.flatnonzero(spender & in_cluster(c))
        weight = rng.lognormal(0.0, 0.35, len(idx)) * np.exp(0.25 * propensity[idx])
        ratio = scaled(weight, SPEND_RATIO_SUM[c])  # percent of turnover
        spend[idx] = np.rint(ratio * turnover[idx] / 100).astype(np.int64)
        loan |= top(spend.astype(float), spender & in_cluster(c), LOANS[c])
    idx = np.flatnonzero(spender)
    share = rng.uniform(0.45, 0.8, len(idx)) * spend[idx]
    low, high = np.ceil(0.2 * spend[idx]), np.floor(0.9 * spend[idx])
    opex = np.zeros(N, dtype=np.int64)
    opex[idx] = fit_integers(scaled(share, OPEX_TOTAL), OPEX_TOTAL, low, high)
    capex = spend - opex
    donre = top(employees.astype(float), spender & ~loan & in_cluster(0), 1)

    # Who introduced the equipment (q09): 10 own, 3 university, 2 cluster firm, 2 government.
    introducer = np.full(N, "", dtype=object)
    introducer[installed] = "own_initiative"
    introducer[idle & in_cluster(0)] = "university"
    introducer[idle & in_cluster(1)] = "government"
    introducer[donre] = "government"
    introducer[installed & in_cluster(2)] = "cluster_firm"
    open_bt = installed & in_cluster(0) & ~idle & ~donre
    university = choose(rng, open_bt, 2, 1.0)
    introducer[university] = "university"
    introducer[choose(rng, open_bt & ~university, 1, 1.0)] = "cluster_firm"

    equipment = np.full(N, "", dtype=object)
    for i in np.flatnonzero(installed):
        if CLUSTER[i] == 0:
            kit = {"lpg_kiln" if rng.random() < 0.75 else "electric_kiln"}
            kit |= {"chimney_filter"} if rng.random() < 0.25 else set()
            kit |= {"wastewater"} if donre[i] else set()
        elif CLUSTER[i] == 1:
            kit = {str(rng.choice(["spray_chamber", "drying_chamber"]))}
            kit |= {"chimney_filter"} if rng.random() < 0.3 else set()
        else:
            kit = {"wastewater"}
        equipment[i] = " ".join(name for name in form_order("equipment") if name in kit)

    # Community pressure (q03-q05).
    complaint = per_cluster(rng, np.ones(N, dtype=bool), COMPLAINT_OTHERS, 1.0 + installed)
    own = per_cluster(rng, complaint, COMPLAINT_OWN, np.sqrt(employees))
    agreement = per_cluster(rng, np.ones(N, dtype=bool), AGREEMENT, 1.0 + 2 * complaint + installed)

    # Buyers (q11-q13): direct pressure on exporters, mostly in Bat Trang.
    buyers_own = per_cluster(rng, exporter, BUYERS_OWN, export / 100.0)
    origin = np.full(N, "", dtype=object)
    for c in range(2):
        idx = np.flatnonzero(buyers_own & in_cluster(c))
        origin[idx] = np.asarray(ORIGINS[c], dtype=object)[rng.permutation(len(idx))]
    buyers_others = per_cluster(rng, np.ones(N, dtype=bool), BUYERS_OTHERS, 1.0 + exporter)
    buyer_help = per_cluster(rng, buyers_own, BUYER_HELP, 1.0 + installed)

    # Government (q14-q16): the DoNRE letter went to a large adopter inspected twice.
    inspected = donre.copy()
    twice = donre.copy()
    weight = 1.0 + 2 * installed + np.sqrt(employees) / 5
    counts = (INSPECTED[0] - 1, *INSPECTED[1:])
    inspected |= per_cluster(rng, ~donre, counts, weight)
    counts = (INSPECTED_TWICE[0] - 1, *INSPECTED_TWICE[1:])
    twice |= per_cluster(rng, inspected & ~donre, counts, 1.0)
    commune = per_cluster(rng, inspected & ~donre, COMMUNE_LETTERS, 1.0)

    # Constraints (q10, Table 3) and their ranks.
    chosen: list[list[str]] = [[] for _ in range(N)]
    affinity = {
        "capital": np.choose(CLUSTER, [1.0, 2.0, 3.0]) * np.where(loan, 0.3, 1.0),
        "knowledge": 1.0 + 2 * (~installed & (CLUSTER > 0)),
        "market": np.choose(CLUSTER, [1.0, 3.0, 2.0]),
        "workers": np.choose(CLUSTER, [2.0, 2.0, 1.0]),
        "incentives": 1.0 + 2 * installed,
        "other": np.choose(CLUSTER, [3.0, 0.2, 2.0]),
        "managers": np.ones(N),
    }
    for name, count in CONSTRAINTS.items():
        room = np.array([len(c) < 3 for c in chosen])
        for i in np.flatnonzero(choose(rng, room, count, affinity[name])):
            chosen[i].append(name)
    ranks = [ordered(rng, c, CONSTRAINT_PRIORITY) for c in chosen]

    # Knowledge (q17-q21, Table 4): 11 non-adopters without buyer pressure name no source.
    quiet = choose(rng, ~installed & ~buyers_own, N - RESPONDENTS, np.where(exporter, 1.0, 3.0))
    respondent = ~quiet
    aware = choose(rng, respondent, AWARE, 1.0 + 2 * installed + exporter)
    pull = {
        "buyers": 0.3 + 2 * exporter + 4 * buyers_own,
        "other": 1.0 + 2 * (~exporter | (CLUSTER == 2)),
        "trade_association": np.choose(CLUSTER, [2.0, 2.0, 1.0]),
        "government": 1.0 + (CLUSTER == 1) + loan + 3 * (introducer == "government"),
        "suppliers": 1.0 + installed,
        "similar_firms": 1.0 + (CLUSTER == 2) + 3 * (introducer == "cluster_firm"),
        "foreign_partners": 0.2 + 1.5 * exporter + 1.5 * (exporter & (CLUSTER == 0)),
        "research": 0.5 + 4 * (introducer == "university"),
        "consultants": 0.5 + exporter,
        "training": np.ones(N),
        "other_industries": np.ones(N),
    }
    source_names = list(SOURCES)
    remaining = dict(SOURCES)
    sources: list[set[str]] = [set() for _ in range(N)]
    for i in rng.permutation(np.flatnonzero(respondent)):
        w = np.array([pull[s][i] * remaining[s] for s in source_names])
        name = source_names[int(rng.choice(len(w), p=w / w.sum()))]
        sources[i].add(name)
        remaining[name] -= 1
    for name in sorted(source_names, key=lambda s: -remaining[s]):
        room = respondent & np.array([len(s) < 3 and name not in s for s in sources])
        for i in np.flatnonzero(choose(rng, room, remaining[name], pull[name])):
            sources[i].add(name)
    has = {s: np.array([s in found for found in sources]) for s in source_names}
    importance = np.zeros(N, dtype=np.int64)
    raw = rng.normal(8.3, 1.1, RESPONDENTS) + 0.4 * has["buyers"][respondent]
    importance[respondent] = fit_integers(shifted(raw, IMPORTANCE_SUM), IMPORTANCE_SUM, 4, 10)
    initiator = np.where(respondent, "own", "").astype(object)
    partner = choose(rng, respondent, INITIATORS["partner"], 1.0 + 2 * has["buyers"])
    initiator[partner] = "partner"
    initiator[choose(rng, respondent & ~partner, INITIATORS["both"], 1.0)] = "both"
    abroad_pull = 0.4 + 2 * (has["buyers"] | has["foreign_partners"]) + 1.5 * exporter
    where = {
        "abroad": choose(rng, respondent, LOCATIONS["abroad"], abroad_pull),
        "village": choose(rng, respondent, LOCATIONS["village"], 0.5 + 3 * has["similar_firms"]),
        "province": choose(
            rng,
            respondent,
            LOCATIONS["province"],
            0.5 + 2 * (has["government"] | has["trade_association"]),
        ),
    }
    elsewhere = where["abroad"] | where["village"] | where["province"]
    where["vietnam"] = respondent & ~choose(
        rng, respondent & elsewhere, RESPONDENTS - VIETNAM, 1.0 + where["abroad"]
    )

    # Help from local government (q22): rare; compliance information the usual reason.
    support_pull = {
        "q22_equipment": 1.0 + 3 * installed,
        "q22_compliance": 1.0 + 2 * inspected + agreement,
        "q22_banks": 1.0 + 8 * loan,
        "q22_government": 1.0 + agreement + (CLUSTER == 1),
    }
    support: dict[str, NDArray[np.object_]] = {}
    for question, (often, occasionally) in SUPPORT.items():
        sought = choose(rng, np.ones(N, dtype=bool), often + occasionally, support_pull[question])
        answer = np.full(N, "never", dtype=object)
        answer[sought] = "occasionally"
        answer[choose(rng, sought, often, 1.0)] = "often"
        support[question] = answer

    # Perceptions (q01, q02): Likert answers fitted to the cluster sums.
    likert: dict[str, Ints] = {}
    spread = {"q01_noise": (1.3, 1.3, 0.9), "q01_air": (1.3, 1.3, 1.3)}
    spread |= {"q01_water": (1.3, 1.3, 0.6), "q02_resources": (0.9, 1.2, 1.2)}
    for question, sums in (*SERIOUSNESS.items(), ("q02_resources", RESOURCES)):
        answer = np.zeros(N, dtype=np.int64)
        for c in range(3):
            idx = members(c)
            raw = rng.normal(sums[c] / len(idx), spread[question][c], len(idx))
            answer[idx] = fit_integers(shifted(raw, sums[c]), sums[c], 1, 10)
        likert[question] = answer

    # Ownership: one household workshop in Van Phuc, one co-operative in Bat Trang.
    ownership = np.full(N, "private", dtype=object)
    ownership[top(-employees.astype(float), in_cluster(2), 1)] = "household"
    ownership[top(years.astype(float), in_cluster(0), 1)] = "cooperative"

    # Identifiers and submission times in interview order.
    ids, times = [], []
    for c in range(3):
        days = rng.choice(INTERVIEW_DAYS[c], SIZES[c])
        minutes = rng.integers(8 * 60, 17 * 60, SIZES[c])
        for k, (day, minute) in enumerate(sorted(zip(days, minutes, strict=True))):
            ids.append(f"RR07-{CODES[c]}-{k + 1:02d}")
            times.append(f"2007-09-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00")

    def yes_no(mask: Mask, relevant: Mask | None = None) -> list[str]:
        return [
            "" if relevant is not None and not relevant[i] else ("yes" if mask[i] else "no")
            for i in range(N)
        ]

    def listed(names: list[set[str]] | list[list[str]], order: Sequence[str]) -> list[str]:
        return [" ".join(name for name in order if name in found) for found in names]

    def number(values: Ints, mask: Mask) -> list[str]:
        return [str(int(v)) if mask[i] else "" for i, v in enumerate(values)]

    land = iter(LAND)
    media = iter(MEDIA)
    return {
        "enterprise_id": ids,
        "cluster": [CLUSTERS[c] for c in CLUSTER],
        "cluster_other": [""] * N,
        "province": [PROVINCES[c] for c in CLUSTER],
        "ownership": list(ownership),
        "years_in_operation": [str(v) for v in years],
        "employees": [str(v) for v in employees],
        "turnover": [money(int(v)) for v in turnover],
        "export_share": [f"{v / 10:g}" for v in export],
        **{q: [str(v) for v in likert[q]] for q in likert},
        "q03_complaint_others": yes_no(complaint),
        "q04_complaint_own": yes_no(own, complaint),
        "q05_agreement": yes_no(agreement),
        "q06_installed": yes_no(installed),
        "q06_equipment": list(equipment),
        "q07_capex": [money(int(v)) for v in capex],
        "q08_opex": [money(int(v)) for v in opex],
        "q09_introduced_by": list(introducer),
        "q10_constraints": listed(chosen, form_order("constraint")),
        "q10_other": [next(land) if "other" in c else "" for c in chosen],
        **{f"q10_rank{k}": [r[k - 1] if len(r) >= k else "" for r in ranks] for k in (1, 2, 3)},
        "q11_buyers_ask_others": yes_no(buyers_others),
        "q12_buyers_consider_own": yes_no(buyers_own),
        "q12_buyer_origin": list(origin),
        "q13_buyer_help": yes_no(buyer_help),
        "q14_loan": yes_no(loan),
        "q15_inspections": [str(int(a) + int(b)) for a, b in zip(inspected, twice, strict=True)],
        "q16_warning_letters": [
            "donre_letter" if d else "commune_letter" if m else "none"
            for d, m in zip(donre, commune, strict=True)
        ],
        "q17_aware_clean_tech": yes_no(aware),
        "q18_knowledge_sources": listed(sources, form_order("knowledge_source")),
        "q18_other": [next(media) if "other" in s else "" for s in sources],
        "q19_partner_importance": number(importance, respondent),
        "q20_initiator": list(initiator),
        "q21_partner_location": [
            " ".join(p for p in form_order("partner_location") if where[p][i]) for i in range(N)
        ],
        **{q: list(support[q]) for q in SUPPORT},
        "_submission_time": times,
    }


# ---- output --------------------------------------------------------------------------------
HEADER = "".join(
    f"# {line}\n"
    for line in (
        "SYNTHETIC DATA: 51 invented enterprises; NOT the real microdata of the 2007 survey.",
        "Generated by tools/make_red_river_2007.py with numpy seed 2007 (rerun to reproduce).",
        "Calibrated so that plain recomputation reproduces the published aggregates of",
        f"{SOURCE}.",
        "Definitions and the published figures that contradict each other: README.md.",
    )
)


def check(columns: dict[str, list[str]]) -> None:
    """Fail loudly if a change of the draws broke a calibrated sum (the tests check all)."""

    def total(name: str, c: int | None = None) -> float:
        rows = range(N) if c is None else members(c)
        return sum(float(columns[name][i] or 0) for i in rows)

    def yes(name: str) -> int:
        return columns[name].count("yes")

    for c in range(3):
        assert total("years_in_operation", c) == YEARS_SUM[c]
        assert total("employees", c) == EMPLOYEES_SUM[c]
        assert round(total("turnover", c) * 100) == TURNOVER_SUM[c]
        ratios = [
            (float(columns["q07_capex"][i]) + float(columns["q08_opex"][i]))
            / float(columns["turnover"][i])
            for i in members(c)
        ]
        assert round(100 * sum(ratios) / SIZES[c], 2) == round(SPEND_RATIO_SUM[c] / SIZES[c], 2)
    assert round(total("q08_opex") * 100) == OPEX_TOTAL
    assert (yes("q06_installed"), yes("q14_loan"), yes("q12_buyers_consider_own")) == (17, 4, 16)
    assert round(total("q19_partner_importance")) == IMPORTANCE_SUM


def render(seed: int = SEED) -> str:
    """The full text of responses.csv."""
    columns = build(np.random.default_rng(seed))
    check(columns)
    header = list(load_instrument("red-river-2007").questions)
    if set(header) ^ set(columns) != {"_submission_time"}:
        raise RuntimeError("the columns built differ from the questions of the instrument")
    buffer = io.StringIO()
    buffer.write(HEADER)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*header, "_uuid", "_submission_time"])
    for i, enterprise in enumerate(columns["enterprise_id"]):
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"ecocluster:red-river-2007:{enterprise}")
        row = [columns[name][i] for name in header]
        writer.writerow([*row, str(key), columns["_submission_time"][i]])
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the file on disk")
    parser.add_argument("--output", type=Path, default=OUT / "responses.csv")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is not what {Path(__file__).name} writes", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
