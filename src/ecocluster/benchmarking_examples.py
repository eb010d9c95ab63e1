"""The bundled benchmarking examples: an EAF steel sector, the Hội An eco-city's
green-industry goals to 2030, and the Bình Yên aluminium-recycling village.

Plant energy records of Vietnamese steel mills and craft workshops, and the indicators of
a city's green-industry action plan, are not public, so the examples are synthetic:
invented plants at real places, quantities of plausible magnitude, made by
``tools/make_benchmarking_examples.py`` and described in each folder's README
(``data/examples/<name>/``). They let a user try benchmarking, roadmaps and target
tracking at a realistic size before collecting their own data, and they are the tests'
fixtures for the whole chain.

* ``example_benchmarkings() -> DataFrame``: one row per folder with a
  ``benchmarking.json``: ``name``, ``title``, ``kind`` (sector, city, craft-village),
  ``synthetic``, ``source``.
* ``load_benchmarking_example(name) -> BenchmarkingExample``: every file of an example
  read and checked by its library reader (`read_plants`, `read_measures`, `read_roadmap`,
  `read_agreement`, `read_goals`, `read_progress`), with the prices, currency and
  discount rate the example suggests; None for what it does not have.
* ``benchmarking_example_path(name, file) -> Path``: a file of an example.

Names match regardless of case and diacritics; an unknown name raises `InputError`
listing the bundled ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from ecocluster.benchmarking import PlantData, read_plants
from ecocluster.errors import InputError
from ecocluster.example_manifests import find_manifest, read_manifests
from ecocluster.roadmap import read_measures, read_roadmap
from ecocluster.targets import Agreement, read_agreement, read_goals, read_progress

__all__ = [
    "BenchmarkingExample",
    "benchmarking_example_path",
    "example_benchmarkings",
    "load_benchmarking_example",
]

_MANIFEST: Final = "benchmarking.json"
_COLUMNS: Final = ("name", "title", "kind", "synthetic", "source")


@dataclass(frozen=True)
class BenchmarkingExample:
    """A bundled example, read. ``prices``: ``{"electricity": money per kWh, "fuel": money
    per GJ}`` in ``currency`` (empty when the example has no roadmap); ``roadmap_years``:
    (first, last) year of the roadmap, or None."""

    name: str
    title: str
    kind: str
    synthetic: bool
    source: str
    currency: str
    prices: dict[str, float] = field(repr=False)
    discount_rate: float
    plants: PlantData | None = field(repr=False)
    measures: pd.DataFrame | None = field(repr=False)
    roadmap: pd.DataFrame | None = field(repr=False)
    agreement: Agreement | None = field(repr=False)
    goals: pd.DataFrame | None = field(repr=False)
    progress: pd.DataFrame | None = field(repr=False)
    folder: Path
    roadmap_years: tuple[int, int] | None = None


def _manifests() -> dict[str, tuple[Path, dict[str, Any]]]:
    return read_manifests(_MANIFEST)


def _find(name: str) -> tuple[Path, dict[str, Any]]:
    return find_manifest(_MANIFEST, name, "benchmarking")


def example_benchmarkings() -> pd.DataFrame:
    """The bundled benchmarking examples, one row each (module doc: columns)."""
    rows = []
    for name, (_, meta) in _manifests().items():
        row = {column: meta.get(column, "") for column in _COLUMNS}
        row["name"] = name
        row["synthetic"] = bool(meta.get("synthetic", False))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(_COLUMNS)).astype({"synthetic": bool})


def benchmarking_example_path(name: str, file: str = _MANIFEST) -> Path:
    """The path of `file` (``plants.csv``, ``goals.csv``, ``README.md``, ...) of an example."""
    folder, _ = _find(name)
    path = folder / file
    if not path.is_file():
        files = ", ".join(sorted(p.name for p in folder.iterdir() if p.is_file()))
        raise InputError(f"example {name!r} has no file {file!r} (it has {files})", rule="example")
    return path


def load_benchmarking_example(name: str) -> BenchmarkingExample:
    """Every file of an example, read and checked (module doc)."""
    folder, meta = _find(name)
    files: dict[str, str] = dict(meta.get("files", {}))

    def path(role: str) -> Path | None:
        return folder / files[role] if role in files else None

    plants, reports = path("plants"), path("reports")
    data = read_plants(plants, reports) if plants and reports else None
    measures_file, roadmap_file = path("measures"), path("roadmap")
    measures = read_measures(measures_file) if measures_file else None
    roadmap = None
    if roadmap_file and measures is not None:
        roadmap = read_roadmap(roadmap_file, measures)
    agreement_file, goals_file, progress_file = path("agreement"), path("goals"), path("progress")
    goals = read_goals(goals_file) if goals_file else None
    progress = read_progress(progress_file, goals) if progress_file and goals is not None else None
    years = meta.get("roadmap_years")
    return BenchmarkingExample(
        name=str(meta["name"]),
        title=str(meta.get("title", "")),
        kind=str(meta.get("kind", "")),
        synthetic=bool(meta.get("synthetic", False)),
        source=str(meta.get("source", "")),
        currency=str(meta.get("currency", "")),
        prices={str(k): float(v) for k, v in dict(meta.get("prices", {})).items()},
        discount_rate=float(meta.get("discount_rate", 0.10)),
        plants=data,
        measures=measures,
        roadmap=roadmap,
        agreement=read_agreement(agreement_file) if agreement_file else None,
        goals=goals,
        progress=progress,
        folder=folder,
        roadmap_years=(int(years[0]), int(years[-1])) if years else None,
    )
