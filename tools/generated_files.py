"""Writing, or checking, the files an example generator renders: one command line for all.

Each generator renders {folder: {file name: text}}; ``run(folders, default_output, script)``
parses ``--check`` (compare with the files on disk, exit 1 naming the stale ones) and
``--output DIR`` (write elsewhere), so that every generator behaves alike.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

Folders = Mapping[str, Mapping[str, str]]


def stale_files(folders: Folders, output: Path) -> list[Path]:
    """The files whose bytes on disk differ from what is rendered (or that are missing)."""
    return [
        output / folder / name
        for folder, files in folders.items()
        for name, text in files.items()
        if not (output / folder / name).is_file()
        or (output / folder / name).read_bytes() != text.encode("utf-8")
    ]


def run(
    render: Callable[[], Folders],
    default_output: Path,
    script: str,
    description: str,
    argv: Sequence[str] | None = None,
) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="compare with the files on disk")
    parser.add_argument(
        "--output", type=Path, default=default_output, help="folder of the examples"
    )
    args = parser.parse_args(argv)
    folders = render()
    if args.check:
        stale = stale_files(folders, args.output)
        for path in stale:
            print(f"{path} is not what {script} writes", file=sys.stderr)
        return 1 if stale else 0
    for folder, files in folders.items():
        (args.output / folder).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (args.output / folder / name).write_bytes(text.encode("utf-8"))
            print(f"wrote {args.output / folder / name}")
    return 0
