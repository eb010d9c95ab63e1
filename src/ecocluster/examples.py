"""Bundled example studies: synthetic data calibrated to published surveys.

Each example is a folder under ``data/examples`` with ``example.json`` (name, title,
instrument, wave, source citation, generator), the responses file, the published targets
it reproduces (``published.csv``) and a README on how it was made. They double as test
fixtures and as the data of the demo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from ecocluster.errors import EcoclusterError
from ecocluster.ingest import ImportResult, Progress, import_file
from ecocluster.instrument import Instrument, load_instrument
from ecocluster.normalize import fold_key


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    instrument: str
    wave: str
    synthetic: bool
    source: str
    folder: Path
    responses: Path

    def load_instrument(self) -> Instrument:
        return load_instrument(self.instrument)

    def read_published(self) -> pd.DataFrame:
        """The published aggregates this example reproduces, with their citations."""
        return pd.read_csv(self.folder / "published.csv", dtype=str, keep_default_na=False)


def _root() -> Path:
    return Path(str(resources.files("ecocluster") / "data" / "examples"))


def _read(folder: Path) -> Example:
    meta: dict[str, Any] = json.loads((folder / "example.json").read_text(encoding="utf-8"))
    return Example(
        name=meta["name"],
        title=meta.get("title", meta["name"]),
        instrument=meta["instrument"],
        wave=meta.get("wave", meta["name"]),
        synthetic=bool(meta.get("synthetic", False)),
        source=meta.get("source", ""),
        folder=folder,
        responses=folder / meta.get("responses", "responses.csv"),
    )


def list_examples() -> list[Example]:
    """All bundled examples, by name."""
    root = _root()
    folders = sorted(p for p in root.iterdir() if (p / "example.json").exists())
    return [_read(folder) for folder in folders]


def get_example(name: str) -> Example:
    wanted = fold_key(name)
    for example in list_examples():
        if fold_key(example.name) == wanted:
            return example
    names = ", ".join(example.name for example in list_examples())
    raise EcoclusterError(f"no example named {name!r}; bundled examples: {names}")


def load_example(
    engine: Engine,
    name: str,
    *,
    progress: Progress | None = None,
    allow_duplicate: bool = False,
) -> ImportResult:
    """Import a bundled example into its wave through the ordinary import path."""
    example = get_example(name)
    return import_file(
        engine,
        example.responses,
        example.load_instrument(),
        wave=example.wave,
        progress=progress,
        allow_duplicate=allow_duplicate,
    )
