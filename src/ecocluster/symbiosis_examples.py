"""The bundled symbiosis examples: a craft-village cluster and an industrial zone.

No firm-level register of wastes, by-products and needs is public for a Vietnamese
cluster, so the examples are synthetic: invented firms at approximate real places,
quantities and prices of plausible magnitude, made by ``tools/make_symbiosis_examples.py``
and described in each folder's README (``data/examples/symbiosis-*``). They let a user
try `plan_exchanges` and `allocate_costs` on a cluster of realistic size before
collecting their own data, and they are the tests' fixtures for the whole chain.

* ``example_symbioses() -> DataFrame``: one row per folder with a ``symbiosis.json``:
  ``name``, ``title``, ``synthetic``, ``kind`` (craft-village or industrial-zone),
  ``source``, ``transport_cost`` (the suggested cost per t-km, in the streams' currency).
* ``load_example_streams(name) -> DataFrame``: the streams, through `read_streams`.
* ``example_members(name) -> DataFrame | None``: members of a shared facility, through
  `read_members` (None when the example has none).
* ``example_settings(name) -> dict``: what a plan and an allocation need besides the
  files: ``transport_cost_per_tkm``, ``currency``, ``price_year``, ``facility`` (or None).
* ``example_path(name, file) -> Path``: a file of an example.

An unknown name raises `InputError` listing the bundled ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pandas as pd

from ecocluster.errors import InputError
from ecocluster.example_manifests import find_manifest, read_manifests

__all__ = [
    "example_members",
    "example_path",
    "example_settings",
    "example_symbioses",
    "load_example_streams",
]

_MANIFEST: Final = "symbiosis.json"
_COLUMNS: Final = ("name", "title", "synthetic", "kind", "source", "transport_cost")


def _manifests() -> dict[str, tuple[Path, dict[str, Any]]]:
    return read_manifests(_MANIFEST)


def _find(name: str) -> tuple[Path, dict[str, Any]]:
    return find_manifest(_MANIFEST, name, "symbiosis")


def example_symbioses() -> pd.DataFrame:
    """The bundled symbiosis examples, one row each (module doc: columns)."""
    rows = []
    for name, (_, meta) in _manifests().items():
        row = {column: meta.get(column, "") for column in _COLUMNS}
        row["name"] = name
        row["synthetic"] = bool(meta.get("synthetic", False))
        row["transport_cost"] = float(meta.get("transport_cost_per_tkm", "nan"))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(_COLUMNS)).astype({"synthetic": bool})


def example_path(name: str, file: str = _MANIFEST) -> Path:
    """The path of `file` (``streams.csv``, ``members.csv``, ``README.md``, ...) of an example."""
    folder, _ = _find(name)
    path = folder / file
    if not path.is_file():
        files = ", ".join(sorted(p.name for p in folder.iterdir() if p.is_file()))
        raise InputError(f"example {name!r} has no file {file!r} (it has {files})", rule="example")
    return path


def example_settings(name: str) -> dict[str, Any]:
    """The suggested transport cost per t-km and what the money is in (module doc)."""
    _, meta = _find(name)
    return {
        "transport_cost_per_tkm": float(meta["transport_cost_per_tkm"]),
        "currency": str(meta.get("currency", "")),
        "price_year": meta.get("price_year"),
        "facility": meta.get("facility"),
    }


def load_example_streams(name: str) -> pd.DataFrame:
    """An example's streams table, read and checked by `read_streams`; ``attrs`` carry
    the example's name and whether it is synthetic."""
    from ecocluster.symbiosis import read_streams

    _, meta = _find(name)
    streams = read_streams(example_path(name, str(meta.get("streams", "streams.csv"))))
    streams.attrs["example"] = str(meta["name"])
    streams.attrs["synthetic"] = bool(meta.get("synthetic", False))
    return streams


def example_members(name: str) -> pd.DataFrame | None:
    """An example's members of a shared facility (`read_members`), or None when it has none."""
    from ecocluster.shared_facilities import read_members

    _, meta = _find(name)
    if not meta.get("members"):
        return None
    members = read_members(example_path(name, str(meta["members"])))
    members.attrs["example"] = str(meta["name"])
    members.attrs["synthetic"] = bool(meta.get("synthetic", False))
    return members
