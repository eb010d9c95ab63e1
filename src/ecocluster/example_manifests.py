"""Bundled examples found by their manifest file, and one found by name.

An example folder under ``data/examples`` says what it is in a JSON manifest named for its
kind (``symbiosis.json``, ``benchmarking.json``); the modules of each kind list and load
theirs through these two functions, so that names match alike everywhere (without case or
diacritics) and an unknown name lists the known ones.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from ecocluster.errors import InputError
from ecocluster.normalize import fold_key

__all__ = ["find_manifest", "read_manifests"]


def _root() -> Path:
    return Path(str(resources.files("ecocluster").joinpath("data", "examples")))


def read_manifests(manifest: str) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Name → (folder, manifest) of every example folder with a file named `manifest`."""
    found = {}
    for folder in sorted(p for p in _root().iterdir() if (p / manifest).is_file()):
        meta = json.loads((folder / manifest).read_text(encoding="utf-8"))
        found[str(meta.get("name", folder.name))] = (folder, meta)
    return found


def find_manifest(manifest: str, name: str, kind: str) -> tuple[Path, dict[str, Any]]:
    """The folder and manifest of the `kind` example called `name` (any case, diacritics)."""
    manifests = read_manifests(manifest)
    for known, entry in manifests.items():
        if fold_key(known) == fold_key(name):
            return entry
    names = ", ".join(manifests) or "none"
    raise InputError(f"no {kind} example named {name!r}; bundled: {names}", rule="example")
