"""Generate the synthetic symbiosis examples ``symbiosis-craft-village`` and
``symbiosis-industrial-zone``.

No firm-level register of wastes, by-products and needs is public for a Vietnamese craft
village or industrial zone. This script invents two SYNTHETIC clusters on which the
symbiosis functions (`read_streams`, `candidate_exchanges`, `plan_exchanges`,
`allocate_costs`) have realistic work to do:

* a cluster of Red River delta craft villages within about 25 km of one another, placed
  at the approximate real locations of Bát Tràng and Kim Lan (ceramics), Đồng Kỵ and
  Phù Khê (wood), Vạn Phúc (silk) and neighbouring communes, with invented workshops,
  brick kilns, mushroom, pig and fish farms, tofu makers, boiler users and a compost
  site; Vietnamese headers, names and material words (diacritics, NFC); plus the members
  of a shared dye-wastewater plant for twelve Vạn Phúc dyeing households;
* an industrial zone modelled loosely on the parks of the Hải Phòng coast (a coal power
  plant, an electric-arc steel mill, cement grinding, foundries, food processing, paper
  and plastics recycling), every firm invented; English headers.

Method: each firm type has a list of streams, each with a range of annual quantity and of
money per unit (VND of 2024). Firms are placed uniformly in a disc around their village
or in the zone's box; quantities are drawn log-uniformly and money uniformly in their
ranges, from ``numpy.random.default_rng(SEED)`` in a fixed order, and rounded to two
significant figures, as a survey answer would be. Every range is an assumption of
plausible magnitude, listed in the READMEs; none is measured. Run
``.venv/bin/python tools/make_symbiosis_examples.py`` (``--check`` compares with the files
on disk; ``--output DIR`` writes the two folders under DIR); the output is byte for byte
the same on every run.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEED = 20240917
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "ecocluster" / "data" / "examples"
VILLAGE, ZONE = "symbiosis-craft-village", "symbiosis-industrial-zone"
KM_PER_DEGREE = 111.32
GENERATOR = "tools/make_symbiosis_examples.py"


@dataclass(frozen=True)
class Stream:
    """One stream of a firm type: direction, material as written, ranges, extras."""

    direction: str  # "output" or "input"
    material: str
    quantity: tuple[float, float]  # per year, in `unit`
    money: tuple[float, float]  # disposal cost (outputs) or virgin price (inputs) per unit
    unit: str = "t"
    quality: str = ""
    ewc: str = ""
    share: float = 1.0  # probability that a firm of the type has the stream
    sold: tuple[float, float, float] | None = None  # (probability, low, high) sold now


@dataclass(frozen=True)
class Group:
    """Firms of one type around one place."""

    prefix: str
    count: int
    names: tuple[str, ...]  # name templates; {n} a number, {given} a given name
    lat: float
    lon: float
    radius_km: float  # 0: anywhere in the zone's box
    streams: tuple[Stream, ...]


GIVEN = (
    "An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hoàng",
    "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc",
    "Phúc", "Quang", "Sơn", "Tâm", "Thắng", "Thành", "Thảo", "Thịnh", "Trung", "Tuấn",
    "Vinh", "Xuân", "Yến",
)  # fmt: skip
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")

# --------------------------------------------------------------------- the craft villages
_CLAY = Stream("đầu ra", "bụi đất sét", (15, 120), (80_000, 150_000), ewc="10 12 03")
_SHARDS = Stream(
    "đầu ra", "mảnh gốm vỡ", (20, 200), (100_000, 200_000), quality="đã phân loại", ewc="10 12 08"
)
_MOULDS = Stream(
    "đầu ra", "khuôn thạch cao", (3, 30), (120_000, 200_000), ewc="10 12 06", share=0.6
)
_BODY = Stream(
    "đầu vào", "đất sét", (100, 600), (600_000, 900_000), "tấn/năm", "xương gốm", share=0.3
)
_KILN_COAL = Stream("đầu vào", "than cám", (30, 120), (3_200_000, 3_800_000), share=0.2)
_SAWDUST = Stream(
    "đầu ra", "mùn cưa", (30, 300), (50_000, 120_000), quality="gỗ chưa xử lý", ewc="03 01 05",
    sold=(0.5, 50_000, 150_000),
)  # fmt: skip
_OFFCUTS = Stream(
    "đầu ra", "gỗ vụn", (20, 200), (50_000, 100_000), quality="gỗ chưa xử lý", ewc="03 01 05",
    sold=(0.6, 100_000, 300_000),
)  # fmt: skip

VILLAGE_GROUPS = (
    Group("BT", 12, ("Gốm {given}", "Xưởng gốm {given}", "Gốm sứ {given}"), 20.9750, 105.9130,
          0.7, (_CLAY, _SHARDS, _MOULDS, _BODY, _KILN_COAL)),
    Group("TC", 2, ("Xưởng khuôn thạch cao {given}",), 20.9750, 105.9130, 0.7,
          (Stream("đầu vào", "thạch cao", (40, 120), (2_200_000, 2_800_000),
                  quality="bột thạch cao"),)),
    Group("KL", 4, ("Gốm Kim Lan {given}",), 20.9580, 105.9000, 0.5,
          (_CLAY, _SHARDS, _MOULDS, _BODY)),
    Group("GA", 4, ("Gạch tuynel {given}", "Lò gạch {given}"), 20.9500, 105.9450, 4.0,
          (Stream("đầu vào", "đất làm gạch", (3_000, 9_000), (120_000, 180_000), "tấn/năm"),
           Stream("đầu vào", "than cám", (200, 600), (2_600_000, 3_200_000)),
           Stream("đầu ra", "xỉ than", (50, 200), (60_000, 100_000), ewc="10 01 01"))),
    Group("DK", 10, ("Đồ gỗ {given}", "Gỗ mỹ nghệ {given}"), 21.1350, 105.9550, 0.7,
          (_SAWDUST, _OFFCUTS)),
    Group("PK", 4, ("Gỗ Phù Khê {given}",), 21.1450, 105.9350, 0.6, (_SAWDUST, _OFFCUTS)),
    Group("NM", 4, ("Trại nấm {given}",), 21.0900, 105.9700, 5.0,
          (Stream("đầu vào", "giá thể trồng nấm", (60, 300), (1_300_000, 1_900_000)),)),
    Group("CN", 3, ("Trại lợn {given}",), 21.0000, 105.9900, 3.0,
          (Stream("đầu vào", "thức ăn chăn nuôi", (100, 400), (1_800_000, 2_600_000),
                  quality="quy đổi theo khối lượng ướt"),)),
    Group("TS", 2, ("Ao cá {given}",), 20.9600, 105.8300, 4.0,
          (Stream("đầu vào", "thức ăn chăn nuôi", (60, 200), (1_200_000, 1_800_000),
                  quality="quy đổi theo khối lượng ướt"),)),
    Group("DP", 3, ("Đậu phụ {given}",), 20.9900, 105.9600, 1.0,
          (Stream("đầu ra", "bã đậu", (60, 250), (50_000, 150_000), quality="ướt",
                  ewc="02 03 04", sold=(0.34, 200_000, 400_000)),)),
    Group("LH", 2, ("Lò hơi {given}",), 21.0400, 105.9000, 8.0,
          (Stream("đầu vào", "than cám", (80, 300), (3_300_000, 3_900_000)),)),
    Group("PC", 1, ("Bãi ủ phân hữu cơ {given}",), 21.0100, 105.9700, 1.0,
          (Stream("đầu vào", "nguyên liệu ủ phân", (600, 1_200), (150_000, 250_000)),)),
    Group("XD", 2, ("Công ty xây dựng {given}",), 21.0000, 105.9000, 2.0,
          (Stream("đầu vào", "cốt liệu", (1_500, 5_000), (200_000, 280_000), quality="san lấp"),)),
    Group("VN", 6, ("Hộ nhuộm {given}",), 20.9800, 105.7700, 0.4,
          (Stream("đầu ra", "nước thải nhuộm", (1_200, 4_500), (1_000, 3_000), "m3/năm",
                  "chưa xử lý"),)),
    Group("VD", 4, ("Dệt lụa {given}",), 20.9800, 105.7700, 0.4,
          (Stream("đầu ra", "vải vụn", (3, 25), (150_000, 300_000), ewc="04 02 22"),)),
    Group("VH", 2, ("Xưởng giặt hoàn tất {given}",), 20.9800, 105.7700, 0.4,
          (Stream("đầu vào", "nước cấp", (2_000, 6_000), (11_000, 15_000), "m3/năm", "giặt"),)),
    Group("TX", 1, ("Xơ sợi tái chế {given}",), 20.9600, 105.7800, 1.0,
          (Stream("đầu vào", "vải vụn", (30, 80), (1_500_000, 2_500_000)),)),
)  # fmt: skip
VILLAGE_HEADER = (
    "Doanh nghiệp", "Tên", "Vĩ độ", "Kinh độ", "Chiều", "Vật liệu", "Khối lượng", "Đơn vị",
    "Chất lượng", "Giá bán", "Chi phí thải bỏ", "Giá nguyên liệu", "Mã chất thải",
)  # fmt: skip
#: Dyeing households of the shared plant: (load m3/day range, distance km) per household;
#: the last two are far from the plant's site.
MEMBER_DISTANCES = (0.08, 0.12, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3, 0.35, 0.4, 2.5, 3.5)

# --------------------------------------------------------------------- the industrial zone
ZONE_BOX = (20.8200, 20.8900, 106.6800, 106.7900)  # lat min, max, lon min, max
_PAPER = Stream("output", "waste paper", (100, 2_000), (200_000, 400_000), quality="cartons",
                ewc="15 01 01", sold=(0.6, 2_500_000, 3_200_000))  # fmt: skip
_PLASTIC = Stream("output", "plastic scrap", (20, 400), (300_000, 500_000), ewc="15 01 02",
                  share=0.6, sold=(0.8, 4_000_000, 6_000_000))  # fmt: skip
ZONE_GROUPS = (
    Group("PP", 1, ("Coal power plant (600 MW)",), 20.8850, 106.7250, 0.3,
          (Stream("output", "fly ash", (300_000, 380_000), (50_000, 80_000), quality="dry, class F",
                  ewc="10 01 02"),
           Stream("output", "bottom ash", (60_000, 90_000), (50_000, 80_000), ewc="10 01 01"),
           Stream("output", "FGD gypsum", (40_000, 60_000), (60_000, 90_000), ewc="10 01 05"),
           Stream("output", "steam", (60_000, 120_000), (0, 0), quality="10 bar saturated"),
           Stream("output", "waste heat", (150_000, 250_000), (0, 0), "MWh", "hot water 90 °C"))),
    Group("SM", 1, ("EAF steel mill",), 0, 0, 0,
          (Stream("output", "EAF slag", (50_000, 70_000), (100_000, 150_000), ewc="10 02 01"),
           Stream("input", "steel scrap", (400_000, 500_000), (9_000_000, 9_600_000)),
           Stream("input", "process water", (500_000, 800_000), (12_000, 15_000), "m3"))),
    Group("CG", 2, ("Cement grinding plant {n}",), 0, 0, 0,
          (Stream("input", "cement additive", (150_000, 250_000), (900_000, 1_100_000)),
           Stream("input", "gypsum", (15_000, 25_000), (700_000, 900_000),
                  quality="set retarder"))),
    Group("RM", 3, ("Ready-mix concrete {n}",), 0, 0, 0,
          (Stream("input", "cement additive", (5_000, 15_000), (900_000, 1_100_000)),
           Stream("input", "aggregate", (30_000, 80_000), (180_000, 240_000)))),
    Group("BR", 4, ("Brick plant {n}",), 0, 0, 0,
          (Stream("input", "brick clay", (20_000, 60_000), (150_000, 220_000)),
           Stream("input", "coal", (1_500, 4_000), (3_000_000, 3_600_000), share=0.75))),
    Group("CT", 3, ("Road and port contractor {n}",), 0, 0, 0,
          (Stream("input", "aggregate", (50_000, 150_000), (150_000, 220_000),
                  quality="sub-base and fill"),)),
    Group("FD", 5, ("Iron foundry {n}",), 0, 0, 0,
          (Stream("output", "foundry sand", (800, 4_000), (200_000, 350_000), ewc="10 09 08"),
           Stream("input", "steel scrap", (2_000, 8_000), (9_200_000, 9_800_000)))),
    Group("ME", 8, ("Steel fabrication shop {n}", "Shipyard {n}", "Machine works {n}"), 0, 0, 0,
          (Stream("output", "steel scrap", (200, 3_000), (0, 0), ewc="12 01 01",
                  sold=(1.0, 7_800_000, 8_600_000)),)),
    Group("AL", 5, ("Aluminium workshop {n}",), 0, 0, 0,
          (Stream("output", "aluminium dross", (40, 300), (3_000_000, 5_000_000), quality="black",
                  ewc="10 03 09*"),
           Stream("output", "aluminium scrap", (30, 300), (0, 0), ewc="12 01 03",
                  sold=(1.0, 34_000_000, 38_000_000)))),
    Group("AR", 1, ("Aluminium recycler and extruder",), 0, 0, 0,
          (Stream("input", "aluminium scrap", (2_000, 4_000), (40_000_000, 44_000_000)),)),
    Group("FP", 8, ("Seafood processor {n}", "Brewery {n}", "Food factory {n}"),
          20.8800, 106.7250, 2.5,
          (Stream("output", "food residue", (500, 8_000), (150_000, 300_000), ewc="02 03 04",
                  sold=(0.25, 100_000, 300_000)),
           Stream("output", "organic sludge", (100, 1_500), (400_000, 700_000), ewc="19 08 12",
                  share=0.7),
           Stream("input", "coal", (1_000, 5_000), (3_300_000, 3_800_000), share=0.5),
           Stream("input", "process heat", (5_000, 30_000), (450_000, 650_000), "MWh", share=0.3),
           Stream("input", "steam", (10_000, 40_000), (350_000, 500_000), share=0.3),
           Stream("input", "process water", (50_000, 300_000), (12_000, 16_000), "m3",
                  share=0.5))),
    Group("RI", 2, ("Rice mill {n}",), 0, 0, 0,
          (Stream("output", "rice husk", (5_000, 15_000), (0, 0), sold=(1.0, 200_000, 400_000)),)),
    Group("FM", 3, ("Pig farm {n}", "Feed mill {n}"), 0, 0, 0,
          (Stream("input", "animal feed", (2_000, 10_000), (1_200_000, 2_000_000),
                  quality="wet-weight equivalent"),)),
    Group("CP", 2, ("Compost plant {n}",), 0, 0, 0,
          (Stream("input", "compost feedstock", (5_000, 20_000), (100_000, 200_000)),)),
    Group("PR", 2, ("Paper recycler {n}",), 0, 0, 0,
          (Stream("input", "waste paper", (10_000, 30_000), (3_800_000, 4_500_000)),)),
    Group("PK", 10, ("Garment factory {n}", "Electronics assembly {n}", "Packaging plant {n}"),
          0, 0, 0, (_PAPER, _PLASTIC)),
    Group("PL", 4, ("Plastics moulder {n}",), 0, 0, 0,
          (Stream("output", "plastic scrap", (100, 800), (0, 0), ewc="12 01 05",
                  sold=(1.0, 5_000_000, 6_500_000)),)),
    Group("PX", 1, ("Plastics recycler",), 0, 0, 0,
          (Stream("input", "plastic scrap", (3_000, 6_000), (7_000_000, 8_000_000)),)),
    Group("WW", 1, ("Zone wastewater treatment plant",), 0, 0, 0,
          (Stream("output", "treated wastewater", (1_500_000, 2_500_000), (0, 0), "m3",
                  "meets QCVN 40:2011 column B"),)),
)  # fmt: skip
ZONE_HEADER = (
    "firm", "name", "lat", "lon", "direction", "material", "quantity", "unit", "quality",
    "price", "disposal_cost", "virgin_price", "ewc",
)  # fmt: skip


# --------------------------------------------------------------------- drawing
def _round(value: float, digits: int = 2) -> int:
    """`value` to `digits` significant figures, as a whole number."""
    if value <= 0:
        return 0
    places = digits - 1 - math.floor(math.log10(value))
    return int(round(value, places))


def _disc(rng: np.random.Generator, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point uniformly in a disc of `km` around (lat, lon)."""
    r, angle = km * math.sqrt(rng.random()), 2 * math.pi * rng.random()
    north, east = r * math.sin(angle), r * math.cos(angle)
    return lat + north / KM_PER_DEGREE, lon + east / (KM_PER_DEGREE * math.cos(math.radians(lat)))


def _names(rng: np.random.Generator, group: Group, taken: set[str]) -> list[str]:
    """Distinct firm names of a group (given names drawn without repeating a name)."""
    out = []
    for n in range(1, group.count + 1):
        template = group.names[(n - 1) % len(group.names)]
        while True:
            first, second = (str(GIVEN[int(i)]) for i in rng.integers(len(GIVEN), size=2))
            given = first if "{n}" in template or first == second else f"{first} {second}"
            name = template.format(n=n, given=given)
            if name not in taken:
                break
        taken.add(name)
        out.append(name)
    return out


def _rows(rng: np.random.Generator, groups: Sequence[Group], zone: bool) -> list[list[str]]:
    """One row per stream: firm, name, lat, lon, direction, material, quantity, unit,
    quality, price, disposal cost, virgin price, EWC."""
    rows: list[list[str]] = []
    taken: set[str] = set()
    for group in groups:
        for n, name in enumerate(_names(rng, group, taken), start=1):
            if zone and not group.radius_km:
                south, north, west, east = ZONE_BOX
                lat = south + (north - south) * rng.random()
                lon = west + (east - west) * rng.random()
            else:
                lat, lon = _disc(rng, group.lat, group.lon, group.radius_km)
            firm = f"{group.prefix}{n:02d}"
            where = [firm, name, f"{lat:.4f}", f"{lon:.4f}"]
            streams = [s for s in group.streams if rng.random() < s.share]
            for stream in streams or group.streams[:1]:
                low, high = stream.quantity
                quantity = _round(math.exp(rng.uniform(math.log(low), math.log(high))))
                money = _round(rng.uniform(*stream.money)) if stream.money[1] else 0
                price = ""
                if stream.sold is not None and rng.random() < stream.sold[0]:
                    money = -_round(rng.uniform(stream.sold[1], stream.sold[2]))
                    price = str(-money)
                output = stream.direction in ("output", "đầu ra")
                cells = [str(money), ""] if output else ["", str(money)]
                unit = stream.unit if zone or stream.unit != "t" else "tấn/năm"
                rows.append([*where, stream.direction, stream.material, str(quantity), unit,
                             stream.quality, price, *cells, stream.ewc])  # fmt: skip
    return rows


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]], comment: str = "") -> str:
    buffer = io.StringIO()
    buffer.write(comment)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _members(rng: np.random.Generator) -> str:
    """Twelve Vạn Phúc dyeing households of a shared wastewater plant."""
    rows = []
    for n, distance in enumerate(MEMBER_DISTANCES, start=1):
        family = FAMILY[int(rng.integers(len(FAMILY)))]
        given = GIVEN[int(rng.integers(len(GIVEN)))]
        load = round(float(rng.uniform(3.0, 15.0)) * 2) / 2
        rows.append([f"VP{n:02d}", f"Hộ nhuộm {family} {given}", "wastewater_dyeing",
                     f"{load:g}", "m3/day", f"{distance:g}", "synthetic"])  # fmt: skip
    header = ("member_id", "name", "facility", "load", "unit", "distance_km", "note")
    return _csv(header, rows)


def render() -> dict[str, dict[str, str]]:
    """Every file of both examples: folder → file name → text."""
    rng = np.random.default_rng(SEED)
    village = _rows(rng, VILLAGE_GROUPS, zone=False)
    members = _members(rng)
    zone = _rows(rng, ZONE_GROUPS, zone=True)
    return {
        VILLAGE: {
            "streams.csv": _csv(VILLAGE_HEADER, village, VILLAGE_COMMENT),
            "members.csv": members,
            "symbiosis.json": _manifest(VILLAGE_META),
        },
        ZONE: {
            "streams.csv": _csv(ZONE_HEADER, zone, ZONE_COMMENT),
            "symbiosis.json": _manifest(ZONE_META),
        },
    }


VILLAGE_COMMENT = (
    "# DỮ LIỆU TỔNG HỢP (SYNTHETIC DATA): cơ sở và số liệu là giả định, không phải số đo; "
    f"tạo bởi {GENERATOR} (seed {SEED}). Invented firms at approximate village locations.\n"
)
ZONE_COMMENT = (
    "# SYNTHETIC DATA: an invented industrial zone modelled loosely on the parks of the "
    f"Hai Phong coast; no firm is real and no number is measured. Made by {GENERATOR} "
    f"(seed {SEED}).\n"
)
VILLAGE_META = {
    "name": VILLAGE,
    "title": "Craft villages of the Red River delta within 25 km: ceramics, wood, silk and "
    "their neighbours (synthetic)",
    "synthetic": True,
    "kind": "craft-village",
    "streams": "streams.csv",
    "members": "members.csv",
    "facility": "wastewater_dyeing",
    "currency": "VND",
    "price_year": 2024,
    "transport_cost_per_tkm": 6000,
    "generator": GENERATOR,
    "seed": SEED,
    "source": "Invented firms at the approximate locations of Bát Tràng, Kim Lan, Đồng Kỵ, "
    "Phù Khê and Vạn Phúc; quantities and prices are assumptions of plausible magnitude "
    "(README.md), none measured. Shared wastewater plant as proposed by Konstadakopulos, D. "
    "(2008), Geographical Research 46(1), 51-61.",
}
ZONE_META = {
    "name": ZONE,
    "title": "An industrial zone on the Hai Phong coast: power, steel, cement, foundries, "
    "food and recycling (synthetic)",
    "synthetic": True,
    "kind": "industrial-zone",
    "streams": "streams.csv",
    "currency": "VND",
    "price_year": 2024,
    "transport_cost_per_tkm": 3000,
    "generator": GENERATOR,
    "seed": SEED,
    "source": "Invented firms in a box of about 11 x 8 km on the Hai Phong coast; quantities "
    "and prices are assumptions of plausible magnitude (README.md), none measured.",
}


def _manifest(meta: dict[str, object]) -> str:
    return json.dumps(meta, ensure_ascii=False, indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generated_files import run

    description = (__doc__ or "").splitlines()[0]
    return run(render, OUT, Path(__file__).name, description, argv)


if __name__ == "__main__":
    sys.exit(main())
