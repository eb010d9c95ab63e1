"""Import a survey file: read -> check -> store, as one transaction.

The file is streamed in chunks so that a national-scale survey fits in memory. Each chunk
is checked against the instrument and, while no blocking problem has been seen, written
inside the same open transaction. The transaction commits only after the last chunk: a
blocking problem anywhere, a read error or an interrupted process leaves the database
exactly as it was. Non-blocking problems (warnings) are stored with the data, flagged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from ecocluster.errors import ReadError
from ecocluster.instrument import Instrument
from ecocluster.store import ImportWriter
from ecocluster.survey.check import DuplicateTracker, check_responses, has_blocking
from ecocluster.survey.read import iter_responses
from ecocluster.survey.responses import ERROR, concat_problems

#: Called after each chunk with the number of rows it held.
Progress = Callable[[int], None]
CHUNKSIZE = 50_000


@dataclass
class ImportResult:
    """What an import or a check did; `imported` is False when nothing was written."""

    file: str
    wave: str | None
    rows: int
    problems: pd.DataFrame
    imported: bool
    import_id: int | None = None

    @property
    def errors(self) -> int:
        return int((self.problems["severity"] == ERROR).sum())

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def file_sha256(path: str | Path) -> str:
    """Content hash that identifies a file across renames (for duplicate imports)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise ReadError(f"cannot open: {error.strerror}", file=str(path)) from None
    return digest.hexdigest()


def check_file(
    path: str | Path,
    instrument: Instrument,
    *,
    chunksize: int = CHUNKSIZE,
    progress: Progress | None = None,
    known_ids: set[str] | None = None,
) -> ImportResult:
    """Check a file against an instrument without touching any database."""
    tracker = DuplicateTracker(known_ids or set())
    rows = 0
    found = []
    for chunk in iter_responses(path, instrument, chunksize=chunksize):
        found.append(check_responses(chunk, instrument, tracker=tracker))
        rows += len(chunk)
        if progress is not None:
            progress(len(chunk))
    return ImportResult(str(path), None, rows, concat_problems(found), imported=False)


def import_file(
    engine: Engine,
    path: str | Path,
    instrument: Instrument,
    *,
    wave: str,
    strict: bool = False,
    allow_duplicate: bool = False,
    chunksize: int = CHUNKSIZE,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a survey file into a wave, whole or not at all.

    Errors (and with `strict`, warnings too) refuse the import: the result lists every
    problem found in the whole file and the database is unchanged. Otherwise the data
    land with their warnings stored in the ``problem`` table.
    """
    path = Path(path)
    sha256 = file_sha256(path)
    size = path.stat().st_size
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            writer = ImportWriter(
                conn,
                instrument=instrument,
                wave=wave,
                file_name=path.name,
                sha256=sha256,
                size_bytes=size,
                allow_duplicate=allow_duplicate,
            )
            tracker = DuplicateTracker(writer.existing_codes())
            rows = 0
            found = []
            blocked = False
            for chunk in iter_responses(path, instrument, chunksize=chunksize):
                problems = check_responses(chunk, instrument, tracker=tracker)
                found.append(problems)
                blocked = blocked or has_blocking(problems, strict=strict)
                if not blocked:
                    writer.write(chunk)
                rows += len(chunk)
                if progress is not None:
                    progress(len(chunk))
            all_problems = concat_problems(found)
            if blocked:
                transaction.rollback()
                return ImportResult(str(path), wave, rows, all_problems, imported=False)
            writer.write_problems(all_problems)
            import_id = writer.finish(rows=rows)
            transaction.commit()
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            raise
    return ImportResult(str(path), wave, rows, all_problems, imported=True, import_id=import_id)
