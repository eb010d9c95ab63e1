"""Generate the synthetic RECP programme ``eip-pilot-zones``.

No enterprise-level data of Viet Nam's eco-industrial park project (MPI with UNIDO,
2015-2019) are public. This script invents a SYNTHETIC programme in the project's four
pilot zones, Khánh Phú and Gián Khẩu (Ninh Bình), Hòa Khánh (Đà Nẵng) and Trà Nóc 1 & 2
(Cần Thơ), that matches exactly the figures published for August 2017: 4 pilot zones, 68
registered enterprises, 43 of them audited and 650 cleaner-production options recommended
to those 43. Everything else (sectors, sizes, baselines, options, investments, savings,
statuses until mid-2019, the zones' readiness under Decree 35/2022) is invented and only
meant to be plausible; README.md lists the assumptions.

Method: the registered and audited enterprises per zone are fixed (`ZONES`); every other
number is drawn from ``numpy.random.default_rng(SEED)`` in a fixed order: sector, size and
dates of each enterprise; its baseline year from the sector's intensities; the number of
options of each audited enterprise (shares of 650, largest remainders); each option's
category, title, physical savings (a fraction of the baseline flow), money saving (the
savings at `PRICES`), investment (from a payback drawn per category) and status history.
Run ``.venv/bin/python tools/make_eip_example.py`` (``--check`` compares with the files on
disk); the output is byte for byte the same on every run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 20170831
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "ecocluster" / "data" / "examples" / "eip-pilot-zones"
NAME = "eip-pilot-zones"
CRITERIA = "vn-decree-35-2022"
#: The published programme totals as of August 2017 (seed 003: Tran, UNIDO Viet Nam).
REGISTERED, AUDITED, OPTIONS = 68, 43, 650
AS_OF = dt.date(2017, 8, 31)
#: Statuses are followed until the project's end; later events are not drawn.
STATUS_UNTIL = dt.date(2019, 6, 30)
PARK_DATE = "2023-06-30"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Sector:
    """A sector's typical plant: annual output and what one unit of output uses."""

    name: str
    label_vi: str
    unit: str
    output: tuple[float, float]  # annual production, log-uniform between
    electricity: float  # kWh per unit
    fuel: str  # carrier of data/recp/calorific_values.csv
    fuel_rate: float  # in FUEL_UNITS[fuel] per unit
    water: float  # m3 per unit
    raw: float  # t of raw materials per unit
    raw_price: float  # VND per t
    chemicals: float  # t per unit
    waste: float  # t of solid waste per unit
    refrigeration: bool = False


SECTORS = {
    s.name: s
    for s in (
        Sector("fertiliser and chemicals", "Phân bón và Hóa chất", "t", (40e3, 300e3),
               190, "coal", 0.75, 11, 0.55, 3.0e6, 0.008, 0.05),
        Sector("steel", "Thép", "t", (30e3, 200e3), 470, "fuel_oil", 0.03, 3, 1.08, 8.5e6,
               0.002, 0.12),
        Sector("construction materials", "Vật liệu Xây dựng", "t", (20e3, 250e3), 85, "coal",
               0.12, 0.8, 1.3, 0.45e6, 0.001, 0.03),
        Sector("garments", "May mặc", "pieces", (0.5e6, 6e6), 0.9, "coal", 0.0003, 0.015,
               0.00035, 90e6, 0.000002, 0.00004),
        Sector("footwear", "Giày da", "pairs", (0.5e6, 5e6), 1.1, "lpg", 0.006, 0.01, 0.0006,
               70e6, 0.00003, 0.0001),
        Sector("mechanical engineering", "Cơ khí", "t", (2e3, 25e3), 650, "lpg", 12, 2, 1.15,
               16e6, 0.005, 0.1),
        Sector("textile dyeing", "Dệt nhuộm", "t", (800, 6e3), 2800, "coal", 2.2, 110, 1.05,
               70e6, 0.12, 0.04),
        Sector("food and beverages", "Thực phẩm và Đồ uống", "t", (5e3, 60e3), 180,
               "fuel_oil", 0.025, 6, 1.2, 12e6, 0.002, 0.08, True),
        Sector("plastics and packaging", "Nhựa và Bao bì", "t", (2e3, 20e3), 950, "diesel", 5,
               1.5, 1.03, 30e6, 0.01, 0.03),
        Sector("seafood processing", "Chế biến Thủy sản", "t", (3e3, 20e3), 1300, "diesel",
               12, 22, 2.6, 25e6, 0.004, 1.4, True),
        Sector("rice milling", "Xay xát Lúa gạo", "t", (30e3, 150e3), 45, "biomass", 0.06,
               0.4, 1.5, 6e6, 0.0, 0.05),
        Sector("animal feed", "Thức ăn Chăn nuôi", "t", (30e3, 200e3), 40, "coal", 0.025,
               0.2, 1.02, 9e6, 0.001, 0.01),
        Sector("pharmaceuticals", "Dược phẩm", "t", (300, 2500), 2500, "diesel", 40, 45, 1.1,
               150e6, 0.3, 0.08, True),
    )
}  # fmt: skip

#: Code: (zone, province, registered, audited, {sector: weight}); sectors typical of the
#: zone as it is generally described, not a list of its real tenants.
ZONES = {
    "KP": ("Khánh Phú", "Ninh Bình", 15, 10, {
        "fertiliser and chemicals": 2, "steel": 3, "construction materials": 4,
        "food and beverages": 2, "mechanical engineering": 1}),
    "GK": ("Gián Khẩu", "Ninh Bình", 12, 7, {
        "garments": 4, "footwear": 3, "mechanical engineering": 3,
        "construction materials": 2}),
    "HK": ("Hòa Khánh", "Đà Nẵng", 22, 14, {
        "textile dyeing": 3, "garments": 3, "steel": 2, "food and beverages": 3,
        "plastics and packaging": 3, "mechanical engineering": 3}),
    "TN": ("Trà Nóc", "Cần Thơ", 19, 12, {
        "seafood processing": 5, "rice milling": 3, "animal feed": 3,
        "food and beverages": 2, "pharmaceuticals": 2, "plastics and packaging": 2}),
}  # fmt: skip

FUEL_UNITS = {"coal": "t", "fuel_oil": "t", "diesel": "L", "lpg": "kg", "biomass": "t"}
#: GJ per unit of FUEL_UNITS (the net calorific values of data/recp/calorific_values.csv).
FUEL_GJ = {"coal": 26.7, "fuel_oil": 40.4, "diesel": 43.0 / 1149, "lpg": 0.0473, "biomass": 11.6}
#: Assumed prices in 2017 VND per unit (electricity kWh, fuels in FUEL_UNITS, water and
#: wastewater m3, chemicals and waste t); raw materials are priced per sector.
PRICES = {
    "electricity": 1_700, "coal": 3_000_000, "fuel_oil": 9_500_000, "diesel": 12_500,
    "lpg": 17_000, "biomass": 900_000, "water": 11_000, "wastewater": 7_000,
    "chemicals": 20_000_000, "waste": 1_200_000,
}  # fmt: skip


@dataclass(frozen=True)
class Idea:
    """An option as auditors word it, and the flows it saves (``fuel``: the plant's own)."""

    title: str
    saves: tuple[str, ...]
    only: tuple[str, ...] = ()  # sectors it applies to (empty: all)


_REFRIGERATED = tuple(s.name for s in SECTORS.values() if s.refrigeration)
CATALOGUE: dict[str, tuple[Idea, ...]] = {
    "good_housekeeping": (
        Idea("Repair compressed-air leaks", ("electricity",)),
        Idea("Switch off idle machines and lighting between shifts", ("electricity",)),
        Idea("Repair steam traps and steam leaks", ("fuel",)),
        Idea("Fix leaking taps, hoses and valves", ("water",)),
        Idea("Sweep floors dry before washing them down", ("water", "waste")),
        Idea("Store and handle raw materials to cut spills and spoilage", ("raw",)),
        Idea("Weigh chemicals by recipe instead of dosing by eye", ("chemicals",)),
        Idea("Separate waste at source for sale and reuse", ("waste",)),
        Idea("Train operators in energy- and water-saving practice", ("electricity", "water")),
        Idea("Keep cold-store doors closed with strip curtains", ("electricity",), _REFRIGERATED),
    ),
    "input_material_change": (
        Idea("Buy better-graded raw materials with fewer rejects", ("raw", "waste")),
        Idea("Replace hazardous chemicals with safer, lower-dose ones", ("chemicals",)),
        Idea("Switch the boiler to rice husk", ("fuel_switch",)),
        Idea("Soften make-up water for boilers and cooling towers", ("fuel", "chemicals")),
    ),
    "better_process_control": (
        Idea("Tune boiler combustion with an oxygen analyser", ("fuel",)),
        Idea("Control process temperatures to their set points", ("fuel", "electricity")),
        Idea("Meter electricity and water by workshop", ("electricity", "water")),
        Idea("Dose chemicals from on-line measurements", ("chemicals",)),
        Idea("Plan production to cut start-ups and changeovers", ("electricity", "fuel", "raw")),
        Idea(
            "Raise refrigeration set points and defrost on demand", ("electricity",), _REFRIGERATED
        ),
        Idea(
            "Shift heavy loads out of peak hours and control the maximum demand", ("electricity",)
        ),
    ),
    "equipment_modification": (
        Idea("Install variable-speed drives on pumps and fans", ("electricity",)),
        Idea("Insulate steam pipes, valves and hot tanks", ("fuel",)),
        Idea("Replace fluorescent and high-bay lamps with LED", ("electricity",)),
        Idea("Replace rewound motors with high-efficiency motors", ("electricity",)),
        Idea("Fit spray nozzles and automatic shut-off to hoses", ("water",)),
        Idea("Recover heat from flue gas with an economiser", ("fuel",)),
        Idea("Fit capacitor banks and correct the power factor", ("electricity",)),
    ),
    "technology_change": (
        Idea("Replace the boiler with a high-efficiency boiler", ("fuel",)),
        Idea("Replace piston compressors with a variable-speed screw compressor", ("electricity",)),
        Idea("Install a high-efficiency chiller", ("electricity",), _REFRIGERATED),
        Idea("Preheat process water with solar collectors", ("fuel",)),
        Idea(
            "Replace the main production line with a more efficient one",
            ("electricity", "raw", "waste"),
        ),
    ),
    "onsite_recovery_reuse": (
        Idea("Return steam condensate to the boiler", ("fuel", "water")),
        Idea("Reuse rinse and cooling water", ("water", "pump")),
        Idea("Recover and reuse process chemicals", ("chemicals",)),
        Idea("Return production scrap to the process", ("raw", "waste")),
    ),
    "useful_byproduct": (
        Idea("Sell sorted scrap and offcuts to recyclers", ("waste",)),
        Idea("Sell processing residues as feed or fertiliser", ("waste",)),
        Idea("Burn dry residues in the boiler instead of buying fuel", ("fuel", "waste")),
    ),
    "product_modification": (
        Idea("Redesign the packaging to use less material", ("raw",)),
        Idea("Change the product specification to reduce rejects", ("raw", "waste")),
    ),
}
#: Share of the options in each category (all eight occur).
CATEGORY_WEIGHTS = {
    "good_housekeeping": 0.30, "input_material_change": 0.07, "better_process_control": 0.17,
    "equipment_modification": 0.18, "technology_change": 0.08, "onsite_recovery_reuse": 0.12,
    "useful_byproduct": 0.05, "product_modification": 0.03,
}  # fmt: skip
#: Category: (fraction of the baseline flow saved, log-uniform; payback years, log-uniform;
#: share with no investment; lifetime in years; chance of rejection).
ECONOMICS = {
    "good_housekeeping": ((0.002, 0.02), (0.05, 0.5), 0.6, 3, 0.04),
    "input_material_change": ((0.005, 0.04), (0.3, 2.0), 0.2, 5, 0.15),
    "better_process_control": ((0.005, 0.03), (0.3, 2.0), 0.2, 5, 0.08),
    "equipment_modification": ((0.01, 0.05), (0.8, 7.0), 0.0, 10, 0.15),
    "technology_change": ((0.03, 0.12), (3.0, 12.0), 0.0, 15, 0.35),
    "onsite_recovery_reuse": ((0.02, 0.10), (0.8, 7.0), 0.0, 8, 0.18),
    "useful_byproduct": ((0.05, 0.30), (0.2, 2.0), 0.3, 5, 0.12),
    "product_modification": ((0.005, 0.03), (0.5, 3.0), 0.3, 5, 0.2),
}
#: Flows saved more or less than the category's fraction: raw materials are most of a
#: plant's mass but options save little of them; water options save much.
ROLE_SCALE = {"raw": 0.1, "waste": 0.5, "water": 2.5}
#: Status: (days after the previous step, from, to; chance of reaching it).
STAGES = (("accepted", 20, 150, 0.85), ("implemented", 30, 330, 0.75), ("verified", 60, 270, 0.65))
REJECTIONS = (
    "payback too long for the owner",
    "no capital available for the investment this year",
    "the parent company did not approve the investment",
    "no space on site for the equipment",
    "risk to product quality judged too high by the customer",
    "no supplier of the equipment in Viet Nam",
    "production line to be moved out of the zone",
    "the product changed and the option no longer applies",
)


# ---------------------------------------------------------------- drawing
@dataclass
class Firm:
    code: str
    zone: str
    sector: Sector
    registered: dt.date
    audited: dt.date | None
    output: float = 0.0
    n_options: int = 0


def _days(start: dt.date, low: int, high: int, rng: np.random.Generator) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(low, high + 1)))


def _log_uniform(low: float, high: float, rng: np.random.Generator) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def _firms(rng: np.random.Generator) -> list[Firm]:
    """Every registered enterprise; the audited ones first in each zone."""
    firms = []
    for code, (zone, _, registered, audited, weights) in ZONES.items():
        names = list(weights)
        sectors = [names[k] for k in rng.permutation(_shares(list(weights.values()), registered))]
        for i, name in enumerate(sectors):
            sector = SECTORS[name]
            if i < audited:  # first wave 2015-16, audits until mid-2017
                joined = _days(dt.date(2015, 6, 1), 0, 540, rng)
                audit = min(_days(joined, 60, 300, rng), dt.date(2017, 7, 14))
            else:  # later registrations, or no audit (yet)
                joined, audit = _days(dt.date(2016, 3, 1), 0, 470, rng), None
            firm = Firm(f"{code}-{i + 1:02d}", zone, sector, joined, audit)
            firm.output = _log_uniform(*sector.output, rng)
            firms.append(firm)
    return firms


def _shares(weights: list[float], total: int) -> np.ndarray:
    """`total` items split by `weights` (largest remainders), as one index per item."""
    share = np.array(weights, float) / sum(weights) * total
    counts = np.floor(share).astype(int)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return np.repeat(np.arange(len(weights)), counts)


def _option_counts(firms: list[Firm], rng: np.random.Generator) -> None:
    """650 options shared among the audited firms: at least 5 each, the rest by weight
    (larger plants get more), largest remainders."""
    audited = [f for f in firms if f.audited]
    sizes = np.array([math.log(f.output / f.sector.output[0] + 1.0) for f in audited])
    weights = np.exp(rng.normal(0.0, 0.35, len(audited))) * (1.0 + sizes)
    counts = np.bincount(_shares(list(weights), OPTIONS - 5 * len(audited)), minlength=len(audited))
    for firm, count in zip(audited, counts, strict=True):
        firm.n_options = 5 + int(count)


def _baseline(firm: Firm) -> dict[str, float]:
    """Annual flows of the year before the audit, in the units written."""
    s, q = firm.sector, firm.output
    flows = {"production": q, "electricity": q * s.electricity, s.fuel: q * s.fuel_rate}
    flows |= {"water": q * s.water, "wastewater": q * s.water * 0.8}
    flows |= {"material:raw_materials": q * s.raw}
    if s.chemicals:
        flows["material:chemicals"] = q * s.chemicals
    flows["waste:solid"] = q * s.waste
    return flows


#: Savings columns of options.csv (``<flow>_<unit>``) and the decimals written.
SAVING_COLUMNS = {
    "electricity_kwh": 0, "coal_t": 1, "fuel_oil_t": 2, "diesel_l": 0, "lpg_kg": 0,
    "biomass_t": 1, "water_m3": 0, "wastewater_m3": 0, "material:raw_materials_t": 2,
    "material:chemicals_t": 3, "waste:solid_t": 1,
}  # fmt: skip
_FUEL_COLUMNS = {
    "coal": "coal_t", "fuel_oil": "fuel_oil_t", "diesel": "diesel_l", "lpg": "lpg_kg",
    "biomass": "biomass_t",
}  # fmt: skip
_ROLE_COLUMNS = {
    "electricity": "electricity_kwh", "water": "water_m3", "raw": "material:raw_materials_t",
    "chemicals": "material:chemicals_t", "waste": "waste:solid_t",
}  # fmt: skip
_ROLE_FLOWS = {
    "electricity": "electricity", "raw": "material:raw_materials",
    "chemicals": "material:chemicals", "waste": "waste:solid",
}  # fmt: skip


@dataclass
class Option:
    option_id: str
    firm: Firm
    category: str
    title: str
    savings: dict[str, float]
    money: float
    investment: float
    lifetime: int
    reason: str
    events: list[tuple[str, dt.date, str]]


def _applies(idea: Idea, firm: Firm) -> bool:
    s = firm.sector
    if idea.only and s.name not in idea.only:
        return False
    if "fuel_switch" in idea.saves:  # plants with a fossil-fired boiler
        return s.fuel in ("coal", "fuel_oil", "diesel")
    return not ("chemicals" in idea.saves and not s.chemicals)


def _savings(
    idea: Idea, firm: Firm, base: dict[str, float], fraction: float, rng: np.random.Generator
) -> tuple[dict[str, float], str]:
    """Physical savings (units of SAVING_COLUMNS) and the reason for a negative one."""
    out: dict[str, float] = {}
    reason = ""
    for role in idea.saves:
        share = fraction * ROLE_SCALE.get(role, 1.0) * float(np.exp(rng.normal(0.0, 0.25)))
        fuel = firm.sector.fuel
        if role == "fuel":
            out[_FUEL_COLUMNS[fuel]] = base[fuel] * share
        elif role == "fuel_switch":  # most of the boiler's fuel, replaced by rice husk
            saved = base[fuel] * rng.uniform(0.3, 0.7)
            out[_FUEL_COLUMNS[fuel]] = saved
            out["biomass_t"] = -saved * FUEL_GJ[fuel] / FUEL_GJ["biomass"] * 1.08
            reason = "burns rice husk instead of the fossil fuel saved"
        elif role == "pump":  # reusing water costs pumping
            out["electricity_kwh"] = -out["water_m3"] * rng.uniform(0.3, 0.6)
            reason = "the return pump uses electricity"
        elif role == "water":
            out["water_m3"] = base["water"] * share
            out["wastewater_m3"] = base["water"] * share * 0.8
        else:
            out[_ROLE_COLUMNS[role]] = base[_ROLE_FLOWS[role]] * share
    return out, reason


def _money(savings: dict[str, float], firm: Firm) -> float:
    """Annual money saved at PRICES (raw materials at the sector's price)."""
    prices = {c: PRICES[f] for f, c in _FUEL_COLUMNS.items()} | {
        "electricity_kwh": PRICES["electricity"], "water_m3": PRICES["water"],
        "wastewater_m3": PRICES["wastewater"], "material:chemicals_t": PRICES["chemicals"],
        "waste:solid_t": PRICES["waste"], "material:raw_materials_t": firm.sector.raw_price,
    }  # fmt: skip
    return sum(value * prices[column] for column, value in savings.items())


def _history(option: Option, recommended: dt.date, reject: float, rng: np.random.Generator) -> None:
    """recommended → accepted → implemented → verified, or rejected on the way; events
    after STATUS_UNTIL are not drawn (the option stays where it was)."""
    events = [("recommended", recommended, "")]
    rejected_at = int(rng.integers(0, 2)) if rng.random() < reject else -1
    reason = REJECTIONS[int(rng.integers(0, len(REJECTIONS)))]
    when = recommended
    for step, (status, low, high, onwards) in enumerate(STAGES):
        when = _days(when, low, high, rng)
        if step == rejected_at and when <= STATUS_UNTIL:
            events.append(("rejected", when, reason))
            break
        if when > STATUS_UNTIL or rng.random() > onwards:
            break
        events.append((status, when, ""))
    option.events = events


def _options(firms: list[Firm], rng: np.random.Generator) -> list[Option]:
    categories = list(CATEGORY_WEIGHTS)
    p = np.array(list(CATEGORY_WEIGHTS.values()))
    options: list[Option] = []
    for firm in (f for f in firms if f.audited):
        assert firm.audited is not None
        base = _baseline(firm)
        used: dict[str, int] = {}
        report = min(_days(firm.audited, 20, 45, rng), AS_OF)
        for number in range(1, firm.n_options + 1):
            ideas: list[Idea] = []
            while not ideas:
                category = categories[int(rng.choice(len(categories), p=p))]
                ideas = [i for i in CATALOGUE[category] if _applies(i, firm)]
            fresh = [i for i in ideas if i.title not in used] or ideas
            idea = fresh[int(rng.integers(0, len(fresh)))]
            used[idea.title] = used.get(idea.title, 0) + 1
            again = used[idea.title] > 1
            title = idea.title + (f" (workshop {used[idea.title]})" if again else "")
            (low, high), payback, free, life, reject = ECONOMICS[category]
            savings, reason = _savings(idea, firm, base, _log_uniform(low, high, rng), rng)
            savings = {k: _round(v, SAVING_COLUMNS[k]) for k, v in savings.items()}
            money = max(_money(savings, firm) * float(np.exp(rng.normal(0.0, 0.1))), 1e6)
            money = round(money, -5)
            invest = 0.0 if rng.random() < free else round(money * _log_uniform(*payback, rng), -6)
            option = Option(f"{firm.code}-O{number:02d}", firm, category, title, savings,
                            money, max(invest, 0.0), life, reason, [])  # fmt: skip
            if option.investment == 0 and rng.random() < 0.5 and category != "technology_change":
                option.lifetime = 0
            _history(option, report, reject, rng)
            options.append(option)
    return options


def _round(value: float, decimals: int) -> float:
    """Rounded as written; adding 0.0 turns -0.0 into 0.0 (written as empty)."""
    return round(value, decimals) + 0.0


# ---------------------------------------------------------------- writing
def _text(value: float, decimals: int = 0) -> str:
    """A number as written: fixed decimals, trailing zeros dropped, zero as empty."""
    if value == 0:
        return ""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _table(comments: Sequence[str], header: Sequence[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    for line in comments:
        buffer.write(f"# {line}\n" if line else "#\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return nfc(buffer.getvalue())


def _comments(what: str) -> list[str]:
    return [
        f"SYNTHETIC DATA: {what}; NOT records of real enterprises.",
        f"Generated by tools/make_eip_example.py with numpy seed {SEED} (rerun to reproduce).",
        "Matches the published totals of Viet Nam's EIP project as of August 2017 (4 pilot",
        "zones, 68 registered enterprises, 43 audited, 650 options recommended); everything",
        "else is invented. How it was made: README.md.",
    ]


def _enterprises(firms: list[Firm]) -> str:
    rows = [
        [f.code, nfc(f"Công ty {f.sector.label_vi} {f.code}"), f.zone, f.sector.name,
         f.registered.isoformat(), f.audited.isoformat() if f.audited else ""]
        for f in firms
    ]  # fmt: skip
    header = ["enterprise_id", "name", "zone", "sector", "registered", "audited"]
    return _table(_comments("68 invented enterprises in four pilot zones"), header, rows)


def _baselines(firms: list[Firm]) -> str:
    decimals = {"production": 0, "electricity": 0, "coal": 0, "fuel_oil": 1, "diesel": 0}
    decimals |= {"lpg": 0, "biomass": 0, "water": 0, "wastewater": 0}
    decimals |= {"material:raw_materials": 0, "material:chemicals": 1, "waste:solid": 1}
    rows = []
    for firm in (f for f in firms if f.audited):
        assert firm.audited is not None
        year = firm.audited.year - 1
        units = {"production": firm.sector.unit, "electricity": "kWh", "water": "m3"}
        units |= {"wastewater": "m3"} | FUEL_UNITS
        for flow, quantity in _baseline(firm).items():
            unit = units.get(flow, "t")
            value = _text(quantity, decimals[flow]) or "0"
            rows.append([firm.code, f"{year}-01-01", f"{year}-12-31", flow, value, unit])
    header = ["enterprise_id", "period_start", "period_end", "flow", "quantity", "unit"]
    return _table(_comments("invented baseline years of the 43 audited enterprises"),
                  header, rows)  # fmt: skip


def _options_csv(options: list[Option]) -> str:
    rows = []
    for o in options:
        cells = [
            o.option_id,
            o.firm.code,
            o.title,
            o.category,
            _text(o.investment) or "0",
            "VND",
            _text(o.money),
            str(o.lifetime) if o.lifetime else "",
            o.reason,
        ]
        cells += [_text(o.savings.get(c, 0.0), d) for c, d in SAVING_COLUMNS.items()]
        rows.append(cells)
    header = ["option_id", "enterprise_id", "title", "category", "investment", "currency"]
    header += ["annual_saving_money", "lifetime_years", "reason", *SAVING_COLUMNS]
    return _table(_comments("650 invented cleaner-production options"), header, rows)


def _status(options: list[Option]) -> str:
    rows = [[o.option_id, s, d.isoformat(), r] for o in options for s, d, r in o.events]
    header = ["option_id", "status", "date", "reason"]
    return _table(_comments("invented status histories until June 2019"), header, rows)


#: Zone: indicator → value ("" leaves it empty: not enough data). Hòa Khánh is nearly
#: ready, Gián Khẩu far; all invented.
PARKS = {
    "Hòa Khánh": {
        "investor_compliance_3y": "yes", "basic_services_provided": "yes",
        "symbiosis_support_services": "yes", "io_monitoring_mechanism": "yes",
        "annual_recp_report": "yes", "recp_applying_share": "31",
        "symbiosis_participation_share": "14",
    },
    "Trà Nóc": {
        "investor_compliance_3y": "yes", "basic_services_provided": "yes",
        "symbiosis_support_services": "yes", "io_monitoring_mechanism": "no",
        "annual_recp_report": "", "recp_applying_share": "24",
        "symbiosis_participation_share": "9",
    },
    "Khánh Phú": {
        "investor_compliance_3y": "yes", "basic_services_provided": "no",
        "symbiosis_support_services": "no", "io_monitoring_mechanism": "",
        "annual_recp_report": "no", "recp_applying_share": "12",
        "symbiosis_participation_share": "",
    },
    "Gián Khẩu": {
        "investor_compliance_3y": "", "basic_services_provided": "no",
        "symbiosis_support_services": "no", "io_monitoring_mechanism": "no",
        "annual_recp_report": "no", "recp_applying_share": "6",
        "symbiosis_participation_share": "0",
    },
}  # fmt: skip
PARK_SOURCE = "invented: zone board self-assessment (synthetic example)"


def _parks() -> str:
    """The park template of `CRITERIA`, filled for each zone, with a ``park`` column."""
    from ecocluster.eip import park_template

    template = park_template(CRITERIA)
    columns = list(template.columns)
    rows = []
    for zone in (z for z, *_ in ZONES.values()):
        values = PARKS[zone]
        for record in template.to_dict("records"):
            value = values[str(record["indicator"])]
            record |= {"value": value, "source": PARK_SOURCE if value else ""}
            record["date"] = PARK_DATE if value else ""
            rows.append([nfc(zone), *(str(record[c]) for c in columns)])
    comments = [
        f"SYNTHETIC DATA: the park template of {CRITERIA} filled with invented values for the",
        "four pilot zones, as a zone board might fill it in 2023; NOT the zones' real state.",
        'An empty value is data the board did not have ("not enough data"). README.md.',
    ]
    return _table(comments, ["park", *columns], rows)


def manifest() -> str:
    meta = {
        "name": NAME,
        "title": (
            "RECP programme in Viet Nam's four eco-industrial park pilot zones, 2015-2019 "
            "(synthetic, matching the totals published for August 2017)"
        ),
        "synthetic": True,
        "generator": "tools/make_eip_example.py",
        "seed": SEED,
        "zones": [nfc(zone) for zone, *_ in ZONES.values()],
        "provinces": [nfc(province) for _, province, *_ in ZONES.values()],
        "as_of": AS_OF.isoformat(),
        "status_until": STATUS_UNTIL.isoformat(),
        "published": {
            "zones": len(ZONES),
            "enterprises_registered": REGISTERED,
            "enterprises_audited": AUDITED,
            "options_recommended": OPTIONS,
        },
        "criteria": CRITERIA,
        "parks": "parks.csv",
        "source": (
            'Tran, P. T. (UNIDO Viet Nam), "Eco-industrial park initiatives in Vietnam", '
            "conference session 9: as of August 2017, 650 solutions recommended to 43 "
            "enterprises (out of 68 registered) in the four pilot industrial zones. Zone "
            "names: UNIDO and MPI press release, Hanoi, 12 June 2019 (un.org.vn), and Stucki "
            "et al. (2019), Sustainability 11(17), 4667. Everything else is invented "
            "(README.md)."
        ),
    }
    return json.dumps(meta, ensure_ascii=False, indent=2) + "\n"


def render() -> dict[str, str]:
    """Every generated file of the example, by name."""
    rng = np.random.default_rng(SEED)
    firms = _firms(rng)
    _option_counts(firms, rng)
    options = _options(firms, rng)
    return {
        "enterprises.csv": _enterprises(firms),
        "baselines.csv": _baselines(firms),
        "options.csv": _options_csv(options),
        "status.csv": _status(options),
        "parks.csv": _parks(),
        "programme.json": manifest(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    files = render()
    if args.check:
        stale = [
            name
            for name, content in files.items()
            if not (args.output / name).exists()
            or (args.output / name).read_bytes() != content.encode("utf-8")
        ]
        for name in stale:
            print(f"{args.output / name} is not what {Path(__file__).name} writes", file=sys.stderr)
        return 1 if stale else 0
    args.output.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (args.output / name).write_bytes(content.encode("utf-8"))
        print(f"wrote {args.output / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
