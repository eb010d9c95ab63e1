"""Writing results all or nothing: a file through a temporary sibling, a folder through a
staging folder renamed into place.

A reader never finds half a map or half a report folder: a failure (disk full, an
interrupted run, a bad value met late) leaves what was there before. An existing folder is
replaced only when it is empty or was written by ecocluster and holds nothing but the files
its marker lists, so rerunning a command is easy and a mistyped ``-o`` never deletes
someone's files.

CSV files start with a byte-order mark because Excel, which many readers of these files
use, reads a CSV without one in the system's legacy code page and garbles "Đồng Kỵ";
pandas (``encoding="utf-8-sig"``), R's readr and LibreOffice skip the mark.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

import pandas as pd

from ecocluster import __version__
from ecocluster.errors import EcoclusterError

__all__ = ["CSV_ENCODING", "MARKER", "OutputError", "staged_folder", "write_csv", "write_file"]

#: The file that marks a folder as written by ecocluster and lists what it wrote.
MARKER = ".ecocluster-report"
CSV_ENCODING = "utf-8-sig"


class OutputError(EcoclusterError):
    """The output cannot be written where asked; nothing was changed."""


def fsync_write(path: Path, text: str, encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """One table as CSV: "\\n" line ends, NaN as an empty cell, full float precision.

    The index is written when it carries information (a name, labels or several levels);
    a plain 0, 1, 2 ... row number is left out.
    """
    plain = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    text = frame.to_csv(index=not plain, lineterminator="\n")
    fsync_write(path, text, encoding=CSV_ENCODING)


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.{suffix}")


def write_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary)`` and rename the result to `path` once it is complete."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give a file name")
    temporary = _sibling(target, "tmp" + target.suffix)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)
        os.replace(temporary, target)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"could not write {target}: {error}") from error
        raise
    return target


def _manifest(directory: Path) -> set[str] | None:
    """The files a previous run listed in its marker, or None without a marker."""
    marker = directory / MARKER
    if not marker.is_file():
        return None
    lines = marker.read_text("utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _check_target(directory: Path, what: str) -> None:
    """Refuse a target we could not replace without losing someone else's files."""
    if not directory.exists():
        return
    if not directory.is_dir():
        raise OutputError(f"{directory} exists and is not a folder")
    cwd = Path.cwd().resolve()
    if cwd == directory or directory in cwd.parents:
        raise OutputError(
            f"{directory} is the current folder or contains it; write the {what} to a new folder"
        )
    entries = {path.relative_to(directory).as_posix() for path in directory.rglob("*")}
    if not entries:
        return
    listed = _manifest(directory)
    if listed is None:
        raise OutputError(
            f"{directory} is not empty and was not written by ecocluster; "
            "choose a new or empty folder"
        )
    allowed = {MARKER} | listed
    allowed |= {parent.as_posix() for name in listed for parent in PurePath(name).parents}
    foreign = sorted(entries - allowed)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise OutputError(
            f"{directory} holds files the previous {what} did not write ({shown}); "
            "move them or choose another folder"
        )


def _new_staging(directory: Path) -> Path:
    """A fresh hidden sibling folder (same file system, so the final rename is atomic),
    made with the usual permissions rather than a temporary folder's private ones."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    while True:
        staging = _sibling(directory, "tmp")
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def _sync_folder(directory: Path) -> None:
    """Make a rename durable (POSIX; other systems have no folder handles to sync)."""
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _move_into_place(staging: Path, directory: Path) -> None:
    """Put the finished folder where it belongs; on failure the old one stays."""
    if not directory.exists():
        staging.rename(directory)
    else:
        old = _sibling(directory, "old")
        directory.rename(old)
        try:
            staging.rename(directory)
        except BaseException:
            old.rename(directory)
            raise
        shutil.rmtree(old, ignore_errors=True)
    _sync_folder(directory.parent)


@contextmanager
def staged_folder(directory: str | Path, what: str = "output") -> Iterator[Path]:
    """A staging folder to write into; on success it replaces `directory` as a whole.

    The target is checked first (see the module doc); the files found in the staging folder
    at the end are listed in the marker. `what` names the output in messages.
    """
    target = Path(directory).resolve()
    _check_target(target, what)
    try:
        staging = _new_staging(target)
    except OSError as error:
        raise OutputError(f"could not create a folder next to {target}: {error}") from error
    try:
        yield staging
        written = sorted(
            path.relative_to(staging).as_posix() for path in staging.rglob("*") if path.is_file()
        )
        fsync_write(
            staging / MARKER,
            f"# Written by ecocluster {__version__}. Writing here again replaces this\n"
            "# folder; it is refused while the folder holds files not listed below.\n"
            + "".join(f"{name}\n" for name in written),
        )
        _move_into_place(staging, target)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise OutputError(f"could not write the {what} to {target}: {error}") from error
        raise
