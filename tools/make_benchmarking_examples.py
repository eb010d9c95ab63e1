"""Generate the synthetic benchmarking examples ``eaf-steel-sector``,
``hoi-an-green-industry-2030`` and ``binh-yen-aluminium``.

Plant-level energy data of Vietnamese electric-arc-furnace (EAF) steel mills, the
indicators of Hội An's green-industry action plan and household energy records of Bình
Yên's aluminium-recycling workshops are not public. This script invents SYNTHETIC data of
plausible magnitude on which `ecocluster.benchmarking`, `ecocluster.roadmap` and
`ecocluster.targets` have realistic work to do:

* an EAF steel sector of 14 invented mills in provinces where EAF mills operate, reporting
  2019-2024 (production, electricity, burner fuel, electrodes, refractories, oxygen), a
  sectoral voluntary agreement (15% less final energy per t from 2020 to 2030), efficiency
  measures for a technology roadmap and an adoption plan 2025-2030; one plant-year carries
  a deliberately impossible energy figure so that the plausibility flag shows;
* the green-industry goals of the Hội An eco-city to 2030 and reported values 2020-2025;
* 32 invented household aluminium-remelting workshops of Bình Yên (Nam Trực, Nam Định),
  2023-2024, written with Vietnamese headers and fuel names (than, củi, LPG).

Method: each plant has a base intensity drawn uniformly in a stated range, a yearly trend
and noise; production is capacity × a drawn utilisation; quantities are rounded as a
plant would report them. Every range is an assumption, listed in the READMEs; none is
measured. Draws come from ``numpy.random.default_rng(SEED)`` in a fixed order. Run
``.venv/bin/python tools/make_benchmarking_examples.py`` (``--check`` compares with the
files on disk; ``--output DIR`` writes the three folders under DIR); the output is byte
for byte the same on every run.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SEED = 20250308
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "ecocluster" / "data" / "examples"
EAF, HOI_AN, BINH_YEN = "eaf-steel-sector", "hoi-an-green-industry-2030", "binh-yen-aluminium"
GENERATOR = "tools/make_benchmarking_examples.py"
GJ_PER_KWH = 0.0036
NG_GJ_PER_M3, DIESEL_GJ_PER_L, LPG_GJ_PER_T = 0.036, 43.0 / 1149, 47.3  # data/recp factors
COAL_GJ_PER_T, WOOD_GJ_PER_T = 26.7, 15.6

# --------------------------------------------------------------------- EAF steel
#: id, invented name, province, capacity (kt/yr), fuel of the burners, first year, band of
#: the 2019 electricity intensity (kWh/t).
EAF_PLANTS = (
    ("EAF01", "Thép Bắc Hải", "Hải Phòng", 1200, "natural_gas", 2019, (320, 340)),
    ("EAF02", "Thép Đình Vũ Xanh", "Hải Phòng", 500, "natural_gas", 2019, (380, 650)),
    ("EAF03", "Luyện thép Kinh Bắc", "Bắc Ninh", 150, "", 2019, (380, 650)),
    ("EAF04", "Thép Tiên Sơn", "Bắc Ninh", 250, "diesel", 2019, (380, 650)),
    ("EAF05", "Gang thép Sông Cầu", "Thái Nguyên", 400, "diesel", 2019, (380, 650)),
    ("EAF06", "Thép Lưu Xá Mới", "Thái Nguyên", 300, "", 2019, (380, 650)),
    ("EAF07", "Thép Phú Mỹ Xanh", "Bà Rịa–Vũng Tàu", 1500, "natural_gas", 2019, (325, 345)),
    ("EAF08", "Thép Cái Mép", "Bà Rịa–Vũng Tàu", 800, "natural_gas", 2019, (380, 650)),
    ("EAF09", "Thép Hạ Long", "Quảng Ninh", 350, "lpg", 2019, (380, 650)),
    ("EAF10", "Thép Liên Chiểu", "Đà Nẵng", 450, "lpg", 2019, (380, 650)),
    ("EAF11", "Thép Hòa Khánh Mới", "Đà Nẵng", 200, "", 2019, (380, 650)),
    ("EAF12", "Thép Tân Uyên", "Bình Dương", 600, "natural_gas", 2019, (380, 650)),
    ("EAF13", "Thép Phố Nối", "Hưng Yên", 120, "", 2019, (380, 650)),
    ("EAF14", "Thép Như Quỳnh", "Hưng Yên", 700, "natural_gas", 2021, (360, 420)),
)  # fmt: skip
EAF_YEARS = tuple(range(2019, 2025))
#: Sector-wide swing of utilisation by year (a dip in 2020 and 2023).
EAF_SWING = {2019: 1.0, 2020: 0.9, 2021: 0.97, 2022: 1.0, 2023: 0.88, 2024: 0.95}
#: The deliberate data-entry error: this plant-year's electricity is a third of the truth
#: and no fuel row is given, so its total energy is below the heat needed to melt iron.
IMPLAUSIBLE = ("EAF11", 2024)
#: Plants that report in kt and MWh (the others in t and kWh).
IN_KT = ("EAF01", "EAF07", "EAF08")
#: Plants that keep no cost records.
UNPRICED = ("EAF06", "EAF13")
#: Plants that report refractories and oxygen.
WITH_OXYGEN = ("EAF01", "EAF02", "EAF07", "EAF08", "EAF12", "EAF14")
EAF_PLANTS_HEADER = ("plant", "name", "sector", "process", "province", "capacity_t")
EAF_HEADER = ("plant", "year", "flow", "quantity", "unit", "cost", "currency", "note")
#: The plants committed in the agreement: plant → extra keys of its commitment.
COMMITMENTS: dict[str, str] = {
    "EAF01": "", "EAF02": "", "EAF04": "reduction = 0.20\n", "EAF05": "", "EAF07": "",
    "EAF08": "", "EAF09": "", "EAF10": "target_year = 2028\n", "EAF11": "", "EAF12": "",
    "EAF14": "baseline_year = 2021\n",
}  # fmt: skip
#: measure, label, carrier, saving, unit, investment USD/t capacity, O&M USD/t, lifetime,
#: applicability, source (empty: illustrative assumption), saving note.
_ASSUMED = "illustrative assumption"
_IIP = (
    "Saving: Institute for Industrial Productivity, Industrial Efficiency Technology "
    "Database, 'Scrap preheating' (http://ietd.iipnetwork.org/content/scrap-preheating), as "
    "in data/benchmarks/measures.csv; investment, O&M, lifetime, applicability: "
    "illustrative assumption"
)
EAF_MEASURES = (
    ("scrap_preheating", "Scrap preheating with furnace off-gas", "electricity", 30, "kWh/t",
     22, 0.3, 20, 0.6, _IIP,
     "Saving cited (range midpoint of 0.016-0.2 GJ/t); investment, O&M, lifetime and "
     "applicability illustrative assumptions"),
    ("foamy_slag", "Foamy slag practice", "electricity", 15, "kWh/t", 2, 0.4, 10, 0.8, "",
     "All values illustrative assumptions of plausible magnitude, not from a source"),
    ("uhp_transformer", "Ultra-high-power transformer", "electricity", 20, "kWh/t", 6, 0, 20,
     0.5, "", "All values illustrative assumptions of plausible magnitude, not from a source"),
    ("electrode_control", "Improved electrode regulation (process control)", "electricity", 12,
     "kWh/t", 1.5, 0.1, 10, 0.9, "",
     "All values illustrative assumptions of plausible magnitude, not from a source"),
    ("oxyfuel_burners", "Oxy-fuel burners", "electricity", 25, "kWh/t", 5, 0.9, 12, 0.5, "",
     "All values illustrative assumptions of plausible magnitude, not from a source; the "
     "extra burner fuel is counted in om_cost"),
    ("eccentric_bottom_tapping", "Eccentric bottom tapping", "electricity", 15, "kWh/t", 8,
     0, 20, 0.4, "",
     "All values illustrative assumptions of plausible magnitude, not from a source"),
    ("vsd_fans", "Variable-speed drives on off-gas fans", "electricity", 8, "kWh/t", 1.2,
     0.05, 12, 0.8, "",
     "All values illustrative assumptions of plausible magnitude, not from a source"),
    ("dc_arc_furnace", "Direct-current arc furnace (rebuild)", "electricity", 35, "kWh/t",
     55, 0, 25, 0.3, "",
     "All values illustrative assumptions of plausible magnitude, not from a source"),
    ("ladle_preheating", "Efficient ladle preheating (recuperative burners)", "fuel", 0.05,
     "GJ/t", 0.6, 0, 10, 0.7, "",
     "All values illustrative assumptions of plausible magnitude, not from a source"),
    ("ladle_covers", "Ladle and tundish covers", "fuel", 0.02, "GJ/t", 0.1, 0.02, 5, 0.9, "",
     "All values illustrative assumptions of plausible magnitude, not from a source"),
)  # fmt: skip
MEASURE_HEADER = (
    "sector", "measure", "label", "process", "carrier", "saving", "saving_unit", "investment",
    "investment_unit", "om_cost", "om_cost_unit", "lifetime_years", "applicability",
    "cost_year", "source", "notes",
)  # fmt: skip
#: measure, start year, end year, start share, end share of the sector's production.
EAF_ROADMAP = (
    ("foamy_slag", 2025, 2027, 0.3, 0.8),
    ("electrode_control", 2025, 2028, 0.2, 0.9),
    ("vsd_fans", 2025, 2030, 0.1, 0.8),
    ("scrap_preheating", 2026, 2030, 0.0, 0.4),
    ("oxyfuel_burners", 2025, 2030, 0.2, 0.5),
    ("uhp_transformer", 2027, 2030, 0.1, 0.4),
    ("ladle_covers", 2025, 2026, 0.3, 0.9),
    ("ladle_preheating", 2026, 2030, 0.1, 0.6),
)


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]], comment: str = "") -> str:
    buffer = io.StringIO()
    buffer.write(comment)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[str(c) for c in row] for row in rows])
    return buffer.getvalue()


def _sig(value: float, digits: int = 3) -> float:
    """`value` rounded to `digits` significant figures."""
    if value <= 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(value)))


def _text(value: float) -> str:
    """A number as a plant writes it: no trailing zeros, no exponent."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _eaf(rng: np.random.Generator) -> dict[str, str]:
    plants, reports = [], []
    for plant, name, province, capacity, fuel, first, band in EAF_PLANTS:
        plants.append([plant, name, "eaf_steel", "eaf", province, capacity * 1000])
        base = rng.uniform(*band)
        trend = rng.uniform(-0.03, 0.004)
        utilisation = rng.uniform(0.6, 0.85)
        fuel_gj = rng.uniform(0.22, 0.4) if fuel else 0.0
        price = rng.uniform(0.068, 0.082)  # USD/kWh paid
        electrode = rng.uniform(1.6, 3.2)  # kg/t
        refractory = rng.uniform(3.0, 8.0)  # kg/t
        oxygen = rng.uniform(25, 40)  # Nm3/t
        for year in EAF_YEARS:
            noise = rng.normal(1.0, 0.015, size=4)
            if year < first:
                continue
            made_t = capacity * 1000 * min(0.98, utilisation * EAF_SWING[year] * noise[0])
            kwh_t = base * (1 + trend) ** max(0, year - 2020) * noise[1]
            priced = plant not in UNPRICED
            if (plant, year) == IMPLAUSIBLE:
                kwh_t /= 3
            kt = plant in IN_KT
            made = f"{_sig(made_t / 1000, 4):g}" if kt else f"{round(made_t, -1):.0f}"
            reports.append([plant, year, "production", made, "kt" if kt else "t", "", "", ""])
            kwh = kwh_t * made_t
            cost = _text(round(kwh * price * noise[2], -2)) if priced else ""
            amount = f"{round(kwh / 1000):.0f}" if kt else f"{round(kwh, -3):.0f}"
            reports.append([plant, year, "electricity", amount, "MWh" if kt else "kWh", cost,
                            "USD" if priced else "", ""])  # fmt: skip
            if fuel and (plant, year) != IMPLAUSIBLE:
                gj = fuel_gj * made_t * noise[3]
                quantity, unit, per_gj = {
                    "natural_gas": (round(gj / NG_GJ_PER_M3, -2), "m3", 9.5),
                    "diesel": (round(gj / DIESEL_GJ_PER_L, -2), "L", 21.0),
                    "lpg": (round(gj / LPG_GJ_PER_T, 1), "t", 17.0),
                }[fuel]
                cost = _text(round(gj * per_gj, -2)) if priced else ""
                reports.append([plant, year, fuel, _text(quantity), unit, cost,
                                "USD" if priced else "", ""])  # fmt: skip
            kg = electrode * made_t * noise[2]
            cost = _text(round(kg * 4.5, -2)) if priced else ""
            reports.append([plant, year, "electrode", _text(_sig(kg / 1000, 3)), "t", cost,
                            "USD" if priced else "", ""])  # fmt: skip
            if plant in WITH_OXYGEN:
                reports.append([plant, year, "refractory", _text(_sig(refractory * made_t, 3)),
                                "kg", "", "", ""])  # fmt: skip
                reports.append([plant, year, "oxygen", _text(_sig(oxygen * made_t, 3)), "Nm3",
                                "", "", ""])  # fmt: skip
    measures = [
        ["eaf_steel", m, label, "ladle" if carrier == "fuel" else "eaf", carrier, _text(saving),
         unit, _text(invest), "USD/t", _text(om) if om else "", "USD/t" if om else "", life,
         _text(share), 2024, source or _ASSUMED, notes]
        for m, label, carrier, saving, unit, invest, om, life, share, source, notes
        in EAF_MEASURES
    ]  # fmt: skip
    return {
        "plants.csv": _csv(EAF_PLANTS_HEADER, plants, EAF_COMMENT),
        "reports.csv": _csv(EAF_HEADER, reports, EAF_COMMENT),
        "measures.csv": _csv(MEASURE_HEADER, measures, MEASURES_COMMENT),
        "roadmap.csv": _csv(
            ("measure", "start_year", "end_year", "start_share", "end_share"),
            [[m, a, b, _text(s), _text(e)] for m, a, b, s, e in EAF_ROADMAP],
            ROADMAP_COMMENT,
        ),
        "agreement.toml": _agreement(),
        "benchmarking.json": _manifest(EAF_META),
    }


def _agreement() -> str:
    head = (
        "# SYNTHETIC: an illustrative sectoral voluntary agreement of invented EAF mills, "
        f"made by {GENERATOR}.\n"
        "# No such agreement has been signed; the shape follows the Green Industry pilot "
        "(benchmarking, sectoral voluntary agreement, technology roadmap).\n"
        "[agreement]\n"
        'name = "EAF steel energy-efficiency voluntary agreement 2020-2030 (illustrative)"\n'
        'sector = "eaf_steel"\n'
        'indicator = "final_energy"\n'
        'unit = "GJ/t"\n'
        "baseline_year = 2020\n"
        "target_year = 2030\n"
        "reduction = 0.15\n"
        'source = "synthetic example (tools/make_benchmarking_examples.py); not a signed '
        'agreement"\n'
    )
    return head + "".join(
        f'\n[[commitment]]\nplant = "{plant}"\n{extra}' for plant, extra in COMMITMENTS.items()
    )


EAF_COMMENT = (
    "# SYNTHETIC DATA: invented EAF steel mills, no number measured; made by "
    f"{GENERATOR} (seed {SEED}). See README.md.\n"
)
MEASURES_COMMENT = (
    "# Efficiency measures for the synthetic EAF roadmap. Only the scrap-preheating saving "
    "is cited; every other value is an illustrative assumption (see source and notes).\n"
)
ROADMAP_COMMENT = "# SYNTHETIC: an illustrative adoption plan 2025-2030 (share of production).\n"
EAF_META = {
    "name": EAF,
    "title": "Electric-arc-furnace steel sector: 14 mills benchmarked, a voluntary agreement "
    "and a technology roadmap (synthetic)",
    "kind": "sector",
    "synthetic": True,
    "currency": "USD",
    "source": "Invented mills in provinces where EAF steel is made; quantities, costs, the "
    "agreement and the roadmap are assumptions of plausible magnitude (README.md), none "
    "measured. Benchmarks: data/benchmarks/benchmarks.csv (cited). Modelled on the EAF "
    "benchmarking, sectoral voluntary agreement and technology roadmap pilot of the Green "
    "Industry policy framework for Viet Nam.",
    "generator": GENERATOR,
    "seed": SEED,
    "files": {
        role: f"{role}.toml" if role == "agreement" else f"{role}.csv"
        for role in ("plants", "reports", "measures", "roadmap", "agreement")
    },
    "prices": {"electricity": 0.075, "fuel": 10.0},
    "price_note": "Assumed prices: electricity USD 0.075 per kWh, fuel USD 10 per GJ.",
    "discount_rate": 0.1,
    "roadmap_years": [2025, 2030],
}

# --------------------------------------------------------------------- Hội An
#: goal, indicator, unit, baseline, target, direction, pace (share of the straight line
#: achieved by 2025; None: nothing reported).
HOI_AN_GOALS = (
    ("energy_intensity", "final energy per unit of industrial value added",
     "kWh/million VND", 52.0, 41.6, "decrease", 1.2),
    ("water_intensity", "water withdrawn per unit of industrial value added",
     "m3/million VND", 1.8, 1.35, "decrease", 0.55),
    ("co2e_intensity", "CO2e per unit of industrial value added", "kg/million VND", 31.0,
     24.8, "decrease", 0.8),
    ("craft_cleaner_production", "share of craft workshops applying cleaner production",
     "%", 12.0, 60.0, "increase", 1.1),
    ("wastewater_treated", "industrial and craft wastewater treated to QCVN 40:2011",
     "%", 45.0, 100.0, "increase", 0.7),
    ("solid_waste_recycled", "industrial solid waste recycled or reused", "%", 22.0, 50.0,
     "increase", 2.3),
    ("rooftop_solar", "rooftop solar at industrial and craft premises", "MWp", 0.4, 10.0,
     "increase", None),
)  # fmt: skip
HOI_AN_YEARS = tuple(range(2020, 2026))
GOALS_HEADER = (
    "goal", "region", "indicator", "unit", "baseline_year", "baseline_value", "target_year",
    "target_value", "direction", "source",
)  # fmt: skip


def _hoi_an(rng: np.random.Generator) -> dict[str, str]:
    goals, progress = [], []
    source = "synthetic (tools/make_benchmarking_examples.py); not the action plan's figures"
    for goal, indicator, unit, base, target, direction, pace in HOI_AN_GOALS:
        goals.append([goal, "Hội An", indicator, unit, 2020, _text(base), 2030, _text(target),
                      direction, source])  # fmt: skip
        if pace is None:
            continue
        for year in HOI_AN_YEARS:
            done = pace * (year - 2020) / 10
            value = base + (target - base) * done
            value *= rng.normal(1.0, 0.006) if year > 2020 else 1.0
            if unit == "%":
                value = min(100.0, value)
            progress.append([goal, year, _text(_sig(value, 3))])
    return {
        "goals.csv": _csv(GOALS_HEADER, goals, HOI_AN_COMMENT),
        "progress.csv": _csv(("goal", "year", "value"), progress, HOI_AN_COMMENT),
        "benchmarking.json": _manifest(HOI_AN_META),
    }


HOI_AN_COMMENT = (
    "# SYNTHETIC DATA: the Hội An eco-city 2030 goal is real, these numbers are invented; "
    f"made by {GENERATOR} (seed {SEED}). See README.md.\n"
)
HOI_AN_META = {
    "name": HOI_AN,
    "title": "Hội An eco-city: green-industry goals to 2030 and progress 2020-2025 (synthetic)",
    "kind": "city",
    "synthetic": True,
    "currency": "VND",
    "source": "Hội An's determination to become an eco-city by 2030 and its Green Industry "
    "Action Plan are real (Green Industry policy framework pilots for Viet Nam); the goals' "
    "baselines, targets and reported values are invented (README.md).",
    "generator": GENERATOR,
    "seed": SEED,
    "files": {"goals": "goals.csv", "progress": "progress.csv"},
}

# --------------------------------------------------------------------- Bình Yên
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Đoàn")
MIDDLE = ("Văn", "Thị", "Đức", "Hữu", "Minh")
GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương",
    "Khánh", "Lan", "Long", "Mai", "Minh", "Nam", "Ngọc", "Phúc", "Quang", "Sơn", "Tâm",
    "Thắng", "Thành", "Thịnh", "Trung", "Tuấn", "Vinh", "Xuân",
)  # fmt: skip
#: Workshops by kind of furnace: (count, fuel mix, band of melting efficiency).
BINH_YEN_KINDS = (
    (22, ("than",), (0.10, 0.22)),
    (5, ("than", "củi"), (0.10, 0.18)),
    (5, ("LPG",), (0.20, 0.30)),
)
#: Heat to melt a tonne of aluminium with some superheat (the 1.01 MMBtu per short ton of
#: the bundled best-practice row, in GJ per metric tonne).
MELT_GJ_PER_T = 1.1746
BINH_YEN_PLANTS_HEADER = ("Mã", "Tên", "Ngành", "Công đoạn", "Tỉnh", "Công suất")
BINH_YEN_HEADER = ("Mã", "Năm", "Hạng mục", "Số lượng", "Đơn vị", "Chi phí", "Đơn vị tiền",
                   "Ghi chú")  # fmt: skip


def _binh_yen(rng: np.random.Generator) -> dict[str, str]:
    plants, reports, taken = [], [], set()
    number = 0
    for count, fuels, band in BINH_YEN_KINDS:
        for _ in range(count):
            number += 1
            plant = f"BY{number:02d}"
            while True:
                name = "Hộ " + " ".join(str(rng.choice(w)) for w in (FAMILY, MIDDLE, GIVEN))
                if name not in taken:
                    break
            taken.add(name)
            capacity = _sig(math.exp(rng.uniform(math.log(60), math.log(600))), 2)
            plants.append([plant, name, "Aluminium remelting", "remelting", "Nam Định",
                           _text(capacity)])  # fmt: skip
            efficiency = rng.uniform(*band)
            wood = rng.uniform(0.15, 0.35)  # share of heat from firewood
            kwh_t = rng.uniform(40, 120)
            utilisation = rng.uniform(0.55, 0.9)
            for year in (2023, 2024):
                made = _sig(capacity * utilisation * rng.normal(1.0, 0.05), 3)
                heat = made * MELT_GJ_PER_T / (efficiency * rng.normal(1.0, 0.03))
                reports.append([plant, year, "sản lượng", _text(made), "tấn", "", "", ""])
                kwh = round(kwh_t * made, -1)
                reports.append([plant, year, "điện", _text(kwh), "kWh",
                                _text(round(kwh * 2_000, -3)), "VND", ""])  # fmt: skip
                if fuels == ("LPG",):
                    kg = round(heat / LPG_GJ_PER_T * 1000, -1)
                    reports.append([plant, year, "LPG", _text(kg), "kg",
                                    _text(round(kg * 26_000, -4)), "VND", ""])  # fmt: skip
                    continue
                share = wood if "củi" in fuels else 0.0
                coal = round(heat * (1 - share) / COAL_GJ_PER_T, 1)
                cost = _text(round(coal * 3_800_000, -4))
                reports.append([plant, year, "than", _text(coal), "tấn", cost, "VND", "than cám"])
                if share:
                    firewood = round(heat * share / WOOD_GJ_PER_T, 1)
                    cost = _text(round(firewood * 1_400_000, -4))
                    reports.append([plant, year, "củi", _text(firewood), "tấn", cost, "VND", ""])
    return {
        "plants.csv": _csv(BINH_YEN_PLANTS_HEADER, plants, BINH_YEN_COMMENT),
        "reports.csv": _csv(BINH_YEN_HEADER, reports, BINH_YEN_COMMENT),
        "benchmarking.json": _manifest(BINH_YEN_META),
    }


BINH_YEN_COMMENT = (
    "# DỮ LIỆU TỔNG HỢP (SYNTHETIC DATA): hộ sản xuất và số liệu là giả định, không phải số "
    f"đo; tạo bởi {GENERATOR} (seed {SEED}). Invented workshops; see README.md.\n"
)
BINH_YEN_META = {
    "name": BINH_YEN,
    "title": "Bình Yên aluminium-recycling village: 32 household remelting workshops (synthetic)",
    "kind": "craft-village",
    "synthetic": True,
    "currency": "VND",
    "source": "The village (Bình Yên, Nam Trực, Nam Định) and its aluminium-scrap recycling "
    "into cookware are real (Green Industry policy framework pilots for Viet Nam); the "
    "workshops and every quantity are invented (README.md). Benchmarks: "
    "data/benchmarks/benchmarks.csv (cited).",
    "generator": GENERATOR,
    "seed": SEED,
    "files": {"plants": "plants.csv", "reports": "reports.csv"},
}


def _manifest(meta: dict[str, object]) -> str:
    return json.dumps(meta, ensure_ascii=False, indent=2) + "\n"


def render() -> dict[str, dict[str, str]]:
    """Every file of the three examples: folder → file name → text."""
    rng = np.random.default_rng(SEED)
    return {EAF: _eaf(rng), HOI_AN: _hoi_an(rng), BINH_YEN: _binh_yen(rng)}


def main(argv: Sequence[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generated_files import run

    description = (__doc__ or "").splitlines()[0]
    return run(render, OUT, Path(__file__).name, description, argv)


if __name__ == "__main__":
    sys.exit(main())
