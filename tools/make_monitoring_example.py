"""Generate the synthetic monitoring campaign ``monitoring-red-river``.

No raw monitoring data of the craft villages is public. This script invents a SYNTHETIC
campaign for Bát Tràng, Vạn Phúc, Đồng Kỵ and Bình Yên whose exceedances agree with what
the publications report: in Bát Tràng dust at 3 to 3.5 times the standard and carbon
monoxide and SO2 at 1.5 to 2 times the limit (calibrated exactly, see below); dye effluent
with chromium, zinc, copper, BOD and COD in the Vạn Phúc stream and the Nhuệ river;
solvents and varnish (phenol, oil) in Đồng Kỵ's water; severe pollution around Bình Yên's
aluminium recycling yards. Every other magnitude is an assumption, listed in the README.

Method: each series (site x parameter x averaging period) has a typical level, a seasonal
factor (dry-season rounds in February and November are dirtier), a yearly trend and
log-normal noise drawn from ``numpy.random.default_rng(SEED)`` in a fixed order. The Bát
Tràng TSP, SO2 and CO series are then scaled by one factor each so that the mean of the
per-sample ratios to the limit in force equals the target; values are written in the
laboratory's own units ("mg/m3", "ppm", "µg/L", ...) and below a detection limit as
"<DL". Run ``.venv/bin/python tools/make_monitoring_example.py`` (``--check`` compares
with the files on disk); the output is byte for byte the same on every run.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 20140210
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "ecocluster" / "data" / "examples" / "monitoring-red-river"
MOLAR_VOLUME = 24.465  # L/mol at 25 °C and 101.325 kPa, as ecocluster.monitoring converts
MOLAR_MASS = {"co": 28.010, "so2": 64.066, "no2": 46.006}

#: Quarterly rounds 2014-2019 (all media); follow-up rounds 2022-2024 (surface water and
#: wastewater only), which straddle QCVN 08:2023/BTNMT taking effect on 2023-09-12.
MAIN_ROUNDS = [(year, month) for year in range(2014, 2020) for month in (2, 5, 8, 11)]
FOLLOW_UP_ROUNDS = [(year, month) for year in range(2022, 2025) for month in (5, 11)]
FOLLOW_UP_MEDIA = ("surface_water", "wastewater")
#: Soil is sampled once a year, in November, from 2016 (QCVN 03-MT:2015 took effect on
#: 2016-03-01; its predecessor is not in the bundled limits table).
SOIL_YEARS = (2016, 2017, 2018, 2019)
#: Dry-season rounds (February, November) are dirtier in air and, with low flows, in water.
SEASON = {
    "air": {2: 1.15, 5: 0.9, 8: 0.8, 11: 1.15},
    "water": {2: 1.25, 5: 0.95, 8: 0.75, 11: 1.05},
}
#: Bát Tràng targets: the mean of the per-sample ratios at the four village air sites,
#: 2014-2019, against QCVN 05:2013/BTNMT (TSP and SO2 24-hour, CO 8-hour limits).
TARGETS = {"tsp": (200.0, 3.25), "so2": (125.0, 1.75), "co": (10_000.0, 1.75)}
BAT_TRANG_AIR = ("BT-K1", "BT-K2", "BT-R1", "BT-H1")

#: Cluster: (name, approximate village centre lat, lon, first visiting day of the month).
CLUSTERS = {
    "BT": ("Bát Tràng", 20.9766, 105.9130, 8),
    "VP": ("Vạn Phúc", 20.9794, 105.7747, 14),
    "DK": ("Đồng Kỵ", 21.1370, 105.9500, 19),
    "BY": ("Bình Yên", 20.3390, 106.2000, 24),
}
#: Site: (cluster, metres east, metres north of the centre).
SITES = {
    "BT-K1": ("BT", -180, 260),  # kiln yards, north
    "BT-K2": ("BT", 320, 60),  # kiln yards, east
    "BT-R1": ("BT", -60, -120),  # village road by the ceramics market
    "BT-H1": ("BT", -420, -40),  # residential lane
    "BT-C1": ("BT", -650, 520),  # canal above the village
    "BT-C2": ("BT", 520, -560),  # canal below the village
    "VP-D1": ("VP", 150, 90),  # dye-house outfall to the village stream
    "VP-S1": ("VP", -380, 330),  # village stream above the dye houses
    "VP-S2": ("VP", 330, -180),  # village stream below the dye houses
    "VP-N1": ("VP", 720, -520),  # Nhuệ river below the stream's mouth
    "VP-L1": ("VP", -120, -60),  # weaving lanes (electric looms)
    "VP-H1": ("VP", -300, -330),  # residential lane
    "DK-W1": ("DK", 60, 120),  # sawing and carving workshops
    "DK-D1": ("DK", 260, -90),  # spray-painting and varnishing outfall
    "DK-C1": ("DK", -520, 360),  # drainage channel above the workshops
    "DK-C2": ("DK", 600, -480),  # drainage channel below, towards downstream villages
    "DK-G1": ("DK", -200, -260),  # shallow household well
    "DK-H1": ("DK", -330, 90),  # residential lane
    "BY-F1": ("BY", 40, 110),  # aluminium melting furnaces and casting yard
    "BY-D1": ("BY", 210, -80),  # casting and scrap-washing outfall
    "BY-R1": ("BY", 520, -420),  # Nam Ninh Hải river below the village
    "BY-Y1": ("BY", -120, 240),  # soil beside the recycling yards
    "BY-Y2": ("BY", -450, -300),  # rice field next to the yards
    "BY-H1": ("BY", -260, 20),  # residential lane
}


@dataclass(frozen=True)
class Series:
    """One site's measurements of one parameter over the rounds."""

    site: str
    medium: str
    parameter: str  # as the laboratory sheet names it
    key: str  # canonical id (for calibration and conversion)
    averaging: str
    klass: str
    level: float  # typical value, canonical unit (noise dB(A), pH units)
    spread: float  # log-normal sigma; for noise and pH the standard deviation
    trend: float = 1.0  # factor per year from 2014
    detection: float = 0.0  # detection limit, canonical unit
    background: float = 0.0  # share of rounds with no discharge (level / 40)


AIR, SW, WW, GW = "ambient_air", "surface_water", "wastewater", "groundwater"


def _air(
    site: str, tsp: float, pm10: float, so2: float, co: float, no2: float = 0.0
) -> list[Series]:
    """Ambient air at a site: TSP, PM10, SO2 and NO2 24-hour means, CO 8-hour means."""
    trend = 0.97 if site.startswith("BT") else 1.04 if site.startswith("BY") else 1.0
    wanted = [("TSP", "tsp", "24h", tsp), ("PM10", "pm10", "24h", pm10)]
    wanted += [("SO2", "so2", "24h", so2), ("CO", "co", "8h", co), ("NO2", "no2", "24h", no2)]
    spread = 0.2 if site.startswith("BT") else 0.25
    return [
        Series(site, AIR, name, key, avg, "", level, spread, trend)
        for name, key, avg, level in wanted
        if level
    ]


def _noise(site: str, day: float, night: float) -> list[Series]:
    """LAeq by day (6-21 h) and night (21-6 h) in an area of housing ("normal")."""
    return [
        Series(site, "noise", "LAeq", "noise_leq", "day_6_21", "normal", day, 2.5),
        Series(site, "noise", "LAeq", "noise_leq", "night_21_6", "normal", night, 2.5),
    ]


def _water(site: str, medium: str, klass: str, trend: float, **levels: float) -> list[Series]:
    """Grab samples of a water body or an outfall; detection limits from DETECTION."""
    spread = 0.4 if medium == WW else 0.35
    out = []
    for key, level in levels.items():
        name, detection = NAMES[key], DETECTION.get(key, 0.0)
        spread_here = 0.3 if key == "ph" else spread
        out.append(
            Series(site, medium, name, key, "grab", klass, level, spread_here, trend, detection)
        )
    return out


NAMES = {
    "ph": "pH", "bod5": "BOD5", "cod": "COD", "tss": "TSS", "nh4_n": "NH4+", "cr6": "Cr6+",
    "zn": "Zn", "cu": "Cu", "pb": "Pb", "cd": "Cd", "colour": "Colour", "phenol": "Phenol",
    "oil_grease": "Oil and grease", "mineral_oil": "Mineral oil",
    "permanganate_index": "Permanganate index",
}  # fmt: skip
DETECTION = {
    "cr6": 0.005, "zn": 0.01, "cu": 0.005, "pb": 0.002, "cd": 0.001, "nh4_n": 0.02,
    "phenol": 0.001, "oil_grease": 0.1,
}  # fmt: skip


def _series() -> list[Series]:
    """The sampling plan with its assumed levels (README.md, "Levels")."""
    plan: list[Series] = []
    # Bát Tràng: coal-fired kilns in back yards; TSP, SO2 and CO are rescaled afterwards.
    plan += _air("BT-K1", 720, 300, 250, 20_000, 70) + _noise("BT-K1", 67, 57)
    plan += _air("BT-K2", 680, 290, 231, 18_500)
    plan += _air("BT-R1", 620, 260, 206, 16_500, 80) + _noise("BT-R1", 72, 60)
    plan += _air("BT-H1", 580, 230, 188, 15_000) + _noise("BT-H1", 63, 52)
    plan += _water("BT-C1", SW, "B1", 1.0, bod5=12, cod=26, tss=48, nh4_n=0.8)
    plan += _water("BT-C2", SW, "B1", 1.0, bod5=19, cod=41, tss=125, nh4_n=1.2)
    # Vạn Phúc: about twenty dyeing households discharge untreated into the village stream.
    plan += _water(
        "VP-D1", WW, "B", 1.0, ph=9.4, bod5=150, cod=480, tss=180, colour=600, cr6=0.35,
        zn=5.0, cu=2.8,
    )  # fmt: skip
    plan += _water(
        "VP-S1", SW, "B1", 1.0, bod5=18, cod=38, tss=40, nh4_n=2.0, cr6=0.004, zn=0.25,
        cu=0.04,
    )  # fmt: skip
    plan += [
        Series("VP-S2", SW, "Cr6+", "cr6", "grab", "B1", 0.105, 0.35, 1.0, 0.005, 0.15),
        *_water("VP-S2", SW, "B1", 1.0, bod5=55, cod=130, tss=85, nh4_n=3.5, zn=3.2, cu=1.1),
    ]
    plan += _water(
        "VP-N1", SW, "B1", 1.0, bod5=32, cod=70, tss=70, nh4_n=4.0, cr6=0.06, zn=2.1, cu=0.7
    )
    plan += _noise("VP-L1", 76, 62)
    plan += _air("VP-H1", 230, 0, 70, 0) + _noise("VP-H1", 68, 57)
    # Đồng Kỵ: wood dust and sawing noise; solvents and varnish in the water.
    plan += _air("DK-W1", 420, 230, 0, 0) + _noise("DK-W1", 78, 58)
    plan += _water("DK-D1", WW, "B", 1.0, bod5=120, cod=420, tss=150, phenol=1.2, mineral_oil=18)
    plan += _water(
        "DK-C1", SW, "B1", 1.0, bod5=14, cod=35, tss=45, nh4_n=1.0, phenol=0.004, oil_grease=0.6
    )
    plan += _water(
        "DK-C2", SW, "B1", 1.0, bod5=40, cod=110, tss=90, nh4_n=2.2, phenol=0.045,
        oil_grease=2.8,
    )  # fmt: skip
    plan += _water("DK-G1", GW, "", 1.0, nh4_n=1.4, phenol=0.0015, permanganate_index=5.0)
    plan += _air("DK-H1", 260, 0, 0, 0) + _noise("DK-H1", 66, 53)
    # Bình Yên: aluminium scrap melted in open furnaces, acid washing, metals in soil.
    plan += _air("BY-F1", 560, 300, 260, 14_000)
    plan += _water("BY-D1", WW, "B", 1.04, ph=3.2, tss=320, cod=380, zn=14, pb=2.6, cu=4.5)
    plan += _water("BY-R1", SW, "B1", 1.04, ph=6.3, cod=75, tss=110, zn=2.4, pb=0.12, cd=0.018)
    plan += [
        Series("BY-Y1", "soil", NAMES[k], k, "grab", "residential", v, 0.3, 1.04)
        for k, v in (("pb", 520), ("zn", 1600), ("cu", 480), ("cd", 9.0))
    ]
    plan += [
        Series("BY-Y2", "soil", NAMES[k], k, "grab", "agricultural", v, 0.3, 1.04)
        for k, v in (("pb", 190), ("zn", 650), ("cu", 210), ("cd", 3.2))
    ]
    plan += _air("BY-H1", 320, 0, 140, 0) + _noise("BY-H1", 72, 60)
    return plan


# ---------------------------------------------------------------- laboratories and units
#: Laboratory A did the rounds of 2014-2016 and wrote gases in mg/m3; laboratory B did
#: 2017 onwards, with CO from a field analyser in ppm and NO2 in ppb.
LAB = {"A": "Laboratory A", "B": "Laboratory B"}
#: (lab, canonical id or medium) -> (unit as written, factor from the canonical unit, decimals)
UNITS = {
    ("A", "tsp"): ("mg/m3", 1e-3, 3),
    ("A", "so2"): ("mg/m3", 1e-3, 3),
    ("A", "co"): ("mg/m3", 1e-3, 2),
    ("A", "pm10"): ("µg/m³", 1.0, 0),
    ("A", "no2"): ("µg/m³", 1.0, 0),
    ("B", "tsp"): ("µg/m³", 1.0, 0),
    ("B", "pm10"): ("ug/m3", 1.0, 0),
    ("B", "so2"): ("ug/m3", 1.0, 0),
    ("B", "cr6"): ("µg/L", 1e3, 1),
    ("A", "soil"): ("ppm", 1.0, 1),
    ("B", "soil"): ("mg/kg", 1.0, 1),
}
DECIMALS = {
    "bod5": 1, "cod": 1, "tss": 1, "nh4_n": 2, "cr6": 3, "zn": 2, "cu": 3, "pb": 3,
    "cd": 3, "colour": 0, "phenol": 4, "oil_grease": 1, "mineral_oil": 1, "ph": 1,
    "permanganate_index": 1,
}  # fmt: skip
METHODS = {
    "tsp": "gravimetric, high-volume sampler",
    "pm10": "gravimetric, PM10 inlet",
    "so2": "pararosaniline (West-Gaeke)",
    "co": "non-dispersive infrared",
    "no2": "Griess-Saltzman",
    "noise_leq": "integrating sound level meter, class 1",
    "ph": "glass electrode",
    "bod5": "5-day dilution, 20 °C",
    "cod": "dichromate reflux",
    "tss": "filtration, gravimetric",
    "nh4_n": "phenate (indophenol blue)",
    "cr6": "1,5-diphenylcarbazide",
    "colour": "platinum-cobalt comparison",
    "phenol": "4-aminoantipyrine",
    "oil_grease": "hexane extraction, gravimetric",
    "mineral_oil": "hexane extraction, gravimetric",
    "permanganate_index": "permanganate oxidation",
    **dict.fromkeys(("zn", "cu", "pb", "cd"), "atomic absorption spectrometry"),
}


def _unit(series: Series, lab: str) -> tuple[str, float, int]:
    """The unit a laboratory writes, the factor from the canonical unit and the decimals."""
    if series.medium == "soil":
        return UNITS[(lab, "soil")]
    if (lab, series.key) in UNITS:
        return UNITS[(lab, series.key)]
    if series.key == "co":  # laboratory B: field analyser in ppm
        return "ppm", MOLAR_VOLUME / MOLAR_MASS["co"] / 1000, 1
    if series.key == "no2":
        return "ppb", MOLAR_VOLUME / MOLAR_MASS["no2"], 0
    if series.medium == "noise":
        return "dB(A)", 1.0, 1
    if series.key == "ph":
        return "pH", 1.0, 1
    if series.key == "colour":
        return "Pt-Co", 1.0, 0
    return "mg/L", 1.0, DECIMALS[series.key]


# ---------------------------------------------------------------- drawing
@dataclass
class Sample:
    series: Series
    time: str
    year: int
    lab: str
    value: float  # canonical unit, before calibration and rounding


def _rounds() -> list[tuple[int, int, bool]]:
    return [(y, m, False) for y, m in MAIN_ROUNDS] + [(y, m, True) for y, m in FOLLOW_UP_ROUNDS]


def _draw(plan: list[Series], rng: np.random.Generator) -> list[Sample]:
    """Every sample of every round, in the order of the file; draws in a fixed order."""
    samples: list[Sample] = []
    for year, month, follow_up in _rounds():
        lab = "A" if year <= 2016 else "B"
        for code, (_, _, _, first_day) in CLUSTERS.items():
            day = first_day + int(rng.integers(0, 3))
            sites = [site for site, where in SITES.items() if where[0] == code]
            for series in (s for s in plan if s.site.startswith(code)):
                if follow_up and series.medium not in FOLLOW_UP_MEDIA:
                    continue
                if series.medium == "soil" and (month != 11 or year not in SOIL_YEARS):
                    continue
                season = (
                    1.0
                    if series.medium == "soil"
                    else SEASON["air" if series.medium == AIR else "water"][month]
                )
                noise = rng.normal()
                years = year - 2014
                if series.medium == "noise" or series.key == "ph":
                    value = series.level + series.spread * noise
                elif series.background and rng.random() < series.background:
                    value = series.level / 40 * math.exp(0.5 * noise)  # no discharge that day
                else:
                    value = series.level * season * series.trend**years
                    value *= math.exp(series.spread * noise - series.spread**2 / 2)
                time = _time(year, month, day, series, sites.index(series.site))
                samples.append(Sample(series, time, year, lab, value))
    return samples


def _time(year: int, month: int, day: int, series: Series, position: int) -> str:
    """Start of the sampling: air and noise by the clock, grab samples on a walk from site
    to site (`position`: the site's place in the cluster's list)."""
    if series.averaging == "night_21_6":
        clock = "21:00"
    elif series.averaging == "day_6_21":
        clock = "06:00"
    elif series.averaging == "8h":
        clock = "08:00"
    elif series.averaging == "24h":
        clock = "07:00"
    else:
        minutes = 8 * 60 + 40 * position
        clock = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{year:04d}-{month:02d}-{day:02d} {clock}"


def _calibrate(samples: list[Sample]) -> dict[str, float]:
    """Scale the Bát Tràng village air series so their mean ratio equals the target."""
    factors = {}
    for key, (limit, target) in TARGETS.items():
        chosen = [s for s in samples if s.series.key == key and s.series.site in BAT_TRANG_AIR]
        factor = target / float(np.mean([s.value / limit for s in chosen]))
        for sample in chosen:
            sample.value *= factor
        factors[key] = factor
    return factors


def _written(sample: Sample) -> tuple[str, str, float]:
    """Value as written, its unit, and the value read back in the canonical unit."""
    unit, factor, decimals = _unit(sample.series, sample.lab)
    detection = sample.series.detection
    if detection and sample.value < detection:
        shown = _number(detection * factor, _places(detection * factor))
        return "<" + shown, unit, float(shown) / factor
    shown = _number(sample.value * factor, decimals)
    if float(shown) == 0:
        shown = _number(sample.value * factor, decimals + 1)
    return shown, unit, float(shown) / factor


def _places(value: float) -> int:
    return max(0, -math.floor(math.log10(value)))


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def achieved(samples: list[Sample]) -> dict[str, float]:
    """Mean per-sample ratio of each calibrated parameter, as the file reads back."""
    result = {}
    for key, (limit, _) in TARGETS.items():
        chosen = [s for s in samples if s.series.key == key and s.series.site in BAT_TRANG_AIR]
        result[key] = float(np.mean([_written(s)[2] / limit for s in chosen]))
    return result


def _coordinates(site: str) -> tuple[str, str]:
    code, east, north = SITES[site]
    _, lat, lon, _ = CLUSTERS[code]
    lat_site = lat + north / 110_574
    lon_site = lon + east / (111_320 * math.cos(math.radians(lat)))
    return f"{lat_site:.5f}", f"{lon_site:.5f}"


HEADER = (
    "site", "cluster", "lat", "lon", "time", "medium", "parameter", "value", "unit",
    "averaging", "class", "method", "laboratory",
)  # fmt: skip
COMMENTS = (
    "# SYNTHETIC DATA: an invented monitoring campaign; NOT measurements of these villages.",
    "# Generated by tools/make_monitoring_example.py with numpy seed {seed} (rerun to reproduce).",
    "# Calibrated to published facts (Bat Trang TSP 3-3.5x, CO and SO2 1.5-2x the limit; dye",
    "# metals, BOD and COD at Van Phuc; solvents at Dong Ky; aluminium recycling at Binh Yen).",
    "# Sites are placed around approximate village locations; dates and laboratories are",
    "# invented. How it was made and the exact targets: README.md.",
)


def render() -> tuple[str, dict[str, float]]:
    """The samples file and the achieved Bát Tràng ratios."""
    rng = np.random.default_rng(SEED)
    samples = _draw(_series(), rng)
    _calibrate(samples)
    buffer = io.StringIO()
    for line in COMMENTS:
        buffer.write(line.format(seed=SEED) + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for sample in samples:
        series = sample.series
        value, unit, _ = _written(sample)
        lat, lon = _coordinates(series.site)
        cluster = CLUSTERS[SITES[series.site][0]][0]
        method, laboratory = METHODS[series.key], LAB[sample.lab]
        if series.medium == "soil":
            method = "aqua regia digestion, " + method
        place = (series.site, cluster, lat, lon, sample.time, series.medium)
        what = (series.parameter, value, unit, series.averaging, series.klass, method, laboratory)
        writer.writerow((*place, *what))
    return buffer.getvalue(), achieved(samples)


def manifest() -> str:
    meta = {
        "name": "monitoring-red-river",
        "title": (
            "Air, water, noise and soil in four Red River Delta craft villages, 2014-2024 "
            "(synthetic, calibrated to published exceedances)"
        ),
        "synthetic": True,
        "samples": "samples.csv",
        "generator": "tools/make_monitoring_example.py",
        "seed": SEED,
        "clusters": [name for name, *_ in CLUSTERS.values()],
        "period": "2014-02/2024-11",
        "source": (
            "Konstadakopulos, D. (2009), Journal of Current Southeast Asian Affairs, Section 4 "
            "(Ha Noi DoNRE figures for Bat Trang); Konstadakopulos, D. (2008), Geographical "
            "Research 46(1), 51-61 (Van Phuc, Dong Ky); a report on Green Industry pilots for "
            "Viet Nam's Ministry of Industry and Trade (Binh Yen). Magnitudes beyond the "
            "published ratios are assumptions (README.md)."
        ),
    }
    return json.dumps(meta, ensure_ascii=False, indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text, ratios = render()
    files = {"samples.csv": text, "campaign.json": manifest()}
    if args.check:
        stale = [
            name
            for name, content in files.items()
            if not (args.output / name).exists()
            or (args.output / name).read_text(encoding="utf-8") != content
        ]
        for name in stale:
            print(f"{args.output / name} is not what {Path(__file__).name} writes", file=sys.stderr)
        return 1 if stale else 0
    args.output.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (args.output / name).write_text(content, encoding="utf-8", newline="")
        print(f"wrote {args.output / name}")
    print("Bát Tràng mean ratios:", ", ".join(f"{k} {v:.3f}" for k, v in ratios.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
